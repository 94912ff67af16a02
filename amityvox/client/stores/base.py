"""The cache's data and the handler registry every store module plugs into.

Each store module is a mixin of `StoreBase` holding handlers named `on_<event>`; the
registry collects them by name when a class is created, so a handler whose name is not a
catalog event fails at import, and a catalog event without a handler shows up in
`State.handlers` by its absence (tests/client compare the two).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from amityvox.events import CATALOG, Scope

JSON = dict[str, Any]
Handler = Callable[[Any, JSON], None]
HANDLER_PREFIX = "on_"
TYPING_SECONDS = 10.0  # a typing indicator lasts this long unless renewed
FEED_SIZE = 200  # entries kept in append-only feeds (automod, audit log, warnings, effects, interactions)
# Channel types without messages: no read state, no message cache.
NO_MESSAGES = frozenset({"voice", "stage", "category"})


def handled_event_names() -> list[str]:
    """Every catalog event the client handles: those sent over the wire and the client-local ones."""
    return [e.name for e in CATALOG.values() if e.audience.scope is not Scope.INTERNAL]


@dataclass
class ConnectionStatus:
    """What the gateway connection is doing, as the GATEWAY_* and session events report it."""

    connected: bool = False
    session_id: str | None = None
    auth_failed: bool = False
    exhausted: bool = False
    attempts: int = 0  # reconnect attempts when they ran out
    last_disconnect: JSON | None = None  # the last GATEWAY_DISCONNECTED payload
    resumes: int = 0  # successful RESUMEs
    replayed: int = 0  # dispatches replayed by the last RESUME


@dataclass
class StoreBase:
    """Every store of the cache. Objects are the wire dicts; embedded users are kept once, in `users`,
    and put back when read, so a USER_UPDATE reaches every member, author and recipient at once."""

    handlers: ClassVar[dict[str, Handler]] = {}

    clock: Callable[[], float] = time.monotonic
    max_messages: int = 1000  # per channel; older ones fall out of the cache
    self_user: JSON | None = None
    user_settings: JSON | None = None  # the self user's settings (READY, USER_SETTINGS_UPDATE)
    saved_messages: dict[str, JSON] = field(default_factory=dict)  # message → the self user's save of it
    users: dict[str, JSON] = field(default_factory=dict)
    guilds: dict[str, JSON] = field(default_factory=dict)
    channels: dict[str, JSON] = field(default_factory=dict)  # guild channels, threads, DMs and groups
    members: dict[str, dict[str, JSON]] = field(default_factory=dict)  # guild → user → member (no `user`)
    roles: dict[str, dict[str, JSON]] = field(default_factory=dict)
    emoji: dict[str, dict[str, JSON]] = field(default_factory=dict)
    bans: dict[str, dict[str, JSON]] = field(default_factory=dict)  # moderators only
    # channel → id → message (no `author`, but for a webhook's)
    messages: dict[str, dict[str, JSON]] = field(default_factory=dict)
    last_pin_at: dict[str, str] = field(default_factory=dict)
    # channel → WEBHOOKS_UPDATEs seen since READY: a view of the channel's webhooks refetches when it moves
    webhook_changes: dict[str, int] = field(default_factory=dict)
    typing: dict[str, dict[str, float]] = field(default_factory=dict)  # channel → user → clock() seen
    read_state: dict[str, JSON] = field(default_factory=dict)
    presences: dict[str, JSON] = field(default_factory=dict)  # users not offline: {status, activity?}
    relationships: dict[str, JSON] = field(default_factory=dict)  # target → relationship (no `user`)
    voice_states: dict[str, dict[str, JSON]] = field(default_factory=dict)  # channel → user → state
    screen_shares: dict[str, dict[str, JSON]] = field(default_factory=dict)  # channel → session → share
    broadcasts: dict[str, dict[str, JSON]] = field(default_factory=dict)  # channel → broadcast → it
    voice_connection: JSON | None = None  # the last VOICE_SERVER_UPDATE while in voice
    calls: dict[str, JSON] = field(default_factory=dict)  # channel → CALL_RING not yet answered
    notifications: dict[str, JSON] = field(default_factory=dict)
    announcements: dict[str, JSON] = field(default_factory=dict)
    polls: dict[str, JSON] = field(default_factory=dict)
    poll_votes: dict[str, list[str]] = field(default_factory=dict)  # poll → the self user's options
    guild_events: dict[str, dict[str, JSON]] = field(default_factory=dict)
    onboarding: dict[str, JSON] = field(default_factory=dict)
    automod: deque[JSON] = field(default_factory=lambda: deque(maxlen=FEED_SIZE))
    audit_log: deque[JSON] = field(default_factory=lambda: deque(maxlen=FEED_SIZE))  # ViewAuditLog holders
    reports: dict[str, dict[str, JSON]] = field(default_factory=dict)  # guild → report → it (moderators only)
    warnings: deque[JSON] = field(default_factory=lambda: deque(maxlen=FEED_SIZE))  # given (moderators) or received
    raid: dict[str, JSON] = field(default_factory=dict)
    soundboard: dict[str, dict[str, JSON]] = field(default_factory=dict)  # guild → sound → sound
    soundboard_plays: dict[str, JSON] = field(default_factory=dict)  # channel → last SOUNDBOARD_PLAY
    channel_groups: dict[str, dict[str, JSON]] = field(default_factory=dict)
    locations: dict[str, dict[str, JSON]] = field(default_factory=dict)  # channel → share → share
    effects: dict[str, deque[JSON]] = field(default_factory=dict)  # message → effects played
    super_reactions: dict[str, deque[JSON]] = field(default_factory=dict)  # message → super reactions
    whiteboards: dict[str, JSON] = field(default_factory=dict)
    snippets: dict[str, JSON] = field(default_factory=dict)
    kanban_cards: dict[str, JSON] = field(default_factory=dict)
    widgets: dict[str, dict[str, JSON]] = field(default_factory=dict)  # channel → widget → widget
    activities: dict[str, JSON] = field(default_factory=dict)  # running activity sessions
    games: dict[str, JSON] = field(default_factory=dict)
    game_players: dict[str, dict[str, int]] = field(default_factory=dict)  # game → user → index
    game_turns: dict[str, str | None] = field(default_factory=dict)  # game → whose move
    watch_together: dict[str, JSON] = field(default_factory=dict)
    music_parties: dict[str, JSON] = field(default_factory=dict)
    bot_presences: dict[str, JSON] = field(default_factory=dict)
    interactions: deque[JSON] = field(default_factory=lambda: deque(maxlen=FEED_SIZE))  # to this bot
    autocomplete: JSON | None = None  # the newest choices a bot offered for an option being typed
    modal: JSON | None = None  # the newest form a bot answered this user's command with
    # interaction → the uses of a command by this user that their bot did not answer in time
    timed_out: dict[str, JSON] = field(default_factory=dict)
    # channel → message → a bot's answer only this user sees; never in history, so kept apart
    ephemeral_messages: dict[str, dict[str, JSON]] = field(default_factory=dict)
    # guild → command → the slash commands usable there, as fetched and as the events bring them
    application_commands: dict[str, dict[str, JSON]] = field(default_factory=dict)
    connection: ConnectionStatus = field(default_factory=ConnectionStatus)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, Handler] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                if not attr.startswith(HANDLER_PREFIX) or not callable(value):
                    continue
                name = attr[len(HANDLER_PREFIX) :].upper()
                if name not in CATALOG:
                    raise TypeError(f"{klass.__name__}.{attr} handles {name}, which is not a catalog event")
                found[name] = value
        cls.handlers = found

    # ---- shared bookkeeping ------------------------------------------------------------------

    @property
    def user_id(self) -> str | None:
        """The self user's id once READY arrived."""
        return None if self.self_user is None else str(self.self_user["id"])

    def _remember_user(self, user: JSON) -> None:
        """Keep the newest profile of a user; the self user keeps its e-mail."""
        public = {k: v for k, v in user.items() if k != "email"}
        self.users[public["id"]] = public
        if self.self_user is not None and public["id"] == self.self_user["id"]:
            email = self.self_user.get("email")
            self.self_user = dict(public) if email is None else {**public, "email": email}

    def _store_member(self, member: JSON) -> None:
        self._remember_user(member["user"])
        self.members.setdefault(member["guild_id"], {})[member["user_id"]] = {
            k: v for k, v in member.items() if k != "user"
        }

    def _store_channel(self, channel: JSON) -> None:
        for recipient in channel.get("recipients") or ():
            self._remember_user(recipient)
        self.channels[channel["id"]] = channel

    def _store_message(self, message: JSON) -> None:
        box = self.messages.setdefault(message["channel_id"], {})
        if message.get("webhook_id"):  # its author is the name it was sent with, no user: kept with it
            box[message["id"]] = dict(message)
        else:
            self._remember_user(message["author"])
            box[message["id"]] = {k: v for k, v in message.items() if k != "author"}
        if len(box) > self.max_messages:
            for old in sorted(box)[: len(box) - self.max_messages]:
                del box[old]

    def _load_full_guild(self, guild: JSON) -> None:
        guild_id = guild["id"]
        if guild_id in self.guilds:
            self._forget_guild(guild_id)
        parts = ("channels", "roles", "emoji", "member")
        self.guilds[guild_id] = {k: v for k, v in guild.items() if k not in parts}
        for channel in guild["channels"]:
            self._store_channel(channel)
        self.roles[guild_id] = {r["id"]: r for r in guild["roles"]}
        self.emoji[guild_id] = {e["id"]: e for e in guild["emoji"]}
        self.members[guild_id] = {}
        self._store_member(guild["member"])

    def _user_view(self, user_id: str, fallback: JSON | None = None) -> JSON:
        return self.users.get(user_id) or fallback or {"id": user_id}

    def _forget_channel(self, channel_id: str) -> None:
        """A channel and everything kept about it: messages, read state, typing, voice, extras."""
        self.channels.pop(channel_id, None)
        for message_id in self.messages.pop(channel_id, {}):
            self.effects.pop(message_id, None)
            self.super_reactions.pop(message_id, None)
        by_channel: tuple[dict[str, Any], ...] = (
            self.read_state, self.typing, self.last_pin_at, self.webhook_changes, self.voice_states, self.screen_shares,
            self.broadcasts, self.calls, self.soundboard_plays, self.locations, self.widgets,
        )  # fmt: skip
        for store in by_channel:
            store.pop(channel_id, None)
        # Saves stay on the server, but a channel out of sight takes them out of the list.
        for message_id in [m for m, v in self.saved_messages.items() if v["channel_id"] == channel_id]:
            del self.saved_messages[message_id]
        by_object: tuple[dict[str, JSON], ...] = (
            self.polls, self.whiteboards, self.snippets, self.kanban_cards, self.activities,
            self.games, self.watch_together, self.music_parties,
        )  # fmt: skip
        for keyed in by_object:
            for key in [k for k, v in keyed.items() if v.get("channel_id") == channel_id]:
                del keyed[key]
                self.poll_votes.pop(key, None)
                self.game_players.pop(key, None)
                self.game_turns.pop(key, None)
        for thread_id in [c for c, v in self.channels.items() if v.get("parent_channel_id") == channel_id]:
            self._forget_channel(thread_id)

    def _forget_guild(self, guild_id: str) -> None:
        """A guild and everything in it, as after GUILD_DELETE or the self user's removal."""
        self.guilds.pop(guild_id, None)
        for channel_id in [c for c, v in self.channels.items() if v.get("guild_id") == guild_id]:
            self._forget_channel(channel_id)
        by_guild: tuple[dict[str, Any], ...] = (
            self.members, self.roles, self.emoji, self.bans, self.guild_events, self.onboarding,
            self.raid, self.soundboard, self.channel_groups, self.reports, self.application_commands,
        )  # fmt: skip
        for store in by_guild:
            store.pop(guild_id, None)
        for message_id in [m for m, v in self.saved_messages.items() if v.get("guild_id") == guild_id]:
            del self.saved_messages[message_id]
        for feed in (self.automod, self.audit_log, self.warnings):
            kept = [a for a in feed if a["guild_id"] != guild_id]
            feed.clear()
            feed.extend(kept)
