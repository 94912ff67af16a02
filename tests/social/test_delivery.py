"""Over real WebSockets: who receives DM, group and relationship events."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.social.helpers import API, Person, befriend, ids


async def _connect(server: Server, names: list[str]) -> tuple[list[Person], list[Raw]]:
    people = []
    sockets = []
    for name in names:
        data = await server.register(name)
        ws = await Raw.connect(server.url)
        await ws.identify(data["token"])
        people.append(Person(data))
        sockets.append(ws)
    return people, sockets


async def _seen(ws: Raw, *names: str) -> list[tuple[str, dict[str, Any]]]:
    """The dispatches of the given kinds that arrive before the line goes quiet."""
    return [(f["t"], f["d"]) for f in await ws.drain() if f["t"] in names]


async def test_group_and_relationship_events_reach_exactly_their_users(server: Server) -> None:
    (alice, bob, carol, _), sockets = await _connect(server, ["alice", "bob", "carol", "dave"])
    ws_alice, ws_bob, ws_carol, ws_dave = sockets
    kinds = ("CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE", "RELATIONSHIP_ADD", "RELATIONSHIP_UPDATE")

    # A friend request: each side hears its own view, nobody else hears anything.
    await server.http.put(f"{API}/users/{bob.id}/friend", headers=alice.h)
    assert [(t, d["type"]) for t, d in await _seen(ws_alice, *kinds)] == [("RELATIONSHIP_ADD", "pending_outgoing")]
    assert [(t, d["type"]) for t, d in await _seen(ws_bob, *kinds)] == [("RELATIONSHIP_ADD", "pending_incoming")]
    assert await _seen(ws_carol, *kinds) == []
    await server.http.put(f"{API}/users/{alice.id}/friend", headers=bob.h)
    await befriend(server, alice, carol)
    for ws in sockets:
        await ws.drain()

    # A new group reaches its recipients only.
    r = await server.http.post(f"{API}/users/@me/group-dms", headers=alice.h, json={"recipient_ids": [bob.id]})
    group = r.json()["data"]
    for ws in (ws_alice, ws_bob):
        assert await _seen(ws, *kinds) == [("CHANNEL_CREATE", group)]
    assert await _seen(ws_carol, *kinds) == []
    assert await _seen(ws_dave, *kinds) == []

    # Adding carol: she gets the channel as new before anything else about it, the others the update.
    r = await server.http.put(f"{API}/channels/{group['id']}/recipients/{carol.id}", headers=alice.h)
    updated = r.json()["data"]
    carol_seen = await _seen(ws_carol, *kinds)
    assert carol_seen[0] == ("CHANNEL_CREATE", updated)
    assert all(channel == updated for _, channel in carol_seen)
    for ws in (ws_alice, ws_bob):
        assert await _seen(ws, *kinds) == [("CHANNEL_UPDATE", updated)]
    assert await _seen(ws_dave, *kinds) == []

    # Removing bob: he is told the channel is gone, the others see the smaller list.
    await server.http.delete(f"{API}/channels/{group['id']}/recipients/{bob.id}", headers=alice.h)
    assert await _seen(ws_bob, *kinds) == [("CHANNEL_DELETE", {"id": group["id"]})]
    for ws in (ws_alice, ws_carol):
        ((name, channel),) = await _seen(ws, *kinds)
        assert name == "CHANNEL_UPDATE" and ids(channel["recipients"]) == sorted([alice.id, carol.id])
    for ws in sockets:
        await ws.close()
