"""Posting, reading, editing and deleting messages over real HTTP, with the events each publishes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from amityvox import permissions as P
from amityvox.db.schema import channels, guild_members, messages
from amityvox.ids import iso, utcnow
from tests.conftest import Server
from tests.messages.helpers import (
    API,
    dm,
    error_code,
    message_count,
    nothing_published,
    overwrite,
    patch_channel,
    person,
    post,
    room,
    say,
)


async def test_post_publishes_the_whole_message_and_echoes_the_nonce(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    r = await post(s, rm.member, rm.channel_id, "hi there", nonce="n-1")
    assert r.status_code == 201, r.text
    msg = r.json()["data"]
    assert msg["content"] == "hi there" and msg["nonce"] == "n-1"
    assert msg["author_id"] == rm.member.id and msg["author"]["username"] == "member"
    assert msg["guild_id"] == rm.guild_id and msg["channel_id"] == rm.channel_id
    assert msg["reactions"] == [] and msg["pinned"] is False and msg["message_type"] == "default"
    assert "edited_at" not in msg and "reply_to_ids" not in msg and "thread_id" not in msg
    await s.settle()
    assert s.recorder.names() == ["MESSAGE_CREATE"]
    assert s.recorder.of("MESSAGE_CREATE")[0] == msg

    async with s.ctx.db.read() as conn:
        last = await conn.scalar(select(channels.c.last_message_id).where(channels.c.id == rm.channel_id))
        active = await conn.scalar(
            select(guild_members.c.last_active_at).where(
                guild_members.c.guild_id == rm.guild_id, guild_members.c.user_id == rm.member.id
            )
        )
    assert last == msg["id"] and active is not None
    # The nonce is not stored: a later read does not carry it.
    r = await s.http.get(f"{API}/channels/{rm.channel_id}/messages/{msg['id']}", headers=rm.member.headers)
    assert "nonce" not in r.json()["data"]
    # The author has read their own message.
    state = await s.http.get(f"{API}/users/@me/read-state", headers=rm.member.headers)
    [entry] = [e for e in state.json()["data"] if e["channel_id"] == rm.channel_id]
    assert entry == {"channel_id": rm.channel_id, "last_message_id": msg["id"], "unread_count": 0, "mention_count": 0}


async def test_posting_marks_an_inactive_member_active_once_an_hour(server: Server) -> None:
    """Pruning counts days without a message: a post brings an old mark up to date, and further
    posts within the hour leave it (no write per message)."""
    rm = await room(server)
    where = (guild_members.c.guild_id == rm.guild_id) & (guild_members.c.user_id == rm.member.id)

    async def mark() -> str:
        async with server.ctx.db.read() as conn:
            return str(await conn.scalar(select(guild_members.c.last_active_at).where(where)))

    days_ago = iso(utcnow() - timedelta(days=3))
    async with server.ctx.db.begin() as conn:
        await conn.execute(update(guild_members).where(where).values(last_active_at=days_ago))
    first = (await post(server, rm.member, rm.channel_id, "back again")).json()["data"]
    assert await mark() == first["created_at"]
    await post(server, rm.member, rm.channel_id, "and again")
    assert await mark() == first["created_at"]
    hour_ago = iso(utcnow() - timedelta(hours=1, minutes=1))
    async with server.ctx.db.begin() as conn:
        await conn.execute(update(guild_members).where(where).values(last_active_at=hour_ago))
    later = (await post(server, rm.member, rm.channel_id, "an hour on")).json()["data"]
    assert await mark() == later["created_at"]


async def test_bad_content_is_refused_and_nothing_is_written(server: Server) -> None:
    rm = await room(server)
    cases = [
        ({"content": ""}, "empty_message"),
        ({"content": "   \n\t"}, "empty_message"),
        ({"content": "x" * 4001}, "validation_error"),
        ({"content": "hi", "nonce": "n" * 65}, "validation_error"),
        ({"content": "hi", "reply_to_ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"] * 1}, "unknown_message"),
        ({"content": "hi", "reply_to_ids": [f"01ARZ3NDEKTSV4RRFFQ69G5FA{i}" for i in range(6)]}, "validation_error"),
        ({"content": "hi", "embeds": [{"url": "javascript:alert(1)", "type": "rich"}]}, "validation_error"),
        ({"content": "hi", "attachments": [{"filename": "a.png"}]}, "validation_error"),
        ({"content": "hi", "colour": "red"}, "validation_error"),
    ]
    for body, code in cases:
        r = await server.http.post(f"{API}/channels/{rm.channel_id}/messages", json=body, headers=rm.member.headers)
        assert r.status_code == 400, (body, r.text)
        assert error_code(r) == code, (body, r.text)
    assert await message_count(server) == 0
    await nothing_published(server)


async def test_content_may_be_empty_with_an_embed(server: Server) -> None:
    rm = await room(server)
    embed = {"url": "https://example.org/", "type": "rich", "title": "Example"}
    r = await post(server, rm.member, rm.channel_id, "", embeds=[embed])
    assert r.status_code == 201, r.text
    assert r.json()["data"]["embeds"] == [embed]


async def test_outsiders_and_members_without_send_permission_cannot_post(server: Server) -> None:
    rm = await room(server)
    r = await post(server, rm.outsider, rm.channel_id)
    assert r.status_code == 404 and error_code(r) == "not_found"
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.SendMessages)
    r = await post(server, rm.member, rm.channel_id)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await post(server, rm.member, rm.channel_id, "x", embeds=[{"url": "https://a.example/", "type": "rich"}])
    assert r.status_code == 403
    assert await message_count(server) == 0
    await nothing_published(server)


async def test_embeds_need_embed_links(server: Server) -> None:
    rm = await room(server)
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.EmbedLinks)
    r = await post(server, rm.member, rm.channel_id, "x", embeds=[{"url": "https://a.example/", "type": "rich"}])
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert await message_count(server) == 0
    await nothing_published(server)


async def test_locked_channels_take_posts_from_moderators_only(server: Server) -> None:
    rm = await room(server)
    await patch_channel(server, rm, locked=True)
    r = await post(server, rm.member, rm.channel_id)
    assert r.status_code == 403 and error_code(r) == "channel_locked"
    assert await message_count(server) == 0
    await nothing_published(server)
    r = await post(server, rm.owner, rm.channel_id, "announcement")
    assert r.status_code == 201
    await server.settle()
    assert server.recorder.names() == ["MESSAGE_CREATE"]


async def test_slowmode_limits_members_but_not_moderators(server: Server) -> None:
    rm = await room(server)
    await patch_channel(server, rm, slowmode_seconds=60)
    await say(server, rm.member, rm.channel_id, "first")
    r = await post(server, rm.member, rm.channel_id, "second")
    assert r.status_code == 429 and error_code(r) == "rate_limited"
    assert 58 <= r.json()["error"]["retry_after"] <= 60
    assert await message_count(server) == 1
    await nothing_published(server)
    for text in ("one", "two"):
        assert (await post(server, rm.owner, rm.channel_id, text)).status_code == 201


async def test_voice_and_category_channels_hold_no_messages(server: Server) -> None:
    rm = await room(server)
    for kind in ("voice", "category"):
        r = await server.http.post(
            f"{API}/guilds/{rm.guild_id}/channels", json={"name": kind, "channel_type": kind}, headers=rm.owner.headers
        )
        assert r.status_code == 201, r.text
        await server.settle()
        server.recorder.clear()
        r = await post(server, rm.owner, r.json()["data"]["id"])
        assert r.status_code == 400 and error_code(r) == "invalid_channel_type"
    assert await message_count(server) == 0
    await nothing_published(server)


async def test_mentions_name_real_users_and_guild_roles_and_here_needs_permission(server: Server) -> None:
    rm = await room(server)
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/roles", json={"name": "crew"}, headers=rm.owner.headers)
    role_id = r.json()["data"]["id"]
    ghost = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    text = f"hey <@{rm.member.id}> <@{ghost}> <@&{role_id}> <@&{ghost}> <@{rm.member.id}> @here"
    msg = await say(server, rm.owner, rm.channel_id, text)
    assert msg["mention_user_ids"] == [rm.member.id]
    assert msg["mention_role_ids"] == [role_id]
    assert msg["mention_here"] is True
    # A member without MentionHere may write @everyone; it just mentions nobody.
    msg = await say(server, rm.member, rm.channel_id, "@everyone look")
    assert msg["mention_here"] is False


async def test_replies_must_point_into_the_same_channel(server: Server) -> None:
    rm = await room(server)
    first = await say(server, rm.member, rm.channel_id, "question")
    other = await dm(server, rm.owner, rm.member)
    elsewhere = await say(server, rm.member, other, "private")
    r = await post(server, rm.owner, rm.channel_id, "answer", reply_to_ids=[first["id"], elsewhere["id"]])
    assert r.status_code == 400 and error_code(r) == "unknown_message"
    await nothing_published(server)
    r = await post(server, rm.owner, rm.channel_id, "answer", reply_to_ids=[first["id"]])
    assert r.status_code == 201 and r.json()["data"]["reply_to_ids"] == [first["id"]]


async def test_history_pages_newest_first_and_forward_oldest_first(server: Server) -> None:
    rm = await room(server)
    ids = [(await say(server, rm.member, rm.channel_id, f"m{i}"))["id"] for i in range(5)]
    url = f"{API}/channels/{rm.channel_id}/messages"
    h = rm.owner.headers
    page = (await server.http.get(url, headers=h)).json()["data"]
    assert [m["id"] for m in page] == ids[::-1]
    page = (await server.http.get(url, params={"limit": 2, "before": ids[3]}, headers=h)).json()["data"]
    assert [m["id"] for m in page] == [ids[2], ids[1]]
    page = (await server.http.get(url, params={"limit": 2, "after": ids[1]}, headers=h)).json()["data"]
    assert [m["id"] for m in page] == [ids[2], ids[3]]
    page = (await server.http.get(url, params={"after": ids[0], "before": ids[3]}, headers=h)).json()["data"]
    assert [m["id"] for m in page] == [ids[1], ids[2]]
    for params in ({"limit": 0}, {"limit": 101}, {"before": "not-an-id"}, {"after": "x"}):
        r = await server.http.get(url, params=params, headers=h)
        assert r.status_code == 400, params
    r = await server.http.get(f"{url}/{ids[0]}", headers=h)
    assert r.status_code == 200 and r.json()["data"]["content"] == "m0"
    for missing in ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "nonsense"):
        r = await server.http.get(f"{url}/{missing}", headers=h)
        assert r.status_code == 404


async def test_reading_history_needs_read_history(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.ReadHistory)
    for url in (f"/channels/{rm.channel_id}/messages", f"/channels/{rm.channel_id}/messages/{msg['id']}"):
        r = await server.http.get(API + url, headers=rm.member.headers)
        assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.get(f"{API}/channels/{rm.channel_id}/messages", headers=rm.outsider.headers)
    assert r.status_code == 404


async def test_only_the_author_edits_and_edits_reparse_mentions(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.member, rm.channel_id, f"hi <@{rm.owner.id}>")
    url = f"{API}/channels/{rm.channel_id}/messages/{msg['id']}"
    r = await server.http.patch(url, json={"content": "hijacked"}, headers=rm.owner.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.patch(url, json={"content": " "}, headers=rm.member.headers)
    assert r.status_code == 400
    await nothing_published(server)

    r = await server.http.patch(url, json={"content": "never mind"}, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    edited = r.json()["data"]
    assert edited["content"] == "never mind" and edited["mention_user_ids"] == [] and "edited_at" in edited
    await server.settle()
    assert server.recorder.names() == ["MESSAGE_UPDATE"]
    update = server.recorder.of("MESSAGE_UPDATE")[0]
    assert (
        update["id"] == msg["id"] and update["content"] == "never mind" and update["edited_at"] == edited["edited_at"]
    )


async def test_delete_by_author_or_message_manager_only(server: Server) -> None:
    rm = await room(server)
    mine = await say(server, rm.member, rm.channel_id, "mine")
    theirs = await say(server, rm.owner, rm.channel_id, "theirs")
    base = f"{API}/channels/{rm.channel_id}/messages"
    r = await server.http.delete(f"{base}/{theirs['id']}", headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.delete(f"{base}/{theirs['id']}", headers=rm.outsider.headers)
    assert r.status_code == 404
    assert await message_count(server) == 2
    await nothing_published(server)

    assert (await server.http.delete(f"{base}/{mine['id']}", headers=rm.member.headers)).status_code == 204
    assert (await server.http.delete(f"{base}/{theirs['id']}", headers=rm.owner.headers)).status_code == 204
    await server.settle()
    assert server.recorder.of("MESSAGE_DELETE") == [
        {"id": mine["id"], "channel_id": rm.channel_id, "guild_id": rm.guild_id},
        {"id": theirs["id"], "channel_id": rm.channel_id, "guild_id": rm.guild_id},
    ]
    assert await message_count(server) == 0
    r = await server.http.delete(f"{base}/{mine['id']}", headers=rm.member.headers)
    assert r.status_code == 404


async def test_bulk_delete_is_all_or_nothing(server: Server) -> None:
    rm = await room(server)
    ids = [(await say(server, rm.member, rm.channel_id, f"m{i}"))["id"] for i in range(3)]
    other = await dm(server, rm.owner, rm.member)
    foreign = (await say(server, rm.owner, other, "elsewhere"))["id"]
    url = f"{API}/channels/{rm.channel_id}/messages/bulk-delete"
    bad = [[ids[0]], [ids[0], ids[0]], [ids[0], foreign], [ids[0], "01ARZ3NDEKTSV4RRFFQ69G5FAV"], ids * 34]
    for message_ids in bad:
        r = await server.http.post(url, json={"message_ids": message_ids}, headers=rm.owner.headers)
        assert r.status_code == 400, (message_ids, r.text)
    await server.http.post(url, json={"message_ids": ids[:2]}, headers=rm.outsider.headers)
    owners = (await say(server, rm.owner, rm.channel_id, "owner's"))["id"]
    r = await server.http.post(url, json={"message_ids": [ids[0], owners]}, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert await message_count(server) == 5
    await nothing_published(server)

    r = await server.http.post(url, json={"message_ids": [ids[0], owners]}, headers=rm.owner.headers)
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.of("MESSAGE_DELETE_BULK") == [
        {"message_ids": [ids[0], owners], "channel_id": rm.channel_id, "guild_id": rm.guild_id}
    ]
    # Authors may bulk-delete their own messages without ManageMessages.
    server.recorder.clear()
    r = await server.http.post(url, json={"message_ids": ids[1:]}, headers=rm.member.headers)
    assert r.status_code == 204
    assert await message_count(server, rm.channel_id) == 0


async def test_dm_messages_work_the_same_without_guild_id(any_db_server: Server) -> None:
    s = any_db_server
    alice = await person(s, "alice")
    bob = await person(s, "bob")
    eve = await person(s, "eve")
    channel_id = await dm(s, alice, bob)
    r = await post(s, eve, channel_id)
    assert r.status_code == 404
    msg = await say(s, alice, channel_id, "@everyone hi bob")
    assert "guild_id" not in msg and msg["mention_here"] is False
    url = f"{API}/channels/{channel_id}/messages/{msg['id']}"
    assert (await s.http.patch(url, json={"content": "edited"}, headers=alice.headers)).status_code == 200
    assert (await s.http.put(f"{url}/reactions/%F0%9F%91%8D", headers=bob.headers)).status_code == 204
    second = await say(s, bob, channel_id, "two")
    third = await say(s, bob, channel_id, "three")
    r = await s.http.post(
        f"{API}/channels/{channel_id}/messages/bulk-delete",
        json={"message_ids": [second["id"], third["id"]]},
        headers=bob.headers,
    )
    assert r.status_code == 204
    assert (await s.http.delete(url, headers=alice.headers)).status_code == 204
    await s.settle()
    assert s.recorder.names() == ["MESSAGE_DELETE_BULK", "MESSAGE_DELETE"]
    assert s.recorder.of("MESSAGE_DELETE") == [{"id": msg["id"], "channel_id": channel_id}]
    assert s.recorder.of("MESSAGE_DELETE_BULK")[0] == {
        "message_ids": [second["id"], third["id"]],
        "channel_id": channel_id,
    }
    async with s.ctx.db.read() as conn:
        assert await conn.scalar(select(messages.c.id).where(messages.c.channel_id == channel_id)) is None
