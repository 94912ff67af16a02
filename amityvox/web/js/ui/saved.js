// @ts-check
// Saved messages: save or unsave from a message's actions, and a panel listing them
// (newest save first) with a jump to each. Which messages are saved is kept by the stores
// (READY and SAVED_MESSAGE_*, so every tab of the user agrees); the messages themselves are
// fetched when the panel opens (GET /users/@me/saved-messages), as they can be older than
// anything loaded.

import { h, time } from "./dom.js";
import { icon } from "./icons.js";
import { messageText } from "./markdown.js";
import { channelLabel } from "./sidebar.js";
import { ask } from "./modal.js";

const PAGE = 50;

export function isSaved(app, messageId) {
  return Object.prototype.hasOwnProperty.call(app.state.saved_messages ?? {}, messageId);
}

/** The hover-menu button of a message. */
export function saveButton(app, m) {
  const saved = isSaved(app, m.id);
  const label = saved ? "Remove from saved" : "Save message";
  return h("button.icon.small", { "data-action": "toggle-save", "data-message": m.id, title: label, "aria-label": label, "aria-pressed": String(saved) },
    icon("bookmark"));
}

async function load(app, { more = false } = {}) {
  const list = app.ui.saved && more ? app.ui.saved : { items: [], exhausted: false };
  list.loading = true;
  app.ui.saved = list;
  app.render();
  try {
    const before = more ? list.items.at(-1)?.message_id : undefined;
    const page = await app.api.get("/users/@me/saved-messages", { limit: PAGE, before });
    if (app.ui.saved !== list) return;
    const known = new Set(list.items.map((i) => i.message_id));
    list.items.push(...page.filter((i) => !known.has(i.message_id)));
    list.exhausted = page.length < PAGE;
    // What the stores held when this answer came: a save added later makes the list stale.
    list.known = new Set([...list.items.map((i) => i.message_id), ...Object.keys(app.state.saved_messages)]);
  } catch (err) {
    app.fail(err, "Loading saved messages failed");
    list.exhausted = true;
  } finally {
    list.loading = false;
    app.render();
  }
}

function guildOf(app, item) {
  return item.guild_id ?? app.state.channels[item.channel_id]?.guild_id ?? null;
}

function where(app, item) {
  const c = app.state.channels[item.channel_id];
  if (!c) return "a channel";
  const guild = c.guild_id ? app.state.guilds[c.guild_id]?.name : null;
  return `${guild ? `${guild} › #` : ""}${channelLabel(app, c)}`;
}

/** The panel body: the fetched list, as the stores say it is now. */
export function view(app) {
  const list = app.ui.saved;
  if (!list) return h("p.muted", "Loading…");
  // Saved in another tab since the list was fetched: fetch it again (once it is idle).
  if (!list.loading && list.known && Object.keys(app.state.saved_messages).some((id) => !list.known.has(id))) {
    queueMicrotask(() => app.ui.panel === "saved" && !app.ui.saved?.loading && load(app));
  }
  const items = list.items.filter((i) => isSaved(app, i.message_id));
  if (!items.length) return h("p.muted", list.loading ? "Loading…" : "Nothing saved yet. Save a message from its actions to find it here.");
  return [
    h("ul.saved-list", items.map((i) => {
      const m = i.message;
      const author = m.author?.display_name ?? m.author?.username ?? "someone";
      const note = app.state.saved_messages[i.message_id]?.note;
      return h("li.saved-item", { "data-key": i.message_id },
        h("header", h("span.result-where", where(app, i)), h("strong", author), h("time", { datetime: m.created_at }, time(m.created_at))),
        h("div.content.md.saved-content", m.content ? messageText(app, m, guildOf(app, i)) : h("em", "(attachments)")),
        note ? h("p.saved-note", note) : null,
        h("div.row",
          h("button.link", { "data-action": "jump-to", "data-channel": i.channel_id, "data-message": i.message_id }, "Jump"),
          h("button.link", { "data-action": "saved-note", "data-message": i.message_id }, note ? "Edit note" : "Add note"),
          h("button.link.danger", { "data-action": "unsave", "data-message": i.message_id }, "Remove")));
    })),
    list.exhausted ? null : h("button.ghost", { "data-action": "saved-more", disabled: list.loading }, list.loading ? "Loading…" : "More"),
  ];
}

export function onOpen(app, panel) {
  if (panel === "saved") load(app);
}

async function unsave(app, messageId) {
  const done = await app.call(null, () => app.api.delete(`/users/@me/saved-messages/${messageId}`), "Removing failed");
  if (done !== undefined) delete app.state.saved_messages[messageId]; // the event says the same
  app.render();
}

export const actions = {
  async "toggle-save"(app, data) {
    const id = data.message;
    if (isSaved(app, id)) return unsave(app, id);
    const saved = await app.call(null, () => app.api.put(`/users/@me/saved-messages/${id}`, {}), "Saving failed");
    if (saved) app.state.saved_messages[id] = saved; // the event says the same
    app.render();
    return undefined;
  },
  unsave(app, data) {
    return unsave(app, data.message);
  },
  async "saved-note"(app, data) {
    const id = data.message;
    const note = await ask(app, {
      title: "Note on this saved message", confirm: "Save note", cancelled: "The note was not changed.",
      input: { label: "Note (empty to remove)", value: app.state.saved_messages[id]?.note ?? "", maxlength: 500 },
    });
    if (note == null) return;
    const saved = await app.call(null, () => app.api.put(`/users/@me/saved-messages/${id}`, { note: note.trim() || null }), "Saving the note failed");
    if (saved) app.state.saved_messages[id] = saved;
    app.render();
  },
  "saved-more"(app) {
    return load(app, { more: true });
  },
};
