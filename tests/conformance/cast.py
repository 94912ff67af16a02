"""The fixed cast every conformance scenario plays with, each connected over a real WebSocket.

- actor#1, actor#2: the acting user (owner of the guild) with two sessions
- member: in the guild, can view #secret (role "insider")
- hidden: in the guild, cannot view #secret
- moderator: in the guild, role "mods" (Kick/Ban/ManageMessages) and "insider"
- outsider: in no guild with the actor
- friend: the actor's friend, outside the guild
- dm_peer: has a DM with the actor, outside the guild, not a friend
- banned: banned from the guild
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amityvox.client import Client, RestClient
from amityvox.permissions import Perm

PASSWORD = "conformance pass"
PEOPLE = ("actor", "member", "hidden", "moderator", "outsider", "friend", "dm_peer", "banned")
SESSIONS = ("actor#1", "actor#2", "member", "hidden", "moderator", "outsider", "friend", "dm_peer", "banned")


@dataclass
class Cast:
    url: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # person → public user
    rest: dict[str, RestClient] = field(default_factory=dict)  # person → REST as that person
    clients: dict[str, Client] = field(default_factory=dict)  # session key → connected client
    seen: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)  # since mark()
    history: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)  # everything
    guild_id: str = ""
    general: str = ""
    secret: str = ""
    dm: str = ""
    insider_role: str = ""
    mods_role: str = ""
    server: Any = None  # tests.conftest.Server, for scenarios that must reach behind the API
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # set whenever any session receives

    def id(self, person: str) -> str:
        return str(self.users[person]["id"])

    # ---- audiences, in session keys ------------------------------------------------------------

    @property
    def actor(self) -> set[str]:
        return {"actor#1", "actor#2"}

    @property
    def guild(self) -> set[str]:
        return self.actor | {"member", "hidden", "moderator"}

    @property
    def secret_viewers(self) -> set[str]:
        return self.actor | {"member", "moderator"}

    @property
    def moderators(self) -> set[str]:
        return self.actor | {"moderator"}

    @property
    def actor_social(self) -> set[str]:
        """Co-members, friends and DM peers: everyone who holds the actor's profile."""
        return self.guild | {"friend", "dm_peer"}

    # ---- observation ---------------------------------------------------------------------------

    def mark(self) -> None:
        """Forget everything received so far (call before the action under test)."""
        for log in self.seen.values():
            log.clear()

    def seen_all(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        return self.history.get(key, [])

    async def connect(self, key: str, person: str) -> Client:
        client = Client(self.url, self.rest[person].token, strict=True, validate=True)
        log = self.seen.setdefault(key, [])
        everything = self.history.setdefault(key, [])

        @client.on("*")
        def _record(name: str, d: dict[str, Any]) -> None:
            log.append((name, d))
            everything.append((name, d))
            self.arrived.set()

        await client.start(timeout=10)
        self.clients[key] = client
        return client

    async def until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait for events until `done()` holds (True) or `timeout` seconds pass (False)."""
        try:
            async with asyncio.timeout(timeout):
                while not done():
                    self.arrived.clear()
                    await self.arrived.wait()
        except TimeoutError:
            return False
        return True

    async def settle(self) -> None:
        """Return once every event the actions so far caused has reached every session and been handled.

        A heartbeat round trip from each session makes the gateway read every frame the clients
        sent before (typing, voice); the bus then drains, including what its subscribers publish
        in turn; a second round trip proves each session holds everything routed to it."""
        clients = list(self.clients.values())
        await asyncio.gather(*(c.gateway.ping() for c in clients))
        await self.server.settle()
        await asyncio.gather(*(c.gateway.ping() for c in clients))
        await asyncio.gather(*(c.synced() for c in clients))

    async def close(self) -> None:
        await asyncio.gather(*(client.close() for client in self.clients.values()))
        await asyncio.gather(*(rest.aclose() for rest in self.rest.values()))


async def populate(cast: Cast) -> None:
    """Register the people and build the guild, its roles, channels, ban, friendship and DM."""
    url = cast.url

    async def register(person: str) -> None:
        rest = RestClient(url)
        cast.users[person] = (await rest.register(f"{person.replace('_', '')}", PASSWORD))["user"]
        cast.rest[person] = rest

    await asyncio.gather(*(register(p) for p in PEOPLE))
    actor = cast.rest["actor"]
    guild = await actor.create_guild("Conformance")
    cast.guild_id, cast.general = guild["id"], guild["channels"][0]["id"]
    code = (await actor.create_invite(cast.guild_id, max_uses=0))["code"]
    await asyncio.gather(*(cast.rest[p].accept_invite(code) for p in ("member", "hidden", "moderator", "banned")))
    view = int(Perm.ViewChannel)
    mod_bits = int(Perm.KickMembers | Perm.BanMembers | Perm.ManageMessages)
    cast.insider_role = (await actor.create_role(cast.guild_id, name="insider"))["id"]
    cast.mods_role = (await actor.create_role(cast.guild_id, name="mods", permissions_allow=mod_bits))["id"]
    for person in ("member", "moderator"):
        await actor.add_member_role(cast.guild_id, cast.id(person), cast.insider_role)
    await actor.add_member_role(cast.guild_id, cast.id("moderator"), cast.mods_role)
    cast.secret = (await actor.create_channel(cast.guild_id, "secret"))["id"]
    await actor.put_overwrite(cast.secret, cast.guild_id, "role", deny=view)
    await actor.put_overwrite(cast.secret, cast.insider_role, "role", allow=view)
    await actor.ban(cast.guild_id, cast.id("banned"), reason="conformance")
    await actor.friend(cast.id("friend"))
    await cast.rest["friend"].friend(cast.id("actor"))
    cast.dm = (await actor.open_dm(cast.id("dm_peer")))["id"]


_IDS = ("guild_id", "general", "secret", "dm", "insider_role", "mods_role")


def blueprint(cast: Cast) -> dict[str, Any]:
    """What a populated cast's database holds, to play it again on a copy of that database."""
    return {
        "users": cast.users,
        "tokens": {person: rest.token for person, rest in cast.rest.items()},
        **{name: getattr(cast, name) for name in _IDS},
    }


def restore(server: Any, plan: dict[str, Any]) -> Cast:
    """The cast of `blueprint` on `server`, whose database is a copy of the populated one."""
    cast = Cast(url=server.url, server=server, users=dict(plan["users"]))
    cast.rest = {person: RestClient(server.url, token) for person, token in plan["tokens"].items()}
    for name in _IDS:
        setattr(cast, name, plan[name])
    return cast


async def join(cast: Cast) -> Cast:
    """Connect every session and return once all are in step, with nothing seen yet."""
    await asyncio.gather(*(cast.connect(key, key.split("#")[0]) for key in SESSIONS))
    await cast.settle()
    cast.mark()
    return cast
