// @ts-check
// The client's cache: READY plus every event after it, applied through the handler table,
// plus what the UI loads over REST (message history, pins, polls, lists). Readers put the
// newest user profiles back into members, messages and recipients.

import { handlers } from "./handlers.js";
import {
  TYPING_SECONDS,
  createState,
  has,
  slot,
  storeMember,
  storeMessage,
  userView,
} from "./stores.js";

export { createState, handlers };

export class UnknownEvent extends Error {}

// Names the server also sends an event under, for the original AmityVox clients (the catalog's
// `aliases`): each repeats the frame just before it, so it is skipped.
export const ALIASES = { LOCATION_SHARE_END: "LOCATION_SHARE_STOP" };

// Names applied so far (for the parity evidence the browser tests collect).
export const handledNames = new Set();

/**
 * Apply one event (a dispatch or a client-local GATEWAY_* event) to the cache.
 * An unknown name throws when `strict` (tests) and is logged otherwise.
 */
export function apply(state, name, d, { strict = false } = {}) {
  if (Object.prototype.hasOwnProperty.call(ALIASES, name)) return false;
  const handler = Object.prototype.hasOwnProperty.call(handlers, name) ? handlers[name] : undefined;
  if (handler === undefined) {
    if (strict) throw new UnknownEvent(`no handler for event ${name}`);
    console.warn(`ignoring event ${name}: no handler for it`);
    return false;
  }
  handler(state, d ?? {});
  handledNames.add(name);
  return true;
}

// ---- what REST answers, into the same stores --------------------------------------------------

/** Messages from GET /channels/{c}/messages (`me` is already the viewer's own there). */
export function ingestMessages(state, channelId, messages) {
  if (!has(state.channels, channelId)) return;
  slot(state.messages, channelId);
  for (const message of messages) storeMessage(state, message);
}

/** Members from GET /guilds/{g}/members, for a guild the cache holds. */
export function ingestMembers(state, guildId, members) {
  if (!has(state.guilds, guildId)) return;
  for (const member of members) storeMember(state, member);
}

/** Polls, events, notifications, announcements: whole objects, keyed by id. Polls from
 * GET /channels/{c}/polls carry the viewer's own choices (`voted_option_ids`). */
export function ingestPolls(state, polls) {
  for (const { voted_option_ids: mine, ...poll } of polls) {
    state.polls[poll.id] = poll;
    if (mine) state.poll_votes[poll.id] = [...mine];
  }
}

export function ingestGuildEvents(state, guildId, events) {
  if (!has(state.guilds, guildId)) return;
  const box = slot(state.guild_events, guildId);
  for (const e of events) box[e.id] = { ...e };
}

export function ingestNotifications(state, list) {
  const me = state.self_user?.id;
  for (const n of list) if (n.user_id === me) state.notifications[n.id] = { ...n };
}

export function ingestAnnouncements(state, list) {
  for (const a of list) state.announcements[a.id] = { ...a };
}

// ---- reading the cache -------------------------------------------------------------------------

export function selfId(state) {
  return state.self_user?.id ?? null;
}

export function guildList(state) {
  return Object.values(state.guilds).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const byPosition = (a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A guild's channels the user can view, by position then id. */
export function guildChannels(state, guildId) {
  return Object.values(state.channels).filter((c) => c.guild_id === guildId).sort(byPosition);
}

/** Channels grouped under their categories: [{category|null, channels}], threads left out. */
export function channelTree(state, guildId) {
  const all = guildChannels(state, guildId).filter((c) => !c.parent_channel_id);
  const categories = all.filter((c) => c.channel_type === "category");
  const known = new Set(categories.map((c) => c.id));
  const loose = all.filter((c) => c.channel_type !== "category" && !known.has(c.category_id));
  const tree = [{ category: null, channels: loose }];
  for (const category of categories) {
    tree.push({ category, channels: all.filter((c) => c.category_id === category.id && c.channel_type !== "category") });
  }
  return tree;
}

export function threadsOf(state, channelId) {
  return Object.values(state.channels).filter((c) => c.parent_channel_id === channelId).sort(byPosition);
}

/** DM and group channels, newest activity first, recipients with their newest profiles. */
export function dmList(state) {
  const key = (c) => c.last_message_id ?? c.id;
  return Object.values(state.channels)
    .filter((c) => c.guild_id == null)
    .map((c) => channelView(state, c.id))
    .sort((a, b) => (key(a) < key(b) ? 1 : -1));
}

export function channelView(state, channelId) {
  const channel = state.channels[channelId];
  if (channel == null || channel.recipients == null) return channel ?? null;
  return { ...channel, recipients: channel.recipients.map((u) => userView(state, u.id, u)) };
}

export function member(state, guildId, uid) {
  const m = state.members[guildId]?.[uid];
  return m == null ? null : { ...m, user: userView(state, uid) };
}

export function guildMembers(state, guildId) {
  return Object.keys(state.members[guildId] ?? {}).sort().map((uid) => member(state, guildId, uid));
}

/** Cached messages of a channel, oldest first, authors with their newest profiles. */
export function messagesIn(state, channelId) {
  const box = state.messages[channelId] ?? {};
  return Object.keys(box).sort().map((id) => (box[id].webhook_id ? box[id] : { ...box[id], author: userView(state, box[id].author_id) }));
}

/** The bot answers only the self user sees in a channel (never in history), authors filled in. */
export function ephemeralIn(state, channelId) {
  const box = state.ephemeral_messages[channelId] ?? {};
  return Object.keys(box).sort().map((id) => ({ ...box[id], author: userView(state, box[id].author_id, box[id].author) }));
}

/** Users typing in a channel now: seen within the last 10 s and not posted since. */
export function typingIn(state, channelId) {
  const seen = state.typing[channelId] ?? {};
  const cutoff = state.clock() - TYPING_SECONDS;
  for (const [uid, at] of Object.entries(seen)) if (at < cutoff) delete seen[uid];
  return Object.keys(seen).sort();
}

export function presenceOf(state, uid) {
  return state.presences[uid]?.status ?? "offline";
}

export function unread(state, channelId) {
  const rs = state.read_state[channelId];
  return { unread: rs?.unread_count ?? 0, mentions: rs?.mention_count ?? 0 };
}

export function guildUnread(state, guildId) {
  let unreadCount = 0;
  let mentions = 0;
  for (const c of guildChannels(state, guildId)) {
    const u = unread(state, c.id);
    unreadCount += u.unread;
    mentions += u.mentions;
  }
  return { unread: unreadCount, mentions };
}

export function displayName(state, uid, guildId = null) {
  const m = guildId ? state.members[guildId]?.[uid] : null;
  const u = state.users[uid];
  return m?.nickname ?? u?.display_name ?? u?.username ?? uid.slice(-6);
}

export function rolesOf(state, guildId, uid) {
  const roles = state.roles[guildId] ?? {};
  return (state.members[guildId]?.[uid]?.roles ?? []).map((r) => roles[r]).filter(Boolean)
    .sort((a, b) => b.position - a.position);
}

export function voiceIn(state, channelId) {
  const states = state.voice_states[channelId] ?? {};
  return Object.keys(states).sort().map((uid) => states[uid]);
}

export function pollsIn(state, channelId) {
  return Object.values(state.polls).filter((p) => p.channel_id === channelId)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

export function kanbanCards(state, channelId, boardId = null) {
  return Object.values(state.kanban_cards)
    .filter((c) => c.channel_id === channelId && (boardId == null || c.board_id === boardId))
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));
}

export function ofChannel(store, channelId) {
  return Object.values(store).filter((x) => x.channel_id === channelId);
}

// ---- the snapshot compared with the Python SDK's (tests/web/vectors) ---------------------------

/** Every store as plain JSON; typing keeps who is typing, not when (the clock differs). */
export function snapshot(state) {
  const out = {};
  for (const [k, v] of Object.entries(state)) {
    if (k === "clock" || k === "max_messages") continue;
    out[k] = v;
  }
  out.typing = Object.fromEntries(Object.entries(state.typing).map(([c, seen]) => [c, Object.keys(seen).sort()]));
  return JSON.parse(JSON.stringify(out));
}
