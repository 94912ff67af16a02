// The composer's text as sent (ui/composer.js) and the emoji table's search (ui/emoji.js).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const { JSDOM } = createRequire(join(root, "tools", "web-vendor", "package.json"))("jsdom");
const dom = new JSDOM('<!doctype html><body><form id="composer"><textarea id="composer-input"></textarea><button class="send">Send</button></form></body>');
Object.assign(globalThis, { window: dom.window, document: dom.window.document, Node: dom.window.Node });
const web = join(root, "amityvox", "web");
const { createState } = await import(join(web, "js", "stores.js"));
const emoji = await import(join(web, "js", "ui", "emoji.js"));
const composer = await import(join(web, "js", "ui", "composer.js"));
const { outgoing } = composer;

const table = emoji.useEmojiData(JSON.parse(readFileSync(join(web, "vendor", "emoji.json"), "utf-8")));

const GUILD = "01HZZZZZZZZZZZZZZZZZZGUILD";
const CHAN = "01HZZZZZZZZZZZZZZZZZZZCHAN";
const BOB = "01HZZZZZZZZZZZZZZZZZZZZBOB";
const BLOB = "01HZZZZZZZZZZZZZZZZZZZBLOB";
const ME = "01HZZZZZZZZZZZZZZZZZZZZZME";

function app() {
  const state = createState();
  state.self_user = { id: ME, username: "me" };
  state.guilds[GUILD] = { id: GUILD, name: "g" };
  state.channels[CHAN] = { id: CHAN, guild_id: GUILD, name: "general", channel_type: "text", position: 0 };
  state.users[BOB] = { id: BOB, username: "bob", display_name: "Bobby" };
  state.members[GUILD] = { [BOB]: { user_id: BOB, guild_id: GUILD, nickname: null, roles: [] } };
  state.emoji[GUILD] = { [BLOB]: { id: BLOB, guild_id: GUILD, name: "blob", animated: false } };
  const store = new Map();
  return {
    state,
    ui: { channelId: CHAN, guildId: GUILD },
    read: (k) => store.get(k) ?? null,
    write: (k, v) => (v == null ? store.delete(k) : store.set(k, v)),
  };
}

test("the emoji table has Discord's names and categories", () => {
  assert.equal(table.byCode.get("smile").char, "😄");
  assert.equal(table.byCode.get("thumbsup").char, "👍");
  assert.equal(table.byCode.get("+1").char, "👍");
  assert.equal(table.byCode.get("slight_smile").char, "🙂");
  assert.equal(table.byCode.get("heart").char, "❤️"); // a text-default character keeps U+FE0F
  assert.deepEqual(table.categories.map(([id]) => id), ["people", "nature", "food", "activities", "travel", "objects", "symbols", "flags"]);
  assert.ok(table.emoji.length > 1800, `${table.emoji.length} emoji`);
});

test("search ranks exact shortcodes, then prefixes, then names; custom emoji first", () => {
  assert.equal(emoji.searchEmoji("tada")[0].char, "🎉");
  assert.equal(emoji.searchEmoji(":fire:")[0].char, "🔥");
  const smiles = emoji.searchEmoji("smil").map((e) => e.name);
  assert.ok(smiles.indexOf("smile") < smiles.indexOf("smiley_cat"), smiles.join());
  assert.ok(emoji.searchEmoji("pizza").some((e) => e.char === "🍕"));
  const custom = emoji.searchEmoji("blo", { custom: [{ id: BLOB, name: "blob" }] });
  assert.deepEqual(custom[0], { key: `blob:${BLOB}`, name: "blob", id: BLOB, animated: false, custom: true });
  assert.deepEqual(emoji.searchEmoji(""), []);
});

test("skin tones: the picker's choice colours emoji that take one, and :skin-tone-N: after a shortcode", async () => {
  assert.equal(emoji.withTone("👍", 3), "👍🏽");
  assert.equal(emoji.withTone("☝️", 1), "☝🏻"); // a text-default character drops its U+FE0F
  assert.equal(emoji.withTone("🧑‍💻", 5), "🧑🏿‍💻");
  assert.equal(emoji.codeOf("👍🏽"), "thumbsup");
  assert.equal(emoji.codeOf("☝🏻"), "point_up");
  assert.equal(emoji.searchEmoji("thumbsup", { tone: 2 })[0].char, "👍🏼");
  assert.equal(emoji.searchEmoji("tada", { tone: 2 })[0].char, "🎉"); // no tones to take
  const a = app();
  assert.equal(emoji.skinTone(a), 0);
  a.write("amityvox.emoji.tone", "4");
  assert.equal(emoji.skinTone(a), 4);
  assert.equal(await outgoing(a, ":thumbsup::skin-tone-4: :thumbsup: :tada::skin-tone-2:", []), "👍🏾 👍 🎉:skin-tone-2:");
});

test("recently used emoji lead the quick reactions", () => {
  const a = app();
  assert.deepEqual(emoji.quickReactions(a), emoji.QUICK_REACTIONS);
  emoji.rememberEmoji(a, "🔥");
  emoji.rememberEmoji(a, `blob:${BLOB}`);
  emoji.rememberEmoji(a, "👍");
  assert.deepEqual(emoji.recentEmoji(a), ["👍", `blob:${BLOB}`, "🔥"]);
  assert.deepEqual(emoji.quickReactions(a), ["👍", "🔥", "❤️", "😂"]);
});

test("shortcodes become emoji, a guild's own first, but not inside code", async () => {
  const a = app();
  assert.equal(await outgoing(a, "hi :smile: :blob: :nosuchcode:", []), `hi 😄 <:blob:${BLOB}> :nosuchcode:`);
  assert.equal(await outgoing(a, "`:smile:` and\n```\n:smile:\n```\n:smile:", []), "`:smile:` and\n```\n:smile:\n```\n😄");
  assert.equal(await outgoing(a, "10:30:45 and <:blob:" + BLOB + ">", []), "10:30:45 and <:blob:" + BLOB + ">");
  assert.equal(await outgoing(a, ":thumbsup::heart:", []), "👍:heart:"); // Discord also needs a break between them
});

test("mentions chosen from the list are sent as tokens; typed @usernames too", async () => {
  const a = app();
  const chosen = [["@Moderators", "<@&01HZZZZZZZZZZZZZZZZZZZROLE>"], ["#general", `<#${CHAN}>`]];
  assert.equal(await outgoing(a, "@Moderators see #general, @bob!", chosen),
    `<@&01HZZZZZZZZZZZZZZZZZZZROLE> see <#${CHAN}>, <@${BOB}>!`);
  assert.equal(await outgoing(a, "#generally not, @bobcat", chosen), "#generally not, @bobcat");
  assert.equal(await outgoing(a, "`@bob` stays", chosen), "`@bob` stays");
  a.state.members[GUILD]["01HZZZZZZZZZZZZZZZZZZGHOST"] = { user_id: "01HZZZZZZZZZZZZZZZZZZGHOST", roles: [] }; // profile not loaded
  assert.equal(await outgoing(a, "@bob", []), `<@${BOB}>`);
});

test("typing @name suggests members and asks the gateway for the ones the cache lacks", () => {
  const a = app();
  const asked = [];
  Object.assign(a, { doc: document, gateway: { requestMembers: (...args) => asked.push(args) }, render() {}, draw() {} });
  composer.bind(a);
  composer.draw(a); // the first draw shows the channel's (empty) draft
  const box = document.getElementById("composer-input");
  const type = (text) => {
    box.value = text;
    box.setSelectionRange(text.length, text.length);
    box.dispatchEvent(new window.Event("input", { bubbles: true }));
    composer.draw(a);
  };
  box.focus();
  type("hi @bo");
  const options = () => [...document.querySelectorAll("#composer-suggestions [role=option]")].map((o) => o.textContent);
  assert.deepEqual(options(), ["Bobbybob"]);
  assert.deepEqual(asked, [[GUILD, "bo", 8]]);
  type("hi @bo");
  assert.equal(asked.length, 1, "one request per query");
  box.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true }));
  composer.draw(a);
  assert.equal(box.value, "hi @bob ");
  assert.deepEqual(JSON.parse(a.read(`amityvox.draft.${ME}.${CHAN}`)), { text: "hi @bob ", mentions: [["@bob", `<@${BOB}>`]] });
  assert.deepEqual(options(), []);
  type("hi @bob #gen");
  assert.deepEqual(options(), ["#general"]);
  box.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
  composer.draw(a);
  assert.deepEqual(options(), []);
  type("hi @bob #gene");
  assert.deepEqual(options(), [], "dismissed until the next word");
  type("hi @bob #gene :tad");
  assert.ok(options()[0].includes(":tada:"), options().join());

  // Another account on this browser starts from its own (empty) draft; the first one's stays.
  a.state.self_user = { id: BOB, username: "bob" };
  composer.draw(a);
  assert.equal(box.value, "");
  a.state.self_user = { id: ME, username: "me" };
  composer.draw(a);
  assert.equal(box.value, "hi @bob #gene :tad");
});
