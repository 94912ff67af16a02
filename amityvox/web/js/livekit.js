// @ts-check
// Media through a LiveKit server (`media` "livekit"): the page joins the room named after the
// channel at `endpoint` with the `token` the server signed (its grants follow Speak and Stream),
// publishes our microphone, camera and screen tracks, and hands every track it subscribes to
// to the Voice, which plays and shows them as it does the mesh's. The SFU forwards each track
// once per listener, so a room's upload stays one stream per kind whatever its size.

import { Room, RoomEvent, Track } from "../vendor/livekit-client.esm.mjs";

/** Our kinds (voice.js KINDS) as LiveKit track sources, and back. */
const SOURCES = { audio: Track.Source.Microphone, camera: Track.Source.Camera, screen: Track.Source.ScreenShare };
const KIND_OF = { [Track.Source.Microphone]: "audio", [Track.Source.Camera]: "camera", [Track.Source.ScreenShare]: "screen" };

export class LiveKitLink {
  /** @param {import("./voice.js").Voice} voice */
  constructor(voice, { endpoint, token }) {
    this.media = /** @type {const} */ ("livekit");
    this.voice = voice;
    this.app = voice.app;
    this.url = endpoint;
    this.token = token;
    this.closed = false;
    /** @type {Map<string, any>} kind → our LocalTrackPublication */
    this.published = new Map();
    this.changes = Promise.resolve(); // publishing and unpublishing, one at a time
    this.room = new Room({ adaptiveStream: false, dynacast: true });
    this.listen(this.room);
    this.connected = this.connect();
  }

  listen(room) {
    room.on(RoomEvent.TrackSubscribed, (track, publication, participant) => {
      const kind = KIND_OF[publication.source] ?? (track.kind === "audio" ? "audio" : "camera");
      const stream = new MediaStream([track.mediaStreamTrack]);
      if (kind === "audio") this.voice.playAudio(participant.identity, stream);
      else this.voice.showVideo(participant.identity, kind, stream);
    });
    room.on(RoomEvent.TrackUnsubscribed, (track, publication, participant) => {
      const kind = KIND_OF[publication.source];
      if (kind && kind !== "audio") this.voice.showVideo(participant.identity, kind, null);
    });
    room.on(RoomEvent.ParticipantDisconnected, (participant) => this.voice.dropRemote(participant.identity));
    room.on(RoomEvent.ConnectionStateChanged, () => this.app.render());
    room.on(RoomEvent.Disconnected, () => this.app.render());
  }

  async connect() {
    try {
      await this.room.connect(this.url, this.token, { autoSubscribe: true });
    } catch (err) {
      if (!this.closed) this.app.toast(`Could not reach the voice server (${err.message}).`, "error");
      return false;
    }
    if (this.closed) {
      await this.room.disconnect();
      return false;
    }
    await this.voice.microphone;
    for (const kind of Object.keys(SOURCES)) this.setTrack(kind, this.voice.track(kind));
    return true;
  }

  configure(d) {
    // A fresh token for the same server changes nothing while connected; another server is a new room.
    if (d.endpoint && d.endpoint !== this.url) {
      this.room.disconnect();
      this.published.clear();
      this.url = d.endpoint;
      this.token = d.token;
      this.room = new Room({ adaptiveStream: false, dynacast: true });
      this.listen(this.room);
      this.connected = this.connect();
    }
  }

  sync() {
    // LiveKit tells us who is in the room; the voice states drop who left (Voice.sync).
  }

  onSignal() {
    // LiveKit signals through its own connection.
  }

  setTrack(kind, track) {
    this.changes = this.changes.then(() => this.put(kind, track)).catch((err) => {
      console.warn("voice track change failed:", err);
      if (kind !== "audio") this.app.toast(`The server refused your ${kind} (${err.message}).`, "warning");
    });
  }

  async put(kind, track) {
    if (this.closed || this.room.state !== "connected") return; // published on connecting
    const participant = this.room.localParticipant;
    const pub = this.published.get(kind);
    if (pub && track && pub.track) {
      await pub.track.replaceTrack(track, true);
    } else if (pub && !track) {
      this.published.delete(kind);
      if (pub.track) await participant.unpublishTrack(pub.track, false); // the Voice stops its own tracks
    } else if (!pub && track) {
      this.published.set(kind, await participant.publishTrack(track, { source: SOURCES[kind] }));
    }
  }

  connectedCount() {
    return this.room.state === "connected" ? this.room.remoteParticipants.size : 0;
  }

  async stats() {
    const out = {};
    for (const [uid, participant] of this.room.remoteParticipants) {
      out[uid] = { connection: this.room.state, tracks: participant.trackPublications.size };
    }
    return out;
  }

  close() {
    this.closed = true;
    this.room.disconnect();
  }
}
