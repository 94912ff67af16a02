"""End to end over real WebSockets: the leaks and misses the original gateway had must not happen."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import orjson

from amityvox.gateway.protocol import Dispatch
from amityvox.gateway.session import Session
from amityvox.gateway.transport import CLOSE_TIMEOUT_S, Connection
from amityvox.permissions import Perm
from amityvox.uow import envelope
from tests.conftest import Server, auth
from tests.gateway.wsclient import Raw


async def _guild(server: Server, owner: dict[str, Any]) -> tuple[str, str]:
    r = await server.http.post("/api/v1/guilds", json={"name": "Town"}, headers=auth(owner["token"]))
    assert r.status_code == 201, r.text
    g = r.json()["data"]
    return g["id"], g["channels"][0]["id"]


async def _join(server: Server, owner: dict[str, Any], guild_id: str, user: dict[str, Any]) -> None:
    r = await server.http.post(f"/api/v1/guilds/{guild_id}/invites", json={}, headers=auth(owner["token"]))
    assert r.status_code == 201, r.text
    r = await server.http.post(f"/api/v1/invites/{r.json()['data']['code']}", headers=auth(user["token"]))
    assert r.status_code in (200, 201), r.text


async def _say(server: Server, who: dict[str, Any], channel_id: str, content: str) -> None:
    r = await server.http.post(
        f"/api/v1/channels/{channel_id}/messages", json={"content": content}, headers=auth(who["token"])
    )
    assert r.status_code == 201, r.text


def _names(frames: list[dict[str, Any]]) -> list[str]:
    return [f["t"] for f in frames]


async def test_joiner_receives_the_guild_and_its_next_message(server: Server) -> None:
    alice, bob = await server.register("alice"), await server.register("bob")
    guild_id, general = await _guild(server, alice)
    ws = await Raw.connect(server.url)
    ready = await ws.identify(bob["token"])
    assert ready["guild_ids"] == []
    await _join(server, alice, guild_id, bob)
    created = await ws.wait_for("GUILD_CREATE")
    assert created["d"]["id"] == guild_id and general in [c["id"] for c in created["d"]["channels"]]
    await _say(server, alice, general, "welcome bob")
    message = await ws.wait_for("MESSAGE_CREATE")
    assert message["d"]["content"] == "welcome bob"


async def test_kicked_member_receives_nothing_more(server: Server) -> None:
    alice, bob = await server.register("alice"), await server.register("bob")
    guild_id, general = await _guild(server, alice)
    await _join(server, alice, guild_id, bob)
    bob_ws = await Raw.connect(server.url)
    await bob_ws.identify(bob["token"])
    alice_ws = await Raw.connect(server.url)
    await alice_ws.identify(alice["token"])
    r = await server.http.delete(f"/api/v1/guilds/{guild_id}/members/{bob['user']['id']}", headers=auth(alice["token"]))
    assert r.status_code == 204, r.text
    removed = await bob_ws.wait_for("GUILD_MEMBER_REMOVE")
    assert removed["d"] == {"guild_id": guild_id, "user_id": bob["user"]["id"]}
    await _say(server, alice, general, "bob is gone")
    assert (await alice_ws.wait_for("MESSAGE_CREATE"))["d"]["content"] == "bob is gone"
    assert "MESSAGE_CREATE" not in _names(await bob_ws.drain())


async def test_private_channel_reaches_only_its_viewers(server: Server) -> None:
    alice, bob, carol = [await server.register(n) for n in ("alice", "bob", "carol")]
    guild_id, _ = await _guild(server, alice)
    for u in (bob, carol):
        await _join(server, alice, guild_id, u)
    h = auth(alice["token"])
    r = await server.http.post(f"/api/v1/guilds/{guild_id}/roles", json={"name": "staff"}, headers=h)
    staff = r.json()["data"]["id"]
    r = await server.http.put(f"/api/v1/guilds/{guild_id}/members/{carol['user']['id']}/roles/{staff}", headers=h)
    assert r.status_code in (200, 204), r.text
    r = await server.http.post(f"/api/v1/guilds/{guild_id}/channels", json={"name": "secret"}, headers=h)
    secret = r.json()["data"]["id"]
    view = int(Perm.ViewChannel)
    r = await server.http.put(
        f"/api/v1/channels/{secret}/permissions/{guild_id}", json={"type": "role", "allow": 0, "deny": view}, headers=h
    )
    assert r.status_code in (200, 204), r.text
    r = await server.http.put(
        f"/api/v1/channels/{secret}/permissions/{staff}", json={"type": "role", "allow": view, "deny": 0}, headers=h
    )
    assert r.status_code in (200, 204), r.text

    bob_ws, carol_ws = await Raw.connect(server.url), await Raw.connect(server.url)
    bob_ready, carol_ready = await bob_ws.identify(bob["token"]), await carol_ws.identify(carol["token"])
    assert secret not in [c["id"] for g in bob_ready["guilds"] for c in g["channels"]]
    assert secret in [c["id"] for g in carol_ready["guilds"] for c in g["channels"]]

    await _say(server, alice, secret, "staff only")
    assert (await carol_ws.wait_for("MESSAGE_CREATE"))["d"]["content"] == "staff only"
    assert "MESSAGE_CREATE" not in _names(await bob_ws.drain())

    # Taking the role away hides the channel from carol at once, and its events with it.
    r = await server.http.delete(f"/api/v1/guilds/{guild_id}/members/{carol['user']['id']}/roles/{staff}", headers=h)
    assert r.status_code in (200, 204), r.text
    gone = await carol_ws.wait_for("CHANNEL_DELETE")
    assert gone["d"]["id"] == secret
    await _say(server, alice, secret, "after the demotion")
    assert "MESSAGE_CREATE" not in _names(await carol_ws.drain())

    # Opening the channel to everyone shows it to bob, announced as CHANNEL_CREATE.
    r = await server.http.delete(f"/api/v1/channels/{secret}/permissions/{guild_id}", headers=h)
    assert r.status_code in (200, 204), r.text
    shown = await bob_ws.wait_for("CHANNEL_CREATE")
    assert shown["d"]["id"] == secret


async def test_typing_over_the_gateway_reaches_the_others_not_the_typer(server: Server) -> None:
    alice, bob = await server.register("alice"), await server.register("bob")
    guild_id, general = await _guild(server, alice)
    await _join(server, alice, guild_id, bob)
    alice_ws, bob_ws = await Raw.connect(server.url), await Raw.connect(server.url)
    await alice_ws.identify(alice["token"])
    await bob_ws.identify(bob["token"])
    await bob_ws.send(8, {"channel_id": general})
    typing = await alice_ws.wait_for("TYPING_START")
    assert typing["d"]["user_id"] == bob["user"]["id"] and typing["d"]["channel_id"] == general
    assert "TYPING_START" not in _names(await bob_ws.drain())


async def test_closing_one_of_two_tabs_keeps_the_user_online(server: Server) -> None:
    alice, bob = await server.register("alice"), await server.register("bob")
    guild_id, _ = await _guild(server, alice)
    await _join(server, alice, guild_id, bob)
    bob_ws = await Raw.connect(server.url)
    await bob_ws.identify(bob["token"])
    tab1, tab2 = await Raw.connect(server.url), await Raw.connect(server.url)
    ready = await tab1.identify(alice["token"])
    await tab2.identify(alice["token"])
    assert ready["session_id"] != tab2.session_id
    is_alice = lambda d: d["user_id"] == alice["user"]["id"]  # noqa: E731
    online = await bob_ws.wait_for("PRESENCE_UPDATE", check=is_alice)
    assert online["d"] == {"user_id": alice["user"]["id"], "status": "online"}
    await tab1.close()
    assert not [f for f in await bob_ws.drain() if f["t"] == "PRESENCE_UPDATE" and is_alice(f["d"])]
    await tab2.close()
    offline = await bob_ws.wait_for("PRESENCE_UPDATE", check=is_alice)
    assert offline["d"] == {"user_id": alice["user"]["id"], "status": "offline"}


async def test_bob_sees_alice_in_ready_presences(server: Server) -> None:
    alice, bob = await server.register("alice"), await server.register("bob")
    guild_id, _ = await _guild(server, alice)
    await _join(server, alice, guild_id, bob)
    alice_ws = await Raw.connect(server.url)
    await alice_ws.identify(alice["token"])
    await alice_ws.send(3, {"status": "busy"})
    await alice_ws.wait_for("PRESENCE_UPDATE", check=lambda d: d["status"] == "busy")
    bob_ws = await Raw.connect(server.url)
    ready = await bob_ws.identify(bob["token"])
    assert ready["presences"] == {alice["user"]["id"]: "busy"}
    await alice_ws.send(3, {"status": "invisible"})
    hidden = await bob_ws.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == alice["user"]["id"])
    assert hidden["d"]["status"] == "offline"


class _UnreadTransport(asyncio.Transport):
    """A socket whose peer never reads: everything written stays buffered."""

    def __init__(self) -> None:
        super().__init__()
        self.buffered = 0
        self.cut_off = asyncio.Event()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.buffered += len(data)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def get_write_buffer_size(self) -> int:
        return self.buffered

    @property
    def aborted(self) -> bool:
        return self.cut_off.is_set()

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.cut_off.set()


def _open_connection(transport: asyncio.Transport, buffer_kib: int) -> Connection:
    conn = Connection(SimpleNamespace(loaded_app=None, ws_max_size=1 << 16), SimpleNamespace(connections=set()), None)
    conn.max_buffer = buffer_kib * 1024
    conn.connection_made(transport)
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    conn.protocol.receive_data(
        f"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    conn.protocol.send_response(conn.protocol.accept(conn.protocol.events_received()[0]))  # type: ignore[arg-type]
    conn.protocol.data_to_send()
    return conn


async def test_a_peer_that_stops_reading_is_cut_off_4010_and_keeps_its_events_for_resume() -> None:
    """Unsent data is bounded per connection: past the bound that peer alone is closed with 4010 (and
    cut off if it never reads the close), while its session keeps every event for RESUME."""
    stuck_socket = _UnreadTransport()
    stuck, healthy = Session("s1", "u1", 500), Session("s2", "u2", 500)
    stuck.holding = healthy.holding = None
    stuck.attach(_open_connection(stuck_socket, buffer_kib=16))
    for i in range(40):
        d = Dispatch("MESSAGE_CREATE", {"n": i, "content": "x" * 1000})
        stuck.send(d)
        healthy.send(d)
    assert stuck.conn is None and stuck.detached_at is not None
    assert 16 * 1024 < stuck_socket.buffered < 16 * 1024 + 2048  # one frame past the bound, then the close
    assert [s for s, _ in stuck.replay] == list(range(1, 41))  # nothing lost for RESUME
    assert len(stuck.frames_after(1) or []) == 39
    assert len(healthy.replay) == 40
    assert not stuck_socket.aborted  # the close frame gets CLOSE_TIMEOUT_S to go out first
    await asyncio.wait_for(stuck_socket.cut_off.wait(), CLOSE_TIMEOUT_S + 30)


async def test_a_joiner_and_the_members_learn_each_others_presence(server: Server) -> None:
    alice, bob = await server.register("alice"), await server.register("bob")
    guild_id, _ = await _guild(server, alice)
    alice_ws, bob_ws = await Raw.connect(server.url), await Raw.connect(server.url)
    await alice_ws.identify(alice["token"])
    await bob_ws.identify(bob["token"])
    await bob_ws.send(3, {"status": "busy"})
    await bob_ws.wait_for("PRESENCE_UPDATE", check=lambda d: d["status"] == "busy")
    await alice_ws.drain()
    await _join(server, alice, guild_id, bob)
    seen_by_alice = await alice_ws.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == bob["user"]["id"])
    assert seen_by_alice["d"]["status"] == "busy"
    seen_by_bob = await bob_ws.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == alice["user"]["id"])
    assert seen_by_bob["d"]["status"] == "online"


def test_ready_is_sent_first_but_not_kept_for_replay() -> None:
    session = Session("s", "u", 500)
    session.send(Dispatch("PRESENCE_UPDATE", {"user_id": "x", "status": "online"}))  # routed while READY builds
    session.release(Dispatch("READY", {"big": "x" * 4000}))
    assert [s for s, _ in session.replay] == [2]  # READY (s=1) is not buffered
    assert [orjson.loads(f)["s"] for f in session.frames_after(1) or []] == [2]
    assert session.frames_after(0) is None  # nobody can RESUME without the session_id READY carries


async def test_an_event_published_twice_is_delivered_once(server: Server) -> None:
    """The outbox relay may publish an event again after a crash: clients see it once."""
    alice = await server.register("alice")
    ws = await Raw.connect(server.url)
    await ws.identify(alice["token"])
    twice = envelope("USER_UPDATE", {**alice["user"], "display_name": "Twice"})
    once = envelope("USER_UPDATE", {**alice["user"], "display_name": "Once"})
    await server.ctx.bus.publish([twice, twice, once])
    got = [(await ws.wait_for("USER_UPDATE"))["d"]["display_name"] for _ in range(2)]
    assert got == ["Twice", "Once"]
