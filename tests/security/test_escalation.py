"""Nobody grants or uses a permission bit they do not hold, nor acts above their place in the hierarchy."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import orjson

from amityvox.permissions import Perm
from tests.community.helpers import grant
from tests.conftest import Server
from tests.messages.helpers import Person, Room, post, room
from tests.voice.helpers import hall, join, state_of, voice_post

API = "/api/v1"


async def _role(server: Server, rm: Room, name: str, position: int, allow: int = 0, deny: int = 0) -> str:
    body = {"name": name, "position": position, "permissions_allow": int(allow), "permissions_deny": int(deny)}
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/roles", json=body, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    role_id: str = r.json()["data"]["id"]
    return role_id


async def _roles_of(server: Server, rm: Room, who: Person) -> list[str]:
    r = await server.http.get(f"{API}/guilds/{rm.guild_id}/members/{who.id}", headers=rm.owner.headers)
    roles: list[str] = r.json()["data"]["roles"]
    return roles


def _code(r: httpx.Response) -> str:
    code: str = r.json()["error"]["code"]
    return code


# ---- onboarding ---------------------------------------------------------------------------------


def _onboarding(role_id: str) -> dict[str, Any]:
    return {"enabled": True, "prompts": [{"title": "Pick", "options": [{"label": "it", "role_ids": [role_id]}]}]}


async def test_onboarding_cannot_offer_a_role_with_bits_its_editor_lacks(server: Server) -> None:
    rm = await room(server)
    await grant(server, rm, rm.member, Perm.ManageGuild, position=5)
    admins = await _role(server, rm, "admins", position=2, allow=Perm.Administrator)
    r = await server.http.put(
        f"{API}/guilds/{rm.guild_id}/onboarding", json=_onboarding(admins), headers=rm.member.headers
    )
    assert r.status_code == 403 and _code(r) == "missing_permission", r.text
    assert admins not in await _roles_of(server, rm, rm.member)


async def test_completing_onboarding_checks_the_saver_again_at_grant_time(server: Server) -> None:
    rm = await room(server)
    await grant(server, rm, rm.member, Perm.ManageGuild, position=5)
    plain = await _role(server, rm, "plain", position=2)
    r = await server.http.put(
        f"{API}/guilds/{rm.guild_id}/onboarding", json=_onboarding(plain), headers=rm.member.headers
    )
    assert r.status_code == 200, r.text
    option = r.json()["data"]["prompts"][0]["options"][0]["id"]
    # The role gains Administrator after the save: the saver could not hand that out.
    r = await server.http.patch(
        f"{API}/guilds/{rm.guild_id}/roles/{plain}",
        json={"permissions_allow": int(Perm.Administrator)},
        headers=rm.owner.headers,
    )
    assert r.status_code == 200, r.text
    r = await server.http.post(
        f"{API}/guilds/{rm.guild_id}/onboarding/complete", json={"option_ids": [option]}, headers=rm.member.headers
    )
    assert r.status_code == 200, r.text
    assert plain not in r.json()["data"]["roles"]
    assert plain not in await _roles_of(server, rm, rm.member)


# ---- role assignment ------------------------------------------------------------------------------


async def test_assigning_a_lower_role_needs_its_bits(server: Server) -> None:
    rm = await room(server)
    await grant(server, rm, rm.member, Perm.AssignRoles, position=5)
    admins = await _role(server, rm, "admins", position=2, allow=Perm.Administrator)
    for request in (
        server.http.put(f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/roles/{admins}", headers=rm.member.headers),
        server.http.patch(
            f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}",
            json={"roles": [*await _roles_of(server, rm, rm.member), admins]},
            headers=rm.member.headers,
        ),
    ):
        r = await request
        assert r.status_code == 403 and _code(r) == "missing_permission", r.text
    assert admins not in await _roles_of(server, rm, rm.member)
    r = await server.http.delete(f"{API}/guilds/{rm.guild_id}/roles/{admins}", headers=rm.member.headers)
    assert r.status_code == 403


async def test_assigning_a_role_needs_the_bits_its_channel_overwrites_allow(server: Server) -> None:
    rm = await room(server)
    await grant(server, rm, rm.member, Perm.AssignRoles, position=5)
    vip = await _role(server, rm, "vip", position=2)
    # A channel only `vip` may manage messages in; the member cannot.
    r = await server.http.put(
        f"{API}/channels/{rm.channel_id}/permissions/{vip}",
        json={"type": "role", "allow": int(Perm.ManageMessages), "deny": 0},
        headers=rm.owner.headers,
    )
    assert r.status_code == 200, r.text
    r = await server.http.put(
        f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/roles/{vip}", headers=rm.member.headers
    )
    assert r.status_code == 403, r.text


async def test_taking_away_a_role_lifts_its_denies_and_needs_them(server: Server) -> None:
    rm = await room(server)
    await grant(server, rm, rm.member, Perm.AssignRoles, position=5)
    muted = await _role(server, rm, "muted", position=2, deny=Perm.SendMessages)
    r = await server.http.put(
        f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/roles/{muted}", headers=rm.owner.headers
    )
    assert r.status_code == 200, r.text
    assert (await post(server, rm.member, rm.channel_id)).status_code == 403
    r = await server.http.delete(
        f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/roles/{muted}", headers=rm.member.headers
    )
    assert r.status_code == 403, r.text
    assert (await post(server, rm.member, rm.channel_id)).status_code == 403


async def test_lifting_a_deny_on_a_role_counts_as_granting(server: Server) -> None:
    rm = await room(server)
    mods = await grant(server, rm, rm.member, Perm.ManageRoles, position=5)
    quiet = await _role(server, rm, "quiet", position=2, deny=Perm.SendMessages)
    r = await server.http.put(
        f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/roles/{quiet}", headers=rm.owner.headers
    )
    assert r.status_code == 200, r.text
    r = await server.http.patch(
        f"{API}/guilds/{rm.guild_id}/roles/{quiet}", json={"permissions_deny": 0}, headers=rm.member.headers
    )
    assert r.status_code == 403, r.text
    assert (await post(server, rm.member, rm.channel_id)).status_code == 403
    assert mods


# ---- channel overwrites -------------------------------------------------------------------------------


async def test_lifting_a_deny_on_ones_own_role_counts_as_granting(server: Server) -> None:
    rm = await room(server)
    mods = await grant(server, rm, rm.member, Perm.ManagePermissions, position=5)
    url = f"{API}/channels/{rm.channel_id}/permissions/{mods}"
    r = await server.http.put(
        url, json={"type": "role", "allow": 0, "deny": int(Perm.SendMessages)}, headers=rm.owner.headers
    )
    assert r.status_code == 200, r.text
    assert (await post(server, rm.member, rm.channel_id)).status_code == 403

    for request in (
        server.http.put(
            url, json={"type": "role", "allow": int(Perm.SendMessages), "deny": 0}, headers=rm.member.headers
        ),
        server.http.put(url, json={"type": "role", "allow": 0, "deny": 0}, headers=rm.member.headers),
        server.http.delete(url, headers=rm.member.headers),
    ):
        r = await request
        assert r.status_code == 403 and _code(r) == "missing_permission", r.text
    assert (await post(server, rm.member, rm.channel_id)).status_code == 403
    # Bits the editor does hold stay theirs to change, where the hierarchy lets them.
    r = await server.http.put(
        f"{API}/channels/{rm.channel_id}/permissions/{rm.guild_id}",
        json={"type": "role", "allow": 0, "deny": int(Perm.AddReactions)},
        headers=rm.member.headers,
    )
    assert r.status_code == 200, r.text


async def test_overwrites_follow_the_role_hierarchy(server: Server) -> None:
    rm = await room(server)
    await grant(server, rm, rm.member, Perm.ManagePermissions, position=3)
    above = await _role(server, rm, "above", position=7)
    below = await _role(server, rm, "below", position=1)
    body = {"type": "role", "allow": 0, "deny": int(Perm.AddReactions)}
    r = await server.http.put(
        f"{API}/channels/{rm.channel_id}/permissions/{above}", json=body, headers=rm.member.headers
    )
    assert r.status_code == 403, r.text
    r = await server.http.put(
        f"{API}/channels/{rm.channel_id}/permissions/{below}", json=body, headers=rm.member.headers
    )
    assert r.status_code == 200, r.text
    user = {"type": "user", "allow": 0, "deny": int(Perm.AddReactions)}
    r = await server.http.put(
        f"{API}/channels/{rm.channel_id}/permissions/{rm.owner.id}", json=user, headers=rm.member.headers
    )
    assert r.status_code == 403, r.text


# ---- voice -------------------------------------------------------------------------------------------


async def test_voice_moderation_follows_the_hierarchy(server: Server) -> None:
    h = await hall(server)
    await grant(
        server, h.room, h.member, Perm.MuteMembers | Perm.DeafenMembers | Perm.MoveMembers | Perm.Connect, position=3
    )
    await join(server, h.owner, h.voice_id)
    for path, body in (
        (f"{h.voice_id}/members/{h.owner.id}/mute", {"mute": True}),
        (f"{h.voice_id}/members/{h.owner.id}/deafen", {"deaf": True}),
        (f"{h.voice_id}/members/{h.owner.id}/move", {"channel_id": h.other_voice_id}),
    ):
        r = await voice_post(server, h.member, path, body)
        assert r.status_code == 403, (path, r.text)
    r = await server.http.patch(
        f"{API}/guilds/{h.guild_id}/members/{h.owner.id}", json={"mute": True}, headers=h.member.headers
    )
    assert r.status_code == 403, r.text
    state = await state_of(server, h.owner.id)
    assert state is not None and state["channel_id"] == h.voice_id and not state["mute"] and not state["deaf"]


async def test_losing_view_of_a_voice_channel_ends_the_voice_state(server: Server) -> None:
    h = await hall(server)
    await join(server, h.member, h.voice_id)
    r = await server.http.put(
        f"{API}/channels/{h.voice_id}/permissions/{h.member.id}",
        json={"type": "user", "allow": 0, "deny": int(Perm.ViewChannel)},
        headers=h.owner.headers,
    )
    assert r.status_code == 200, r.text
    await server.settle()
    assert await state_of(server, h.member.id) is None
    left = [d for d in server.recorder.of("VOICE_STATE_UPDATE") if d["user_id"] == h.member.id]
    assert left and left[-1].get("channel_id") is None


async def test_losing_connect_through_a_role_ends_the_voice_state(server: Server) -> None:
    h = await hall(server)
    await join(server, h.member, h.voice_id)
    gagged = await _role(server, h.room, "no voice", position=1)
    r = await server.http.put(
        f"{API}/guilds/{h.guild_id}/members/{h.member.id}/roles/{gagged}", headers=h.owner.headers
    )
    assert r.status_code == 200, r.text
    await server.settle()
    assert await state_of(server, h.member.id) is not None  # the role denies nothing yet
    r = await server.http.patch(
        f"{API}/guilds/{h.guild_id}/roles/{gagged}",
        json={"permissions_deny": int(Perm.Connect)},
        headers=h.owner.headers,
    )
    assert r.status_code == 200, r.text
    await server.settle()
    assert await state_of(server, h.member.id) is None


def _jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


async def test_voice_tokens_are_short_lived(server: Server) -> None:
    h = await hall(server)
    joined = await join(server, h.member, h.voice_id)
    claims = _jwt_claims(joined["token"])
    assert claims["exp"] - claims["nbf"] <= server.ctx.settings.voice_token_ttl_s <= 600
