// @ts-check
// Voice and video in the channel or call we are in: what this page captures (the microphone,
// the camera, the screen), what it plays (each other participant's audio and video), and the
// controls over both (mute, deafen, push-to-talk, per-user volume, devices, noise
// suppression, speaking indicators). How the media travels is a link chosen by the server's
// `media` (the join answer or VOICE_SERVER_UPDATE): "mesh" — one RTCPeerConnection to each
// other participant, signalled through the server (mesh.js) — or "livekit" — one connection
// to a LiveKit server (livekit.js).

import { Mesh } from "./mesh.js";

const SPEAKING_LEVEL = 0.02; // RMS of the signal (0..1) above which someone counts as speaking
const SPEAKING_EVERY_MS = 60;
const SPEAKING_WINDOW = 2048; // samples per measurement (~43 ms at 48 kHz), so short syllables are caught
const SPEAKING_HOLD_MS = 600; // the indicator stays lit this long after the last loud measurement, so it does not flicker
const PREFS_KEY = "amityvox.voice";

/** The kinds of media a participant sends: their microphone, their camera, their screen. */
export const KINDS = /** @type {const} */ (["audio", "camera", "screen"]);

/**
 * This browser's voice settings, kept in localStorage.
 * @typedef {Object} VoicePrefs
 * @property {string} input microphone device id ("" = the default)
 * @property {string} output speaker device id ("" = the default)
 * @property {boolean} noiseSuppression
 * @property {boolean} pushToTalk
 * @property {string} pttKey a KeyboardEvent.code
 * @property {Record<string, number>} volumes user id → playback volume (0..1)
 */

/** @type {VoicePrefs} */
const DEFAULT_PREFS = { input: "", output: "", noiseSuppression: true, pushToTalk: false, pttKey: "Backquote", volumes: {} };

/** @returns {VoicePrefs} */
export function readPrefs(app) {
  try {
    return { ...DEFAULT_PREFS, ...JSON.parse(app.read(PREFS_KEY) ?? "{}") };
  } catch {
    return { ...DEFAULT_PREFS };
  }
}

export function writePrefs(app, prefs) {
  app.write(PREFS_KEY, JSON.stringify(prefs));
}

/**
 * What a link does for the Voice: carry our tracks to the others and theirs to us.
 * @typedef {Object} Link
 * @property {"mesh" | "livekit"} media
 * @property {(d: any) => void} configure the join answer or VOICE_SERVER_UPDATE, again
 * @property {() => void} sync the voice states changed
 * @property {(kind: string, track: MediaStreamTrack | null) => void} setTrack one of our tracks changed
 * @property {(d: any) => void} onSignal a VOICE_SIGNAL for us
 * @property {() => number} connectedCount
 * @property {() => Promise<Record<string, any>>} stats per other participant
 * @property {() => void} close
 */

export class Voice {
  /** Start for `channelId`: asks for the microphone at once; connects after `configure`. */
  constructor(app, channelId, { mute = false, deaf = false } = {}) {
    this.app = app;
    this.channelId = channelId;
    this.mute = mute;
    this.deaf = deaf;
    this.serverMute = false;
    this.closed = false;
    this.prefs = readPrefs(app);
    this.talking = false; // push-to-talk key held
    this.local = null; // the microphone's stream (null: denied or absent; we still listen)
    /** @type {MediaStreamTrack | null} */
    this.camera = null;
    /** @type {MediaStreamTrack | null} */
    this.screen = null;
    /** @type {{camera: MediaStream | null, screen: MediaStream | null}} */
    this.own = { camera: null, screen: null }; // what our own tiles show
    /** @type {Map<string, {audio: HTMLAudioElement, camera: MediaStream | null, screen: MediaStream | null}>} */
    this.remotes = new Map();
    /** @type {Link | null} */
    this.link = null;
    this.seenSelf = false; // the self user has appeared in the channel's voice states
    this.sessionId = null; // the session holding that voice state
    this.speaking = new Set(); // user ids (the self user's too) whose audio is above SPEAKING_LEVEL
    this.meters = new Map(); // user id → AnalyserNode
    this.loudAt = new Map(); // user id → when their audio was last above SPEAKING_LEVEL (performance.now())
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.meterTimer = undefined; // samples the meters while anyone is in the call
    this.early = []; // VOICE_SIGNALs that came before the link (an offer can beat the join answer)
    this.microphone = this.openMicrophone();
    this.onKey = (event) => this.pushToTalk(event);
    globalThis.addEventListener?.("keydown", this.onKey);
    globalThis.addEventListener?.("keyup", this.onKey);
  }

  get me() {
    return this.app.state.self_user?.id;
  }

  get media() {
    return this.link?.media ?? null;
  }

  // ---- what we capture ------------------------------------------------------------------------

  /** getUserMedia's audio constraints from the settings. */
  audioConstraints() {
    const p = this.prefs;
    /** @type {MediaTrackConstraints} */
    const c = { noiseSuppression: p.noiseSuppression, echoCancellation: true, autoGainControl: true };
    if (p.input) c.deviceId = { exact: p.input };
    return c;
  }

  async openMicrophone() {
    // The old capture ends first: the browser keeps one set of processing settings per device.
    this.stopMicrophone();
    try {
      this.local = await navigator.mediaDevices.getUserMedia({ audio: this.audioConstraints(), video: false });
    } catch (err) {
      this.local = null;
      if (!this.closed) this.app.toast(`No microphone (${err.message}): you can listen but not talk.`, "warning");
    }
    if (this.closed) {
      this.stopMicrophone();
      return;
    }
    this.applyMute();
    if (this.local) this.meter(this.me, this.local);
    this.link?.setTrack("audio", this.micTrack());
  }

  micTrack() {
    return this.local?.getAudioTracks()[0] ?? null;
  }

  /** Our current track of each kind (null: none). */
  track(kind) {
    return kind === "audio" ? this.micTrack() : kind === "camera" ? this.camera : this.screen;
  }

  /** Turn the camera on or off; true when it is now as asked. */
  async setCamera(on) {
    if (!on) {
      this.camera?.stop();
      this.camera = null;
      this.link?.setTrack("camera", null);
      this.app.render();
      return true;
    }
    if (this.camera) return true;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 360 } } });
      this.camera = stream.getVideoTracks()[0];
      this.own.camera = stream;
    } catch (err) {
      this.app.toast(`No camera (${err.message}).`, "warning");
      return false;
    }
    if (this.closed) return this.setCamera(false);
    this.link?.setTrack("camera", this.camera);
    this.app.render();
    return true;
  }

  /** Share the screen (the browser asks which) or stop; `onEnded` runs when the browser's own
   * "Stop sharing" ends it. True when it is now as asked. */
  async setScreen(on, onEnded = () => {}) {
    if (!on) {
      this.screen?.stop();
      this.screen = null;
      this.link?.setTrack("screen", null);
      this.app.render();
      return true;
    }
    if (this.screen) return true;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      this.screen = stream.getVideoTracks()[0];
      this.own.screen = stream;
    } catch (err) {
      this.app.toast(`Screen sharing did not start (${err.message}).`, "warning");
      return false;
    }
    if (this.closed) return this.setScreen(false);
    this.screen.addEventListener("ended", () => {
      if (!this.screen || this.screen.readyState !== "ended") return;
      this.screen = null;
      this.link?.setTrack("screen", null);
      onEnded();
    });
    this.link?.setTrack("screen", this.screen);
    this.app.render();
    return true;
  }

  // ---- the link -------------------------------------------------------------------------------

  /** The server's media settings (the join answer or VOICE_SERVER_UPDATE).
   * @param {any} [d] */
  configure(d = {}) {
    if (this.closed) return;
    const media = d.media === "livekit" ? "livekit" : "mesh";
    if (this.link?.media === media) {
      this.link.configure(d);
    } else {
      this.link?.close();
      if (media === "livekit") {
        // Loaded only when used: the LiveKit client is large.
        this.link = null;
        import("./livekit.js").then(({ LiveKitLink }) => {
          if (this.closed || this.link) return;
          this.link = new LiveKitLink(this, d);
          this.app.render();
        }, (err) => this.app.toast(`Voice could not start (${err.message}).`, "error"));
      } else {
        this.link = new Mesh(this, d);
        for (const signal of this.early.splice(0)) this.link.onSignal(signal);
      }
    }
    this.sync();
  }

  /** False once the self user, seen in the channel, is no longer in it (left, moved, removed).
   * Before the join shows up in the voice states (a move's leave comes first) it is true. */
  stillIn() {
    const mine = this.app.state.voice_states[this.channelId]?.[this.me];
    if (mine) {
      this.seenSelf = true;
      this.sessionId = mine.session_id; // a moderator's move keeps it; another tab's join does not
    }
    return !!mine || !this.seenSelf;
  }

  /** Follow the voice states: obey a server mute; the link connects to newcomers and drops who left. */
  sync() {
    if (this.closed) return;
    const states = this.app.state.voice_states[this.channelId] ?? {};
    this.serverMute = !!states[this.me]?.mute;
    this.applyMute();
    for (const uid of [...this.remotes.keys()]) if (!states[uid]) this.dropRemote(uid);
    this.link?.sync();
  }

  /** A VOICE_SIGNAL addressed to us. */
  onSignal(d) {
    if (d.channel_id !== this.channelId || d.to_user_id !== this.me) return;
    if (this.link) this.link.onSignal(d);
    else this.early.push(d);
  }

  // ---- what we play ---------------------------------------------------------------------------

  remote(uid) {
    let r = this.remotes.get(uid);
    if (r) return r;
    const audio = document.createElement("audio");
    audio.autoplay = true;
    audio.dataset.user = uid;
    this.box().append(audio);
    r = { audio, camera: null, screen: null };
    this.remotes.set(uid, r);
    this.applyPlayback(uid);
    return r;
  }

  /** A participant's audio arrived (or changed). */
  playAudio(uid, stream) {
    const r = this.remote(uid);
    r.audio.srcObject = stream;
    r.audio.play?.()?.catch?.(() => {}); // autoplay may wait for a click; the stream still flows
    this.meter(uid, stream);
  }

  /** A participant's camera or screen (null: gone). */
  showVideo(uid, kind, stream) {
    const r = this.remote(uid);
    r[kind] = stream;
    this.app.render();
  }

  /** What a video tile of `uid` shows: ours, or theirs while their voice state says it is on. */
  videoOf(uid, kind) {
    if (uid === this.me) return this.track(kind) ? this.own[kind] : null;
    const vs = this.app.state.voice_states[this.channelId]?.[uid];
    const on = kind === "camera" ? vs?.self_video : vs?.self_stream;
    return on ? this.remotes.get(uid)?.[kind] ?? null : null;
  }

  dropRemote(uid) {
    const r = this.remotes.get(uid);
    if (!r) return;
    this.remotes.delete(uid);
    r.audio.srcObject = null;
    r.audio.remove();
    this.meters.delete(uid);
    this.speaking.delete(uid);
    this.loudAt.delete(uid);
  }

  applyPlayback(uid) {
    const r = this.remotes.get(uid);
    if (!r) return;
    r.audio.muted = this.deaf;
    r.audio.volume = Math.min(1, Math.max(0, this.prefs.volumes[uid] ?? 1));
    const sink = this.prefs.output;
    const el = /** @type {any} */ (r.audio);
    if (el.setSinkId && (el.sinkId ?? "") !== sink) el.setSinkId(sink).catch(() => {});
  }

  // ---- controls -------------------------------------------------------------------------------

  setMute(mute) {
    this.mute = mute;
    this.applyMute();
  }

  setDeaf(deaf) {
    this.deaf = deaf;
    for (const uid of this.remotes.keys()) this.applyPlayback(uid);
  }

  /** Is our microphone open: not muted (by us or the server), and with push-to-talk, the key held. */
  get transmitting() {
    return !(this.mute || this.serverMute || (this.prefs.pushToTalk && !this.talking));
  }

  applyMute() {
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = this.transmitting;
  }

  setVolume(uid, volume) {
    this.prefs.volumes[uid] = volume;
    writePrefs(this.app, this.prefs);
    this.applyPlayback(uid);
  }

  /** Change the settings; a new microphone or noise suppression reopens the microphone. */
  async setPrefs(changes) {
    const reopen = ["input", "noiseSuppression"].some((k) => k in changes && changes[k] !== this.prefs[k]);
    Object.assign(this.prefs, changes);
    writePrefs(this.app, this.prefs);
    this.talking = false;
    this.applyMute();
    for (const uid of this.remotes.keys()) this.applyPlayback(uid);
    if (reopen) await (this.microphone = this.openMicrophone());
  }

  pushToTalk(event) {
    if (!this.prefs.pushToTalk || event.code !== this.prefs.pttKey || event.repeat) return;
    const t = event.target;
    if (event.type === "keydown" && (t?.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t?.tagName))) return;
    const talking = event.type === "keydown";
    if (talking === this.talking) return;
    this.talking = talking;
    this.applyMute();
    this.app.render();
  }

  /** Leave: the link closed, every track stopped. */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.early = [];
    this.link?.close();
    for (const uid of [...this.remotes.keys()]) this.dropRemote(uid);
    this.stopMicrophone();
    this.camera?.stop();
    this.screen?.stop();
    globalThis.removeEventListener?.("keydown", this.onKey);
    globalThis.removeEventListener?.("keyup", this.onKey);
    clearInterval(this.meterTimer);
    this.audioContext?.close?.();
    this.speaking.clear();
    this.loudAt.clear();
  }

  stopMicrophone() {
    for (const track of this.local?.getTracks() ?? []) track.stop();
  }

  box() {
    let box = document.getElementById("voice-audio");
    if (!box) {
      box = document.createElement("div");
      box.id = "voice-audio";
      box.hidden = true;
      document.body.append(box);
    }
    return box;
  }

  // ---- speaking indicators --------------------------------------------------------------------

  meter(uid, stream) {
    const Context = globalThis.AudioContext;
    if (!Context || !uid) return;
    if (!this.audioContext) {
      this.audioContext = new Context();
      this.audioContext.resume?.()?.catch?.(() => {}); // created outside a click it may start suspended
    }
    const analyser = this.audioContext.createAnalyser();
    analyser.fftSize = SPEAKING_WINDOW;
    this.audioContext.createMediaStreamSource(stream).connect(analyser);
    this.meters.set(uid, analyser);
    this.meterTimer ??= setInterval(() => this.measure(), SPEAKING_EVERY_MS);
  }

  measure() {
    const samples = new Float32Array(SPEAKING_WINDOW);
    const now = performance.now();
    let changed = false;
    for (const [uid, analyser] of this.meters) {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const x of samples) sum += x * x;
      const muted = uid === this.me && !this.transmitting;
      if (muted) this.loudAt.delete(uid);
      else if (Math.sqrt(sum / samples.length) > SPEAKING_LEVEL) this.loudAt.set(uid, now);
      const speaking = now - (this.loudAt.get(uid) ?? -Infinity) < SPEAKING_HOLD_MS;
      if (speaking !== this.speaking.has(uid)) {
        changed = true;
        if (speaking) this.speaking.add(uid);
        else this.speaking.delete(uid);
      }
    }
    if (changed) this.app.render();
  }

  // ---- for the voice panel and the tests --------------------------------------------------------

  /** How many others our media reaches (the link is up to them). */
  connectedCount() {
    return this.link?.connectedCount() ?? 0;
  }

  /** Per other participant: the connection state, the audio and video bytes received and sent,
   * and whether our microphone track is sending. */
  stats() {
    return this.link?.stats() ?? Promise.resolve({});
  }
}
