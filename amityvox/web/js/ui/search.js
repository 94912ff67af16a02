// @ts-check
// Message search in the side panel (Ctrl+K or Ctrl+F): words and "phrases" with filters
// written as chips (from: in: has: before: after: mentions: pinned), over the open server
// or, at home, one's DMs and groups. Each result shows where and by whom, when, and the
// matching words highlighted; a click opens the message in its channel (ui/jump.js).

import { h, time } from "./dom.js";
import { channelLabel } from "./sidebar.js";
import { guildMembers } from "../state.js";

const PAGE = 25;
export const CHIPS = ["from:", "in:", "has:", "mentions:", "before:", "after:", "pinned"];
const HAS = ["link", "file", "image", "embed", "poll"];
const TOKEN = /(\w+):("[^"]*"|\S*)|"[^"]*"|\S+/g;

function people(app, guildId) {
  const s = app.state;
  if (guildId) return guildMembers(s, guildId).map((m) => ({ ...m.user, nickname: m.nickname }));
  const seen = new Map();
  for (const c of Object.values(s.channels)) {
    if (c.guild_id == null) for (const u of c.recipients ?? []) seen.set(u.id, s.users[u.id] ?? u);
  }
  if (s.self_user) seen.set(s.self_user.id, s.self_user);
  return [...seen.values()];
}

/** A user id for a name written in a filter: username first, then display name or nickname. */
function whoIs(app, guildId, name) {
  if (/^[0-9A-Z]{26}$/.test(name)) return name;
  const wanted = name.replace(/^@/, "").toLowerCase();
  const list = people(app, guildId);
  const found = list.find((u) => u.username?.toLowerCase() === wanted)
    ?? list.find((u) => u.display_name?.toLowerCase() === wanted || u.nickname?.toLowerCase() === wanted);
  return found?.id ?? null;
}

function channelNamed(app, guildId, name) {
  const wanted = name.replace(/^#/, "").toLowerCase();
  const found = Object.values(app.state.channels)
    .find((c) => c.guild_id === guildId && (c.id === name || c.name?.toLowerCase() === wanted));
  return found?.id ?? null;
}

/**
 * The query as typed → `{params, chips, error}`: REST parameters, the filters shown as chips
 * (each with the text it came from, so removing it edits the query) and the first problem.
 */
export function parseQuery(app, text, guildId) {
  const params = new URLSearchParams();
  const words = [];
  const chips = [];
  let error = null;
  for (const m of text.matchAll(TOKEN)) {
    const [raw, key, quoted] = m;
    const value = (quoted ?? "").replace(/^"|"$/g, "");
    const name = key?.toLowerCase();
    const fail = (msg) => {
      error ??= msg;
    };
    if (name === "from" || name === "mentions") {
      const id = value && whoIs(app, guildId, value);
      if (id) params.append(name === "from" ? "author_id" : "mentions", id);
      else fail(value ? `No one called “${value}” here.` : `Write a name after ${name}:`);
    } else if (name === "in") {
      const id = guildId ? value && channelNamed(app, guildId, value) : null;
      if (id) params.append("channel_id", id);
      else fail(guildId ? `No channel called “${value}” here.` : "in: works inside a server.");
    } else if (name === "has") {
      if (HAS.includes(value)) params.append("has", value);
      else fail(`has: takes ${HAS.join(", ")}.`);
    } else if (name === "before" || name === "after") {
      if (value) params.set(name, value);
      else fail(`Write a date (YYYY-MM-DD) after ${name}:`);
    } else if (name === "pinned") {
      params.set("pinned", ["false", "no"].includes(value.toLowerCase()) ? "false" : "true");
    } else if (!key && raw.toLowerCase() === "pinned") {
      params.set("pinned", "true");
    } else {
      words.push(raw);
      continue;
    }
    chips.push({ raw, label: key ? `${name}: ${value}` : "pinned" });
  }
  if (words.length) params.set("q", words.join(" "));
  return { params, chips, error };
}

export async function runSearch(app, text, offset = 0) {
  const guildId = app.ui.guildId;
  const { params, chips, error } = parseQuery(app, text, guildId);
  const search = (app.ui.search = { ...(offset ? app.ui.search : {}), query: text, chips, error, guildId, loading: !error });
  if (offset === 0) Object.assign(search, { results: [], total: null });
  app.render();
  if (error) return;
  if (![...params.keys()].length) {
    Object.assign(search, { loading: false, error: "Type words to find, or pick a filter." });
    app.render();
    return;
  }
  params.set("limit", String(PAGE));
  params.set("offset", String(offset));
  const path = guildId ? `/guilds/${guildId}/messages/search` : "/users/@me/messages/search";
  try {
    const found = await app.api.request("GET", `${path}?${params}`);
    if (app.ui.search !== search) return; // a newer search replaced this one
    search.results = [...(search.results ?? []), ...found.results];
    search.total = found.total_results;
  } catch (err) {
    search.error = `Search failed: ${err.message}`;
  } finally {
    search.loading = false;
    app.render();
  }
}

function where(app, message) {
  const c = app.state.channels[message.channel_id];
  return c ? `${c.guild_id ? "#" : ""}${channelLabel(app, c)}` : "a channel";
}

function resultView(app, { message, snippet }) {
  const author = message.author?.display_name ?? message.author?.username ?? "someone";
  return h("li", { "data-key": message.id },
    h("button.search-result", {
      "data-action": "jump-to", "data-channel": message.channel_id, "data-message": message.id,
      "aria-label": `${author} in ${where(app, message)}: ${message.content.slice(0, 80)}`,
    },
    h("span.result-head", h("span.result-where", where(app, message)), h("strong", author),
      h("time", { datetime: message.created_at }, time(message.created_at))),
    h("span.snippet", snippet.map((seg) => (seg.match ? h("mark", seg.text) : seg.text)))));
}

/** The panel body. */
export function view(app) {
  const search = app.ui.search ?? {};
  const scope = app.ui.guildId ? app.state.guilds[app.ui.guildId]?.name ?? "this server" : "your messages";
  const results = search.results ?? [];
  let status = null;
  if (search.error) status = h("p.search-error", { role: "alert" }, search.error);
  else if (search.loading && !results.length) status = h("p.muted", "Searching…");
  else if (search.total === 0) status = h("p.muted", "No results.");
  else if (search.total != null) status = h("p.muted", `${search.total} result${search.total === 1 ? "" : "s"}`);
  return [
    h("form.search-form", { "data-submit": "search", role: "search" },
      h("label.sr-only", { for: "search-input" }, "Search messages"),
      // Opened with the last query (a new box only: morphing keeps what is typed), focused and selected.
      h("input#search-input", { name: "q", type: "search", placeholder: `Search ${scope}`, autocomplete: "off", maxlength: 512, value: search.query ?? null, "data-autofocus": "select" }),
      h("button.primary", { type: "submit" }, "Search")),
    h("div.search-chips", { role: "group", "aria-label": "Add a filter" },
      CHIPS.map((c) => h("button.chip", { type: "button", "data-key": c, "data-action": "search-chip", "data-token": c }, c))),
    search.chips?.length ? h("div.search-chips.active", { role: "group", "aria-label": "Filters in use" },
      search.chips.map((c, i) => h("span.chip.on", { "data-key": `${i}:${c.raw}` }, c.label,
        h("button.icon.small", { type: "button", "data-action": "search-unchip", "data-index": i, "aria-label": `Remove filter ${c.label}` }, "✕")))) : null,
    status,
    results.length ? h("ul.search-results", results.map((r) => resultView(app, r))) : null,
    search.total != null && results.length < search.total
      ? h("button.ghost", { "data-action": "search-more", disabled: search.loading }, search.loading ? "Loading…" : "More results") : null,
  ];
}

function input(app) {
  return app.doc.getElementById("search-input");
}

export function onOpen(app, panel) {
  if (panel !== "search") return;
  // The last query stays in the box; a search from another server starts afresh.
  if (app.ui.search && app.ui.search.guildId !== app.ui.guildId) app.ui.search = null;
}

/** The box focused with its text selected, so typing starts a new query. */
function focusBox(app) {
  const box = input(app);
  box?.focus();
  box?.select();
}

/** Ctrl+K / Ctrl+F (⌘ on a Mac) open the search, or focus it when it is open. */
export function bind(app) {
  app.doc.addEventListener("keydown", (event) => {
    const key = event.key?.toLowerCase();
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || (key !== "k" && key !== "f")) return;
    if (app.ui.view !== "app") return;
    event.preventDefault();
    if (app.ui.panel !== "search") app.openPanel("search");
    else focusBox(app);
  });
}

export const forms = {
  search(app, fields) {
    return runSearch(app, (fields.q ?? "").trim());
  },
};

export const actions = {
  "search-chip"(app, data) {
    const box = input(app);
    if (!box) return;
    const token = data.token;
    box.value = `${box.value.trimEnd()}${box.value.trim() ? " " : ""}${token}`;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    if (token === "pinned") box.form.requestSubmit();
  },
  "search-unchip"(app, data) {
    const chip = app.ui.search?.chips?.[Number(data.index)];
    const box = input(app);
    if (!chip || !box) return undefined;
    box.value = box.value.replace(chip.raw, "").replace(/\s+/g, " ").trim();
    return runSearch(app, box.value);
  },
  "search-more"(app) {
    const search = app.ui.search;
    if (search) return runSearch(app, search.query, search.results.length);
    return undefined;
  },
};
