// @ts-check
// Server settings: overview, channels, roles (roles.js), permissions (overwrites.js), webhooks (webhooks.js),
// the installed bots (integrations.js), emoji, invites, bans, automod, onboarding, the report queue
// (reports.js) and the audit log (audit-log.js).
// Each tab loads what it lists over REST; live events (roles, emoji, onboarding, automod
// actions) keep the cached parts current. Tabs whose routes are missing are hidden.

import { icon } from "./icons.js";
import { h, initials, time } from "./dom.js";
import { emojiPicture } from "./avatar.js";
import { forget, picked, picker, upload } from "./image-upload.js";
import { displayName, guildChannels } from "../state.js";
import { Perm, can, isModerator } from "../perms.js";
import { ask, confirmAction } from "./modal.js";
import * as auditLog from "./audit-log.js";
import * as integrations from "./integrations.js";
import * as overwrites from "./overwrites.js";
import * as reports from "./reports.js";
import * as roles from "./roles.js";
import * as webhooks from "./webhooks.js";
import * as eventWebhooks from "./event-webhooks.js";
import { preview as channelNamePreview } from "./channel-name.js";

/** @type {[string, string, (state: any, guildId: string) => boolean][]} */
const TABS = [
  ["overview", "Overview", () => true],
  ["channels", "Channels", (s, g) => can(s, g, Perm.ManageChannels)],
  ["roles", "Roles", (s, g) => can(s, g, Perm.ManageRoles)],
  ["permissions", "Permissions", (s, g) => can(s, g, Perm.ManagePermissions)],
  ["webhooks", "Webhooks", (s, g) => can(s, g, Perm.ManageWebhooks) || can(s, g, Perm.ManageGuild)],
  ["integrations", "Integrations", (s, g) => can(s, g, Perm.ManageGuild)],
  ["emoji", "Emoji", () => true],
  ["invites", "Invites", () => true],
  ["bans", "Bans", (s, g) => can(s, g, Perm.BanMembers)],
  ["automod", "Automod", (s, g) => isModerator(s, g)],
  ["onboarding", "Onboarding", () => true],
  ["reports", "Reports", (s, g) => isModerator(s, g)],
  ["audit", "Audit Log", (s, g) => can(s, g, Perm.ViewAuditLog)],
];
const FEATURE = { automod: "automod", onboarding: "onboarding", webhooks: "webhooks", reports: "reports", audit: "audit" };

function tabsFor(app) {
  return TABS.filter(([id, , allowed]) => allowed(app.state, app.ui.guildId) && app.available(FEATURE[id] ?? id));
}

export function view(app) {
  const guildId = app.ui.guildId;
  if (!app.state.guilds[guildId]) return h("p.muted", "Pick a server first.");
  const tabs = tabsFor(app);
  const tab = tabs.some(([id]) => id === app.ui.settingsTab) ? app.ui.settingsTab : "overview";
  return [
    h("div.tabs.wrap", { role: "tablist", "aria-label": "Settings sections" }, tabs.map(([id, label]) => h("button.tab", {
      "data-key": id, role: "tab", "aria-selected": String(tab === id), "data-action": "settings-tab", "data-tab": id,
    }, label))),
    h("div.tab-body", { role: "tabpanel", "data-key": `settings-${tab}` }, SECTIONS[tab](app, guildId)),
  ];
}

function overview(app, guildId) {
  const g = app.state.guilds[guildId];
  const me = app.state.self_user?.id;
  const manage = can(app.state, guildId, Perm.ManageGuild);
  return [
    manage ? h("form.stack.card", { "data-submit": "guild-overview" },
      h("label", "Name", h("input", { name: "name", required: true, maxlength: 200, value: g.name })),
      h("label", "Description", h("textarea", { name: "description", rows: 3, maxlength: 2000 }, g.description ?? "")),
      h("button.primary", { type: "submit" }, "Save")) : h("div.card", h("h3", g.name), g.description ? h("p", g.description) : null),
    manage ? h("section.card.stack", { "data-key": "pictures" }, h("h3", "Icon and banner"),
      picker(app, "icon", { guildId, fallback: h("span", initials(g.name)) }),
      picker(app, "banner", { guildId, shape: "wide" })) : null,
    manage ? systemChannel(app, guildId) : null,
    h("p.muted", `${g.member_count} members · created ${time(g.created_at)}`),
    h("div.card.danger-zone", h("h3", "Danger zone"),
      g.owner_id === me
        ? h("button.danger", { "data-action": "delete-guild" }, "Delete server")
        : h("button.danger", { "data-action": "leave-guild" }, "Leave server")),
  ];
}

/** Where join messages go: one of the server's text or announcement channels, or none. */
function systemChannel(app, guildId) {
  const chosen = app.state.guilds[guildId]?.system_channel_id ?? "";
  const usable = guildChannels(app.state, guildId).filter((c) => !c.parent_channel_id && (c.channel_type === "text" || c.channel_type === "announcement"));
  return h("section.card.stack", { "data-key": "system-channel" }, h("h3", "System messages"),
    h("label", "Channel for join messages",
      h("select", { name: "system_channel_id", "data-change": "system-channel", "aria-describedby": "system-channel-d" },
        h("option", { value: "", selected: chosen === "" }, "No join messages"),
        usable.map((c) => h("option", { value: c.id, selected: c.id === chosen }, `#${c.name}`)))),
    h("small.muted#system-channel-d", "When someone joins, a message saying so appears there."));
}

function channels(app, guildId) {
  const categories = Object.values(app.state.channels).filter((c) => c.guild_id === guildId && c.channel_type === "category");
  const wanted = app.ui.panelArgs.category ?? "";
  return h("form.stack.card", { "data-submit": "create-channel" },
    h("h3", "Create a channel"),
    h("label", "Name", h("input", { name: "name", required: true, maxlength: 100, "aria-describedby": "new-channel-preview" })),
    channelNamePreview(app),
    h("label", "Type", h("select", { name: "channel_type" },
      [["text", "Text"], ["voice", "Voice"], ["announcement", "Announcement"], ["category", "Category"], ["stage", "Stage"], ["forum", "Forum"]]
        .map(([v, l]) => h("option", { value: v }, l)))),
    h("label", "Category", h("select", { name: "category_id" }, h("option", { value: "" }, "None"),
      categories.map((c) => h("option", { value: c.id, selected: c.id === wanted }, c.name)))),
    h("label", "Topic (optional)", h("input", { name: "topic", maxlength: 1024 })),
    h("button.primary", { type: "submit" }, "Create channel"));
}

function emoji(app, guildId) {
  const list = Object.values(app.state.emoji[guildId] ?? {});
  const manage = can(app.state, guildId, Perm.ManageEmoji);
  return [
    list.length ? h("ul.settings-list.emoji-list", list.map((e) => h("li", { "data-key": e.id },
      emojiPicture(app, e.id, e.name), h("code", `:${e.name}:`), e.animated ? h("span.tag", "animated") : null,
      manage ? h("button.icon.small.danger", { "data-action": "delete-emoji", "data-emoji": e.id, "aria-label": `Delete ${e.name}` }, icon("trash")) : null)))
      : h("p.muted", "No custom emoji yet."),
    manage ? h("form.stack.card", { "data-submit": "create-emoji" },
      h("h3", "Add an emoji"),
      picker(app, "emoji", { guildId, shape: "square" }),
      h("label", "Name (letters, digits, _)", h("input", { name: "name", required: true, pattern: "[A-Za-z0-9_]{2,32}", maxlength: 32 })),
      h("button.primary", { type: "submit" }, "Add emoji")) : null,
  ];
}

function invites(app, guildId) {
  const list = app.ui.lists[`invites:${guildId}`];
  const origin = app.doc.location.origin;
  return [
    h("form.row.card", { "data-submit": "create-invite" },
      h("label", "Max uses (0 = unlimited)", h("input", { name: "max_uses", type: "number", min: 0, max: 1000, value: 0 })),
      h("button.primary", { type: "submit" }, "Create invite")),
    list == null ? h("p.muted", "Loading…") : !list.length ? h("p.muted", "No invites yet.")
      : h("ul.settings-list", list.map((inv) => h("li", { "data-key": inv.code },
        h("code.invite-code", inv.code),
        h("input.invite-link", { readonly: true, value: `${origin}/invite/${inv.code}`, "aria-label": "Invite link", "data-sync-value": true }),
        h("small", `${inv.uses}${inv.max_uses ? `/${inv.max_uses}` : ""} uses`),
        h("button.icon.small", { "data-action": "copy-invite", "data-code": inv.code, "aria-label": "Copy link", title: "Copy link" }, "Copy"),
        h("button.icon.small.danger", { "data-action": "revoke-invite", "data-code": inv.code, "aria-label": "Revoke invite", title: "Revoke" }, icon("trash"))))),
  ];
}

function bans(app, guildId) {
  const list = app.ui.lists[`bans:${guildId}`];
  return list == null ? h("p.muted", "Loading…") : !list.length ? h("p.muted", "Nobody is banned.")
    : h("ul.settings-list", list.map((b) => h("li", { "data-key": b.user_id },
      h("span.grow", h("strong", b.user?.username ?? displayName(app.state, b.user_id)), b.reason ? h("small.muted", ` — ${b.reason}`) : null),
      h("button", { "data-action": "unban", "data-user": b.user_id }, "Unban"))));
}

function automod(app, guildId) {
  const rules = app.ui.lists[`automod:${guildId}`];
  const feed = app.state.automod.filter((a) => a.guild_id === guildId).slice(-20).reverse();
  return [
    rules == null ? h("p.muted", "Loading…") : h("ul.settings-list", rules.length ? rules.map((r) => h("li", { "data-key": r.id },
      h("span.grow", h("strong", r.name), h("small.muted", ` ${r.rule_type} → ${(r.actions ?? []).join(", ")}${r.enabled === false ? " (off)" : ""}`)),
      h("button.icon.small.danger", { "data-action": "delete-automod-rule", "data-rule": r.id, "aria-label": `Delete ${r.name}` }, icon("trash"))))
      : h("li.muted", "No rules yet.")),
    h("form.stack.card", { "data-submit": "create-automod-rule" },
      h("h3", "New rule"),
      h("label", "Name", h("input", { name: "name", required: true, maxlength: 100 })),
      h("label", "Type", h("select", { name: "rule_type" }, ["word", "regex", "links", "spam"].map((t) => h("option", { value: t }, t)))),
      h("label", "Words (comma-separated), pattern, or domains to block", h("input", { name: "pattern", maxlength: 500 })),
      h("label", "Action", h("select", { name: "action" }, ["delete", "warn", "log", "timeout"].map((t) => h("option", { value: t }, t)))),
      h("button.primary", { type: "submit" }, "Add rule")),
    h("section.card", h("h3", "Recent actions"), feed.length ? h("ul.feed", feed.map((a, i) => h("li", { "data-key": `${a.message_id}-${i}` },
      `${a.rule_name}: ${a.action} — ${displayName(app.state, a.user_id, guildId)} (${a.reason})`))) : h("p.muted", "Nothing yet.")),
  ];
}

function onboarding(app, guildId) {
  const ob = app.state.onboarding[guildId] ?? app.ui.lists[`onboarding:${guildId}`] ?? null;
  const manage = can(app.state, guildId, Perm.ManageGuild);
  if (!manage) {
    return ob?.enabled ? h("div.card", h("h3", "Welcome"), h("p", ob.welcome_message), h("ol", ob.rules.map((r, i) => h("li", { "data-key": String(i) }, r)))) : h("p.muted", "This server has no onboarding.");
  }
  return h("form.stack.card", { "data-submit": "onboarding" },
    h("label.check", h("input", { type: "checkbox", name: "enabled", checked: !!ob?.enabled }), "Show onboarding to new members"),
    h("label", "Welcome message", h("textarea", { name: "welcome_message", rows: 3, maxlength: 2000 }, ob?.welcome_message ?? "")),
    h("label", "Rules (one per line)", h("textarea", { name: "rules", rows: 4, maxlength: 4000 }, (ob?.rules ?? []).join("\n"))),
    ob?.updated_at ? h("small.muted", `Last saved ${time(ob.updated_at)}`) : null,
    h("button.primary", { type: "submit" }, "Save onboarding"));
}

// Incoming webhooks need Manage Webhooks; event webhooks, Manage Server.
function webhooksTab(app, guildId) {
  return [
    can(app.state, guildId, Perm.ManageWebhooks) ? webhooks.view(app, guildId) : null,
    can(app.state, guildId, Perm.ManageGuild) ? eventWebhooks.view(app, guildId) : null,
  ];
}

const SECTIONS = {
  overview, channels, roles: roles.view, permissions: overwrites.view, webhooks: webhooksTab, integrations: integrations.view,
  emoji, invites, bans,
  automod, onboarding, reports: reports.view, audit: auditLog.view,
};

function loadTab(app, tab) {
  const g = app.ui.guildId;
  if (!g) return;
  if (tab === "invites") app.loadList(`invites:${g}`, "invites", `/guilds/${g}/invites`);
  if (tab === "bans") app.loadList(`bans:${g}`, "bans", `/guilds/${g}/bans`);
  if (tab === "automod") app.loadList(`automod:${g}`, "automod", `/guilds/${g}/automod/rules`);
  if (tab === "onboarding") app.loadList(`onboarding:${g}`, "onboarding", `/guilds/${g}/onboarding`);
  if (tab === "webhooks") {
    if (can(app.state, g, Perm.ManageWebhooks)) webhooks.load(app);
    if (can(app.state, g, Perm.ManageGuild)) eventWebhooks.load(app);
  }
  if (tab === "integrations") integrations.load(app);
  if (tab === "reports") reports.load(app);
  if (tab === "audit") auditLog.load(app);
}

export function onOpen(app, panel) {
  if (panel !== "settings") return;
  app.reloadSettings = () => loadTab(app, app.ui.settingsTab);
  loadTab(app, app.ui.settingsTab);
}

export const actions = {
  async "system-channel"(app, data, el) {
    const guildId = app.ui.guildId;
    const before = app.state.guilds[guildId]?.system_channel_id ?? "";
    const ok = await app.call(null, () => app.api.patch(`/guilds/${guildId}`, { system_channel_id: el.value || null }), "Changing the system channel failed");
    if (ok === undefined) el.value = before;
    app.render();
  },
  "settings-tab"(app, data) {
    app.ui.settingsTab = data.tab;
    loadTab(app, data.tab);
    app.draw(); // now: typing that follows the click goes into this tab's fields, not the last tab's
  },
  async "delete-guild"(app) {
    const g = app.state.guilds[app.ui.guildId];
    if (!g) return;
    const typed = await ask(app, {
      title: `Delete ${g.name}?`, danger: true, confirm: "Delete server",
      body: "Every channel and message goes with it, for everyone. This cannot be undone.",
      input: { label: `Type the server name to confirm: ${g.name}` }, match: g.name, cancelled: "The server was not deleted.",
    });
    if (typed == null) return;
    await app.call(null, () => app.api.delete(`/guilds/${g.id}`), "Deleting the server failed");
  },
  async "leave-guild"(app) {
    const g = app.state.guilds[app.ui.guildId];
    if (!g || !(await confirmAction(app, { title: `Leave ${g.name}?`, confirm: "Leave", danger: true, cancelled: "You are still in the server." }))) return;
    app.leaving = new Set([...(app.leaving ?? []), g.id]);
    await app.call(null, () => app.api.post(`/guilds/${g.id}/leave`, {}), "Leaving failed");
  },
  "delete-emoji"(app, data) {
    return app.call(null, () => app.api.delete(`/guilds/${app.ui.guildId}/emoji/${data.emoji}`), "Deleting the emoji failed");
  },
  async "revoke-invite"(app, data) {
    await app.call(null, () => app.api.delete(`/invites/${data.code}`), "Revoking failed");
    loadTab(app, "invites");
  },
  async "copy-invite"(app, data) {
    const link = `${app.doc.location.origin}/invite/${data.code}`;
    try {
      await navigator.clipboard.writeText(link);
      app.toast("Invite link copied.", "info");
    } catch {
      app.toast(`Invite link: ${link}`, "info");
    }
  },
  async unban(app, data) {
    await app.call(null, () => app.api.delete(`/guilds/${app.ui.guildId}/bans/${data.user}`), "Unbanning failed");
    loadTab(app, "bans");
  },
  async "delete-automod-rule"(app, data) {
    await app.call("automod", () => app.api.delete(`/guilds/${app.ui.guildId}/automod/rules/${data.rule}`), "Deleting the rule failed");
    loadTab(app, "automod");
  },
};

export const forms = {
  "guild-overview"(app, f) {
    return app.call(null, () => app.api.patch(`/guilds/${app.ui.guildId}`, { name: f.name.trim(), description: f.description.trim() || null }), "Saving failed")
      .then((ok) => ok !== undefined && app.toast("Saved.", "info"));
  },
  async "create-channel"(app, f, form) {
    const body = { name: f.name.trim(), channel_type: f.channel_type };
    if (f.category_id && f.channel_type !== "category") body.category_id = f.category_id;
    if (f.topic?.trim()) body.topic = f.topic.trim();
    const channel = await app.call(null, () => app.api.post(`/guilds/${app.ui.guildId}/channels`, body), "Creating the channel failed");
    if (!channel) return;
    form.reset();
    app.ui.newChannel = null;
    app.ui.panel = null;
    if (!["voice", "stage", "category"].includes(channel.channel_type)) setTimeout(() => app.select(app.ui.guildId, channel.id), 50);
    app.render();
  },
  async "create-role"(app, f, form) {
    const ok = await app.call(null, () => app.api.post(`/guilds/${app.ui.guildId}/roles`, { name: f.name.trim() }), "Creating the role failed");
    if (ok) form.reset();
  },
  "edit-role"(app, f, form) {
    return app.call(null, () => app.api.patch(`/guilds/${app.ui.guildId}/roles/${form.dataset.role}`, { name: f.name.trim(), color: f.color }), "Saving the role failed");
  },
  async "create-emoji"(app, f, form) {
    const g = app.ui.guildId;
    if (!picked(app, "emoji", g)) return app.toast("Choose an image for the emoji first.", "info");
    const imageId = await upload(app, "emoji", g);
    if (!imageId) return undefined;
    const ok = await app.call(null, () => app.api.post(`/guilds/${g}/emoji`, { name: f.name.trim(), image_id: imageId }), "Adding the emoji failed");
    if (!ok) return undefined;
    form.reset();
    forget(app, "emoji", g);
    return app.toast(`:${ok.name}: added.`, "info");
  },
  async "create-invite"(app, f) {
    const ok = await app.call(null, () => app.api.post(`/guilds/${app.ui.guildId}/invites`, { max_uses: Number(f.max_uses) || 0 }), "Creating the invite failed");
    if (ok) loadTab(app, "invites");
  },
  async "create-automod-rule"(app, f, form) {
    const list = f.pattern.split(",").map((w) => w.trim()).filter(Boolean);
    const config = {
      word: { words: list },
      regex: { pattern: f.pattern.trim() },
      links: { allow_domains: [], deny_domains: list },
      spam: { max_messages: 5, per_seconds: 5 },
    }[f.rule_type];
    const body = { name: f.name.trim(), rule_type: f.rule_type, config, actions: [f.action] };
    if (f.action === "timeout") body.timeout_seconds = 300;
    const ok = await app.call("automod", () => app.api.post(`/guilds/${app.ui.guildId}/automod/rules`, body), "Adding the rule failed");
    if (ok) {
      form.reset();
      loadTab(app, "automod");
    }
  },
  async onboarding(app, f) {
    const g = app.ui.guildId;
    const old = app.state.onboarding[g] ?? app.ui.lists[`onboarding:${g}`] ?? {};
    const body = {
      enabled: f.enabled === "on",
      welcome_message: f.welcome_message.trim(),
      rules: f.rules.split("\n").map((r) => r.trim()).filter(Boolean),
      default_channel_ids: old.default_channel_ids ?? [],
      prompts: old.prompts ?? [],
    };
    const ok = await app.call("onboarding", () => app.api.put(`/guilds/${g}/onboarding`, body), "Saving onboarding failed");
    if (ok !== undefined) app.toast("Onboarding saved.", "info");
  },
};
