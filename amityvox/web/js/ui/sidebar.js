// @ts-check
// The channel sidebar: a guild's channels by category (unread and mention counts, voice
// participants with their mute/deafen/stream/broadcast indicators), or at home the DM and
// group list; then the voice connection and the signed-in user.

import { CHANNEL_ICONS, icon } from "./icons.js";
import { h } from "./dom.js";
import { guildBanner, userAvatar } from "./avatar.js";
import { channelTree, dmList, displayName, threadsOf, unread, voiceIn } from "../state.js";
import { Voice } from "../voice.js";
import { settingsView, volumeSlider } from "./call.js";
import { Perm, can } from "../perms.js";
import { isAdmin } from "./admin.js";

export const STATUSES = ["online", "idle", "focus", "busy", "invisible"];

export function channelLabel(app, channel) {
  if (!channel) return "";
  if (channel.guild_id != null) return channel.name ?? "channel";
  if (channel.name) return channel.name;
  const me = app.state.self_user?.id;
  const others = (channel.recipients ?? []).filter((u) => u.id !== me);
  return others.map((u) => app.state.users[u.id]?.display_name ?? app.state.users[u.id]?.username ?? u.username).join(", ") || "Just you";
}

function channelButton(app, c, depth = 0) {
  const s = app.state;
  const u = unread(s, c.id);
  const current = app.ui.channelId === c.id;
  const isVoice = c.channel_type === "voice" || c.channel_type === "stage";
  const label = channelLabel(app, c);
  return h("li", { "data-key": c.id, class: depth ? "thread" : null },
    h("button.channel", {
      "data-action": isVoice ? "join-voice" : "select-channel", "data-channel": c.id,
      "aria-current": current ? "page" : null,
      class: [u.unread && !current ? "unread" : null, c.locked ? "locked" : null],
      "aria-label": `${label}${isVoice ? ", voice channel" : ""}${u.mentions ? `, ${u.mentions} mentions` : u.unread ? ", unread" : ""}`,
    },
    h("span.ch-icon", icon(CHANNEL_ICONS[c.channel_type] ?? "hash")),
    h("span.ch-name", label),
    c.locked ? h("span.ch-flag", { title: "Locked" }, icon("lock")) : null,
    u.mentions ? h("span.badge.mention", String(u.mentions)) : null),
    isVoice ? voiceParticipants(app, c) : null);
}

/** Who is in a voice channel, with what they are doing. */
export function voiceParticipants(app, channel) {
  const s = app.state;
  const people = voiceIn(s, channel.id);
  if (!people.length) return null;
  const shares = Object.values(s.screen_shares[channel.id] ?? {});
  const casts = Object.values(s.broadcasts[channel.id] ?? {});
  return h("ul.voice-people", { "aria-label": `In ${channel.name ?? "the call"}` },
    people.map((vs) => {
      const sharing = vs.self_stream || shares.some((x) => x.user_id === vs.user_id);
      const casting = casts.some((b) => b.broadcaster_id === vs.user_id);
      const muted = vs.self_mute || vs.mute;
      const deaf = vs.self_deaf || vs.deaf;
      const voice = app.voice;
      const speaking = voice?.channelId === channel.id && voice.speaking.has(vs.user_id);
      return h("li.voice-person", { "data-key": vs.user_id, class: speaking ? "speaking" : null, title: speaking ? "Speaking" : null },
        userAvatar(app, vs.user_id, displayName(s, vs.user_id, channel.guild_id), "small"),
        h("span", displayName(s, vs.user_id, channel.guild_id)),
        muted ? h("span.ind", { title: vs.mute ? "Muted by a moderator" : "Muted", "aria-label": "muted" }, icon("mic-off")) : null,
        deaf ? h("span.ind", { title: vs.deaf ? "Deafened by a moderator" : "Deafened", "aria-label": "deafened" }, icon("deafened")) : null,
        vs.self_video ? h("span.ind.live", { title: "Camera on", "aria-label": "camera on" }, icon("camera")) : null,
        sharing ? h("span.ind.live", { title: "Sharing their screen", "aria-label": "sharing screen" }, icon("screen")) : null,
        casting ? h("span.ind.live", { title: "Broadcasting", "aria-label": "broadcasting" }, icon("broadcast")) : null,
        voice?.channelId === channel.id ? volumeSlider(app, vs.user_id, displayName(s, vs.user_id, channel.guild_id)) : null);
    }));
}

function guildSection(app) {
  const s = app.state;
  const guildId = app.ui.guildId;
  const guild = s.guilds[guildId];
  const manage = can(s, guildId, Perm.ManageChannels);
  const tree = channelTree(s, guildId);
  return [
    guildBanner(app, guild),
    h("header.side-head",
      h("h2.guild-name", { title: guild.name }, guild.name),
      h("button.icon", { "data-action": "open-panel", "data-panel": "events", title: "Scheduled events", "aria-label": "Scheduled events", hidden: !app.available("events") }, icon("calendar")),
      h("button.icon", { "data-action": "open-panel", "data-panel": "guild-notifications", title: "Notification settings", "aria-label": "Notification settings", hidden: !app.available("notifications") }, icon("bell")),
      h("button.icon", { "data-action": "open-panel", "data-panel": "settings", title: "Server settings", "aria-label": "Server settings" }, icon("settings"))),
    h("nav.channels", { "aria-label": `${guild.name} channels` },
      tree.map(({ category, channels }) => h("section.cat", { "data-key": category?.id ?? "none" },
        category ? h("h3.cat-name", h("span", category.name),
          manage ? h("button.icon.small", { "data-action": "open-panel", "data-panel": "settings", "data-tab": "channels", "data-category": category.id, "aria-label": `Create a channel in ${category.name}`, title: "Create channel" }, "+") : null) : null,
        h("ul.channel-list", channels.flatMap((c) => [
          channelButton(app, c),
          // Open threads sit under their channel whichever channel is selected; an archived one
          // only while it is the one open.
          threadsOf(s, c.id).filter((t) => !t.archived || t.id === app.ui.channelId).map((t) => channelButton(app, t, 1)),
        ])))),
      manage ? h("button.ghost.add-channel", { "data-action": "open-panel", "data-panel": "settings", "data-tab": "channels" }, "+ Create channel") : null),
  ];
}

function homeSection(app) {
  const s = app.state;
  const me = s.self_user?.id;
  const pending = Object.values(s.relationships).filter((r) => r.type === "pending_incoming").length;
  return [
    h("header.side-head", h("h2.guild-name", "Direct messages"),
      h("button.icon", { "data-action": "open-panel", "data-panel": "new-group", title: "New group", "aria-label": "New group DM" }, "+")),
    h("nav.channels", { "aria-label": "Direct messages" },
      h("button.channel.friends", { "data-action": "open-panel", "data-panel": "friends", "aria-current": app.ui.panel === "friends" ? "page" : null },
        h("span.ch-icon", icon("friend")), h("span.ch-name", "Friends"), pending ? h("span.badge.mention", { "aria-label": `${pending} requests` }, String(pending)) : null),
      h("ul.channel-list", dmList(s).map((c) => {
        const other = c.channel_type === "dm" ? (c.recipients ?? []).find((u) => u.id !== me) : null;
        const u = unread(s, c.id);
        return h("li", { "data-key": c.id },
          h("button.channel.dm", {
            "data-action": "select-channel", "data-channel": c.id, "aria-current": app.ui.channelId === c.id ? "page" : null,
            class: u.unread && app.ui.channelId !== c.id ? "unread" : null,
          },
          other ? h("span.with-dot", userAvatar(app, other.id, other.display_name ?? other.username, "small"), h("span", { class: ["presence", app.presence(other.id)] })) : h("span.ch-icon", icon("group")),
          h("span.ch-name", channelLabel(app, c)),
          u.unread ? h("span.badge.mention", String(u.unread)) : null),
          voiceParticipants(app, c));
      }))),
  ];
}

/** How many of the others our media reach (peer to peer: one connection each; LiveKit: the room). */
function mediaStatus(app) {
  const voice = app.voice;
  const others = voice ? voiceIn(app.state, voice.channelId).filter((vs) => vs.user_id !== app.state.self_user?.id).length : 0;
  if (!others) return null;
  const connected = voice.connectedCount();
  const text = connected === others ? `Audio with ${others}` : `Audio with ${connected} of ${others}`;
  return h("small.voice-peers", { "aria-live": "polite" }, text);
}

function voicePanel(app) {
  const v = app.ui.voice;
  if (!v) return null;
  const s = app.state;
  const channel = s.channels[v.channelId];
  const sounds = v.guildId ? Object.values(s.soundboard[v.guildId] ?? {}) : [];
  const lastPlay = s.soundboard_plays[v.channelId];
  return h("section.voice-panel", { "aria-label": "Voice connection" },
    h("div.voice-status", h("span.live-dot", { "aria-hidden": "true" }), h("span", "Voice connected"),
      h("small", channelLabel(app, channel)), mediaStatus(app)),
    h("div.voice-buttons",
      h("button.icon", { "data-action": "toggle-mute", "aria-pressed": String(!!v.mute), title: v.mute ? "Unmute" : "Mute", "aria-label": v.mute ? "Unmute" : "Mute" }, icon(v.mute ? "mic-off" : "mic")),
      h("button.icon", { "data-action": "toggle-deaf", "aria-pressed": String(!!v.deaf), title: v.deaf ? "Undeafen" : "Deafen", "aria-label": v.deaf ? "Undeafen" : "Deafen" }, icon(v.deaf ? "deafened" : "headphones")),
      h("button.icon", { "data-action": "toggle-camera", "aria-pressed": String(!!v.camera), title: v.camera ? "Turn off camera" : "Turn on camera", "aria-label": v.camera ? "Turn off camera" : "Turn on camera" }, icon("camera")),
      app.available("voice") ? h("button.icon", { "data-action": "toggle-screen", "aria-pressed": String(!!v.screen), title: v.screen ? "Stop sharing" : "Share screen", "aria-label": v.screen ? "Stop sharing your screen" : "Share your screen" }, icon("screen")) : null,
      app.available("voice") ? h("button.icon", { "data-action": "toggle-broadcast", "aria-pressed": String(!!v.broadcast), title: v.broadcast ? "End broadcast" : "Broadcast", "aria-label": v.broadcast ? "End broadcast" : "Start a broadcast" }, icon("broadcast")) : null,
      h("button.icon", { "data-action": "voice-settings", "aria-expanded": String(!!app.ui.voiceSettings), title: "Voice settings", "aria-label": "Voice settings" }, icon("settings")),
      h("button.icon.danger", { "data-action": "leave-voice", title: "Leave voice", "aria-label": "Leave voice" }, icon("phone"))),
    app.ui.voiceSettings ? settingsView(app) : null,
    sounds.length ? h("div.soundboard", { "aria-label": "Soundboard" },
      sounds.map((snd) => h("button.chip", { "data-key": snd.id, "data-action": "play-sound", "data-sound": snd.id, class: lastPlay?.sound_id === snd.id ? "playing" : null }, snd.emoji ? `${snd.emoji} ${snd.name}` : [icon("voice"), ` ${snd.name}`]))) : null);
}

function userPanel(app) {
  const s = app.state;
  const me = s.self_user;
  if (!me) return h("section.user-panel", h("span.muted", "Connecting…"));
  const unseen = unreadNotifications(app);
  return h("section.user-panel",
    h("button.me", { "data-action": "open-panel", "data-panel": "profile", "data-user": me.id, "aria-label": "Your profile and status" },
      h("span.with-dot", userAvatar(app, me.id, me.display_name ?? me.username), h("span", { class: ["presence", app.presence(me.id)] })),
      h("span.who", h("strong", me.display_name ?? me.username), h("small", app.presence(me.id)))),
    h("button.icon", { "data-action": "open-panel", "data-panel": "notifications", title: "Notifications", "aria-label": `Notifications${unseen ? `, ${unseen} unread` : ""}`, hidden: !app.available("notifications") }, icon("bell"),
      unseen ? h("span.badge.mention", String(unseen)) : null),
    isAdmin(app) ? h("button.icon", { "data-action": "open-panel", "data-panel": "admin", title: "Instance administration", "aria-label": "Instance administration", "aria-current": app.ui.panel === "admin" ? "page" : null }, icon("shield")) : null,
    h("button.icon", { "data-action": "logout", title: "Sign out", "aria-label": "Sign out" }, icon("logout")));
}

export function unreadNotifications(app) {
  return Object.values(app.state.notifications).filter((n) => !n.read).length;
}

export function view(app) {
  const guild = app.state.guilds[app.ui.guildId];
  return [
    h("div.side-scroll", guild ? guildSection(app) : homeSection(app)),
    voicePanel(app),
    userPanel(app),
  ];
}

// ---- voice ------------------------------------------------------------------------------------

// REST when the voice area is there (its answer configures the mesh); op 4 otherwise (then
// VOICE_SERVER_UPDATE does, see effects.js).
async function joinVoice(app, c) {
  if (app.available("voice")) {
    try {
      const body = { self_mute: false, self_deaf: false };
      if (app.gateway?.sessionId) body.session_id = app.gateway.sessionId; // the state ends with this session
      const joined = await app.api.post(`/voice/${c.id}/join`, body);
      if (app.voice?.channelId === c.id) app.voice.configure(joined ?? {});
      return true;
    } catch (err) {
      if (!app.missingRoute(err, "voice")) {
        app.fail(err, "Joining voice failed");
        return false;
      }
    }
  }
  return app.gateway?.updateVoiceState(c.guild_id ?? null, c.id, false, false) ?? false;
}

async function leaveVoice(app, v) {
  if (app.available("voice")) {
    try {
      await app.api.post(`/voice/${v.channelId}/leave`);
      return;
    } catch (err) {
      if (!app.missingRoute(err, "voice")) {
        app.fail(err, "Leaving voice failed");
        return;
      }
    }
  }
  app.gateway?.updateVoiceState(v.guildId, null, false, false);
}

/** New voice media for `channelId`, replacing any other (one voice connection at a time). */
export function startVoice(app, channelId) {
  stopVoice(app);
  app.voice = new Voice(app, channelId);
  return app.voice;
}

export function stopVoice(app) {
  app.voice?.close();
  app.voice = null;
}

export const actions = {
  "select-channel"(app, data) {
    const c = app.state.channels[data.channel];
    app.select(c?.guild_id ?? null, data.channel);
  },
  async "join-voice"(app, data) {
    const c = app.state.channels[data.channel];
    if (!c) return;
    const previous = app.ui.voice;
    app.ui.voice = { channelId: c.id, guildId: c.guild_id ?? null, mute: false, deaf: false, screen: false, camera: false, broadcast: false };
    // The microphone is asked for now, while the click still counts as the user's gesture.
    const voice = startVoice(app, c.id);
    app.render();
    if (!(await joinVoice(app, c))) {
      voice.close();
      if (app.voice === voice) app.voice = null;
      app.ui.voice = previous;
      app.render();
      return;
    }
    if (c.guild_id) app.loadList(`sounds:${c.id}`, "voice", `/voice/${c.id}/soundboard`, (list) => {
      const box = (app.state.soundboard[c.guild_id] ??= {});
      for (const snd of list) box[snd.id] = snd;
    });
  },
  async "leave-voice"(app) {
    const v = app.ui.voice;
    if (!v) return;
    stopVoice(app);
    await leaveVoice(app, v);
    app.ui.voice = null;
    app.render();
  },
  "toggle-mute"(app) {
    const v = app.ui.voice;
    if (!v) return;
    v.mute = !v.mute;
    app.voice?.setMute(v.mute);
    app.gateway?.updateVoiceState(v.guildId, v.channelId, v.mute, v.deaf);
    app.render();
  },
  "toggle-deaf"(app) {
    const v = app.ui.voice;
    if (!v) return;
    v.deaf = !v.deaf;
    if (v.deaf) v.mute = true;
    app.voice?.setDeaf(v.deaf);
    app.voice?.setMute(v.mute);
    app.gateway?.updateVoiceState(v.guildId, v.channelId, v.mute, v.deaf);
    app.render();
  },
  async "toggle-screen"(app) {
    const v = app.ui.voice;
    if (!v) return;
    const path = `/voice/${v.channelId}/screen-share`;
    const stop = () => app.call("voice", () => app.api.delete(path), "Stopping the screen share failed");
    if (v.screen) {
      v.screen = false;
      await app.voice?.setScreen(false);
      await stop();
    } else {
      // The browser asks which screen first; the voice state says we share once it is chosen.
      const ended = () => {
        if (app.ui.voice === v && v.screen) {
          v.screen = false;
          stop();
        }
      };
      if (app.voice && !(await app.voice.setScreen(true, ended))) return;
      const settings = app.voice?.screen?.getSettings() ?? {};
      const body = { resolution: settings.width ? `${settings.width}x${settings.height}` : "1920x1080", framerate: Math.round(settings.frameRate ?? 30) || 30, audio_enabled: false };
      const done = await app.call("voice", () => app.api.post(path, body), "Screen share failed");
      if (done !== undefined) v.screen = true;
      else await app.voice?.setScreen(false);
    }
    app.render();
  },
  async "toggle-broadcast"(app) {
    const v = app.ui.voice;
    if (!v) return;
    const path = `/voice/${v.channelId}/broadcast`;
    const done = await app.call("voice", () => (v.broadcast ? app.api.delete(path) : app.api.post(path, {})), "Broadcast failed");
    if (done !== undefined) v.broadcast = !v.broadcast;
    app.render();
  },
  "play-sound"(app, data) {
    const v = app.ui.voice;
    if (v) app.call("voice", () => app.api.post(`/voice/${v.channelId}/soundboard/${data.sound}/play`, {}), "Playing the sound failed");
  },
  "set-status"(app, data, el) {
    app.ui.status = el.value;
    app.gateway?.updatePresence(el.value);
  },
  "answer-call"(app, data) {
    app.ui.toasts = app.ui.toasts.filter((t) => t.call !== data.channel);
    actions["join-voice"](app, { channel: data.channel });
    actions["select-channel"](app, { channel: data.channel });
  },
};
