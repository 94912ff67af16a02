// @ts-check
// One message: author line, reply reference, content with mentions and links, link
// previews, attachments, reactions with live counts, its poll, and the actions on it.

import { icon } from "./icons.js";
import { clock, h, roleColor, time } from "./dom.js";
import { userAvatar, webhookAvatar } from "./avatar.js";
import { displayName, rolesOf } from "../state.js";
import { mentionsSelf } from "../stores.js";
import { attachmentsView } from "./media.js";
import { emojiOnly, messageText, summaryText } from "./markdown.js";
import { codeOf, emojiGlyph, reactionPicker } from "./emoji.js";
import { saveButton } from "./saved.js";
import { comboAttrs, editSuggestions } from "./composer.js";

/** A reaction's emoji key as a picker entry: a guild emoji's picture, or the character. */
function reactionEmoji(key) {
  const custom = /^([A-Za-z0-9_]{2,32}):([0-9A-Z]{26})$/.exec(key);
  return custom ? { key, custom: true, name: custom[1], id: custom[2] } : { key, custom: false, char: key, name: codeOf(key) ?? key };
}

function link(url, text, cls = "a") {
  return url ? h(cls, { href: url, target: "_blank", rel: "noopener noreferrer" }, text) : h(cls === "a" ? "span" : cls.replace(/^a/, "span"), text);
}

function picture(url, cls, alt = "") {
  return url ? h(cls, { src: url, alt, loading: "lazy", referrerpolicy: "no-referrer" }) : null;
}

// Link previews and rich embeds (a poster's or a webhook's): every part is optional but `type`.
function embeds(message) {
  if (!message.embeds?.length) return null;
  return h("div.embeds", message.embeds.map((e, i) => h("article.embed", { "data-key": `${e.url ?? ""}#${i}`, style: e.color != null ? { "border-left-color": `#${e.color.toString(16).padStart(6, "0")}` } : null },
    picture(e.thumbnail, "img.embed-thumb"),
    e.site_name ? h("div.embed-site", e.site_name) : null,
    e.author ? h("div.embed-author", picture(e.author.icon_url, "img.embed-icon"), link(e.author.url, e.author.name)) : null,
    e.title ? link(e.url, e.title, "a.embed-title") : e.url ? link(e.url, e.url) : null,
    e.description ? h("p.embed-desc", e.description) : null,
    e.fields?.length ? h("dl.embed-fields", e.fields.map((f) => h("div.embed-field", { class: f.inline ? "inline" : null }, h("dt", f.name), h("dd", f.value)))) : null,
    picture(e.image, "img.embed-img", e.title ?? ""),
    e.footer || e.timestamp ? h("footer.embed-footer", picture(e.footer?.icon_url, "img.embed-icon"), e.footer?.text ?? "", e.footer && e.timestamp ? " · " : "", e.timestamp ? time(e.timestamp) : "") : null)));
}

function reactions(app, message) {
  const list = message.reactions ?? [];
  const supers = app.state.super_reactions[message.id] ?? [];
  if (!list.length && !supers.length && app.ui.reactPicker !== message.id) return null;
  return h("div.reactions", { role: "group", "aria-label": "Reactions" },
    list.map((r) => {
      const e = reactionEmoji(r.emoji);
      return h("button.reaction", {
        "data-key": r.emoji, "data-action": "toggle-reaction", "data-message": message.id, "data-emoji": r.emoji,
        "data-me": r.me ? "1" : "0", "aria-pressed": r.me ? "true" : "false", class: r.me ? "mine" : null, title: `:${e.name}:`,
        "aria-label": `${e.custom ? `:${e.name}:` : e.char} ${r.count}${r.me ? ", including you" : ""}`,
      }, h("span.r-emoji", emojiGlyph(app, e)), h("span.r-count", String(r.count)));
    }),
    supers.length ? h("span.super", { title: "Super reactions" }, supers.slice(-3).map((x) => `${x.emoji}×${x.intensity}`).join(" ")) : null);
}

export function pollView(app, poll) {
  const mine = new Set(app.state.poll_votes[poll.id] ?? []);
  const total = poll.total_votes || 0;
  const me = app.state.self_user?.id;
  return h("section.poll", { "data-key": `poll-${poll.id}`, "aria-label": `Poll: ${poll.question}` },
    h("header.poll-q", icon("poll"), h("strong", poll.question),
      poll.closed ? h("span.tag", "closed") : null, poll.anonymous ? h("span.tag", "anonymous") : null,
      poll.multi_vote ? h("span.tag", "multiple choice") : null),
    h("ul.poll-options", [...poll.options].sort((a, b) => a.position - b.position).map((o) => {
      const pct = total ? Math.round((o.vote_count / total) * 100) : 0;
      return h("li", { "data-key": o.id },
        h("button.poll-option", {
          "data-action": "vote", "data-poll": poll.id, "data-option": o.id, disabled: poll.closed,
          "aria-pressed": mine.has(o.id) ? "true" : "false", class: mine.has(o.id) ? "mine" : null,
          style: { "--pct": `${pct}%` }, "aria-label": `${o.text}: ${o.vote_count} votes`,
        }, h("span.opt-text", o.text), h("span.opt-count", `${o.vote_count}`)));
    })),
    h("footer.poll-foot", `${total} vote${total === 1 ? "" : "s"}`,
      !poll.closed && poll.author_id === me ? h("button.link", { "data-action": "close-poll", "data-poll": poll.id }, "Close poll") : null));
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** When an id was made: a ULID's first ten characters are its millisecond timestamp. */
export function idTime(id) {
  let ms = 0;
  for (const c of id.slice(0, 10)) ms = ms * 32 + CROCKFORD.indexOf(c);
  return new Date(ms).toISOString();
}

/** A poll posted on its own, as an entry of the list with its author's avatar, name and time. */
export function pollEntry(app, poll) {
  const s = app.state;
  const guildId = s.channels[poll.channel_id]?.guild_id ?? null;
  const name = displayName(s, poll.author_id, guildId);
  const topRole = guildId ? rolesOf(s, guildId, poll.author_id).find((r) => roleColor(r.color)) : null;
  const at = idTime(poll.id);
  return h("article.msg.poll-entry", { "data-key": `poll-${poll.id}`, tabindex: "-1", "aria-label": `${name}: poll, ${poll.question}` },
    userAvatar(app, poll.author_id, name),
    h("div.msg-body",
      h("header.msg-head",
        h("span.author", { style: topRole ? { color: roleColor(topRole.color) } : null }, name),
        h("time", { datetime: at }, time(at))),
      pollView(app, poll)));
}

/** The top of a thread: the message it was started from (in the parent channel), read-only,
 * with a way to it; `m` null when that message was deleted. */
export function starterView(app, thread, m) {
  const s = app.state;
  if (!m) return h("div.thread-starter.gone", { "data-key": "starter" }, h("em", "The message this thread started from was deleted."));
  const name = displayName(s, m.author_id, thread.guild_id);
  return h("article.msg.thread-starter", { "data-key": "starter", "aria-label": `Thread started from ${name}: ${summaryText(app, m, thread.guild_id, 80)}` },
    userAvatar(app, m.author_id, name),
    h("div.msg-body",
      h("header.msg-head", h("span.author", name), h("time", { datetime: m.created_at }, time(m.created_at)),
        h("button.link", { "data-action": "jump-to", "data-channel": m.channel_id, "data-message": m.id, title: "Go to the original message" }, "Jump to message")),
      h("div.content.md", messageText(app, m, thread.guild_id, null)),
      attachmentsView(app, m),
      embeds(m)));
}

/** A system message (a member joined): one line, deletable by moderators. */
function systemView(app, m, canModerate) {
  const guildId = m.guild_id ?? app.state.channels[m.channel_id]?.guild_id ?? null;
  const name = displayName(app.state, m.author_id, guildId);
  return h("article.msg.system", { "data-key": m.id, id: `msg-${m.id}`, tabindex: "-1", "aria-label": `${name} joined the server` },
    h("span.system-icon", { "aria-hidden": "true" }, "→"),
    h("div.msg-body", h("p.system-text", h("strong", name), " joined the server. ", h("time", { datetime: m.created_at }, time(m.created_at)))),
    canModerate ? h("div.msg-actions", { role: "toolbar", "aria-label": "Message actions" },
      h("button.icon.small.danger", { "data-action": "delete", "data-message": m.id, title: "Delete", "aria-label": "Delete" }, icon("trash"))) : null);
}

const EPHEMERAL = 64; // message flags: only the command's user sees it
const LOADING = 128; // the bot deferred and is still thinking

/** Above a bot's answer to a slash command: who used which command. */
function interactionRef(app, m, guildId) {
  if (!m.interaction) return null;
  return h("div.interaction-ref", h("strong", displayName(app.state, m.interaction.user_id, guildId)), " used ",
    h("span.command-name", `/${m.interaction.name}`));
}

/** `compact`: a follow-up from the same author, shown without the author line. */
export function messageView(app, m, { compact, canModerate, pollsByMessage }) {
  if (m.message_type === "guild_member_join") return systemView(app, m, canModerate);
  const s = app.state;
  const me = s.self_user?.id;
  const guildId = m.guild_id ?? s.channels[m.channel_id]?.guild_id ?? null;
  const own = m.author_id === me;
  // A webhook's message is signed with the name (and avatar) it was sent with, not a user's.
  const name = m.webhook_id ? m.author?.username ?? "webhook" : displayName(s, m.author_id, guildId);
  const topRole = guildId && !m.webhook_id ? rolesOf(s, guildId, m.author_id).find((r) => roleColor(r.color)) : null;
  const editing = app.ui.editing === m.id;
  const replied = m.reply_to_ids?.[0] ? s.messages[m.channel_id]?.[m.reply_to_ids[0]] : null;
  const flash = app.flash && app.flash.messageId === m.id && app.flash.until > Date.now();
  const ephemeral = (m.flags & EPHEMERAL) !== 0;
  if (m.interaction) compact = false;
  const classes = ["msg", ephemeral ? "ephemeral" : null, compact && !m.reply_to_ids ? "compact" : null, !own && mentionsSelf(s, m) ? "mentioned" : null,
    app.ui.replyTo === m.id ? "replying" : null, flash ? `effect-${app.flash.type}` : null, m.pinned ? "pinned" : null];
  const thinking = (m.flags & LOADING) !== 0;
  return h("article", { "data-key": m.id, id: `msg-${m.id}`, class: classes, tabindex: "-1", "aria-label": `${name}: ${thinking ? "thinking…" : summaryText(app, m, guildId, 80)}` },
    interactionRef(app, m, guildId),
    m.reply_to_ids?.length ? h("div.reply-ref", { "data-action": "jump-to", "data-channel": m.channel_id, "data-message": m.reply_to_ids[0], title: "Go to the original message" }, "↪ ",
      replied ? [h("strong", displayName(s, replied.author_id, guildId)), " ", summaryText(app, replied, guildId)] : h("em", "an earlier message")) : null,
    compact && !m.reply_to_ids ? h("span.gutter-time", { "aria-hidden": "true", title: time(m.created_at) }, clock(m.created_at))
      : m.webhook_id ? webhookAvatar(m, name) : userAvatar(app, m.author_id, name),
    h("div.msg-body",
      compact && !m.reply_to_ids ? null : h("header.msg-head",
        h("span.author", { style: topRole ? { color: roleColor(topRole.color) } : null }, name),
        m.webhook_id ? h("span.tag", { title: "Sent through a webhook" }, "WEBHOOK") : s.users[m.author_id]?.bot_owner_id ? h("span.tag", "BOT") : null,
        h("time", { datetime: m.created_at }, time(m.created_at)),
        m.pinned ? h("span.pinned-mark", { title: "Pinned", "aria-label": "pinned" }, icon("pin")) : null),
      editing
        ? h("form.edit", { "data-submit": "edit-message", "data-message": m.id },
          editSuggestions(app, m.id),
          h("label.sr-only", { for: `edit-${m.id}` }, "Edit message"),
          h("textarea", { id: `edit-${m.id}`, name: "content", rows: 2, maxlength: 4000, class: "edit-input", "data-keep": true, ...comboAttrs(`edit-${m.id}`) }, m.content),
          h("div.edit-hint", "Enter to save · Esc to cancel ", h("button.link", { type: "submit" }, "save")))
        : thinking ? h("div.content.thinking", { role: "status" }, h("span.dots", { "aria-hidden": "true" }, h("i"), h("i"), h("i")), `${name} is thinking…`)
          : h("div.content.md", { class: emojiOnly(m.content) ? "jumbo" : null },
            messageText(app, m, guildId, m.edited_at ? h("span.edited", { title: time(m.edited_at) }, " (edited)") : null)),
      attachmentsView(app, m),
      embeds(m),
      (pollsByMessage.get(m.id) ?? []).map((p) => pollView(app, p)),
      m.thread_id && s.channels[m.thread_id] ? h("button.thread-link", { "data-action": "select-channel", "data-channel": m.thread_id }, [icon("thread"), ` ${s.channels[m.thread_id].name}`]) : null,
      reactions(app, m),
      reactionPicker(app, m, guildId),
      ephemeral ? h("div.ephemeral-note", icon("eye"), " Only you can see this · ",
        h("button.link", { "data-action": "dismiss-ephemeral", "data-channel": m.channel_id, "data-message": m.id }, "Dismiss message")) : null),
    ephemeral ? null : h("div.msg-actions", { role: "toolbar", "aria-label": "Message actions" },
      h("button.icon.small", { "data-action": "react-picker", "data-message": m.id, title: "Add reaction", "aria-label": "Add reaction" }, icon("smile")),
      h("button.icon.small", { "data-action": "reply", "data-message": m.id, title: "Reply", "aria-label": "Reply" }, icon("reply")),
      saveButton(app, m),
      guildId && !m.thread_id ? h("button.icon.small", { "data-action": "start-thread", "data-message": m.id, title: "Start a thread", "aria-label": "Start a thread" }, icon("thread")) : null,
      canModerate || !guildId ? h("button.icon.small", { "data-action": "pin", "data-message": m.id, "data-pinned": m.pinned ? "1" : "0", title: m.pinned ? "Unpin" : "Pin", "aria-label": m.pinned ? "Unpin" : "Pin" }, icon("pin")) : null,
      guildId && !own && !m.webhook_id ? h("button.icon.small", { "data-action": "report-message", "data-message": m.id, title: "Report", "aria-label": "Report" }, icon("flag")) : null,
      own ? h("button.icon.small", { "data-action": "edit", "data-message": m.id, title: "Edit", "aria-label": "Edit" }, icon("edit")) : null,
      own || canModerate ? h("button.icon.small.danger", { "data-action": "delete", "data-message": m.id, title: "Delete", "aria-label": "Delete" }, icon("trash")) : null));
}
