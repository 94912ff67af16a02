"""Registering application commands: Discord's shapes and limits, who may register, and which
commands members are offered in a channel."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from amityvox import permissions as P
from tests.activities.helpers import API, data, events
from tests.activities.test_bots import make_bot
from tests.commands.helpers import ROLL, BotRoom, bot_room, commands_url, join
from tests.conftest import Server
from tests.messages.helpers import Person, Room, overwrite, person


def _with(**changes: Any) -> dict[str, Any]:
    cmd = copy.deepcopy(ROLL)
    cmd.update(changes)
    return cmd


def _option(**changes: Any) -> dict[str, Any]:
    return _with(options=[{"type": 3, "name": "text", "description": "Text", **changes}])


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("uppercase name", _with(name="Roll"), "invalid_name"),
    ("space in name", _with(name="roll dice"), "invalid_name"),
    ("long name", _with(name="r" * 33), "invalid_name"),
    ("no description", _with(description=""), "validation_error"),
    ("long description", _with(description="d" * 101), "validation_error"),
    ("too many options", _with(options=[{"type": 3, "name": f"o{i}", "description": "x"} for i in range(26)]),
     "too_many_options"),
    ("unknown option type", _option(type=99), "validation_error"),
    ("subcommand", _option(type=1), "unsupported_option_type"),
    ("too many choices", _option(choices=[{"name": str(i), "value": str(i)} for i in range(26)]), "too_many_choices"),
    ("choice of the wrong type", _with(options=[{"type": 4, "name": "n", "description": "N",
                                                 "choices": [{"name": "one", "value": "1"}]}]), "validation_error"),
    ("choices on a user option", _with(options=[{"type": 6, "name": "who", "description": "Who",
                                                 "choices": [{"name": "a", "value": "a"}]}]), "validation_error"),
    ("choices and autocomplete", _option(autocomplete=True, choices=[{"name": "a", "value": "a"}]),
     "validation_error"),
    ("min above max", _with(options=[{"type": 4, "name": "n", "description": "N", "min_value": 5,
                                      "max_value": 1}]), "validation_error"),
    ("min_length on an integer", _with(options=[{"type": 4, "name": "n", "description": "N", "min_length": 1}]),
     "validation_error"),
    ("duplicate option names", _with(options=[{"type": 3, "name": "a", "description": "A"},
                                              {"type": 4, "name": "a", "description": "B"}]), "duplicate_name"),
    ("required after optional", _with(options=[{"type": 3, "name": "a", "description": "A"},
                                               {"type": 4, "name": "b", "description": "B", "required": True}]),
     "validation_error"),
    ("unknown field", _with(colour="red"), "validation_error"),
    ("bad permissions", _with(default_member_permissions="lots"), "validation_error"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "body", "code"), BAD, ids=[b[0] for b in BAD])
async def test_declarations_are_checked_like_discords(
    server: Server, what: str, body: dict[str, Any], code: str
) -> None:
    br = await bot_room(server)
    r = await server.http.post(commands_url(br.bot.id), json=body, headers=br.bot.headers)
    assert r.status_code == 400, (what, r.text)
    assert r.json()["error"]["code"] == code, r.text
    assert data(await server.http.get(commands_url(br.bot.id), headers=br.bot.headers)) == []


async def test_the_bot_and_its_owner_manage_commands_and_nobody_else(server: Server) -> None:
    br = await bot_room(server)
    rm = br.room
    r = await server.http.post(commands_url(br.bot.id), json=ROLL, headers=rm.member.headers)
    assert r.status_code == 403
    assert (await server.http.post(commands_url(rm.member.id), json=ROLL, headers=rm.member.headers)).status_code == 404
    created = data(await server.http.post(commands_url(br.bot.id), json=ROLL, headers=br.bot.headers), 201)
    assert created["name"] == "roll" and created["application_id"] == br.bot.id and created["type"] == 1
    assert created["options"][0] == {"type": 4, "name": "sides", "description": "How many sides", "required": True,
                                     "min_value": 2, "max_value": 1000}  # fmt: skip
    # Posting the same name again overwrites it (200), keeping its id.
    again = data(await server.http.post(commands_url(br.bot.id), json=_with(description="Roll dice"),
                                        headers=rm.owner.headers))  # fmt: skip
    assert again["id"] == created["id"] and again["description"] == "Roll dice"
    assert again["version"] != created["version"]
    one = f"{commands_url(br.bot.id)}/{created['id']}"
    assert data(await server.http.get(one, headers=rm.owner.headers)) == again
    patched = data(await server.http.patch(one, json={"description": "Roll"}, headers=br.bot.headers))
    assert patched["description"] == "Roll" and patched["name"] == "roll"
    r = await server.http.patch(one, json={"name": "Bad Name"}, headers=br.bot.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_name"
    assert (await server.http.delete(one, headers=rm.member.headers)).status_code == 403
    assert (await server.http.delete(one, headers=br.bot.headers)).status_code == 204
    assert (await server.http.get(one, headers=br.bot.headers)).status_code == 404


async def test_bulk_overwrite_keeps_ids_by_name_and_deletes_the_rest(server: Server) -> None:
    br = await bot_room(server)
    url = commands_url(br.bot.id)
    first = data(await server.http.put(url, json=[ROLL, _with(name="flip", options=[])], headers=br.bot.headers))
    assert [c["name"] for c in first] == ["roll", "flip"]
    second = data(await server.http.put(url, json=[ROLL, _with(name="pick", options=[])], headers=br.bot.headers))
    assert second[0] == first[0]  # unchanged: same id, same version
    assert [c["name"] for c in data(await server.http.get(url, headers=br.bot.headers))] == ["roll", "pick"]
    # One bad declaration refuses the whole list.
    r = await server.http.put(url, json=[ROLL, _with(name="BAD")], headers=br.bot.headers)
    assert r.status_code == 400
    r = await server.http.put(url, json=[ROLL, ROLL], headers=br.bot.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "duplicate_name"
    assert [c["name"] for c in data(await server.http.get(url, headers=br.bot.headers))] == ["roll", "pick"]
    assert data(await server.http.put(url, json=[], headers=br.bot.headers)) == []


async def test_guild_commands_need_the_bot_in_the_guild(server: Server) -> None:
    br = await bot_room(server)
    other = await person(server, "other")
    guild = data(await server.http.post(f"{API}/guilds", json={"name": "Elsewhere"}, headers=other.headers), 201)
    r = await server.http.post(commands_url(br.bot.id, guild["id"]), json=ROLL, headers=br.bot.headers)
    assert r.status_code == 404
    made = data(await server.http.post(commands_url(br.bot.id, br.room.guild_id), json=ROLL, headers=br.bot.headers),
                201)  # fmt: skip
    assert made["guild_id"] == br.room.guild_id
    assert data(await server.http.get(commands_url(br.bot.id), headers=br.bot.headers)) == []


async def test_members_see_the_commands_of_the_guilds_bots_they_may_use(server: Server) -> None:
    br = await bot_room(server)
    rm = br.room
    await server.http.put(commands_url(br.bot.id), json=[ROLL], headers=br.bot.headers)
    admin_only = _with(name="purge", options=[], default_member_permissions=str(int(P.Perm.ManageMessages)))
    await server.http.put(commands_url(br.bot.id, rm.guild_id), json=[admin_only], headers=br.bot.headers)
    # A bot that is not in the guild offers nothing here.
    _, stranger = await _other_bot(server, rm.outsider)
    await server.http.put(commands_url(stranger.id), json=[_with(name="stranger")], headers=stranger.headers)

    def names(listing: dict[str, Any]) -> list[str]:
        return [c["name"] for c in listing["application_commands"]]

    url = f"{API}/channels/{rm.channel_id}/commands"
    owner_view = data(await server.http.get(url, headers=rm.owner.headers))
    assert names(owner_view) == ["purge", "roll"]
    assert [a["id"] for a in owner_view["applications"]] == [br.bot.id]
    assert names(data(await server.http.get(url, headers=rm.member.headers))) == ["roll"]
    assert (await server.http.get(url, headers=rm.outsider.headers)).status_code == 404
    await overwrite(server, rm, rm.member.id, "user", allow=int(P.Perm.ManageMessages))
    assert names(data(await server.http.get(url, headers=rm.member.headers))) == ["purge", "roll"]


async def _other_bot(server: Server, owner: Person) -> tuple[dict[str, Any], Person]:
    return await make_bot(server, owner, "stranger-bot")


async def test_a_bot_joining_later_brings_its_commands(server: Server) -> None:
    br = await bot_room(server)
    _, late = await _other_bot(server, br.room.owner)
    await server.http.put(commands_url(late.id), json=[_with(name="late")], headers=late.headers)
    url = f"{API}/channels/{br.room.channel_id}/commands"
    assert data(await server.http.get(url, headers=br.room.member.headers))["application_commands"] == []
    await join(server, br.room, late)
    listed = data(await server.http.get(url, headers=br.room.member.headers))["application_commands"]
    assert [c["name"] for c in listed] == ["late"]


async def test_command_changes_reach_the_members_of_each_guild_they_are_usable_in(server: Server) -> None:
    """A guild command's change goes to that guild; a global one's to every guild its bot is in,
    once each, never to a guild without the bot."""
    br = await bot_room(server)
    second = await room_of(server, br)
    without_bot = data(
        await server.http.post(f"{API}/guilds", json={"name": "third"}, headers=br.room.owner.headers), 201
    )
    await events(server)
    url = commands_url(br.bot.id)
    created = data(await server.http.post(url, json=ROLL, headers=br.bot.headers), 201)
    heard = await events(server)
    assert [(n, d["guild_id"]) for n, d in heard] == [
        ("APPLICATION_COMMAND_CREATE", g) for g in sorted([br.room.guild_id, second])
    ]
    assert all(d["command"] == created for _, d in heard) and "guild_id" not in created
    flip = {"name": "flip", "description": "Flip a coin"}
    guild_cmd = data(await server.http.post(commands_url(br.bot.id, second), json=flip, headers=br.bot.headers), 201)
    assert await events(server) == [("APPLICATION_COMMAND_CREATE", {"guild_id": second, "command": guild_cmd})]
    # A bulk overwrite: roll unchanged (no event), flip (guild) untouched, dice new.
    dice = {"name": "dice", "description": "Several dice"}
    listed = data(await server.http.put(url, json=[ROLL, dice], headers=br.bot.headers))
    assert [(n, d["command"]["name"]) for n, d in await events(server)] == [("APPLICATION_COMMAND_CREATE", "dice")] * 2
    data(await server.http.patch(f"{url}/{listed[1]['id']}", json={"description": "Dice"}, headers=br.bot.headers))
    assert [n for n, _ in await events(server)] == ["APPLICATION_COMMAND_UPDATE"] * 2
    data(await server.http.put(url, json=[], headers=br.bot.headers))
    assert sorted((n, d["command"]["name"]) for n, d in await events(server)) == sorted(
        [("APPLICATION_COMMAND_DELETE", "dice")] * 2 + [("APPLICATION_COMMAND_DELETE", "roll")] * 2
    )
    r = await server.http.delete(f"{commands_url(br.bot.id, second)}/{guild_cmd['id']}", headers=br.bot.headers)
    assert r.status_code == 204
    assert await events(server) == [("APPLICATION_COMMAND_DELETE", {"guild_id": second, "command": guild_cmd})]
    assert without_bot["id"] not in (br.room.guild_id, second)


async def room_of(server: Server, br: BotRoom) -> str:
    """A second guild of the room's owner, which the bot joins too: its id."""
    g = data(await server.http.post(f"{API}/guilds", json={"name": "second"}, headers=br.room.owner.headers), 201)
    rm = br.room
    await join(server, Room(rm.owner, rm.member, rm.outsider, g["id"], g["channels"][0]["id"]), br.bot)
    return str(g["id"])
