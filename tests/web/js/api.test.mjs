// The REST client against a fake fetch, and the catalog comparison.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Api, ApiError, TOKEN_KEY, inviteCode } from "../../../amityvox/web/js/api.js";
import { compareWithCatalog, checkAgainstServer, isDevMode } from "../../../amityvox/web/js/catalog-check.js";

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
  };
}

function fakeFetch(responses) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, ...init });
    const next = responses.shift();
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch, calls };
}

const json = (status, body, headers = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers });

test("login stores the token; later calls send it as a bearer token and unwrap {data}", async () => {
  const storage = memoryStorage();
  const { fetch, calls } = fakeFetch([
    json(200, { data: { user: { id: "u1" }, token: "abc" } }),
    json(200, { data: [{ id: "g1" }] }),
  ]);
  const api = new Api({ fetch, storage });
  await api.login("alice", "pw");
  assert.equal(storage.getItem(TOKEN_KEY), "abc");
  assert.deepEqual(JSON.parse(calls[0].body), { username: "alice", password: "pw" });
  assert.equal(calls[0].headers.Authorization, undefined);
  assert.deepEqual(await api.get("/users/@me/guilds", { limit: 5, after: null }), [{ id: "g1" }]);
  assert.equal(calls[1].url, "/api/v1/users/@me/guilds?limit=5");
  assert.equal(calls[1].headers.Authorization, "Bearer abc");
});

test("an e-mail logs in as email", async () => {
  const { fetch, calls } = fakeFetch([json(200, { data: { user: {}, token: "t" } })]);
  await new Api({ fetch, storage: memoryStorage() }).login("a@example.org", "pw");
  assert.deepEqual(JSON.parse(calls[0].body), { email: "a@example.org", password: "pw" });
});

test("errors become ApiError with the server's code and message; 204 is null", async () => {
  const { fetch } = fakeFetch([
    json(403, { error: { code: "missing_permission", message: "you need ManageGuild" } }),
    new Response(null, { status: 204 }),
    json(502, undefined),
    new TypeError("connection refused"),
  ]);
  const api = new Api({ fetch, storage: memoryStorage() });
  await assert.rejects(api.patch("/guilds/g", { name: "x" }), (err) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 403);
    assert.equal(err.code, "missing_permission");
    assert.equal(err.message, "you need ManageGuild");
    return true;
  });
  assert.equal(await api.delete("/channels/c"), null);
  await assert.rejects(api.get("/x"), (err) => err.status === 502 && err.code === "http_502");
  await assert.rejects(api.get("/x"), (err) => err.status === 0 && err.code === "network_error");
});

test("429 waits retry_after and tries again; gives up after maxRetries", async () => {
  const limited = () => json(429, { error: { code: "rate_limited", message: "slow down", retry_after: 0.02 } });
  const { fetch, calls } = fakeFetch([limited(), json(201, { data: { id: "m1" } })]);
  const api = new Api({ fetch, storage: memoryStorage() });
  const started = Date.now();
  assert.deepEqual(await api.post("/channels/c/messages", { content: "hi" }), { id: "m1" });
  assert.ok(Date.now() - started >= 15);
  assert.equal(calls.length, 2);
  const { fetch: f2 } = fakeFetch([limited(), limited()]);
  const api2 = new Api({ fetch: f2, storage: memoryStorage(), maxRetries: 1 });
  await assert.rejects(api2.get("/x"), (err) => err.status === 429 && err.extra.retry_after === 0.02);
});

test("401 on an authenticated call tells the app; logout forgets the token even on failure", async () => {
  const storage = memoryStorage();
  storage.setItem(TOKEN_KEY, "old");
  const { fetch } = fakeFetch([
    json(401, { error: { code: "invalid_token", message: "log in again" } }),
    json(401, { error: { code: "invalid_token", message: "log in again" } }),
  ]);
  const api = new Api({ fetch, storage });
  let told = 0;
  api.onUnauthorized = () => told++;
  await assert.rejects(api.get("/users/@me"));
  assert.equal(told, 1);
  await assert.rejects(api.logout());
  assert.equal(storage.getItem(TOKEN_KEY), null);
});

test("invite codes come from codes and links", () => {
  assert.equal(inviteCode("  abc123 "), "abc123");
  assert.equal(inviteCode("http://chat.example/invite/abc123"), "abc123");
  assert.equal(inviteCode("https://chat.example/api/v1/invites/xyz/"), "xyz");
  assert.equal(inviteCode("https://chat.example/?invite=qq"), "qq");
  assert.equal(inviteCode("chat.example/invite/zz"), "zz");
  assert.equal(inviteCode(""), "");
});

test("the catalog comparison names missing and unknown handlers", async () => {
  const catalog = [
    { name: "READY", audience: "session" },
    { name: "GATEWAY_EXHAUSTED", audience: "local" },
    { name: "MESSAGE_CREATE", audience: "channel" },
    { name: "FEDERATION_RETRY", audience: "internal" },
  ];
  assert.deepEqual(compareWithCatalog(catalog, ["READY", "GATEWAY_EXHAUSTED", "MESSAGE_CREATE"]), {
    missing: [], unknown: [],
  });
  assert.deepEqual(compareWithCatalog(catalog, ["READY", "OLD_EVENT"]), {
    missing: ["GATEWAY_EXHAUSTED", "MESSAGE_CREATE"], unknown: ["OLD_EVENT"],
  });
  const warnings = [];
  const log = { warn: (m) => warnings.push(m) };
  await checkAgainstServer({ catalog: async () => catalog }, ["READY"], log);
  assert.match(warnings[0], /differs from the server's event catalog/);
  await checkAgainstServer({ catalog: async () => { throw new Error("down"); } }, ["READY"], log);
  assert.match(warnings[1], /could not load/);
});

test("dev mode: loopback hosts, ?dev=1 or a stored flag", () => {
  assert.equal(isDevMode({ hostname: "127.0.0.1", search: "" }, memoryStorage()), true);
  assert.equal(isDevMode({ hostname: "chat.example", search: "" }, memoryStorage()), false);
  assert.equal(isDevMode({ hostname: "chat.example", search: "?dev=1" }, memoryStorage()), true);
  const s = memoryStorage();
  s.setItem("amityvox.dev", "1");
  assert.equal(isDevMode({ hostname: "chat.example", search: "" }, s), true);
});
