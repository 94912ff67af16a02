// The search box's query language and message links, without a page.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createState } from "../../../amityvox/web/js/state.js";
import { parseLink } from "../../../amityvox/web/js/ui/jump.js";
import { parseQuery } from "../../../amityvox/web/js/ui/search.js";

const G = "01J0000000000000000000000G";
const C = "01J0000000000000000000000C";
const M = "01J0000000000000000000000M";
const ALICE = "01J000000000000000000000A1";
const BOB = "01J000000000000000000000B1";

function app() {
  const state = createState();
  state.users[ALICE] = { id: ALICE, username: "alice", display_name: "Alice A" };
  state.users[BOB] = { id: BOB, username: "bob" };
  state.members[G] = { [ALICE]: { user_id: ALICE, guild_id: G, roles: [] }, [BOB]: { user_id: BOB, guild_id: G, roles: [], nickname: "Bobby" } };
  state.channels[C] = { id: C, guild_id: G, name: "general", channel_type: "text" };
  return { state };
}

test("message links are read from paths, addresses and hashes", () => {
  assert.deepEqual(parseLink(`/channels/${G}/${C}/${M}`), { guildId: G, channelId: C, messageId: M });
  assert.deepEqual(parseLink(`#/channels/@me/${C}/${M}`), { guildId: null, channelId: C, messageId: M });
  assert.deepEqual(parseLink(`#/channels/${G}/${C}`), { guildId: G, channelId: C, messageId: null });
  assert.equal(parseLink("/channels/nope/x/y"), null);
  assert.equal(parseLink(""), null);
});

test("filters become parameters and chips; the rest are the words", () => {
  const { params, chips, error } = parseQuery(app(), 'from:alice in:#general has:link before:2026-05-01 pinned "old oak" tree', G);
  assert.equal(error, null);
  assert.equal(params.get("author_id"), ALICE);
  assert.equal(params.get("channel_id"), C);
  assert.equal(params.get("has"), "link");
  assert.equal(params.get("before"), "2026-05-01");
  assert.equal(params.get("pinned"), "true");
  assert.equal(params.get("q"), '"old oak" tree');
  assert.deepEqual(chips.map((c) => c.label), ["from: alice", "in: #general", "has: link", "before: 2026-05-01", "pinned"]);
});

test("names resolve by username, display name or nickname; unknown ones are errors", () => {
  assert.equal(parseQuery(app(), "from:Bobby x", G).params.get("author_id"), BOB);
  assert.equal(parseQuery(app(), "mentions:@alice", G).params.get("mentions"), ALICE);
  assert.equal(parseQuery(app(), "from:carol x", G).error, "No one called “carol” here.");
  assert.match(parseQuery(app(), "has:gif", G).error, /^has: takes/);
  assert.equal(parseQuery(app(), "in:general", null).error, "in: works inside a server.");
  assert.equal(parseQuery(app(), "pinned:no", G).params.get("pinned"), "false");
});
