// @ts-check
// Peer-to-peer media: one RTCPeerConnection to each other participant of the voice channel or
// call (a mesh, at most `max_peers` of them). Offers, answers and ICE candidates travel through
// the server (POST /voice/{c}/signal → VOICE_SIGNAL to that one user), which relays them only
// between two people who are both in the channel.
//
// Who offers: of each pair, the participant with the smaller user id. Both sides know the
// pair from the voice states, so exactly one side offers and offers never cross ("glare").
//
// Each connection carries three transceivers in a fixed order — the microphone, the camera,
// the screen (voice.js KINDS) — negotiated once, sending in both directions. Turning the camera
// or the screen on or off puts its track on that transceiver's sender (replaceTrack), so no
// second offer is needed, and the two sides know which video is which by its position.

import { voiceIn } from "./state.js";
import { KINDS } from "./voice.js";

const DEFAULT_MAX_PEERS = 6;
const MAX_ATTEMPTS = 3; // connections to one peer that may fail before we stop offering (no route: no TURN)

export class Mesh {
  /** @param {import("./voice.js").Voice} voice */
  constructor(voice, d = {}) {
    this.media = /** @type {const} */ ("mesh");
    this.voice = voice;
    this.app = voice.app;
    this.channelId = voice.channelId;
    this.closed = false;
    this.peers = new Map(); // user id → {pc, candidates}
    this.offering = new Set(); // user ids we will offer to once the microphone is open
    this.failures = new Map(); // user id → connections to them that failed
    this.inbox = Promise.resolve(); // signals are handled one after another, in arrival order
    this.outbox = Promise.resolve(); // and sent one after another, so they arrive in order
    this.configure(d);
  }

  get me() {
    return this.voice.me;
  }

  configure({ ice_servers: iceServers = [], max_peers: maxPeers = DEFAULT_MAX_PEERS } = {}) {
    this.iceServers = iceServers.map((s) => ({ ...s }));
    this.maxPeers = maxPeers;
  }

  /** Connect to newcomers, drop who left. */
  sync() {
    if (this.closed) return;
    const me = this.me;
    const others = voiceIn(this.app.state, this.channelId).map((vs) => vs.user_id).filter((uid) => uid !== me);
    for (const uid of [...this.peers.keys()]) if (!others.includes(uid)) this.drop(uid);
    for (const uid of [...this.failures.keys()]) if (!others.includes(uid)) this.failures.delete(uid);
    for (const uid of others) {
      const busy = this.peers.has(uid) || this.offering.has(uid) || (this.failures.get(uid) ?? 0) >= MAX_ATTEMPTS;
      if (!busy && me < uid && this.peers.size + this.offering.size < this.maxPeers) {
        this.offer(uid).catch((err) => console.warn("voice offer failed:", err));
      }
    }
  }

  setTrack(kind, track) {
    const slot = KINDS.indexOf(kind);
    for (const p of this.peers.values()) {
      const sender = p.pc.getTransceivers()[slot]?.sender;
      sender?.replaceTrack(track).catch((err) => console.warn("voice track change failed:", err));
    }
  }

  // ---- peer connections -----------------------------------------------------------------------

  peer(uid) {
    let p = this.peers.get(uid);
    if (p) return p;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    p = { pc, candidates: [] };
    this.peers.set(uid, p);
    pc.onicecandidate = (e) => {
      if (e.candidate?.candidate) this.send(uid, "ice", { candidate: e.candidate.toJSON() });
    };
    pc.ontrack = (e) => {
      const kind = KINDS[pc.getTransceivers().indexOf(e.transceiver)];
      const stream = new MediaStream([e.track]);
      if (kind === "audio") this.voice.playAudio(uid, stream);
      else if (kind) this.voice.showVideo(uid, kind, stream);
    };
    pc.onconnectionstatechange = () => {
      // A connection that failed (a network change, a peer that vanished) starts over: the
      // offering side drops it and offers anew; the other side takes a new offer as a new connection.
      if (pc.connectionState === "failed" && this.peers.get(uid) === p && this.me < uid) {
        this.failures.set(uid, (this.failures.get(uid) ?? 0) + 1);
        this.drop(uid);
        this.sync();
      }
      this.app.render();
    };
    return p;
  }

  /** Our tracks onto the connection's transceivers, all sending and receiving. */
  attach(pc) {
    const transceivers = pc.getTransceivers();
    KINDS.forEach((kind, i) => {
      const t = transceivers[i] ?? pc.addTransceiver(kind === "audio" ? "audio" : "video", { direction: "sendrecv" });
      t.direction = "sendrecv";
      const track = this.voice.track(kind);
      if (track) t.sender.replaceTrack(track);
    });
  }

  async offer(uid) {
    this.offering.add(uid); // at once, so a second sync does not offer twice
    try {
      await this.voice.microphone;
    } finally {
      this.offering.delete(uid);
    }
    const here = this.app.state.voice_states[this.channelId]?.[uid];
    if (this.closed || this.peers.has(uid) || !here) return;
    const p = this.peer(uid);
    this.attach(p.pc);
    await p.pc.setLocalDescription(await p.pc.createOffer());
    this.send(uid, "offer", { sdp: p.pc.localDescription.sdp });
  }

  onSignal(d) {
    this.inbox = this.inbox.then(() => this.handle(d)).catch((err) => console.warn("voice signal failed:", err));
  }

  async handle(d) {
    await this.voice.microphone;
    if (this.closed) return;
    const uid = d.from_user_id;
    if (d.kind === "offer") {
      if (!this.peers.has(uid) && this.peers.size >= this.maxPeers) return; // the mesh is full
      this.drop(uid); // an offer always starts a connection afresh (see onconnectionstatechange)
      const p = this.peer(uid);
      await p.pc.setRemoteDescription({ type: "offer", sdp: d.sdp });
      this.attach(p.pc);
      await this.addCandidates(p);
      await p.pc.setLocalDescription(await p.pc.createAnswer());
      this.send(uid, "answer", { sdp: p.pc.localDescription.sdp });
    } else if (d.kind === "answer") {
      const p = this.peers.get(uid);
      if (!p || p.pc.signalingState !== "have-local-offer") return;
      await p.pc.setRemoteDescription({ type: "answer", sdp: d.sdp });
      await this.addCandidates(p);
    } else if (d.kind === "ice" && d.candidate) {
      const p = this.peers.get(uid);
      if (!p) return;
      p.candidates.push(d.candidate);
      if (p.pc.remoteDescription) await this.addCandidates(p);
    }
  }

  async addCandidates(p) {
    for (const candidate of p.candidates.splice(0)) await p.pc.addIceCandidate(candidate);
  }

  send(uid, kind, extra) {
    const body = { to_user_id: uid, kind, ...extra };
    this.outbox = this.outbox
      .then(() => (this.closed ? null : this.app.api.post(`/voice/${this.channelId}/signal`, body)))
      .catch(() => {}); // the peer left meanwhile: its connection is dropped with its voice state
  }

  drop(uid) {
    const p = this.peers.get(uid);
    if (!p) return;
    this.peers.delete(uid);
    p.pc.close();
    this.voice.dropRemote(uid);
  }

  close() {
    this.closed = true;
    for (const uid of [...this.peers.keys()]) this.drop(uid);
  }

  // ---- for the voice panel and the tests --------------------------------------------------------

  /** How many peers are connected (ICE and DTLS up). */
  connectedCount() {
    return [...this.peers.values()].filter((p) => p.pc.connectionState === "connected").length;
  }

  async stats() {
    const out = {};
    for (const [uid, p] of this.peers) {
      const bytes = { audioIn: 0, audioOut: 0, videoIn: 0, videoOut: 0 };
      (await p.pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp") bytes[`${r.kind}In`] += r.bytesReceived ?? 0;
        if (r.type === "outbound-rtp") bytes[`${r.kind}Out`] += r.bytesSent ?? 0;
      });
      const sender = p.pc.getTransceivers()[0]?.sender;
      out[uid] = {
        connection: p.pc.connectionState,
        bytesReceived: bytes.audioIn,
        bytesSent: bytes.audioOut,
        videoReceived: bytes.videoIn,
        videoSent: bytes.videoOut,
        sending: !!sender?.track?.enabled,
      };
    }
    return out;
  }
}
