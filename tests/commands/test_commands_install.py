"""Installing a bot's commands alone (`scope=applications.commands`): the guild offers them and
its members use them with no bot member and no role; announcements follow the install, and
removing it takes the commands away."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from amityvox.client import RestClient
from amityvox.db.schema import guild_members, roles
from tests.activities.helpers import API, data, events, refused
from tests.activities.test_bots import make_bot
from tests.commands.helpers import ROLL, commands_url
from tests.commands.test_bot_install import URL, _body
from tests.conftest import Server
from tests.messages.helpers import Person, Room, room

SCOPE = "applications.commands"


async def _installed(server: Server) -> tuple[Room, Person]:
    """A guild, and a bot with /roll that the owner installs there for its commands alone."""
    rm = await room(server)
    _bot, bot = await make_bot(server, rm.owner, "dice-bot")
    data(await server.http.put(commands_url(bot.id), json=[ROLL], headers=bot.headers))
    await events(server)  # the bot is in no guild yet: nothing announced
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id, 0, SCOPE), headers=rm.owner.headers)
    assert data(r) == {"guild_id": rm.guild_id, "bot": data(r)["bot"], "role": None, "member": None}
    return rm, bot


def _use(rm: Room) -> dict[str, Any]:
    return {
        "type": 2,
        "channel_id": rm.channel_id,
        "data": {"name": "roll", "options": [{"name": "sides", "value": 6}]},
    }


async def _listed(server: Server, rm: Room) -> list[str]:
    got = data(await server.http.get(f"{API}/channels/{rm.channel_id}/commands", headers=rm.member.headers))
    return [c["name"] for c in got["application_commands"]]


async def test_a_commands_only_install_offers_the_commands_without_a_member_or_role(server: Server) -> None:
    rm, bot = await _installed(server)
    published = await events(server)
    assert [(n, d["guild_id"], d["command"]["name"] if "command" in d else d["action"]) for n, d in published] == [
        ("APPLICATION_COMMAND_CREATE", rm.guild_id, "roll"),
        ("GUILD_AUDIT_LOG_ENTRY_CREATE", rm.guild_id, "INTEGRATION_CREATE"),
    ]
    async with server.ctx.db.read() as conn:
        q = select(func.count()).select_from(guild_members).where(guild_members.c.user_id == bot.id)
        assert await conn.scalar(q) == 0
        assert await conn.scalar(select(func.count()).select_from(roles).where(roles.c.managed_by == bot.id)) == 0
    assert await _listed(server, rm) == ["roll"]
    described = data(await server.http.get(URL, params={"client_id": bot.id, "scope": SCOPE}, headers=rm.owner.headers))
    assert [(g["bot_member"], g["commands_installed"]) for g in described["guilds"]] == [(False, True)]
    # Members use the command; INTERACTION_CREATE reaches the bot, whose answer is posted.
    use = data(await server.http.post(f"{API}/interactions", json=_use(rm), headers=rm.member.headers))
    [(name, created)] = await events(server)
    assert name == "INTERACTION_CREATE" and created["id"] == use["id"]
    url = f"{API}/interactions/{created['id']}/{created['token']}/callback"
    assert (await server.http.post(url, json={"type": 4, "data": {"content": "4"}})).status_code == 204
    assert [n for n, _ in await events(server)] == ["MESSAGE_CREATE"]
    # Installing again changes nothing.
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id, 0, SCOPE), headers=rm.owner.headers)
    data(r)
    assert await events(server) == []


async def test_command_changes_reach_the_guilds_that_installed_them(server: Server) -> None:
    rm, bot = await _installed(server)
    await events(server)
    flip = {"name": "flip", "description": "Flip a coin"}
    data(await server.http.post(commands_url(bot.id), json=flip, headers=bot.headers), 201)
    assert [(n, d["guild_id"]) for n, d in await events(server)] == [("APPLICATION_COMMAND_CREATE", rm.guild_id)]
    # Guild commands may be registered where the commands are installed.
    data(await server.http.post(commands_url(bot.id, rm.guild_id), json={**flip, "name": "here"}, headers=bot.headers),
         201)  # fmt: skip
    assert await _listed(server, rm) == ["flip", "here", "roll"]


async def test_removing_the_install_takes_the_commands_away(server: Server) -> None:
    rm, bot = await _installed(server)
    await events(server)
    url = f"{API}/guilds/{rm.guild_id}/integrations/{bot.id}"
    await refused(server, await server.http.delete(url, headers=rm.member.headers), 403, "missing_permission")
    assert (await server.http.delete(url, headers=rm.owner.headers)).status_code == 204
    published = await events(server)
    assert [(n, d["command"]["name"] if "command" in d else d["action"]) for n, d in published] == [
        ("APPLICATION_COMMAND_DELETE", "roll"),
        ("GUILD_AUDIT_LOG_ENTRY_CREATE", "INTEGRATION_DELETE"),
    ]
    assert await _listed(server, rm) == []
    r = await server.http.post(f"{API}/interactions", json=_use(rm), headers=rm.member.headers)
    await refused(server, r, 404, "not_found")
    r = await server.http.get(commands_url(bot.id, rm.guild_id), headers=bot.headers)
    assert r.status_code == 404
    await refused(server, await server.http.delete(url, headers=rm.owner.headers), 404, "not_found")


async def test_installing_commands_needs_manage_guild_and_no_permissions(server: Server) -> None:
    rm = await room(server)
    _bot, bot = await make_bot(server, rm.owner, "dice-bot")
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id, 0, SCOPE), headers=rm.member.headers)
    await refused(server, r, 403, "missing_permission")
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id, 1 << 20, SCOPE), headers=rm.owner.headers)
    await refused(server, r, 400, "invalid_permissions")


async def test_the_python_client_installs_lists_and_removes_commands(server: Server) -> None:
    rm = await room(server)
    _bot, bot = await make_bot(server, rm.owner, "dice-bot")
    data(await server.http.put(commands_url(bot.id), json=[ROLL], headers=bot.headers))
    async with RestClient(server.url, rm.owner.token) as owner:
        installed = await owner.authorize_bot(bot.id, rm.guild_id, scope=SCOPE)
        assert (installed["role"], installed["member"]) == (None, None)
        assert await _listed(server, rm) == ["roll"]
        assert [i["bot"]["id"] for i in await owner.list_integrations(rm.guild_id)] == [bot.id]
        await owner.remove_commands_install(rm.guild_id, bot.id)
        assert await owner.list_integrations(rm.guild_id) == []
    assert await _listed(server, rm) == []


async def test_the_integrations_list_names_every_installed_bot_with_its_commands(server: Server) -> None:
    rm, dice = await _installed(server)  # commands alone
    _user, greeter = await make_bot(server, rm.owner, "Greeter")
    wave = {"name": "wave", "description": "Wave"}
    data(await server.http.put(commands_url(greeter.id), json=[wave], headers=greeter.headers))
    data(await server.http.post(URL, json=_body(greeter.id, rm.guild_id, 0, "bot"), headers=rm.owner.headers))
    await make_bot(server, rm.owner, "elsewhere-bot")  # installed nowhere: not listed
    url = f"{API}/guilds/{rm.guild_id}/integrations"
    await events(server)
    listed = data(await server.http.get(url, headers=rm.owner.headers))
    assert [(i["bot"]["username"], i["scopes"], i["bot_member"], i["commands_installed"], i["installed_by"],
             [c["name"] for c in i["commands"]]) for i in listed] == [
        ("dice-bot", [SCOPE], False, True, rm.owner.id, ["roll"]),
        ("Greeter", ["bot", SCOPE], True, False, None, ["wave"]),
    ]  # fmt: skip
    # Only guild managers see it; kicking the member bot and ending the install empty it.
    await refused(server, await server.http.get(url, headers=rm.member.headers), 403, "missing_permission")
    r = await server.http.get(f"{API}/guilds/{rm.guild_id}/integrations", headers=rm.outsider.headers)
    assert r.status_code in (403, 404)
    r = await server.http.delete(f"{API}/guilds/{rm.guild_id}/members/{greeter.id}", headers=rm.owner.headers)
    assert r.status_code == 204, r.text
    r = await server.http.delete(f"{url}/{dice.id}", headers=rm.owner.headers)
    assert r.status_code == 204, r.text
    assert data(await server.http.get(url, headers=rm.owner.headers)) == []


async def test_a_member_bot_keeps_its_commands_when_the_install_goes(server: Server) -> None:
    rm, bot = await _installed(server)
    r = await server.http.post(URL, json=_body(bot.id, rm.guild_id, 0, "bot"), headers=rm.owner.headers)
    data(r)
    await events(server)
    url = f"{API}/guilds/{rm.guild_id}/integrations/{bot.id}"
    assert (await server.http.delete(url, headers=rm.owner.headers)).status_code == 204
    assert [n for n, _ in await events(server)] == ["GUILD_AUDIT_LOG_ENTRY_CREATE"]  # the commands stay
    assert await _listed(server, rm) == ["roll"]
