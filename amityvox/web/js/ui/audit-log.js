// @ts-check
// Server settings → Audit Log (ViewAuditLog): who changed what, when and why, newest first.
// The list is what GET /guilds/{g}/audit-log answered for the chosen filter, joined by the
// entries that arrive live as GUILD_AUDIT_LOG_ENTRY_CREATE (the `audit_log` store).

import { h, time } from "./dom.js";
import { bits, permName } from "./roles.js";
import { displayName, guildMembers } from "../state.js";

// Every action the server records (services/audit_log.py), in words: "<actor> <words> <target>".
export const ACTIONS = {
  GUILD_UPDATE: "updated the server",
  CHANNEL_CREATE: "created the channel",
  CHANNEL_UPDATE: "updated the channel",
  CHANNEL_DELETE: "deleted the channel",
  CHANNEL_OVERWRITE_CREATE: "added permissions on",
  CHANNEL_OVERWRITE_UPDATE: "changed permissions on",
  CHANNEL_OVERWRITE_DELETE: "removed permissions on",
  MEMBER_KICK: "kicked",
  MEMBER_PRUNE: "pruned inactive members",
  MEMBER_BAN_ADD: "banned",
  MEMBER_BAN_REMOVE: "unbanned",
  MEMBER_UPDATE: "updated the member",
  MEMBER_ROLE_UPDATE: "changed the roles of",
  MEMBER_WARNING_CREATE: "warned",
  ROLE_CREATE: "created the role",
  ROLE_UPDATE: "updated the role",
  ROLE_DELETE: "deleted the role",
  INVITE_CREATE: "created the invite",
  INVITE_DELETE: "deleted the invite",
  EMOJI_CREATE: "added the emoji",
  EMOJI_UPDATE: "renamed the emoji",
  EMOJI_DELETE: "deleted the emoji",
  AUTO_MODERATION_RULE_CREATE: "created the automod rule",
  AUTO_MODERATION_RULE_UPDATE: "updated the automod rule",
  AUTO_MODERATION_RULE_DELETE: "deleted the automod rule",
  ONBOARDING_UPDATE: "updated the onboarding",
  WEBHOOK_CREATE: "created the webhook",
  WEBHOOK_UPDATE: "updated the webhook",
  WEBHOOK_DELETE: "deleted the webhook",
  EVENT_WEBHOOK_CREATE: "added the event webhook",
  EVENT_WEBHOOK_UPDATE: "updated the event webhook",
  EVENT_WEBHOOK_DELETE: "removed the event webhook",
  BOT_ADD: "added the bot",
  INTEGRATION_CREATE: "installed the commands of",
  INTEGRATION_DELETE: "removed the commands of",
};

const BITFIELDS = new Set(["permissions", "permissions_allow", "permissions_deny", "default_permissions", "allow", "deny"]);

function filterOf(app) {
  return (app.ui.auditFilter ??= { action: "", user: "" });
}

const PAGE = 100; // entries per request; "Load older entries" asks for the next page

function query(app, before = null) {
  const { action, user } = filterOf(app);
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (action) q.set("action_type", action);
  if (user) q.set("user_id", user);
  if (before) q.set("before", before);
  return q;
}

/** GET the newest page for the current filter into ui.lists["audit:<guild>"]. */
export function load(app) {
  const g = app.ui.guildId;
  if (!g) return;
  app.loadList(`audit:${g}`, "audit", `/guilds/${g}/audit-log?${query(app)}`, (data) => {
    data.more = data.audit_log_entries.length === PAGE;
  });
}

/** Append the page before the oldest entry loaded. */
async function older(app) {
  const g = app.ui.guildId;
  const loaded = app.ui.lists[`audit:${g}`];
  const oldest = loaded?.audit_log_entries?.at(-1)?.id;
  if (!oldest) return;
  const page = await app.call("audit", () => app.api.get(`/guilds/${g}/audit-log?${query(app, oldest)}`), "Loading older entries failed");
  if (!page || app.ui.lists[`audit:${g}`] !== loaded) return; // the filter changed meanwhile
  loaded.audit_log_entries.push(...page.audit_log_entries);
  loaded.users.push(...page.users);
  loaded.more = page.audit_log_entries.length === PAGE;
  app.render();
}

function nameOf(app, guildId, uid, users) {
  if (app.state.users[uid] || app.state.members[guildId]?.[uid]) return displayName(app.state, uid, guildId);
  const u = users[uid];
  return u ? (u.display_name ?? u.username) : uid.slice(-6);
}

function changed(entry, key) {
  const c = entry.changes.find((x) => x.key === key);
  return c ? (c.new ?? c.old) : null;
}

function targetText(app, guildId, entry, users) {
  const id = entry.target_id;
  if (!id) return "";
  switch (entry.target_type) {
    case "user": return nameOf(app, guildId, id, users);
    case "channel": return `#${app.state.channels[id]?.name ?? changed(entry, "name") ?? id.slice(-6)}`;
    case "role": return app.state.roles[guildId]?.[id]?.name ?? changed(entry, "name") ?? id.slice(-6);
    case "emoji": return `:${app.state.emoji[guildId]?.[id]?.name ?? changed(entry, "name") ?? id.slice(-6)}:`;
    case "invite": return id;
    case "automod_rule": return changed(entry, "name") ?? "a rule";
    default: return "";
  }
}

function bitNames(app, value) {
  const list = bits(app);
  if (!list) return value;
  const v = BigInt(value);
  const names = list.filter((b) => (v & b.bit) !== 0n).map((b) => permName(b.name));
  return names.length ? names.join(", ") : "none";
}

function show(app, guildId, key, value) {
  if (value == null) return "—";
  if (BITFIELDS.has(key) && typeof value === "string") return bitNames(app, value);
  if (key === "roles" && Array.isArray(value)) return value.map((r) => app.state.roles[guildId]?.[r]?.name ?? r.slice(-6)).join(", ");
  if (key === "overwrite" && typeof value === "object") {
    const who = value.type === "role"
      ? (value.id === guildId ? "@everyone" : app.state.roles[guildId]?.[value.id]?.name ?? value.id.slice(-6))
      : displayName(app.state, value.id, guildId);
    return `${who}: allow ${bitNames(app, value.allow)}; deny ${bitNames(app, value.deny)}`;
  }
  if (key === "scopes" && Array.isArray(value)) return value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  if (key.endsWith("_id") && typeof value === "string") {
    if (app.state.channels[value]) return `#${app.state.channels[value].name}`;
    if (app.state.users[value] || app.state.members[guildId]?.[value]) return displayName(app.state, value, guildId);
  }
  return String(value);
}

/** `key: old → new`, or `key: new` for a value that is new, `key: old → —` for one removed. */
function changeText(app, guildId, c) {
  const now = show(app, guildId, c.key, c.new);
  return c.old == null ? `: ${now}` : `: ${show(app, guildId, c.key, c.old)} → ${now}`;
}

function matches(entry, { action, user }) {
  return (!action || entry.action === action) && (!user || entry.actor_id === user);
}

/** The loaded page and the live entries of this guild, newest first, without repeats. */
export function entries(app, guildId) {
  const loaded = app.ui.lists[`audit:${guildId}`];
  if (loaded == null) return null;
  const byId = new Map();
  for (const e of loaded.audit_log_entries ?? []) byId.set(e.id, e);
  const filter = filterOf(app);
  for (const e of app.state.audit_log) if (e.guild_id === guildId && matches(e, filter)) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export function view(app, guildId) {
  const list = entries(app, guildId);
  const users = Object.fromEntries((app.ui.lists[`audit:${guildId}`]?.users ?? []).map((u) => [u.id, u]));
  const filter = filterOf(app);
  const people = guildMembers(app.state, guildId).map((m) => m.user_id);
  return [
    h("div.row.wrap.card", { "data-key": "audit-filter" },
      h("label", "Action", h("select", { "data-change": "audit-filter", "data-field": "action", "aria-label": "Filter by action" },
        h("option", { value: "" }, "All actions"),
        Object.entries(ACTIONS).map(([name, words]) => h("option", { value: name, selected: filter.action === name }, words)))),
      h("label", "By", h("select", { "data-change": "audit-filter", "data-field": "user", "aria-label": "Filter by member" },
        h("option", { value: "" }, "Anyone"),
        people.map((uid) => h("option", { value: uid, selected: filter.user === uid }, displayName(app.state, uid, guildId)))))),
    list == null ? h("p.muted", "Loading…")
      : !list.length ? h("p.muted", filter.action || filter.user ? "No entries match the filter." : "Nothing in the audit log yet.")
      : h("ul.settings-list.audit-log", { "aria-label": "Audit log" }, list.map((e) => h("li.audit-entry", { "data-key": e.id, "data-action-type": e.action },
        h("div.row.wrap",
          h("strong", nameOf(app, guildId, e.actor_id, users)),
          h("span", ` ${ACTIONS[e.action] ?? e.action} `),
          h("strong", targetText(app, guildId, e, users)),
          h("small.muted.grow", { title: e.created_at }, time(e.created_at))),
        e.changes.length ? h("ul.audit-changes", e.changes.map((c) => h("li", { "data-key": c.key },
          h("code", c.key), changeText(app, guildId, c)))) : null,
        e.reason ? h("p.audit-reason", h("em", "Reason: "), e.reason) : null))),
    app.ui.lists[`audit:${guildId}`]?.more ? h("button", { "data-action": "audit-older" }, "Load older entries") : null,
  ];
}

export const actions = {
  "audit-older": older,
  "audit-filter"(app, data, el) {
    filterOf(app)[data.field] = el.value;
    delete app.ui.lists[`audit:${app.ui.guildId}`]; // "Loading…" until the filtered list is in
    load(app);
    app.render();
  },
};
