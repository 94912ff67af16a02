"""Threads: one per message, a text channel under the message's channel."""

from __future__ import annotations

from sqlalchemy import func, select

from amityvox import permissions as P
from amityvox.db.schema import channels
from tests.conftest import Server
from tests.messages.helpers import API, dm, error_code, nothing_published, overwrite, person, post, room, say


async def _channel_count(server: Server) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(channels)) or 0)


async def test_thread_from_a_message(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id, "let's discuss")
    url = f"{API}/channels/{rm.channel_id}/messages/{msg['id']}/threads"
    r = await server.http.post(url, json={"name": "  discussion "}, headers=rm.member.headers)
    assert r.status_code == 201, r.text
    thread = r.json()["data"]
    assert thread["parent_channel_id"] == rm.channel_id and thread["guild_id"] == rm.guild_id
    assert thread["name"] == "discussion" and thread["channel_type"] == "text"
    await server.settle()
    assert server.recorder.names() == ["THREAD_CREATE", "MESSAGE_UPDATE"]
    assert server.recorder.of("THREAD_CREATE") == [thread]
    assert server.recorder.of("MESSAGE_UPDATE")[0]["thread_id"] == thread["id"]
    # Anyone who can see the parent can talk in the thread.
    assert (await post(server, rm.member, thread["id"], "in thread")).status_code == 201
    assert (await post(server, rm.outsider, thread["id"], "in thread")).status_code == 404

    server.recorder.clear()
    before = await _channel_count(server)
    r = await server.http.post(url, json={"name": "again"}, headers=rm.owner.headers)
    assert r.status_code == 409
    r = await server.http.post(
        f"{API}/channels/{thread['id']}/messages/{msg['id']}/threads", json={"name": "x"}, headers=rm.owner.headers
    )
    assert r.status_code == 400 and error_code(r) == "invalid_channel_type"  # threads do not nest
    assert await _channel_count(server) == before
    await nothing_published(server)


async def test_a_threads_starter_message_comes_from_its_parent(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id, "let's discuss")
    await say(server, rm.owner, rm.channel_id, "something else")
    url = f"{API}/channels/{rm.channel_id}/messages/{msg['id']}/threads"
    thread = (await server.http.post(url, json={"name": "talk"}, headers=rm.member.headers)).json()["data"]
    r = await server.http.get(f"{API}/channels/{thread['id']}/starter-message", headers=rm.member.headers)
    assert r.status_code == 200, r.text
    starter = r.json()["data"]
    assert starter["id"] == msg["id"] and starter["content"] == "let's discuss" and starter["thread_id"] == thread["id"]
    starter_url = f"{API}/channels/{thread['id']}/starter-message"
    assert (await server.http.get(starter_url, headers=rm.outsider.headers)).status_code == 404
    not_a_thread = f"{API}/channels/{rm.channel_id}/starter-message"
    assert (await server.http.get(not_a_thread, headers=rm.member.headers)).status_code == 404
    gone = await server.http.delete(f"{API}/channels/{rm.channel_id}/messages/{msg['id']}", headers=rm.owner.headers)
    assert gone.status_code == 204
    assert (await server.http.get(starter_url, headers=rm.member.headers)).status_code == 404


async def test_threads_need_create_threads_and_a_name(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    url = f"{API}/channels/{rm.channel_id}/messages/{msg['id']}/threads"
    before = await _channel_count(server)
    r = await server.http.post(url, json={"name": " "}, headers=rm.member.headers)
    assert r.status_code == 400
    r = await server.http.post(url, json={"name": "t"}, headers=rm.outsider.headers)
    assert r.status_code == 404
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.CreateThreads)
    r = await server.http.post(url, json={"name": "t"}, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    alice = await person(server, "alice")
    private = await dm(server, alice, rm.owner)
    dm_msg = await say(server, alice, private)
    r = await server.http.post(
        f"{API}/channels/{private}/messages/{dm_msg['id']}/threads", json={"name": "t"}, headers=alice.headers
    )
    assert r.status_code == 403
    assert await _channel_count(server) == before + 1  # only the DM
    await nothing_published(server)
