// The JS gateway client's lifecycle against a scripted fake server (no network).
import assert from "node:assert/strict";
import { test } from "node:test";

import { GatewayClient, Op } from "../../../amityvox/web/js/gateway.js";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A fake WebSocket class whose instances a test script drives as the server. */
function fakeServer({ onOpen, onFrame } = {}) {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closed = null;
      sockets.push(this);
      setTimeout(() => onOpen?.(this, sockets.length - 1), 0);
    }
    send(text) {
      if (this.closed) throw new Error("closed");
      const frame = JSON.parse(text);
      this.sent.push(frame);
      onFrame?.(this, frame);
    }
    close(code = 1000, reason = "") {
      if (this.closed) return;
      this.closed = { code, reason, by: "client" };
      setTimeout(() => this.onclose?.({ code, reason }), 0);
    }
    // ---- the server's side ----
    push(frame) {
      if (!this.closed) this.onmessage?.({ data: JSON.stringify(frame) });
    }
    hello(interval = 60000) {
      this.push({ op: Op.HELLO, d: { heartbeat_interval: interval, build_version: "t" } });
    }
    dispatch(t, d) {
      this.seq = (this.seq ?? 0) + 1;
      this.push({ op: Op.DISPATCH, t, d, s: this.seq });
    }
    serverClose(code, reason = "") {
      if (this.closed) return;
      this.closed = { code, reason, by: "server" };
      setTimeout(() => this.onclose?.({ code, reason }), 0);
    }
  }
  return { FakeSocket, sockets };
}

function client(FakeSocket, extra = {}) {
  const gw = new GatewayClient({
    url: "ws://test/ws", token: "tok", WebSocket: FakeSocket, backoff: [0.005], jitter: 0, ...extra,
  });
  const events = [];
  gw.onEvent((name, d) => events.push([name, d]));
  return { gw, events };
}

async function until(check, what, ms = 2000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

const READY = { session_id: "sess-1", user: { id: "me" } };

test("HELLO then IDENTIFY, READY; a drop then RESUMEs with session_id and seq", async () => {
  const { FakeSocket, sockets } = fakeServer({
    onOpen: (ws) => ws.hello(),
    onFrame: (ws, f) => {
      if (f.op === Op.IDENTIFY) {
        ws.dispatch("READY", READY);
        ws.dispatch("MESSAGE_CREATE", { id: "m1" });
      }
      if (f.op === Op.RESUME) ws.push({ op: 0, t: "RESUMED", d: { replayed: 0 }, s: 3 });
    },
  });
  const { gw, events } = client(FakeSocket);
  gw.start();
  await until(() => events.length >= 2, "READY");
  assert.deepEqual(sockets[0].sent[0], { op: Op.IDENTIFY, d: { token: "tok" } });
  assert.equal(gw.connected, true);
  assert.equal(gw.seq, 2);
  sockets[0].serverClose(4009, "session timed out");
  await until(() => events.some(([n]) => n === "RESUMED"), "RESUMED");
  assert.deepEqual(events.map(([n]) => n), ["READY", "MESSAGE_CREATE", "GATEWAY_DISCONNECTED", "RESUMED"]);
  assert.deepEqual(events[2][1], { code: 4009, reason: "session timed out" });
  assert.deepEqual(sockets[1].sent[0], { op: Op.RESUME, d: { token: "tok", session_id: "sess-1", seq: 2, ready: false } });
  gw.close();
  await gw.running;
  assert.deepEqual(events.at(-1), ["GATEWAY_DISCONNECTED", { code: 1000, reason: "closed by the client" }]);
  assert.equal(sockets.length, 2);
});

test("close 4004 reports GATEWAY_AUTH_FAILED and never reconnects", async () => {
  const { FakeSocket, sockets } = fakeServer({
    onOpen: (ws) => ws.hello(),
    onFrame: (ws, f) => f.op === Op.IDENTIFY && ws.serverClose(4004, "authentication failed"),
  });
  const { gw, events } = client(FakeSocket);
  await gw.start();
  await tick(30);
  assert.deepEqual(events, [["GATEWAY_AUTH_FAILED", { code: 4004 }]]);
  assert.equal(sockets.length, 1);
  assert.match(gw.stopReason, /log in again/);
});

test("close 4007 forgets the session and IDENTIFYs anew at once", async () => {
  let n = 0;
  const { FakeSocket, sockets } = fakeServer({
    onOpen: (ws) => ws.hello(),
    onFrame: (ws, f) => {
      if (f.op === Op.IDENTIFY) ws.dispatch("READY", { ...READY, session_id: `s${++n}` });
      if (f.op === Op.RESUME) ws.serverClose(4007, "invalid session");
    },
  });
  // The first drop waits 5 ms; a second backoff wait (5 s) would time the test out.
  const { gw, events } = client(FakeSocket, { backoff: [0.005, 5] });
  gw.start();
  await until(() => events.length === 1, "READY");
  sockets[0].serverClose(4000);
  await until(() => events.filter(([e]) => e === "READY").length === 2, "second READY");
  // After the drop: RESUME (refused with 4007), then IDENTIFY at once (no backoff wait).
  assert.equal(sockets[1].sent[0].op, Op.RESUME);
  assert.deepEqual(sockets[2].sent[0], { op: Op.IDENTIFY, d: { token: "tok" } });
  assert.equal(gw.sessionId, "s2");
  gw.close();
});

test("op 6 RECONNECT resumes at once; after a failed RESUME it IDENTIFYs", async () => {
  const { FakeSocket, sockets } = fakeServer({
    onOpen: (ws, i) => {
      ws.hello();
      if (i === 1) setTimeout(() => ws.push({ op: Op.RECONNECT }), 5); // before RESUMED: session gone
    },
    onFrame: (ws, f) => {
      if (f.op === Op.IDENTIFY) {
        ws.dispatch("READY", READY);
        if (sockets.length === 1) setTimeout(() => ws.push({ op: Op.RECONNECT }), 5);
      }
    },
  });
  const { gw, events } = client(FakeSocket);
  gw.start();
  await until(() => sockets.length === 3 && sockets[2].sent.length > 0, "third connection", 3000);
  assert.equal(sockets[1].sent[0].op, Op.RESUME);
  assert.equal(sockets[2].sent[0].op, Op.IDENTIFY);
  assert.equal(sockets[0].closed.code, 4000); // resumable close
  assert.deepEqual(events[1], ["GATEWAY_DISCONNECTED", { reason: "the server asked to reconnect" }]);
  gw.close();
});

test("a missing heartbeat ACK makes a zombie: replaced and resumed", async () => {
  const { FakeSocket, sockets } = fakeServer({
    onOpen: (ws) => ws.hello(10),
    onFrame: (ws, f) => {
      if (f.op === Op.IDENTIFY) ws.dispatch("READY", READY);
      if (f.op === Op.RESUME) ws.push({ op: 0, t: "RESUMED", d: { replayed: 0 }, s: 2 });
      if (f.op === Op.HEARTBEAT && sockets.indexOf(ws) > 0) ws.push({ op: Op.HEARTBEAT_ACK });
    },
  });
  const { gw, events } = client(FakeSocket, { heartbeatAckTimeout: 0.03 });
  gw.start();
  await until(() => events.some(([n]) => n === "RESUMED"), "RESUMED");
  const drop = events.find(([n]) => n === "GATEWAY_DISCONNECTED");
  assert.match(drop[1].reason, /zombie/);
  assert.deepEqual(sockets[0].sent.find((f) => f.op === Op.HEARTBEAT), { op: Op.HEARTBEAT, d: 1 });
  await tick(60); // the second connection is answered: no more drops
  assert.equal(events.filter(([n]) => n === "GATEWAY_DISCONNECTED").length, 1);
  assert.equal(sockets.length, 2);
  gw.close();
});

test("the server's op 1 is answered with a heartbeat carrying the last seq", async () => {
  const { FakeSocket, sockets } = fakeServer({
    onOpen: (ws) => ws.hello(),
    onFrame: (ws, f) => f.op === Op.IDENTIFY && ws.dispatch("READY", READY),
  });
  const { gw, events } = client(FakeSocket);
  gw.start();
  await until(() => events.length === 1, "READY");
  sockets[0].push({ op: Op.HEARTBEAT });
  assert.deepEqual(sockets[0].sent.at(-1), { op: Op.HEARTBEAT, d: 1 });
  assert.equal(gw.sendTyping("c1"), true);
  assert.deepEqual(sockets[0].sent.at(-1), { op: Op.TYPING, d: { channel_id: "c1" } });
  gw.close();
  assert.equal(gw.sendTyping("c1"), false);
});

test("reconnects back off 1, 2, 5, 10, 30 s with jitter, then give up with GATEWAY_EXHAUSTED", async () => {
  const waits = [];
  const timers = {
    setTimeout: (fn, ms) => {
      if (ms === 99000) return setTimeout(fn, ms); // the HELLO deadline, not a backoff
      waits.push(ms);
      return setTimeout(fn, 0);
    },
    clearTimeout: (t) => clearTimeout(t),
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (t) => clearInterval(t),
  };
  const { FakeSocket } = fakeServer({ onOpen: (ws) => ws.serverClose(1006) });
  const gw = new GatewayClient({
    url: "ws://x/ws", token: "t", WebSocket: FakeSocket, maxAttempts: 7, timers, random: () => 1,
    connectTimeout: 99,
  });
  const events = [];
  gw.onEvent((name, d) => events.push([name, d]));
  await gw.start();
  assert.deepEqual(waits, [1500, 3000, 7500, 15000, 45000, 45000]);
  assert.equal(events.filter(([n]) => n === "GATEWAY_DISCONNECTED").length, 7);
  assert.deepEqual(events[0], ["GATEWAY_DISCONNECTED", { reason: "connection lost" }]);
  assert.deepEqual(events.at(-1), ["GATEWAY_EXHAUSTED", { attempts: 7 }]);
  assert.equal(gw.connects, 7);
});
