// @ts-check
// The server rail: home (DMs and friends), one button per guild with unread and mention
// badges, and the buttons to create or join a guild.

import { icon } from "./icons.js";
import { h } from "./dom.js";
import { guildIcon } from "./avatar.js";
import { dmList, guildList, guildUnread, unread } from "../state.js";

function badge(mentions, unreadCount) {
  if (mentions) return h("span.badge.mention", { "aria-label": `${mentions} mentions` }, String(mentions));
  if (unreadCount) return h("span.dot", { "aria-label": "unread messages" });
  return null;
}

export function view(app) {
  const s = app.state;
  const ui = app.ui;
  let dmUnread = 0;
  for (const c of dmList(s)) dmUnread += unread(s, c.id).unread;
  return [
    h("button.rail-item.home", {
      "data-action": "select-home", "aria-current": ui.guildId == null ? "page" : null,
      title: "Direct messages", "aria-label": `Direct messages${dmUnread ? `, ${dmUnread} unread` : ""}`,
    }, h("span.rail-icon", icon("home")), dmUnread ? h("span.badge.mention", String(dmUnread)) : null),
    h("div.rail-sep", { role: "separator" }),
    ...guildList(s).map((g) => {
      const u = guildUnread(s, g.id);
      return h("button.rail-item", {
        "data-key": g.id, "data-action": "select-guild", "data-guild": g.id,
        "aria-current": ui.guildId === g.id ? "page" : null, title: g.name,
        "aria-label": `${g.name}${u.mentions ? `, ${u.mentions} mentions` : u.unread ? ", unread" : ""}`,
        class: s.raid[g.id]?.active ? "lockdown" : null,
      }, guildIcon(app, g), badge(u.mentions, u.unread));
    }),
    h("button.rail-item.add", { "data-action": "open-panel", "data-panel": "create-guild", title: "Create a server", "aria-label": "Create a server" },
      h("span.rail-icon", icon("plus"))),
    h("button.rail-item.add", { "data-action": "open-panel", "data-panel": "join", title: "Join with an invite", "aria-label": "Join a server with an invite" },
      h("span.rail-icon", icon("join"))),
  ];
}

export const actions = {
  "select-home"(app) {
    app.select(null);
  },
  "select-guild"(app, data) {
    app.select(data.guild);
  },
};
