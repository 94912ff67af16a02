"""Onboarding: read, replace (ManageGuild, ids of this guild), and completing it as a member."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from amityvox.db.schema import guild_members, guild_onboarding, member_roles
from tests.community.helpers import API, Perm, Room, error_code, grant, nothing_published, room, rows
from tests.conftest import Server


def _url(rm: Room, *parts: str) -> str:
    return "/".join([f"{API}/guilds/{rm.guild_id}/onboarding", *parts])


async def _role(server: Server, rm: Room, name: str, position: int = 1) -> str:
    body = {"name": name, "position": position}
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/roles", json=body, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    role_id: str = r.json()["data"]["id"]
    return role_id


def _config(rm: Room, gamer: str, artist: str) -> dict[str, Any]:
    return {
        "enabled": True,
        "welcome_message": "Welcome!",
        "rules": ["be kind"],
        "default_channel_ids": [rm.channel_id],
        "prompts": [
            {
                "title": "What brings you here?",
                "single_select": False,
                "required": True,
                "options": [
                    {"label": "Games", "role_ids": [gamer], "channel_ids": [rm.channel_id], "emoji": "🎮"},
                    {"label": "Art", "role_ids": [artist], "channel_ids": []},
                ],
            },
            {
                "title": "Pick one",
                "single_select": True,
                "required": False,
                "options": [{"label": "A", "role_ids": []}, {"label": "B", "role_ids": []}],
            },
        ],
    }


async def test_get_put_and_refusals(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    r = await server.http.get(_url(rm), headers=rm.member.headers)
    assert r.status_code == 200
    assert r.json()["data"]["enabled"] is False and r.json()["data"]["prompts"] == []
    assert (await server.http.get(_url(rm), headers=rm.outsider.headers)).status_code == 404
    gamer, artist = await _role(server, rm, "gamer"), await _role(server, rm, "artist")
    await server.settle()
    server.recorder.clear()
    config = _config(rm, gamer, artist)

    r = await server.http.put(_url(rm), json=config, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    foreign = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    bad_role = {**config, "prompts": [{**config["prompts"][0], "options": [{"label": "x", "role_ids": [foreign]}]}]}
    assert (await server.http.put(_url(rm), json=bad_role, headers=rm.owner.headers)).status_code == 400
    r = await server.http.put(_url(rm), json={**config, "default_channel_ids": [foreign]}, headers=rm.owner.headers)
    assert r.status_code == 400 and error_code(r) == "unknown_channel"
    no_options = {**config, "prompts": [{"title": "t", "options": []}]}
    assert (await server.http.put(_url(rm), json=no_options, headers=rm.owner.headers)).status_code == 400
    bad_id = {**config, "prompts": [{**config["prompts"][0], "id": foreign}]}
    assert (await server.http.put(_url(rm), json=bad_id, headers=rm.owner.headers)).status_code == 400
    assert await rows(server, guild_onboarding) == 0
    await nothing_published(server)

    r = await server.http.put(_url(rm), json=config, headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    saved = r.json()["data"]
    assert [p["position"] for p in saved["prompts"]] == [0, 1]
    assert saved["prompts"][0]["options"][0]["role_ids"] == [gamer]
    await server.settle()
    assert server.recorder.of("GUILD_ONBOARDING_UPDATE") == [saved]
    assert (await server.http.get(_url(rm), headers=rm.member.headers)).json()["data"] == saved

    # Ids sent back are kept; options left without one get new ids.
    again = {**config, "prompts": saved["prompts"][:1]}
    for p in again["prompts"]:
        p.pop("position")
    r = await server.http.put(_url(rm), json=again, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["prompts"][0]["id"] == saved["prompts"][0]["id"]


async def test_role_managers_cannot_hand_out_roles_above_their_own(server: Server) -> None:
    rm = await room(server)
    high = await _role(server, rm, "admins", position=5)
    low = await _role(server, rm, "newcomers", position=2)
    await grant(server, rm, rm.member, Perm.ManageGuild, position=3)

    def body(role_id: str) -> dict[str, Any]:
        return {"enabled": True, "prompts": [{"title": "t", "options": [{"label": "x", "role_ids": [role_id]}]}]}

    r = await server.http.put(_url(rm), json=body(high), headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert await rows(server, guild_onboarding) == 0
    await nothing_published(server)
    assert (await server.http.put(_url(rm), json=body(low), headers=rm.member.headers)).status_code == 200


async def test_complete_grants_roles_and_marks_the_member(server: Server) -> None:
    rm = await room(server)
    gamer, artist = await _role(server, rm, "gamer"), await _role(server, rm, "artist")
    complete = _url(rm, "complete")
    r = await server.http.post(complete, json={"option_ids": []}, headers=rm.member.headers)
    assert r.status_code == 409 and error_code(r) == "onboarding_disabled"
    saved = (await server.http.put(_url(rm), json=_config(rm, gamer, artist), headers=rm.owner.headers)).json()["data"]
    games, art = (o["id"] for o in saved["prompts"][0]["options"])
    a, b = (o["id"] for o in saved["prompts"][1]["options"])
    await server.settle()
    server.recorder.clear()

    for body, code in (
        ({"option_ids": []}, "prompt_required"),
        ({"option_ids": [games, a, b]}, "single_select"),
        ({"option_ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]}, "unknown_option"),
    ):
        r = await server.http.post(complete, json=body, headers=rm.member.headers)
        assert r.status_code == 400 and error_code(r) == code, r.text
    assert (
        await server.http.post(complete, json={"option_ids": [games]}, headers=rm.outsider.headers)
    ).status_code == 404
    assert await rows(server, member_roles, user_id=rm.member.id) == 0
    await nothing_published(server)

    r = await server.http.post(complete, json={"option_ids": [games, art, a]}, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    assert sorted(r.json()["data"]["roles"]) == sorted([gamer, artist])
    await server.settle()
    [update] = server.recorder.of("GUILD_MEMBER_UPDATE")
    assert update["user_id"] == rm.member.id and sorted(update["roles"]) == sorted([gamer, artist])
    async with server.ctx.db.read() as conn:
        done = await conn.scalar(
            select(guild_members.c.onboarding_completed).where(
                guild_members.c.guild_id == rm.guild_id, guild_members.c.user_id == rm.member.id
            )
        )
    assert done is True
    server.recorder.clear()
    # Completing again with nothing new changes nothing and publishes nothing.
    assert (
        await server.http.post(complete, json={"option_ids": [games]}, headers=rm.member.headers)
    ).status_code == 200
    await nothing_published(server)
