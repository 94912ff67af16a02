// @ts-check
// THE handler table: one pure reducer per client-visible catalog event (and the client's
// own GATEWAY_* events). Each mutates the plain state object of stores.js and touches no
// DOM. Events about an object the cache does not hold are ignored, and partial payloads
// only merge into objects the cache already has: the cache never holds half an object.
// tests/web/test_handlers_catalog.py reads the names below and compares them with the
// catalog, so keep every entry as `  NAME(state, d) {` at two spaces of indentation.

import {
  FEED_SIZE,
  countMembers,
  countNewMessage,
  dropMessages,
  emptyStores,
  forgetChannel,
  forgetGuild,
  guildKnown,
  has,
  isUnread,
  leaveGuildVoice,
  loadFullGuild,
  mentionsSelf,
  pushFeed,
  readStateOf,
  rememberUser,
  setReaction,
  slot,
  storeChannel,
  storeMember,
  storeMessage,
  userId,
  without,
} from "./stores.js";

function appendCapped(map, key, item) {
  const list = map[key] ?? (map[key] = []);
  list.push(item);
  if (list.length > FEED_SIZE) list.splice(0, list.length - FEED_SIZE);
}

// A kanban column's cached cards in the server's order (position, then id).
function kanbanColumn(state, columnId) {
  return Object.values(state.kanban_cards)
    .filter((c) => c.column_id === columnId)
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// A command usable in a guild the cache holds, new or changed (the payload is the whole command).
function storeCommand(state, d) {
  if (has(state.guilds, d.guild_id)) slot(state.application_commands, d.guild_id)[d.command.id] = { ...d.command };
}

function renumberKanban(columnId, cards) {
  cards.forEach((card, position) => Object.assign(card, { column_id: columnId, position }));
}

export const handlers = {
  // ---- session -------------------------------------------------------------------------------

  READY(state, d) {
    // After a fresh IDENTIFY nothing older can be trusted: every store starts again.
    Object.assign(state, emptyStores());
    state.self_user = { ...d.user };
    state.user_settings = d.settings != null ? { ...d.settings } : null;
    for (const saved of d.saved_messages ?? []) state.saved_messages[saved.message_id] = { ...saved };
    rememberUser(state, d.user);
    for (const guild of d.guilds) loadFullGuild(state, guild);
    for (const channel of d.dms) storeChannel(state, channel);
    for (const rel of d.relationships) {
      rememberUser(state, rel.user);
      state.relationships[rel.target_id] = without(rel, "user");
    }
    for (const rs of d.read_state) state.read_state[rs.channel_id] = { ...rs };
    for (const [uid, status] of Object.entries(d.presences)) {
      if (status !== "offline") state.presences[uid] = { user_id: uid, status };
    }
    for (const vs of d.voice_states) {
      if (vs.channel_id) {
        rememberUser(state, vs.user);
        slot(state.voice_states, vs.channel_id)[vs.user_id] = vs;
      }
    }
    Object.assign(state.connection, {
      connected: true, session_id: d.session_id, auth_failed: false, exhausted: false,
    });
  },

  RESUMED(state, d) {
    state.connection.connected = true;
    state.connection.resumes += 1;
    state.connection.replayed = d.replayed;
  },

  GUILD_MEMBERS_CHUNK(state, d) {
    if (!has(state.guilds, d.guild_id)) return;
    for (const member of d.members) storeMember(state, member);
  },

  GATEWAY_DISCONNECTED(state, d) {
    state.connection.connected = false;
    state.connection.last_disconnect = { ...d };
  },

  GATEWAY_AUTH_FAILED(state, d) {
    // The token no longer works: the account is signed out until a new login.
    Object.assign(state.connection, { connected: false, auth_failed: true, session_id: null });
    state.self_user = null;
  },

  GATEWAY_EXHAUSTED(state, d) {
    Object.assign(state.connection, { connected: false, exhausted: true, attempts: d.attempts });
  },

  // ---- messages ------------------------------------------------------------------------------

  MESSAGE_CREATE(state, d) {
    const channel = state.channels[d.channel_id];
    if (channel == null) return;
    storeMessage(state, d);
    channel.last_message_id = d.id;
    if (state.typing[d.channel_id]) delete state.typing[d.channel_id][d.author_id];
    countNewMessage(state, d);
  },

  EPHEMERAL_MESSAGE_CREATE(state, d) {
    // Only this user sees it and history never holds it: kept beside the channel's messages.
    if (has(state.channels, d.channel_id)) slot(state.ephemeral_messages, d.channel_id)[d.id] = { ...d };
  },

  MESSAGE_UPDATE(state, d) {
    const old = state.messages[d.channel_id]?.[d.id];
    if (old == null) return;
    // Events carry `me: false`; the viewer's own reactions are what the cache already knows.
    const mine = new Set(old.reactions.filter((r) => r.me).map((r) => r.emoji));
    storeMessage(state, { ...d, reactions: d.reactions.map((r) => ({ ...r, me: mine.has(r.emoji) })) });
  },

  MESSAGE_DELETE(state, d) {
    dropMessages(state, d.channel_id, [d.id]);
  },

  MESSAGE_DELETE_BULK(state, d) {
    dropMessages(state, d.channel_id, d.message_ids);
  },

  MESSAGE_REACTION_ADD(state, d) {
    setReaction(state, d, true);
  },

  MESSAGE_REACTION_REMOVE(state, d) {
    setReaction(state, d, false);
  },

  MESSAGE_REACTION_CLEAR(state, d) {
    const message = state.messages[d.channel_id]?.[d.message_id];
    if (message == null) return;
    message.reactions = d.emoji == null ? [] : message.reactions.filter((r) => r.emoji !== d.emoji);
  },

  MESSAGE_EMBED_UPDATE(state, d) {
    const message = state.messages[d.channel_id]?.[d.message_id];
    if (message != null) message.embeds = [...d.embeds];
  },

  // ---- channels ------------------------------------------------------------------------------

  CHANNEL_CREATE(state, d) {
    if (guildKnown(state, d)) storeChannel(state, { ...d });
  },

  CHANNEL_UPDATE(state, d) {
    // Always the whole channel: it replaces what the cache holds.
    if (guildKnown(state, d)) storeChannel(state, { ...d });
  },

  THREAD_CREATE(state, d) {
    if (guildKnown(state, d)) storeChannel(state, { ...d });
  },

  CHANNEL_DELETE(state, d) {
    forgetChannel(state, d.id);
  },

  CHANNEL_PINS_UPDATE(state, d) {
    const message = state.messages[d.channel_id]?.[d.message_id];
    if (message != null) message.pinned = d.pinned;
    if (d.last_pin_at) state.last_pin_at[d.channel_id] = d.last_pin_at;
    else delete state.last_pin_at[d.channel_id];
  },

  WEBHOOKS_UPDATE(state, d) {
    if (has(state.channels, d.channel_id)) state.webhook_changes[d.channel_id] = (state.webhook_changes[d.channel_id] ?? 0) + 1;
  },

  TYPING_START(state, d) {
    if (has(state.channels, d.channel_id) && d.user_id !== userId(state)) {
      slot(state.typing, d.channel_id)[d.user_id] = state.clock();
    }
  },

  CHANNEL_ACK(state, d) {
    if (d.user_id !== userId(state)) return;
    const rs = readStateOf(state, d.channel_id);
    rs.last_message_id = d.message_id;
    // An ack may move the position back (mark unread): count what the cache holds after it.
    const later = Object.values(state.messages[d.channel_id] ?? {}).filter((m) => isUnread(state, m));
    rs.unread_count = later.length;
    rs.mention_count = later.filter((m) => mentionsSelf(state, m)).length;
  },

  // ---- guilds --------------------------------------------------------------------------------

  GUILD_CREATE(state, d) {
    loadFullGuild(state, d);
  },

  GUILD_UPDATE(state, d) {
    if (has(state.guilds, d.id)) state.guilds[d.id] = { ...d };
  },

  GUILD_DELETE(state, d) {
    forgetGuild(state, d.id);
  },

  GUILD_MEMBER_ADD(state, d) {
    if (!has(state.guilds, d.guild_id)) return; // the joiner's own GUILD_CREATE counts them
    if (!has(state.members[d.guild_id] ?? {}, d.user_id)) countMembers(state, d.guild_id, +1);
    storeMember(state, d);
  },

  GUILD_MEMBER_UPDATE(state, d) {
    if (has(state.guilds, d.guild_id)) storeMember(state, d);
    else rememberUser(state, d.user);
  },

  GUILD_MEMBER_REMOVE(state, d) {
    if (!has(state.guilds, d.guild_id)) return;
    if (d.user_id === userId(state)) {
      forgetGuild(state, d.guild_id);
      return;
    }
    countMembers(state, d.guild_id, -1);
    if (state.members[d.guild_id]) delete state.members[d.guild_id][d.user_id];
    leaveGuildVoice(state, d.guild_id, d.user_id);
  },

  GUILD_MEMBERS_PRUNE(state, d) {
    if (!has(state.guilds, d.guild_id)) return;
    if (d.user_ids.includes(userId(state))) {
      forgetGuild(state, d.guild_id);
      return;
    }
    countMembers(state, d.guild_id, -d.pruned);
    for (const uid of d.user_ids) {
      if (state.members[d.guild_id]) delete state.members[d.guild_id][uid];
      leaveGuildVoice(state, d.guild_id, uid);
    }
  },

  GUILD_ROLE_CREATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.roles, d.guild_id)[d.id] = { ...d };
  },

  GUILD_ROLE_UPDATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.roles, d.guild_id)[d.id] = { ...d };
  },

  GUILD_ROLE_DELETE(state, d) {
    if (state.roles[d.guild_id]) delete state.roles[d.guild_id][d.role_id];
    for (const member of Object.values(state.members[d.guild_id] ?? {})) {
      if (member.roles.includes(d.role_id)) member.roles = member.roles.filter((r) => r !== d.role_id);
    }
  },

  GUILD_EMOJI_UPDATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.emoji, d.guild_id)[d.id] = { ...d };
  },

  GUILD_EMOJI_DELETE(state, d) {
    if (state.emoji[d.guild_id]) delete state.emoji[d.guild_id][d.id];
  },

  GUILD_BAN_ADD(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.bans, d.guild_id)[d.user_id] = { ...d };
  },

  GUILD_BAN_REMOVE(state, d) {
    if (state.bans[d.guild_id]) delete state.bans[d.guild_id][d.user_id];
  },

  GUILD_ONBOARDING_UPDATE(state, d) {
    if (has(state.guilds, d.guild_id)) state.onboarding[d.guild_id] = { ...d };
  },

  GUILD_EVENT_CREATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.guild_events, d.guild_id)[d.id] = { ...d };
  },

  GUILD_EVENT_UPDATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.guild_events, d.guild_id)[d.id] = { ...d };
  },

  GUILD_EVENT_DELETE(state, d) {
    if (state.guild_events[d.guild_id]) delete state.guild_events[d.guild_id][d.id];
  },

  RAID_LOCKDOWN(state, d) {
    if (has(state.guilds, d.guild_id)) state.raid[d.guild_id] = { ...d };
  },

  AUTOMOD_ACTION(state, d) {
    if (has(state.guilds, d.guild_id)) pushFeed(state.automod, { ...d });
  },

  GUILD_AUDIT_LOG_ENTRY_CREATE(state, d) {
    if (has(state.guilds, d.guild_id)) pushFeed(state.audit_log, { ...d });
  },

  GUILD_REPORT_CREATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.reports, d.guild_id)[d.id] = { ...d };
  },

  GUILD_REPORT_UPDATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.reports, d.guild_id)[d.id] = { ...d };
  },

  GUILD_MEMBER_WARNING_CREATE(state, d) {
    if (has(state.guilds, d.guild_id)) pushFeed(state.warnings, { ...d });
  },

  CHANNEL_GROUP_CREATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.channel_groups, d.guild_id)[d.id] = { ...d };
  },

  CHANNEL_GROUP_UPDATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.channel_groups, d.guild_id)[d.id] = { ...d };
  },

  CHANNEL_GROUP_DELETE(state, d) {
    if (state.channel_groups[d.guild_id]) delete state.channel_groups[d.guild_id][d.id];
  },

  CHANNEL_GROUP_ITEMS_UPDATE(state, d) {
    const group = state.channel_groups[d.guild_id]?.[d.group_id];
    if (group != null) group.channel_ids = [...d.channel_ids];
  },

  // ---- people --------------------------------------------------------------------------------

  USER_UPDATE(state, d) {
    rememberUser(state, d);
  },

  USER_SETTINGS_UPDATE(state, d) {
    if (d.user_id === userId(state)) state.user_settings = { ...d };
  },

  SAVED_MESSAGE_ADD(state, d) {
    if (d.user_id === userId(state)) state.saved_messages[d.message_id] = { ...d };
  },

  SAVED_MESSAGE_REMOVE(state, d) {
    if (d.user_id === userId(state)) delete state.saved_messages[d.message_id];
  },

  PRESENCE_UPDATE(state, d) {
    if (d.status === "offline") delete state.presences[d.user_id];
    else state.presences[d.user_id] = { ...d };
  },

  RELATIONSHIP_ADD(state, d) {
    if (d.user_id !== userId(state)) return;
    rememberUser(state, d.user);
    state.relationships[d.target_id] = without(d, "user");
  },

  RELATIONSHIP_UPDATE(state, d) {
    if (d.user_id !== userId(state)) return;
    rememberUser(state, d.user);
    state.relationships[d.target_id] = without(d, "user");
  },

  RELATIONSHIP_REMOVE(state, d) {
    if (d.user_id === userId(state)) delete state.relationships[d.target_id];
  },

  NOTIFICATION_CREATE(state, d) {
    if (d.user_id === userId(state)) state.notifications[d.id] = { ...d };
  },

  NOTIFICATION_UPDATE(state, d) {
    if (d.user_id === userId(state)) state.notifications[d.id] = { ...d };
  },

  NOTIFICATION_DELETE(state, d) {
    if (d.user_id === userId(state)) delete state.notifications[d.id];
  },

  NOTIFICATION_MARK_ALL_READ(state, d) {
    if (d.user_id !== userId(state)) return;
    for (const n of Object.values(state.notifications)) n.read = true;
  },

  NOTIFICATION_CLEAR_ALL(state, d) {
    if (d.user_id === userId(state)) state.notifications = {};
  },

  ANNOUNCEMENT_CREATE(state, d) {
    state.announcements[d.id] = { ...d };
  },

  ANNOUNCEMENT_UPDATE(state, d) {
    state.announcements[d.id] = { ...d };
  },

  ANNOUNCEMENT_DELETE(state, d) {
    delete state.announcements[d.id];
  },

  BOT_PRESENCE_UPDATE(state, d) {
    state.bot_presences[d.bot_id] = { ...d };
  },

  COMPONENT_INTERACTION(state, d) {
    if (d.bot_id === userId(state)) pushFeed(state.interactions, { ...d });
  },

  INTERACTION_CREATE(state, d) {
    if (d.application_id === userId(state)) pushFeed(state.interactions, { ...d });
  },

  INTERACTION_MODAL_CREATE(state, d) {
    if (d.user_id === userId(state)) state.modal = { ...d };
  },

  INTERACTION_TIMEOUT(state, d) {
    if (d.user_id !== userId(state)) return;
    state.timed_out[d.interaction_id] = { ...d };
    const ids = Object.keys(state.timed_out);
    for (const id of ids.slice(0, Math.max(0, ids.length - FEED_SIZE))) delete state.timed_out[id]; // the oldest go first
  },

  APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE(state, d) {
    if (d.user_id === userId(state)) state.autocomplete = { ...d };
  },

  APPLICATION_COMMAND_CREATE(state, d) {
    storeCommand(state, d);
  },

  APPLICATION_COMMAND_UPDATE(state, d) {
    storeCommand(state, d);
  },

  APPLICATION_COMMAND_DELETE(state, d) {
    delete state.application_commands[d.guild_id]?.[d.command.id];
  },

  // ---- voice ---------------------------------------------------------------------------------

  VOICE_STATE_UPDATE(state, d) {
    // Out of wherever the user was, into `channel_id` (absent: they left voice).
    const uid = d.user_id;
    const channelId = d.channel_id ?? null;
    for (const [cid, states] of Object.entries(state.voice_states)) {
      if (cid !== channelId && has(states, uid)) {
        delete states[uid];
        if (Object.keys(states).length === 0) {
          delete state.voice_states[cid];
          delete state.calls[cid]; // the call ended with its last participant
        }
      }
    }
    rememberUser(state, d.user);
    if (channelId) slot(state.voice_states, channelId)[uid] = { ...d };
    if (uid === userId(state)) {
      if (channelId) delete state.calls[channelId]; // answered
      else state.voice_connection = null;
    }
    for (const shares of Object.values(state.screen_shares)) {
      for (const [sessionId, share] of Object.entries(shares)) {
        if (share.user_id === uid && share.channel_id !== channelId) delete shares[sessionId];
      }
    }
  },

  VOICE_SERVER_UPDATE(state, d) {
    if (d.user_id === userId(state)) state.voice_connection = { ...d };
  },

  VOICE_SIGNAL(state, d) {
    // Signalling is not state: the voice mesh (voice.js) takes it from effects.js.
  },

  CALL_RING(state, d) {
    if (d.caller_id === userId(state)) return;
    rememberUser(state, d.caller);
    state.calls[d.channel_id] = { ...d };
  },

  VOICE_BROADCAST_START(state, d) {
    slot(state.broadcasts, d.channel_id)[d.broadcast_id] = { ...d };
  },

  VOICE_BROADCAST_END(state, d) {
    if (state.broadcasts[d.channel_id]) delete state.broadcasts[d.channel_id][d.broadcast_id];
  },

  SCREEN_SHARE_START(state, d) {
    slot(state.screen_shares, d.channel_id)[d.session_id] = { ...d };
  },

  SCREEN_SHARE_UPDATE(state, d) {
    const share = state.screen_shares[d.channel_id]?.[d.session_id];
    if (share == null) return;
    for (const [k, v] of Object.entries(d)) if (v != null) share[k] = v;
  },

  SCREEN_SHARE_END(state, d) {
    if (state.screen_shares[d.channel_id]) delete state.screen_shares[d.channel_id][d.session_id];
  },

  SOUNDBOARD_SOUND_CREATE(state, d) {
    if (has(state.guilds, d.guild_id)) slot(state.soundboard, d.guild_id)[d.sound.id] = { ...d.sound };
  },

  SOUNDBOARD_SOUND_DELETE(state, d) {
    if (state.soundboard[d.guild_id]) delete state.soundboard[d.guild_id][d.sound_id];
  },

  SOUNDBOARD_PLAY(state, d) {
    state.soundboard_plays[d.channel_id] = { ...d };
  },

  // ---- polls and channel features ------------------------------------------------------------

  POLL_CREATE(state, d) {
    state.polls[d.id] = { ...d };
  },

  POLL_VOTE(state, d) {
    const poll = state.polls[d.poll_id];
    if (poll == null) return;
    const counts = new Map(d.options.map((o) => [o.id, o.vote_count]));
    poll.options = poll.options.map((o) => ({ ...o, vote_count: counts.get(o.id) ?? o.vote_count }));
    poll.total_votes = d.total_votes;
    if (d.user_id != null && d.user_id === userId(state)) state.poll_votes[d.poll_id] = [...d.option_ids];
  },

  POLL_CLOSE(state, d) {
    const poll = state.polls[d.poll_id];
    if (poll != null) poll.closed = true;
  },

  LOCATION_SHARE_CREATE(state, d) {
    slot(state.locations, d.channel_id)[d.id] = { ...d };
  },

  LOCATION_SHARE_UPDATE(state, d) {
    slot(state.locations, d.channel_id)[d.id] = { ...d };
  },

  LOCATION_SHARE_STOP(state, d) {
    if (state.locations[d.channel_id]) delete state.locations[d.channel_id][d.id];
  },

  MESSAGE_EFFECT_CREATE(state, d) {
    appendCapped(state.effects, d.message_id, { ...d });
  },

  SUPER_REACTION_ADD(state, d) {
    appendCapped(state.super_reactions, d.message_id, { ...d });
  },

  WHITEBOARD_UPDATE(state, d) {
    const known = state.whiteboards[d.whiteboard_id];
    // An older version arriving late is stale.
    if (known == null || d.version > known.version) state.whiteboards[d.whiteboard_id] = { ...d };
  },

  CODE_SNIPPET_CREATE(state, d) {
    state.snippets[d.id] = { ...d };
  },

  KANBAN_CARD_CREATE(state, d) {
    state.kanban_cards[d.id] = { ...d };
  },

  KANBAN_CARD_MOVE(state, d) {
    // The server's rule: take the card out of its column, insert it into `column_id` at
    // `position` (past the end: last), and number both columns 0..n-1 again.
    const card = state.kanban_cards[d.card_id];
    if (card == null) return;
    const source = card.column_id;
    const target = kanbanColumn(state, d.column_id).filter((c) => c !== card);
    target.splice(Math.min(d.position, target.length), 0, card);
    if (source !== d.column_id) renumberKanban(source, kanbanColumn(state, source).filter((c) => c !== card));
    renumberKanban(d.column_id, target);
  },

  CHANNEL_WIDGET_CREATE(state, d) {
    slot(state.widgets, d.channel_id)[d.id] = { ...d };
  },

  CHANNEL_WIDGET_UPDATE(state, d) {
    slot(state.widgets, d.channel_id)[d.id] = { ...d };
  },

  CHANNEL_WIDGET_DELETE(state, d) {
    if (state.widgets[d.channel_id]) delete state.widgets[d.channel_id][d.widget_id];
  },

  // ---- activities and games ------------------------------------------------------------------

  ACTIVITY_SESSION_START(state, d) {
    state.activities[d.id] = { ...d };
  },

  ACTIVITY_SESSION_END(state, d) {
    delete state.activities[d.id];
  },

  ACTIVITY_PARTICIPANT_JOIN(state, d) {
    const session = state.activities[d.session_id];
    if (session != null && !session.participants.includes(d.user_id)) {
      session.participants = [...session.participants, d.user_id];
    }
  },

  ACTIVITY_PARTICIPANT_LEAVE(state, d) {
    const session = state.activities[d.session_id];
    if (session != null) session.participants = session.participants.filter((u) => u !== d.user_id);
  },

  ACTIVITY_STATE_UPDATE(state, d) {
    const session = state.activities[d.session_id];
    if (session != null) session.state = d.state;
  },

  GAME_SESSION_CREATE(state, d) {
    state.games[d.id] = { ...d };
    state.game_players[d.id] = {};
  },

  GAME_PLAYER_JOIN(state, d) {
    if (has(state.games, d.game_id)) slot(state.game_players, d.game_id)[d.user_id] = d.player_index;
  },

  GAME_MOVE(state, d) {
    const game = state.games[d.game_id];
    if (game == null) return;
    Object.assign(game, { state: d.state, status: d.status });
    state.game_turns[d.game_id] = d.next_turn ?? null;
  },

  WATCH_TOGETHER_START(state, d) {
    state.watch_together[d.id] = { ...d };
  },

  WATCH_TOGETHER_SYNC(state, d) {
    const session = state.watch_together[d.session_id];
    if (session == null) return;
    const { current_time_ms, playing, playback_rate } = d;
    Object.assign(session, { current_time_ms, playing, playback_rate });
  },

  MUSIC_PARTY_START(state, d) {
    state.music_parties[d.id] = { ...d };
  },

  MUSIC_PARTY_QUEUE_ADD(state, d) {
    const party = state.music_parties[d.session_id];
    if (party != null) party.queue = [...party.queue, { ...d.track }];
  },
};
