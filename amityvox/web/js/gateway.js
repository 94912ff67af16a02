// @ts-check
// Gateway client (docs/protocol.md), the same lifecycle as the Python SDK's GatewayClient:
// HELLO → IDENTIFY, or RESUME (session_id + seq) after a drop; heartbeats with an ACK
// timeout (a silent connection is a zombie: replaced and resumed); reconnects back off
// 1, 2, 5, 10, 30 s plus jitter. Three client-local events report the connection:
// GATEWAY_DISCONNECTED on every lost connection, GATEWAY_AUTH_FAILED on close 4004 (stop:
// the token is no good) and GATEWAY_EXHAUSTED when `maxAttempts` connections in a row failed.

export const Op = Object.freeze({
  DISPATCH: 0, HEARTBEAT: 1, IDENTIFY: 2, PRESENCE_UPDATE: 3, VOICE_STATE_UPDATE: 4, RESUME: 5,
  RECONNECT: 6, REQUEST_MEMBERS: 7, TYPING: 8, SUBSCRIBE: 9, HELLO: 10, HEARTBEAT_ACK: 11,
});

export const AUTHENTICATION_FAILED = 4004;
export const INVALID_RESUME = 4007;
// Closing with 1000/1001 ends the server-side session; any other code keeps it resumable.
const CLOSE_RESUMABLE = 4000;
// Codes the browser reports when no close frame was received: no code from the server.
const NO_SERVER_CODE = new Set([1005, 1006]);

/** The drop of one connection: how it ended and what to do next. */
function newDrop() {
  return { code: null, reason: null, established: false, invalidSession: false, immediate: false };
}

export class GatewayClient {
  /**
   * `url` is what GET /api/v1/gateway answers. `WebSocket`, `timers` and `random` can be
   * replaced (tests). `backoff` holds the delays (seconds) before successive reconnects, the
   * last repeating, each stretched by up to `jitter` at random. `heartbeatAckTimeout`
   * (seconds; default twice the heartbeat interval) is how long a heartbeat may go unanswered.
   */
  constructor({
    url,
    token,
    WebSocket = globalThis.WebSocket,
    maxAttempts = 10,
    backoff = [1, 2, 5, 10, 30],
    jitter = 0.5,
    heartbeatAckTimeout = null,
    connectTimeout = 10,
    timers = globalThis,
    random = Math.random,
  }) {
    this.url = url;
    this.token = token;
    this.WebSocket = WebSocket;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff.length ? [...backoff] : [1];
    this.jitter = jitter;
    this.heartbeatAckTimeout = heartbeatAckTimeout;
    this.connectTimeout = connectTimeout;
    this.timers = timers;
    this.random = random;
    this.sessionId = null;
    this.seq = null;
    this.connected = false;
    this.connects = 0; // connection attempts made, successful or not
    this.stopped = false;
    this.stopReason = null;
    this.ws = null;
    this.listeners = new Set();
    this.closing = false;
    this.nextDelay = null; // seconds until the next attempt, while waiting for it
    this.wakeUp = null;
  }

  /** `fn(name, d)` for every dispatch and client-local event, in order. Returns an unsubscribe. */
  onEvent(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(name, d) {
    for (const fn of [...this.listeners]) {
      try {
        fn(name, d);
      } catch (err) {
        console.error(`handling ${name} failed`, err);
      }
    }
  }

  /** Connect in the background; events report everything from here on. */
  start() {
    if (this.running) throw new Error("the gateway client is already running");
    this.closing = false;
    this.stopped = false;
    this.stopReason = null;
    this.running = this.run().finally(() => {
      this.running = null;
      this.stopped = true;
    });
    return this.running;
  }

  /** Close for good (the session ends on the server); nothing reconnects afterwards. */
  close() {
    this.closing = true;
    const wasConnected = this.connected;
    this.connected = false;
    this.wakeUp?.();
    if (this.ws) {
      try {
        this.ws.close(1000, "client closing");
      } catch {
        // already closed
      }
    }
    if (wasConnected) this.emit("GATEWAY_DISCONNECTED", { code: 1000, reason: "closed by the client" });
  }

  /** Skip the wait before the next reconnect attempt (a "retry now" button). */
  retryNow() {
    this.wakeUp?.();
  }

  sleep(seconds) {
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(done, seconds * 1000);
      const self = this;
      function done() {
        self.timers.clearTimeout(timer);
        self.wakeUp = null;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  async run() {
    let failures = 0; // connection attempts in a row that did not reach READY/RESUMED
    let step = 0; // position in `backoff`
    let delay = null; // null: the first connection
    while (!this.closing) {
      if (delay) {
        this.nextDelay = delay;
        await this.sleep(delay);
        this.nextDelay = null;
        if (this.closing) return;
      }
      const drop = await this.connectOnce();
      if (this.closing) return;
      this.connected = false;
      if (drop.established) {
        failures = 0;
        step = 0;
      } else {
        failures += 1;
      }
      if (drop.code === AUTHENTICATION_FAILED) {
        this.stopReason = "authentication failed: log in again";
        this.emit("GATEWAY_AUTH_FAILED", { code: AUTHENTICATION_FAILED });
        return;
      }
      let immediate = drop.immediate;
      if (drop.invalidSession || drop.code === INVALID_RESUME) {
        this.sessionId = null;
        this.seq = null;
        immediate = true; // IDENTIFY anew at once
      }
      const payload = {};
      if (drop.code != null) payload.code = drop.code;
      if (drop.reason) payload.reason = drop.reason;
      this.emit("GATEWAY_DISCONNECTED", payload);
      if (failures >= this.maxAttempts) {
        this.stopReason = `gave up after ${failures} failed connection attempts`;
        this.emit("GATEWAY_EXHAUSTED", { attempts: failures });
        return;
      }
      // At most one immediate reconnect in a row, so a server that keeps asking cannot spin us.
      if (immediate && failures <= 1 && delay !== 0) {
        delay = 0;
      } else {
        const base = this.backoff[Math.min(step, this.backoff.length - 1)];
        delay = base * (1 + this.random() * this.jitter);
        step += 1;
      }
    }
  }

  /** One connection, from opening to its end; resolves with how it ended. */
  connectOnce() {
    this.connects += 1;
    return new Promise((resolve) => {
      const drop = newDrop();
      const t = this.timers;
      let ws;
      let resuming = false;
      let beatTimer = null;
      let ackTimer = null;
      let awaitingAck = false;
      let finished = false;
      let helloTimer = null;

      const finish = () => {
        if (finished) return;
        finished = true;
        t.clearTimeout(helloTimer);
        t.clearInterval(beatTimer);
        t.clearTimeout(ackTimer);
        if (this.ws === ws) this.ws = null;
        this.connected = false;
        resolve(drop);
      };
      const send = (op, d) => {
        try {
          ws.send(JSON.stringify({ op, d }));
        } catch {
          // closing: the close event ends this connection
        }
      };
      const beat = () => {
        if (awaitingAck) return; // the ACK timer decides
        awaitingAck = true;
        send(Op.HEARTBEAT, this.seq);
        ackTimer = t.setTimeout(zombie, this.ackTimeoutMs);
      };
      const zombie = () => {
        if (!awaitingAck || finished) return;
        drop.reason = "no heartbeat ACK: the connection is a zombie";
        drop.immediate = true;
        finish(); // a zombie will not answer a close handshake either: do not wait for one
        try {
          ws.close(CLOSE_RESUMABLE, "zombie");
        } catch {
          // already gone
        }
      };

      try {
        ws = new this.WebSocket(this.url);
      } catch (err) {
        drop.reason = String(err?.message ?? err);
        finish();
        return;
      }
      this.ws = ws;
      helloTimer = t.setTimeout(() => {
        drop.reason = "no HELLO from the server in time";
        finish();
        try {
          ws.close(CLOSE_RESUMABLE, "no hello");
        } catch {
          // already gone
        }
      }, this.connectTimeout * 1000);

      ws.onmessage = (event) => {
        if (finished) return;
        let frame;
        try {
          frame = JSON.parse(typeof event.data === "string" ? event.data : String(event.data));
        } catch {
          drop.reason = "bad frame from the server";
          finish();
          ws.close(CLOSE_RESUMABLE, "bad frame");
          return;
        }
        switch (frame.op) {
          case Op.HELLO: {
            t.clearTimeout(helloTimer);
            const interval = frame.d.heartbeat_interval;
            this.ackTimeoutMs = this.heartbeatAckTimeout != null ? this.heartbeatAckTimeout * 1000 : 2 * interval;
            resuming = this.sessionId != null && this.seq != null;
            if (resuming) {
              // ready: false — the cache is kept, so no fresh READY after RESUMED.
              send(Op.RESUME, { token: this.token, session_id: this.sessionId, seq: this.seq, ready: false });
            } else {
              send(Op.IDENTIFY, { token: this.token });
            }
            beatTimer = t.setInterval(beat, interval);
            break;
          }
          case Op.DISPATCH: {
            if (frame.s != null) this.seq = frame.s;
            const name = String(frame.t);
            const d = frame.d && typeof frame.d === "object" ? frame.d : {};
            if (name === "READY") this.sessionId = d.session_id;
            if (name === "READY" || name === "RESUMED") {
              drop.established = true;
              this.connected = true;
            }
            this.emit(name, d);
            break;
          }
          case Op.HEARTBEAT_ACK:
            awaitingAck = false;
            t.clearTimeout(ackTimer);
            break;
          case Op.HEARTBEAT:
            send(Op.HEARTBEAT, this.seq);
            break;
          case Op.RECONNECT:
            // After a RESUME that has not succeeded, RECONNECT means the session is gone.
            drop.invalidSession = resuming && !drop.established;
            drop.immediate = true;
            drop.reason = "the server asked to reconnect";
            finish();
            ws.close(CLOSE_RESUMABLE, "reconnecting");
            break;
          default:
            break;
        }
      };
      ws.onclose = (event) => {
        if (finished) return;
        if (!NO_SERVER_CODE.has(event.code)) drop.code = event.code;
        drop.reason = drop.reason ?? (event.reason || (drop.code == null ? "connection lost" : null));
        finish();
      };
      ws.onerror = () => {
        // The close event that follows says how it ended.
      };
    });
  }

  // ---- sending --------------------------------------------------------------------------------

  /** One frame on the live connection; false when there is none. */
  send(op, d = null) {
    const ws = this.ws;
    if (!ws || !this.connected) return false;
    ws.send(JSON.stringify({ op, d }));
    return true;
  }

  sendTyping(channelId) {
    return this.send(Op.TYPING, { channel_id: channelId });
  }

  updatePresence(status) {
    return this.send(Op.PRESENCE_UPDATE, { status });
  }

  updateVoiceState(guildId, channelId, selfMute = false, selfDeaf = false, selfVideo = undefined) {
    const d = { channel_id: channelId, self_mute: selfMute, self_deaf: selfDeaf };
    if (guildId != null) d.guild_id = guildId;
    if (selfVideo !== undefined) d.self_video = selfVideo;
    return this.send(Op.VOICE_STATE_UPDATE, d);
  }

  requestMembers(guildId, query = "", limit = 100) {
    return this.send(Op.REQUEST_MEMBERS, { guild_id: guildId, query, limit });
  }

  subscribe(channelIds) {
    return this.send(Op.SUBSCRIBE, { channel_ids: channelIds });
  }
}
