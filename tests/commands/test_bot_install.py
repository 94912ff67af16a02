"""Installing a bot through the authorize link: who may, which bits its managed role gets, and
what the managed role refuses."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from amityvox import permissions as P
from amityvox.db.schema import metadata
from tests.activities.helpers import API, data, events, refused
from tests.activities.test_bots import make_bot
from tests.commands.helpers import ROLL, commands_url
from tests.conftest import Server
from tests.messages.helpers import Person, Room, room

URL = f"{API}/oauth2/authorize"
BITS = int(P.Perm.ViewChannel | P.Perm.SendMessages | P.Perm.ManageMessages)


def _body(bot_id: str, guild_id: str, bits: int = BITS, scope: str = "bot applications.commands") -> dict[str, Any]:
    return {"client_id": bot_id, "guild_id": guild_id, "scope": scope, "permissions": str(bits)}


async def _setup(server: Server) -> tuple[Room, Person]:
    rm = await room(server)
    _bot, token = await make_bot(server, rm.owner, "dice-bot")
    return rm, token


async def _give_role(server: Server, rm: Room, who: Person, bits: int) -> str:
    role = data(
        await server.http.post(
            f"{API}/guilds/{rm.guild_id}/roles",
            json={"name": "managers", "permissions_allow": bits, "position": 5},
            headers=rm.owner.headers,
        ),
        201,
    )
    url = f"{API}/guilds/{rm.guild_id}/members/{who.id}/roles/{role['id']}"
    r = await server.http.put(url, headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    await server.settle()
    server.recorder.clear()
    return str(role["id"])


async def test_owner_installs_a_bot_with_exactly_the_requested_bits(server: Server) -> None:
    rm, bot = await _setup(server)
    described = data(
        await server.http.get(
            URL, params={"client_id": bot.id, "scope": "bot applications.commands", "permissions": BITS},
            headers=rm.owner.headers,
        )
    )  # fmt: skip
    assert described["bot"]["id"] == bot.id and described["bot"]["username"] == "dice-bot"
    assert sorted(described["permission_names"]) == sorted(["ManageMessages", "ViewChannel", "SendMessages"])
    assert [(g["id"], g["bot_member"]) for g in described["guilds"]] == [(rm.guild_id, False)]

    out = data(await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=rm.owner.headers))
    role = out["role"]
    assert role["managed_by"] == bot.id and role["name"] == "dice-bot"
    assert int(role["permissions_allow"]) == BITS and role["permissions_deny"] == "0"
    assert out["member"]["user"]["id"] == bot.id and out["member"]["roles"] == [role["id"]]
    seen = await events(server)
    assert [name for name, _ in seen if name != "GUILD_AUDIT_LOG_ENTRY_CREATE"] == [
        "GUILD_ROLE_CREATE",
        "GUILD_MEMBER_ADD",
        "GUILD_CREATE",
    ]
    assert [d["roles"] for n, d in seen if n == "GUILD_MEMBER_ADD"] == [[role["id"]]]

    # The bot's own permissions are those bits (plus @everyone's), and its commands are offered.
    perms = data(await server.http.get(f"{API}/guilds/{rm.guild_id}/members/@me/permissions", headers=bot.headers))
    assert int(perms["permissions"]) & BITS == BITS
    assert not int(perms["permissions"]) & P.Perm.ManageGuild
    data(await server.http.post(commands_url(bot.id), json=ROLL, headers=bot.headers), 201)
    offered = data(await server.http.get(f"{API}/channels/{rm.channel_id}/commands", headers=rm.member.headers))
    assert [c["name"] for c in offered["application_commands"]] == ["roll"]

    again = await server.http.get(URL, params={"client_id": bot.id}, headers=rm.owner.headers)
    assert [g["bot_member"] for g in data(again)["guilds"]] == [True]


async def test_authorizing_again_sets_the_bits_and_changes_nothing_when_equal(server: Server) -> None:
    rm, bot = await _setup(server)
    first = data(await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=rm.owner.headers))
    await events(server)
    same = data(await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=rm.owner.headers))
    assert same["role"] == first["role"] and same["member"] == first["member"]
    assert await events(server) == []

    fewer = int(P.Perm.ViewChannel | P.Perm.SendMessages)
    changed = data(await server.http.post(URL, json=_body(bot.id, rm.guild_id, fewer), headers=rm.owner.headers))
    assert changed["role"]["id"] == first["role"]["id"] and int(changed["role"]["permissions_allow"]) == fewer
    assert [name for name, _ in await events(server)] == ["GUILD_ROLE_UPDATE", "GUILD_AUDIT_LOG_ENTRY_CREATE"]
    listed = data(await server.http.get(f"{API}/guilds/{rm.guild_id}/roles", headers=rm.owner.headers))
    assert [r["id"] for r in listed if r.get("managed_by") == bot.id] == [first["role"]["id"]]


async def test_installing_needs_manage_guild_and_every_requested_bit(server: Server) -> None:
    rm, bot = await _setup(server)
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=rm.member.headers)
    await refused(server, r, 403, "missing_permission")
    described = data(await server.http.get(URL, params={"client_id": bot.id}, headers=rm.member.headers))
    assert described["guilds"] == []
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=rm.outsider.headers)
    assert r.status_code in (403, 404), r.text

    # ManageGuild without ManageMessages: the member may install, but not hand out ManageMessages.
    await _give_role(server, rm, rm.member, int(P.Perm.ManageGuild))
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=rm.member.headers)
    await refused(server, r, 403, "missing_permission")
    assert "ManageMessages" in r.json()["error"]["message"]
    held = int(P.Perm.ViewChannel | P.Perm.SendMessages)
    out = data(await server.http.post(URL, json=_body(bot.id, rm.guild_id, held), headers=rm.member.headers))
    assert int(out["role"]["permissions_allow"]) == held
    # Taking away a bit one does not hold is a change of it too.
    data(await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=rm.owner.headers))
    await events(server)
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id, held), headers=rm.member.headers)
    await refused(server, r, 403, "missing_permission")


async def test_unknown_bots_users_and_scopes_are_refused(server: Server) -> None:
    rm, bot = await _setup(server)
    for client_id in ("01ARZ3NDEKTSV4RRFFQ69G5FAV", rm.member.id):
        r = await server.http.post(URL, json=_body(client_id, rm.guild_id), headers=rm.owner.headers)
        await refused(server, r, 404, "not_found")
        r = await server.http.get(URL, params={"client_id": client_id}, headers=rm.owner.headers)
        assert r.status_code == 404, r.text
    # Permissions go to the bot's role, which only the bot scope creates.
    for scope, code in (
        ("applications.commands", "invalid_permissions"),
        ("bot email", "invalid_scope"),
        ("", "invalid_scope"),
    ):
        r = await server.http.post(URL, json=_body(bot.id, rm.guild_id, scope=scope), headers=rm.owner.headers)
        await refused(server, r, 400, code)
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id, 1 << 62), headers=rm.owner.headers)
    await refused(server, r, 400, "invalid_permissions")
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=bot.headers)
    assert r.status_code in (403, 404), r.text


async def test_a_managed_role_stays_with_its_bot(server: Server) -> None:
    rm, bot = await _setup(server)
    role_id = data(await server.http.post(URL, json=_body(bot.id, rm.guild_id), headers=rm.owner.headers))["role"]["id"]
    await events(server)
    base = f"{API}/guilds/{rm.guild_id}"
    for r in (
        await server.http.put(f"{base}/members/{rm.member.id}/roles/{role_id}", headers=rm.owner.headers),
        await server.http.delete(f"{base}/members/{bot.id}/roles/{role_id}", headers=rm.owner.headers),
        await server.http.patch(f"{base}/members/{bot.id}", json={"roles": []}, headers=rm.owner.headers),
        await server.http.delete(f"{base}/roles/{role_id}", headers=rm.owner.headers),
    ):
        await refused(server, r, 403, "managed_role")
    # Its bits can still be edited by someone allowed to.
    r = await server.http.patch(f"{base}/roles/{role_id}", json={"name": "dice"}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["managed_by"] == bot.id, r.text


async def test_migration_adds_the_managed_role_column(any_db_server: Server) -> None:
    async with any_db_server.ctx.db.read() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        columns = await conn.run_sync(lambda c: {col["name"] for col in c.dialect.get_columns(c, "roles")})
    assert "managed_by" in columns
    assert [d for d in diffs if "roles" in repr(d)] == []
