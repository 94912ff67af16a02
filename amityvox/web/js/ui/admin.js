// @ts-check
// Instance administration: a side panel for the instance's administrators, opened from the
// shield in the user panel (shown only when GET /instance/me says so). Sections: Overview
// (GET /admin/stats), Users and Guilds (search, one account or guild, and what may be done to
// it), Reports (the queue addressed to the administrators), Settings (the instance settings)
// and the Audit log (paged, newest first). Nothing here is announced by events: each section
// loads over REST when shown and again after every change it makes. Lists give people by id;
// their names come from GET /admin/users?ids=. A 403 means the rights are gone: the panel
// closes and the shield goes away.

import { h, plural, time } from "./dom.js";
import { ask, confirmAction } from "./modal.js";
import { ApiError, enc } from "../api.js";

const PAGE = 50; // rows per page of the users, guilds and audit log lists

/** @type {[string, string][]} */
const TABS = [["overview", "Overview"], ["users", "Users"], ["guilds", "Guilds"], ["reports", "Reports"], ["settings", "Settings"], ["audit", "Audit log"]];
const REPORT_STATUSES = [["open", "Open"], ["resolved", "Resolved"], ["dismissed", "Dismissed"], ["", "All"]];
const MODES = [["open", "Open: anyone may sign up"], ["invite_only", "Invite only: sign-up needs a server invite"], ["closed", "Closed: nobody may sign up"]];
const ACTIONS = {
  USER_SUSPEND: "suspended", USER_UNSUSPEND: "lifted the suspension of", USER_DELETE: "deleted the account of",
  USER_TWO_FACTOR_RESET: "reset two-factor of", USER_ADMIN_GRANT: "made an administrator:", USER_ADMIN_REVOKE: "took administrator rights from",
  GUILD_DELETE: "deleted the server", GUILD_OWNER_TRANSFER: "transferred the server", REPORT_UPDATE: "updated a report about",
  SETTINGS_UPDATE: "changed the instance settings",
};

/**
 * What the panel holds between draws (app.ui.admin).
 * @typedef {Object} AdminState
 * @property {string} tab
 * @property {any} stats
 * @property {{list: any[], more: boolean, q: string} | null} users
 * @property {any} user the account shown, from GET /admin/users/{id}
 * @property {{list: any[], more: boolean, q: string} | null} guilds
 * @property {any} guild
 * @property {string} reportStatus
 * @property {any[] | null} reports
 * @property {any} settings
 * @property {{list: any[], more: boolean} | null} audit
 * @property {Record<string, any>} names accounts by id, for lists that give ids
 */

/** @returns {AdminState} */
function state(app) {
  app.ui.admin ??= {
    tab: "overview", stats: null, users: null, user: null, guilds: null, guild: null,
    reportStatus: "open", reports: null, settings: null, audit: null, names: {},
  };
  return app.ui.admin;
}

/** Whether the signed-in user administers the instance (asked at every READY). */
export function isAdmin(app) {
  return app.ui.instanceAdmin === true;
}

/** Ask the server whether the user administers the instance; the shield follows. */
export async function checkRole(app) {
  try {
    const me = await app.api.get("/instance/me");
    app.ui.instanceAdmin = !!me?.is_admin;
  } catch (err) {
    if (!app.missingRoute(err, "admin")) app.ui.instanceAdmin = false;
  }
  if (!isAdmin(app) && app.ui.panel === "admin") app.ui.panel = null;
  app.render();
}

/**
 * One administration request. Errors become toasts saying what failed and why; a 403 means the
 * user is no longer an administrator, so the panel closes. Resolves undefined on failure.
 * @template T
 * @param {any} app
 * @param {() => Promise<T>} fn
 * @param {string} failure
 * @returns {Promise<T | undefined>}
 */
async function call(app, fn, failure) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 403 && err.code === "missing_permission") {
      app.ui.instanceAdmin = false;
      if (app.ui.panel === "admin") app.ui.panel = null;
      app.toast("You are not an administrator of this instance (any more).", "error");
    } else {
      app.fail(err, failure);
    }
    return undefined;
  }
}

/** Names for these ids (accounts not seen yet), fetched in one request. */
async function learnNames(app, ids) {
  const s = state(app);
  const unknown = [...new Set(ids.filter((id) => id && !s.names[id]))];
  for (let i = 0; i < unknown.length; i += 100) {
    const part = unknown.slice(i, i + 100);
    const found = await call(app, () => app.api.get("/admin/users", { ids: part.join(","), limit: 100 }), "Looking up names failed");
    for (const u of found ?? []) s.names[u.id] = u;
  }
}

function nameOf(app, id) {
  if (id == null) return "the server console";
  const u = state(app).names[id] ?? app.state.users[id];
  return u ? u.username : id;
}

function remember(app, users) {
  for (const u of users) state(app).names[u.id] = u;
}

// ---- loading ------------------------------------------------------------------------------------

async function loadStats(app) {
  const stats = await call(app, () => app.api.get("/admin/stats"), "Loading statistics failed");
  if (stats) state(app).stats = stats;
  app.render();
}

async function loadUsers(app, { more = false, q = state(app).users?.q ?? "" } = {}) {
  const s = state(app);
  const after = more ? s.users?.list.at(-1)?.id : null;
  const page = await call(app, () => app.api.get("/admin/users", { q: q || null, after, limit: PAGE }), "Loading users failed");
  if (page) {
    remember(app, page);
    s.users = { q, list: more ? [...(s.users?.list ?? []), ...page] : page, more: page.length === PAGE };
  }
  app.render();
}

async function loadUser(app, id) {
  const u = await call(app, () => app.api.get(`/admin/users/${enc(id)}`), "Loading the account failed");
  if (u) {
    remember(app, [u]);
    state(app).user = u;
    const list = state(app).users?.list;
    const i = list?.findIndex((x) => x.id === u.id) ?? -1;
    if (list && i >= 0) list[i] = u;
  }
  app.render();
}

async function loadGuilds(app, { more = false, q = state(app).guilds?.q ?? "" } = {}) {
  const s = state(app);
  const after = more ? s.guilds?.list.at(-1)?.id : null;
  const page = await call(app, () => app.api.get("/admin/guilds", { q: q || null, after, limit: PAGE }), "Loading servers failed");
  if (page) {
    s.guilds = { q, list: more ? [...(s.guilds?.list ?? []), ...page] : page, more: page.length === PAGE };
    await learnNames(app, page.map((g) => g.owner_id));
  }
  app.render();
}

async function loadGuild(app, id) {
  const g = await call(app, () => app.api.get(`/admin/guilds/${enc(id)}`), "Loading the server failed");
  if (g) {
    remember(app, [g.owner]);
    state(app).guild = g;
  }
  app.render();
}

async function loadReports(app) {
  const s = state(app);
  const status = s.reportStatus;
  const list = await call(app, () => app.api.get("/admin/reports", { status: status || null, limit: 100 }), "Loading reports failed");
  if (list && status === s.reportStatus) {
    await learnNames(app, list.flatMap((r) => [r.reporter_id, r.user_id, r.handled_by]));
    s.reports = list;
  }
  app.render();
}

async function loadSettings(app) {
  const settings = await call(app, () => app.api.get("/admin/settings"), "Loading the settings failed");
  if (settings) state(app).settings = settings;
  app.render();
}

async function loadAudit(app, { more = false } = {}) {
  const s = state(app);
  const before = more ? s.audit?.list.at(-1)?.id : null;
  const page = await call(app, () => app.api.get("/admin/audit-log", { before, limit: PAGE }), "Loading the audit log failed");
  if (page) {
    await learnNames(app, page.flatMap((e) => [e.actor_id, e.target_type === "user" ? e.target_id : null]));
    s.audit = { list: more ? [...(s.audit?.list ?? []), ...page] : page, more: page.length === PAGE };
  }
  app.render();
}

const LOADERS = {
  overview: loadStats, users: loadUsers, guilds: loadGuilds, reports: loadReports, settings: loadSettings, audit: loadAudit,
};

function show(app, tab) {
  const s = state(app);
  s.tab = tab;
  app.render();
  LOADERS[tab]?.(app);
}

export function onOpen(app, panel) {
  if (panel === "admin") show(app, state(app).tab);
}

// ---- views --------------------------------------------------------------------------------------

function loading() {
  return h("p.muted", "Loading…");
}

function tags(u) {
  return [
    u.is_admin ? h("span.tag", "admin") : null,
    u.suspended ? h("span.tag.danger", "suspended") : null,
    u.bot_owner_id ? h("span.tag", "bot") : null,
    u.deleted_at ? h("span.tag", "deleted") : null,
  ];
}

/** Label and value pairs as a definition list. */
function facts(pairs) {
  return h("dl.admin-facts", pairs.filter(([, v]) => v != null && v !== "").map(([k, v]) => [h("dt", k), h("dd", v)]));
}

function overview(app) {
  const st = state(app).stats;
  if (!st) return loading();
  const days = st.messages_per_day ?? [];
  const top = Math.max(1, ...days.map((d) => d.messages));
  const today = days.at(-1)?.messages ?? 0;
  const tile = (label, value) => h("div.stat", { "data-key": label }, h("strong", String(value)), h("span", label));
  return [
    h("div.stats-grid", { role: "list", "aria-label": "Instance statistics" },
      [["Users", st.users], ["Bots", st.bots], ["Suspended", st.suspended_users], ["Servers", st.guilds],
        ["Messages today", today], ["Connected sessions", st.gateway_sessions]].map(([l, v]) => h("div", { role: "listitem", "data-key": l }, tile(l, v)))),
    h("section.card", { "data-key": "per-day" }, h("h3", "Messages per day (last 30 days, UTC)"),
      h("div.per-day", { role: "img", "aria-label": days.map((d) => `${d.date}: ${d.messages}`).join(", ") },
        days.map((d) => h("span.bar", { "data-key": d.date, title: `${d.date}: ${d.messages}`, style: { "--h": `${Math.round((d.messages / top) * 100)}%` } })))),
    h("p.muted", `This process: ${plural(st.events_routed, "event")} routed, ${plural(st.events_delivered, "delivery", "deliveries")}, `
      + `${st.events_routed_per_second} events per second over ${Math.round(st.uptime_seconds)} s.`),
    h("button.ghost", { "data-action": "admin-refresh" }, "Refresh"),
  ];
}

function search(kind, q, label, placeholder) {
  return h("form.row.card", { "data-submit": `admin-search-${kind}`, "data-key": `search-${kind}`, role: "search" },
    h("label.grow", label, h("input", { name: "q", type: "search", maxlength: 100, value: q, placeholder, autocomplete: "off" })),
    h("button.primary", { type: "submit" }, "Search"));
}

function usersView(app) {
  const s = state(app);
  if (s.user) return userView(app, s.user);
  const page = s.users;
  return [
    search("users", page?.q ?? "", "Find users", "name, e-mail or id"),
    page == null ? loading() : !page.list.length ? h("p.muted", page.q ? "No users match." : "No users yet.")
      : h("ul.settings-list.admin-list", { "aria-label": "Users" }, page.list.map((u) => h("li", { "data-key": u.id },
        h("div.grow", h("strong", u.username), tags(u), h("div.muted", u.email ?? `since ${time(u.created_at)}`)),
        h("button.small", { "data-action": "admin-user", "data-user": u.id, "aria-label": `View ${u.username}` }, "View")))),
    page?.more ? h("button", { "data-action": "admin-more", "data-kind": "users" }, "Load more") : null,
  ];
}

function userView(app, u) {
  const me = app.state.self_user?.id;
  const live = !u.deleted_at;
  return h("section.stack", { "data-key": `user-${u.id}`, "aria-label": `Account ${u.username}` },
    h("button.link", { "data-action": "admin-back", "data-kind": "user" }, "← All users"),
    h("h3", u.username, tags(u)),
    facts([
      ["ID", h("code", u.id)], ["Display name", u.display_name], ["E-mail", u.email], ["Created", time(u.created_at)],
      ["Suspended since", u.suspended_at ? time(u.suspended_at) : null], ["Deleted", u.deleted_at ? time(u.deleted_at) : null],
      ["Sessions", String(u.sessions)], ["Two-factor", u.two_factor ? "on" : "off"],
      ["Servers", u.guilds.length ? h("ul.plain", u.guilds.map((g) => h("li", { "data-key": g.id }, g.name, g.owner ? " (owner)" : ""))) : "none"],
    ]),
    live ? h("div.row.wrap", { "data-key": "user-actions" },
      u.id === me ? h("p.muted", "This is you: another administrator can suspend or delete this account.") : null,
      u.id !== me ? (u.suspended
        ? h("button", { "data-action": "admin-unsuspend", "data-user": u.id }, "Lift suspension")
        : h("button.danger", { "data-action": "admin-suspend", "data-user": u.id }, "Suspend")) : null,
      u.is_admin
        ? h("button", { "data-action": "admin-role", "data-user": u.id, "data-grant": "0" }, "Remove administrator")
        : h("button", { "data-action": "admin-role", "data-user": u.id, "data-grant": "1" }, "Make administrator"),
      u.two_factor ? h("button", { "data-action": "admin-reset-2fa", "data-user": u.id }, "Reset two-factor") : null,
      u.id !== me ? h("button.danger", { "data-action": "admin-delete-user", "data-user": u.id }, "Delete account") : null) : null);
}

function guildsView(app) {
  const s = state(app);
  if (s.guild) return guildView(app, s.guild);
  const page = s.guilds;
  return [
    search("guilds", page?.q ?? "", "Find servers", "name or id"),
    page == null ? loading() : !page.list.length ? h("p.muted", page.q ? "No servers match." : "No servers yet.")
      : h("ul.settings-list.admin-list", { "aria-label": "Servers" }, page.list.map((g) => h("li", { "data-key": g.id },
        h("div.grow", h("strong", g.name), h("div.muted", `${plural(g.member_count, "member")} · owner ${nameOf(app, g.owner_id)}`)),
        h("button.small", { "data-action": "admin-guild", "data-guild": g.id, "aria-label": `View ${g.name}` }, "View")))),
    page?.more ? h("button", { "data-action": "admin-more", "data-kind": "guilds" }, "Load more") : null,
  ];
}

function guildView(app, g) {
  return h("section.stack", { "data-key": `guild-${g.id}`, "aria-label": `Server ${g.name}` },
    h("button.link", { "data-action": "admin-back", "data-kind": "guild" }, "← All servers"),
    h("h3", g.name),
    facts([
      ["ID", h("code", g.id)], ["Description", g.description], ["Owner", g.owner.username], ["Members", String(g.member_count)],
      ["Channels", String(g.channel_count)], ["Created", time(g.created_at)],
    ]),
    h("div.row.wrap", { "data-key": "guild-actions" },
      h("button", { "data-action": "admin-transfer", "data-guild": g.id }, "Transfer ownership"),
      h("button.danger", { "data-action": "admin-delete-guild", "data-guild": g.id }, "Delete server")));
}

function reportsView(app) {
  const s = state(app);
  const list = s.reports;
  return [
    h("label.card", { "data-key": "report-status" }, "Show", h("select", { "data-change": "admin-report-status", "aria-label": "Report status" },
      REPORT_STATUSES.map(([v, l]) => h("option", { value: v, selected: v === s.reportStatus }, l)))),
    list == null ? loading() : !list.length ? h("p.muted", s.reportStatus === "open" ? "No open reports." : "No reports.")
      : h("ul.settings-list.reports", { "aria-label": "Instance reports" }, list.map((r) => h("li.report", { "data-key": r.id, "data-status": r.status },
        h("div.row.wrap",
          h("strong", nameOf(app, r.reporter_id)), h("span", r.message_id ? " reported a message by " : " reported "),
          h("strong", nameOf(app, r.user_id)), h("small.muted.grow", time(r.created_at)), h("span.tag", r.status)),
        h("p.report-reason", r.reason),
        r.message_id ? h("small.muted", `Message ${r.message_id}${r.guild_id ? ` in server ${r.guild_id}` : " in a direct message"}`) : null,
        r.status !== "open" ? h("small.muted", `${r.status} by ${nameOf(app, r.handled_by)}${r.resolution ? `: ${r.resolution}` : ""}`) : null,
        h("div.row.wrap",
          h("button.ghost", { "data-action": "admin-user", "data-user": r.user_id }, `View ${nameOf(app, r.user_id)}`),
          r.status === "open"
            ? [h("button", { "data-action": "admin-report", "data-report": r.id, "data-status": "resolved" }, "Resolve"),
              h("button.ghost", { "data-action": "admin-report", "data-report": r.id, "data-status": "dismissed" }, "Dismiss")]
            : h("button.ghost", { "data-action": "admin-report", "data-report": r.id, "data-status": "open" }, "Reopen"))))),
  ];
}

function settingsView(app) {
  const st = state(app).settings;
  if (!st) return loading();
  const number = (name, label, min, hint) => [
    h("label", label, h("input", { name, type: "number", min, step: 1, required: true, value: st[name], "aria-describedby": `${name}-hint` })),
    h("p.hint", { id: `${name}-hint` }, hint),
  ];
  return h("form.stack.card", { "data-submit": "admin-settings", "data-key": "instance-settings" },
    h("label", "Instance name", h("input", { name: "name", required: true, maxlength: 100, value: st.name })),
    h("label", "Description", h("textarea", { name: "description", rows: 3, maxlength: 1000 }, st.description)),
    h("label", "Registration", h("select", { name: "registration_mode" },
      MODES.map(([v, l]) => h("option", { value: v, selected: v === st.registration_mode }, l)))),
    number("max_guilds_per_user", "Servers per user", 0, "0: no limit."),
    number("max_message_length", "Message length (characters)", 1, "At most 4000."),
    number("rate_limit_per_second", "Requests per second per user", 0, "REST requests; 0: no limit."),
    h("button.primary", { type: "submit" }, "Save settings"));
}

/** `key: old → new` for one change of an audit entry. */
function change(c) {
  const text = (v) => (v == null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return h("li", { "data-key": c.key }, h("code", c.key), c.old == null ? `: ${text(c.new)}` : `: ${text(c.old)} → ${text(c.new)}`);
}

function auditView(app) {
  const page = state(app).audit;
  if (page == null) return loading();
  const target = (e) => (e.target_type === "user" ? nameOf(app, e.target_id) : e.target_type === "settings" || !e.target_id ? "" : e.target_id);
  return [
    !page.list.length ? h("p.muted", "Nothing in the audit log yet.")
      : h("ul.settings-list.audit-log", { "aria-label": "Instance audit log" }, page.list.map((e) => h("li.audit-entry", { "data-key": e.id, "data-action-type": e.action },
        h("div.row.wrap",
          h("strong", nameOf(app, e.actor_id)), h("span", ` ${ACTIONS[e.action] ?? e.action} `), h("strong", target(e)),
          h("small.muted.grow", { title: e.created_at }, time(e.created_at))),
        e.changes.length ? h("ul.audit-changes", e.changes.map(change)) : null,
        e.reason ? h("p.audit-reason", h("em", "Reason: "), e.reason) : null))),
    page.more ? h("button", { "data-action": "admin-more", "data-kind": "audit" }, "Load older entries") : null,
  ];
}

const SECTIONS = { overview, users: usersView, guilds: guildsView, reports: reportsView, settings: settingsView, audit: auditView };

export function view(app) {
  if (!isAdmin(app)) return h("p.muted", "Only the instance's administrators can see this.");
  const tab = state(app).tab;
  return [
    h("div.tabs.wrap", { role: "tablist", "aria-label": "Administration sections" }, TABS.map(([id, label]) => h("button.tab", {
      "data-key": id, role: "tab", "aria-selected": String(tab === id), "data-action": "admin-tab", "data-tab": id,
    }, label))),
    h("div.tab-body", { role: "tabpanel", "data-key": `admin-${tab}`, "aria-label": TABS.find(([id]) => id === tab)?.[1] }, SECTIONS[tab](app)),
  ];
}

// ---- what the controls do -----------------------------------------------------------------------

function account(app, id) {
  const s = state(app);
  return s.user?.id === id ? s.user : s.names[id] ?? { id, username: id };
}

/** After a change to an account: the account again, and the list it came from. */
async function reloadUser(app, id) {
  await loadUser(app, id);
  if (state(app).users) loadUsers(app);
}

export const forms = {
  "admin-search-users"(app, f) {
    const s = state(app);
    s.user = null;
    s.users = null; // "Loading…" until the answer
    app.render();
    loadUsers(app, { q: f.q.trim() });
  },
  "admin-search-guilds"(app, f) {
    const s = state(app);
    s.guild = null;
    s.guilds = null;
    app.render();
    loadGuilds(app, { q: f.q.trim() });
  },
  async "admin-settings"(app, f) {
    const s = state(app);
    const before = s.settings ?? {};
    const changes = {};
    for (const key of ["name", "description", "registration_mode"]) if (f[key] !== before[key]) changes[key] = f[key];
    for (const key of ["max_guilds_per_user", "max_message_length", "rate_limit_per_second"]) {
      const n = Number(f[key]);
      if (n !== before[key]) changes[key] = n;
    }
    if (!Object.keys(changes).length) {
      app.toast("Nothing changed.", "info");
      return;
    }
    const saved = await call(app, () => app.api.patch("/admin/settings", changes), "Saving the settings failed");
    if (!saved) return;
    s.settings = saved;
    app.toast("Instance settings saved.", "info");
    app.render();
  },
};

export const actions = {
  "admin-tab"(app, data) {
    const s = state(app);
    if (data.tab === "users") s.user = null;
    if (data.tab === "guilds") s.guild = null;
    show(app, data.tab);
  },
  "admin-refresh"(app) {
    show(app, state(app).tab);
  },
  "admin-more"(app, data) {
    if (data.kind === "users") loadUsers(app, { more: true });
    else if (data.kind === "guilds") loadGuilds(app, { more: true });
    else loadAudit(app, { more: true });
  },
  "admin-back"(app, data) {
    const s = state(app);
    if (data.kind === "user") s.user = null;
    else s.guild = null;
    show(app, s.tab);
  },
  "admin-user"(app, data) {
    const s = state(app);
    s.tab = "users";
    s.user = null;
    app.render();
    loadUser(app, data.user);
  },
  "admin-guild"(app, data) {
    state(app).guild = null;
    loadGuild(app, data.guild);
  },
  async "admin-suspend"(app, data) {
    const u = account(app, data.user);
    const reason = await ask(app, {
      title: `Suspend ${u.username}?`, confirm: "Suspend", danger: true,
      body: "They are signed out everywhere at once and cannot sign in again until the suspension is lifted.",
      input: { label: "Reason (kept in the audit log)", maxlength: 512 }, cancelled: "Nobody was suspended.",
    });
    if (reason == null) return;
    const done = await call(app, () => app.api.request("POST", `/admin/users/${enc(u.id)}/suspend`, { body: {}, reason }), "Suspending failed");
    if (done === undefined) return;
    app.toast(`${u.username} is suspended.`, "info");
    await reloadUser(app, u.id);
  },
  async "admin-unsuspend"(app, data) {
    const u = account(app, data.user);
    const done = await call(app, () => app.api.post(`/admin/users/${enc(u.id)}/unsuspend`), "Lifting the suspension failed");
    if (done === undefined) return;
    app.toast(`${u.username} may sign in again.`, "info");
    await reloadUser(app, u.id);
  },
  async "admin-role"(app, data) {
    const u = account(app, data.user);
    const grant = data.grant === "1";
    const yes = await confirmAction(app, grant
      ? { title: `Make ${u.username} an administrator?`, body: "They can then do everything this panel does, including taking your rights.", confirm: "Make administrator" }
      : { title: `Take administrator rights from ${u.username}?`, confirm: "Remove administrator", danger: true });
    if (!yes) return;
    const path = `/admin/users/${enc(u.id)}/admin`;
    const done = await call(app, () => (grant ? app.api.put(path) : app.api.delete(path)), "Changing administrator rights failed");
    if (done === undefined) return;
    app.toast(grant ? `${u.username} is an administrator.` : `${u.username} is no longer an administrator.`, "info");
    if (u.id === app.state.self_user?.id && !grant) return checkRole(app);
    await reloadUser(app, u.id);
  },
  async "admin-reset-2fa"(app, data) {
    const u = account(app, data.user);
    const yes = await confirmAction(app, {
      title: `Turn off two-factor for ${u.username}?`, body: "Their password alone will sign them in; their backup codes stop working.", confirm: "Reset two-factor", danger: true,
    });
    if (!yes) return;
    const done = await call(app, () => app.api.post(`/admin/users/${enc(u.id)}/reset-2fa`), "Resetting two-factor failed");
    if (done === undefined) return;
    app.toast(`Two-factor is off for ${u.username}.`, "info");
    await reloadUser(app, u.id);
  },
  async "admin-delete-user"(app, data) {
    const u = account(app, data.user);
    const typed = await ask(app, {
      title: `Delete the account ${u.username}?`, confirm: "Delete account", danger: true, match: u.username,
      body: "The account is anonymised, removed from every server and signed out. This cannot be undone.",
      input: { label: `Type ${u.username} to confirm` }, cancelled: "The account was not deleted.",
    });
    if (typed == null) return;
    const done = await call(app, () => app.api.delete(`/admin/users/${enc(u.id)}`), "Deleting the account failed");
    if (done === undefined) return;
    app.toast(`The account ${u.username} is deleted.`, "info");
    await reloadUser(app, u.id);
  },
  async "admin-transfer"(app, data) {
    const g = state(app).guild;
    const owner = await ask(app, {
      title: `Transfer ${g?.name ?? "the server"}`, confirm: "Transfer",
      body: "The new owner must already be a member of the server.",
      input: { label: "New owner (username or id)", maxlength: 32, required: true }, cancelled: "Ownership stays as it was.",
    });
    if (!owner) return;
    const done = await call(app, () => app.api.post(`/admin/guilds/${enc(data.guild)}/transfer`, { owner_id: owner }), "Transferring the server failed");
    if (done === undefined) return;
    app.toast(`${g?.name ?? "The server"} now belongs to ${owner}.`, "info");
    await loadGuild(app, data.guild);
  },
  async "admin-delete-guild"(app, data) {
    const g = state(app).guild;
    const name = g?.name ?? data.guild;
    const typed = await ask(app, {
      title: `Delete the server ${name}?`, confirm: "Delete server", danger: true, match: name,
      body: "Its channels and messages are deleted and its members lose it at once. This cannot be undone.",
      input: { label: `Type ${name} to confirm` }, cancelled: "The server was not deleted.",
    });
    if (typed == null) return;
    const done = await call(app, () => app.api.delete(`/admin/guilds/${enc(data.guild)}`), "Deleting the server failed");
    if (done === undefined) return;
    app.toast(`The server ${name} is deleted.`, "info");
    const s = state(app);
    s.guild = null;
    s.guilds = null;
    loadGuilds(app);
  },
  "admin-report-status"(app, _data, el) {
    const s = state(app);
    s.reportStatus = /** @type {HTMLSelectElement} */ (el).value;
    s.reports = null;
    app.render();
    loadReports(app);
  },
  async "admin-report"(app, data) {
    const closing = data.status !== "open";
    const note = closing
      ? await ask(app, {
        title: data.status === "resolved" ? "Resolve the report" : "Dismiss the report", confirm: data.status === "resolved" ? "Resolve" : "Dismiss",
        input: { label: "Note for the other administrators (optional)", maxlength: 1024 }, cancelled: "The report is still open.",
      })
      : "";
    if (note == null) return;
    const body = note ? { status: data.status, resolution: note } : { status: data.status };
    const done = await call(app, () => app.api.patch(`/admin/reports/${enc(data.report)}`, body), "Updating the report failed");
    if (done === undefined) return;
    app.toast(data.status === "open" ? "The report is open again." : `Report ${data.status}.`, "info");
    await loadReports(app);
  },
};
