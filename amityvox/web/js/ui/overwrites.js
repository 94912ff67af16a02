// @ts-check
// Server settings → Permissions: a channel's or category's overwrites. For each target
// (@everyone, a role or a member) every channel bit is allow / neutral / deny; a change is
// one PUT of the target's whole overwrite (DELETE when it becomes all neutral).
//
// Only what the user may grant is offered: bits they do not hold in that channel are locked
// (the server's own answer, GET …/@me/permissions?channel_id=), and so are roles at or above
// their highest role. The server checks the same and its refusal is shown as a toast.

import { h } from "./dom.js";
import { bits, outranks, permName } from "./roles.js";
import { byRank } from "../perms.js";
import { displayName, guildMembers } from "../state.js";

const EDITABLE = new Set(["text", "voice", "announcement", "category", "stage", "forum"]);
const STATES = [["deny", "Deny", "✕"], ["neutral", "Default", "/"], ["allow", "Allow", "✓"]];

function channelsOf(app, guildId) {
  return Object.values(app.state.channels)
    .filter((c) => c.guild_id === guildId && EDITABLE.has(c.channel_type) && !c.parent_channel_id)
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));
}

/** What the self user holds in the channel, as the server computes it (null while loading). */
function held(app, channelId) {
  const key = `myperms:${channelId}`;
  if (!(key in app.ui.lists)) {
    app.ui.lists[key] = null;
    reloadHeld(app, channelId);
  }
  const value = app.ui.lists[key];
  return value == null ? null : BigInt(value);
}

function reloadHeld(app, channelId) {
  const guildId = app.state.channels[channelId]?.guild_id;
  return app.api.get(`/guilds/${guildId}/members/@me/permissions`, { channel_id: channelId }).then((value) => {
    app.ui.lists[`myperms:${channelId}`] = value.permissions;
    app.render();
  }, (err) => app.fail(err, "Loading your permissions failed"));
}

function targetName(app, guildId, ow) {
  if (ow.id === guildId) return "@everyone";
  if (ow.type === "role") return app.state.roles[guildId]?.[ow.id]?.name ?? "deleted role";
  return `@${displayName(app.state, ow.id, guildId)}`;
}

function mayTarget(app, guildId, ow) {
  if (ow.id === guildId || ow.type === "user") return true; // the server checks members' rank itself
  const role = app.state.roles[guildId]?.[ow.id];
  return !!role && outranks(app, guildId, role);
}

function triState(name, label, state, disabled, data) {
  return h("span.tri", { role: "radiogroup", "aria-label": label },
    STATES.map(([value, text, glyph]) => h("label", { "data-key": value, title: text },
      h("input", { type: "radio", name, value, checked: state === value, disabled, "aria-label": `${text} ${label}`, "data-change": "overwrite-bit", ...data }),
      h("span", { class: value, "aria-hidden": "true" }, glyph))));
}

function pendingKey(channelId, targetId, bit) {
  return `${channelId}:${targetId}:${bit}`;
}

function editorFor(app, guildId, channel, ow) {
  const list = bits(app);
  const mine = held(app, channel.id);
  if (!list || mine == null) return h("p.muted", "Loading permissions…");
  const allow = BigInt(ow.allow);
  const deny = BigInt(ow.deny);
  const target = targetName(app, guildId, ow);
  const allowed = mayTarget(app, guildId, ow);
  return h("section.card", { "data-key": `ow-${channel.id}-${ow.id}`, "aria-label": `Overwrites for ${target}` },
    h("h3", `${target} in ${channel.channel_type === "category" ? "" : "#"}${channel.name}`),
    allowed ? null : h("p.muted", "This role is at or above your highest role, so you cannot change its overwrites."),
    h("ul.perm-list", list.filter((b) => b.scope === "channel").map((b) => {
      // A choice on its way to the server shows as made: a draw before the answer must not undo it.
      const pending = app.ui.owPending?.[pendingKey(channel.id, ow.id, b.value)];
      const state = pending ?? (deny & b.bit ? "deny" : allow & b.bit ? "allow" : "neutral");
      const label = permName(b.name);
      const mayGrant = allowed && (mine & b.bit) === b.bit;
      return h("li", { "data-key": b.name },
        h("span.perm-text", h("strong", label), h("small", b.description, mayGrant || !allowed ? "" : " — you do not hold this permission here")),
        triState(`ow-${b.name}`, label, state, !mayGrant, { "data-channel": channel.id, "data-target": ow.id, "data-type": ow.type, "data-bit": b.value }));
    })),
    ow.id !== guildId && (allow || deny) ? h("button.danger", { "data-action": "remove-overwrite", "data-channel": channel.id, "data-target": ow.id }, `Remove the overwrite for ${target}`) : null);
}

/** The Permissions tab of server settings. */
export function view(app, guildId) {
  const channels = channelsOf(app, guildId);
  const channel = app.state.channels[app.ui.owChannel] ?? channels[0];
  if (!channel) return h("p.muted", "This server has no channels.");
  const existing = channel.permission_overwrites ?? [];
  const targetId = app.ui.owTarget && (existing.some((o) => o.id === app.ui.owTarget) || app.ui.owTargetType) ? app.ui.owTarget : guildId;
  const ow = existing.find((o) => o.id === targetId) ?? { id: targetId, type: targetId === guildId ? "role" : app.ui.owTargetType ?? "role", allow: "0", deny: "0" };
  const roles = Object.values(app.state.roles[guildId] ?? {}).sort(byRank);
  const members = guildMembers(app.state, guildId);
  const listed = [{ id: guildId, type: "role" }, ...existing.filter((o) => o.id !== guildId)];
  if (!listed.some((o) => o.id === ow.id)) listed.push(ow);
  return [
    h("label", "Channel or category", h("select", { "data-change": "overwrite-channel", "aria-label": "Channel or category" },
      channels.map((c) => h("option", { value: c.id, selected: c.id === channel.id }, c.channel_type === "category" ? `${c.name} (category)` : `#${c.name}`)))),
    h("p.muted", channel.channel_type === "category" ? "A category's overwrites decide who sees the category itself; each channel in it keeps its own." : "Overwrites apply in this order: @everyone, then the roles, then the member."),
    h("div.tabs.wrap", { role: "tablist", "aria-label": "Overwrite targets" }, listed.map((o) => h("button.tab", {
      "data-key": o.id, role: "tab", "aria-selected": String(o.id === ow.id), "data-action": "overwrite-target", "data-target": o.id, "data-type": o.type,
    }, targetName(app, guildId, o)))),
    h("div.row.wrap",
      h("label", "Add a role", h("select", { "data-change": "overwrite-add", "data-type": "role", "aria-label": "Add a role" },
        h("option", { value: "" }, "Choose…"),
        roles.filter((r) => !listed.some((o) => o.id === r.id)).map((r) => h("option", { value: r.id }, r.name)))),
      h("label", "Add a member", h("select", { "data-change": "overwrite-add", "data-type": "user", "aria-label": "Add a member" },
        h("option", { value: "" }, "Choose…"),
        members.filter((m) => !listed.some((o) => o.id === m.user_id)).map((m) => h("option", { value: m.user_id }, displayName(app.state, m.user_id, guildId)))))),
    editorFor(app, guildId, channel, ow),
  ];
}

async function write(app, channelId, targetId, type, allow, deny) {
  const path = `/channels/${channelId}/permissions/${targetId}`;
  const channel = app.state.channels[channelId];
  const had = (channel?.permission_overwrites ?? []).some((o) => o.id === targetId);
  const ok = !allow && !deny
    ? had ? await app.call(null, () => app.api.delete(path), "Removing the overwrite failed") : null
    : await app.call(null, () => app.api.put(path, { type, allow: allow.toString(), deny: deny.toString() }), "Changing the overwrite failed");
  if (ok !== undefined && ok?.id && app.state.channels[channelId]) app.state.channels[channelId] = ok; // the CHANNEL_UPDATE says the same
  await reloadHeld(app, channelId);
  return ok !== undefined;
}

export const actions = {
  "overwrite-channel"(app, _data, el) {
    app.ui.owChannel = el.value;
    app.ui.owTarget = null;
    app.ui.owTargetType = null;
    app.render();
  },
  "overwrite-target"(app, data) {
    app.ui.owTarget = data.target;
    app.ui.owTargetType = data.type;
    app.render();
  },
  "overwrite-add"(app, data, el) {
    if (!el.value) return;
    app.ui.owTarget = el.value;
    app.ui.owTargetType = data.type;
    el.value = "";
    app.render();
  },
  async "overwrite-bit"(app, data, el) {
    const channel = app.state.channels[data.channel];
    if (!channel) return;
    const ow = (channel.permission_overwrites ?? []).find((o) => o.id === data.target) ?? { allow: "0", deny: "0" };
    const bit = BigInt(data.bit);
    let allow = BigInt(ow.allow) & ~bit;
    let deny = BigInt(ow.deny) & ~bit;
    if (el.value === "allow") allow |= bit;
    if (el.value === "deny") deny |= bit;
    const key = pendingKey(channel.id, data.target, data.bit);
    app.ui.owPending = { ...app.ui.owPending, [key]: el.value };
    try {
      await write(app, channel.id, data.target, data.type, allow, deny);
    } finally {
      delete app.ui.owPending[key]; // the state now holds the server's answer (or the old value on a refusal)
      app.render();
    }
  },
  async "remove-overwrite"(app, data) {
    await write(app, data.channel, data.target, "role", 0n, 0n);
    app.ui.owTarget = null;
    app.render();
  },
};
