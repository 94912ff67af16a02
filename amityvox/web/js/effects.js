// @ts-check
// What the UI does after an event has updated the cache: navigation when the open guild or
// channel goes away, toasts for moderators, calls and bans, reloading panels that show
// REST lists. Reducers stay pure (handlers.js); everything with a side effect lives here.

import { ingestAnnouncements, ingestNotifications, displayName } from "./state.js";
import { isModerator } from "./perms.js";
import { checkRole } from "./ui/admin.js";
import * as integrations from "./ui/integrations.js";
import { readUpTo } from "./ui/inbox.js";
import { commandsChanged } from "./ui/slash.js";
import { startVoice, stopVoice } from "./ui/sidebar.js";

export function effects(app, name, d) {
  const fn = EFFECTS[name];
  if (fn) fn(app, d);
}

const INSTALL_ACTIONS = new Set(["BOT_ADD", "INTEGRATION_CREATE", "INTEGRATION_DELETE"]);

function guildName(app, guildId) {
  return app.state.guilds[guildId]?.name ?? "a server";
}

/** The voice media follow the voice states; they end when the self user is no longer in the channel. */
function followVoice(app) {
  const voice = app.voice;
  if (!voice) return;
  if (voice.stillIn()) voice.sync();
  else stopVoice(app);
}

/** The camera and the screen follow our voice state: once it has said they are on, its saying
 * they are off (Stream taken away, another tab) turns them off in this page too. */
function followFlags(app, d) {
  const v = app.ui.voice;
  for (const [flag, key, seen, turnOff] of /** @type {const} */ ([
    ["self_video", "camera", "cameraSeen", () => app.voice?.setCamera(false)],
    ["self_stream", "screen", "screenSeen", () => app.voice?.setScreen(false)],
  ])) {
    if (d[flag]) v[seen] = true;
    else if (v[seen]) {
      v[seen] = false;
      v[key] = false;
      turnOff();
    }
  }
}

function leaveIfGone(app) {
  const { guildId, channelId } = app.ui;
  if (guildId != null && !app.state.guilds[guildId]) app.select(null);
  else if (channelId != null && !app.state.channels[channelId]) app.select(guildId);
}

const EFFECTS = {
  READY(app) {
    const ui = app.ui;
    const first = !app.readyOnce;
    app.readyOnce = true;
    // READY starts the cache again: loaded history and pins are gone with it.
    ui.history = {};
    ui.pins = {};
    if (first) {
      app.loadList("notifications", "notifications", "/notifications", (list) => ingestNotifications(app.state, list));
      app.loadList("announcements", "announcements", "/announcements", (list) => ingestAnnouncements(app.state, list));
      app.selectFromAddress();
    } else {
      app.select(ui.guildId, ui.channelId);
    }
    followVoice(app); // a new session's READY: the old one's voice state may be gone
    checkRole(app); // administrator rights are asked for, not announced
  },

  RESUMED(app, d) {
    if (app.wasDown) app.toast(`Reconnected${d.replayed ? ` (${d.replayed} missed events)` : ""}.`, "info");
    app.wasDown = false;
  },

  GATEWAY_DISCONNECTED(app) {
    app.wasDown = true;
  },

  GATEWAY_AUTH_FAILED(app) {
    app.signedOut("Your session has ended (signed out elsewhere or expired). Please sign in again.");
  },

  GUILD_CREATE(app, d) {
    if (app.pendingGuild === d.id || app.ui.guildId == null && app.ui.channelId == null) {
      app.pendingGuild = null;
      app.select(d.id);
    }
  },

  GUILD_DELETE(app, d) {
    if (app.ui.guildId === d.id) app.toast("This server was deleted.", "warning");
    leaveIfGone(app);
  },

  GUILD_MEMBER_REMOVE(app, d) {
    if (d.user_id === app.state.self_user?.id) {
      if (!app.leaving?.has(d.guild_id)) app.toast("You were removed from a server.", "warning");
      leaveIfGone(app);
    }
    if (integrations.lists(app, d.guild_id, d.user_id)) integrations.refresh(app, d.guild_id);
  },

  GUILD_MEMBER_ADD(app, d) {
    if (d.user?.bot_owner_id) integrations.refresh(app, d.guild_id);
  },

  // An install of a bot with no commands announces nothing else (read by ViewAuditLog holders).
  GUILD_AUDIT_LOG_ENTRY_CREATE(app, d) {
    if (INSTALL_ACTIONS.has(d.action)) integrations.refresh(app, d.guild_id);
  },

  // A bot's commands come and go with its installs: the open Integrations list shows them, and
  // the / menu does not let a listing fetched meanwhile undo them.
  APPLICATION_COMMAND_CREATE(app, d) {
    commandsChanged(d.guild_id);
    integrations.refresh(app, d.guild_id);
  },
  APPLICATION_COMMAND_UPDATE(app, d) {
    commandsChanged(d.guild_id);
    integrations.refresh(app, d.guild_id);
  },
  APPLICATION_COMMAND_DELETE(app, d) {
    commandsChanged(d.guild_id);
    integrations.refresh(app, d.guild_id);
  },

  GUILD_MEMBERS_PRUNE(app) {
    leaveIfGone(app);
  },

  CHANNEL_ACK(app, d) {
    // Only the tab showing the channel: the others would send the same requests again.
    if (d.user_id === app.state.self_user?.id && app.ui.channelId === d.channel_id) readUpTo(app, d.channel_id, d.message_id);
  },

  NOTIFICATION_CREATE(app, d) {
    // About a message already read here (it came after this tab's ack): read with it.
    const rs = app.state.read_state[d.channel_id];
    if (d.user_id === app.state.self_user?.id && app.ui.channelId === d.channel_id && d.message_id && rs?.last_message_id >= d.message_id) {
      readUpTo(app, d.channel_id, rs.last_message_id);
    }
  },

  CHANNEL_DELETE(app) {
    leaveIfGone(app);
  },

  GUILD_BAN_ADD(app, d) {
    const me = app.state.self_user?.id;
    if (d.user_id === me) {
      app.toast(`You were banned from ${guildName(app, d.guild_id)}${d.reason ? `: ${d.reason}` : ""}.`, "error", { sticky: true });
    } else if (isModerator(app.state, d.guild_id)) {
      const who = displayName(app.state, d.user_id, d.guild_id);
      app.toast(`${who} was banned from ${guildName(app, d.guild_id)}${d.reason ? ` (${d.reason})` : ""}.`, "mod");
    }
    if (app.ui.panel === "settings") app.reloadSettings?.();
  },

  GUILD_BAN_REMOVE(app, d) {
    if (app.ui.panel === "settings") app.reloadSettings?.();
    if (isModerator(app.state, d.guild_id)) {
      app.toast(`${displayName(app.state, d.user_id, d.guild_id)} was unbanned.`, "mod");
    }
  },

  AUTOMOD_ACTION(app, d) {
    const me = app.state.self_user?.id;
    const text = d.user_id === me
      ? `Automod (${d.rule_name}) acted on your message: ${d.reason}`
      : `Automod: ${d.rule_name} → ${d.action} on a message by ${displayName(app.state, d.user_id, d.guild_id)} (${d.reason})`;
    app.toast(text, "mod");
  },

  GUILD_REPORT_CREATE(app, d) {
    app.toast(`New report in ${guildName(app, d.guild_id)}: ${displayName(app.state, d.reporter_id, d.guild_id)} reported ${displayName(app.state, d.user_id, d.guild_id)}.`, "mod");
  },

  GUILD_MEMBER_WARNING_CREATE(app, d) {
    if (d.user_id === app.state.self_user?.id) {
      app.toast(`You were warned in ${guildName(app, d.guild_id)}: ${d.reason}`, "warning", { sticky: true });
    } else {
      app.toast(`${displayName(app.state, d.user_id, d.guild_id)} was warned: ${d.reason}`, "mod");
    }
  },

  RAID_LOCKDOWN(app, d) {
    app.toast(d.active ? `Raid lockdown in ${guildName(app, d.guild_id)}: ${d.reason}` : `Raid lockdown lifted in ${guildName(app, d.guild_id)}.`, d.active ? "warning" : "info");
  },

  CALL_RING(app, d) {
    if (d.caller_id === app.state.self_user?.id) return;
    const who = d.caller.display_name ?? d.caller.username;
    app.toast(`${who} is calling you.`, "call", { sticky: true, call: d.channel_id });
  },

  WEBHOOKS_UPDATE(app, d) {
    // The open Webhooks tab shows this channel's list: fetch it again (clients keep no webhooks).
    if (app.ui.panel === "settings" && app.ui.settingsTab === "webhooks" && `webhooks:${d.channel_id}` in app.ui.lists) {
      app.loadList(`webhooks:${d.channel_id}`, "webhooks", `/channels/${d.channel_id}/webhooks`);
    }
  },

  CHANNEL_PINS_UPDATE(app, d) {
    if (app.ui.panel === "pins" && app.ui.channelId === d.channel_id) app.loadPins?.(d.channel_id);
    else delete app.ui.pins[d.channel_id];
  },

  MESSAGE_CREATE(app, d) {
    if (d.channel_id === app.ui.channelId) {
      if (d.author_id === app.state.self_user?.id) app.ui.stickBottom = true;
      app.ackIfRead();
    }
  },

  MESSAGE_DELETE(app, d) {
    if (app.ui.editing === d.id) app.ui.editing = null;
    if (app.ui.replyTo === d.id) app.ui.replyTo = null;
  },

  MESSAGE_EFFECT_CREATE(app, d) {
    app.flash = { messageId: d.message_id, type: d.effect_type, until: Date.now() + 2500 };
    setTimeout(() => app.render(), 2600);
  },

  GAME_PLAYER_JOIN(app, d) {
    // The join event names the new seat only; the game's status and turn come with the game.
    if (!app.state.games[d.game_id]) return;
    app.api.get(`/games/${d.game_id}`).then((game) => {
      if (app.state.games[d.game_id]) app.state.games[d.game_id] = game;
      app.render();
    }, () => {});
  },

  VOICE_STATE_UPDATE(app, d) {
    const voice = app.voice;
    if (d.user_id === app.state.self_user?.id) {
      if (!d.channel_id) app.ui.voice = null;
      else app.ui.voice = { ...(app.ui.voice ?? {}), channelId: d.channel_id, guildId: d.guild_id ?? null, mute: d.self_mute, deaf: d.self_deaf };
      // Moved by a moderator: the media move too (VOICE_SERVER_UPDATE configures the new link),
      // the camera and the screen stay behind.
      if (d.channel_id && voice?.seenSelf && voice.channelId !== d.channel_id && d.session_id === voice.sessionId) {
        Object.assign(app.ui.voice, { camera: false, screen: false });
        startVoice(app, d.channel_id).setDeaf(!!d.self_deaf);
        app.voice.setMute(!!d.self_mute);
        return;
      }
      if (d.channel_id) followFlags(app, d);
    }
    followVoice(app);
  },

  VOICE_SERVER_UPDATE(app, d) {
    if (d.user_id === app.state.self_user?.id && app.voice?.channelId === d.channel_id) app.voice.configure(d);
  },

  VOICE_SIGNAL(app, d) {
    app.voice?.onSignal(d);
  },

  GUILD_EVENT_CREATE(app, d) {
    if (d.creator_id !== app.state.self_user?.id && d.guild_id === app.ui.guildId) {
      app.toast(`New event: ${d.name}`, "info");
    }
  },
};
