// @ts-check
// The chat column: channel header, the message list (history scroll-back, polls inline),
// the typing line and the composer (Enter sends, Shift+Enter breaks the line, Esc cancels
// a reply or edit, ↑ in an empty box edits your last message).

import { CHANNEL_ICONS, icon } from "./icons.js";
import { h, patch } from "./dom.js";
import { busy, clearSent, readyIds } from "./media.js";
import { editMentions, grow, outgoing, sent } from "./composer.js";
import { idTime, messageView, pollEntry, starterView } from "./message.js";
import * as jump from "./jump.js";
import { channelLabel } from "./sidebar.js";
import { displayName, ephemeralIn, ingestMessages, messagesIn, pollsIn, typingIn } from "../state.js";
import * as slash from "./slash.js";
import { NO_MESSAGES } from "../stores.js";
import { isModerator } from "../perms.js";
import { enc } from "../api.js";
import { ask, confirmAction } from "./modal.js";

const GROUP_MS = 5 * 60 * 1000;

export function header(app) {
  const s = app.state;
  const c = s.channels[app.ui.channelId];
  const inGuild = app.ui.guildId != null;
  const dmCall = c && c.guild_id == null;
  return [
    h("button.icon.nav-toggle", { "data-action": "toggle-nav", "aria-label": "Show channels", "aria-expanded": String(app.ui.navOpen) }, icon("menu")),
    h("h1.channel-title", c ? [h("span.ch-icon", icon(CHANNEL_ICONS[c.channel_type] ?? "hash")), channelLabel(app, c)] : "AmityVox"),
    c?.topic ? h("p.topic", { title: c.topic }, c.topic) : null,
    h("div.header-tools",
      dmCall ? h("button.icon", { "data-action": "join-voice", "data-channel": c.id, title: "Start a call", "aria-label": "Start a call" }, icon("phone")) : null,
      h("button.icon", { "data-action": "open-panel", "data-panel": "search", title: "Search (Ctrl+K)", "aria-label": "Search messages", "aria-pressed": String(app.ui.panel === "search") }, icon("search")),
      h("button.icon", { "data-action": "open-panel", "data-panel": "saved", title: "Saved messages", "aria-label": "Saved messages", "aria-pressed": String(app.ui.panel === "saved") }, icon("bookmark")),
      c ? h("button.icon", { "data-action": "open-panel", "data-panel": "pins", title: "Pinned messages", "aria-label": "Pinned messages", "aria-pressed": String(app.ui.panel === "pins") }, icon("pin")) : null,
      c ? h("button.icon", { "data-action": "open-panel", "data-panel": "features", title: "Apps: polls, locations, kanban, whiteboard, games, activities", "aria-label": "Channel apps", "aria-pressed": String(app.ui.panel === "features") }, icon("apps")) : null,
      inGuild ? h("button.icon", { "data-action": "toggle-members", title: "Members", "aria-label": "Toggle member list", "aria-pressed": String(app.ui.membersOpen) }, icon("users")) : null),
  ];
}

function emptyView(app) {
  const s = app.state;
  if (!s.self_user) return h("div.empty", h("p", "Connecting…"));
  if (!Object.keys(s.guilds).length && app.ui.guildId == null && app.ui.channelId == null) {
    return h("div.empty",
      h("h2", `Welcome, ${s.self_user.display_name ?? s.self_user.username}!`),
      h("p", "Create a server for your friends, or join one with an invite."),
      h("div.row", h("button.primary", { "data-action": "open-panel", "data-panel": "create-guild" }, "Create a server"),
        h("button", { "data-action": "open-panel", "data-panel": "join" }, "Join with an invite")));
  }
  return h("div.empty", h("p", app.ui.guildId ? "This server has no text channel you can see yet." : "Pick a conversation, or open Friends to start one."));
}

function messageNodes(app, channelId) {
  const s = app.state;
  const c = s.channels[channelId];
  // The bot answers only this user sees sit among the messages, in time order.
  const list = [...messagesIn(s, channelId), ...ephemeralIn(s, channelId)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const polls = pollsIn(s, channelId);
  const pollsByMessage = new Map();
  const loosePolls = [];
  for (const p of polls) {
    if (p.message_id && s.messages[channelId]?.[p.message_id]) {
      if (!pollsByMessage.has(p.message_id)) pollsByMessage.set(p.message_id, []);
      pollsByMessage.get(p.message_id).push(p);
    } else {
      loosePolls.push(p);
    }
  }
  const canModerate = c?.guild_id ? isModerator(s, c.guild_id) : false;
  const hist = app.ui.history[channelId] ?? {};
  const nodes = [];
  nodes.push(hist.exhausted
    ? h("div.history-start", { "data-key": "start" }, h("h2", historyStart(app, c)))
    : h("div.history-more", { "data-key": "more" }, h("button.ghost", { "data-action": "load-older", disabled: hist.loading }, hist.loading ? "Loading…" : "Load older messages")));
  if (hist.exhausted && c?.parent_channel_id) {
    const starter = app.threadStarter(channelId);
    if (starter !== undefined) nodes.push(starterView(app, c, starter));
  }
  let prev = null;
  let pi = 0;
  for (const m of list) {
    while (pi < loosePolls.length && loosePolls[pi].id < m.id) {
      const poll = loosePolls[pi++];
      nodes.push(pollEntry(app, poll));
      prev = { id: poll.id, author_id: poll.author_id, created_at: idTime(poll.id) }; // its author's next message groups under it
    }
    const marks = jump.before(app, channelId, prev, m); // the NEW divider, a gap in history
    // A system message (a join) neither groups under the one before it nor gathers the next.
    const compact = !marks.length && prev && prev.author_id === m.author_id && (prev.message_type ?? "default") === "default" && (m.message_type ?? "default") === "default" && prev.author?.username === m.author?.username && Date.parse(m.created_at) - Date.parse(prev.created_at) < GROUP_MS;
    nodes.push(...marks, messageView(app, m, { compact, canModerate, pollsByMessage }));
    prev = m;
  }
  while (pi < loosePolls.length) nodes.push(pollEntry(app, loosePolls[pi++]));
  nodes.push(jump.after(app, channelId));
  return nodes;
}

function historyStart(app, c) {
  if (c.guild_id) return `This is the start of #${channelLabel(app, c)}`;
  const me = app.state.self_user?.id;
  const other = c.channel_type === "dm" ? (c.recipients ?? []).find((u) => u.id !== me) : null;
  return other ? `This is the beginning of your direct message history with @${other.username}`
    : `This is the beginning of ${channelLabel(app, c)}`;
}

/** True when the list shows its newest messages (within 48 px of the end). */
export function atBottom(el) {
  return !!el && el.scrollHeight - el.scrollTop - el.clientHeight < 48;
}

/**
 * Patch the message list, keeping the reader's place (or the bottom when they were there).
 * `wasAtBottom` is measured before the frame changed the layout: opening a side panel narrows
 * the list, its text wraps taller, and measuring now would find the reader above the end.
 */
export function drawMessages(app, el, wasAtBottom = atBottom(el)) {
  const c = app.state.channels[app.ui.channelId];
  const fromBottom = el.scrollHeight - el.scrollTop;
  const key = c ? c.id : "none";
  if (el.dataset.channel !== key) {
    el.dataset.channel = key;
    app.ui.stickBottom = true;
  }
  patch(el, c && !NO_MESSAGES.has(c.channel_type) ? messageNodes(app, c.id) : [emptyView(app)]);
  if (app.ui.keepScroll) {
    el.scrollTop = el.scrollHeight - fromBottom;
    app.ui.keepScroll = false;
  } else if (app.ui.stickBottom || wasAtBottom) {
    el.scrollTop = el.scrollHeight;
    app.ui.stickBottom = false;
  }
}

export function typing(app) {
  const channelId = app.ui.channelId;
  if (!channelId) return [];
  const guildId = app.state.channels[channelId]?.guild_id ?? null;
  const who = typingIn(app.state, channelId).map((u) => displayName(app.state, u, guildId));
  if (!who.length) return [];
  const text = who.length === 1 ? `${who[0]} is typing…` : who.length <= 3 ? `${who.join(", ")} are typing…` : "Several people are typing…";
  return h("span.typing-line", h("span.dots", { "aria-hidden": "true" }, h("i"), h("i"), h("i")), text);
}

export function composerBar(app) {
  const s = app.state;
  const replyTo = app.ui.replyTo ? s.messages[app.ui.channelId]?.[app.ui.replyTo] : null;
  if (!replyTo) return [];
  const guildId = s.channels[app.ui.channelId]?.guild_id ?? null;
  return h("div.reply-bar", `Replying to ${displayName(s, replyTo.author_id, guildId)}`,
    h("button.icon.small", { "data-action": "cancel-compose", "aria-label": "Cancel reply", title: "Cancel (Esc)" }, icon("close")));
}

/** The composer is static markup; only its placeholder and availability follow the channel. */
export function syncComposer(app, form) {
  const c = app.state.channels[app.ui.channelId];
  const usable = c && !NO_MESSAGES.has(c.channel_type);
  form.hidden = !usable;
  if (!usable) return;
  const input = form.querySelector("textarea");
  const placeholder = c.locked ? "This channel is locked" : `Message ${c.guild_id ? "#" : "@"}${channelLabel(app, c)}`;
  if (input.placeholder !== placeholder) input.placeholder = placeholder;
}

export function keydown(app, event) {
  const t = event.target;
  if (t.id === "composer-input") {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      t.form.requestSubmit();
    } else if (event.key === "ArrowUp" && !t.value) {
      const me = app.state.self_user?.id;
      const mine = messagesIn(app.state, app.ui.channelId).filter((m) => m.author_id === me).at(-1);
      if (mine) {
        event.preventDefault();
        startEditing(app, mine.id);
      }
    }
  } else if (t.classList?.contains("edit-input") && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    t.form.requestSubmit();
  }
}

export function input(app, event) {
  const t = event.target;
  if (t.id !== "composer-input") return;
  grow(t);
  if (t.value.trim() && app.ui.channelId) app.typed(app.ui.channelId);
}

export function scrolled(app, el) {
  const channelId = app.ui.channelId;
  if (el.scrollTop < 80 && channelId && app.ui.history[channelId]?.loaded && !app.ui.history[channelId].exhausted) {
    app.loadHistory(channelId);
  }
  if (el.scrollHeight - el.scrollTop - el.clientHeight < 48) app.ackIfRead();
}

function startEditing(app, messageId) {
  app.ui.editing = messageId;
  app.draw();
  const box = app.doc.getElementById(`edit-${messageId}`);
  if (box) {
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
}

function focusComposer(app) {
  app.doc.getElementById("composer-input")?.focus();
}

export const forms = {
  async send(app, fields, form) {
    const channelId = app.ui.channelId;
    const textarea = form.querySelector("textarea");
    if (channelId && slash.isCommand(app, textarea.value)) {
      await slash.send(app, textarea);
      grow(textarea);
      return;
    }
    if (channelId && busy(app, channelId)) {
      app.fail(new Error("wait until the files have uploaded"), "Not sent yet");
      return;
    }
    const files = channelId ? readyIds(app, channelId) : [];
    const content = await outgoing(app, (fields.content ?? "").trim());
    if (!channelId || (!content && !files.length)) return;
    const body = { content, nonce: `${Date.now()}${Math.random().toString(16).slice(2, 8)}` };
    if (files.length) body.attachments = files;
    if (app.ui.replyTo) body.reply_to_ids = [app.ui.replyTo];
    textarea.value = "";
    grow(textarea);
    sent(app, channelId);
    app.sentMessage(channelId);
    app.ui.replyTo = null;
    app.ui.stickBottom = true;
    app.render();
    try {
      const message = await app.api.post(`/channels/${channelId}/messages`, body);
      clearSent(app, channelId, files);
      // The gateway echoes it too; taking the answer now keeps sending snappy while it reconnects.
      if (message) ingestMessages(app.state, channelId, [message]);
      app.render();
    } catch (err) {
      if (!textarea.value) textarea.value = content;
      app.fail(err, "Sending failed");
    }
  },

  async "edit-message"(app, fields, form) {
    const messageId = form.dataset.message;
    const channelId = app.ui.channelId;
    const content = await outgoing(app, (fields.content ?? "").trim(), editMentions(messageId));
    app.ui.editing = null;
    app.render();
    focusComposer(app);
    const old = app.state.messages[channelId]?.[messageId];
    if (!content || !old || content === old.content) return;
    await app.call(null, () => app.api.patch(`/channels/${channelId}/messages/${messageId}`, { content }), "Editing failed");
  },
};

export const actions = {
  "load-older"(app) {
    if (app.ui.channelId) app.loadHistory(app.ui.channelId);
  },
  reply(app, data) {
    app.ui.replyTo = data.message;
    app.ui.editing = null;
    app.render();
    focusComposer(app);
  },
  "cancel-compose"(app) {
    app.ui.replyTo = null;
    app.ui.editing = null;
    app.render();
    focusComposer(app);
  },
  edit(app, data) {
    startEditing(app, data.message);
  },
  async delete(app, data) {
    const channelId = app.ui.channelId;
    const m = app.state.messages[channelId]?.[data.message];
    const yes = await confirmAction(app, {
      title: "Delete this message?", body: m?.content ? m.content.slice(0, 200) : null, confirm: "Delete", danger: true, cancelled: "The message was kept.",
    });
    if (!yes) return;
    await app.call(null, () => app.api.delete(`/channels/${channelId}/messages/${data.message}`), "Deleting failed");
  },
  async "toggle-reaction"(app, data) {
    const channelId = app.ui.channelId;
    const path = `/channels/${channelId}/messages/${data.message}/reactions/${enc(data.emoji)}`;
    await app.call(null, () => (data.me === "1" ? app.api.delete(path) : app.api.put(path)), "Reacting failed");
  },
  async pin(app, data) {
    const channelId = app.ui.channelId;
    const path = `/channels/${channelId}/pins/${data.message}`;
    await app.call(null, () => (data.pinned === "1" ? app.api.delete(path) : app.api.put(path)), "Pinning failed");
  },
  async "start-thread"(app, data) {
    const name = await ask(app, { title: "Start a thread", confirm: "Start thread", input: { label: "Thread name", maxlength: 100, required: true }, cancelled: "No thread was started." });
    if (!name) return;
    const channelId = app.ui.channelId;
    const thread = await app.call(null, () => app.api.post(`/channels/${channelId}/messages/${data.message}/threads`, { name: name.trim() }), "Starting the thread failed");
    if (thread?.id) setTimeout(() => app.select(thread.guild_id ?? app.ui.guildId, thread.id), 50);
  },
  async vote(app, data) {
    const poll = app.state.polls[data.poll];
    if (!poll || poll.closed) return;
    const mine = new Set(app.state.poll_votes[poll.id] ?? []);
    let options;
    if (poll.multi_vote) {
      if (mine.has(data.option)) mine.delete(data.option);
      else mine.add(data.option);
      options = [...mine];
    } else {
      options = [data.option];
    }
    await app.call("polls", () => app.api.post(`/channels/${poll.channel_id}/polls/${poll.id}/votes`, { option_ids: options }), "Voting failed");
  },
  async "close-poll"(app, data) {
    const poll = app.state.polls[data.poll];
    if (poll) await app.call("polls", () => app.api.post(`/channels/${poll.channel_id}/polls/${poll.id}/close`, {}), "Closing the poll failed");
  },
  "toggle-members"(app) {
    app.ui.membersOpen = !app.ui.membersOpen;
    app.render();
  },
  "toggle-nav"(app) {
    app.ui.navOpen = !app.ui.navOpen;
    app.render();
  },
  "close-overlays"(app) {
    app.ui.navOpen = false;
    app.ui.panel = null;
    if (app.doc.defaultView?.matchMedia?.("(max-width: 900px)").matches) app.ui.membersOpen = false;
    app.render();
  },
};
