"""The event catalog: every real-time event type, declared once.

Publishers, the gateway router, the client stores and the parity report all read
this table, so an event cannot exist without a subject, an audience, a payload
schema and the stores it updates. Entries come in the order of the original's
parity audit (docs/seed/parity-report-2026-02-18.md), then the events this server
adds (docs/protocol.md#events). `seed_*` fields record what that audit said about
the original, so the parity report can show each row's before and after.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from amityvox.events import aliases as compat
from amityvox.events import payloads as p
from amityvox.events.types import Audience, EventType, Scope
from amityvox.permissions import Perm

SUBJECT_PREFIX = "amityvox."

CATEGORIES: tuple[str, ...] = (
    "gateway", "messages", "channels", "guilds", "members", "roles", "moderation", "emoji",
    "presence", "users", "relationships", "voice", "polls", "guild_events", "announcements",
    "notifications", "channel_groups", "experimental", "activities", "games", "bots",
    "federation", "client",
)  # fmt: skip

STORES: tuple[str, ...] = (
    "self", "users", "guilds", "channels", "members", "roles", "emoji", "bans", "messages",
    "typing", "read_state", "presence", "relationships", "voice", "voice_connection", "calls",
    "notifications", "announcements", "polls", "guild_events", "onboarding", "automod", "raid",
    "soundboard", "channel_groups", "locations", "effects", "whiteboards", "snippets", "kanban",
    "widgets", "activities", "games", "bots", "connection", "saved_messages", "webhooks", "audit_log",
    "reports", "warnings", "commands",
)  # fmt: skip

# Scopes that name their target through a payload field.
_KEYED_SCOPES = frozenset({Scope.GUILD, Scope.CHANNEL, Scope.USER, Scope.SOCIAL, Scope.MODERATORS, Scope.PERMISSION})
_UNIONS = (Union, types.UnionType)  # `X | None` and Optional[X]

# Audit verdicts and gap headings, as the original's parity audit spells them.
_OK, _MISSING, _DEAD, _INTERNAL = "OK", "MISSING", "DEAD", "INTERNAL"
_CRITICAL, _HIGH_MOD, _HIGH_VOICE = "Critical", "High: moderation", "High: voice"
_MEDIUM, _LOW, _GAP_DEAD = "Medium", "Low", "Dead"

_Seed = tuple[str | None, str, str | None]  # (subject, status, gap heading)

# Audiences shared by many entries.
_CHANNEL = Audience(Scope.CHANNEL, "channel_id")
_GUILD = Audience(Scope.GUILD, "guild_id")
_GUILD_BEFORE = Audience(Scope.GUILD, "guild_id", before=True)
_MODERATORS = Audience(Scope.MODERATORS, "guild_id")
_MODS_AND_USER = Audience(Scope.MODERATORS, "guild_id", plus=("user_id",))
_USER = Audience(Scope.USER, "user_id")
_EVERYONE = Audience(Scope.EVERYONE)
_SESSION = Audience(Scope.SESSION)
_LOCAL = Audience(Scope.LOCAL)


def _event(
    name: str,
    subject: str,
    audience: Audience,
    payload: type[BaseModel],
    category: str,
    stores: tuple[str, ...],
    description: str,
    seed: _Seed | None = None,
    *,
    gateways: bool = False,
    aliases: tuple[str, ...] = (),
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> EventType:
    seed_subject, seed_status, seed_gap = seed if seed is not None else (None, None, None)
    return EventType(
        name=name,
        subject=subject,
        audience=audience,
        payload=payload,
        category=category,
        stores=stores,
        seed_subject=seed_subject,
        seed_status=seed_status,
        seed_gap=seed_gap,
        description=description,
        gateways=gateways,
        aliases=aliases,
        derive=derive,
    )


_EVENTS: tuple[EventType, ...] = (
    # --- the original's parity audit, rows 1-53 -----------------------------------------
    _event(
        "READY", "amityvox.gateway.ready", _SESSION, p.Ready, "gateway",
        ("self", "users", "guilds", "channels", "members", "roles", "emoji", "relationships",
         "read_state", "presence", "voice", "connection", "saved_messages"),
        "After IDENTIFY (op 2): the session's whole starting state, to that session only.",
        (None, _OK, None),
    ),
    _event(
        "GATEWAY_DISCONNECTED", "amityvox.client.gateway_disconnected", _LOCAL,
        p.GatewayDisconnected, "client", ("connection",),
        "Synthesised by the client when its socket closes; it then reconnects or resumes.",
        (None, _OK, None),
    ),
    _event(
        "GATEWAY_AUTH_FAILED", "amityvox.client.gateway_auth_failed", _LOCAL,
        p.GatewayAuthFailed, "client", ("connection", "self"),
        "Synthesised by the client on close 4004: stop reconnecting and ask for a new login.",
        (None, _OK, None),
    ),
    _event(
        "GATEWAY_EXHAUSTED", "amityvox.client.gateway_exhausted", _LOCAL,
        p.GatewayExhausted, "client", ("connection",),
        "Synthesised by the client when its reconnect attempts are used up.",
        (None, _OK, None),
    ),
    _event(
        "MESSAGE_CREATE", "amityvox.message.create", _CHANNEL, p.Message, "messages",
        ("messages", "channels", "read_state"),
        "A message is posted (user, webhook, system or thread starter); to the channel's viewers.",
        ("amityvox.message.create", _OK, None),
    ),
    _event(
        "MESSAGE_UPDATE", "amityvox.message.update", _CHANNEL, p.Message, "messages",
        ("messages",),
        "A message is edited; the full message to the channel's viewers.",
        ("amityvox.message.update", _OK, None),
    ),
    _event(
        "MESSAGE_DELETE", "amityvox.message.delete", _CHANNEL, p.MessageDelete, "messages",
        ("messages", "saved_messages"),
        "A message is deleted by its author, a moderator or automod; to the channel's viewers.",
        ("amityvox.message.delete", _OK, None),
    ),
    _event(
        "MESSAGE_DELETE_BULK", "amityvox.message.delete_bulk", _CHANNEL, p.MessageDeleteBulk,
        "messages", ("messages", "saved_messages"),
        "Messages are bulk-deleted or expire under retention; to the channel's viewers.",
        ("amityvox.message.delete_bulk", _OK, None),
    ),
    _event(
        "MESSAGE_REACTION_ADD", "amityvox.message.reaction_add", _CHANNEL, p.MessageReaction,
        "messages", ("messages",),
        "A user reacts to a message; the new count, to the channel's viewers.",
        ("amityvox.message.reaction_add", _MISSING, _CRITICAL),
    ),
    _event(
        "MESSAGE_REACTION_REMOVE", "amityvox.message.reaction_remove", _CHANNEL,
        p.MessageReaction, "messages", ("messages",),
        "A reaction is removed (own, or a user's by a moderator); to the channel's viewers.",
        ("amityvox.message.reaction_remove", _MISSING, _CRITICAL),
    ),
    _event(
        "MESSAGE_EMBED_UPDATE", "amityvox.message.embed_update", _CHANNEL, p.MessageEmbedUpdate,
        "messages", ("messages",),
        "The link-preview worker resolved a message's URLs; to the channel's viewers.",
        ("amityvox.message.embed_update", _MISSING, _CRITICAL),
    ),
    _event(
        "CHANNEL_CREATE", "amityvox.channel.create", Audience(Scope.CHANNEL, "id"), p.Channel,
        "channels", ("channels",),
        "A guild channel, DM or group is created, or becomes visible; to its viewers/recipients.",
        ("amityvox.channel.create", _OK, None),
    ),
    _event(
        "CHANNEL_UPDATE", "amityvox.channel.update", Audience(Scope.CHANNEL, "id"), p.Channel,
        "channels", ("channels",),
        "A channel, its overwrites, recipients or lock change; the full channel to its viewers.",
        ("amityvox.channel.update", _OK, None),
    ),
    _event(
        "CHANNEL_DELETE", "amityvox.channel.delete",
        Audience(Scope.CHANNEL, "id", before=True), p.ChannelDelete, "channels",
        ("channels", "messages", "read_state", "saved_messages"),
        "A channel is deleted or stops being visible; to those who could view it before.",
        ("amityvox.channel.delete", _OK, None),
    ),
    _event(
        "CHANNEL_PINS_UPDATE", "amityvox.channel.pins_update", _CHANNEL, p.ChannelPinsUpdate,
        "channels", ("messages", "channels"),
        "A message is pinned or unpinned; to the channel's viewers.",
        ("amityvox.channel.pins_update", _MISSING, _CRITICAL),
    ),
    _event(
        "TYPING_START", "amityvox.channel.typing_start",
        Audience(Scope.CHANNEL, "channel_id", minus="user_id"), p.TypingStart, "channels",
        ("typing",),
        "A user types (REST or op 8); to the channel's viewers except the typer.",
        ("amityvox.channel.typing_start", _OK, None),
    ),
    _event(
        "CHANNEL_ACK", "amityvox.channel.ack", _USER, p.ChannelAck, "channels", ("read_state",),
        "A user marks a channel read; to all of that user's sessions, so they agree.",
        ("amityvox.channel.ack", _MISSING, _MEDIUM),
    ),
    _event(
        "THREAD_CREATE", "amityvox.channel.thread_create",
        Audience(Scope.CHANNEL, "parent_channel_id"), p.ThreadChannel, "channels",
        ("channels",),
        "A thread is started from a message; to the viewers of its parent channel.",
        ("amityvox.channel.create", _OK, None),
    ),
    _event(
        "GUILD_CREATE", "amityvox.guild.create", Audience(Scope.USER, "member.user_id"),
        p.FullGuild, "guilds", ("guilds", "channels", "roles", "emoji", "members", "users"),
        "A user creates or joins a guild; the guild as that member sees it, to that user.",
        ("amityvox.guild.create", _OK, None),
    ),
    _event(
        "GUILD_UPDATE", "amityvox.guild.update", Audience(Scope.GUILD, "id"), p.Guild, "guilds",
        ("guilds",),
        "A guild's settings or owner change; the full guild to its members.",
        ("amityvox.guild.update", _OK, None),
    ),
    _event(
        "GUILD_DELETE", "amityvox.guild.delete", Audience(Scope.GUILD, "id", before=True),
        p.GuildDelete, "guilds", ("guilds", "channels", "roles", "emoji", "members", "saved_messages"),
        "A guild is deleted; to everyone who was a member.",
        ("amityvox.guild.delete", _OK, None),
    ),
    _event(
        "GUILD_MEMBER_ADD", "amityvox.guild.member_add", _GUILD, p.GuildMember, "members",
        ("members", "users", "guilds"),
        "A user joins a guild (invite or join); to its members, the joiner included.",
        ("amityvox.guild.member_add", _MISSING, _CRITICAL),
    ),
    _event(
        "GUILD_MEMBER_UPDATE", "amityvox.guild.member_update", _GUILD, p.GuildMember, "members",
        ("members", "users"),
        "A member's nickname, roles, onboarding or timeout change; to the guild's members.",
        ("amityvox.guild.member_update", _OK, None),
    ),
    _event(
        "GUILD_MEMBER_REMOVE", "amityvox.guild.member_remove", _GUILD_BEFORE,
        p.GuildMemberRemove, "members", ("members", "guilds", "saved_messages"),
        "A member leaves, is kicked or banned; to the members before removal, the user included.",
        ("amityvox.guild.member_remove", _MISSING, _CRITICAL),
    ),
    _event(
        "GUILD_MEMBERS_PRUNE", "amityvox.guild.members_prune", _GUILD_BEFORE,
        p.GuildMembersPrune, "members", ("members", "guilds"),
        "Inactive members are pruned; to the members before the prune, the pruned included.",
        ("amityvox.guild.member_remove", _MISSING, None),
    ),
    _event(
        "GUILD_ROLE_CREATE", "amityvox.guild.role_create", _GUILD, p.Role, "roles", ("roles",),
        "A role is created; to the guild's members.",
        ("amityvox.guild.role_create", _MISSING, _CRITICAL),
    ),
    _event(
        "GUILD_ROLE_UPDATE", "amityvox.guild.role_update", _GUILD, p.Role, "roles", ("roles",),
        "A role is edited; the full role to the guild's members.",
        ("amityvox.guild.role_update", _OK, None),
    ),
    _event(
        "GUILD_ROLE_DELETE", "amityvox.guild.role_delete", _GUILD, p.GuildRoleDelete, "roles",
        ("roles", "members"),
        "A role is deleted (and taken from its members); to the guild's members.",
        ("amityvox.guild.role_delete", _OK, None),
    ),
    _event(
        "GUILD_BAN_ADD", "amityvox.guild.ban_add", _MODS_AND_USER, p.GuildBan, "moderation",
        ("bans",),
        "A user is banned; to the guild's moderators and the banned user.",
        ("amityvox.guild.ban_add", _MISSING, _HIGH_MOD),
    ),
    _event(
        "GUILD_BAN_REMOVE", "amityvox.guild.ban_remove", _MODS_AND_USER, p.GuildBan,
        "moderation", ("bans",),
        "A ban is lifted or expires; to the guild's moderators and the unbanned user.",
        ("amityvox.guild.ban_remove", _MISSING, _HIGH_MOD),
    ),
    _event(
        "GUILD_EMOJI_UPDATE", "amityvox.guild.emoji_update", _GUILD, p.CustomEmoji, "emoji",
        ("emoji",),
        "A custom emoji is added or renamed; to the guild's members.",
        ("amityvox.guild.emoji_update", _MISSING, _HIGH_MOD),
    ),
    _event(
        "GUILD_EMOJI_DELETE", "amityvox.guild.emoji_delete", _GUILD, p.GuildEmojiDelete,
        "emoji", ("emoji",),
        "A custom emoji is deleted; to the guild's members.",
        ("amityvox.guild.emoji_update", _MISSING, _HIGH_MOD),
    ),
    _event(
        "GUILD_ONBOARDING_UPDATE", "amityvox.guild.onboarding_update", _GUILD,
        p.GuildOnboardingUpdate, "guilds", ("onboarding",),
        "A guild's onboarding is saved; the whole configuration to its members.",
        ("amityvox.guild.update", _MISSING, _MEDIUM),
    ),
    _event(
        "PRESENCE_UPDATE", "amityvox.presence.update", Audience(Scope.SOCIAL, "user_id"),
        p.PresenceUpdate, "presence", ("presence",),
        "A user's status or activity changes; to them, their friends and guild co-members.",
        ("amityvox.presence.update", _OK, None),
    ),
    _event(
        "USER_UPDATE", "amityvox.user.update", Audience(Scope.SOCIAL, "id"), p.User, "users",
        ("users", "self"),
        "A user edits their profile; to them, their friends and guild co-members.",
        ("amityvox.user.update", _OK, None),
    ),
    _event(
        "RELATIONSHIP_ADD", "amityvox.user.relationship_add", _USER, p.Relationship,
        "relationships", ("relationships", "users"),
        "A friend request or block creates a relationship; one event to each side's user.",
        ("amityvox.user.relationship_add", _OK, None),
    ),
    _event(
        "RELATIONSHIP_UPDATE", "amityvox.user.relationship_update", _USER, p.Relationship,
        "relationships", ("relationships", "users"),
        "A relationship changes type (request accepted, friend blocked); to each side's user.",
        ("amityvox.user.relationship_update", _OK, None),
    ),
    _event(
        "RELATIONSHIP_REMOVE", "amityvox.user.relationship_remove", _USER,
        p.RelationshipRemove, "relationships", ("relationships",),
        "A relationship ends (unfriend, unblock, request declined); to each side's user.",
        ("amityvox.user.relationship_remove", _OK, None),
    ),
    _event(
        "VOICE_STATE_UPDATE", "amityvox.voice.state_update", _CHANNEL, p.VoiceStateUpdate, "voice",
        ("voice",),
        "A user joins, leaves, mutes, deafens or is moved in voice; to the voice channel's "
        "viewers (a leave has channel_id null and goes to the channel left).",
        ("amityvox.voice.state_update", _OK, None),
        derive=compat.voice_state,
    ),
    _event(
        "VOICE_SERVER_UPDATE", "amityvox.voice.server_update", _USER, p.VoiceServerUpdate,
        "voice", ("voice_connection",),
        "A user joins voice or its server changes; the endpoint and token, to that user only "
        "(payload adds user_id to route it).",
        ("amityvox.voice.server_update", _MISSING, _HIGH_VOICE),
    ),
    _event(
        "CALL_RING", "amityvox.voice.call_ring",
        Audience(Scope.CHANNEL, "channel_id", minus="caller_id"), p.CallRing, "voice",
        ("calls",),
        "The first joiner of a DM/group call rings it; to the other recipients.",
        ("amityvox.voice.call_ring", _OK, None),
        derive=compat.call_ring,
    ),
    _event(
        "AUTOMOD_ACTION", "amityvox.automod.action", _MODS_AND_USER, p.AutomodAction,
        "moderation", ("automod",),
        "An automod rule matches a message; to the guild's moderators and the author.",
        ("amityvox.automod.action", _DEAD, _GAP_DEAD),
    ),
    _event(
        "POLL_CREATE", "amityvox.poll.create", _CHANNEL, p.Poll, "polls", ("polls",),
        "A poll is posted; to the channel's viewers.",
        ("amityvox.poll.create", _DEAD, _GAP_DEAD),
    ),
    _event(
        "POLL_VOTE", "amityvox.poll.vote", _CHANNEL, p.PollVote, "polls", ("polls",),
        "A user votes; the new counts to the channel's viewers (voter omitted if anonymous).",
        ("amityvox.poll.vote", _DEAD, _GAP_DEAD),
    ),
    _event(
        "POLL_CLOSE", "amityvox.poll.close", _CHANNEL, p.PollClose, "polls", ("polls",),
        "A poll is closed by a user or expires; to the channel's viewers.",
        ("amityvox.poll.close", _DEAD, _GAP_DEAD),
    ),
    _event(
        "GUILD_EVENT_CREATE", "amityvox.guild.event_create", _GUILD, p.GuildEvent,
        "guild_events", ("guild_events",),
        "A scheduled event is created; to the guild's members.",
        ("amityvox.guild.event_create", _MISSING, _MEDIUM),
    ),
    _event(
        "GUILD_EVENT_UPDATE", "amityvox.guild.event_update", _GUILD, p.GuildEvent,
        "guild_events", ("guild_events",),
        "A scheduled event is edited, RSVPed or auto-cancelled; to the guild's members.",
        ("amityvox.guild.event_update", _MISSING, _MEDIUM),
    ),
    _event(
        "GUILD_EVENT_DELETE", "amityvox.guild.event_delete", _GUILD, p.GuildEventDelete,
        "guild_events", ("guild_events",),
        "A scheduled event is deleted; to the guild's members.",
        ("amityvox.guild.event_delete", _MISSING, _MEDIUM),
    ),
    _event(
        "RAID_LOCKDOWN", "amityvox.guild.raid_lockdown", _GUILD, p.RaidLockdown, "moderation",
        ("raid",),
        "Raid lockdown turns on or off, by a moderator or the join-rate threshold; to members.",
        ("amityvox.guild.raid_lockdown", _MISSING, _HIGH_MOD),
    ),
    _event(
        "ANNOUNCEMENT_CREATE", "amityvox.announcement.create", _EVERYONE, p.Announcement,
        "announcements", ("announcements",),
        "An admin publishes an instance announcement; to every identified session.",
        ("amityvox.announcement.create", _OK, None),
    ),
    _event(
        "ANNOUNCEMENT_UPDATE", "amityvox.announcement.update", _EVERYONE, p.Announcement,
        "announcements", ("announcements",),
        "An admin edits an announcement; to every identified session.",
        ("amityvox.announcement.update", _OK, None),
    ),
    _event(
        "ANNOUNCEMENT_DELETE", "amityvox.announcement.delete", _EVERYONE, p.AnnouncementDelete,
        "announcements", ("announcements",),
        "An admin deletes an announcement; to every identified session.",
        ("amityvox.announcement.delete", _OK, None),
    ),
    _event(
        "FEDERATION_RETRY", "amityvox.federation.retry", Audience(Scope.INTERNAL),
        p.FederationRetry, "federation", (),
        "An outbound federation delivery failed and is queued again; never sent to clients.",
        ("amityvox.federation.retry", _INTERNAL, None),
    ),
    # --- the original's parity audit, rows 54-87 (its inline subjects) ------------------
    _event(
        "LOCATION_SHARE_CREATE", "amityvox.channel.location_share_create", _CHANNEL,
        p.LocationShare, "experimental", ("locations",),
        "A user starts sharing a location; to the channel's viewers.",
        ("amityvox.channel.location_share", _MISSING, _LOW),
    ),
    _event(
        "LOCATION_SHARE_UPDATE", "amityvox.channel.location_share_update", _CHANNEL,
        p.LocationShare, "experimental", ("locations",),
        "A live location moves; to the channel's viewers.",
        ("amityvox.channel.location_share", _MISSING, _LOW),
    ),
    _event(
        "LOCATION_SHARE_STOP", "amityvox.channel.location_share_stop", _CHANNEL,
        p.LocationShareStop, "experimental", ("locations",),
        "A location share ends; to the channel's viewers (also sent as LOCATION_SHARE_END, the "
        "original web client's name).",
        ("amityvox.channel.location_share", _MISSING, _LOW),
        aliases=("LOCATION_SHARE_END",),
    ),
    _event(
        "MESSAGE_EFFECT_CREATE", "amityvox.message.effect", _CHANNEL, p.MessageEffect,
        "experimental", ("effects",),
        "A user plays an effect on a message; to the channel's viewers.",
        ("amityvox.message.effect", _MISSING, _LOW),
    ),
    _event(
        "SUPER_REACTION_ADD", "amityvox.message.super_reaction_add", _CHANNEL, p.SuperReaction,
        "experimental", ("effects",),
        "A user adds a super reaction; to the channel's viewers.",
        ("amityvox.message.reaction_add", _MISSING, _LOW),
    ),
    _event(
        "WHITEBOARD_UPDATE", "amityvox.channel.whiteboard_update", _CHANNEL,
        p.WhiteboardUpdate, "experimental", ("whiteboards",),
        "A whiteboard is edited; its new state and version to the channel's viewers.",
        ("amityvox.channel.whiteboard_update", _MISSING, _LOW),
    ),
    _event(
        "CODE_SNIPPET_CREATE", "amityvox.channel.code_snippet_create", _CHANNEL, p.CodeSnippet,
        "experimental", ("snippets",),
        "A code snippet is posted; to the channel's viewers.",
        ("amityvox.channel.code_snippet", _MISSING, _LOW),
    ),
    _event(
        "KANBAN_CARD_CREATE", "amityvox.channel.kanban_card_create", _CHANNEL, p.KanbanCard,
        "experimental", ("kanban",),
        "A kanban card is added; to the board channel's viewers.",
        ("amityvox.channel.kanban_update", _MISSING, _LOW),
    ),
    _event(
        "KANBAN_CARD_MOVE", "amityvox.channel.kanban_card_move", _CHANNEL, p.KanbanCardMove,
        "experimental", ("kanban",),
        "A kanban card moves column or position; to the board channel's viewers.",
        ("amityvox.channel.kanban_update", _MISSING, _LOW),
    ),
    _event(
        "CHANNEL_WIDGET_CREATE", "amityvox.channel.widget_create", _CHANNEL, p.ChannelWidget,
        "experimental", ("widgets",),
        "A widget is added to a channel; to the channel's viewers.",
        ("amityvox.channel.update", _MISSING, _LOW),
    ),
    _event(
        "CHANNEL_WIDGET_UPDATE", "amityvox.channel.widget_update", _CHANNEL, p.ChannelWidget,
        "experimental", ("widgets",),
        "A channel widget is edited; the full widget to the channel's viewers.",
        ("amityvox.channel.update", _MISSING, _LOW),
    ),
    _event(
        "CHANNEL_WIDGET_DELETE", "amityvox.channel.widget_delete", _CHANNEL,
        p.ChannelWidgetDelete, "experimental", ("widgets",),
        "A channel widget is removed; to the channel's viewers.",
        ("amityvox.channel.update", _MISSING, _LOW),
    ),
    _event(
        "COMPONENT_INTERACTION", "amityvox.bot.component_interaction",
        Audience(Scope.USER, "bot_id"), p.ComponentInteraction, "bots", ("bots",),
        "A user clicks a bot message's component; to the sessions of the bot that owns it.",
        ("component_interaction", _DEAD, _GAP_DEAD),
    ),
    _event(
        "BOT_PRESENCE_UPDATE", "amityvox.bot.presence_update", Audience(Scope.SOCIAL, "bot_id"),
        p.BotPresenceUpdate, "bots", ("presence",),
        "A bot's owner sets its presence; to the bot's friends and guild co-members.",
        ("bot_presence_update", _DEAD, _GAP_DEAD),
    ),
    _event(
        "ACTIVITY_SESSION_START", "amityvox.channel.activity_session_start", _CHANNEL,
        p.ActivitySession, "activities", ("activities",),
        "An activity session starts in a channel; to the channel's viewers.",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "ACTIVITY_PARTICIPANT_JOIN", "amityvox.channel.activity_participant_join", _CHANNEL,
        p.ActivityParticipant, "activities", ("activities",),
        "A user joins an activity session; to the channel's viewers "
        "(payload adds channel_id to route it).",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "ACTIVITY_PARTICIPANT_LEAVE", "amityvox.channel.activity_participant_leave", _CHANNEL,
        p.ActivityParticipant, "activities", ("activities",),
        "A user leaves an activity session; to the channel's viewers "
        "(payload adds channel_id to route it).",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "ACTIVITY_SESSION_END", "amityvox.channel.activity_session_end", _CHANNEL,
        p.ActivitySession, "activities", ("activities",),
        "An activity session ends; its final form to the channel's viewers.",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "ACTIVITY_STATE_UPDATE", "amityvox.channel.activity_state_update", _CHANNEL,
        p.ActivityStateUpdate, "activities", ("activities",),
        "An activity session's shared state changes; to the channel's viewers "
        "(payload adds channel_id to route it).",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "GAME_SESSION_CREATE", "amityvox.channel.game_session_create", _CHANNEL, p.GameSession,
        "games", ("games",),
        "A game is created in a channel; to the channel's viewers.",
        ("amityvox.channel.game", _MISSING, _LOW),
    ),
    _event(
        "GAME_PLAYER_JOIN", "amityvox.channel.game_player_join", _CHANNEL, p.GamePlayerJoin,
        "games", ("games",),
        "A user joins a game; to the channel's viewers (payload adds channel_id to route it).",
        ("amityvox.channel.game", _MISSING, _LOW),
    ),
    _event(
        "GAME_MOVE", "amityvox.channel.game_move", _CHANNEL, p.GameMove, "games", ("games",),
        "A player moves; the new state to the channel's viewers "
        "(payload adds channel_id to route it).",
        ("amityvox.channel.game", _MISSING, _LOW),
    ),
    _event(
        "WATCH_TOGETHER_START", "amityvox.channel.watch_together_start", _CHANNEL,
        p.WatchTogetherSession, "activities", ("activities",),
        "A watch-together session starts; to the channel's viewers.",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "WATCH_TOGETHER_SYNC", "amityvox.channel.watch_together_sync", _CHANNEL,
        p.WatchTogetherSync, "activities", ("activities",),
        "The host seeks, plays or pauses; to the channel's viewers "
        "(payload adds channel_id to route it).",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "MUSIC_PARTY_START", "amityvox.channel.music_party_start", _CHANNEL,
        p.MusicPartySession, "activities", ("activities",),
        "A music party starts; to the channel's viewers.",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "MUSIC_PARTY_QUEUE_ADD", "amityvox.channel.music_party_queue_add", _CHANNEL,
        p.MusicPartyQueueAdd, "activities", ("activities",),
        "A track is queued in a music party; to the channel's viewers "
        "(payload adds channel_id to route it).",
        ("amityvox.channel.activity", _MISSING, _LOW),
    ),
    _event(
        "SOUNDBOARD_SOUND_CREATE", "amityvox.guild.soundboard_sound_create", _GUILD,
        p.SoundboardSoundCreate, "voice", ("soundboard",),
        "A soundboard sound is uploaded; to the guild's members.",
        ("amityvox.guild.update", _MISSING, _HIGH_VOICE),
    ),
    _event(
        "SOUNDBOARD_SOUND_DELETE", "amityvox.guild.soundboard_sound_delete", _GUILD,
        p.SoundboardSoundDelete, "voice", ("soundboard",),
        "A soundboard sound is deleted; to the guild's members.",
        ("amityvox.guild.update", _MISSING, _HIGH_VOICE),
    ),
    _event(
        "SOUNDBOARD_PLAY", "amityvox.voice.soundboard_play", _CHANNEL, p.SoundboardPlay,
        "voice", ("soundboard",),
        "A user plays a sound in a voice channel; to that channel's viewers.",
        ("amityvox.voice.state_update", _MISSING, _HIGH_VOICE),
    ),
    _event(
        "VOICE_BROADCAST_START", "amityvox.voice.broadcast_start", _CHANNEL, p.VoiceBroadcast,
        "voice", ("voice",),
        "A user starts broadcasting in a voice channel; to that channel's viewers.",
        ("amityvox.voice.state_update", _MISSING, _HIGH_VOICE),
    ),
    _event(
        "VOICE_BROADCAST_END", "amityvox.voice.broadcast_end", _CHANNEL, p.VoiceBroadcast,
        "voice", ("voice",),
        "A voice broadcast ends; to the voice channel's viewers.",
        ("amityvox.voice.state_update", _MISSING, _HIGH_VOICE),
    ),
    _event(
        "SCREEN_SHARE_START", "amityvox.voice.screen_share_start", _CHANNEL, p.ScreenShare,
        "voice", ("voice",),
        "A user starts sharing their screen in voice; to the voice channel's viewers.",
        ("amityvox.voice.state_update", _MISSING, _HIGH_VOICE),
    ),
    _event(
        "SCREEN_SHARE_END", "amityvox.voice.screen_share_end", _CHANNEL, p.ScreenShare, "voice",
        ("voice",),
        "A screen share ends; to the voice channel's viewers.",
        ("amityvox.voice.state_update", _MISSING, _HIGH_VOICE),
    ),
    _event(
        "SCREEN_SHARE_UPDATE", "amityvox.voice.screen_share_update", _CHANNEL, p.ScreenShare,
        "voice", ("voice",),
        "A screen share's resolution, framerate or audio changes; to the voice channel's viewers.",
        ("amityvox.voice.state_update", _MISSING, _HIGH_VOICE),
    ),
    # --- added beyond the audit ---------------------------------------------------------
    _event(
        "RESUMED", "amityvox.gateway.resumed", _SESSION, p.Resumed, "gateway", ("connection",),
        "After a RESUME (op 5) has replayed the missed events; to that session only.",
    ),
    _event(
        "GUILD_MEMBERS_CHUNK", "amityvox.gateway.guild_members_chunk", _SESSION,
        p.GuildMembersChunk, "members", ("members", "users"),
        "Answer to REQUEST_MEMBERS (op 7); to the requesting session only.",
    ),
    _event(
        "MESSAGE_REACTION_CLEAR", "amityvox.message.reaction_clear", _CHANNEL,
        p.MessageReactionClear, "messages", ("messages",),
        "A moderator clears a message's reactions (one emoji or all); to the channel's viewers.",
    ),
    _event(
        "NOTIFICATION_CREATE", "amityvox.notification.create", _USER, p.Notification,
        "notifications", ("notifications",),
        "A mention, reply, DM, reaction or friend request notifies a user; to that user.",
    ),
    _event(
        "NOTIFICATION_UPDATE", "amityvox.notification.update", _USER, p.Notification,
        "notifications", ("notifications",),
        "A notification is marked read or unread; to its owner.",
    ),
    _event(
        "NOTIFICATION_DELETE", "amityvox.notification.delete", _USER, p.NotificationDelete,
        "notifications", ("notifications",),
        "A notification is deleted; to its owner (payload adds user_id to route it).",
    ),
    _event(
        "NOTIFICATION_MARK_ALL_READ", "amityvox.notification.mark_all_read", _USER,
        p.NotificationMarkAllRead, "notifications", ("notifications",),
        "A user marks all notifications read; to that user (payload adds user_id to route it).",
    ),
    _event(
        "NOTIFICATION_CLEAR_ALL", "amityvox.notification.clear_all", _USER,
        p.NotificationClearAll, "notifications", ("notifications",),
        "A user clears all notifications; to that user (payload adds user_id to route it).",
    ),
    _event(
        "CHANNEL_GROUP_CREATE", "amityvox.guild.channel_group_create", _GUILD, p.ChannelGroup,
        "channel_groups", ("channel_groups",),
        "A channel group is created; to the guild's members.",
    ),
    _event(
        "CHANNEL_GROUP_UPDATE", "amityvox.guild.channel_group_update", _GUILD, p.ChannelGroup,
        "channel_groups", ("channel_groups",),
        "A channel group is renamed or moved; the full group to the guild's members.",
    ),
    _event(
        "CHANNEL_GROUP_DELETE", "amityvox.guild.channel_group_delete", _GUILD,
        p.ChannelGroupDelete, "channel_groups", ("channel_groups",),
        "A channel group is deleted; to the guild's members.",
    ),
    _event(
        "CHANNEL_GROUP_ITEMS_UPDATE", "amityvox.guild.channel_group_items_update", _GUILD,
        p.ChannelGroupItemsUpdate, "channel_groups", ("channel_groups",),
        "A channel group's channel list is replaced; to the guild's members.",
    ),
    _event(
        "SESSIONS_REVOKE", "amityvox.gateway.sessions_revoke", Audience(Scope.INTERNAL),
        p.SessionsRevoke, "gateway", (),
        "Tokens were revoked (logout, password change, account deletion, bot token reset): every "
        "gateway closes the sessions using them with 4004; never sent to clients.",
        gateways=True,
    ),
    _event(
        "USER_SETTINGS_UPDATE", "amityvox.user.settings_update", _USER, p.UserSettings, "users",
        ("self",),
        "A user changes their own settings (PATCH /users/@me/settings); the whole document, to "
        "all of that user's sessions.",
    ),
    _event(
        "SAVED_MESSAGE_ADD", "amityvox.user.saved_message_add", _USER, p.SavedMessage, "users",
        ("saved_messages",),
        "A user saves a message, or changes the note of a saved one; to all of that user's sessions.",
    ),
    _event(
        "SAVED_MESSAGE_REMOVE", "amityvox.user.saved_message_remove", _USER, p.SavedMessageRemove, "users",
        ("saved_messages",),
        "A user unsaves a message; to all of that user's sessions.",
    ),
    _event(
        "VOICE_SIGNAL", "amityvox.voice.signal", Audience(Scope.USER, "to_user_id"), p.VoiceSignal,
        "voice", ("voice_connection",),
        "WebRTC signalling (offer, answer, ICE candidate) from one participant of a voice channel or "
        "call to another, while both are in it (POST /voice/{c}/signal); to the target user only.",
    ),
    _event(
        "WEBHOOKS_UPDATE", "amityvox.channel.webhooks_update", _CHANNEL, p.WebhooksUpdate,
        "channels", ("webhooks",),
        "A channel's webhooks are created, changed or deleted; to the channel's viewers (ids only: "
        "those who manage its webhooks fetch the list again).",
    ),
    _event(
        "GUILD_AUDIT_LOG_ENTRY_CREATE", "amityvox.guild.audit_log_entry_create",
        Audience(Scope.PERMISSION, "guild_id", permission="ViewAuditLog"), p.AuditLogEntry, "moderation",
        ("audit_log",),
        "A moderation or configuration change is written to the audit log; to the guild's members "
        "who hold ViewAuditLog, after the change's own events.",
    ),
    _event(
        "GUILD_REPORT_CREATE", "amityvox.guild.report_create", _MODERATORS, p.Report, "moderation",
        ("reports",),
        "A member reports a message or a member; to the guild's moderators (not the reporter).",
    ),
    _event(
        "GUILD_REPORT_UPDATE", "amityvox.guild.report_update", _MODERATORS, p.Report, "moderation",
        ("reports",),
        "A moderator resolves, dismisses or reopens a report; to the guild's moderators (not the reporter).",
    ),
    _event(
        "GUILD_MEMBER_WARNING_CREATE", "amityvox.guild.member_warning_create", _MODS_AND_USER, p.MemberWarning,
        "moderation", ("warnings",),
        "A moderator warns a member; to the guild's moderators and the member warned.",
    ),
    _event(
        "INTERACTION_CREATE", "amityvox.bot.interaction_create",
        Audience(Scope.USER, "application_id"), p.InteractionCreate, "bots", ("bots",),
        "A member uses a bot's slash command, or types an autocompleted option; to the sessions of "
        "that bot only (the payload holds the token it answers with).",
    ),
    _event(
        "INTERACTION_MODAL_CREATE", "amityvox.bot.interaction_modal_create",
        _USER, p.InteractionModal, "bots", ("bots",),
        "A bot answers a slash command with a modal (callback 9); the form, to the sessions of the "
        "member who used the command, who submits it once.",
    ),
    _event(
        "INTERACTION_TIMEOUT", "amityvox.bot.interaction_timeout",
        _USER, p.InteractionTimeout, "bots", ("bots",),
        "A bot did not answer a use of its command or a modal submission within the server's "
        "deadline (interaction_response_ms); to the member, whose client says the application did not "
        "respond. A later answer is refused.",
    ),
    _event(
        "APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE", "amityvox.bot.autocomplete_response",
        Audience(Scope.USER, "user_id"), p.AutocompleteResponse, "bots", ("bots",),
        "A bot answers an autocomplete interaction; the choices, to the sessions of the member typing.",
    ),
    _event(
        "EPHEMERAL_MESSAGE_CREATE", "amityvox.bot.ephemeral_message_create",
        Audience(Scope.USER, "interaction.user_id"), p.EphemeralMessage, "bots", ("messages",),
        "A bot answers a slash command so that only its user sees it (flag 64); the Message, never "
        "stored in history, to that user's sessions. A later one with the same id replaces it.",
    ),
    _event(
        "APPLICATION_COMMAND_CREATE", "amityvox.bot.command_create", _GUILD, p.ApplicationCommandChange,
        "bots", ("commands",),
        "A bot registers a slash command; to the members of the guild it is usable in (a global "
        "command: one event per guild the bot is in), so open composers offer it at once.",
    ),
    _event(
        "APPLICATION_COMMAND_UPDATE", "amityvox.bot.command_update", _GUILD, p.ApplicationCommandChange,
        "bots", ("commands",),
        "A bot changes a slash command's declaration; to the members of each guild it is usable in.",
    ),
    _event(
        "APPLICATION_COMMAND_DELETE", "amityvox.bot.command_delete", _GUILD, p.ApplicationCommandChange,
        "bots", ("commands",),
        "A bot deletes a slash command (or leaves it out of a bulk overwrite); to the members of "
        "each guild it was usable in.",
    ),
)  # fmt: skip


def _field_annotation(model: type[BaseModel], path: str) -> Any:
    """The annotation at a dotted path through nested (possibly optional) models.

    Lists are not walked: a routing key must name one value, not one per element.
    Raises KeyError when the path names no field.
    """
    annotation: Any = model
    for part in path.split("."):
        options = get_args(annotation) if get_origin(annotation) in _UNIONS else (annotation,)
        nested = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
        if not nested or part not in nested[0].model_fields:
            raise KeyError(part)
        annotation = nested[0].model_fields[part].annotation
    return annotation


def _check(events: tuple[EventType, ...]) -> None:
    """Refuse to start with a catalog that could mis-route or lose an event."""
    names: set[str] = set()
    subjects: set[str] = set()
    for event in events:
        where = f"catalog entry {event.name}"
        if event.name in names:
            raise ValueError(f"{where}: duplicate name")
        if clash := {event.name, *event.aliases} & names:
            raise ValueError(f"{where}: name or alias {sorted(clash)[0]} already used")
        if event.subject in subjects:
            raise ValueError(f"{where}: subject {event.subject} already used")
        if not event.subject.startswith(SUBJECT_PREFIX):
            raise ValueError(f"{where}: subject {event.subject} is not under {SUBJECT_PREFIX}")
        if event.category not in CATEGORIES:
            raise ValueError(f"{where}: unknown category {event.category!r}")
        if unknown := set(event.stores) - set(STORES):
            raise ValueError(f"{where}: unknown stores {sorted(unknown)}")
        audience = event.audience
        if audience.scope in _KEYED_SCOPES and audience.key is None:
            raise ValueError(f"{where}: scope {audience.scope} needs a key")
        if (audience.scope is Scope.PERMISSION) != (audience.permission is not None):
            raise ValueError(f"{where}: a permission is named by, and only by, the {Scope.PERMISSION} scope")
        if audience.permission is not None and audience.permission not in Perm.__members__:
            raise ValueError(f"{where}: {audience.permission!r} is not a permission bit")
        paths = [audience.key, *audience.plus, audience.minus]
        for path in (path for path in paths if path is not None):
            try:
                _field_annotation(event.payload, path)
            except KeyError:
                raise ValueError(
                    f"{where}: audience path {path!r} is not a field of {event.payload.__name__}"
                ) from None
        names.update(event.wire_names)
        subjects.add(event.subject)


_check(_EVENTS)

CATALOG: dict[str, EventType] = {event.name: event for event in _EVENTS}
# Alias name → the event it is sent for. `get` knows only the events' own names.
ALIASES: dict[str, str] = {alias: event.name for event in _EVENTS for alias in event.aliases}
_BY_SUBJECT: dict[str, EventType] = {event.subject: event for event in _EVENTS}


def get(name: str) -> EventType:
    """The catalog entry for an event name, e.g. ``get("MESSAGE_CREATE")``."""
    try:
        return CATALOG[name]
    except KeyError:
        raise KeyError(f"unknown event type {name!r}: not in the event catalog") from None


def by_subject(subject: str) -> EventType:
    """The catalog entry published on a bus subject, e.g. ``amityvox.message.create``."""
    try:
        return _BY_SUBJECT[subject]
    except KeyError:
        raise KeyError(f"no event type is published on subject {subject!r}") from None


def client_visible() -> list[EventType]:
    """Every event sent to clients over the wire: all but internal and client-local ones."""
    return [event for event in _EVENTS if event.client_visible]


def complete(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The payload as published: with the fields the event derives for the original clients."""
    derive = get(name).derive
    return data if derive is None else derive(data)


def validate(name: str, data: dict[str, Any]) -> None:
    """Check a payload against its event's schema; raises pydantic.ValidationError if it differs.

    Validation is strict (no "3" for 3): the wire is JSON, so a value needing coercion
    is a publisher bug rather than something to paper over.
    """
    get(name).payload.model_validate(data, strict=True)
