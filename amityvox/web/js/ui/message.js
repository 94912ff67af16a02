// One message: author line, reply reference, content with mentions and links, link
// previews, attachments, reactions with live counts, its poll, and the actions on it.

import { icon } from "./icons.js";
import { clock, h, roleColor, time } from "./dom.js";
import { userAvatar } from "./avatar.js";
import { displayName, rolesOf } from "../state.js";
import { mentionsSelf } from "../stores.js";
import { attachmentsView } from "./media.js";
import { emojiOnly, messageText, summaryText } from "./markdown.js";
import { codeOf, emojiGlyph, reactionPicker } from "./emoji.js";
import { saveButton } from "./saved.js";

/** A reaction's emoji key as a picker entry: a guild emoji's picture, or the character. */
function reactionEmoji(key) {
  const custom = /^([A-Za-z0-9_]{2,32}):([0-9A-Z]{26})$/.exec(key);
  return custom ? { key, custom: true, name: custom[1], id: custom[2] } : { key, custom: false, char: key, name: codeOf(key) ?? key };
}

function embeds(message) {
  if (!message.embeds?.length) return null;
  return h("div.embeds", message.embeds.map((e, i) => h("article.embed", { "data-key": `${e.url}#${i}` },
    e.site_name ? h("div.embed-site", e.site_name) : null,
    e.title ? h("a.embed-title", { href: e.url, target: "_blank", rel: "noopener noreferrer" }, e.title) : h("a", { href: e.url, target: "_blank", rel: "noopener noreferrer" }, e.url),
    e.description ? h("p.embed-desc", e.description) : null,
    e.image ? h("img.embed-img", { src: e.image, alt: e.title ?? "", loading: "lazy", referrerpolicy: "no-referrer" }) : null)));
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

/** `compact`: a follow-up from the same author, shown without the author line. */
export function messageView(app, m, { compact, canModerate, pollsByMessage }) {
  const s = app.state;
  const me = s.self_user?.id;
  const guildId = m.guild_id ?? s.channels[m.channel_id]?.guild_id ?? null;
  const own = m.author_id === me;
  const name = displayName(s, m.author_id, guildId);
  const topRole = guildId ? rolesOf(s, guildId, m.author_id).find((r) => roleColor(r.color)) : null;
  const editing = app.ui.editing === m.id;
  const replied = m.reply_to_ids?.[0] ? s.messages[m.channel_id]?.[m.reply_to_ids[0]] : null;
  const flash = app.flash && app.flash.messageId === m.id && app.flash.until > Date.now();
  const classes = ["msg", compact && !m.reply_to_ids ? "compact" : null, !own && mentionsSelf(s, m) ? "mentioned" : null,
    app.ui.replyTo === m.id ? "replying" : null, flash ? `effect-${app.flash.type}` : null, m.pinned ? "pinned" : null];
  return h("article", { "data-key": m.id, id: `msg-${m.id}`, class: classes, tabindex: "-1", "aria-label": `${name}: ${summaryText(app, m, guildId, 80)}` },
    m.reply_to_ids?.length ? h("div.reply-ref", { "data-action": "jump-to", "data-channel": m.channel_id, "data-message": m.reply_to_ids[0], title: "Go to the original message" }, "↪ ",
      replied ? [h("strong", displayName(s, replied.author_id, guildId)), " ", summaryText(app, replied, guildId)] : h("em", "an earlier message")) : null,
    compact && !m.reply_to_ids ? h("span.gutter-time", { "aria-hidden": "true", title: time(m.created_at) }, clock(m.created_at))
      : userAvatar(app, m.author_id, name),
    h("div.msg-body",
      compact && !m.reply_to_ids ? null : h("header.msg-head",
        h("span.author", { style: topRole ? { color: roleColor(topRole.color) } : null }, name),
        s.users[m.author_id]?.bot_owner_id ? h("span.tag", "BOT") : null,
        h("time", { datetime: m.created_at }, time(m.created_at)),
        m.pinned ? h("span.pinned-mark", { title: "Pinned", "aria-label": "pinned" }, icon("pin")) : null),
      editing
        ? h("form.edit", { "data-submit": "edit-message", "data-message": m.id, "data-keep": true },
          h("label.sr-only", { for: `edit-${m.id}` }, "Edit message"),
          h("textarea", { id: `edit-${m.id}`, name: "content", rows: 2, maxlength: 4000, class: "edit-input" }, m.content),
          h("div.edit-hint", "Enter to save · Esc to cancel ", h("button.link", { type: "submit" }, "save")))
        : h("div.content.md", { class: emojiOnly(m.content) ? "jumbo" : null },
          messageText(app, m, guildId, m.edited_at ? h("span.edited", { title: time(m.edited_at) }, " (edited)") : null)),
      attachmentsView(app, m),
      embeds(m),
      (pollsByMessage.get(m.id) ?? []).map((p) => pollView(app, p)),
      m.thread_id && s.channels[m.thread_id] ? h("button.thread-link", { "data-action": "select-channel", "data-channel": m.thread_id }, [icon("thread"), ` ${s.channels[m.thread_id].name}`]) : null,
      reactions(app, m),
      reactionPicker(app, m, guildId)),
    h("div.msg-actions", { role: "toolbar", "aria-label": "Message actions" },
      h("button.icon.small", { "data-action": "react-picker", "data-message": m.id, title: "Add reaction", "aria-label": "Add reaction" }, icon("smile")),
      h("button.icon.small", { "data-action": "reply", "data-message": m.id, title: "Reply", "aria-label": "Reply" }, icon("reply")),
      saveButton(app, m),
      guildId && !m.thread_id ? h("button.icon.small", { "data-action": "start-thread", "data-message": m.id, title: "Start a thread", "aria-label": "Start a thread" }, icon("thread")) : null,
      canModerate || !guildId ? h("button.icon.small", { "data-action": "pin", "data-message": m.id, "data-pinned": m.pinned ? "1" : "0", title: m.pinned ? "Unpin" : "Pin", "aria-label": m.pinned ? "Unpin" : "Pin" }, icon("pin")) : null,
      own ? h("button.icon.small", { "data-action": "edit", "data-message": m.id, title: "Edit", "aria-label": "Edit" }, icon("edit")) : null,
      own || canModerate ? h("button.icon.small.danger", { "data-action": "delete", "data-message": m.id, title: "Delete", "aria-label": "Delete" }, icon("trash")) : null));
}
