// The JS stores against the Python SDK's: every vector (tests/web/vectors, made by
// tests/web/make_vectors.py from amityvox.client.state.State) applied to the JS state
// must give the same snapshot. Then a few hand-written checks of what the UI relies on.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { test, after } from "node:test";
import { fileURLToPath } from "node:url";

import { handlers } from "../../../amityvox/web/js/handlers.js";
import {
  apply,
  createState,
  handledNames,
  ingestMessages,
  messagesIn,
  snapshot,
  typingIn,
  UnknownEvent,
} from "../../../amityvox/web/js/state.js";

const here = dirname(fileURLToPath(import.meta.url));
const vectorDir = join(here, "..", "vectors");
const vectors = readdirSync(vectorDir).filter((f) => f.endsWith(".json")).sort();

after(() => {
  // Evidence for the parity report: the names these runs applied.
  const out = process.env.AMITYVOX_WEB_EVIDENCE_DIR;
  if (!out) return;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "node-handled.json"), JSON.stringify([...handledNames].sort()));
});

test("there are vectors", () => {
  assert.ok(vectors.length >= 5, `expected vectors in ${vectorDir}`);
});

for (const file of vectors) {
  const vector = JSON.parse(readFileSync(join(vectorDir, file), "utf-8"));
  test(`vector ${vector.name}: ${vector.doc}`, () => {
    const state = createState({ clock: () => 1000 });
    apply(state, "READY", structuredClone(vector.ready), { strict: true });
    vector.events.forEach(([name, d], i) => {
      try {
        apply(state, name, structuredClone(d), { strict: true });
      } catch (err) {
        err.message = `event #${i} ${name}: ${err.message}`;
        throw err;
      }
    });
    assert.deepStrictEqual(snapshot(state), vector.expected);
  });
}

test("an unknown event throws in strict mode and is ignored otherwise", () => {
  const state = createState();
  assert.throws(() => apply(state, "NOT_AN_EVENT", {}, { strict: true }), UnknownEvent);
  const warn = console.warn;
  const seen = [];
  console.warn = (msg) => seen.push(msg);
  try {
    assert.equal(apply(state, "NOT_AN_EVENT", {}), false);
  } finally {
    console.warn = warn;
  }
  assert.match(seen[0], /NOT_AN_EVENT/);
  assert.throws(() => apply(state, "toString", {}, { strict: true }), UnknownEvent);
});

test("every handler is a two-argument reducer", () => {
  for (const [name, fn] of Object.entries(handlers)) {
    assert.match(name, /^[A-Z][A-Z_]+$/);
    assert.equal(typeof fn, "function");
    assert.equal(fn.length, 2, name);
  }
});

// ---- hand-written checks of UI-facing behaviour ----------------------------------------------

const messagesVector = JSON.parse(readFileSync(join(vectorDir, "messages.json"), "utf-8"));

function readyState(now = 1000) {
  let t = now;
  const state = createState({ clock: () => t });
  apply(state, "READY", structuredClone(messagesVector.ready), { strict: true });
  return { state, tick: (s) => (t += s) };
}

test("typing expires after ten seconds unless renewed", () => {
  const { state, tick } = readyState();
  const channelId = messagesVector.ready.guilds[0].channels[1].id;
  const other = messagesVector.ready.relationships[0].target_id;
  apply(state, "TYPING_START", { channel_id: channelId, user_id: other, timestamp: "x" }, { strict: true });
  assert.deepEqual(typingIn(state, channelId), [other]);
  tick(9);
  assert.deepEqual(typingIn(state, channelId), [other]);
  tick(2);
  assert.deepEqual(typingIn(state, channelId), []);
});

test("REST history joins the cache without counting as unread", () => {
  const { state } = readyState();
  const channelId = messagesVector.ready.guilds[0].channels[1].id;
  const author = messagesVector.ready.relationships[0].user;
  const old = {
    id: "01H00000000000000000000001", channel_id: channelId, author_id: author.id, author, content: "old",
    message_type: "default", flags: 0, mention_user_ids: [], mention_role_ids: [], mention_here: false,
    attachments: [], embeds: [], reactions: [{ emoji: "👍", count: 2, me: true }], pinned: false, created_at: "x",
  };
  ingestMessages(state, channelId, [old]);
  assert.equal(state.read_state[channelId].unread_count, 0);
  const [shown] = messagesIn(state, channelId);
  assert.equal(shown.author.username, author.username);
  assert.deepEqual(shown.reactions, [{ emoji: "👍", count: 2, me: true }]);
  ingestMessages(state, "unknown-channel", [old]);
  assert.equal(state.messages["unknown-channel"], undefined);
});

test("partial payloads never create half objects", () => {
  const { state } = readyState();
  apply(state, "POLL_VOTE", { poll_id: "p", channel_id: "c", option_ids: [], options: [], total_votes: 1 });
  apply(state, "KANBAN_CARD_MOVE", { card_id: "k", board_id: "b", column_id: "c", position: 0, channel_id: "c" });
  apply(state, "SCREEN_SHARE_UPDATE", { session_id: "s", channel_id: "c", user_id: "u", framerate: 1 });
  apply(state, "GAME_MOVE", { game_id: "g", user_id: "u", move: {}, state: {}, status: "x", channel_id: "c" });
  apply(state, "WATCH_TOGETHER_SYNC", { session_id: "w", current_time_ms: 1, playing: true, playback_rate: 1, channel_id: "c" });
  apply(state, "CHANNEL_GROUP_ITEMS_UPDATE", { group_id: "g", guild_id: "x", channel_ids: [] });
  apply(state, "MESSAGE_EMBED_UPDATE", { message_id: "m", channel_id: "c", embeds: [] });
  assert.deepEqual(state.polls, {});
  assert.deepEqual(state.kanban_cards, {});
  assert.deepEqual(state.screen_shares, {});
  assert.deepEqual(state.games, {});
  assert.deepEqual(state.game_turns, {});
  assert.deepEqual(state.watch_together, {});
  assert.deepEqual(state.channel_groups, {});
  assert.equal(state.messages.c, undefined);
});
