"""The original AmityVox web client's main flows as a table, run against this server.

Each row is one request as that client sends it (`web/src/lib/api/client.ts` of
WAN-Ninjas/AmityVox: always `Content-Type: application/json` and a Bearer token, a body
only when it passes one), the fields its code reads from the `data` it gets back, and the
gateway events that must follow with the fields its stores read from them
(`web/src/lib/stores/gateway.ts` and the stores it calls). The gateway side speaks as
`web/src/lib/api/ws.ts` does: IDENTIFY `{token}`, RESUME `{token, session_id, seq}`.

Read paths: `a.b` names a field in an object; a leading `[].` applies the rest to every item
of a list (and needs at least one); a trailing `?` lets the field be absent or null (the
client falls back); a trailing `:str` / `:int` / `:list` / `:bool` also checks its JSON type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson
import pytest

from tests.conftest import Server
from tests.gateway.wsclient import Raw

API = "/api/v1"
TYPES = {"str": str, "int": int, "list": list, "bool": bool, "dict": dict}

USER = "id:str username:str display_name? avatar_id? status_presence:str flags:int created_at:str"
GUILD = "id:str name:str owner_id:str icon_id? description? member_count:int default_permissions:str"
CHANNEL = "id:str channel_type:str name? position:int guild_id? category_id? parent_channel_id? topic?"
MESSAGE = (
    "id:str channel_id:str author_id:str author.username:str content:str created_at:str "
    "attachments:list embeds:list reactions:list edited_at? reply_to_ids? pinned:bool "
    "mention_user_ids:list mention_role_ids:list mention_here:bool message_type:str"
)


def _each(prefix: str, fields: str) -> str:
    return " ".join(f"{prefix}{f}" for f in fields.split())


@dataclass(frozen=True)
class Event:
    """A dispatch `who` must receive after the step, and the fields the client reads from it."""

    who: str
    name: str
    reads: str = ""


@dataclass(frozen=True)
class Step:
    flow: str
    who: str  # "alice" or "bob": whose token (and gateway) the request uses
    method: str
    path: str  # `{name}` is filled from what earlier steps saved
    body: Any = None  # None: sent without a body, as the client does
    reads: str = ""
    status: int = 200
    save: dict[str, str] = field(default_factory=dict)  # name → path in the answer's `data`
    events: tuple[Event, ...] = ()


FLOWS: tuple[Step, ...] = (
    # register and log in (stores/auth.ts)
    Step("register", "alice", "POST", "/auth/register",
         {"username": "alice", "email": "alice@example.org", "password": "correct horse"},
         "token:str " + _each("user.", USER), 201, {"alice_id": "user.id"}),
    Step("register", "bob", "POST", "/auth/register",
         {"username": "bob", "email": "bob@example.org", "password": "battery staple"},
         "token:str user.id:str", 201, {"bob_id": "user.id"}),
    Step("login", "alice", "POST", "/auth/login", {"username": "alice", "password": "correct horse"},
         "token:str " + _each("user.", USER)),
    Step("login", "alice", "GET", "/users/@me", None, USER),
    # what it loads after READY (stores/gateway.ts READY, then guilds, dms, unreads, muting, ...)
    Step("startup", "alice", "GET", "/users/@me/guilds", None, ""),
    Step("startup", "alice", "GET", "/users/@me/dms", None, ""),
    Step("startup", "alice", "GET", "/users/@me/read-state", None, ""),
    Step("startup", "alice", "GET", "/users/@me/relationships", None, ""),
    Step("startup", "alice", "GET", "/users/@me/blocked", None, ""),
    Step("startup", "alice", "GET", "/users/@me/hidden-threads", None, ""),
    Step("startup", "alice", "GET", "/users/@me/settings", None, "notification_sounds:bool notification_volume:int"),
    Step("startup", "alice", "GET", "/notifications/preferences/channels", None, ""),
    Step("startup", "alice", "GET", "/notifications?limit=50", None, ""),
    Step("startup", "alice", "GET", "/users/@me/links", None, ""),
    # create a server: the guild, its permissions, its channels
    Step("load guilds", "alice", "POST", "/guilds", {"name": "Home"}, GUILD, 201, {"guild": "id"},
         (Event("alice", "GUILD_CREATE", "id:str name:str"),)),
    Step("load guilds", "alice", "GET", "/users/@me/guilds", None, _each("[].", GUILD)),
    Step("load guilds", "alice", "GET", "/guilds/{guild}", None, GUILD),
    Step("load guilds", "alice", "GET", "/guilds/{guild}/members/@me/permissions", None, "permissions:str"),
    Step("load guilds", "alice", "GET", "/guilds/{guild}/onboarding/status", None, "completed:bool"),
    Step("channels", "alice", "GET", "/guilds/{guild}/channels", None, _each("[].", CHANNEL),
         save={"general": "0.id"}),
    Step("create channel", "alice", "POST", "/guilds/{guild}/channels", {"name": "plans", "channel_type": "text"},
         CHANNEL, 201, {"plans": "id"},
         (Event("alice", "CHANNEL_CREATE", "id:str guild_id:str channel_type:str name:str"),)),
    # invite a friend: preview, join
    Step("invite", "alice", "POST", "/guilds/{guild}/invites", None, "code:str guild_id:str uses:int", 201,
         {"code": "code"}),
    Step("invite preview", "bob", "GET", "/invites/{code}", None,
         "code:str guild_id:str guild_name:str member_count:int creator_id:str"),
    Step("invite preview", "bob", "POST", "/invites/{code}", None, "id:str name:str",
         events=(Event("bob", "GUILD_CREATE", "id:str name:str"),
                 Event("alice", "GUILD_MEMBER_ADD", "guild_id:str user_id:str"))),
    Step("members", "alice", "GET", "/guilds/{guild}/members", None,
         "[].guild_id:str [].user_id:str [].user.username:str [].roles:list [].nickname? [].joined_at:str"),
    Step("members", "alice", "GET", "/guilds/{guild}/roles", None, ""),  # none yet: the base is the guild's
    # chat live
    Step("send", "alice", "POST", "/channels/{plans}/messages", {"content": "hi bob", "nonce": "n-1"}, MESSAGE, 201,
         {"message": "id"}, (Event("bob", "MESSAGE_CREATE", MESSAGE),)),
    Step("messages", "bob", "GET", "/channels/{plans}/messages?limit=50", None, _each("[].", MESSAGE)),
    Step("messages", "bob", "POST", "/channels/{plans}/ack", None, ""),
    Step("react", "bob", "PUT", "/channels/{plans}/messages/{message}/reactions/" + quote("👍"), None, "", 204,
         events=(Event("alice", "MESSAGE_REACTION_ADD",
                       "channel_id:str message_id:str reactions:list [reactions].emoji:str [reactions].count:int"),)),
    Step("react", "bob", "DELETE", "/channels/{plans}/messages/{message}/reactions/" + quote("👍"), None, "", 204,
         events=(Event("alice", "MESSAGE_REACTION_REMOVE", "channel_id:str message_id:str reactions:list"),)),
    # direct messages
    Step("DM", "bob", "POST", "/users/{alice_id}/dm", None, "id:str channel_type:str recipients:list", 201,
         {"dm": "id"}, (Event("alice", "CHANNEL_CREATE", "id:str channel_type:str recipients:list"),)),
    Step("DM", "bob", "POST", "/channels/{dm}/messages", {"content": "psst"}, MESSAGE, 201,
         events=(Event("alice", "MESSAGE_CREATE", MESSAGE),)),
    Step("DM", "alice", "GET", "/users/@me/dms", None, "[].id:str [].channel_type:str [].recipients:list"),
    # presence: the status picker PATCHes, the idle detector sends op 3 (see test_presence_and_typing)
    Step("presence", "bob", "PATCH", "/users/@me", {"status_presence": "dnd"}, "status_presence:str",
         events=(Event("alice", "USER_UPDATE", "id:str username:str status_presence:str"),)),
)  # fmt: skip


def _get(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def check_reads(data: Any, reads: str, where: str) -> None:
    """Every field the client reads is there (and of its type), as the module docstring says."""
    for spec in reads.split():
        optional = spec.endswith("?")
        spec = spec.rstrip("?")
        path, _, kind = spec.partition(":")
        if path.startswith("[]."):
            assert isinstance(data, list) and data, f"{where}: expected a non-empty list for {spec}"
            for item in data:
                check_reads(item, spec[3:] + ("?" if optional else ""), where)
            continue
        if path.startswith("["):  # [list].field: every item of a list field
            name, rest = path[1:].split("].", 1)
            items = _get(data, name)
            assert isinstance(items, list) and items, f"{where}: expected a non-empty list at {name}"
            for item in items:
                check_reads(item, rest + (f":{kind}" if kind else ""), where)
            continue
        value = _get(data, path)
        if value is None:
            assert optional, f"{where}: the client reads {path}, which is missing"
            continue
        if kind:
            assert isinstance(value, TYPES[kind]) and not (kind == "int" and isinstance(value, bool)), (
                f"{where}: {path} should be {kind}, got {value!r}"
            )


class OriginalClient:
    """Two users, each with the REST calls and the gateway connection of the original web client."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.tokens: dict[str, str] = {}
        self.gateways: dict[str, Raw] = {}
        self.saved: dict[str, str] = {}

    async def request(self, who: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if who in self.tokens:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        content = orjson.dumps(body) if body is not None else None
        r = await self.server.http.request(method, API + path, headers=headers, content=content)
        if r.status_code == 204:
            return 204, None
        envelope = r.json()
        return r.status_code, envelope.get("data", envelope)

    async def connect(self, who: str) -> dict[str, Any]:
        """HELLO, then IDENTIFY with the token alone, as ws.ts does; READY's fields it reads."""
        ws = await Raw.connect(self.server.url)
        assert ws.hello is not None and 15_000 <= ws.hello["heartbeat_interval"] <= 120_000  # it clamps otherwise
        ready = await ws.identify(self.tokens[who])
        check_reads(ready, "user.id:str user.status_presence:str session_id:str guild_ids:list presences? "
                           "voice_states?", f"READY for {who}")  # fmt: skip
        self.gateways[who] = ws
        return ready

    async def run(self, step: Step) -> None:
        path = step.path.format(**self.saved)
        where = f"{step.flow}: {step.method} {path}"
        status, data = await self.request(step.who, step.method, path, step.body)
        assert status == step.status, f"{where}: {status} {data!r}"
        check_reads(data, step.reads, where)
        if isinstance(data, dict) and isinstance(data.get("token"), str):
            self.tokens[step.who] = data["token"]
        for name, at in step.save.items():
            self.saved[name] = _get(data, at)
        if step.flow == "login" and step.method == "GET":
            await self.connect("alice")
        if "bob_id" in self.saved and "bob" not in self.gateways:
            await self.connect("bob")
        for event in step.events:
            frame = await self.gateways[event.who].wait_for(event.name)
            check_reads(frame["d"], event.reads, f"{where} → {event.name} to {event.who}")

    async def close(self) -> None:
        for ws in self.gateways.values():
            await ws.close()


@pytest.fixture
async def client(server: Server) -> Any:
    c = OriginalClient(server)
    for step in FLOWS:
        await c.run(step)
    yield c
    await c.close()


async def test_every_flow_answers_what_the_client_reads(client: OriginalClient) -> None:
    """The table runs from registration to DMs; every answer and event has the fields it reads."""
    assert {"guild", "plans", "message", "dm"} <= set(client.saved)


async def test_presence_and_typing(client: OriginalClient) -> None:
    alice, bob = client.gateways["alice"], client.gateways["bob"]
    await bob.send(3, {"status": "idle"})  # its idle detector
    update = await alice.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == client.saved["bob_id"])
    check_reads(update["d"], "user_id:str status:str", "op 3 → PRESENCE_UPDATE")
    await bob.send(8, {"channel_id": client.saved["plans"]})
    typing = await alice.wait_for("TYPING_START")
    check_reads(typing["d"], "channel_id:str user_id:str", "op 8 → TYPING_START")


async def test_resume_after_a_drop_ends_in_ready(client: OriginalClient) -> None:
    """A short drop: RESUME as ws.ts sends it; what was missed is replayed, then READY clears the banner."""
    alice = client.gateways["alice"]
    session_id, seq = alice.session_id, alice.seq
    alice.ws.transport.abort()
    await client.request("bob", "POST", f"/channels/{client.saved['plans']}/messages", {"content": "while away"})
    await client.server.settle()
    again = await Raw.connect(client.server.url)
    await again.send(5, {"token": client.tokens["alice"], "session_id": session_id, "seq": seq})
    ready = await again.wait_for("READY")
    check_reads(ready["d"], "user.id:str session_id:str guild_ids:list", "READY after RESUME")
    missed = [f["d"]["content"] for f in again.dispatches if f["t"] == "MESSAGE_CREATE"]
    assert missed == ["while away"]
    client.gateways["alice"] = again


async def test_a_lost_session_is_dropped_then_identified_anew(client: OriginalClient) -> None:
    """After a restart (or a drop past the resume window) its RESUME names a session nobody has:
    op 6 makes it forget the session, the close is not one it reads as a failed login, and its
    next connection IDENTIFYs."""
    ws = await Raw.connect(client.server.url)
    await ws.send(5, {"token": client.tokens["alice"], "session_id": "gone-after-restart", "seq": 42})
    assert await ws.recv() == {"op": 6}
    assert await ws.closed_with() not in (4001, 4004)
    fresh = await Raw.connect(client.server.url)
    await fresh.identify(client.tokens["alice"])
    await fresh.close()


async def test_only_a_bad_token_sends_it_to_the_login_page(client: OriginalClient) -> None:
    ws = await Raw.connect(client.server.url)
    await ws.send(2, {"token": "not-a-token"})
    assert await ws.closed_with() == 4004
