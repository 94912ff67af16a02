"""`State`: the client's cache, kept current only from READY and the events that follow it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from amityvox.client.normal_form import MESSAGE_LIMIT, keyed, normalise, read_states
from amityvox.client.stores.activities import ActivityStore
from amityvox.client.stores.base import JSON, handled_event_names
from amityvox.client.stores.features import FeatureStore
from amityvox.client.stores.guilds import GuildStore
from amityvox.client.stores.messages import MessageStore
from amityvox.client.stores.saved import SavedStore
from amityvox.client.stores.session import SessionStore
from amityvox.client.stores.social import SocialStore
from amityvox.client.stores.voice import VoiceStore
from amityvox.events import ALIASES
from amityvox.events import validate as validate_payload

log = logging.getLogger("amityvox.client")

__all__ = ["State", "UnknownEvent", "handled_event_names"]


class UnknownEvent(LookupError):
    """`State.apply` got an event it has no handler for (raised in strict mode)."""


@dataclass(eq=False)
class State(SessionStore, GuildStore, MessageStore, SocialStore, VoiceStore, FeatureStore, ActivityStore, SavedStore):
    """The cache: one handler per event (`on_<event name>`), collected into `State.handlers`.

    `strict` raises on an event without a handler instead of logging it; `validate` checks
    every payload against the catalog first (both are what tests and the conformance suite
    want; a long-running bot may prefer to keep going).
    """

    strict: bool = False
    validate: bool = False

    def apply(self, name: str, d: JSON) -> None:
        """Apply one event (a dispatch or a client-local GATEWAY_* event) to the cache.

        A frame sent under an alias for the original clients repeats the frame before it: skipped."""
        if name in ALIASES:
            return
        handler = self.handlers.get(name)
        if handler is None:
            if self.strict:
                raise UnknownEvent(f"no handler for event {name!r}")
            log.warning("ignoring event %s: no handler for it", name)
            return
        if self.validate:
            validate_payload(name, d)
        handler(self, d)

    # ---- reading the cache (embedded users filled in from `users`) -----------------------------

    def guild(self, guild_id: str) -> JSON | None:
        return self.guilds.get(guild_id)

    def channel(self, channel_id: str) -> JSON | None:
        """A channel; DM and group recipients carry their newest profiles."""
        channel = self.channels.get(channel_id)
        if channel is None or channel.get("recipients") is None:
            return channel
        return {**channel, "recipients": [self._user_view(u["id"], u) for u in channel["recipients"]]}

    def guild_channels(self, guild_id: str) -> list[JSON]:
        """The guild's channels the user can view, by position then id."""
        found = [c for c in self.channels.values() if c.get("guild_id") == guild_id]
        return sorted(found, key=lambda c: (c["position"], c["id"]))

    def dms(self) -> list[JSON]:
        """DM and group channels."""
        return [c for c in (self.channel(cid) for cid in sorted(self.channels)) if c and c.get("guild_id") is None]

    def member(self, guild_id: str, user_id: str) -> JSON | None:
        member = self.members.get(guild_id, {}).get(user_id)
        return None if member is None else {**member, "user": self._user_view(user_id)}

    def guild_members(self, guild_id: str) -> list[JSON]:
        return [m for m in (self.member(guild_id, u) for u in sorted(self.members.get(guild_id, {}))) if m]

    def message(self, channel_id: str, message_id: str) -> JSON | None:
        message = self.messages.get(channel_id, {}).get(message_id)
        if message is None or message.get("webhook_id"):
            return message
        return {**message, "author": self._user_view(message["author_id"])}

    def messages_in(self, channel_id: str, limit: int | None = None) -> list[JSON]:
        """Cached messages of a channel, oldest first; with `limit`, the newest `limit` of them."""
        ids = sorted(self.messages.get(channel_id, {}))
        if limit is not None:
            ids = ids[-limit:] if limit > 0 else []
        return [m for m in (self.message(channel_id, i) for i in ids) if m]

    def relationship(self, target_id: str) -> JSON | None:
        rel = self.relationships.get(target_id)
        return None if rel is None else {**rel, "user": self._user_view(target_id)}

    def snapshot(self, channel_ids: Iterable[str] = ()) -> dict[str, Any]:
        """The cache in the normalised shape `fetch_state` builds from REST (see convergence)."""
        snap: dict[str, Any] = {}
        if self.self_user is not None:
            snap["self"] = normalise("user", self.self_user)
        snap["guilds"] = {
            gid: {
                "guild": normalise("guild", guild),
                "channels": keyed(
                    "channel", (c for c in (self.channel(c["id"]) for c in self.guild_channels(gid)) if c)
                ),
                "roles": keyed("role", self.roles.get(gid, {}).values()),
                "emoji": keyed("emoji", self.emoji.get(gid, {}).values()),
                "members": keyed("member", self.guild_members(gid), "user_id"),
            }
            for gid, guild in self.guilds.items()
        }
        if self.user_settings is not None:
            snap["settings"] = self.user_settings
        snap["saved_messages"] = dict(self.saved_messages)
        snap["dms"] = keyed("channel", self.dms())
        snap["relationships"] = keyed(
            "relationship", (r for r in (self.relationship(t) for t in self.relationships) if r), "target_id"
        )
        snap["read_state"] = read_states(self.read_state.values())
        snap["messages"] = {
            cid: keyed("message", self.messages_in(cid, MESSAGE_LIMIT)) for cid in channel_ids if cid in self.channels
        }
        snap["skipped"] = []
        return snap
