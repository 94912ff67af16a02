// @ts-check
// A server's notification settings for oneself: All messages, Only @mentions or Nothing. The
// server keeps a level per channel (GET/PATCH /notifications/preferences/channels); choosing
// one here sets it on every channel of the server one can read. Without a preference a server
// channel notifies of mentions and replies only, so that is what "Only @mentions" shows.

import { h } from "./dom.js";
import { NO_MESSAGES } from "../stores.js";

const LEVELS = [["all", "All messages"], ["mentions", "Only @mentions"], ["none", "Nothing"]];
const KEY = "notification-prefs";

function channelsOf(app, guildId) {
  return Object.values(app.state.channels).filter((c) => c.guild_id === guildId && !NO_MESSAGES.has(c.channel_type));
}

/** The level every channel of the guild has (null when they differ). */
function levelOf(app, guildId, prefs) {
  const byChannel = new Map(prefs.map((p) => [p.channel_id, p.level]));
  const levels = new Set(channelsOf(app, guildId).map((c) => byChannel.get(c.id) ?? "mentions"));
  return levels.size === 1 ? [...levels][0] : null;
}

export function view(app) {
  const guildId = app.ui.guildId;
  const prefs = app.ui.lists[KEY];
  if (!guildId || !app.state.guilds[guildId]) return h("p.muted", "Open a server first.");
  if (prefs === undefined) return h("p.muted", "Loading…");
  if (prefs === null) return h("p.muted", "Notification settings are not available on this server.");
  const level = app.ui.savingNotify ?? levelOf(app, guildId, prefs); // the choice being saved shows at once
  return h("fieldset.card.stack", { "aria-describedby": "guild-notify-hint" },
    h("legend", `Notify me in ${app.state.guilds[guildId].name} about`),
    LEVELS.map(([value, label]) => h("label.check", { "data-key": value },
      h("input", { type: "radio", name: "guild-notify", value, checked: level === value, "data-change": "set-guild-notify", disabled: app.ui.savingNotify != null }),
      label)),
    h("p.hint#guild-notify-hint", level == null ? "Its channels are set differently; choosing sets them all."
      : "Direct messages and replies to you notify whatever is chosen here, except with Nothing."));
}

export function onOpen(app, panel) {
  if (panel === "guild-notifications") {
    delete app.ui.lists[KEY];
    app.loadList(KEY, "notifications", "/notifications/preferences/channels");
  }
}

export const actions = {
  async "set-guild-notify"(app, _data, el) {
    const guildId = app.ui.guildId;
    const level = el.value;
    app.ui.savingNotify = level;
    app.render();
    let failed = false;
    for (const c of channelsOf(app, guildId)) {
      const body = { channel_id: c.id, level, muted_until: null };
      if (await app.call("notifications", () => app.api.patch("/notifications/preferences/channels", body), "Saving the notification setting failed") === undefined) {
        failed = true;
        break;
      }
    }
    app.ui.savingNotify = null;
    await app.loadList(KEY, "notifications", "/notifications/preferences/channels");
    if (!failed) app.toast(`${app.state.guilds[guildId]?.name ?? "Server"}: ${LEVELS.find(([v]) => v === level)[1].toLowerCase()}.`, "info");
  },
};
