// @ts-check
// Emoji: the vendored table (names, shortcodes, categories; fetched on first use), search,
// recently used ones, and the picker shared by the composer and by reactions.
//
// An emoji is named by a key: the unicode character, or `name:id` for a guild's custom emoji
// (the form reactions use). Picking one calls back with that key.

import { h } from "./dom.js";
import { emojiPicture } from "./avatar.js";

const DATA_URL = "/static/vendor/emoji.json";
const RECENT_KEY = "amityvox.emoji.recent";
const RECENT_MAX = 32;
const TONE_KEY = "amityvox.emoji.tone";
const TONE_NAMES = ["Default", "Light", "Medium-light", "Medium", "Medium-dark", "Dark"];
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉"];

let table = null; // {categories: [[id, name]], emoji: [{char, codes, label, category}], byCode}
let loading = null;
const waiting = new Set();

/** Use an emoji table (the parsed emoji.json); the browser fetches it, tests pass it in. */
export function useEmojiData(json) {
  const emoji = json.emoji.map(([char, codes, label, category, tones]) => ({ char, codes: codes.split(" "), label, category, tones: tones === 1 }));
  const byCode = new Map();
  for (const e of emoji) for (const code of e.codes) if (!byCode.has(code)) byCode.set(code, e);
  table = { categories: json.categories, emoji, byCode, source: json.source };
  for (const fn of waiting) fn();
  return table;
}

/** The table once loaded, else null (and loading starts; `onEmojiData` callbacks run when ready). */
export function emojiData() {
  if (!table) loadEmoji();
  return table;
}

export function onEmojiData(fn) {
  waiting.add(fn);
}

export function loadEmoji() {
  if (table) return Promise.resolve(table);
  loading ??= fetch(DATA_URL).then((r) => {
    if (!r.ok) throw new Error(`emoji table: HTTP ${r.status}`);
    return r.json();
  }).then(useEmojiData, (err) => {
    loading = null; // try again on next use
    throw err;
  });
  return loading;
}

/** The unicode emoji for a shortcode (`smile` → 😄), or null. */
export function emojiForCode(code) {
  return table?.byCode.get(code.toLowerCase())?.char ?? null;
}

/** The main shortcode of a unicode emoji (skin tone aside), for titles. */
export function codeOf(char) {
  if (!table) return null;
  table.byChar ??= new Map(table.emoji.map((e) => [e.char, e.codes[0]]));
  const bare = char.replace(/[\u{1F3FB}-\u{1F3FF}]/gu, "");
  return table.byChar.get(char) ?? table.byChar.get(bare) ?? table.byChar.get(`${bare}\uFE0F`) ?? null;
}

/** `char` in skin tone 1–5 (0: as it is), for emoji that take tones. */
export function withTone(char, tone) {
  if (!tone) return char;
  const [first, ...rest] = Array.from(char);
  if (rest[0] === "\uFE0F") rest.shift();
  return first + String.fromCodePoint(0x1f3fa + tone) + rest.join("");
}

/** The skin tone chosen in the picker (0 to 5), kept in localStorage. */
export function skinTone(app) {
  const n = Number(app.read(TONE_KEY));
  return Number.isInteger(n) && n >= 0 && n <= 5 ? n : 0;
}

/**
 * Emoji matching `query` (shortcodes and names): exact shortcode first, then shortcode
 * prefixes, then words of the name. `custom` lists the guild's emoji, searched first by name.
 */
export function searchEmoji(query, { custom = [], limit = 50, tone = 0 } = {}) {
  const q = query.toLowerCase().replace(/^:|:$/g, "");
  if (!q) return [];
  const ranked = [];
  for (const e of custom) {
    const name = e.name.toLowerCase();
    const rank = name === q ? 0 : name.startsWith(q) ? 1 : name.includes(q) ? 3 : -1;
    if (rank >= 0) ranked.push({ rank, entry: customEntry(e) });
  }
  for (const e of table?.emoji ?? []) {
    let rank = -1;
    for (const code of e.codes) {
      const r = code === q ? 0 : code.startsWith(q) ? 1 : code.includes(q) ? 3 : -1;
      if (r >= 0 && (rank < 0 || r < rank)) rank = r;
    }
    if (rank < 0 && e.label.split(/\s+/).some((w) => w.startsWith(q))) rank = 2;
    if (rank >= 0) ranked.push({ rank, entry: unicodeEntry(e, tone) });
  }
  // Stable: equal ranks keep the table's order (Discord's category order).
  return ranked.sort((a, b) => a.rank - b.rank).slice(0, limit).map((r) => r.entry);
}

function customEntry(e) {
  return { key: `${e.name}:${e.id}`, name: e.name, id: e.id, animated: !!e.animated, custom: true };
}

function unicodeEntry(e, tone = 0) {
  const char = e.tones ? withTone(e.char, tone) : e.char;
  return { key: char, name: e.codes[0], char, custom: false };
}

/** The guild's custom emoji as picker entries, by name. */
export function guildEmoji(app, guildId) {
  return Object.values(app.state.emoji[guildId] ?? {}).sort((a, b) => a.name.localeCompare(b.name)).map(customEntry);
}

// ---- recently used --------------------------------------------------------------------------------

export function recentEmoji(app) {
  try {
    const list = JSON.parse(app.read(RECENT_KEY) ?? "[]");
    return Array.isArray(list) ? list.filter((k) => typeof k === "string") : [];
  } catch {
    return [];
  }
}

export function rememberEmoji(app, key) {
  app.write(RECENT_KEY, JSON.stringify([key, ...recentEmoji(app).filter((k) => k !== key)].slice(0, RECENT_MAX)));
}

/** Quick reactions: the most recently used, topped up with the usual ones. */
export function quickReactions(app, count = QUICK_REACTIONS.length) {
  const out = [];
  for (const key of [...recentEmoji(app).filter((k) => !k.includes(":")), ...QUICK_REACTIONS]) {
    if (!out.includes(key)) out.push(key);
    if (out.length === count) break;
  }
  return out;
}

/** An entry for a stored key; custom ones only while the guild still has them. */
function entryFor(app, key, guildId) {
  const custom = /^([A-Za-z0-9_]{2,32}):([0-9A-Z]{26})$/.exec(key);
  if (custom) {
    const e = app.state.emoji[guildId]?.[custom[2]];
    return e ? customEntry(e) : null;
  }
  return { key, name: codeOf(key) ?? key, char: key, custom: false };
}

// ---- views ------------------------------------------------------------------------------------------

/** How an entry looks: the character, or the custom emoji's picture (its name if it has none). */
export function emojiGlyph(app, entry) {
  return entry.custom ? emojiPicture(app, entry.id, entry.name) : entry.char;
}

const picker = { query: "", category: null }; // the open picker's search and tab

/** Reset the picker's search when it opens. */
export function openPicker() {
  picker.query = "";
  picker.category = null;
}

function cell(app, entry, target) {
  return h("button.emoji-cell", {
    type: "button", "data-key": entry.key, "data-action": "pick-emoji", "data-target": target, "data-emoji": entry.key,
    title: `:${entry.name}:`, "aria-label": `:${entry.name}:`,
  }, emojiGlyph(app, entry));
}

function tabs(sections) {
  return h("nav.emoji-tabs", { "aria-label": "Emoji categories" }, sections.map((s) => h("button.emoji-tab", {
    type: "button", "data-key": s.id, "data-action": "emoji-category", "data-category": s.id,
    title: s.name, "aria-label": s.name, "aria-pressed": String(s.id === picker.category),
  }, s.icon)));
}

let gridCache = { key: null, node: null };

/**
 * The grid for a search or a category. Unicode-only grids (the big ones) are built once per
 * search or tab and left alone (data-keep); grids with custom emoji follow their pictures.
 */
function grid(key, entries, build) {
  if (entries.some((e) => e.custom)) return build();
  if (gridCache.key !== key) {
    const node = build();
    node.setAttribute("data-key", key); // another grid replaces it; the same one is reused
    node.setAttribute("data-keep", "");
    gridCache = { key, node };
  }
  return gridCache.node;
}

/**
 * The picker: search, category tabs (recent, this server's emoji, then Discord's categories),
 * a skin tone, and a grid. `target` is "composer" or a message id; `guildId` selects the custom emoji.
 */
export function pickerView(app, target, guildId, { quick = false } = {}) {
  const data = emojiData();
  const tone = skinTone(app);
  const custom = guildId ? guildEmoji(app, guildId) : [];
  const recent = recentEmoji(app).map((k) => entryFor(app, k, guildId)).filter(Boolean);
  const sections = [];
  if (recent.length) sections.push({ id: "recent", name: "Recently used", icon: "🕘", entries: () => recent });
  if (custom.length) sections.push({ id: "server", name: "This server", icon: emojiGlyph(app, custom[0]), entries: () => custom });
  for (const [i, [id, name]] of (data?.categories ?? []).entries()) {
    const first = data.emoji.find((e) => e.category === i);
    sections.push({ id, name, icon: first?.char ?? "?", entries: () => data.emoji.filter((e) => e.category === i).map((e) => unicodeEntry(e, tone)) });
  }
  if (!sections.some((s) => s.id === picker.category)) picker.category = sections[0]?.id ?? null;
  const section = sections.find((s) => s.id === picker.category);
  const query = picker.query.trim();
  let body;
  if (!data) {
    body = h("p.emoji-empty", "Loading emoji…");
  } else if (query) {
    const found = searchEmoji(query, { custom, limit: 120, tone });
    body = found.length
      ? grid(`${target}|q|${query}|${tone}`, found, () => h("div.emoji-grid", { role: "group", "aria-label": `Emoji matching ${query}` }, found.map((e) => cell(app, e, target))))
      : h("p.emoji-empty", `No emoji match “${query}”`);
  } else {
    const entries = section.entries();
    body = grid(`${target}|c|${section.id}|${entries.map((e) => e.key).join("")}`, entries, () =>
      h("div.emoji-grid", { role: "group", "aria-label": section.name }, h("h3.emoji-heading", section.name), entries.map((e) => cell(app, e, target))));
  }
  return h("div.emoji-picker", { "data-key": `picker-${target}`, role: "dialog", "aria-label": quick ? "Add a reaction" : "Emoji picker" },
    h("div.emoji-top",
      h("input.emoji-search", { type: "search", placeholder: "Search emoji", "aria-label": "Search emoji", "data-emoji-search": target, autocomplete: "off" }),
      h("div.emoji-tones", { role: "radiogroup", "aria-label": "Skin tone" }, TONE_NAMES.map((name, t) => h("button.emoji-tone", {
        type: "button", role: "radio", "aria-checked": String(t === tone), "data-action": "emoji-tone", "data-tone": String(t),
        title: `${name} skin tone`, "aria-label": `${name} skin tone`,
      }, withTone("✋", t))))),
    quick ? h("div.quick-reactions", { role: "menu", "aria-label": "Quick reactions" }, quickReactions(app).map((key) =>
      h("button.quick-pick", { type: "button", role: "menuitem", "data-key": key, "data-action": "pick-emoji", "data-target": target, "data-emoji": key, title: `:${codeOf(key) ?? key}:` }, key))) : null,
    data ? tabs(sections) : null,
    body);
}

/** The reaction picker under a message, while it is the open one. */
export function reactionPicker(app, message, guildId) {
  if (app.ui.reactPicker !== message.id) return null;
  return pickerView(app, message.id, guildId, { quick: true });
}

/** Typing in a picker's search box. */
export function searched(app, event) {
  const t = event.target;
  if (!t.dataset?.emojiSearch) return false;
  picker.query = t.value;
  app.render();
  return true;
}

export const actions = {
  "emoji-tone"(app, data) {
    app.write(TONE_KEY, data.tone === "0" ? null : data.tone);
    app.render();
  },
  "emoji-category"(app, data) {
    picker.category = data.category;
    picker.query = "";
    const box = app.doc.querySelector(".emoji-picker .emoji-search");
    if (box) box.value = "";
    app.render();
  },
};
