// @ts-check
// The member list of the open guild: online first, presence dots, role colours and chips.
// Joins, leaves, kicks and bans update it live through the member events.

import { icon } from "./icons.js";
import { h, roleColor } from "./dom.js";
import { userAvatar } from "./avatar.js";
import { displayName, guildMembers, rolesOf } from "../state.js";

function entry(app, guildId, m) {
  const s = app.state;
  const status = app.presence(m.user_id);
  const roles = rolesOf(s, guildId, m.user_id);
  const colored = roles.find((r) => roleColor(r.color));
  const name = displayName(s, m.user_id, guildId);
  const owner = s.guilds[guildId]?.owner_id === m.user_id;
  return h("li", { "data-key": m.user_id },
    h("button.member", { "data-action": "open-panel", "data-panel": "profile", "data-user": m.user_id, class: status === "offline" ? "offline" : null, "aria-label": `${name}, ${status}` },
      h("span.with-dot", userAvatar(app, m.user_id, name), h("span", { class: ["presence", status], title: status })),
      h("span.member-text",
        h("span.member-name", { style: colored ? { color: roleColor(colored.color) } : null }, name, owner ? h("span.owner", { title: "Owner", "aria-label": "owner" }, icon("crown")) : null),
        roles.length ? h("span.role-chips", roles.slice(0, 3).map((r) => h("span.role-chip", { "data-key": r.id, style: roleColor(r.color) ? { "--role": roleColor(r.color) } : null }, r.name))) : null,
        s.presences[m.user_id]?.activity ? h("small.activity", `${s.presences[m.user_id].activity.type} ${s.presences[m.user_id].activity.name}`) : null)));
}

export function view(app) {
  const guildId = app.ui.guildId;
  const guild = app.state.guilds[guildId];
  if (!guild) return [];
  const all = guildMembers(app.state, guildId);
  const online = all.filter((m) => app.presence(m.user_id) !== "offline");
  const offline = all.filter((m) => app.presence(m.user_id) === "offline");
  const byName = (a, b) => displayName(app.state, a.user_id, guildId).localeCompare(displayName(app.state, b.user_id, guildId));
  online.sort(byName);
  offline.sort(byName);
  return [
    h("header.side-head", h("h2", `Members — ${guild.member_count}`),
      h("button.icon.close-members", { "data-action": "toggle-members", "aria-label": "Close member list" }, icon("close"))),
    h("div.side-scroll",
      online.length ? h("section", { "data-key": "online" }, h("h3.cat-name", `Online — ${online.length}`), h("ul.member-list", online.map((m) => entry(app, guildId, m)))) : null,
      offline.length ? h("section", { "data-key": "offline" }, h("h3.cat-name", `Offline — ${offline.length}`), h("ul.member-list", offline.map((m) => entry(app, guildId, m)))) : null),
  ];
}

/** @type {import("../types.js").UiModule["actions"]} */
export const actions = {};
