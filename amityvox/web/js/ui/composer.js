// @ts-check
// The composer's helpers: autocomplete for `@` people and roles, `#` channels and `:` emoji
// (↑/↓ to move, Tab or Enter to choose, Esc to dismiss) in the composer and in a message's edit
// box alike, the emoji picker button, a draft
// kept per user and channel (in localStorage: it survives switching channels and reloading), and
// the text as sent: mentions chosen from the list become <@id>, <@&id> and <#id>, and
// `:shortcode:` becomes the emoji (a guild's custom emoji first), outside code.

import { icon } from "./icons.js";
import { h, patch } from "./dom.js";
import {
  emojiData, emojiGlyph, guildEmoji, loadEmoji, onEmojiData, openPicker, pickerView, rememberEmoji, searchEmoji, searched, skinTone, withTone,
} from "./emoji.js";
import { guildChannels, guildMembers } from "../state.js";
import { NO_MESSAGES } from "../stores.js";
import { enc } from "../api.js";

const DRAFT_KEY = "amityvox.draft.";
const LIMIT = 8;
// The word being typed before the caret: a trigger character at the start or after a space.
const TRIGGER = /(?:^|\s)([@#:])([^\s@#:<>]{0,32})$/u;

const COMPOSER = "composer-input";
// `box`: the id of the text box the list serves, the composer's or an edit box's (`edit-<message>`).
const ac = { open: false, kind: null, query: "", start: 0, end: 0, items: [], index: 0, dismissed: null, box: COMPOSER };
let shown = ""; // "user/channel" whose draft the box holds
let mentions = []; // [[text as shown, token as sent]] chosen from the list for this draft
const edited = { box: "", mentions: [] }; // the same, for the edit box last typed in

/** A box with suggestions: the composer or a message's edit box. */
function isBox(el) {
  return el?.id === COMPOSER || !!el?.classList?.contains("edit-input");
}

/** Mentions chosen from the list while editing `messageId` (pairs for `outgoing`). */
export function editMentions(messageId) {
  return edited.box === `edit-${messageId}` ? edited.mentions : [];
}

// ---- drafts -----------------------------------------------------------------------------------------

// Drafts belong to the signed-in user: another account on this browser never sees them.
function draftKey(app, channelId) {
  return `${DRAFT_KEY}${app.state.self_user?.id}.${channelId}`;
}

function readDraft(app, channelId) {
  try {
    const d = JSON.parse(app.read(draftKey(app, channelId)) ?? "null");
    return d && typeof d.text === "string" ? { text: d.text, mentions: Array.isArray(d.mentions) ? d.mentions : [] } : null;
  } catch {
    return null;
  }
}

function saveDraft(app, channelId, text) {
  if (!channelId || !app.state.self_user) return;
  const kept = mentions.filter(([label]) => text.includes(label));
  app.write(draftKey(app, channelId), text ? JSON.stringify({ text, mentions: kept }) : null);
}

/** Fit the box to its text, up to 200 px. */
export function grow(box) {
  box.style.height = "auto";
  box.style.height = `${Math.min(box.scrollHeight, 200)}px`;
}

/** Swap the box's text when the open channel changes: the old one's is saved as typed. */
function syncDraft(app, box) {
  const user = app.state.self_user?.id ?? null;
  const channelId = app.ui.channelId;
  const now = `${user}/${channelId}`;
  if (shown === now) return;
  const [before, beforeChannel] = shown.split("/");
  if (user && before === user && beforeChannel !== "null") saveDraft(app, beforeChannel, box.value);
  shown = now;
  const draft = user && channelId ? readDraft(app, channelId) : null;
  box.value = draft?.text ?? "";
  mentions = draft?.mentions ?? [];
  close();
  grow(box);
}

// ---- the text as sent ---------------------------------------------------------------------------

const CODE = /```[\s\S]*?```|`[^`\n]*`/g;

/** Apply `fn` to the parts of `text` outside code spans and blocks. */
function outsideCode(text, fn) {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(CODE)) {
    out += fn(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + fn(text.slice(last));
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * What the composer sends for `text`: chosen mentions as tokens, `@username` of a member as
 * a mention, `:name:` as a guild emoji or a unicode emoji. `chosen` pairs shown text with tokens.
 */
export async function outgoing(app, text, chosen = mentions) {
  const s = app.state;
  const guildId = s.channels[app.ui.channelId]?.guild_id ?? null;
  if (/:[^\s:]+:/.test(text)) await loadEmoji().catch(() => null);
  const custom = new Map(guildId ? guildEmoji(app, guildId).map((e) => [e.name, e]) : []);
  const people = guildId ? guildMembers(s, guildId).map((m) => m.user) : (s.channels[app.ui.channelId]?.recipients ?? []);
  const byName = new Map(people.filter((u) => u?.username).map((u) => [u.username.toLowerCase(), u.id]));
  const pairs = [...chosen].sort((a, b) => b[0].length - a[0].length);
  return outsideCode(text, (part) => {
    for (const [label, token] of pairs) {
      part = part.replace(new RegExp(`(^|[^\\w<])${escapeRe(label)}(?![\\w-])`, "g"), (all, pre) => `${pre}${token}`);
    }
    part = part.replace(/(^|\s)@([A-Za-z0-9_.-]{1,64})\b/g, (all, pre, name) => {
      const id = byName.get(name.toLowerCase());
      return id ? `${pre}<@${id}>` : all;
    });
    return part.replace(/(^|[^<\w]):([A-Za-z0-9_+-]{1,32}):(?::skin-tone-([1-5]):)?/g, (all, pre, code, tone) => {
      const e = custom.get(code);
      if (e) return `${pre}<${e.animated ? "a" : ""}:${e.name}:${e.id}>${tone ? `:skin-tone-${tone}:` : ""}`;
      const found = emojiData()?.byCode.get(code.toLowerCase());
      if (!found) return all;
      return `${pre}${found.tones ? withTone(found.char, Number(tone ?? 0)) : found.char}${tone && !found.tones ? `:skin-tone-${tone}:` : ""}`;
    });
  });
}

/** After a send: the channel's draft is gone. */
export function sent(app, channelId) {
  mentions = [];
  app.write(draftKey(app, channelId), null);
}

// ---- autocomplete -----------------------------------------------------------------------------------

function close() {
  ac.open = false;
  ac.kind = null;
  ac.items = [];
}

function suggestions(app, kind, query) {
  const s = app.state;
  const channel = s.channels[app.ui.channelId];
  const guildId = channel?.guild_id ?? null;
  const q = query.toLowerCase();
  const score = (...names) => {
    let best = -1;
    for (const n of names) {
      if (!n) continue;
      const l = n.toLowerCase();
      const r = l.startsWith(q) ? 0 : l.includes(q) ? 1 : -1;
      if (r >= 0 && (best < 0 || r < best)) best = r;
    }
    return best;
  };
  const rank = (list) => list.filter((x) => x.rank >= 0).sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label)).slice(0, LIMIT);
  if (kind === "@") {
    const people = guildId ? guildMembers(s, guildId).map((m) => ({ user: m.user, nick: m.nickname }))
      : (channel?.recipients ?? []).map((u) => ({ user: s.users[u.id] ?? u, nick: null }));
    const users = people.filter((p) => p.user?.username).map(({ user, nick }) => ({
      kind: "user", id: user.id, label: nick ?? user.display_name ?? user.username, detail: user.username,
      insert: `@${user.username}`, token: `<@${user.id}>`, rank: score(user.username, user.display_name, nick),
    }));
    const roles = guildId ? Object.values(s.roles[guildId] ?? {}).filter((r) => r.mentionable && r.id !== guildId).map((r) => ({
      kind: "role", id: r.id, label: `@${r.name}`, detail: "role", insert: `@${r.name}`, token: `<@&${r.id}>`, rank: score(r.name),
    })) : [];
    const groups = guildId ? ["everyone", "here"].map((w) => ({
      kind: "group", id: w, label: `@${w}`, detail: w === "here" ? "everyone online" : "everyone here", insert: `@${w}`, token: null, rank: score(w),
    })) : [];
    return rank([...users, ...roles, ...groups]);
  }
  if (kind === "#") {
    if (!guildId) return [];
    return rank(guildChannels(s, guildId).filter((c) => !NO_MESSAGES.has(c.channel_type)).map((c) => ({
      kind: "channel", id: c.id, label: `#${c.name}`, detail: c.parent_channel_id ? "thread" : "", insert: `#${c.name}`, token: `<#${c.id}>`, rank: score(c.name),
    })));
  }
  if (query.length < 2) return [];
  if (!emojiData()) return [];
  return searchEmoji(query, { custom: guildId ? Object.values(s.emoji[guildId] ?? {}) : [], limit: LIMIT, tone: skinTone(app) }).map((e) => ({
    kind: "emoji", id: e.key, entry: e, label: `:${e.name}:`, detail: "", insert: e.custom ? `:${e.name}:` : e.char, token: null, emoji: e.key,
  }));
}

/** Look at the word before the caret and open, refresh or close the list. */
function refresh(app, box) {
  const before = box.value.slice(0, box.selectionStart ?? box.value.length);
  const m = TRIGGER.exec(before);
  if (!m || box.selectionStart !== box.selectionEnd) {
    close();
    return;
  }
  if (ac.box !== box.id) ac.dismissed = null;
  ac.box = box.id;
  const start = before.length - m[1].length - m[2].length;
  if (ac.dismissed === `${start}:${m[1]}`) return;
  ac.dismissed = null;
  const same = ac.open && ac.kind === m[1] && ac.query === m[2];
  Object.assign(ac, { kind: m[1], query: m[2], start, end: before.length });
  if (!same) ac.index = 0;
  update(app);
  if (m[1] === "@") askServer(app, m[2]);
}

/** Recompute the list for the current word (members and emoji may have arrived since). */
function update(app) {
  if (!ac.kind) return;
  ac.items = suggestions(app, ac.kind, ac.query);
  ac.open = ac.items.length > 0;
  ac.index = Math.min(ac.index, Math.max(0, ac.items.length - 1));
}

const asked = new Set(); // "guild:query" member searches already sent

/** The cache holds the first 100 members of a guild: ask the gateway for others by name. */
function askServer(app, query) {
  const guildId = app.state.channels[app.ui.channelId]?.guild_id;
  if (!guildId || !query || ac.items.filter((i) => i.kind === "user").length >= LIMIT) return;
  const key = `${guildId}:${query.toLowerCase()}`;
  if (asked.has(key)) return;
  asked.add(key);
  app.gateway?.requestMembers(guildId, query, LIMIT);
}

function choose(app, box, item) {
  const value = box.value;
  const insert = `${item.insert} `;
  box.value = value.slice(0, ac.start) + insert + value.slice(ac.end);
  const caret = ac.start + insert.length;
  box.setSelectionRange(caret, caret);
  if (box.id === COMPOSER) {
    if (item.token) mentions = [...mentions.filter(([label]) => label !== item.insert), [item.insert, item.token]];
  } else if (item.token) {
    if (edited.box !== box.id) Object.assign(edited, { box: box.id, mentions: [] });
    edited.mentions = [...edited.mentions.filter(([label]) => label !== item.insert), [item.insert, item.token]];
  }
  if (item.kind === "emoji") rememberEmoji(app, item.emoji);
  close();
  if (box.id === COMPOSER) {
    saveDraft(app, app.ui.channelId, box.value);
    grow(box);
  }
  box.focus();
  app.render();
}

const listId = (boxId) => (boxId === COMPOSER ? "composer-suggestions" : "edit-suggestions");

function listView(app) {
  if (!ac.open) return null;
  const title = { "@": "Members", "#": "Channels", ":": "Emoji" }[ac.kind];
  return h("div.autocomplete", { "data-key": "autocomplete" },
    h("div.ac-title", `${title} matching ${ac.kind}${ac.query}`),
    h("ul", { id: listId(ac.box), role: "listbox", "aria-label": title },
      ac.items.map((item, i) => h("li", {
        id: `ac-${i}`, "data-key": `${item.kind}:${item.id}`, role: "option", "aria-selected": String(i === ac.index),
        class: i === ac.index ? "active" : null, "data-action": "autocomplete-pick", "data-index": String(i),
      },
      item.kind === "emoji" ? h("span.ac-emoji", emojiGlyph(app, item.entry)) : null,
      h("span.ac-label", item.label),
      item.detail ? h("span.ac-detail", item.detail) : null))));
}

// ---- the page ---------------------------------------------------------------------------------------

/** The combobox attributes of the box `boxId`, saying whether its list is open and where. */
export function comboAttrs(boxId) {
  const open = ac.open && ac.box === boxId;
  return {
    role: "combobox", "aria-autocomplete": "list", "aria-expanded": String(open),
    "aria-controls": open ? listId(boxId) : null, "aria-activedescendant": open ? `ac-${ac.index}` : null,
  };
}

/** The suggestion list over the edit box of `messageId`, when that box is the one typed in. */
export function editSuggestions(app, messageId) {
  const id = `edit-${messageId}`;
  if (ac.box !== id) return null;
  if (ac.kind && app.doc.activeElement?.id === id) update(app);
  return h("div.edit-popup", listView(app));
}

/** Called on every draw: the channel's draft, the suggestion list, the composer's picker. */
export function draw(app) {
  const box = app.doc.getElementById(COMPOSER);
  const popup = app.doc.getElementById("composer-popup");
  if (!box || !popup) return;
  syncDraft(app, box);
  if (ac.kind && ac.box === COMPOSER && app.doc.activeElement === box) update(app);
  const channel = app.state.channels[app.ui.channelId];
  if (!channel) app.ui.composerPicker = false;
  for (const [name, value] of Object.entries(comboAttrs(COMPOSER))) {
    if (value == null) box.removeAttribute(name);
    else box.setAttribute(name, value);
  }
  patch(popup, [ac.box === COMPOSER ? listView(app) : null, app.ui.composerPicker ? pickerView(app, "composer", channel?.guild_id ?? null) : null]);
  const toggle = app.doc.getElementById("emoji-toggle");
  toggle?.setAttribute("aria-pressed", String(!!app.ui.composerPicker));
}

function insertAtCaret(box, text) {
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? start;
  const pad = start > 0 && !/\s$/.test(box.value.slice(0, start)) ? " " : "";
  box.value = box.value.slice(0, start) + pad + text + box.value.slice(end);
  const caret = start + pad.length + text.length;
  box.setSelectionRange(caret, caret);
}

function keydown(app, event) {
  const t = event.target;
  if (event.key === "Escape" && app.ui.composerPicker) {
    app.ui.composerPicker = false;
    event.preventDefault();
    event.stopImmediatePropagation();
    app.render();
    app.doc.getElementById("composer-input")?.focus();
    return;
  }
  if (t.dataset?.emojiSearch && event.key === "Enter") {
    event.preventDefault();
    t.closest(".emoji-picker")?.querySelector(".emoji-grid .emoji-cell")?.click();
    return;
  }
  if (gridKeys(event)) return;
  if (!isBox(t) || t.id !== ac.box || !ac.open || event.isComposing) return;
  const n = ac.items.length;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    ac.index = (ac.index + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
  } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
    choose(app, t, ac.items[ac.index]);
  } else if (event.key === "Escape") {
    ac.dismissed = `${ac.start}:${ac.kind}`;
    close();
  } else {
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation(); // before the app's own Enter (send or save) and Escape handlers
  app.render();
}

const GRID_STEPS = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

/** Arrow keys move through the picker's grid (↓ from its search box enters it). */
function gridKeys(event) {
  const step = GRID_STEPS[event.key];
  const t = event.target;
  if (!step) return false;
  const picker = t.closest?.(".emoji-picker");
  if (!picker) return false;
  const cells = [...picker.querySelectorAll(".emoji-grid .emoji-cell")];
  if (!cells.length) return false;
  let next;
  if (t.dataset.emojiSearch) {
    if (event.key !== "ArrowDown") return false;
    next = cells[0];
  } else {
    const i = cells.indexOf(t);
    if (i < 0) return false;
    const columns = Math.max(1, cells.filter((c) => c.offsetTop === cells[0].offsetTop).length);
    const j = i + step[0] * columns + step[1];
    if (j < 0 && step[0] < 0) next = picker.querySelector(".emoji-search");
    else next = cells[Math.max(0, Math.min(cells.length - 1, j))];
  }
  event.preventDefault();
  next?.focus();
  return true;
}

export const actions = {
  "autocomplete-pick"(app, data) {
    const box = app.doc.getElementById(ac.box);
    const item = ac.items[Number(data.index)];
    if (box && item) choose(app, box, item);
  },
  "emoji-picker"(app) {
    app.ui.composerPicker = !app.ui.composerPicker;
    app.ui.reactPicker = null;
    openPicker();
    close();
    app.draw();
    if (app.ui.composerPicker) app.doc.querySelector("#composer-popup .emoji-search")?.focus();
  },
  "react-picker"(app, data) {
    app.ui.reactPicker = app.ui.reactPicker === data.message ? null : data.message;
    app.ui.composerPicker = false;
    openPicker();
    app.draw();
    app.doc.querySelector(`#msg-${data.message} .emoji-search`)?.focus();
  },
  async "pick-emoji"(app, data) {
    const key = data.emoji;
    rememberEmoji(app, key);
    if (data.target === "composer") {
      const box = app.doc.getElementById("composer-input");
      app.ui.composerPicker = false;
      if (box) {
        const custom = /^([A-Za-z0-9_]{2,32}):[0-9A-Z]{26}$/.exec(key);
        insertAtCaret(box, custom ? `:${custom[1]}: ` : key);
        saveDraft(app, app.ui.channelId, box.value);
        grow(box);
        box.focus();
      }
      app.render();
      return;
    }
    const channelId = app.ui.channelId;
    app.ui.reactPicker = null;
    app.render();
    await app.call(null, () => app.api.put(`/channels/${channelId}/messages/${data.target}/reactions/${enc(key)}`), "Reacting failed");
  },
};

/** The emoji button and the popup's place; keys and typing go through here before the app's. */
export function bind(app) {
  const form = app.doc.getElementById("composer");
  const box = app.doc.getElementById("composer-input");
  if (!form || !box) return;
  form.before(h("div#composer-popup"));
  form.querySelector(".send")?.before(h("button#emoji-toggle.icon.emoji-toggle", {
    type: "button", "data-action": "emoji-picker", title: "Emoji", "aria-label": "Choose an emoji", "aria-pressed": "false",
  }, icon("smile")));
  for (const [name, value] of Object.entries(comboAttrs(COMPOSER))) if (value != null) box.setAttribute(name, value);
  app.doc.addEventListener("keydown", (event) => keydown(app, event), true);
  app.doc.addEventListener("input", (event) => {
    if (searched(app, event)) return;
    const t = event.target;
    if (!isBox(t)) return;
    refresh(app, t);
    if (t === box) saveDraft(app, app.ui.channelId, box.value);
    app.render();
  });
  // The list closes when its box loses focus; clicking an option keeps the focus in the box.
  app.doc.addEventListener("focusout", (event) => {
    if (!ac.open || event.target?.id !== ac.box) return;
    close();
    app.render();
  });
  app.doc.addEventListener("mousedown", (event) => {
    if (event.target.closest?.(".autocomplete")) event.preventDefault();
  });
  // Moving the caret (clicks, arrows while closed) re-reads the word under it.
  app.doc.addEventListener("click", (event) => {
    if (!isBox(event.target)) return;
    refresh(app, event.target);
    app.render();
  });
  box.addEventListener("focus", () => loadEmoji().catch(() => null), { once: true });
  app.doc.addEventListener("click", (event) => {
    if (!app.ui.composerPicker) return;
    if (event.target.closest?.("#composer-popup, #emoji-toggle")) return;
    app.ui.composerPicker = false;
    app.render();
  });
  onEmojiData(() => {
    const typed = app.doc.getElementById(ac.box);
    if ((ac.open || ac.kind === ":") && typed) refresh(app, typed);
    app.render();
  });
}
