"""AutoMod: rules over REST, evaluation of every new guild message, the action log, delivery."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from amityvox.db.schema import automod_actions, automod_rules, guild_members, messages
from tests.community.helpers import (
    API,
    Perm,
    Room,
    error_code,
    grant,
    join,
    nothing_published,
    person,
    post,
    room,
    rows,
)
from tests.conftest import Server
from tests.gateway.wsclient import Raw


def _rules(rm: Room) -> str:
    return f"{API}/guilds/{rm.guild_id}/automod/rules"


async def _rule(server: Server, rm: Room, **body: Any) -> dict[str, Any]:
    r = await server.http.post(_rules(rm), json=body, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


WORD = {"name": "no swearing", "rule_type": "word", "config": {"words": ["darn"]}, "actions": ["delete", "warn"]}


async def test_rule_crud_needs_manage_guild_and_valid_rules(server: Server) -> None:
    rm = await room(server)
    # A plain member may neither read nor write rules; nothing is stored.
    assert (await server.http.get(_rules(rm), headers=rm.member.headers)).status_code == 403
    r = await server.http.post(_rules(rm), json=WORD, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert (await server.http.get(_rules(rm), headers=rm.outsider.headers)).status_code == 404
    assert await rows(server, automod_rules) == 0

    bad = [
        {**WORD, "rule_type": "magic"},
        {**WORD, "actions": []},
        {**WORD, "actions": ["explode"]},
        {**WORD, "actions": ["timeout"]},  # no timeout_seconds
        {**WORD, "config": {"words": []}},
        {**WORD, "config": {"words": ["x"], "extra": 1}},
        {**WORD, "rule_type": "regex", "config": {"pattern": "("}},
        {**WORD, "rule_type": "regex", "config": {"pattern": "x" * 257}},
        {**WORD, "rule_type": "regex", "config": {"pattern": r"(a)\1"}},  # RE2 has no backreferences
        {**WORD, "rule_type": "spam", "config": {"max_messages": 0, "per_seconds": 5}},
        {**WORD, "rule_type": "links", "config": {"deny_domains": ["not a domain"]}},
        {**WORD, "exempt_channel_ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]},
    ]
    for body in bad:
        r = await server.http.post(_rules(rm), json=body, headers=rm.owner.headers)
        assert r.status_code == 400, (body, r.text)
    r = await server.http.post(_rules(rm), json={**WORD, "rule_type": "regex", "config": {"pattern": "(?=a)b"}},
                               headers=rm.owner.headers)  # fmt: skip
    assert error_code(r) == "invalid_pattern"
    assert await rows(server, automod_rules) == 0

    rule = await _rule(server, rm, **WORD, exempt_channel_ids=[rm.channel_id])
    assert rule["actions"] == ["warn", "delete"] and rule["config"] == {"words": ["darn"]}
    assert rule["enabled"] is True and rule["exempt_channel_ids"] == [rm.channel_id]
    path = f"{_rules(rm)}/{rule['id']}"
    r = await server.http.patch(path, json={"enabled": False, "name": "gentle"}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["enabled"] is False and r.json()["data"]["name"] == "gentle"
    r = await server.http.patch(path, json={"rule_type": "spam"}, headers=rm.owner.headers)  # config missing
    assert r.status_code == 400
    assert (await server.http.patch(path, json={"enabled": True}, headers=rm.member.headers)).status_code == 403
    listed = (await server.http.get(_rules(rm), headers=rm.owner.headers)).json()["data"]
    assert [x["name"] for x in listed] == ["gentle"] and listed[0]["enabled"] is False
    assert (await server.http.delete(path, headers=rm.member.headers)).status_code == 403
    assert (await server.http.delete(path, headers=rm.owner.headers)).status_code == 204
    assert (await server.http.delete(path, headers=rm.owner.headers)).status_code == 404
    assert await rows(server, automod_rules) == 0
    await nothing_published(server)  # rule changes are REST-only


async def test_rest_message_is_caught_deleted_and_logged(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    rule = await _rule(server, rm, **WORD)
    r = await post(server, rm.member, rm.channel_id, "well, DARN it")
    assert r.status_code == 201
    message_id = r.json()["data"]["id"]
    await server.settle()
    actions = server.recorder.of("AUTOMOD_ACTION")
    expected = {
        "guild_id": rm.guild_id,
        "channel_id": rm.channel_id,
        "message_id": message_id,
        "user_id": rm.member.id,
        "rule_id": rule["id"],
        "rule_name": "no swearing",
        "reason": "message contains a blocked word",
    }
    assert actions == [{**expected, "action": "warn"}, {**expected, "action": "delete"}]
    assert server.recorder.of("MESSAGE_DELETE") == [
        {"id": message_id, "channel_id": rm.channel_id, "guild_id": rm.guild_id}
    ]
    assert await rows(server, messages, id=message_id) == 0
    assert await rows(server, automod_actions) == 2

    # Words match whole: "darnit" is another word. The owner is never checked.
    server.recorder.clear()
    assert (await post(server, rm.member, rm.channel_id, "darnit")).status_code == 201
    assert (await post(server, rm.owner, rm.channel_id, "darn")).status_code == 201
    await server.settle()
    assert "AUTOMOD_ACTION" not in server.recorder.names() and "MESSAGE_DELETE" not in server.recorder.names()

    # The log: moderators only, newest first, paginated.
    log_url = f"{API}/guilds/{rm.guild_id}/automod/actions"
    assert (await server.http.get(log_url, headers=rm.member.headers)).status_code == 403
    page = (await server.http.get(log_url, params={"limit": 1}, headers=rm.owner.headers)).json()["data"]
    assert [a["action"] for a in page] == ["delete"]
    rest = (await server.http.get(log_url, params={"before": page[0]["id"]}, headers=rm.owner.headers)).json()
    assert [a["action"] for a in rest["data"]] == ["warn"]
    assert (await server.http.get(log_url, params={"limit": 0}, headers=rm.owner.headers)).status_code == 400


async def test_exempt_roles_channels_and_moderators(server: Server) -> None:
    rm = await room(server)
    helper = await person(server, "helper")
    assert (await join(server, rm, helper)).status_code == 200
    role_id = await grant(server, rm, helper, Perm.ChangeNickname)  # a role, but no moderator bit
    mod = await person(server, "mod")
    assert (await join(server, rm, mod)).status_code == 200
    await grant(server, rm, mod, Perm.KickMembers, name="mods")
    await _rule(server, rm, **WORD, exempt_role_ids=[role_id])
    for who in (helper, mod):
        assert (await post(server, who, rm.channel_id, "darn")).status_code == 201
    await server.settle()
    assert "AUTOMOD_ACTION" not in server.recorder.names()


async def test_timeout_spam_and_links(server: Server) -> None:
    rm = await room(server)
    await _rule(server, rm, name="flood", rule_type="spam", config={"max_messages": 2, "per_seconds": 30},
                actions=["timeout"], timeout_seconds=60)  # fmt: skip
    await _rule(server, rm, name="links", rule_type="links", config={"deny_domains": ["evil.example"]},
                actions=["log"])  # fmt: skip
    for text in ("one", "see https://www.evil.example/x", "https://good.example ok"):
        assert (await post(server, rm.member, rm.channel_id, text)).status_code == 201
    await server.settle()
    got = [(a["rule_name"], a["action"]) for a in server.recorder.of("AUTOMOD_ACTION")]
    assert got == [("links", "log"), ("flood", "timeout")]
    assert "blocked domain (www.evil.example)" in server.recorder.of("AUTOMOD_ACTION")[0]["reason"]
    updates = server.recorder.of("GUILD_MEMBER_UPDATE")
    assert len(updates) == 1 and updates[0]["user_id"] == rm.member.id and "timeout_until" in updates[0]
    # The timeout holds: the member can no longer post.
    r = await post(server, rm.member, rm.channel_id, "four")
    assert r.status_code == 403
    async with server.ctx.db.read() as conn:
        until = await conn.scalar(select(guild_members.c.timeout_until).where(guild_members.c.user_id == rm.member.id))
    assert until is not None


async def test_exponential_patterns_match_in_linear_time(server: Server) -> None:
    # `(a|aa)*c` backtracks exponentially in a backtracking engine; on RE2 it is an ordinary pattern.
    rm = await room(server)
    await _rule(server, rm, name="slow", rule_type="regex", config={"pattern": "(a|aa)*c"}, actions=["delete"])
    await _rule(server, rm, name="fast", rule_type="regex", config={"pattern": r"(?i)buy\s+now"}, actions=["log"])
    r = await post(server, rm.member, rm.channel_id, "a" * 60 + " BUY  now")
    assert r.status_code == 201
    await server.settle()
    assert [a["rule_name"] for a in server.recorder.of("AUTOMOD_ACTION")] == ["fast"]
    assert "MESSAGE_DELETE" not in server.recorder.names()


async def test_automod_action_reaches_moderators_and_the_author_only(server: Server) -> None:
    rm = await room(server)
    bystander = await person(server, "bystander")
    assert (await join(server, rm, bystander)).status_code == 200
    await _rule(server, rm, name="words", rule_type="word", config={"words": ["spoiler"]}, actions=["warn"])
    await server.settle()
    sockets = {}
    for who in (rm.owner, rm.member, bystander):
        ws = await Raw.connect(server.url)
        await ws.identify(who.token)
        sockets[who.id] = ws
    try:
        assert (await post(server, rm.member, rm.channel_id, "big spoiler ahead")).status_code == 201
        for who in (rm.owner, rm.member):
            frame = await sockets[who.id].wait_for("AUTOMOD_ACTION")
            assert frame["d"]["user_id"] == rm.member.id and frame["d"]["action"] == "warn"
        late = await sockets[bystander.id].drain()
        assert "MESSAGE_CREATE" in [f["t"] for f in late]
        assert "AUTOMOD_ACTION" not in [f["t"] for f in late]
    finally:
        for ws in sockets.values():
            await ws.close()


async def test_dm_messages_are_not_checked(server: Server) -> None:
    rm = await room(server)
    await _rule(server, rm, **WORD)
    r = await server.http.post(f"{API}/users/{rm.owner.id}/dm", headers=rm.member.headers)
    assert r.status_code in (200, 201)
    assert (await post(server, rm.member, r.json()["data"]["id"], "darn")).status_code == 201
    await server.settle()
    assert "AUTOMOD_ACTION" not in server.recorder.names()
