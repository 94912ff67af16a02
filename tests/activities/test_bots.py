"""Bots: accounts, tokens, presence, and component clicks reaching only the bot (over real WebSockets)."""

from __future__ import annotations

from typing import Any

from amityvox.db.schema import auth_sessions, bot_presences, users
from amityvox.events import catalog
from amityvox.services.bots import BOT_FLAG
from tests.activities.helpers import API, data, events, hide, refused, rows
from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.guilds.helpers import join as join_guild
from tests.messages.helpers import Person, person, room, say


async def make_bot(server: Server, owner: Person, username: str = "helper-bot") -> tuple[dict[str, Any], Person]:
    bot = data(await server.http.post(f"{API}/users/@me/bots", json={"username": username}, headers=owner.headers), 201)
    issued = data(await server.http.post(f"{API}/bots/{bot['user']['id']}/tokens", headers=owner.headers), 201)
    return bot, Person(bot["user"]["id"], issued["token"])


async def test_bot_accounts_and_tokens(server: Server) -> None:
    alice = await person(server, "alice")
    bob = await person(server, "bob")
    users_before = await rows(server, users)
    for bad, status, code in (("x", 400, "validation_error"), ("bob", 409, "username_taken"),
                              ("a b", 400, "validation_error")):  # fmt: skip
        r = await server.http.post(f"{API}/users/@me/bots", json={"username": bad}, headers=alice.headers)
        await refused(server, r, status, code)
    assert await rows(server, users) == users_before

    bot = data(await server.http.post(f"{API}/users/@me/bots", json={"username": "helper-bot"},
                                      headers=alice.headers), 201)  # fmt: skip
    user = bot["user"]
    assert user["bot_owner_id"] == alice.id and user["flags"] & BOT_FLAG and user["username"] == "helper-bot"
    assert bot["presence"] == {"bot_id": user["id"], "status": "offline"}
    assert await events(server) == []
    # /users/@me/bots is not taken for a user id, and /users/{id} still answers.
    assert data(await server.http.get(f"{API}/users/@me/bots", headers=alice.headers)) == [bot]
    assert data(await server.http.get(f"{API}/users/@me/bots", headers=bob.headers)) == []
    assert data(await server.http.get(f"{API}/users/{user['id']}", headers=bob.headers))["bot_owner_id"] == alice.id

    # A bot has no password: no login works, whatever is tried.
    for password in ("", "correct horse", "helper-bot"):
        r = await server.http.post(f"{API}/auth/login", json={"username": "helper-bot", "password": password})
        assert r.status_code in (400, 401) and r.json()["error"]["code"] in ("invalid_credentials", "validation_error")

    tokens = f"{API}/bots/{user['id']}/tokens"
    sessions_before = await rows(server, auth_sessions)
    await refused(server, await server.http.post(tokens, headers=bob.headers), 403, "missing_permission")
    await refused(server, await server.http.post(f"{API}/bots/{bob.id}/tokens", headers=bob.headers), 404, "not_found")
    assert await rows(server, auth_sessions) == sessions_before
    issued = data(await server.http.post(tokens, headers=alice.headers), 201)
    assert len(issued["token"]) == 64 and issued["user"]["id"] == user["id"]
    bot_person = Person(user["id"], issued["token"])
    me = data(await server.http.get(f"{API}/users/@me", headers=bot_person.headers))
    assert me["id"] == user["id"] and me["bot_owner_id"] == alice.id
    # The bot itself may neither mint tokens nor own bots.
    await refused(server, await server.http.post(tokens, headers=bot_person.headers), 403, "missing_permission")
    r = await server.http.post(f"{API}/users/@me/bots", json={"username": "sub-bot"}, headers=bot_person.headers)
    await refused(server, r, 403, "bots_cannot_own_bots")


async def test_presence_and_interactions_reach_the_right_sessions(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    bot, bot_person = await make_bot(server, rm.owner)
    await join_guild(server, rm.owner.token, rm.guild_id, bot_person.token)
    bot_message = await say(server, bot_person, rm.channel_id, "Vote: [yes] [no]")
    human_message = await say(server, rm.member, rm.channel_id, "no buttons here")

    ws_bot, ws_member, ws_outsider = [await Raw.connect(server.url) for _ in range(3)]
    sockets = [ws_bot, ws_member, ws_outsider]
    try:
        await ws_bot.identify(bot_person.token)
        await ws_member.identify(rm.member.token)
        await ws_outsider.identify(rm.outsider.token)
        for ws in sockets:
            await ws.drain()
        await server.settle()
        server.recorder.clear()

        # Presence: set by the owner and by the bot itself; co-members hear it, strangers do not.
        presence = f"{API}/bots/{bot_person.id}/presence"
        body = {"status": "idle", "activity": {"type": "playing", "name": "with buttons"}}
        got = data(await server.http.put(presence, json=body, headers=rm.owner.headers))
        expect = {"bot_id": bot_person.id, **body}
        assert got == expect and await events(server) == [("BOT_PRESENCE_UPDATE", expect)]
        frame = await ws_member.wait_for("BOT_PRESENCE_UPDATE")
        assert frame["d"] == expect
        data(await server.http.put(presence, json={"status": "busy"}, headers=bot_person.headers))
        assert await events(server) == [("BOT_PRESENCE_UPDATE", {"bot_id": bot_person.id, "status": "busy"})]
        await refused(server, await server.http.put(presence, json=body, headers=rm.member.headers), 403,
                      "missing_permission")  # fmt: skip
        r = await server.http.put(presence, json={"status": "invisible"}, headers=rm.owner.headers)
        await refused(server, r, 400, "validation_error")
        r = await server.http.put(f"{API}/bots/{rm.member.id}/presence", json=body, headers=rm.member.headers)
        await refused(server, r, 404, "not_found")
        listed = data(await server.http.get(f"{API}/users/@me/bots", headers=rm.owner.headers))
        assert listed == [{"user": bot["user"], "presence": {"bot_id": bot_person.id, "status": "busy"}}]
        assert await rows(server, bot_presences) == 1

        # A click on the bot's message goes to the bot's sessions only, on a subject under amityvox.
        click = {"message_id": bot_message["id"], "channel_id": rm.channel_id, "custom_id": "vote:yes",
                 "component_type": "button"}  # fmt: skip
        answered = data(await server.http.post(f"{API}/bots/interactions", json=click, headers=rm.member.headers))
        expect_click = {**click, "user_id": rm.member.id, "values": [], "bot_id": bot_person.id}
        assert answered == expect_click
        await server.settle()
        [env] = server.recorder.events
        assert (env.name, env.subject, env.data) == (
            "COMPONENT_INTERACTION", "amityvox.bot.component_interaction", expect_click,
        )  # fmt: skip
        assert catalog.get("COMPONENT_INTERACTION").subject.startswith(catalog.SUBJECT_PREFIX)
        server.recorder.clear()
        frame = await ws_bot.wait_for("COMPONENT_INTERACTION")
        assert frame["d"] == expect_click

        select = {**click, "component_type": "select", "custom_id": "pick", "values": ["a", "b"]}
        data(await server.http.post(f"{API}/bots/interactions", json=select, headers=rm.owner.headers))
        frame = await ws_bot.wait_for("COMPONENT_INTERACTION")
        assert (frame["d"]["user_id"], frame["d"]["values"]) == (rm.owner.id, ["a", "b"])
        server.recorder.clear()

        # Refused clicks publish nothing.
        for bad, status, code in (
            ({**click, "message_id": human_message["id"]}, 400, "not_a_bot_message"),
            ({**click, "values": ["x"]}, 400, "validation_error"),
            ({**click, "component_type": "slider"}, 400, "validation_error"),
            ({**click, "custom_id": ""}, 400, "validation_error"),
            ({**click, "message_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, 404, "not_found"),
        ):
            r = await server.http.post(f"{API}/bots/interactions", json=bad, headers=rm.member.headers)
            await refused(server, r, status, code)
        r = await server.http.post(f"{API}/bots/interactions", json=click, headers=rm.outsider.headers)
        await refused(server, r, 404, "not_found")
        await hide(server, rm)
        r = await server.http.post(f"{API}/bots/interactions", json=click, headers=rm.member.headers)
        await refused(server, r, 404, "not_found")

        # Nobody but the bot ever saw a click; the outsider saw no bot presence either.
        member_seen = [f["t"] for f in ws_member.dispatches + await ws_member.drain()]
        outsider_seen = [f["t"] for f in ws_outsider.dispatches + await ws_outsider.drain()]
        assert "COMPONENT_INTERACTION" not in member_seen
        assert "COMPONENT_INTERACTION" not in outsider_seen and "BOT_PRESENCE_UPDATE" not in outsider_seen
    finally:
        for ws in sockets:
            await ws.close()
