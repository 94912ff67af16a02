// @ts-check
// Getting to a message: open its channel with the page of history around it
// (GET …/messages?around=), scroll it into view and highlight it briefly. Also the unread
// line: a "NEW" divider before the first message that was unread when the channel was
// opened, with a bar to jump back to it while it is off-screen, and message links
// (/channels/{guild|@me}/{channel}/{message}) in text or the address.
//
// History kept for a channel is one run of messages up to the present. A jump to a message
// outside it starts a second run and leaves a gap after it (`history.gapAfter`): the newer
// messages are loaded forward from there (GET …?after=) until the two runs meet.

import { h } from "./dom.js";
import { ingestMessages, messagesIn } from "../state.js";
import { NO_MESSAGES } from "../stores.js";

const PAGE = 50;
const HIGHLIGHT_MS = 2500;
const LINK = /\/channels\/(@me|[0-9A-HJKMNP-TV-Z]{26})\/([0-9A-HJKMNP-TV-Z]{26})(?:\/([0-9A-HJKMNP-TV-Z]{26}))?/;

/** `{guildId, channelId, messageId}` from an address or path holding /channels/…, or null. */
export function parseLink(text) {
  const m = LINK.exec(text ?? "");
  if (!m) return null;
  return { guildId: m[1] === "@me" ? null : m[1], channelId: m[2], messageId: m[3] ?? null };
}

/** Open `channelId` at `messageId`, loading the history around it when the cache lacks it. */
export async function jumpTo(app, channelId, messageId) {
  const s = app.state;
  const channel = s.channels[channelId];
  if (!channel || NO_MESSAGES.has(channel.channel_type)) {
    app.toast("That message is in a channel you cannot see.", "info");
    return false;
  }
  app.ui.jump = { channelId, messageId };
  const cached = s.messages[channelId]?.[messageId];
  if (!cached) {
    // Taking the history over before selecting keeps the channel from loading its newest page.
    const h0 = (app.ui.history[channelId] ??= { loading: false, exhausted: false, loaded: false });
    h0.loaded = true;
  }
  if (app.ui.channelId !== channelId) app.select(channel.guild_id ?? null, channelId);
  if (!cached && !(await loadAround(app, channelId, messageId))) {
    app.ui.jump = null;
    return false;
  }
  app.ui.stickBottom = false;
  app.render();
  return true;
}

async function loadAround(app, channelId, messageId) {
  const hist = app.ui.history[channelId];
  hist.loading = true;
  app.render();
  let placed = false;
  try {
    const page = await app.api.get(`/channels/${channelId}/messages`, { around: messageId, limit: PAGE });
    if (page.some((m) => m.id === messageId)) {
      placeRun(app, channelId, page);
      placed = true;
    } else {
      app.toast("That message no longer exists.", "info");
    }
  } catch (err) {
    app.fail(err, "Opening the message failed");
  } finally {
    hist.loading = false;
    app.render();
  }
  if (!placed && !Object.keys(app.state.messages[channelId] ?? {}).length) {
    // Nothing shown yet: show the channel's newest messages instead.
    hist.loaded = false;
    app.loadHistory(channelId, { initial: true });
  }
  return placed;
}

/** Drop an older run left by an earlier jump, then add this page: it joins the run up to the
 * present when it overlaps it or reaches the channel's newest message, else a gap follows it. */
function placeRun(app, channelId, page) {
  const s = app.state;
  const hist = app.ui.history[channelId];
  const box = s.messages[channelId] ?? {};
  if (hist.gapAfter) {
    for (const id of Object.keys(box)) if (id <= hist.gapAfter) delete box[id];
    hist.exhausted = false;
  }
  const newest = page.map((m) => m.id).sort().at(-1);
  const latest = s.channels[channelId]?.last_message_id ?? null;
  const joins = page.some((m) => box[m.id]) || latest == null || newest >= latest;
  hist.gapAfter = joins ? null : newest;
  if (!joins) hist.exhausted = false;
  ingestMessages(s, channelId, page);
  app.loadPolls(channelId, { after: page.map((m) => m.id).sort()[0], before: joins ? null : newest }).then(() => app.render());
}

/** The messages after the gap, oldest first, until the runs meet (or the present is reached). */
export async function loadNewer(app, channelId) {
  const hist = app.ui.history[channelId];
  if (!hist?.gapAfter || hist.loading) return;
  hist.loading = true;
  app.render();
  try {
    const page = await app.api.get(`/channels/${channelId}/messages`, { after: hist.gapAfter, limit: PAGE });
    const box = app.state.messages[channelId] ?? {};
    const met = page.length < PAGE || page.some((m) => box[m.id]);
    ingestMessages(app.state, channelId, page);
    await app.loadPolls(channelId, { after: hist.gapAfter, before: met ? null : page.at(-1).id });
    hist.gapAfter = met ? null : page.at(-1).id;
    app.ui.keepScroll = true;
  } catch (err) {
    app.fail(err, "Loading newer messages failed");
  } finally {
    hist.loading = false;
    app.render();
  }
}

// ---- what the message list shows around messages ---------------------------------------------

/** Remember where the user had read up to as the channel opens (the ack that follows moves it). */
export function channelOpened(app, channelId) {
  if (app.ui.unreadFrom?.channelId === channelId) return;
  const rs = app.state.read_state[channelId];
  app.ui.unreadFrom = rs?.unread_count ? { channelId, after: rs.last_message_id ?? "" } : { channelId, after: null };
}

/** The first message after the read position when the channel was opened (not one's own), when
 * the history shown reaches back to that position (else it is further back than what is loaded). */
export function firstUnread(app, channelId) {
  const mark = app.ui.unreadFrom;
  if (!mark || mark.channelId !== channelId || mark.after == null) return null;
  const me = app.state.self_user?.id;
  const list = messagesIn(app.state, channelId);
  const i = list.findIndex((m) => m.id > mark.after && m.author_id !== me);
  if (i < 0) return null;
  const reached = list.slice(0, i).some((m) => m.id <= mark.after) || app.ui.history[channelId]?.exhausted;
  return reached ? list[i] : null;
}

/** Extra rows of the message list before message `m`: the NEW divider and the gap marker. */
export function before(app, channelId, prev, m) {
  const out = [];
  const hist = app.ui.history[channelId];
  if (prev && hist?.gapAfter && prev.id <= hist.gapAfter && m.id > hist.gapAfter) out.push(gapRow(hist));
  if (firstUnread(app, channelId)?.id === m.id) {
    out.push(h("div.unread-divider", { "data-key": "unread-divider", role: "separator", "aria-label": "New messages" },
      h("span", "NEW")));
  }
  return out;
}

/** After the last message: the gap marker when the run shown ends before the present. */
export function after(app, channelId) {
  const hist = app.ui.history[channelId];
  const last = messagesIn(app.state, channelId).at(-1);
  return hist?.gapAfter && last && last.id <= hist.gapAfter ? gapRow(hist) : null;
}

function gapRow(hist) {
  return h("div.history-gap", { "data-key": "gap" },
    h("button.ghost", { "data-action": "load-newer", disabled: hist.loading }, hist.loading ? "Loading…" : "Load newer messages"));
}

// ---- after each draw: scroll to a jump target, keep its highlight, the unread bar -----------

export function afterDraw(app) {
  const jump = app.ui.jump;
  const list = app.doc.getElementById("messages");
  if (jump && jump.channelId === app.ui.channelId) {
    const el = app.doc.getElementById(`msg-${jump.messageId}`);
    if (el) {
      app.ui.jump = null;
      app.ui.stickBottom = false;
      el.scrollIntoView({ block: "center" });
      el.focus({ preventScroll: true });
      const until = Date.now() + HIGHLIGHT_MS;
      app.ui.highlight = { messageId: jump.messageId, until };
      setTimeout(() => app.render(), HIGHLIGHT_MS + 20);
      setLinkInAddress(app, jump);
    }
  }
  const hl = app.ui.highlight;
  if (hl) {
    if (hl.until > Date.now()) app.doc.getElementById(`msg-${hl.messageId}`)?.classList.add("jump-highlight");
    else app.ui.highlight = null;
  }
  if (list) syncUnreadBar(app, list);
}

function setLinkInAddress(app, { channelId, messageId }) {
  const guildId = app.state.channels[channelId]?.guild_id ?? "@me";
  const hash = `#/channels/${guildId}/${channelId}/${messageId}`;
  if (app.doc.location.hash !== hash) history.replaceState(null, "", `${app.doc.location.pathname}${app.doc.location.search}${hash}`);
}

/** Whether the NEW divider (or the unread message it stands for) is above the visible part. */
function unreadOffscreen(app, list) {
  const channelId = app.ui.channelId;
  const mark = app.ui.unreadFrom;
  if (!channelId || !mark || mark.channelId !== channelId || mark.after == null || mark.dismissed) return false;
  const divider = list.querySelector(".unread-divider");
  if (!divider) {
    // Further back than the history shown: more unread messages than one page.
    const me = app.state.self_user?.id;
    const unseen = messagesIn(app.state, channelId).some((m) => m.id > mark.after && m.author_id !== me);
    return Boolean(mark.after) && unseen && !app.ui.history[channelId]?.loading;
  }
  return divider.getBoundingClientRect().bottom < list.getBoundingClientRect().top + 4;
}

function syncUnreadBar(app, list) {
  const bar = app.doc.getElementById("jump-bar");
  if (!bar) return;
  const show = unreadOffscreen(app, list);
  if (show === (bar.childElementCount > 0)) return;
  bar.replaceChildren(...(show ? [h("div.unread-bar", { role: "status" },
    h("span", "You have unread messages"),
    h("button.link", { "data-action": "jump-unread" }, "Jump to first unread"),
    h("button.icon.small", { "data-action": "dismiss-unread", "aria-label": "Dismiss", title: "Dismiss" }, "✕"))] : []));
}

// ---- events from the page -----------------------------------------------------------------------

export function bind(app) {
  const list = app.doc.getElementById("messages");
  list?.addEventListener("scroll", () => {
    syncUnreadBar(app, list);
    const hist = app.ui.history[app.ui.channelId];
    if (hist?.gapAfter && list.scrollHeight - list.scrollTop - list.clientHeight < 80) loadNewer(app, app.ui.channelId);
  }, { passive: true });
  // Message links: a click opens the message here instead of following the link.
  app.doc.addEventListener("click", (event) => {
    const a = event.target.closest?.("a[href]");
    if (!a || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const url = new URL(a.getAttribute("href"), app.doc.location.href);
    if (url.origin !== app.doc.location.origin) return;
    const link = parseLink(url.pathname) ?? parseLink(url.hash);
    if (!link?.messageId) return;
    event.preventDefault();
    jumpTo(app, link.channelId, link.messageId);
  }, true);
}

export const actions = {
  "jump-to"(app, data) {
    return jumpTo(app, data.channel ?? app.ui.channelId, data.message);
  },
  "load-newer"(app) {
    return loadNewer(app, app.ui.channelId);
  },
  "jump-unread"(app) {
    const channelId = app.ui.channelId;
    const first = firstUnread(app, channelId);
    if (first) return jumpTo(app, channelId, first.id);
    const mark = app.ui.unreadFrom;
    // More unread than loaded: open the history at the read position; the divider follows it.
    return mark?.after ? jumpTo(app, channelId, mark.after) : undefined;
  },
  "dismiss-unread"(app) {
    if (app.ui.unreadFrom) app.ui.unreadFrom.dismissed = true;
    app.render();
  },
};
