// @ts-check
// Slash commands in the composer. `/` at the start of the box lists the commands usable in the
// channel (name, description, the bot that answers; fetched from GET /channels/{c}/commands
// each time the list opens, then kept current by APPLICATION_COMMAND_* events); ↑/↓ move, Tab or
// Enter choose, Esc dismisses. After `/roll ` the options are typed: by position (`/roll 20`) or
// by name (`/roll sides:20 label:attack`). A bar shows the command's options, the one being
// typed highlighted with its description; its choices, or the bot's autocomplete answers (an
// autocomplete interaction, type 4), are listed to pick from. Enter sends POST /interactions.
//
// Until an event names the interaction sent (the bot's message or ephemeral message, its modal,
// or INTERACTION_TIMEOUT when the server's deadline passed) the composer says "Sending command…";
// a timeout says "The application did not respond". The server decides the timeout, so this
// notice and the bot's answer never contradict each other (docs/bots.md#answering). A modal
// (INTERACTION_MODAL_CREATE) opens as a dialog; submitting it is another interaction, pending
// the same way; cancelling it sends nothing.

import { h, patch } from "./dom.js";
import { form as modalForm } from "./modal.js";
import { guildChannels, guildMembers } from "../state.js";
import { has, loadCommands } from "../stores.js";
import { Perm, channelPermissions } from "../perms.js";

const LIMIT = 10;
const AUTOCOMPLETE_DELAY_MS = 250; // ask the bot once typing pauses, not at every key
const TYPE_NAMES = { 3: "text", 4: "whole number", 5: "true or false", 6: "member", 7: "channel", 8: "role", 10: "number" };
const MENU = /^\/([-_\p{L}\p{N}]{0,32})$/u;
const CHOSEN = /^\/([-_\p{L}\p{N}]{1,32})(\s[\s\S]*)?$/u;
const ADMINISTRATOR = 1n << 63n;

const sl = {
  channelId: null, // where the list was last fetched for
  index: 0,
  dismissed: null, // the text Esc dismissed the list at
  acId: null, // the autocomplete interaction whose answer is awaited
  acKey: null, // what it asked: "command/option=value"
  acTimer: null,
  pending: null, // {id, name, channelId, failed}: the interaction sent and not answered yet
  modalShown: null, // the id of the last modal opened as a dialog
};

// ---- which commands ---------------------------------------------------------------------------------

/** The commands of the channel's guild the user may use there: none where they cannot post, and
 * of the others those whose `default_member_permissions` they hold in the channel (overwrites and
 * a timeout included), as the server checks a use. */
export function usable(app, channelId) {
  const s = app.state;
  const guildId = s.channels[channelId]?.guild_id;
  if (!guildId) return [];
  const perms = channelPermissions(s, channelId);
  const post = Perm.ViewChannel | Perm.SendMessages;
  if ((perms & post) !== post) return [];
  return Object.values(s.application_commands[guildId] ?? {}).filter((c) => {
    if (c.default_member_permissions == null) return true;
    const needed = BigInt(c.default_member_permissions) || ADMINISTRATOR;
    return (perms & needed) === needed;
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
}

/** @type {Map<string, number>} APPLICATION_COMMAND_* events seen per guild (effects.js) */
const commandEvents = new Map();

/** A command of the guild was made, changed or removed: a listing already on its way may predate it. */
export function commandsChanged(guildId) {
  commandEvents.set(guildId, (commandEvents.get(guildId) ?? 0) + 1);
}

export async function fetchCommands(app, channelId) {
  const guildId = app.state.channels[channelId]?.guild_id;
  if (!guildId) return;
  try {
    // A listing that crossed a command event may be older than it: ask again rather than let it
    // undo the event; after three such crossings the events alone keep the list.
    for (let tries = 0; tries < 3; tries++) {
      const seen = commandEvents.get(guildId) ?? 0;
      const listing = await app.api.get(`/channels/${channelId}/commands`);
      if ((commandEvents.get(guildId) ?? 0) === seen) {
        loadCommands(app.state, guildId, listing);
        break;
      }
    }
  } catch (err) {
    app.fail(err, "Loading the commands failed");
  }
  app.render();
}

function botName(app, command) {
  const u = app.state.users[command.application_id];
  return u ? u.display_name ?? u.username : "bot";
}

// ---- reading the box --------------------------------------------------------------------------------

/** The command the box names (`/roll …`), when the channel offers one of that name. */
function chosen(app, text) {
  const m = CHOSEN.exec(text);
  if (!m || m[2] === undefined) return null;
  return usable(app, app.ui.channelId).find((c) => c.name === m[1]) ?? null;
}

/**
 * The option values typed after `/name `: `name:value` segments, and before any of them values by
 * position. `focused`: the option the caret's word belongs to (the next one after a space).
 */
export function parse(command, rest, caretAtEnd = true) {
  const options = command.options ?? [];
  const names = options.map((o) => o.name);
  const values = new Map();
  const marks = [];
  if (names.length) {
    const re = new RegExp(`(^|\\s)(${names.map((n) => n.replace(/[-]/g, "\\-")).join("|")}):`, "gu");
    for (const m of rest.matchAll(re)) marks.push({ name: m[2], at: m.index + m[1].length, value: m.index + m[0].length });
  }
  const head = marks.length ? rest.slice(0, marks[0].at) : rest;
  let focused = null;
  const free = options.filter((o) => !marks.some((mk) => mk.name === o.name));
  const words = head.trim() ? head.trim().split(/\s+/) : [];
  words.forEach((word, i) => {
    const option = free[Math.min(i, free.length - 1)];
    if (!option) return;
    if (i >= free.length) {
      if (option.type !== 3) return; // extra words only continue a text value
      values.set(option.name, `${values.get(option.name)} ${word}`);
    } else {
      values.set(option.name, word);
    }
    focused = option.name;
  });
  marks.forEach((mk, i) => {
    const end = i + 1 < marks.length ? marks[i + 1].at : rest.length;
    values.set(mk.name, rest.slice(mk.value, end).trim());
    focused = mk.name;
  });
  if (caretAtEnd && /\s$/.test(rest) && !(marks.length && values.get(marks.at(-1).name) === "")) {
    // After a space, the next value is typed: the first option without one.
    const next = options.find((o) => !values.has(o.name) || values.get(o.name) === "");
    const last = focused && options.find((o) => o.name === focused);
    focused = next?.name ?? (last && last.type === 3 && !marks.length ? last.name : null);
  }
  return { values, focused };
}

const FALSE = new Set(["false", "no", "0", "off"]);
const TRUE = new Set(["true", "yes", "1", "on"]);

/** A typed value as the option's type: ids for members, channels and roles; choices by name. */
function valueOf(app, option, raw) {
  const s = app.state;
  const guildId = s.channels[app.ui.channelId]?.guild_id;
  const text = raw.trim();
  const lower = text.toLowerCase();
  const choice = (option.choices ?? []).find((c) => c.name.toLowerCase() === lower || String(c.value).toLowerCase() === lower);
  if (choice) return choice.value;
  if (option.type === 5) return TRUE.has(lower) ? true : FALSE.has(lower) ? false : text;
  if (option.type === 6) {
    const id = /^<@!?([0-9A-Z]{26})>$/.exec(text)?.[1];
    if (id) return id;
    const name = lower.replace(/^@/, "");
    return guildMembers(s, guildId).find((m) => m.user?.username?.toLowerCase() === name)?.user_id ?? text;
  }
  if (option.type === 7) {
    const id = /^<#([0-9A-Z]{26})>$/.exec(text)?.[1];
    return id ?? guildChannels(s, guildId).find((c) => c.name?.toLowerCase() === lower.replace(/^#/, ""))?.id ?? text;
  }
  if (option.type === 8) {
    const id = /^<@&([0-9A-Z]{26})>$/.exec(text)?.[1];
    return id ?? Object.values(s.roles[guildId] ?? {}).find((r) => r.name.toLowerCase() === lower.replace(/^@/, ""))?.id ?? text;
  }
  return text;
}

function optionsBody(app, command, values, focused = null) {
  return (command.options ?? []).filter((o) => values.get(o.name)).map((o) => (o.name === focused
    ? { name: o.name, value: values.get(o.name), focused: true }
    : { name: o.name, value: valueOf(app, o, values.get(o.name)) }));
}

// ---- the list ---------------------------------------------------------------------------------------

/** What the popup shows now: commands to choose, or the focused option's choices. */
function listing(app, box) {
  const text = box.value;
  if (!app.ui.channelId || sl.dismissed === text || box.selectionStart !== box.selectionEnd) return null;
  const menu = MENU.exec(text);
  if (menu) {
    const q = menu[1].toLowerCase();
    const items = usable(app, app.ui.channelId).filter((c) => c.name.startsWith(q)).slice(0, LIMIT)
      .map((c) => ({ key: `cmd:${c.id}`, label: `/${c.name}`, detail: c.description, who: botName(app, c), insert: `/${c.name} ` }));
    return { kind: "commands", title: q ? `Commands matching /${q}` : "Commands", items };
  }
  const command = chosen(app, text);
  if (!command) return null;
  const rest = text.slice(command.name.length + 1);
  const { values, focused } = parse(command, rest, box.selectionEnd === text.length);
  const option = command.options?.find((o) => o.name === focused);
  if (!option) return { kind: "options", command, values, focused: null, items: [] };
  const typed = (values.get(option.name) ?? "").toLowerCase();
  let choices = [];
  if (option.choices?.length) {
    choices = option.choices.filter((c) => c.name.toLowerCase().includes(typed) || String(c.value).toLowerCase().startsWith(typed));
  } else if (option.autocomplete) {
    const answer = app.state.autocomplete;
    if (sl.acId && answer?.interaction_id === sl.acId) choices = answer.choices;
  }
  const items = choices.slice(0, 25).map((c) => ({
    key: `choice:${String(c.value)}`, label: c.name, detail: String(c.value) === c.name ? "" : String(c.value), who: "",
    value: c.value, option: option.name,
  }));
  return { kind: "options", command, values, focused: option.name, option, items };
}

/** Put a picked choice in place of the value being typed (the last one in the box). */
function replaceValue(box, command, optionName, value) {
  const text = box.value;
  const { values } = parse(command, text.slice(command.name.length + 1));
  const current = values.get(optionName) ?? "";
  const trimmed = text.trimEnd();
  let base = current && trimmed.endsWith(current) ? trimmed.slice(0, -current.length) : text.replace(/\s*$/, " ");
  // A value with spaces goes by name, so that its words are not read as the next options.
  if (/\s/.test(value) && !base.endsWith(`${optionName}:`)) base = `${base.replace(/\s*$/, " ")}${optionName}:`;
  box.value = `${base}${value} `;
  box.setSelectionRange(box.value.length, box.value.length);
}

function pick(app, box, view, item) {
  if (view.kind === "commands") {
    box.value = item.insert;
    box.setSelectionRange(box.value.length, box.value.length);
  } else {
    replaceValue(box, view.command, item.option, String(item.value));
  }
  sl.index = 0;
  sl.dismissed = null;
  box.focus();
  refresh(app, box);
  app.render();
}

// ---- autocomplete through the bot -------------------------------------------------------------------

function askBot(app, view) {
  if (view?.kind !== "options" || !view.option?.autocomplete) return;
  const typed = view.values.get(view.option.name) ?? "";
  const key = `${view.command.id}/${view.option.name}=${typed}`;
  if (sl.acKey === key) return;
  sl.acKey = key;
  clearTimeout(sl.acTimer);
  const channelId = app.ui.channelId;
  sl.acTimer = setTimeout(async () => {
    const options = optionsBody(app, view.command, view.values, view.option.name);
    if (!options.some((o) => o.focused)) options.push({ name: view.option.name, value: typed, focused: true });
    const body = { type: 4, channel_id: channelId, application_id: view.command.application_id, data: { id: view.command.id, name: view.command.name, options } };
    try {
      const use = await app.api.post("/interactions", body);
      if (sl.acKey === key) sl.acId = use.id;
    } catch {
      // Another option's value is not valid yet: no suggestions until it is.
    }
    app.render();
  }, AUTOCOMPLETE_DELAY_MS);
}

function refresh(app, box) {
  const view = listing(app, box);
  askBot(app, view);
}

// ---- sending ----------------------------------------------------------------------------------------

/** Whether the box holds a use of a command (the send button and Enter go through `send`). */
export function isCommand(app, text) {
  return chosen(app, text) != null;
}

/** POST /interactions for the command in the box; the box keeps the text when it is refused. */
export async function send(app, box) {
  const text = box.value;
  const command = chosen(app, text);
  if (!command) return false;
  const { values } = parse(command, text.slice(command.name.length + 1), false);
  const missing = (command.options ?? []).filter((o) => o.required && !values.get(o.name));
  if (missing.length) {
    app.toast(`/${command.name} needs ${missing.map((o) => o.name).join(", ")}`, "error");
    return true;
  }
  const channelId = app.ui.channelId;
  const body = {
    type: 2, channel_id: channelId, application_id: command.application_id,
    data: { id: command.id, name: command.name, options: optionsBody(app, command, values) },
  };
  box.value = "";
  sl.acId = null;
  sl.acKey = null;
  await pending(app, body, `/${command.name} failed`, () => {
    if (!box.value) box.value = text;
  });
  return true;
}

/** POST /interactions and show the interaction as pending until an event names it. */
async function pending(app, body, failure, refused = () => {}) {
  const channelId = body.channel_id ?? app.ui.channelId;
  sl.pending = { id: null, name: "", channelId, failed: false };
  app.render();
  try {
    const use = await app.api.post("/interactions", body);
    sl.pending = { id: use.id, name: use.name, channelId, failed: false };
  } catch (err) {
    sl.pending = null;
    refused();
    app.fail(err, failure);
  }
  app.render();
}

/** "answered", "failed" (the server's deadline passed) or null (still waiting) for an interaction. */
function outcome(app, id, channelId) {
  const s = app.state;
  if (s.timed_out[id]) return "failed";
  if (s.modal?.id === id) return "answered";
  const answers = (m) => m.interaction?.id === id;
  const found = Object.values(s.messages[channelId] ?? {}).some(answers) || Object.values(s.ephemeral_messages[channelId] ?? {}).some(answers);
  return found ? "answered" : null;
}

function commandStatus(app) {
  const p = sl.pending;
  if (p?.id) {
    const result = outcome(app, p.id, p.channelId);
    if (result === "answered") sl.pending = null;
    else if (result === "failed") p.failed = true;
  }
  if (!sl.pending || sl.pending.channelId !== app.ui.channelId) return [];
  return sl.pending.failed
    ? [h("div.command-status.failed", { role: "alert", "data-key": "failed" }, "The application did not respond")]
    : [h("div.command-status", { role: "status", "data-key": "sending" }, "Sending command…")];
}

// ---- modals -------------------------------------------------------------------------------------

/** A bot's modal as a dialog: each text input a field with its rules; Submit sends interaction 5. */
async function openModal(app, modal) {
  const inputs = modal.components.map((row) => row.components[0]);
  const values = await modalForm(app, {
    title: modal.title, confirm: "Submit", cancelled: false,
    fields: inputs.map((t) => ({
      name: t.custom_id, label: t.label, value: t.value ?? "", placeholder: t.placeholder ?? null, multiline: t.style === 2,
      required: t.required, minlength: t.min_length ?? null, maxlength: t.max_length ?? 4000,
    })),
  });
  if (values == null) return;
  const components = inputs.map((t) => ({ type: 1, components: [{ type: 4, custom_id: t.custom_id, value: values[t.custom_id] }] }));
  const body = { type: 5, channel_id: modal.channel_id, data: { id: modal.id, custom_id: modal.custom_id, components } };
  await pending(app, body, "Submitting the form failed");
}

// ---- the page ---------------------------------------------------------------------------------------

function optionBar(view) {
  const { command, values, focused } = view;
  return h("div.slash-bar", { "data-key": `bar:${command.id}` },
    h("span.slash-name", `/${command.name}`),
    (command.options ?? []).map((o) => h("span.slash-option", {
      "data-key": o.name, class: [values.get(o.name) ? "filled" : null, o.name === focused ? "focused" : null, o.required ? "required" : null],
    }, values.get(o.name) ? `${o.name}: ${values.get(o.name)}` : o.name)),
    view.option ? h("div.slash-hint", h("strong", view.option.name), ` (${TYPE_NAMES[view.option.type] ?? "value"}${view.option.required ? ", required" : ""}): ${view.option.description}`)
      : h("div.slash-hint", command.description));
}

/** Called on every draw: the list or the option bar above the composer, the pending command's
 * status, and a bot's new modal. */
export function draw(app) {
  const box = app.doc.getElementById("composer-input");
  const popup = app.doc.getElementById("slash-popup");
  if (!box || !popup) return;
  const modal = app.state.modal;
  if (modal && modal.id !== sl.modalShown) {
    sl.modalShown = modal.id;
    if (sl.pending?.id === modal.id) sl.pending = null;
    openModal(app, modal);
  }
  patch(app.doc.getElementById("command-status"), commandStatus(app));
  const view = app.doc.activeElement === box ? listing(app, box) : null;
  const items = view?.items ?? [];
  sl.index = Math.min(sl.index, Math.max(0, items.length - 1));
  const list = items.length ? h("ul#slash-suggestions", { role: "listbox", "aria-label": view.kind === "commands" ? "Commands" : "Choices" },
    items.map((item, i) => h("li", {
      id: `slash-${i}`, "data-key": item.key, role: "option", "aria-selected": String(i === sl.index), class: i === sl.index ? "active" : null,
      "data-action": "slash-pick", "data-index": String(i),
    }, h("span.ac-label", item.label), item.detail ? h("span.slash-desc", item.detail) : null, item.who ? h("span.ac-detail", item.who) : null))) : null;
  let shown = [];
  if (view?.kind === "options") {
    shown = [h("div.autocomplete.slash", { "data-key": "slash-options" }, optionBar(view), list)];
  } else if (view?.kind === "commands") {
    const loaded = has(app.state.application_commands, app.state.channels[app.ui.channelId]?.guild_id ?? "");
    const title = items.length ? view.title : loaded ? "No commands match" : "Loading commands…";
    shown = [h("div.autocomplete.slash", { "data-key": "slash-commands" }, h("div.ac-title", title), list)];
  }
  patch(popup, shown);
  if (items.length) {
    box.setAttribute("aria-controls", "slash-suggestions");
    box.setAttribute("aria-activedescendant", `slash-${sl.index}`);
  }
}

function keydown(app, event) {
  const box = event.target;
  if (box.id !== "composer-input" || event.isComposing) return;
  const view = listing(app, box);
  if (!view) return;
  const items = view.items ?? [];
  if (event.key === "Escape") {
    sl.dismissed = box.value;
  } else if (!items.length) {
    return;
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    sl.index = (sl.index + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
  } else if (event.key === "Tab" || (event.key === "Enter" && !event.shiftKey && (view.kind === "commands" || !valueComplete(view, items[sl.index])))) {
    pick(app, box, view, items[sl.index]);
  } else {
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  app.render();
}

/** Enter with a choice list open picks the highlighted choice, unless the value typed is that
 * choice already (then Enter sends). */
function valueComplete(view, item) {
  const typed = view.values.get(view.focused) ?? "";
  return item && (typed === String(item.value) || typed.toLowerCase() === item.label.toLowerCase());
}

export const actions = {
  "slash-pick"(app, data) {
    const box = app.doc.getElementById("composer-input");
    const view = box && listing(app, box);
    const item = view?.items?.[Number(data.index)];
    if (box && item) pick(app, box, view, item);
  },
  "dismiss-ephemeral"(app, data) {
    delete app.state.ephemeral_messages[data.channel]?.[data.message];
    app.render();
  },
};

/** The popup's place, and the keys and typing it listens to (after the composer's own list). */
export function bind(app) {
  const form = app.doc.getElementById("composer");
  const box = app.doc.getElementById("composer-input");
  if (!form || !box) return;
  form.before(h("div#slash-popup"), h("div#command-status"));
  app.doc.addEventListener("keydown", (event) => keydown(app, event), true);
  app.doc.addEventListener("input", (event) => {
    if (event.target !== box) return;
    const opening = MENU.exec(box.value) && (sl.channelId !== app.ui.channelId || box.value === "/");
    if (opening) {
      sl.channelId = app.ui.channelId;
      sl.index = 0;
      fetchCommands(app, app.ui.channelId);
    }
    if (sl.dismissed !== null && sl.dismissed !== box.value) sl.dismissed = null;
    if (sl.pending?.failed) sl.pending = null; // typing again puts the failure notice away
    refresh(app, box);
    app.render();
  });
  app.doc.getElementById("slash-popup").addEventListener("mousedown", (event) => {
    if (event.target.closest(".autocomplete")) event.preventDefault(); // keep the focus in the box
  });
  box.addEventListener("blur", () => app.render());
}
