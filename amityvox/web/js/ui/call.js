// @ts-check
// The call's own screens: the video stage above the messages (a tile per camera and per shared
// screen in the voice channel or call we are in), the voice settings under the voice panel
// (microphone, speaker, noise suppression, push-to-talk) and a volume slider per participant.
// The media themselves live in voice.js (`app.voice`).

import { h } from "./dom.js";
import { displayName, voiceIn } from "../state.js";

const KEY_NAMES = { Backquote: "`", Space: "Space" };

function keyName(code) {
  return KEY_NAMES[code] ?? code.replace(/^Key|^Digit/, "");
}

/** The tiles: each participant's camera and screen that is on, ours included. */
export function stage(app) {
  const voice = app.voice;
  if (!voice) return [];
  const channel = app.state.channels[voice.channelId];
  const tiles = [];
  for (const vs of voiceIn(app.state, voice.channelId)) {
    for (const kind of ["camera", "screen"]) {
      if (!voice.videoOf(vs.user_id, kind)) continue;
      const who = displayName(app.state, vs.user_id, channel?.guild_id);
      const label = kind === "camera" ? who : `${who}'s screen`;
      tiles.push(h("figure.tile", { "data-key": `${vs.user_id}:${kind}`, class: kind },
        h("video", { "data-video": `${vs.user_id}:${kind}`, autoplay: true, playsinline: true, muted: true, "aria-label": label }),
        h("figcaption", label)));
    }
  }
  return tiles.length ? h("section.video-stage", { "aria-label": "Video" }, tiles) : [];
}

/** After a draw: each tile's video element plays its stream (a property, not an attribute). */
export function attach(app, box) {
  for (const el of box.querySelectorAll("video[data-video]")) {
    const video = /** @type {HTMLVideoElement} */ (el);
    const [uid, kind] = video.dataset.video.split(":");
    const stream = app.voice?.videoOf(uid, kind) ?? null;
    if (video.srcObject !== stream) {
      video.muted = true;
      video.srcObject = stream;
      video.play?.()?.catch?.(() => {});
    }
  }
}

/** A participant's playback volume (0–100 %), kept in this browser. */
export function volumeSlider(app, uid, name) {
  if (uid === app.state.self_user?.id) return null;
  const volume = Math.round((app.voice?.prefs.volumes[uid] ?? 1) * 100);
  return h("input.voice-volume", {
    type: "range", min: "0", max: "100", step: "5", value: String(volume), "data-sync-value": true,
    "data-change": "voice-volume", "data-user": uid, "aria-label": `Volume of ${name}`, title: `Volume: ${volume}%`,
  });
}

function deviceOptions(devices, kind, chosen) {
  const list = devices.filter((d) => d.kind === kind);
  return [
    h("option", { value: "", selected: !chosen }, "Default"),
    list.filter((d) => d.deviceId && d.deviceId !== "default").map((d, i) =>
      h("option", { value: d.deviceId, selected: d.deviceId === chosen }, d.label || `Device ${i + 1}`)),
  ];
}

/** The voice settings, under the voice panel's buttons. */
export function settingsView(app) {
  const prefs = app.voice?.prefs;
  if (!prefs) return null;
  const devices = app.ui.voiceDevices ?? [];
  const capturing = app.ui.pttCapture;
  return h("div.voice-settings", { role: "group", "aria-label": "Voice settings" },
    h("label", "Microphone",
      h("select", { name: "input", "data-change": "voice-pref", "data-pref": "input" }, deviceOptions(devices, "audioinput", prefs.input))),
    h("label", "Speaker",
      h("select", { name: "output", "data-change": "voice-pref", "data-pref": "output" }, deviceOptions(devices, "audiooutput", prefs.output))),
    h("label.check", h("input", { type: "checkbox", name: "noiseSuppression", checked: prefs.noiseSuppression, "data-change": "voice-pref", "data-pref": "noiseSuppression" }), "Noise suppression"),
    h("label.check", h("input", { type: "checkbox", name: "pushToTalk", checked: prefs.pushToTalk, "data-change": "voice-pref", "data-pref": "pushToTalk" }), "Push to talk"),
    prefs.pushToTalk ? h("button.small", { type: "button", "data-action": "ptt-key", "aria-label": `Push-to-talk key: ${keyName(prefs.pttKey)}. Change` },
      capturing ? "Press a key…" : `Key: ${keyName(prefs.pttKey)}`) : null,
    prefs.pushToTalk ? h("small.muted", app.voice.talking ? "Talking" : `Hold ${keyName(prefs.pttKey)} to talk`) : null);
}

async function loadDevices(app) {
  try {
    app.ui.voiceDevices = await navigator.mediaDevices.enumerateDevices();
  } catch {
    app.ui.voiceDevices = [];
  }
  app.render();
}

/** Send our camera flag (REST when the voice area is there, else op 4). */
async function sendVideo(app, v, on) {
  if (app.available("voice")) {
    const body = { self_video: on };
    if (app.gateway?.sessionId) body.session_id = app.gateway.sessionId;
    return (await app.call("voice", () => app.api.post(`/voice/${v.channelId}/join`, body), "The camera could not be turned on")) !== undefined;
  }
  return app.gateway?.updateVoiceState(v.guildId, v.channelId, v.mute, v.deaf, on) ?? false;
}

export const actions = {
  async "toggle-camera"(app) {
    const v = app.ui.voice;
    const voice = app.voice;
    if (!v || !voice) return;
    const on = !v.camera;
    if (on && !(await voice.setCamera(true))) return;
    v.camera = on;
    if (!on) await voice.setCamera(false);
    app.render();
    if (!(await sendVideo(app, v, on)) && on) {
      v.camera = false;
      await voice.setCamera(false);
      app.render();
    }
  },
  "voice-settings"(app) {
    app.ui.voiceSettings = !app.ui.voiceSettings;
    app.ui.pttCapture = false;
    if (app.ui.voiceSettings) loadDevices(app);
    app.render();
  },
  "voice-volume"(app, data, el) {
    app.voice?.setVolume(data.user, Number(/** @type {HTMLInputElement} */ (el).value) / 100);
    app.render();
  },
  async "voice-pref"(app, data, el) {
    const input = /** @type {HTMLInputElement} */ (el);
    const value = input.type === "checkbox" ? input.checked : input.value;
    await app.voice?.setPrefs({ [data.pref]: value });
    if (data.pref === "input") loadDevices(app); // labels appear once a microphone is granted
    app.render();
  },
  "ptt-key"(app) {
    app.ui.pttCapture = true;
    app.render();
    const pick = (/** @type {KeyboardEvent} */ event) => {
      event.preventDefault();
      event.stopPropagation();
      globalThis.removeEventListener("keydown", pick, true);
      app.ui.pttCapture = false;
      if (event.code !== "Escape") app.voice?.setPrefs({ pttKey: event.code });
      app.render();
    };
    globalThis.addEventListener("keydown", pick, true);
  },
};
