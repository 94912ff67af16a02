"""Wire payloads for cache tests: each validates against the event catalog."""

from __future__ import annotations

import itertools
from typing import Any

from amityvox.client import State

JSON = dict[str, Any]
NOW = "2026-01-01T00:00:00.000000Z"
_ids = itertools.count(1)


def new_id() -> str:
    """Increasing 26-character ids, ordered like ULIDs."""
    return f"01J{next(_ids):023d}"


def user(user_id: str | None = None, username: str = "someone", **extra: Any) -> JSON:
    return {
        "id": user_id or new_id(),
        "username": username,
        "status_presence": "online",
        "flags": 0,
        "created_at": NOW,
        **extra,
    }


def guild(guild_id: str, owner_id: str, member_count: int = 1, **extra: Any) -> JSON:
    return {
        "id": guild_id,
        "owner_id": owner_id,
        "name": "guild",
        "default_permissions": "0",
        "flags": 0,
        "nsfw": False,
        "discoverable": False,
        "member_count": member_count,
        "created_at": NOW,
        **extra,
    }


def channel(channel_id: str, guild_id: str | None, channel_type: str = "text", **extra: Any) -> JSON:
    out = {
        "id": channel_id,
        "channel_type": channel_type,
        "name": "general",
        "position": 0,
        "slowmode_seconds": 0,
        "nsfw": False,
        "permission_overwrites": [],
        "locked": False,
        "archived": False,
        "created_at": NOW,
        **extra,
    }
    if guild_id is not None:
        out["guild_id"] = guild_id
    return out


def member(guild_id: str, who: JSON, roles: list[str] | None = None) -> JSON:
    return {
        "guild_id": guild_id,
        "user_id": who["id"],
        "user": who,
        "roles": roles or [],
        "joined_at": NOW,
        "deaf": False,
        "mute": False,
    }


def role(role_id: str, guild_id: str, name: str = "role") -> JSON:
    return {
        "id": role_id,
        "guild_id": guild_id,
        "name": name,
        "hoist": False,
        "mentionable": True,
        "position": 1,
        "permissions_allow": "0",
        "permissions_deny": "0",
        "created_at": NOW,
    }


def message(channel_id: str, author: JSON, guild_id: str | None = None, **extra: Any) -> JSON:
    out = {
        "id": new_id(),
        "channel_id": channel_id,
        "author_id": author["id"],
        "author": author,
        "content": "hi",
        "message_type": "default",
        "flags": 0,
        "mention_user_ids": [],
        "mention_role_ids": [],
        "mention_here": False,
        "attachments": [],
        "embeds": [],
        "reactions": [],
        "pinned": False,
        "created_at": NOW,
        **extra,
    }
    if guild_id is not None:
        out["guild_id"] = guild_id
    return out


def full_guild(g: JSON, channels: list[JSON], roles: list[JSON], own: JSON) -> JSON:
    return {**g, "channels": channels, "roles": roles, "emoji": [], "member": own}


def ready(me: JSON, guilds: list[JSON] | None = None, dms: list[JSON] | None = None, **extra: Any) -> JSON:
    return {
        "user": me,
        "session_id": "s1",
        "guild_ids": [g["id"] for g in guilds or []],
        "guilds": guilds or [],
        "dms": dms or [],
        "relationships": [],
        "read_state": [],
        "presences": {},
        "voice_states": [],
        **extra,
    }


Tally = dict[str, dict[str, int]]  # message id → emoji → count, in first-use order


def reaction_event(tally: Tally, m: JSON, who: JSON, emoji: str, count: int) -> JSON:
    """MESSAGE_REACTION_ADD / _REMOVE for message `m` whose `emoji` now counts `count`; `tally`
    keeps every message's counts so the event carries the whole list, as the server's does."""
    counts = tally.setdefault(m["id"], {})
    counts[emoji] = count
    out = {
        "message_id": m["id"],
        "channel_id": m["channel_id"],
        "user_id": who["id"],
        "emoji": emoji,
        "count": count,
        "reactions": [{"emoji": e, "count": n} for e, n in counts.items() if n],
    }
    if m.get("guild_id") is not None:
        out["guild_id"] = m["guild_id"]
    return out


class World:
    """A self user in one guild with one text channel and one role, and another member."""

    def __init__(self) -> None:
        self.me = user(username="me", email="me@example.org")
        self.public_me = {k: v for k, v in self.me.items() if k != "email"}
        self.other = user(username="other")
        self.guild_id = new_id()
        self.channel_id = new_id()
        self.role_id = new_id()
        self.state = State(strict=True, validate=True)
        self.tally: Tally = {}
        g = guild(self.guild_id, self.other["id"], member_count=2)
        own = member(self.guild_id, self.public_me, [self.role_id])
        full = full_guild(
            g, [channel(self.channel_id, self.guild_id)], [role(self.role_id, self.guild_id, "crew")], own
        )
        self.state.apply("READY", ready(self.me, [full]))
        self.state.apply("GUILD_MEMBER_UPDATE", member(self.guild_id, self.other))

    def post(self, author: JSON | None = None, **extra: Any) -> JSON:
        m = message(self.channel_id, author or self.other, self.guild_id, **extra)
        self.state.apply("MESSAGE_CREATE", m)
        return m

    def reaction(self, m: JSON, who: JSON, emoji: str, count: int) -> JSON:
        return reaction_event(self.tally, {**m, "guild_id": self.guild_id}, who, emoji, count)
