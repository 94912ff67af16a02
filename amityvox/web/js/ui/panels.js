// @ts-check
// The side panel (one at a time; Esc closes it): pins, notifications, scheduled events,
// friends, profiles, creating and joining servers, new groups. Server settings and channel
// apps have their own modules.

import { icon } from "./icons.js";
import { h, time } from "./dom.js";
import { userAvatar } from "./avatar.js";
import { picker } from "./image-upload.js";
import { ApiError, enc, inviteCode } from "../api.js";
import { displayName, ingestNotifications } from "../state.js";
import { Perm, can, isModerator } from "../perms.js";
import * as settings from "./settings.js";
import * as features from "./features.js";
import * as saved from "./saved.js";
import * as search from "./search.js";
import * as security from "./security.js";
import * as bots from "./bots.js";
import * as admin from "./admin.js";
import * as guildNotifications from "./guild-notifications.js";
import { picker as themePicker } from "./theme.js";
import { jumpTo } from "./jump.js";
import { STATUSES, channelLabel } from "./sidebar.js";
import { messageText } from "./markdown.js";
import { ask, confirmAction } from "./modal.js";
import { memberRoles } from "./roles.js";

function frame(app, title, body, extra = null) {
  return h("section.panel-frame", { "aria-labelledby": "panel-title", "data-key": `${app.ui.panel}:${app.ui.panelArgs.user ?? ""}:${app.ui.guildId ?? ""}:${app.ui.channelId ?? ""}` },
    h("header.panel-head", h("h2#panel-title", title), extra,
      h("button.icon", { "data-action": "close-panel", "aria-label": "Close panel", title: "Close (Esc)" }, icon("close"))),
    h("div.panel-body", body));
}

// ---- pins ---------------------------------------------------------------------------------------

function pinsView(app) {
  const channelId = app.ui.channelId;
  const pins = app.ui.pins[channelId];
  const guildId = app.state.channels[channelId]?.guild_id ?? null;
  const body = pins == null ? h("p.muted", "Loading…")
    : !pins.length ? h("p.muted", "Nothing is pinned in this channel yet.")
      : h("ul.pin-list", pins.map((m) => h("li.pin", { "data-key": m.id },
        h("header", h("strong", displayName(app.state, m.author_id, guildId)), " ", h("time", time(m.created_at))),
        h("div.content.md", messageText(app, m, guildId)),
        h("button.link", { "data-action": "jump", "data-message": m.id }, "Jump"))));
  return frame(app, "Pinned messages", body);
}

async function loadPins(app, channelId) {
  try {
    app.ui.pins[channelId] = await app.api.get(`/channels/${channelId}/pins`);
  } catch (err) {
    app.ui.pins[channelId] = [];
    app.fail(err, "Loading pins failed");
  }
  app.render();
}

// ---- notifications ------------------------------------------------------------------------------

function notificationsView(app) {
  const list = Object.values(app.state.notifications).sort((a, b) => (a.id < b.id ? 1 : -1));
  const describe = (n) => {
    const who = n.actor_id ? displayName(app.state, n.actor_id) : "Someone";
    const where = n.channel_id && app.state.channels[n.channel_id] ? ` in ${channelLabel(app, app.state.channels[n.channel_id])}` : "";
    const what = { mention: "mentioned you", reply: "replied to you", dm: "sent you a message", reaction: "reacted to your message", friend_request: "sent you a friend request" }[n.type] ?? n.type;
    return `${who} ${what}${where}`;
  };
  // The buttons sit above the list, not in the header, where a narrow panel squeezed them onto two lines.
  return frame(app, "Notifications", [
    h("div.row.note-actions",
      h("button.ghost", { "data-action": "mark-all-read", disabled: !list.some((n) => !n.read) }, "Mark all read"),
      h("button.ghost", { "data-action": "clear-notifications", disabled: !list.length }, "Clear")),
    list.length ? h("ul.notes", list.map((n) => h("li.note", { "data-key": n.id, class: n.read ? "read" : "unread" },
      h("div", h("strong", describe(n)),
        // Mentions and markdown as in the channel: names, not <@id> codes.
        n.content ? h("div.content.md", messageText(app, { id: n.message_id ?? n.id, channel_id: n.channel_id, author_id: n.actor_id, content: n.content }, n.guild_id ?? null)) : null,
        h("small", time(n.created_at))),
      h("div.row",
        n.channel_id && app.state.channels[n.channel_id] ? h("button.link", { "data-action": "open-notification", "data-id": n.id }, "Open") : null,
        n.read ? null : h("button.link", { "data-action": "mark-read", "data-id": n.id }, "Mark read"),
        h("button.link.danger", { "data-action": "delete-notification", "data-id": n.id }, "Delete")))))
      : h("p.muted", "You are all caught up."),
  ]);
}

// ---- scheduled events -------------------------------------------------------------------------

function eventsView(app) {
  const guildId = app.ui.guildId;
  const list = Object.values(app.state.guild_events[guildId] ?? {}).sort((a, b) => (a.scheduled_start < b.scheduled_start ? -1 : 1));
  const me = app.state.self_user?.id;
  const manage = can(app.state, guildId, Perm.ManageGuild);
  return frame(app, "Scheduled events", [
    list.length ? h("ul.events", list.map((e) => h("li.event", { "data-key": e.id },
      h("header", h("strong", e.name), h("span.tag", e.status)),
      h("p", h("time", { datetime: e.scheduled_start }, time(e.scheduled_start)), e.scheduled_end ? ` – ${time(e.scheduled_end)}` : ""),
      e.location ? h("p", `Where: ${e.location}`) : null,
      e.description ? h("p.muted", e.description) : null,
      h("div.row", h("span", `${e.interested_count} interested`),
        h("button.link", { "data-action": "rsvp", "data-event": e.id, "data-going": "1" }, "Interested"),
        h("button.link", { "data-action": "rsvp", "data-event": e.id, "data-going": "0" }, "Not interested"),
        e.creator_id === me || manage ? h("button.link.danger", { "data-action": "delete-event", "data-event": e.id }, "Delete") : null))))
      : h("p.muted", "No events are scheduled."),
    h("form.stack.card", { "data-submit": "create-event" },
      h("h3", "New event"),
      h("label", "Name", h("input", { name: "name", required: true, maxlength: 100 })),
      h("label", "Starts", h("input", { name: "start", type: "datetime-local", required: true })),
      h("label", "Location (optional)", h("input", { name: "location", maxlength: 100 })),
      h("label", "Description (optional)", h("textarea", { name: "description", rows: 2, maxlength: 1000 })),
      h("button.primary", { type: "submit" }, "Create event")),
  ]);
}

// ---- friends and people -----------------------------------------------------------------------

function person(app, uid, buttons) {
  const u = app.state.users[uid] ?? { id: uid, username: uid };
  const status = app.presence(uid);
  return h("li.person", { "data-key": uid },
    h("span.with-dot", userAvatar(app, uid, u.display_name ?? u.username), h("span", { class: ["presence", status] })),
    h("span.person-name", h("strong", u.display_name ?? u.username), h("small", ` @${u.username}`)),
    h("span.row", buttons));
}

function friendsView(app) {
  const rels = Object.values(app.state.relationships);
  const tab = app.ui.friendsTab;
  const pick = { all: ["friend"], pending: ["pending_incoming", "pending_outgoing"], blocked: ["blocked"] }[tab];
  const shown = rels.filter((r) => pick.includes(r.type));
  const tabs = h("div.tabs", { role: "tablist" }, ["all", "pending", "blocked"].map((t) => h("button.tab", {
    role: "tab", "aria-selected": String(tab === t), "data-action": "friends-tab", "data-tab": t,
  }, { all: "Friends", pending: "Pending", blocked: "Blocked" }[t])));
  const buttons = (r) => {
    const id = r.target_id;
    if (r.type === "friend") return [h("button.link", { "data-action": "dm", "data-user": id }, "Message"), h("button.link.danger", { "data-action": "unfriend", "data-user": id }, "Remove")];
    if (r.type === "pending_incoming") return [h("button.link", { "data-action": "friend", "data-user": id }, "Accept"), h("button.link.danger", { "data-action": "unfriend", "data-user": id }, "Decline")];
    if (r.type === "pending_outgoing") return [h("span.muted", "Sent"), h("button.link.danger", { "data-action": "unfriend", "data-user": id }, "Cancel")];
    return [h("button.link", { "data-action": "unblock", "data-user": id }, "Unblock")];
  };
  return frame(app, "Friends", [
    tabs,
    shown.length ? h("ul.people", shown.map((r) => person(app, r.target_id, buttons(r)))) : h("p.muted", tab === "pending" ? "No pending requests." : tab === "blocked" ? "Nobody is blocked." : "No friends yet — add someone by their username below, or from a server's member list."),
    h("form.stack.card", { "data-submit": "add-friend" },
      h("div.row",
        h("label.grow", "Add a friend by username", h("input", { name: "username", required: true, maxlength: 32, placeholder: "username", autocomplete: "off", "aria-describedby": "add-friend-result" })),
        h("button.primary", { type: "submit" }, "Send request")),
      h("p#add-friend-result", { role: "status", class: app.ui.addFriend?.ok === false ? "error" : "ok" }, app.ui.addFriend?.text ?? "")),
  ]);
}

function profileView(app) {
  const s = app.state;
  const uid = app.ui.panelArgs.user;
  const guildId = app.ui.guildId;
  const u = s.users[uid] ?? { id: uid, username: uid };
  const me = s.self_user?.id;
  const rel = s.relationships[uid];
  const member = guildId ? s.members[guildId]?.[uid] : null;
  const mine = uid === me;
  return frame(app, displayName(s, uid, guildId), [
    h("div.profile-card",
      h("span.with-dot", userAvatar(app, uid, u.display_name ?? u.username, "large"), h("span", { class: ["presence", app.presence(uid)] })),
      h("div", h("strong", u.display_name ?? u.username), h("div.muted", `@${u.username}`),
        u.status_text ? h("p", u.status_text) : null, u.bio ? h("p.muted", u.bio) : null,
        h("small.muted", `User ID ${uid}`))),
    guildId ? memberRoles(app, guildId, uid) : null,
    mine ? h("section.card", h("label", "Status",
      h("select#status-select", { "data-change": "set-status" },
        STATUSES.map((st) => h("option", { value: st, selected: st === (s.presences[uid]?.status ?? app.ui.status ?? "online") }, st))))) : null,
    mine ? h("section.card", { "data-key": "avatar" }, h("h3", "Avatar"), picker(app, "avatar", { fallback: userAvatar(app, uid, u.display_name ?? u.username, "large") })) : null,
    mine ? themePicker(app) : null,
    mine ? h("form.stack.card", { "data-submit": "edit-profile" },
      h("h3", "Your profile"),
      h("label", "Display name", h("input", { name: "display_name", maxlength: 64, value: u.display_name ?? "" })),
      h("label", "Status text", h("input", { name: "status_text", maxlength: 128, value: u.status_text ?? "" })),
      h("label", "About you", h("textarea", { name: "bio", rows: 3, maxlength: 2000 }, u.bio ?? "")),
      h("button.primary", { type: "submit" }, "Save")) : null,
    mine ? h("section.card", h("h3", "Account security"),
      h("p.muted", "Password, signed-in sessions, two-factor authentication, your data and deleting your account."),
      h("button", { "data-action": "open-panel", "data-panel": "security" }, "Security settings")) : null,
    mine ? h("section.card", { "data-key": "bots" }, h("h3", "Bots"),
      h("p.muted", "Bots you own, and links that add them to a server."),
      h("button", { "data-action": "open-panel", "data-panel": "bots" }, "Your bots")) : h("div.row.wrap",
      h("button", { "data-action": "dm", "data-user": uid }, "Message"),
      rel?.type === "friend" ? h("button", { "data-action": "unfriend", "data-user": uid }, "Remove friend")
        : rel?.type === "pending_incoming" ? h("button", { "data-action": "friend", "data-user": uid }, "Accept request")
          : rel?.type === "pending_outgoing" ? h("button", { disabled: true }, "Request sent")
            : h("button", { "data-action": "friend", "data-user": uid }, "Add friend"),
      rel?.type === "blocked" ? h("button", { "data-action": "unblock", "data-user": uid }, "Unblock") : h("button.danger", { "data-action": "block", "data-user": uid }, "Block")),
    member && !mine ? h("div.row.wrap", h("button.ghost", { "data-action": "report-member", "data-user": uid }, "Report to moderators")) : null,
    member && !mine && isModerator(s, guildId) ? h("section.card.danger-zone", h("h3", "Moderation"),
      h("div.row.wrap",
        h("button", { "data-action": "warn-member", "data-user": uid }, "Warn"),
        can(s, guildId, Perm.KickMembers) ? h("button.danger", { "data-action": "kick", "data-user": uid }, "Kick") : null,
        can(s, guildId, Perm.BanMembers) ? h("button.danger", { "data-action": "ban", "data-user": uid }, "Ban") : null)) : null,
  ]);
}

// ---- servers and groups -----------------------------------------------------------------------

function createGuildView(app) {
  return frame(app, "Create a server", h("form.stack", { "data-submit": "create-guild" },
    h("label", "Server name", h("input", { name: "name", required: true, maxlength: 100, id: "new-guild-name" })),
    h("label", "Description (optional)", h("textarea", { name: "description", rows: 2, maxlength: 2000 })),
    h("button.primary", { type: "submit" }, "Create")));
}

function joinView(app) {
  const preview = app.ui.lists.invitePreview;
  return frame(app, "Join a server", [
    h("form.stack", { "data-submit": "join-invite" },
      h("label", "Invite code or link", h("input", { name: "code", required: true, maxlength: 300, id: "invite-input", value: app.ui.panelArgs.code ?? "", "data-sync-value": app.ui.panelArgs.code ? true : null })),
      h("button.primary", { type: "submit" }, "Join")),
    preview ? h("p.muted", `Invite to ${preview.guild?.name ?? preview.guild_id}`) : null,
  ]);
}

function newGroupView(app) {
  const friends = Object.values(app.state.relationships).filter((r) => r.type === "friend");
  return frame(app, "New group", friends.length
    ? h("form.stack", { "data-submit": "create-group" },
      h("label", "Group name (optional)", h("input", { name: "name", maxlength: 100 })),
      h("fieldset", h("legend", "Friends"), friends.map((r) => h("label.check", { "data-key": r.target_id },
        h("input", { type: "checkbox", name: `user:${r.target_id}`, value: "1" }), displayName(app.state, r.target_id)))),
      h("button.primary", { type: "submit" }, "Create group"))
    : h("p.muted", "Add some friends first: groups are made of friends."));
}

const VIEWS = {
  pins: pinsView, notifications: notificationsView, events: eventsView, friends: friendsView, profile: profileView,
  "create-guild": createGuildView, join: joinView, "new-group": newGroupView,
  settings: (app) => frame(app, "Server settings", settings.view(app)),
  features: (app) => frame(app, "Channel apps", features.view(app)),
  search: (app) => frame(app, "Search", search.view(app)),
  saved: (app) => frame(app, "Saved messages", saved.view(app)),
  security: (app) => frame(app, "Security", security.view(app)),
  bots: (app) => frame(app, "Your bots", bots.view(app)),
  admin: (app) => frame(app, "Instance administration", admin.view(app)),
  "guild-notifications": (app) => frame(app, "Notification settings", guildNotifications.view(app)),
};

export function view(app) {
  const fn = VIEWS[app.ui.panel];
  return fn ? fn(app) : [];
}

export function onOpen(app, panel) {
  if (panel === "pins" && app.ui.channelId) {
    app.loadPins = (channelId) => loadPins(app, channelId);
    loadPins(app, app.ui.channelId);
  }
  if (panel === "notifications") {
    app.loadList("notifications", "notifications", "/notifications", (list) => ingestNotifications(app.state, list));
  }
  if (panel === "events" && app.ui.guildId) app.loadGuild(app.ui.guildId);
  if (panel === "friends") app.ui.addFriend = null; // the last request's answer is for that visit only
}

// ---- actions ------------------------------------------------------------------------------------

async function openDm(app, uid) {
  const channel = await app.call(null, () => app.api.post(`/users/${uid}/dm`, {}), "Opening the conversation failed");
  if (!channel) return;
  if (!app.state.channels[channel.id]) app.state.channels[channel.id] = channel;
  app.ui.panel = null;
  app.select(null, channel.id);
}

export const actions = {
  "open-panel"(app, data) {
    if (app.ui.panel === data.panel && !data.user && !data.tab) {
      app.ui.panel = null;
      app.render();
      return;
    }
    if (data.tab) app.ui.settingsTab = data.tab;
    if (data.category) app.ui.panelArgs.category = data.category;
    app.openPanel(data.panel, { ...data });
  },
  "close-panel"(app) {
    app.ui.panel = null;
    app.render();
  },
  jump(app, data) {
    return jumpTo(app, app.ui.channelId, data.message);
  },
  "friends-tab"(app, data) {
    app.ui.friendsTab = data.tab;
    app.render();
  },
  dm(app, data) {
    return openDm(app, data.user);
  },
  friend(app, data) {
    return app.call(null, () => app.api.put(`/users/${data.user}/friend`), "Friend request failed");
  },
  unfriend(app, data) {
    return app.call(null, () => app.api.delete(`/users/${data.user}/friend`), "That did not work");
  },
  async block(app, data) {
    const yes = await confirmAction(app, {
      title: `Block ${displayName(app.state, data.user)}?`, body: "They will not be able to message you.", confirm: "Block", danger: true, cancelled: "Nobody was blocked.",
    });
    if (yes) await app.call(null, () => app.api.put(`/users/${data.user}/block`), "Blocking failed");
  },
  unblock(app, data) {
    return app.call(null, () => app.api.delete(`/users/${data.user}/block`), "Unblocking failed");
  },
  async kick(app, data) {
    const guildId = app.ui.guildId;
    const name = displayName(app.state, data.user, guildId);
    if (!(await confirmAction(app, { title: `Kick ${name}?`, body: "They can come back with an invite.", confirm: "Kick", danger: true, cancelled: `${name} was not kicked.` }))) return;
    const done = await app.call(null, () => app.api.delete(`/guilds/${guildId}/members/${data.user}`), "Kicking failed");
    if (done !== undefined) app.ui.panel = null;
    app.render();
  },
  async ban(app, data) {
    const guildId = app.ui.guildId;
    const name = displayName(app.state, data.user, guildId);
    const reason = await ask(app, {
      title: `Ban ${name}?`, body: "They are removed and cannot rejoin until unbanned.", confirm: "Ban", danger: true,
      input: { label: "Reason (optional)", maxlength: 512 }, cancelled: `${name} was not banned.`,
    });
    if (reason == null) return;
    const body = reason ? { reason } : {};
    const done = await app.call(null, () => app.api.put(`/guilds/${guildId}/bans/${data.user}`, body), "Banning failed");
    if (done !== undefined) app.ui.panel = null;
    app.render();
  },
  "mark-read"(app, data) {
    return app.call("notifications", () => app.api.patch(`/notifications/${data.id}`, { read: true }), "That did not work");
  },
  "delete-notification"(app, data) {
    return app.call("notifications", () => app.api.delete(`/notifications/${data.id}`), "That did not work");
  },
  "mark-all-read"(app) {
    return app.call("notifications", () => app.api.post("/notifications/mark-all-read", {}), "That did not work");
  },
  "clear-notifications"(app) {
    return app.call("notifications", () => app.api.delete("/notifications"), "That did not work");
  },
  "open-notification"(app, data) {
    const n = app.state.notifications[data.id];
    if (!n) return;
    if (!n.read) actions["mark-read"](app, data);
    app.ui.panel = null;
    app.select(app.state.channels[n.channel_id]?.guild_id ?? null, n.channel_id);
  },
  rsvp(app, data) {
    const path = `/guilds/${app.ui.guildId}/events/${data.event}/rsvp`;
    return app.call("events", () => (data.going === "1" ? app.api.post(path, {}) : app.api.delete(path)), "RSVP failed");
  },
  "delete-event"(app, data) {
    return app.call("events", () => app.api.delete(`/guilds/${app.ui.guildId}/events/${data.event}`), "Deleting the event failed");
  },
};

export const forms = {
  async "create-guild"(app, f, form) {
    const body = { name: f.name.trim() };
    if (f.description?.trim()) body.description = f.description.trim();
    const guild = await app.call(null, () => app.api.post("/guilds", body), "Creating the server failed");
    if (!guild) return;
    form.reset();
    app.ui.panel = null;
    if (app.state.guilds[guild.id]) app.select(guild.id);
    else app.pendingGuild = guild.id; // GUILD_CREATE selects it when it arrives
    app.render();
  },
  async "join-invite"(app, f, form) {
    const code = inviteCode(f.code);
    if (!code) return;
    const guild = await app.call(null, () => app.api.post(`/invites/${enc(code)}`, {}), "Joining failed");
    if (!guild) return;
    form.reset();
    app.ui.panel = null;
    app.ui.panelArgs = {};
    if (app.state.guilds[guild.id]) app.select(guild.id);
    else app.pendingGuild = guild.id;
    app.render();
  },
  async "create-group"(app, f) {
    const ids = Object.keys(f).filter((k) => k.startsWith("user:")).map((k) => k.slice(5));
    if (!ids.length) return app.toast("Pick at least one friend.", "info");
    const body = { recipient_ids: ids };
    if (f.name?.trim()) body.name = f.name.trim();
    const channel = await app.call(null, () => app.api.post("/users/@me/group-dms", body), "Creating the group failed");
    if (!channel) return undefined;
    if (!app.state.channels[channel.id]) app.state.channels[channel.id] = channel;
    app.ui.panel = null;
    app.select(null, channel.id);
    return undefined;
  },
  async "add-friend"(app, f, form) {
    const name = f.username.trim().replace(/^@/, "");
    if (!name) return;
    try {
      const rel = await app.api.post("/users/@me/relationships", { username: name });
      const who = rel.user?.username ?? name;
      app.ui.addFriend = { ok: true, text: rel.type === "friend" ? `You and ${who} are now friends.` : `Friend request sent to ${who}.` };
      form.reset();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const why = {
        unknown_user: `Nobody is called “${name}”. Check the spelling.`,
        already_friends: `You are already friends with ${name}.`,
        request_pending: `Your friend request to ${name} is still waiting for an answer.`,
        blocked: `You cannot add ${name}: one of you has blocked the other.`,
        invalid_target: "That is you.",
      }[err.code];
      app.ui.addFriend = { ok: false, text: why ?? `Friend request failed: ${err.message}` };
    }
    app.render();
  },
  async "edit-profile"(app, f) {
    const body = { display_name: f.display_name.trim() || null, status_text: f.status_text.trim() || null, bio: f.bio.trim() || null };
    const ok = await app.call(null, () => app.api.patch("/users/@me", body), "Saving failed");
    if (ok !== undefined) app.toast("Profile saved.", "info");
  },
  async "create-event"(app, f, form) {
    const guildId = app.ui.guildId;
    const start = new Date(f.start);
    if (Number.isNaN(start.getTime())) return app.toast("Pick a start time.", "info");
    const body = { name: f.name.trim(), scheduled_start: start.toISOString() };
    if (f.location?.trim()) body.location = f.location.trim();
    if (f.description?.trim()) body.description = f.description.trim();
    const ok = await app.call("events", () => app.api.post(`/guilds/${guildId}/events`, body), "Creating the event failed");
    if (ok !== undefined) form.reset();
    return undefined;
  },
};
