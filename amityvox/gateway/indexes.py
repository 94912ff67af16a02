"""The gateway's in-memory picture of who may see what, kept current by the events themselves.

Loaded once from the database at start (`World.load`), then every routed event passes
through `World.apply`, so routing never queries the database. Per-guild permission
results are cached and dropped whenever anything in that guild that affects them changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from amityvox import permissions as P
from amityvox.ids import now_iso

_VIEW = int(P.Perm.ViewChannel)
PRIVATE_TYPES = ("dm", "group")


@dataclass(slots=True)
class MemberState:
    roles: tuple[str, ...] = ()
    timeout_until: str | None = None


@dataclass(slots=True)
class ChannelState:
    id: str
    guild_id: str | None
    parent_id: str | None
    overwrites: tuple[P.Overwrite, ...]
    recipients: frozenset[str]
    payload: dict[str, Any]


@dataclass(slots=True)
class GuildState:
    id: str
    owner_id: str
    base: int
    roles: dict[str, P.RoleBits] = field(default_factory=dict)
    members: dict[str, MemberState] = field(default_factory=dict)
    channels: set[str] = field(default_factory=set)
    online: set[str] = field(default_factory=set)  # members with at least one live or resumable session
    cache: dict[tuple[str, str], int] = field(default_factory=dict)  # (channel or "", user) → perms


@dataclass(frozen=True, slots=True)
class WorldData:
    """Everything routing needs, as loaded from the database."""

    guilds: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    members: list[tuple[str, str, tuple[str, ...], str | None]]  # guild, user, role ids, timeout_until
    friendships: list[tuple[str, str]]
    # user, voice channel: who is in voice when the gateway starts (a leave routes by it)
    voice: list[tuple[str, str]] = field(default_factory=list)


# A visibility change the router must announce: (event name, payload, user ids).
Transition = tuple[str, dict[str, Any], set[str]]


class World:
    def __init__(self, is_online: Callable[[str], bool] = lambda _: False) -> None:
        self.guilds: dict[str, GuildState] = {}
        self.channels: dict[str, ChannelState] = {}
        self.user_guilds: dict[str, set[str]] = {}
        self.user_private: dict[str, set[str]] = {}  # user → DM and group channels they are in
        self.friends: dict[str, set[str]] = {}
        self.voice: dict[str, str] = {}  # user → voice channel
        self.is_online = is_online

    # ---- loading ---------------------------------------------------------------------------

    def load(self, data: WorldData) -> None:
        for g in data.guilds:
            self._upsert_guild(g)
        for r in data.roles:
            self._upsert_role(r)
        for c in data.channels:
            self._upsert_channel(c)
        for guild_id, user_id, role_ids, timeout_until in data.members:
            self._add_member(guild_id, user_id, role_ids, timeout_until)
        for a, b in data.friendships:
            self.friends.setdefault(a, set()).add(b)
        self.voice.update(data.voice)

    # ---- sessions coming and going ---------------------------------------------------------

    def user_online(self, user_id: str) -> None:
        for gid in self.user_guilds.get(user_id, ()):
            self.guilds[gid].online.add(user_id)

    def user_offline(self, user_id: str) -> None:
        for gid in self.user_guilds.get(user_id, ()):
            self.guilds[gid].online.discard(user_id)

    # ---- queries (the hot path) ------------------------------------------------------------

    def guild_perms(self, guild: GuildState, user_id: str) -> int:
        key = ("", user_id)
        found = guild.cache.get(key)
        if found is None:
            member = guild.members.get(user_id)
            if member is None:
                return 0
            found = guild.cache[key] = P.guild_permissions(
                user_id=user_id,
                owner_id=guild.owner_id,
                base=guild.base,
                member_roles=[guild.roles[r] for r in member.roles if r in guild.roles],
            )
        return found

    def channel_perms(self, channel: ChannelState, user_id: str) -> int:
        if channel.guild_id is None:
            return _VIEW if user_id in channel.recipients else 0
        guild = self.guilds.get(channel.guild_id)
        if guild is None:
            return 0
        key = (channel.id, user_id)
        found = guild.cache.get(key)
        if found is None:
            member = guild.members.get(user_id)
            if member is None:
                return 0
            source = self.channels.get(channel.parent_id) if channel.parent_id else channel
            overwrites = source.overwrites if source is not None else ()
            found = guild.cache[key] = P.channel_permissions(
                user_id=user_id,
                guild_id=guild.id,
                owner_id=guild.owner_id,
                base=guild.base,
                member_roles=[guild.roles[r] for r in member.roles if r in guild.roles],
                overwrites=overwrites,
                timed_out=member.timeout_until is not None and member.timeout_until > now_iso(),
            )
        return found

    def can_view(self, user_id: str, channel_id: str) -> bool:
        channel = self.channels.get(channel_id)
        return channel is not None and bool(self.channel_perms(channel, user_id) & _VIEW)

    def viewers(self, channel_id: str) -> set[str]:
        """Users (with sessions) who may see a channel's events."""
        channel = self.channels.get(channel_id)
        if channel is None:
            return set()
        if channel.guild_id is None:
            return set(channel.recipients)
        guild = self.guilds.get(channel.guild_id)
        if guild is None:
            return set()
        return {u for u in guild.online if self.channel_perms(channel, u) & _VIEW}

    def guild_audience(self, guild_id: str) -> set[str]:
        guild = self.guilds.get(guild_id)
        return set(guild.online) if guild else set()

    def moderators(self, guild_id: str) -> set[str]:
        guild = self.guilds.get(guild_id)
        if guild is None:
            return set()
        return {u for u in guild.online if P.is_moderator(self.guild_perms(guild, u))}

    def holders(self, guild_id: str, bit: int) -> set[str]:
        """Members (with sessions) whose guild-level permissions include `bit`; the owner and
        Administrators hold every bit."""
        guild = self.guilds.get(guild_id)
        if guild is None:
            return set()
        return {u for u in guild.online if P.has(self.guild_perms(guild, u), bit)}

    def social(self, user_id: str) -> set[str]:
        """The user, their friends, everyone sharing a guild with them, and their DM and group peers.

        DM peers are included (docs/protocol.md#audiences) because they hold the user's profile in
        the channel's `recipients`: without USER_UPDATE their copy would go stale.
        """
        out = {user_id}
        out.update(self.friends.get(user_id, ()))
        for gid in self.user_guilds.get(user_id, ()):
            out.update(self.guilds[gid].online)
        for cid in self.user_private.get(user_id, ()):
            out.update(self.channels[cid].recipients)
        return out

    def visible_channels(self, guild: GuildState, user_id: str) -> set[str]:
        return {c for c in guild.channels if self.channel_perms(self.channels[c], user_id) & _VIEW}

    def is_member(self, guild_id: str, user_id: str) -> bool:
        guild = self.guilds.get(guild_id)
        return guild is not None and user_id in guild.members

    # ---- applying events -------------------------------------------------------------------

    def apply(self, name: str, d: dict[str, Any]) -> list[Transition]:
        """Fold one event into the indexes; return the visibility changes it caused."""
        handler = _APPLY.get(name)
        if handler is None:
            return []
        return handler(self, d) or []

    # Bitfields travel as decimal strings (JavaScript loses bits above 2^53); int() takes either.
    def _upsert_guild(self, g: dict[str, Any]) -> GuildState:
        guild = self.guilds.get(g["id"])
        if guild is None:
            guild = self.guilds[g["id"]] = GuildState(g["id"], g["owner_id"], int(g["default_permissions"]))
        else:
            guild.owner_id = g["owner_id"]
            guild.base = int(g["default_permissions"])
            guild.cache.clear()
        return guild

    def _upsert_role(self, r: dict[str, Any]) -> None:
        guild = self.guilds.get(r["guild_id"])
        if guild is None:
            return
        allow, deny = int(r["permissions_allow"]), int(r["permissions_deny"])
        guild.roles[r["id"]] = P.RoleBits(r["id"], allow, deny, r["position"])
        guild.cache.clear()

    def _upsert_channel(self, c: dict[str, Any]) -> ChannelState:
        recipients = frozenset(u["id"] for u in c.get("recipients") or ())
        state = ChannelState(
            id=c["id"],
            guild_id=c.get("guild_id"),
            parent_id=c.get("parent_channel_id"),
            overwrites=tuple(
                P.Overwrite(o["id"], o["type"], int(o["allow"]), int(o["deny"]))
                for o in c.get("permission_overwrites", ())
            ),
            recipients=recipients,
            payload=c,
        )
        old = self.channels.get(c["id"])
        self.channels[c["id"]] = state
        if old is not None:
            self._forget_private(old)
        for u in recipients:
            self.user_private.setdefault(u, set()).add(state.id)
        if state.guild_id is not None:
            guild = self.guilds.get(state.guild_id)
            if guild is not None:
                guild.channels.add(state.id)
                # Drop cached results for this channel and its threads.
                affected = {state.id} | {t for t in guild.channels if self.channels[t].parent_id == state.id}
                for key in [k for k in guild.cache if k[0] in affected]:
                    del guild.cache[key]
        return state

    def _add_member(self, guild_id: str, user_id: str, role_ids: Iterable[str], timeout_until: str | None) -> None:
        guild = self.guilds.get(guild_id)
        if guild is None:
            return
        guild.members[user_id] = MemberState(tuple(role_ids), timeout_until)
        self.user_guilds.setdefault(user_id, set()).add(guild_id)
        if self.is_online(user_id):
            guild.online.add(user_id)
        _drop_user_cache(guild, user_id)

    def _remove_member(self, guild_id: str, user_id: str) -> None:
        guild = self.guilds.get(guild_id)
        if guild is not None:
            guild.members.pop(user_id, None)
            guild.online.discard(user_id)
            _drop_user_cache(guild, user_id)
        gids = self.user_guilds.get(user_id)
        if gids is not None:
            gids.discard(guild_id)
            if not gids:
                del self.user_guilds[user_id]

    def _transitions(self, guild: GuildState, users: Iterable[str], change: Callable[[], object]) -> list[Transition]:
        """Run `change` and report channels that appeared or vanished for each online user."""
        users = [u for u in users if u in guild.online]
        before = {u: self.visible_channels(guild, u) for u in users}
        change()
        gained: dict[str, set[str]] = {}
        lost: dict[str, set[str]] = {}
        for u in users:
            after = self.visible_channels(guild, u) if u in guild.members else set()
            for c in after - before[u]:
                gained.setdefault(c, set()).add(u)
            for c in before[u] - after:
                lost.setdefault(c, set()).add(u)
        out: list[Transition] = []
        for c, who in gained.items():
            out.append(("CHANNEL_CREATE", self.channels[c].payload, who))
        for c, who in lost.items():
            out.append(("CHANNEL_DELETE", {"id": c, "guild_id": guild.id}, who))
        return out

    # handlers, one per event that changes who may see what

    def _on_guild_create(self, d: dict[str, Any]) -> None:
        known = d["id"] in self.guilds
        self._upsert_guild(d)
        if not known:
            for r in d.get("roles", ()):
                self._upsert_role(r)
            for c in d.get("channels", ()):
                self._upsert_channel(c)
        m = d["member"]
        self._add_member(d["id"], m["user_id"], m.get("roles", ()), m.get("timeout_until"))

    def _on_guild_update(self, d: dict[str, Any]) -> list[Transition]:
        guild = self.guilds.get(d["id"])
        if guild is None:
            return []
        return self._transitions(guild, list(guild.online), lambda: self._upsert_guild(d))

    def _on_guild_delete(self, d: dict[str, Any]) -> None:
        guild = self.guilds.pop(d["id"], None)
        if guild is None:
            return
        for c in guild.channels:
            self.channels.pop(c, None)
        for u in guild.members:
            gids = self.user_guilds.get(u)
            if gids is not None:
                gids.discard(guild.id)

    def _on_member_add(self, d: dict[str, Any]) -> None:
        self._add_member(d["guild_id"], d["user_id"], d.get("roles", ()), d.get("timeout_until"))

    def _on_member_update(self, d: dict[str, Any]) -> list[Transition]:
        guild = self.guilds.get(d["guild_id"])
        if guild is None:
            return []
        return self._transitions(
            guild,
            [d["user_id"]],
            lambda: self._add_member(d["guild_id"], d["user_id"], d.get("roles", ()), d.get("timeout_until")),
        )

    def _on_member_remove(self, d: dict[str, Any]) -> None:
        self._remove_member(d["guild_id"], d["user_id"])

    def _on_members_prune(self, d: dict[str, Any]) -> None:
        for u in d.get("user_ids", ()):
            self._remove_member(d["guild_id"], u)

    def _on_role_upsert(self, d: dict[str, Any]) -> list[Transition]:
        guild = self.guilds.get(d["guild_id"])
        if guild is None:
            return []
        holders = [u for u, m in guild.members.items() if d["id"] in m.roles]
        return self._transitions(guild, holders, lambda: self._upsert_role(d))

    def _on_role_delete(self, d: dict[str, Any]) -> list[Transition]:
        guild = self.guilds.get(d["guild_id"])
        if guild is None:
            return []
        role_id = d["role_id"]
        holders = [u for u, m in guild.members.items() if role_id in m.roles]

        def change() -> None:
            guild.roles.pop(role_id, None)
            for u in holders:
                m = guild.members[u]
                m.roles = tuple(r for r in m.roles if r != role_id)
            guild.cache.clear()

        return self._transitions(guild, holders, change)

    def _on_channel_upsert(self, d: dict[str, Any]) -> list[Transition]:
        old = self.channels.get(d["id"])
        if d.get("guild_id") is None:
            before = old.recipients if old else frozenset()
            state = self._upsert_channel(d)
            out: list[Transition] = []
            if old is not None and before - state.recipients:
                out.append(("CHANNEL_DELETE", {"id": d["id"]}, set(before - state.recipients)))
            if old is not None and state.recipients - before:
                out.append(("CHANNEL_CREATE", d, set(state.recipients - before)))
            return out
        guild = self.guilds.get(d["guild_id"])
        if guild is None or old is None:
            self._upsert_channel(d)
            return []
        return self._transitions(guild, list(guild.online), lambda: self._upsert_channel(d))

    def _forget_private(self, state: ChannelState) -> None:
        for u in state.recipients:
            chans = self.user_private.get(u)
            if chans is not None:
                chans.discard(state.id)
                if not chans:
                    del self.user_private[u]

    def _on_channel_delete(self, d: dict[str, Any]) -> None:
        state = self.channels.pop(d["id"], None)
        if state is not None:
            self._forget_private(state)
        if state is not None and state.guild_id is not None:
            guild = self.guilds.get(state.guild_id)
            if guild is not None:
                guild.channels.discard(state.id)
                for key in [k for k in guild.cache if k[0] == state.id]:
                    del guild.cache[key]

    def _on_relationship(self, d: dict[str, Any]) -> None:
        user, target = d["user_id"], d["target_id"]
        if d.get("type") == "friend":
            self.friends.setdefault(user, set()).add(target)
        else:
            self.friends.get(user, set()).discard(target)

    def _on_relationship_remove(self, d: dict[str, Any]) -> None:
        self.friends.get(d["user_id"], set()).discard(d["target_id"])

    def _on_voice_state(self, d: dict[str, Any]) -> None:
        if d.get("channel_id"):
            self.voice[d["user_id"]] = d["channel_id"]
        else:
            self.voice.pop(d["user_id"], None)


def _drop_user_cache(guild: GuildState, user_id: str) -> None:
    for key in [k for k in guild.cache if k[1] == user_id]:
        del guild.cache[key]


_APPLY: dict[str, Callable[[World, dict[str, Any]], list[Transition] | None]] = {
    "GUILD_CREATE": World._on_guild_create,
    "GUILD_UPDATE": World._on_guild_update,
    "GUILD_DELETE": World._on_guild_delete,
    "GUILD_MEMBER_ADD": World._on_member_add,
    "GUILD_MEMBER_UPDATE": World._on_member_update,
    "GUILD_MEMBER_REMOVE": World._on_member_remove,
    "GUILD_MEMBERS_PRUNE": World._on_members_prune,
    "GUILD_ROLE_CREATE": World._on_role_upsert,
    "GUILD_ROLE_UPDATE": World._on_role_upsert,
    "GUILD_ROLE_DELETE": World._on_role_delete,
    "CHANNEL_CREATE": World._on_channel_upsert,
    "CHANNEL_UPDATE": World._on_channel_upsert,
    "THREAD_CREATE": World._on_channel_upsert,
    "CHANNEL_DELETE": World._on_channel_delete,
    "RELATIONSHIP_ADD": World._on_relationship,
    "RELATIONSHIP_UPDATE": World._on_relationship,
    "RELATIONSHIP_REMOVE": World._on_relationship_remove,
    "VOICE_STATE_UPDATE": World._on_voice_state,
}

# Events that change the indexes (and so may change who sees what, with transitions).
STRUCTURAL_EVENTS = frozenset(_APPLY)
