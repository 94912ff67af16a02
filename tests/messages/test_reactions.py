"""Reactions: add, remove, remove someone's, clear; every event carries the new count."""

from __future__ import annotations

from urllib.parse import quote

from amityvox import permissions as P
from amityvox.services.reactions import check_emoji
from tests.conftest import Server
from tests.messages.helpers import API, error_code, nothing_published, overwrite, reaction_count, room, say

THUMBS = "\U0001f44d"
HEART = "\u2764\ufe0f"


def _url(channel_id: str, message_id: str, emoji: str | None = None, user_id: str | None = None) -> str:
    out = f"{API}/channels/{channel_id}/messages/{message_id}/reactions"
    if emoji is not None:
        out += "/" + quote(emoji, safe="")
    if user_id is not None:
        out += f"/{user_id}"
    return out


async def test_reacting_publishes_the_new_count_once(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    msg = await say(s, rm.owner, rm.channel_id)
    for who in (rm.owner, rm.member, rm.member):  # the member's second reaction is a no-op
        assert (await s.http.put(_url(rm.channel_id, msg["id"], THUMBS), headers=who.headers)).status_code == 204
    await s.settle()
    base = {"message_id": msg["id"], "channel_id": rm.channel_id, "guild_id": rm.guild_id, "emoji": THUMBS}
    assert s.recorder.of("MESSAGE_REACTION_ADD") == [
        {**base, "user_id": rm.owner.id, "count": 1, "reactions": [{"emoji": THUMBS, "count": 1}]},
        {**base, "user_id": rm.member.id, "count": 2, "reactions": [{"emoji": THUMBS, "count": 2}]},
    ]
    assert s.recorder.names(ignore="NOTIFICATION_") == ["MESSAGE_REACTION_ADD"] * 2
    r = await s.http.get(f"{API}/channels/{rm.channel_id}/messages/{msg['id']}", headers=rm.member.headers)
    assert r.json()["data"]["reactions"] == [{"emoji": THUMBS, "count": 2, "me": True}]
    r = await s.http.get(f"{API}/channels/{rm.channel_id}/messages", headers=rm.outsider.headers)
    assert r.status_code == 404

    s.recorder.clear()
    assert (await s.http.delete(_url(rm.channel_id, msg["id"], THUMBS), headers=rm.member.headers)).status_code == 204
    assert (await s.http.delete(_url(rm.channel_id, msg["id"], THUMBS), headers=rm.member.headers)).status_code == 204
    await s.settle()
    assert s.recorder.of("MESSAGE_REACTION_REMOVE") == [
        {**base, "user_id": rm.member.id, "count": 1, "reactions": [{"emoji": THUMBS, "count": 1}]}
    ]
    assert s.recorder.names(ignore="NOTIFICATION_") == ["MESSAGE_REACTION_REMOVE"]
    r = await s.http.get(f"{API}/channels/{rm.channel_id}/messages/{msg['id']}", headers=rm.member.headers)
    assert r.json()["data"]["reactions"] == [{"emoji": THUMBS, "count": 1, "me": False}]


async def test_reacting_needs_add_reactions_and_a_valid_emoji(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    r = await server.http.put(_url(rm.channel_id, msg["id"], THUMBS), headers=rm.outsider.headers)
    assert r.status_code == 404
    ghost = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    for bad in ("lol", "a b", "<:x:1>", "x" * 40, f"party:{ghost}", "\u200b"):
        r = await server.http.put(_url(rm.channel_id, msg["id"], bad), headers=rm.member.headers)
        assert r.status_code == 400, (bad, r.text)
        assert error_code(r) in ("invalid_emoji", "unknown_emoji")
    r = await server.http.put(_url(rm.channel_id, ghost, THUMBS), headers=rm.member.headers)
    assert r.status_code == 404
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.AddReactions)
    r = await server.http.put(_url(rm.channel_id, msg["id"], THUMBS), headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert await reaction_count(server) == 0
    await nothing_published(server)


async def test_custom_emoji_must_belong_to_the_guild(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/emoji", json={"name": "party"}, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    emoji_id = r.json()["data"]["id"]
    await server.settle()
    server.recorder.clear()
    r = await server.http.put(_url(rm.channel_id, msg["id"], f"wrongname:{emoji_id}"), headers=rm.member.headers)
    assert r.status_code == 400 and error_code(r) == "unknown_emoji"
    r = await server.http.put(_url(rm.channel_id, msg["id"], f"party:{emoji_id}"), headers=rm.member.headers)
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.of("MESSAGE_REACTION_ADD")[0]["emoji"] == f"party:{emoji_id}"


async def test_removing_someone_elses_reaction_needs_manage_messages(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    await server.http.put(_url(rm.channel_id, msg["id"], THUMBS), headers=rm.owner.headers)
    await server.http.put(_url(rm.channel_id, msg["id"], THUMBS), headers=rm.member.headers)
    await server.settle()
    server.recorder.clear()
    r = await server.http.delete(_url(rm.channel_id, msg["id"], THUMBS, rm.owner.id), headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert await reaction_count(server) == 2
    await nothing_published(server)

    r = await server.http.delete(_url(rm.channel_id, msg["id"], THUMBS, "@me"), headers=rm.member.headers)
    assert r.status_code == 204
    r = await server.http.delete(_url(rm.channel_id, msg["id"], THUMBS, rm.owner.id), headers=rm.owner.headers)
    assert r.status_code == 204
    await server.settle()
    assert [(e["user_id"], e["count"]) for e in server.recorder.of("MESSAGE_REACTION_REMOVE")] == [
        (rm.member.id, 1),
        (rm.owner.id, 0),
    ]


async def test_clearing_reactions_all_or_one_emoji_is_for_moderators(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    for emoji in (THUMBS, HEART):
        for who in (rm.owner, rm.member):
            assert (
                await server.http.put(_url(rm.channel_id, msg["id"], emoji), headers=who.headers)
            ).status_code == 204
    await server.settle()
    server.recorder.clear()
    r = await server.http.delete(_url(rm.channel_id, msg["id"]), headers=rm.member.headers)
    assert r.status_code == 403
    assert await reaction_count(server) == 4
    await nothing_published(server)

    r = await server.http.delete(_url(rm.channel_id, msg["id"]), params={"emoji": HEART}, headers=rm.owner.headers)
    assert r.status_code == 204
    assert await reaction_count(server) == 2
    r = await server.http.delete(_url(rm.channel_id, msg["id"]), headers=rm.owner.headers)
    assert r.status_code == 204
    r = await server.http.delete(_url(rm.channel_id, msg["id"]), headers=rm.owner.headers)  # nothing left
    assert r.status_code == 204
    await server.settle()
    base = {"message_id": msg["id"], "channel_id": rm.channel_id, "guild_id": rm.guild_id}
    assert server.recorder.of("MESSAGE_REACTION_CLEAR") == [{**base, "emoji": HEART}, base]
    assert server.recorder.names(ignore="NOTIFICATION_") == ["MESSAGE_REACTION_CLEAR"] * 2
    assert await reaction_count(server) == 0


def test_emoji_syntax() -> None:
    for good in (THUMBS, HEART, "\U0001f1eb\U0001f1f7", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "#\ufe0f\u20e3"):
        assert check_emoji(good) == good
    for bad in ("", "ok", ":)", "a:b", "\U0001f44d \U0001f44d", "<\U0001f44d>", "\U0001f44d" * 33):
        try:
            check_emoji(bad)
        except Exception as exc:
            assert getattr(exc, "code", None) == "invalid_emoji"
        else:
            raise AssertionError(f"{bad!r} accepted")
