// Channel names as the create dialog shows them: the server's cases (tests/guilds/channel_names.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { channelName } from "../../../amityvox/web/js/ui/channel-name.js";

const { cases } = JSON.parse(readFileSync(new URL("../../guilds/channel_names.json", import.meta.url), "utf-8"));

test("channel names normalise as the server stores them", () => {
  assert.ok(cases.length > 10);
  for (const [typed, kind, stored] of cases) assert.equal(channelName(typed, kind), stored, `${JSON.stringify(typed)} (${kind})`);
});
