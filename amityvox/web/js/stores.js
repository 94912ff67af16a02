// @ts-check
// The cache's data and the bookkeeping every handler shares.
//
// The shape mirrors the Python SDK's stores (amityvox/client/stores): the same store
// names, the same keys and the same rules, so both clients converge to the same
// state from the same events (tests/web/vectors hold the proof). Objects are the wire
// dicts; embedded users are kept once, in `users`, and put back when read.

export const TYPING_SECONDS = 10; // a typing indicator lasts this long unless renewed
export const FEED_SIZE = 200; // entries kept in append-only feeds (automod, audit log, warnings, effects, interactions)
// Channel types without messages: no read state, no message cache.
export const NO_MESSAGES = new Set(["voice", "stage", "category"]);

const own = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

export function emptyConnection() {
  return {
    connected: false,
    session_id: null,
    auth_failed: false,
    exhausted: false,
    attempts: 0, // reconnect attempts when they ran out
    last_disconnect: null, // the last GATEWAY_DISCONNECTED payload
    resumes: 0, // successful RESUMEs
    replayed: 0, // dispatches replayed by the last RESUME
  };
}

/**
 * Every cached store, empty: READY starts from this.
 * @returns {import("./types.js").Stores}
 */
export function emptyStores() {
  return {
    self_user: null,
    user_settings: null, // the self user's settings (READY, USER_SETTINGS_UPDATE)
    saved_messages: {}, // message → the self user's save of it (READY, SAVED_MESSAGE_*)
    users: {},
    guilds: {},
    channels: {}, // guild channels, threads, DMs and groups
    members: {}, // guild → user → member (no `user`)
    roles: {},
    emoji: {},
    bans: {}, // moderators only
    messages: {}, // channel → id → message (no `author`, but for a webhook's)
    last_pin_at: {},
    webhook_changes: {}, // channel → WEBHOOKS_UPDATEs since READY (a webhooks view refetches when it moves)
    typing: {}, // channel → user → clock() seen
    read_state: {},
    presences: {}, // users not offline: {user_id, status, activity?}
    relationships: {}, // target → relationship (no `user`)
    voice_states: {}, // channel → user → state
    screen_shares: {}, // channel → session → share
    broadcasts: {}, // channel → broadcast → it
    voice_connection: null, // the last VOICE_SERVER_UPDATE while in voice
    calls: {}, // channel → CALL_RING not yet answered
    notifications: {},
    announcements: {},
    polls: {},
    poll_votes: {}, // poll → the self user's options
    guild_events: {},
    onboarding: {},
    automod: [],
    audit_log: [], // ViewAuditLog holders: entries as they are written
    reports: {}, // guild → report → it (moderators only)
    warnings: [], // warnings given (moderators) or received
    raid: {},
    soundboard: {}, // guild → sound → sound
    soundboard_plays: {}, // channel → last SOUNDBOARD_PLAY
    channel_groups: {},
    locations: {}, // channel → share → share
    effects: {}, // message → effects played
    super_reactions: {}, // message → super reactions
    whiteboards: {},
    snippets: {},
    kanban_cards: {},
    widgets: {}, // channel → widget → widget
    activities: {}, // running activity sessions
    games: {},
    game_players: {}, // game → user → index
    game_turns: {}, // game → whose move
    watch_together: {},
    music_parties: {},
    bot_presences: {},
    interactions: [], // to this bot
    autocomplete: null, // the newest choices a bot offered for an option being typed
    modal: null, // the newest form a bot answered this user's command with
    timed_out: {}, // interaction → the uses of a command by this user that their bot did not answer in time
    ephemeral_messages: {}, // channel → message → a bot's answer only this user sees (never in history)
    application_commands: {}, // guild → command → the slash commands usable there (fetched, then from events)
  };
}

/**
 * A fresh cache. `clock` returns seconds (typing expiry); `max_messages` bounds each channel.
 * @param {{clock?: () => number, max_messages?: number}} [options]
 * @returns {import("./types.js").State}
 */
export function createState({ clock, max_messages = 1000 } = {}) {
  return {
    clock: clock ?? (() => Date.now() / 1000),
    max_messages,
    ...emptyStores(),
    connection: emptyConnection(),
  };
}

// ---- small helpers mirroring Python's dict methods -------------------------------------------

/** `obj[key]`, created as `{}` first when missing (Python's setdefault). */
export function slot(obj, key) {
  if (!own(obj, key)) obj[key] = {};
  return obj[key];
}

export function without(obj, ...keys) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k)) out[k] = v;
  return out;
}

export function pushFeed(list, item) {
  list.push(item);
  if (list.length > FEED_SIZE) list.splice(0, list.length - FEED_SIZE);
}

export function has(obj, key) {
  return obj != null && own(obj, key);
}

// ---- shared bookkeeping ------------------------------------------------------------------------

/** The self user's id once READY arrived. */
export function userId(state) {
  return state.self_user == null ? null : state.self_user.id;
}

/** Keep the newest profile of a user; the self user keeps its e-mail. */
export function rememberUser(state, user) {
  const pub = without(user, "email");
  state.users[pub.id] = pub;
  if (state.self_user != null && pub.id === state.self_user.id) {
    const email = state.self_user.email;
    state.self_user = email == null ? { ...pub } : { ...pub, email };
  }
}

export function storeMember(state, member) {
  rememberUser(state, member.user);
  slot(state.members, member.guild_id)[member.user_id] = without(member, "user");
}

export function storeChannel(state, channel) {
  for (const recipient of channel.recipients ?? []) rememberUser(state, recipient);
  state.channels[channel.id] = channel;
}

export function storeMessage(state, message) {
  const box = slot(state.messages, message.channel_id);
  if (message.webhook_id) {
    box[message.id] = { ...message }; // its author is the name it was sent with, no user: kept with it
  } else {
    rememberUser(state, message.author);
    box[message.id] = without(message, "author");
  }
  const ids = Object.keys(box);
  if (ids.length > state.max_messages) {
    ids.sort();
    for (const old of ids.slice(0, ids.length - state.max_messages)) delete box[old];
  }
}

export function loadFullGuild(state, guild) {
  const guildId = guild.id;
  if (has(state.guilds, guildId)) forgetGuild(state, guildId);
  state.guilds[guildId] = without(guild, "channels", "roles", "emoji", "member");
  for (const channel of guild.channels) storeChannel(state, channel);
  state.roles[guildId] = Object.fromEntries(guild.roles.map((r) => [r.id, r]));
  state.emoji[guildId] = Object.fromEntries(guild.emoji.map((e) => [e.id, e]));
  state.members[guildId] = {};
  storeMember(state, guild.member);
}

export function userView(state, id, fallback = null) {
  return state.users[id] ?? fallback ?? { id };
}

const BY_CHANNEL = [
  "read_state", "typing", "last_pin_at", "webhook_changes", "voice_states", "screen_shares", "broadcasts", "calls",
  "soundboard_plays", "locations", "widgets",
];
const BY_OBJECT = [
  "polls", "whiteboards", "snippets", "kanban_cards", "activities", "games", "watch_together",
  "music_parties",
];

/** A channel and everything kept about it: messages, read state, typing, voice, extras. */
export function forgetChannel(state, channelId) {
  delete state.channels[channelId];
  for (const messageId of Object.keys(state.messages[channelId] ?? {})) {
    delete state.effects[messageId];
    delete state.super_reactions[messageId];
  }
  delete state.messages[channelId];
  for (const store of BY_CHANNEL) delete state[store][channelId];
  // Saves stay on the server, but a channel out of sight takes them out of the list.
  for (const [messageId, saved] of Object.entries(state.saved_messages)) {
    if (saved.channel_id === channelId) delete state.saved_messages[messageId];
  }
  for (const store of BY_OBJECT) {
    const keyed = state[store];
    for (const [key, value] of Object.entries(keyed)) {
      if (value.channel_id !== channelId) continue;
      delete keyed[key];
      delete state.poll_votes[key];
      delete state.game_players[key];
      delete state.game_turns[key];
    }
  }
  const threads = Object.entries(state.channels).filter(([, c]) => c.parent_channel_id === channelId);
  for (const [threadId] of threads) forgetChannel(state, threadId);
}

const BY_GUILD = [
  "members", "roles", "emoji", "bans", "guild_events", "onboarding", "raid", "soundboard",
  "channel_groups", "reports", "application_commands",
];

/** A guild and everything in it, as after GUILD_DELETE or the self user's removal. */
export function forgetGuild(state, guildId) {
  delete state.guilds[guildId];
  const channels = Object.entries(state.channels).filter(([, c]) => c.guild_id === guildId);
  for (const [channelId] of channels) forgetChannel(state, channelId);
  for (const store of BY_GUILD) delete state[store][guildId];
  for (const [messageId, saved] of Object.entries(state.saved_messages)) {
    if (saved.guild_id === guildId) delete state.saved_messages[messageId];
  }
  state.automod = state.automod.filter((a) => a.guild_id !== guildId);
  state.audit_log = state.audit_log.filter((a) => a.guild_id !== guildId);
  state.warnings = state.warnings.filter((w) => w.guild_id !== guildId);
}

/** Take `GET /channels/{c}/commands` of a channel of `guildId` as the guild's slash commands. */
export function loadCommands(state, guildId, listing) {
  if (!has(state.guilds, guildId)) return;
  state.application_commands[guildId] = Object.fromEntries(listing.application_commands.map((c) => [c.id, { ...c }]));
  for (const app of listing.applications) rememberUser(state, app);
}

export function countMembers(state, guildId, delta) {
  const guild = state.guilds[guildId];
  guild.member_count = Math.max(0, guild.member_count + delta);
}

export function leaveGuildVoice(state, guildId, uid) {
  for (const [channelId, states] of Object.entries(state.voice_states)) {
    if (state.channels[channelId]?.guild_id === guildId) delete states[uid];
  }
}

export function guildKnown(state, channel) {
  const guildId = channel.guild_id;
  return guildId == null || has(state.guilds, guildId);
}

// ---- read state ----------------------------------------------------------------------------------

/** As the server counts mentions: @here/@everyone, the user, or a role the user holds. */
export function mentionsSelf(state, message) {
  const me = userId(state);
  if (message.mention_here || message.mention_user_ids.includes(me)) return true;
  const guildId = message.guild_id ?? state.channels[message.channel_id]?.guild_id;
  const member = state.members[guildId ?? ""]?.[me ?? ""];
  return member != null && member.roles.some((r) => message.mention_role_ids.includes(r));
}

export function readStateOf(state, channelId) {
  if (!has(state.read_state, channelId)) {
    state.read_state[channelId] = { channel_id: channelId, unread_count: 0, mention_count: 0 };
  }
  return state.read_state[channelId];
}

export function isUnread(state, message) {
  const position = state.read_state[message.channel_id]?.last_message_id;
  return message.author_id !== userId(state) && (position == null || message.id > position);
}

export function countNewMessage(state, message) {
  const rs = readStateOf(state, message.channel_id);
  if (message.author_id === userId(state)) {
    // Posting reads everything up to one's own message.
    Object.assign(rs, { last_message_id: message.id, unread_count: 0, mention_count: 0 });
    return;
  }
  rs.unread_count += 1;
  if (mentionsSelf(state, message)) rs.mention_count += 1;
}

export function uncountMessage(state, message) {
  if (!has(state.read_state, message.channel_id) || !isUnread(state, message)) return;
  const rs = state.read_state[message.channel_id];
  rs.unread_count = Math.max(0, rs.unread_count - 1);
  if (mentionsSelf(state, message)) rs.mention_count = Math.max(0, rs.mention_count - 1);
}

export function dropMessages(state, channelId, messageIds) {
  const box = state.messages[channelId] ?? {};
  for (const messageId of messageIds) {
    const message = box[messageId];
    if (message !== undefined) {
      delete box[messageId];
      uncountMessage(state, message);
    }
    delete state.effects[messageId];
    delete state.super_reactions[messageId];
    delete state.saved_messages[messageId]; // its saves went with it
  }
}

/** `count` is the server's total; `me` follows the self user's own adds and removes. */
export function setReaction(state, d, added) {
  const message = state.messages[d.channel_id]?.[d.message_id];
  if (message == null) return;
  const reactions = message.reactions;
  let entry = reactions.find((r) => r.emoji === d.emoji);
  if (entry === undefined) {
    if (d.count <= 0) return;
    entry = { emoji: d.emoji, count: d.count, me: false };
    reactions.push(entry);
  }
  entry.count = d.count;
  if (d.user_id === userId(state)) entry.me = added;
  if (entry.count <= 0) reactions.splice(reactions.indexOf(entry), 1);
}
