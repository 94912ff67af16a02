"""Pins: pin and unpin with CHANNEL_PINS_UPDATE, idempotent, at most 50 per channel."""

from __future__ import annotations

from sqlalchemy import update

from amityvox.db.schema import messages
from amityvox.ids import now_iso
from tests.conftest import Server
from tests.messages.helpers import API, dm, error_code, nothing_published, person, room, say


async def test_pin_and_unpin_publish_and_set_the_flag(server: Server) -> None:
    rm = await room(server)
    first = await say(server, rm.member, rm.channel_id, "first")
    second = await say(server, rm.member, rm.channel_id, "second")
    pins = f"{API}/channels/{rm.channel_id}/pins"
    for msg in (first, second, second):  # pinning twice changes nothing
        assert (await server.http.put(f"{pins}/{msg['id']}", headers=rm.owner.headers)).status_code == 204
    await server.settle()
    events = server.recorder.of("CHANNEL_PINS_UPDATE")
    assert server.recorder.names() == ["CHANNEL_PINS_UPDATE"] * 2
    assert [(e["message_id"], e["pinned"], e["guild_id"]) for e in events] == [
        (first["id"], True, rm.guild_id),
        (second["id"], True, rm.guild_id),
    ]
    r = await server.http.get(pins, headers=rm.member.headers)
    assert [(m["id"], m["pinned"]) for m in r.json()["data"]] == [(second["id"], True), (first["id"], True)]

    server.recorder.clear()
    for msg in (second, second):
        assert (await server.http.delete(f"{pins}/{msg['id']}", headers=rm.owner.headers)).status_code == 204
    await server.settle()
    assert server.recorder.of("CHANNEL_PINS_UPDATE") == [
        {
            "channel_id": rm.channel_id,
            "guild_id": rm.guild_id,
            "message_id": second["id"],
            "pinned": False,
            "last_pin_at": events[0]["last_pin_at"],
        }
    ]
    r = await server.http.get(f"{API}/channels/{rm.channel_id}/messages/{second['id']}", headers=rm.member.headers)
    assert r.json()["data"]["pinned"] is False


async def test_pinning_needs_manage_messages_in_guilds(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    pins = f"{API}/channels/{rm.channel_id}/pins"
    r = await server.http.put(f"{pins}/{msg['id']}", headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.put(f"{pins}/{msg['id']}", headers=rm.outsider.headers)
    assert r.status_code == 404
    r = await server.http.put(f"{pins}/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=rm.owner.headers)
    assert r.status_code == 404
    assert (await server.http.get(pins, headers=rm.owner.headers)).json()["data"] == []
    await nothing_published(server)


async def test_a_channel_holds_at_most_fifty_pins(server: Server) -> None:
    rm = await room(server)
    ids = [(await say(server, rm.owner, rm.channel_id, f"m{i}"))["id"] for i in range(2)]
    async with server.ctx.db.begin() as conn:  # 50 pins without 50 round trips
        await conn.execute(update(messages).where(messages.c.id == ids[0]).values(pinned=True, pinned_at=now_iso()))
        for i in range(49):
            await conn.execute(
                messages.insert().values(
                    id=f"01ARZ3NDEKTSV4RRFFQ69G{i:04d}",
                    channel_id=rm.channel_id,
                    guild_id=rm.guild_id,
                    author_id=rm.owner.id,
                    content="old",
                    message_type="default",
                    flags=0,
                    mention_user_ids=[],
                    mention_role_ids=[],
                    mention_here=False,
                    attachments=[],
                    embeds=[],
                    pinned=True,
                    pinned_at=now_iso(),
                    created_at=now_iso(),
                )
            )
    r = await server.http.put(f"{API}/channels/{rm.channel_id}/pins/{ids[1]}", headers=rm.owner.headers)
    assert r.status_code == 400 and error_code(r) == "limit_reached"
    await nothing_published(server)


async def test_dm_recipients_may_pin(server: Server) -> None:
    alice = await person(server, "alice")
    bob = await person(server, "bob")
    channel_id = await dm(server, alice, bob)
    msg = await say(server, alice, channel_id)
    r = await server.http.put(f"{API}/channels/{channel_id}/pins/{msg['id']}", headers=bob.headers)
    assert r.status_code == 204
    await server.settle()
    [event] = server.recorder.of("CHANNEL_PINS_UPDATE")
    assert "guild_id" not in event and event["pinned"] is True
