// @ts-check
// Message text as Discord renders it. `marked` parses (configured for Discord's rules:
// __underline__, ~~strike~~, ||spoilers||, > and >>> quotes, # to ### headings, -# subtext,
// ``` code blocks, masked http(s) links, mentions, custom emoji and <t:…> timestamps; no HTML,
// images, tables, rules, setext headings or indented code), DOMPurify sanitizes the HTML into a
// fragment, and highlight.js colours code blocks (each grammar loaded on first use).
//
// Parsing depends only on the text, so each message's sanitized fragment is cached by content;
// a render clones it and fills in what depends on the stores or the clock ("hydration"): the
// names behind mentions, channel links, timestamps in the viewer's locale, revealed spoilers.

import { Marked } from "../../vendor/marked.esm.js";
import DOMPurify from "../../vendor/purify.es.mjs";
import hljs from "../../vendor/highlight/core.min.js";
import { LANGUAGES } from "../../vendor/highlight/languages.js";
import { displayName } from "../state.js";
import { roleColor } from "./dom.js";
import { emojiPicture } from "./avatar.js";

const ID = "[0-9A-Z]{26}";
const USER = new RegExp(`^<@!?(${ID})>`);
const ROLE = new RegExp(`^<@&(${ID})>`);
const CHANNEL = new RegExp(`^<#(${ID})>`);
const EVERYONE = /^@(everyone|here)\b/;
const CUSTOM_EMOJI = new RegExp(`^<(a?):([A-Za-z0-9_]{2,32}):(${ID})>`);
const TIMESTAMP = /^<t:(-?\d{1,13})(?::([tTdDfFR]))?>/;
const SPOILER = /^\|\|([\s\S]+?)\|\|/;
const URL_START = /^https?:\/\//i;
const EMOJI_SRC = new RegExp(`^/api/v1/files/${ID}$`);
const SAFE_URL = new RegExp(`^(?:https?://|/api/v1/files/${ID}$)`, "i");
// Where a Discord inline token may begin: `<` forms, spoiler bars, @everyone/@here.
const INLINE_START = /<[@#:at]|\|\||@(?:everyone|here)\b/;

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// ---- highlighting ------------------------------------------------------------------------------

const pending = new Map(); // grammar name → its loading promise
const listeners = new Set();

/** The grammar for a code block's language tag: its name when loaded, null when unknown. */
function grammarFor(lang) {
  const name = LANGUAGES[String(lang).toLowerCase()];
  if (!name) return null;
  if (hljs.getLanguage(name)) return name;
  loadLanguage(name);
  return undefined; // known, still loading: shown plain until it arrives
}

/** Load one grammar (by name or alias); rendered messages refresh when it arrives. */
export function loadLanguage(lang) {
  const name = LANGUAGES[String(lang).toLowerCase()];
  if (!name) return Promise.resolve(false);
  if (hljs.getLanguage(name)) return Promise.resolve(true);
  if (!pending.has(name)) {
    pending.set(name, import(`../../vendor/highlight/languages/${name}.min.js`).then((m) => {
      hljs.registerLanguage(name, m.default);
      for (const [content, entry] of cache) if (entry.lang === name) cache.delete(content);
      for (const fn of listeners) fn();
      return true;
    }, () => false));
  }
  return pending.get(name);
}

/** Call `fn` when cached renderings changed (a grammar arrived). */
export function onRenderingChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// ---- the parser --------------------------------------------------------------------------------

/** Where the next Discord inline token may start (its tokenizer decides whether one does). */
function inlineStart(src) {
  INLINE_START.lastIndex = 0;
  return INLINE_START.exec(src)?.index;
}

function inlineToken(type, re, fields) {
  return {
    name: type,
    level: "inline",
    start: inlineStart,
    tokenizer(src) {
      const m = re.exec(src);
      return m ? { type, raw: m[0], ...fields(m, this.lexer) } : undefined;
    },
  };
}

const spoiler = {
  ...inlineToken("spoiler", SPOILER, (m, lexer) => ({ tokens: lexer.inlineTokens(m[1]) })),
  /** @this {{parser: {parseInline: (tokens: unknown[]) => string}}} */
  renderer(token) {
    return `<span class="spoiler"><span class="spoiler-text">${this.parser.parseInline(token.tokens)}</span></span>`;
  },
};

const mentions = [
  { ...inlineToken("user", USER, (m) => ({ id: m[1] })), renderer: (t) => `<span class="mention" data-user="${t.id}">@user</span>` },
  { ...inlineToken("role", ROLE, (m) => ({ id: m[1] })), renderer: (t) => `<span class="mention" data-role="${t.id}">@role</span>` },
  { ...inlineToken("channel", CHANNEL, (m) => ({ id: m[1] })), renderer: (t) => `<span class="mention channel" data-channel="${t.id}">#channel</span>` },
  {
    ...inlineToken("everyone", EVERYONE, (m) => ({ who: m[1] })),
    // Not inside a word or an address (a@here.com).
    tokenizer(src, tokens) {
      const m = EVERYONE.exec(src);
      const before = tokens.at(-1)?.raw?.at(-1) ?? "";
      return m && !/[\w@.]/.test(before) ? { type: "everyone", raw: m[0], who: m[1] } : undefined;
    },
    renderer: (t) => `<span class="mention everyone">@${t.who}</span>`,
  },
];

const customEmoji = {
  ...inlineToken("customEmoji", CUSTOM_EMOJI, (m) => ({ animated: m[1] === "a", name: m[2], id: m[3] })),
  renderer: (t) => `<img class="emoji" src="/api/v1/files/${t.id}" alt=":${t.name}:" title=":${t.name}:" data-emoji="${t.id}" draggable="false">`,
};

const timestamp = {
  ...inlineToken("timestamp", TIMESTAMP, (m) => ({ unix: Number(m[1]), style: m[2] ?? "f" })),
  renderer: (t) => `<time class="timestamp" data-ts="${t.unix}" data-style="${t.style}">${escapeHtml(t.raw)}</time>`,
};

// `-# small grey text` (one line).
const subtext = {
  name: "subtext",
  level: "block",
  start: (src) => src.match(/(?:^|\n)-# /)?.index,
  tokenizer(src) {
    const m = /^-# +([^\n]+)/.exec(src);
    return m ? { type: "subtext", raw: m[0], tokens: this.lexer.inlineTokens(m[1]) } : undefined;
  },
  renderer(token) {
    return `<p class="subtext">${this.parser.parseInline(token.tokens)}</p>`;
  },
};

/**
 * `>>> ` quotes the rest of the message; `> ` quotes its own line; quotes do not nest.
 * @this {{lexer: {state: Record<string, unknown>, blockTokens: (src: string, tokens: unknown[]) => unknown[]}}}
 * @param {string} src
 */
function blockquote(src) {
  const state = this.lexer.state;
  if (state.inQuote) return undefined;
  let raw;
  let text;
  const rest = /^>>>(?: ([\s\S]*)|\n([\s\S]*)|$)/.exec(src);
  if (rest) {
    raw = rest[0];
    text = rest[1] ?? rest[2] ?? "";
  } else {
    const m = /^(?:> [^\n]*|>(?=\n|$))(?:\n(?:> [^\n]*|>(?=\n|$)))*/.exec(src);
    if (!m) return undefined;
    raw = m[0];
    text = raw.split("\n").map((line) => line.replace(/^> ?/, "")).join("\n");
  }
  state.inQuote = true;
  const tokens = this.lexer.blockTokens(text, []);
  state.inQuote = false;
  return { type: "blockquote", raw, text, tokens };
}

/** ``` fences: a language word alone on the first line, the closing ``` anywhere after. */
function fences(src) {
  // Found with indexOf, not one regex: a lazy body between runs of newlines backtracks quadratically.
  const open = /^ {0,3}```/.exec(src);
  if (!open) return undefined;
  const close = src.indexOf("```", open[0].length);
  if (close < 0) return undefined;
  let body = src.slice(open[0].length, close);
  const lang = /^([\w+#.-]+)[^\S\n]*\n/.exec(body);
  if (lang) body = body.slice(lang[0].length);
  let start = 0;
  let end = body.length;
  while (start < end && body[start] === "\n") start += 1;
  while (end > start && body[end - 1] === "\n") end -= 1;
  body = body.slice(start, end);
  if (!body.trim()) return undefined;
  return { type: "code", raw: src.slice(0, close + 3), lang: lang?.[1] ?? "", text: body };
}

const noMatch = () => undefined;

function createParser() {
  const marked = new Marked({ gfm: true, breaks: true, async: false });
  marked.use({
    extensions: [spoiler, ...mentions, customEmoji, timestamp, subtext],
    tokenizer: {
      blockquote,
      fences,
      heading(src) {
        const m = /^(#{1,3}) +([^\n]*\S)[^\S\n]*(?=\n|$)/.exec(src);
        return m ? { type: "heading", raw: m[0], depth: m[1].length, text: m[2], tokens: this.lexer.inline(m[2]) } : undefined;
      },
      // Discord has none of these: their text stays as typed.
      code: noMatch,
      hr: noMatch,
      html: noMatch,
      def: noMatch,
      table: noMatch,
      lheading: noMatch,
      tag: noMatch,
      // ~~two~~ tildes only; bare links only with http(s); <…> links only to http(s).
      del: (src) => (src.startsWith("~~") ? false : undefined),
      url: (src) => (URL_START.test(src) ? false : undefined),
      autolink: (src) => (/^<https?:\/\//i.test(src) ? false : undefined),
    },
    renderer: {
      // `__x__` underlines; `**x**` bolds.
      strong(token) {
        const tag = token.raw.startsWith("__") ? "u" : "strong";
        return `<${tag}>${this.parser.parseInline(token.tokens)}</${tag}>`;
      },
      link(token) {
        const label = this.parser.parseInline(token.tokens);
        if (!URL_START.test(token.href)) return escapeHtml(token.raw);
        const href = escapeHtml(token.href);
        return `<a href="${href}" title="${href}">${label}</a>`;
      },
      // Discord shows `![alt](url)` as "!" and a link.
      image(token) {
        return `!${this.link({ ...token, tokens: [{ type: "text", raw: token.text, text: token.text }] })}`;
      },
      checkbox: (token) => (token.checked ? "[x] " : "[ ] "),
      html: (token) => escapeHtml(token.text),
      code(token) {
        const lang = token.lang?.trim() ?? "";
        const name = lang ? grammarFor(lang) : null;
        const body = name ? hljs.highlight(token.text, { language: name, ignoreIllegals: true }).value : escapeHtml(token.text);
        const tag = name ? ` language-${name}` : "";
        const wait = name === undefined ? ` data-lang="${escapeHtml(LANGUAGES[lang.toLowerCase()])}"` : "";
        return `<pre><code class="hljs${tag}"${wait}>${body}</code></pre>`;
      },
      heading(token) {
        return `<h${token.depth}>${this.parser.parseInline(token.tokens)}</h${token.depth}>`;
      },
      paragraph(token) {
        return `<p>${this.parser.parseInline(token.tokens)}</p>`;
      },
      blockquote(token) {
        return `<blockquote>${this.parser.parse(token.tokens)}</blockquote>`;
      },
      // Blank lines stay as typed (marked's raw for one blank line is "\n\n").
      space: (token) => "<br>".repeat(Math.max(0, token.raw.split("\n").length - 2)),
    },
  });
  return marked;
}

let parser = null;

/** Discord markdown → HTML (before sanitizing). Exported for tests. */
export function toHtml(content) {
  parser ??= createParser();
  return parser.parse(content);
}

// ---- sanitizing --------------------------------------------------------------------------------

const ALLOWED_TAGS = [
  "p", "br", "strong", "em", "u", "del", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3",
  "a", "span", "img", "time",
];
const DATA_ATTR = ["data-user", "data-role", "data-channel", "data-emoji", "data-ts", "data-style", "data-lang"];
const ALLOWED_ATTR = ["href", "title", "class", "src", "alt", "start", "draggable", ...DATA_ATTR];

let purify = null;

/** Our own DOMPurify instance, configured once (parsing a config per call costs more than the HTML). */
function sanitizer() {
  if (purify) return purify;
  purify = DOMPurify(globalThis.window);
  purify.setConfig({
    ALLOWED_TAGS, ALLOWED_ATTR, ALLOW_DATA_ATTR: false, ALLOW_ARIA_ATTR: false,
    // href and src must be http(s) or an emoji image; the other values are names and numbers.
    ALLOWED_URI_REGEXP: SAFE_URL, ADD_URI_SAFE_ATTR: ["start", "draggable", ...DATA_ATTR],
    RETURN_DOM_FRAGMENT: true,
  });
  purify.addHook("afterSanitizeAttributes", (node) => {
    // Links leave in a new tab to http(s) only; images are only the server's emoji pictures.
    if (node.nodeName === "A") {
      if (!URL_START.test(node.getAttribute("href") ?? "")) node.removeAttribute("href");
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    } else if (node.nodeName === "IMG" && !EMOJI_SRC.test(node.getAttribute("src") ?? "")) {
      node.removeAttribute("src");
    }
  });
  return purify;
}

/** Sanitized HTML as a fragment; exported for tests. */
export function sanitize(html) {
  return sanitizer().sanitize(html);
}

// ---- the cache and hydration -------------------------------------------------------------------

const CACHE_SIZE = 2000;
const cache = new Map(); // content → {fragment, lang}: a grammar still loading, or null

// Text no rule can apply to (most chat lines): one paragraph, built without parsing or
// sanitizing, exactly as marked would make it.
const PLAIN = /^(?!\s*\d+[.)]\s)[^*_~`|<>[\]#\\@:&\n+=-]*$/;
const LINKLIKE = /https?:\/\//i;

function plainFragment(content) {
  const fragment = document.createDocumentFragment();
  if (!content.trim()) return fragment;
  const p = document.createElement("p");
  p.textContent = content;
  fragment.append(p);
  return fragment;
}

function template(content) {
  let entry = cache.get(content);
  if (entry) {
    cache.delete(content); // most recently used last
  } else if (PLAIN.test(content) && !LINKLIKE.test(content)) {
    entry = { fragment: plainFragment(content), lang: null };
  } else {
    const html = toHtml(content);
    const fragment = sanitize(html);
    // Line breaks between blocks are the HTML's formatting, not text (the message keeps pre-wrap).
    for (const box of [fragment, ...fragment.querySelectorAll("blockquote, ul, ol, li")]) {
      for (const node of [...box.childNodes]) if (node.nodeType === 3 && /^\s*\n\s*$/.test(node.nodeValue)) node.remove();
    }
    entry = { fragment, lang: fragment.querySelector("code[data-lang]")?.dataset.lang ?? null };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value);
  }
  cache.set(content, entry);
  return entry.fragment;
}

const formats = new Map();

function dateFormat(locale, style) {
  const key = `${locale ?? ""}|${style}`;
  if (!formats.has(key)) {
    const options = {
      t: { timeStyle: "short" },
      T: { timeStyle: "medium" },
      d: { year: "numeric", month: "2-digit", day: "2-digit" },
      D: { dateStyle: "long" },
      f: { dateStyle: "long", timeStyle: "short" },
      F: { dateStyle: "full", timeStyle: "short" },
    }[style] ?? { dateStyle: "long", timeStyle: "short" };
    formats.set(key, new Intl.DateTimeFormat(locale, options));
  }
  return formats.get(key);
}

/** @type {[Intl.RelativeTimeFormatUnit, number][]} */
const UNITS = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];

/**
 * A Discord timestamp in the viewer's locale (`R`: relative to `now`, in ms).
 * @param {number} unix
 * @param {string} style
 * @param {{locale?: string, now?: number}} [options]
 */
export function formatTimestamp(unix, style, { locale, now = Date.now() } = {}) {
  const date = new Date(unix * 1000);
  if (Number.isNaN(date.getTime())) return String(unix);
  if (style !== "R") return dateFormat(locale, style).format(date);
  const seconds = Math.round((date.getTime() - now) / 1000);
  const [unit, size] = UNITS.find(([, s]) => Math.abs(seconds) >= s) ?? UNITS.at(-1);
  return new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(Math.round(seconds / size), unit);
}

/**
 * Render `content` for display: a fragment to append. `ctx` resolves what the text names:
 * user(id) → {name, me} | null, role(id) → {name, color, mine} | null, channel(id) → name | null,
 * customEmoji(id, name) → the node to show, revealed(index) → bool for spoilers, messageId
 * (for spoiler clicks), locale, now.
 */
export function renderMarkdown(content, ctx = {}) {
  const fragment = template(content).cloneNode(true);
  if (!/[<@|]/.test(content)) return fragment; // nothing below can occur
  for (const el of fragment.querySelectorAll("[data-user]")) {
    const user = ctx.user?.(el.dataset.user);
    el.textContent = `@${user?.name ?? "unknown-user"}`;
    if (user?.me) el.classList.add("me");
  }
  for (const el of fragment.querySelectorAll("[data-role]")) {
    const role = ctx.role?.(el.dataset.role);
    el.textContent = `@${role?.name ?? "deleted-role"}`;
    if (role?.mine) el.classList.add("me");
    if (role?.color) el.style.setProperty("color", role.color);
  }
  for (const el of fragment.querySelectorAll("[data-channel]")) {
    const name = ctx.channel?.(el.dataset.channel);
    el.textContent = `#${name ?? "unknown"}`;
    if (name != null) {
      el.setAttribute("data-action", "select-channel");
      el.setAttribute("role", "link");
      el.setAttribute("tabindex", "0");
    }
  }
  for (const el of fragment.querySelectorAll(".everyone")) el.classList.add("me");
  if (ctx.customEmoji) {
    for (const el of fragment.querySelectorAll("img[data-emoji]")) el.replaceWith(ctx.customEmoji(el.dataset.emoji, el.alt.slice(1, -1)));
  }
  for (const el of fragment.querySelectorAll("time[data-ts]")) {
    const unix = Number(el.dataset.ts);
    el.textContent = formatTimestamp(unix, el.dataset.style, ctx);
    el.title = formatTimestamp(unix, "F", ctx);
    const date = new Date(unix * 1000);
    if (!Number.isNaN(date.getTime())) el.setAttribute("datetime", date.toISOString());
  }
  let index = 0;
  for (const el of fragment.querySelectorAll(".spoiler")) {
    const shown = ctx.revealed?.(index) ?? false;
    if (shown) {
      el.classList.add("revealed");
    } else {
      el.setAttribute("role", "button");
      el.setAttribute("tabindex", "0");
      el.setAttribute("aria-label", "Spoiler, click to reveal");
      el.setAttribute("data-action", "reveal-spoiler");
      if (ctx.messageId) el.setAttribute("data-message", ctx.messageId);
      el.setAttribute("data-spoiler", String(index));
    }
    index += 1;
  }
  return fragment;
}

const CUSTOM_EMOJI_ALL = /<a?:[A-Za-z0-9_]{2,32}:[0-9A-Z]{26}>/g;
const ONE_EMOJI = /\p{RGI_Emoji}/gv;

/** Discord shows a message of 1 to 27 emoji (and nothing else) large. */
export function emojiOnly(content) {
  // One left-to-right scan: a single regex repeating \p{RGI_Emoji} backtracks exponentially on
  // emoji that contain shorter ones (👍🏽 is 👍 and 🏽) when the text is not all emoji.
  if (!content || content.length > 2000) return false;
  const custom = content.match(CUSTOM_EMOJI_ALL)?.length ?? 0;
  const rest = content.replace(CUSTOM_EMOJI_ALL, "").replace(/\s+/g, "");
  const found = rest.match(ONE_EMOJI) ?? [];
  const count = custom + found.length;
  return count > 0 && count <= 27 && found.join("") === rest;
}

// ---- the app's glue ----------------------------------------------------------------------------

const revealedSpoilers = new Set(); // "messageId:index", for this page's life

/** What a message's text names, resolved from the app's stores. */
export function contextFor(app, message, guildId) {
  const s = app.state;
  const me = s.self_user?.id;
  return {
    messageId: message.id,
    user: (id) => (s.users[id] || s.members[guildId]?.[id] ? { name: displayName(s, id, guildId), me: id === me } : null),
    role: (id) => {
      const role = s.roles[guildId]?.[id];
      if (!role) return null;
      return { name: role.name, color: roleColor(role.color), mine: s.members[guildId]?.[me]?.roles.includes(id) ?? false };
    },
    channel: (id) => {
      const c = s.channels[id];
      return c ? (c.name ?? "channel") : null;
    },
    customEmoji: (id, name) => emojiPicture(app, id, name),
    revealed: (index) => revealedSpoilers.has(`${message.id}:${index}`),
  };
}

/** A message's content as nodes for its `.content` element; `trailing` ends its last line. */
export function messageText(app, message, guildId, trailing = null) {
  const fragment = message.content ? renderMarkdown(message.content, contextFor(app, message, guildId)) : null;
  if (!trailing) return fragment;
  const last = fragment?.lastChild;
  if (last?.nodeName === "P") last.append(trailing);
  else return [fragment, trailing];
  return fragment;
}

/**
 * A message's text on one line, for reply quotes and labels: names as shown, custom emoji as
 * :name:, spoilers hidden, at most `max` characters.
 */
export function summaryText(app, message, guildId, max = 100) {
  if (!message.content) return "";
  const fragment = renderMarkdown(message.content, contextFor(app, message, guildId));
  for (const el of fragment.querySelectorAll(".spoiler-text")) el.textContent = "▮▮▮";
  for (const el of fragment.querySelectorAll("img")) el.replaceWith(el.alt);
  const text = [...fragment.childNodes].map((n) => n.textContent).join(" ").replace(/\s+/g, " ").trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const actions = {
  "reveal-spoiler"(app, data) {
    revealedSpoilers.add(`${data.message}:${data.spoiler}`);
    app.render();
  },
};

/** Redraw when a grammar arrives; Enter or Space reveals a focused spoiler. */
export function bind(app) {
  onRenderingChange(() => app.render());
  app.doc.addEventListener("keydown", (event) => {
    const el = event.target;
    if ((event.key === "Enter" || event.key === " ") && el?.dataset?.action && el.classList?.contains("spoiler")) {
      event.preventDefault();
      el.click();
    }
  });
}
