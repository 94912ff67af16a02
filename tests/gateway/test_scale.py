"""Several gateway processes side by side: one `api` process, `gateway` processes, one database, NATS.

Each gateway builds its routing indexes from the database at start and then from the events
on the bus. Whatever process a client lands on, it must receive the same events: these
tests compare the gateways' routing decisions after each step of a scenario driven through
the API, and check real WebSocket clients on every gateway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from amityvox.config import Settings
from amityvox.events import CATALOG
from amityvox.gateway.router import recipients
from amityvox.gateway.server import Gateway
from amityvox.gateway.transport import gateway_of
from amityvox.permissions import Perm
from tests.conftest import Server, _serve, make_settings, start_server
from tests.gateway.wsclient import Raw
from tests.messages.helpers import Person, person, room
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)
from tests.voice.helpers import API, channel, deny, join, voice_post

pytestmark = needs_nats

VIEW = int(Perm.ViewChannel)


@dataclass
class GatewayNode:
    url: str
    gateway: Gateway


@asynccontextmanager
async def gateway_node(settings: Settings) -> AsyncIterator[GatewayNode]:
    """A `gateway` role server, holding on to the Gateway its app keeps in `app.state.gateway`."""
    uv, task, url, _ = await start_server(settings, "gateway")
    gateway = gateway_of(uv.config)
    assert gateway is not None
    try:
        yield GatewayNode(url, gateway)
    finally:
        uv.stop()
        await asyncio.wait_for(task, 10)


@dataclass
class Cluster:
    """Processes sharing one database and one NATS server, each with its own data directory."""

    stack: AsyncExitStack
    tmp_path: Path
    database_url: str
    nats: NatsServer

    def settings(self, name: str) -> Settings:
        return make_settings(self.tmp_path / name, database_url=self.database_url, bus_url=self.nats.url)

    async def api(self) -> Server:
        return await self.stack.enter_async_context(asynccontextmanager(_serve)(self.settings("api"), "api"))

    async def gateway(self, name: str) -> GatewayNode:
        return await self.stack.enter_async_context(gateway_node(self.settings(name)))


@asynccontextmanager
async def cluster(tmp_path: Path, database_url: str, nats: NatsServer) -> AsyncIterator[Cluster]:
    async with AsyncExitStack() as stack:
        yield Cluster(stack, tmp_path, database_url, nats)


async def until(check: Callable[[], bool]) -> None:
    """Poll until `check()` holds, for up to 5 s (the bus delivers asynchronously); callers assert afterwards."""
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)


async def online(url: str, *people: Person) -> dict[str, Raw]:
    clients = {}
    for p in people:
        ws = await Raw.connect(url)
        await ws.identify(p.token)
        clients[p.id] = ws
    return clients


async def fence(api: Server, who: Person, clients: list[Raw], mark: str) -> None:
    """`who` edits their profile; once each of their clients has that USER_UPDATE, every event
    published before it has reached them too (one publisher, one NATS server: order is kept)."""
    r = await api.http.patch(f"{API}/users/@me", json={"display_name": mark}, headers=who.headers)
    assert r.status_code == 200, r.text
    for ws in clients:
        await ws.wait_for("USER_UPDATE", check=lambda d: d["id"] == who.id and d.get("display_name") == mark)


def received(ws: Raw, name: str) -> list[dict[str, Any]]:
    return [f["d"] for f in ws.dispatches if f["t"] == name]


# ---- voice states survive a gateway start ---------------------------------------------------


async def test_a_gateway_started_while_users_are_in_voice_routes_their_leave(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, first = await c.api(), await c.gateway("g1")
        r = await room(api)
        hidden = await person(api, "hidden")
        code = (await api.http.post(f"{API}/guilds/{r.guild_id}/invites", json={}, headers=r.owner.headers)).json()
        assert (await api.http.post(f"{API}/invites/{code['data']['code']}", headers=hidden.headers)).status_code == 200
        lounge = await channel(api, r.owner, r.guild_id, "Lounge")
        await deny(api, r.owner, lounge, hidden.id, VIEW)
        await join(api, r.member, lounge)
        await until(lambda: first.gateway.world.voice == {r.member.id: lounge})
        assert first.gateway.world.voice == {r.member.id: lounge}

        # Started now, the second gateway learns who is in voice from the database alone.
        second = await c.gateway("g2")
        assert second.gateway.world.voice == {r.member.id: lounge}
        clients = await online(second.url, r.owner, hidden)

        # A leave carries no channel_id: it goes to the viewers of the channel the user was in.
        assert (await voice_post(api, r.member, f"{lounge}/leave")).status_code == 204
        left = await clients[r.owner.id].wait_for("VOICE_STATE_UPDATE", check=lambda d: d["user_id"] == r.member.id)
        assert "channel_id" not in left["d"]
        await fence(api, hidden, [clients[hidden.id]], "after the leave")
        assert received(clients[hidden.id], "VOICE_STATE_UPDATE") == []  # cannot see the Lounge
        await until(lambda: first.gateway.world.voice == {})
        assert second.gateway.world.voice == {} and first.gateway.world.voice == {}
        for ws in clients.values():
            await ws.close()


# ---- two gateways agree on recipients --------------------------------------------------------


@dataclass
class Scene:
    guild_id: str
    general: str
    private: str

    def candidates(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Events whose recipients every gateway must agree on, by label."""
        return {
            "message in general": ("MESSAGE_CREATE", {"channel_id": self.general}),
            "message in private": ("MESSAGE_CREATE", {"channel_id": self.private}),
            "guild update": ("GUILD_UPDATE", {"id": self.guild_id}),
        }


def routing(gateway: Gateway, scene: Scene) -> dict[str, set[str]]:
    return {
        label: recipients(gateway.world, CATALOG[name], d, gateway.by_user)
        for label, (name, d) in scene.candidates().items()
    }


async def agree(gateways: list[Gateway], scene: Scene, expected: dict[str, set[str]]) -> None:
    """Wait for every gateway to have applied the step, then compare their routing with each other
    and with what the permissions say."""
    await until(lambda: all(routing(g, scene) == expected for g in gateways))
    seen = [routing(g, scene) for g in gateways]
    assert all(s == seen[0] for s in seen), seen
    assert seen[0] == expected


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()["data"] if status != 204 else {}
    return data


async def test_gateways_agree_on_recipients_through_membership_role_and_overwrite_changes(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, nodes = await c.api(), [await c.gateway("g1"), await c.gateway("g2")]
        gateways = [n.gateway for n in nodes]
        owner, staffer, bob, carol = [await person(api, n) for n in ("owner", "staffer", "bob", "carol")]
        everyone = (owner, staffer, bob, carol)
        # Every person has a session on each gateway, so both have the same users online.
        clients = [await online(n.url, *everyone) for n in nodes]
        http, h = api.http, owner.headers

        guild = ok(await http.post(f"{API}/guilds", json={"name": "Home"}, headers=h), 201)
        g = guild["id"]
        private = ok(await http.post(f"{API}/guilds/{g}/channels", json={"name": "staff"}, headers=h), 201)["id"]
        scene = Scene(g, guild["channels"][0]["id"], private)
        await agree(gateways, scene, {label: {owner.id} for label in scene.candidates()})

        invite = ok(await http.post(f"{API}/guilds/{g}/invites", json={}, headers=h), 201)["code"]
        for p in (staffer, bob, carol):
            ok(await http.post(f"{API}/invites/{invite}", headers=p.headers))
        all_four = {p.id for p in everyone}
        await agree(gateways, scene, {label: all_four for label in scene.candidates()})

        role = ok(await http.post(f"{API}/guilds/{g}/roles", json={"name": "staff"}, headers=h), 201)["id"]
        await agree(gateways, scene, {label: all_four for label in scene.candidates()})

        # Hide the private channel from @everyone (the role whose id is the guild's), show it to staff.
        for target, allow, deny_bits in ((g, 0, VIEW), (role, VIEW, 0)):
            body = {"type": "role", "allow": allow, "deny": deny_bits}
            ok(await http.put(f"{API}/channels/{private}/permissions/{target}", json=body, headers=h))
        state = {"message in general": all_four, "message in private": {owner.id}, "guild update": all_four}
        await agree(gateways, scene, state)

        for p in (staffer, carol):
            ok(await http.put(f"{API}/guilds/{g}/members/{p.id}/roles/{role}", headers=h))
        await agree(gateways, scene, {**state, "message in private": {owner.id, staffer.id, carol.id}})

        ok(await http.delete(f"{API}/guilds/{g}/members/{carol.id}/roles/{role}", headers=h))
        await agree(gateways, scene, {**state, "message in private": {owner.id, staffer.id}})

        ok(await http.delete(f"{API}/guilds/{g}/members/{carol.id}", headers=h), 204)
        left, staff = {owner.id, staffer.id, bob.id}, {owner.id, staffer.id}
        final = {"message in general": left, "message in private": staff, "guild update": left}
        await agree(gateways, scene, final)

        # Real messages: each reaches exactly the allowed clients, on both gateways.
        sent = {}
        for where in (scene.private, scene.general):
            body = {"content": f"to {where}"}
            sent[where] = ok(await http.post(f"{API}/channels/{where}/messages", json=body, headers=h), 201)["id"]
        for p in everyone:
            await fence(api, p, [per_gateway[p.id] for per_gateway in clients], f"{p.id} after the messages")
        allowed = {
            owner.id: {scene.general, scene.private},
            staffer.id: {scene.general, scene.private},
            bob.id: {scene.general},  # no ViewChannel in the private channel
            carol.id: set(),  # kicked
        }
        for per_gateway in clients:
            got = {
                user_id: {d["channel_id"] for d in received(ws, "MESSAGE_CREATE") if d["id"] in sent.values()}
                for user_id, ws in per_gateway.items()
            }
            assert got == allowed

        # A gateway started now, from the database alone, routes as the two that followed the events.
        late = await c.gateway("g3")
        clients.append(await online(late.url, *everyone))
        await agree([*gateways, late.gateway], scene, final)
        for per_gateway in clients:
            for ws in per_gateway.values():
                await ws.close()
