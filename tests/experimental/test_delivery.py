"""Over real WebSockets: experimental events reach a private channel's viewers and no one else."""

from __future__ import annotations

from typing import Any

from amityvox import permissions as P
from amityvox.events import catalog
from tests.conftest import Server
from tests.experimental.helpers import created
from tests.gateway.wsclient import Raw
from tests.guilds.helpers import join
from tests.messages.helpers import API, room, say

EXPERIMENTAL = frozenset(e.name for e in catalog.CATALOG.values() if e.category == "experimental")


async def test_a_member_who_cannot_view_the_channel_gets_none_of_its_events(server: Server) -> None:
    rm = await room(server)
    actor, blind, viewer = rm.owner, rm.member, rm.outsider
    await join(server, actor.token, rm.guild_id, viewer.token)
    secret = created(
        await server.http.post(f"{API}/guilds/{rm.guild_id}/channels", json={"name": "secret"}, headers=actor.headers)
    )
    r = await server.http.put(
        f"{API}/channels/{secret['id']}/permissions/{blind.id}",
        json={"type": "user", "allow": 0, "deny": int(P.Perm.ViewChannel)},
        headers=actor.headers,
    )
    assert r.status_code == 200, r.text
    message = await say(server, actor, secret["id"], "in secret")
    general_message = await say(server, actor, rm.channel_id, "in general")

    ws_viewer, ws_blind = await Raw.connect(server.url), await Raw.connect(server.url)
    await ws_viewer.identify(viewer.token)
    await ws_blind.identify(blind.token)

    c = secret["id"]

    async def act(method: str, path: str, body: dict[str, Any] | None = None, status: int = 201) -> dict[str, Any]:
        r = await server.http.request(method, f"{API}/channels/{path}", json=body, headers=actor.headers)
        assert r.status_code == status, r.text
        return {} if status == 204 else created(r, status)

    x = f"{c}/experimental"
    share = await act("POST", f"{x}/location", {"latitude": 1, "longitude": 2, "live": True, "duration_seconds": 60})
    await act("PATCH", f"{x}/location/{share['id']}", {"latitude": 3, "longitude": 4}, 200)
    await act("DELETE", f"{x}/location/{share['id']}", status=204)
    await act("POST", f"{x}/messages/{message['id']}/effects", {"effect_type": "hearts"})
    await act("POST", f"{x}/messages/{message['id']}/super-reactions", {"emoji": "🔥", "intensity": 4})
    board = await act("POST", f"{x}/whiteboards", {"name": "wb"})
    await act("PATCH", f"{x}/whiteboards/{board['id']}", {"state": {"x": 1}, "version": 0}, 200)
    await act("POST", f"{x}/code-snippets", {"title": "t", "language": "go", "code": "package main"})
    kb = await act("POST", f"{x}/kanban", {"name": "k"})
    col = await act("POST", f"{x}/kanban/{kb['id']}/columns", {"name": "c"})
    card = await act("POST", f"{x}/kanban/{kb['id']}/columns/{col['id']}/cards", {"title": "t"})
    await act("PATCH", f"{x}/kanban/{kb['id']}/cards/{card['id']}/move", {"column_id": col["id"], "position": 0}, 200)
    widget = await act("POST", f"{c}/widgets", {"widget_type": "note", "title": "n", "config": {"text": "x"}})
    await act("PATCH", f"{c}/widgets/{widget['id']}", {"title": "m"}, 200)
    await act("DELETE", f"{c}/widgets/{widget['id']}", status=204)

    # Then one event in a channel the blind member can see, to show their connection works.
    await act("POST", f"{rm.channel_id}/experimental/messages/{general_message['id']}/effects", {"effect_type": "snow"})
    await ws_blind.wait_for("MESSAGE_EFFECT_CREATE", check=lambda d: d["channel_id"] == rm.channel_id)
    await ws_viewer.wait_for("MESSAGE_EFFECT_CREATE", check=lambda d: d["channel_id"] == rm.channel_id)

    seen = [(f["t"], f["d"]) for f in ws_viewer.dispatches if f["t"] in EXPERIMENTAL and f["d"]["channel_id"] == c]
    assert [name for name, _ in seen] == [
        "LOCATION_SHARE_CREATE", "LOCATION_SHARE_UPDATE", "LOCATION_SHARE_STOP", "MESSAGE_EFFECT_CREATE",
        "SUPER_REACTION_ADD", "WHITEBOARD_UPDATE", "CODE_SNIPPET_CREATE", "KANBAN_CARD_CREATE", "KANBAN_CARD_MOVE",
        "CHANNEL_WIDGET_CREATE", "CHANNEL_WIDGET_UPDATE", "CHANNEL_WIDGET_DELETE",
    ]  # fmt: skip
    assert seen[0][1] == share and seen[7][1] == card
    await ws_blind.drain()  # anything still on its way
    blind_seen = [f for f in ws_blind.dispatches if f["t"] in EXPERIMENTAL]
    assert [(f["t"], f["d"]["channel_id"]) for f in blind_seen] == [("MESSAGE_EFFECT_CREATE", rm.channel_id)]
    assert not any(c in str(f["d"]) for f in ws_blind.dispatches if f["t"] != "READY")
    await ws_viewer.close()
    await ws_blind.close()
