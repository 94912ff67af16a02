"""Notifications: made from mentions, replies, DMs, reactions and friend requests; read, deleted, cleared."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from amityvox.db.schema import notifications
from amityvox.permissions import Perm
from tests.conftest import Server
from tests.messages.helpers import Person, dm, person, room, say
from tests.voice.helpers import API, deny, error_code, nothing_published


async def _created(server: Server) -> list[dict[str, Any]]:
    """NOTIFICATION_CREATE payloads once the subscriber has caught up (it acts on events, then publishes)."""
    await server.settle()
    await server.settle()
    return server.recorder.of("NOTIFICATION_CREATE")


async def _count(server: Server) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(notifications)) or 0)


async def test_mentions_reach_only_those_who_can_see_them(server: Server) -> None:
    r = await room(server)
    carol = await person(server, "carol")
    code = (await server.http.post(f"{API}/guilds/{r.guild_id}/invites", json={}, headers=r.owner.headers)).json()
    assert (await server.http.post(f"{API}/invites/{code['data']['code']}", headers=carol.headers)).status_code == 200
    await deny(server, r.owner, r.channel_id, carol.id, int(Perm.ViewChannel))
    await server.settle()
    server.recorder.clear()

    msg = await server.http.post(
        f"{API}/channels/{r.channel_id}/messages",
        json={"content": f"hey <@{r.member.id}> <@{carol.id}> <@{r.outsider.id}> <@{r.owner.id}>"},
        headers=r.owner.headers,
    )
    assert msg.status_code == 201, msg.text
    message = msg.json()["data"]
    (note,) = await _created(server)
    assert note["user_id"] == r.member.id and note["type"] == "mention" and note["read"] is False
    assert note["guild_id"] == r.guild_id and note["channel_id"] == r.channel_id
    assert note["message_id"] == message["id"] and note["actor_id"] == r.owner.id
    assert note["content"].startswith("hey")
    # The owner mentions the whole channel: everyone who can view it but the author.
    server.recorder.clear()
    await server.http.post(
        f"{API}/channels/{r.channel_id}/messages", json={"content": "@here meeting"}, headers=r.owner.headers
    )
    assert [(n["user_id"], n["type"]) for n in await _created(server)] == [(r.member.id, "mention")]


async def test_role_mentions_replies_and_block(server: Server) -> None:
    r = await room(server)
    role = await server.http.post(
        f"{API}/guilds/{r.guild_id}/roles", json={"name": "crew", "mentionable": True}, headers=r.owner.headers
    )
    role_id = role.json()["data"]["id"]
    grant = f"{API}/guilds/{r.guild_id}/members/{r.member.id}/roles/{role_id}"
    put = await server.http.put(grant, headers=r.owner.headers)
    assert put.status_code in (200, 204), put.text
    await server.settle()
    server.recorder.clear()
    await server.http.post(
        f"{API}/channels/{r.channel_id}/messages", json={"content": f"<@&{role_id}> up"}, headers=r.owner.headers
    )
    assert [(n["user_id"], n["type"]) for n in await _created(server)] == [(r.member.id, "mention")]
    server.recorder.clear()

    original = await say(server, r.member, r.channel_id, "first")
    await server.settle()
    server.recorder.clear()
    await server.http.post(
        f"{API}/channels/{r.channel_id}/messages",
        json={"content": "answer", "reply_to_ids": [original["id"]]},
        headers=r.owner.headers,
    )
    assert [(n["user_id"], n["type"]) for n in await _created(server)] == [(r.member.id, "reply")]
    server.recorder.clear()

    # Replying to oneself notifies nobody; someone who blocked the author hears nothing from them.
    await server.http.post(
        f"{API}/channels/{r.channel_id}/messages",
        json={"content": "me again", "reply_to_ids": [original["id"]]},
        headers=r.member.headers,
    )
    assert await _created(server) == []
    assert (await server.http.put(f"{API}/users/{r.owner.id}/block", headers=r.member.headers)).status_code in (
        200,
        201,
    )
    await server.settle()
    server.recorder.clear()
    await server.http.post(
        f"{API}/channels/{r.channel_id}/messages", json={"content": f"<@{r.member.id}>"}, headers=r.owner.headers
    )
    assert await _created(server) == []


async def test_dms_reactions_and_friend_requests(server: Server) -> None:
    alice, bob = await person(server, "alice"), await person(server, "bob")
    channel = await dm(server, alice, bob)
    message = await say(server, alice, channel, "psst")
    await _created(server)
    server.recorder.clear()
    async with server.ctx.db.read() as conn:
        rows = list((await conn.execute(select(notifications))).mappings())
    assert [(n["user_id"], n["type"], n["guild_id"]) for n in rows] == [(bob.id, "dm", None)]

    path = f"{API}/channels/{channel}/messages/{message['id']}/reactions"
    assert (await server.http.put(f"{path}/👍", headers=alice.headers)).status_code == 204  # own message
    assert await _created(server) == []
    assert (await server.http.put(f"{path}/👍", headers=bob.headers)).status_code == 204
    (note,) = await _created(server)
    assert note["user_id"] == alice.id and note["type"] == "reaction" and note["content"] == "👍"
    assert note["actor_id"] == bob.id and "guild_id" not in note
    server.recorder.clear()

    carol = await person(server, "carol")
    assert (await server.http.put(f"{API}/users/{carol.id}/friend", headers=alice.headers)).status_code == 201
    (note,) = await _created(server)
    assert note == {
        "id": note["id"],
        "user_id": carol.id,
        "type": "friend_request",
        "actor_id": alice.id,
        "read": False,
        "created_at": note["created_at"],
    }


async def _notify(server: Server, author: Person, target: Person, channel_id: str, n: int) -> list[dict[str, Any]]:
    for i in range(n):
        await server.http.post(
            f"{API}/channels/{channel_id}/messages", json={"content": f"<@{target.id}> {i}"}, headers=author.headers
        )
    await _created(server)
    server.recorder.clear()
    r = await server.http.get(f"{API}/notifications", headers=target.headers)
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def test_the_owner_reads_deletes_and_clears(server: Server) -> None:
    r = await room(server)
    notes = await _notify(server, r.owner, r.member, r.channel_id, 3)
    assert len(notes) == 3 and notes[0]["id"] > notes[1]["id"] > notes[2]["id"]
    page = await server.http.get(f"{API}/notifications?limit=2", headers=r.member.headers)
    assert [n["id"] for n in page.json()["data"]] == [notes[0]["id"], notes[1]["id"]]
    page = await server.http.get(f"{API}/notifications?before={notes[1]['id']}", headers=r.member.headers)
    assert [n["id"] for n in page.json()["data"]] == [notes[2]["id"]]
    for query in ("limit=0", "limit=101", "before=nope", "unread=maybe"):
        bad = await server.http.get(f"{API}/notifications?{query}", headers=r.member.headers)
        assert bad.status_code == 400, query
    assert (await server.http.get(f"{API}/notifications", headers=r.owner.headers)).json()["data"] == []

    first = notes[0]["id"]
    for who, body, status in (
        (r.owner, {"read": True}, 404),  # someone else's
        (r.member, {"read": "yes"}, 400),
        (r.member, {}, 400),
    ):
        resp = await server.http.patch(f"{API}/notifications/{first}", json=body, headers=who.headers)
        assert resp.status_code == status, resp.text
    resp = await server.http.delete(f"{API}/notifications/{first}", headers=r.owner.headers)
    assert resp.status_code == 404 and error_code(resp) == "not_found"
    resp = await server.http.patch(f"{API}/notifications/bogus", json={"read": True}, headers=r.member.headers)
    assert resp.status_code == 404
    await nothing_published(server)

    resp = await server.http.patch(f"{API}/notifications/{first}", json={"read": True}, headers=r.member.headers)
    assert resp.status_code == 200 and resp.json()["data"]["read"] is True
    await server.settle()
    assert server.recorder.of("NOTIFICATION_UPDATE") == [resp.json()["data"]]
    server.recorder.clear()
    unread = await server.http.get(f"{API}/notifications?unread=true", headers=r.member.headers)
    assert [n["id"] for n in unread.json()["data"]] == [notes[1]["id"], notes[2]["id"]]

    resp = await server.http.delete(f"{API}/notifications/{notes[2]['id']}", headers=r.member.headers)
    assert resp.status_code == 204
    await server.settle()
    assert server.recorder.of("NOTIFICATION_DELETE") == [{"id": notes[2]["id"], "user_id": r.member.id}]
    server.recorder.clear()

    resp = await server.http.post(f"{API}/notifications/mark-all-read", headers=r.member.headers)
    assert resp.status_code == 200 and resp.json()["data"] == {"updated": 1}
    await server.settle()
    assert server.recorder.of("NOTIFICATION_MARK_ALL_READ") == [{"updated": 1, "user_id": r.member.id}]
    server.recorder.clear()
    resp = await server.http.post(f"{API}/notifications/mark-all-read", headers=r.member.headers)
    assert resp.json()["data"] == {"updated": 0}
    await nothing_published(server)

    resp = await server.http.delete(f"{API}/notifications", headers=r.member.headers)
    assert resp.status_code == 204
    await server.settle()
    assert server.recorder.names() == ["NOTIFICATION_CLEAR_ALL"]
    assert server.recorder.of("NOTIFICATION_CLEAR_ALL") == [{"user_id": r.member.id}]
    assert await _count(server) == 0
