// Which commands the `/` menu offers in a channel (ui/slash.js `usable`): the server's rule, with
// the channel's overwrites and a timeout resolved by perms.js.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const { JSDOM } = createRequire(join(root, "tools", "web-vendor", "package.json"))("jsdom");
const dom = new JSDOM("<!doctype html><body></body>");
Object.assign(globalThis, { window: dom.window, document: dom.window.document, Node: dom.window.Node });
const web = join(root, "amityvox", "web");
const { createState } = await import(join(web, "js", "stores.js"));
const { usable, fetchCommands, commandsChanged } = await import(join(web, "js", "ui", "slash.js"));
const { handlers } = await import(join(web, "js", "handlers.js"));

const GUILD = "01HZZZZZZZZZZZZZZZZZZGUILD";
const CHAN = "01HZZZZZZZZZZZZZZZZZZZCHAN";
const MODS = "01HZZZZZZZZZZZZZZZZZZZMODS";
const BOT = "01HZZZZZZZZZZZZZZZZZZZZBOT";
const OWNER = "01HZZZZZZZZZZZZZZZZZZOWNER";
const ME = "01HZZZZZZZZZZZZZZZZZZZZZME";
const VIEW_AND_SEND = String((1n << 20n) | (1n << 22n));
const MANAGE_MESSAGES = String(1n << 23n);

function command(name, perms = null) {
  return { id: `01HZZZZZZZZZZZZZZZZZZZ${name.toUpperCase().padEnd(4, "Z")}`, type: 1, application_id: BOT, name, description: name,
    options: [], default_member_permissions: perms, version: "1" };
}

function app(overwrites = [], member = {}) {
  const state = createState();
  state.self_user = { id: ME, username: "me" };
  state.guilds[GUILD] = { id: GUILD, name: "g", owner_id: OWNER, default_permissions: VIEW_AND_SEND };
  state.roles[GUILD] = { [MODS]: { id: MODS, name: "mods", position: 1, permissions_allow: "0", permissions_deny: "0" } };
  state.members[GUILD] = { [ME]: { user_id: ME, guild_id: GUILD, nickname: null, roles: [MODS], ...member } };
  state.channels[CHAN] = { id: CHAN, guild_id: GUILD, name: "general", channel_type: "text", position: 0,
    permission_overwrites: overwrites };
  const roll = command("roll");
  const purge = command("purge", MANAGE_MESSAGES);
  state.application_commands[GUILD] = { [roll.id]: roll, [purge.id]: purge };
  return { state, ui: { channelId: CHAN, guildId: GUILD } };
}

const names = (a) => usable(a, CHAN).map((c) => c.name);
const ow = (id, type, allow, deny = "0") => ({ id, type, allow, deny });

test("a member who can post is offered the commands whose permissions they hold", () => {
  assert.deepEqual(names(app()), ["roll"]);
});

test("a role's channel overwrite granting the bit offers the command there", () => {
  assert.deepEqual(names(app([ow(MODS, "role", MANAGE_MESSAGES)])), ["purge", "roll"]);
  // … and the member's own overwrite denying it wins over the role's.
  assert.deepEqual(names(app([ow(MODS, "role", MANAGE_MESSAGES), ow(ME, "user", "0", MANAGE_MESSAGES)])), ["roll"]);
});

test("nothing is offered where the member cannot post or see", () => {
  assert.deepEqual(names(app([ow(GUILD, "role", "0", String(1n << 22n))])), []);
  assert.deepEqual(names(app([ow(GUILD, "role", "0", String(1n << 20n))])), []);
  // A role allowed to post again where @everyone may not is offered the commands.
  assert.deepEqual(names(app([ow(GUILD, "role", "0", String(1n << 22n)), ow(MODS, "role", String(1n << 22n))])), ["roll"]);
});

test("a member in timeout is offered nothing", () => {
  assert.deepEqual(names(app([], { timeout_until: new Date(Date.now() + 3_600_000).toISOString() })), []);
  assert.deepEqual(names(app([], { timeout_until: new Date(Date.now() - 3_600_000).toISOString() })), ["roll"]);
});


// The menu fetches GET /channels/{c}/commands when it opens; a command made meanwhile arrives as
// APPLICATION_COMMAND_CREATE. A listing that crossed that event may predate it and must not undo it.
function listing(...commands) {
  return { application_commands: commands, applications: [] };
}

function fetching(a, answers, during = () => {}) {
  const asked = [];
  a.api = {
    async get(path) {
      asked.push(path);
      const answer = answers[asked.length - 1];
      if (asked.length === 1) during();
      return answer;
    },
  };
  a.render = () => {};
  a.fail = (err) => { throw err; };
  return asked;
}

test("a listing that crossed a command event is asked for again, and the event is kept", async () => {
  const a = app();
  const roll = command("roll");
  const flip = command("flip");
  const asked = fetching(a, [listing(roll), listing(roll, flip)], () => {
    const made = { guild_id: GUILD, command: flip };
    handlers.APPLICATION_COMMAND_CREATE(a.state, made);
    commandsChanged(GUILD);
  });
  await fetchCommands(a, CHAN);
  assert.equal(asked.length, 2);
  assert.deepEqual(Object.values(a.state.application_commands[GUILD]).map((c) => c.name).sort(), ["flip", "roll"]);
});

test("a listing no event crossed is taken as it is, in one request", async () => {
  const a = app();
  const roll = command("roll");
  const asked = fetching(a, [listing(roll)]);
  await fetchCommands(a, CHAN);
  assert.equal(asked.length, 1);
  assert.deepEqual(Object.values(a.state.application_commands[GUILD]).map((c) => c.name), ["roll"]);
});

