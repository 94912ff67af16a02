"""Using a slash command and answering it, over real HTTP and WebSockets: option values checked
against the declaration, INTERACTION_CREATE to the owning bot alone, Discord's callback types
(message, ephemeral, deferred then edited, autocomplete) and the token's rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select, update

from amityvox.db.schema import interactions, messages
from tests.activities.helpers import API, data, events
from tests.activities.test_bots import make_bot
from tests.commands.helpers import ROLL, BotRoom, bot_room, commands_url, join
from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.messages.helpers import Person, message_count


async def _registered(server: Server) -> BotRoom:
    br = await bot_room(server)
    data(await server.http.put(commands_url(br.bot.id), json=[ROLL], headers=br.bot.headers))
    assert [n for n, _ in await events(server)] == ["APPLICATION_COMMAND_CREATE"]
    return br


def _use(channel_id: str, *options: dict[str, Any], name: str = "roll", kind: int = 2) -> dict[str, Any]:
    return {"type": kind, "channel_id": channel_id, "data": {"name": name, "options": list(options)}}


async def _invoke(server: Server, who: Person, body: dict[str, Any]) -> Any:
    return await server.http.post(f"{API}/interactions", json=body, headers=who.headers)


async def _created(server: Server, br: BotRoom, who: Person | None = None, *options: dict[str, Any]) -> dict[str, Any]:
    """Use /roll (sides 20 unless other options are given); the INTERACTION_CREATE published."""
    use = _use(br.room.channel_id, *(options or ({"name": "sides", "value": 20},)))
    data(await _invoke(server, who or br.room.member, use))
    [(name, payload)] = await events(server)
    assert name == "INTERACTION_CREATE"
    return payload


def _callback(use: dict[str, Any]) -> str:
    return f"{API}/interactions/{use['id']}/{use['token']}/callback"


@asynccontextmanager
async def _sockets(server: Server, *people: Person) -> AsyncIterator[list[Raw]]:
    sockets = [await Raw.connect(server.url) for _ in people]
    try:
        for ws, who in zip(sockets, people, strict=True):
            await ws.identify(who.token)
            await ws.drain()
        yield sockets
    finally:
        for ws in sockets:
            await ws.close()


async def _heard(ws: Raw) -> list[str]:
    """The events routed to a session so far (everything before a heartbeat's answer)."""
    return [f["t"] for f in await ws.fence()]


async def test_options_are_typed_and_checked_against_the_declaration(server: Server) -> None:
    br = await _registered(server)
    rm = br.room
    use = await _created(server, br, rm.member, {"name": "sides", "value": "20"}, {"name": "label", "value": "init"})
    assert use["data"]["options"] == [{"name": "sides", "type": 4, "value": 20},
                                      {"name": "label", "type": 3, "value": "init"}]  # fmt: skip
    assert use["user_id"] == rm.member.id and use["application_id"] == br.bot.id and use["type"] == 2
    bad: list[tuple[tuple[dict[str, Any], ...], str]] = [
        ((), "missing_option"),
        (({"name": "sides", "value": 1},), "invalid_option"),  # below min_value
        (({"name": "sides", "value": 2.5},), "invalid_option"),
        (({"name": "sides", "value": "many"},), "invalid_option"),
        (({"name": "sides", "value": True},), "invalid_option"),
        (({"name": "sides", "value": 6}, {"name": "colour", "value": "red"}), "invalid_option"),
    ]
    for options, code in bad:
        r = await _invoke(server, rm.member, _use(rm.channel_id, *options))
        assert (r.status_code, r.json()["error"]["code"]) == (400, code), (options, r.text)
    r = await _invoke(server, rm.member, _use(rm.channel_id, name="nope"))
    assert r.status_code == 404
    assert await events(server) == []


async def test_user_channel_and_role_options_must_exist_in_the_guild(server: Server) -> None:
    br = await bot_room(server)
    rm = br.room
    who = {"name": "who", "description": "Who", "type": 6, "required": True}
    where = {"name": "where", "description": "Where", "type": 7}
    cmd = {"name": "poke", "description": "Poke", "options": [who, where]}
    data(await server.http.put(commands_url(br.bot.id), json=[cmd], headers=br.bot.headers))
    await events(server)
    r = await _invoke(server, rm.member, _use(rm.channel_id, {"name": "who", "value": rm.outsider.id}, name="poke"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_option")
    r = await _invoke(server, rm.member, _use(rm.channel_id, {"name": "who", "value": rm.owner.id},
                                              {"name": "where", "value": rm.owner.id}, name="poke"))  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_option")
    assert await events(server) == []
    options = ({"name": "who", "value": rm.owner.id.lower()}, {"name": "where", "value": rm.channel_id})
    data(await _invoke(server, rm.member, _use(rm.channel_id, *options, name="poke")))
    [(_, use)] = await events(server)
    assert [o["value"] for o in use["data"]["options"]] == [rm.owner.id, rm.channel_id]
    assert use["data"]["resolved"]["users"][rm.owner.id]["id"] == rm.owner.id
    assert use["data"]["resolved"]["channels"][rm.channel_id]["name"] == "general"


async def test_only_members_who_can_post_use_commands(server: Server) -> None:
    br = await _registered(server)
    rm = br.room
    r = await _invoke(server, rm.outsider, _use(rm.channel_id, {"name": "sides", "value": 6}))
    assert r.status_code == 404
    # A bot removed from the guild takes its commands with it.
    r = await server.http.delete(f"{API}/guilds/{rm.guild_id}/members/{br.bot.id}", headers=rm.owner.headers)
    assert r.status_code == 204, r.text
    await events(server)
    r = await _invoke(server, rm.member, _use(rm.channel_id, {"name": "sides", "value": 6}))
    assert r.status_code == 404
    assert [n for n, _ in await events(server)] == []


async def test_interaction_create_reaches_only_the_owning_bot(server: Server) -> None:
    br = await _registered(server)
    rm = br.room
    _, other_bot = await make_bot(server, rm.owner, "other-bot")
    await join(server, rm, other_bot)
    async with _sockets(server, br.bot, other_bot, rm.owner, rm.member, rm.outsider) as sockets:
        ws_bot, ws_other_bot, ws_owner, ws_member, ws_outsider = sockets
        data(await _invoke(server, rm.member, _use(rm.channel_id, {"name": "sides", "value": 20})))
        frame = await ws_bot.wait_for("INTERACTION_CREATE")
        use = frame["d"]
        assert use["data"]["name"] == "roll" and use["token"].startswith("ix.")
        await server.settle()
        for ws in (ws_other_bot, ws_owner, ws_member, ws_outsider):
            assert "INTERACTION_CREATE" not in await _heard(ws)

        # A public answer: a message in history, as the bot, saying who used which command.
        r = await server.http.post(_callback(use), json={"type": 4, "data": {"content": "You rolled 17"}})
        assert r.status_code == 204, r.text
        frame = await ws_member.wait_for("MESSAGE_CREATE")
        answer = frame["d"]
        assert answer["author_id"] == br.bot.id and answer["content"] == "You rolled 17"
        assert answer["interaction"] == {"id": use["id"], "name": "roll", "user_id": rm.member.id}
        await ws_owner.wait_for("MESSAGE_CREATE")
        history = data(await server.http.get(f"{API}/channels/{rm.channel_id}/messages", headers=rm.owner.headers))
        assert history[0]["id"] == answer["id"] and history[0]["interaction"] == answer["interaction"]

        # The token answers once.
        r = await server.http.post(_callback(use), json={"type": 4, "data": {"content": "again"}})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "interaction_already_acknowledged")


async def test_an_ephemeral_answer_reaches_only_the_user_and_stays_out_of_history(server: Server) -> None:
    br = await _registered(server)
    rm = br.room
    async with _sockets(server, br.bot, rm.owner, rm.member) as (ws_bot, ws_owner, ws_member):
        data(await _invoke(server, rm.member, _use(rm.channel_id, {"name": "sides", "value": 6})))
        use = (await ws_bot.wait_for("INTERACTION_CREATE"))["d"]
        before = await message_count(server, rm.channel_id)
        body = {"type": 4, "data": {"content": "Only you rolled 4", "flags": 64}}
        assert (await server.http.post(_callback(use), json=body)).status_code == 204
        frame = await ws_member.wait_for("EPHEMERAL_MESSAGE_CREATE")
        assert frame["d"]["content"] == "Only you rolled 4" and frame["d"]["flags"] == 64
        assert frame["d"]["interaction"]["user_id"] == rm.member.id
        await server.settle()
        for ws in (ws_owner, ws_bot):
            heard = await _heard(ws)
            assert "EPHEMERAL_MESSAGE_CREATE" not in heard and "MESSAGE_CREATE" not in heard
        assert await message_count(server, rm.channel_id) == before


async def test_a_deferred_answer_thinks_then_is_edited_and_followed_up(server: Server) -> None:
    br = await _registered(server)
    rm = br.room
    use = await _created(server, br)
    assert (await server.http.post(_callback(use), json={"type": 5})).status_code == 204
    [(name, thinking)] = await events(server)
    assert name == "MESSAGE_CREATE" and thinking["flags"] == 128 and thinking["content"] == ""
    hook = f"{API}/webhooks/{br.bot.id}/{use['token']}"
    edited = (await server.http.patch(f"{hook}/messages/@original", json={"content": "You rolled 9"})).json()
    assert edited["id"] == thinking["id"] and edited["content"] == "You rolled 9" and edited["flags"] == 0
    assert [n for n, _ in await events(server)] == ["MESSAGE_UPDATE"]
    r = await server.http.post(f"{hook}?wait=true", json={"content": "and again: 3"})
    assert r.status_code == 200, r.text
    assert r.json()["interaction"]["id"] == use["id"] and r.json()["author_id"] == br.bot.id
    r = await server.http.post(hook, json={"content": "secret", "flags": 64})
    assert r.status_code == 204
    assert [n for n, _ in await events(server)] == ["MESSAGE_CREATE", "EPHEMERAL_MESSAGE_CREATE"]
    # Another bot's id with this token, or a made-up token, finds nothing.
    _, other = await make_bot(server, rm.owner, "other-bot")
    assert (
        await server.http.post(f"{API}/webhooks/{other.id}/{use['token']}", json={"content": "x"})
    ).status_code == 404
    assert (await server.http.post(f"{hook}x", json={"content": "x"})).status_code == 404


async def test_autocomplete_choices_reach_only_the_member_typing(server: Server) -> None:
    br = await _registered(server)
    rm = br.room
    options = ({"name": "sides", "value": 20}, {"name": "label", "value": "in", "focused": True})
    data(await _invoke(server, rm.member, _use(rm.channel_id, *options, kind=4)))
    [(_, use)] = await events(server)
    assert use["type"] == 4 and use["data"]["options"][1] == {"name": "label", "type": 3, "value": "in",
                                                              "focused": True}  # fmt: skip
    # A command callback does not answer autocomplete, nor the other way round.
    r = await server.http.post(_callback(use), json={"type": 4, "data": {"content": "no"}})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_callback")
    choices = [{"name": "Initiative", "value": "initiative"}]
    assert (await server.http.post(_callback(use), json={"type": 8, "data": {"choices": choices}})).status_code == 204
    assert await events(server) == [
        ("APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE", {"interaction_id": use["id"], "user_id": rm.member.id,
                                                       "choices": choices})
    ]  # fmt: skip
    # Focusing an option that does not autocomplete is refused.
    r = await _invoke(server, rm.member, _use(rm.channel_id, {"name": "sides", "value": 2, "focused": True}, kind=4))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_option")


@pytest.mark.parametrize("when", ["callback", "followup"])
async def test_expired_tokens_are_refused(server: Server, when: str) -> None:
    br = await _registered(server)
    use = await _created(server, br)
    if when == "followup":
        assert (await server.http.post(_callback(use), json={"type": 5})).status_code == 204
        await events(server)
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            update(interactions).where(interactions.c.id == use["id"]).values(expires_at="2000-01-01T00:00:00.000000Z")
        )
    before = await message_count(server)
    if when == "callback":
        r = await server.http.post(_callback(use), json={"type": 4, "data": {"content": "late"}})
    else:
        r = await server.http.post(f"{API}/webhooks/{br.bot.id}/{use['token']}", json={"content": "late"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "interaction_expired")
    assert await message_count(server) == before and await events(server) == []


async def test_a_wrong_token_answers_nothing(server: Server) -> None:
    br = await _registered(server)
    use = await _created(server, br)
    forged = {**use, "token": use["token"][:-4] + "AAAA"}
    r = await server.http.post(_callback(forged), json={"type": 4, "data": {"content": "forged"}})
    assert r.status_code == 404
    async with server.ctx.db.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(messages)) == 0
        assert await conn.scalar(select(interactions.c.responded_at).where(interactions.c.id == use["id"])) is None
