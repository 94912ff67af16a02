"""Instance settings: stored, editable at runtime, enforced (registration mode, limits), and the
public part readable by anyone at GET /instance."""

from __future__ import annotations

from tests.admin.helpers import ADMIN, API, cast, entries
from tests.conftest import Server
from tests.messages.helpers import post
from tests.voice.helpers import error_code

NEW = {"username": "newcomer", "password": "correct horse"}


async def test_registration_modes_are_enforced(server: Server) -> None:
    c = await cast(server)
    h = c.admin.headers
    public = (await server.http.get(f"{API}/instance")).json()["data"]
    assert public == {
        "name": "AmityVox",
        "description": "",
        "registration_mode": "open",
        "email": False,
        "account_deletion_days": 14,
    }

    r = await server.http.patch(f"{ADMIN}/settings", json={"registration_mode": "closed"}, headers=h)
    assert r.status_code == 200 and r.json()["data"]["registration_mode"] == "closed"
    r = await server.http.post(f"{API}/auth/register", json=NEW)
    assert r.status_code == 403 and error_code(r) == "registration_closed"
    assert (await server.http.get(f"{API}/auth/rules")).json()["data"]["registration_open"] is False

    r = await server.http.patch(f"{ADMIN}/settings", json={"registration_mode": "invite_only"}, headers=h)
    assert r.status_code == 200
    assert (await server.http.get(f"{API}/instance")).json()["data"]["registration_mode"] == "invite_only"
    r = await server.http.post(f"{API}/auth/register", json=NEW)
    assert r.status_code == 403 and error_code(r) == "invite_required"
    r = await server.http.post(f"{API}/auth/register", json={**NEW, "invite": "nosuchcode"})
    assert r.status_code == 404
    r = await server.http.post(f"{API}/guilds/{c.room.guild_id}/invites", json={}, headers=c.room.owner.headers)
    code = r.json()["data"]["code"]
    r = await server.http.post(f"{API}/auth/register", json={**NEW, "invite": code})
    assert r.status_code == 201, r.text

    r = await server.http.patch(f"{ADMIN}/settings", json={"registration_mode": "open"}, headers=h)
    await server.register("walkin")
    assert [e["changes"] for e in await entries(server, "SETTINGS_UPDATE")][-1] == [
        {"key": "registration_mode", "old": "open", "new": "closed"}
    ]


async def test_settings_are_checked_and_enforced(server: Server) -> None:
    c = await cast(server)
    h = c.admin.headers
    for bad in (
        {"registration_mode": "sometimes"},
        {"max_message_length": 0},
        {"max_message_length": 4001},
        {"max_guilds_per_user": -1},
        {"max_guilds_per_user": "3"},
        {"name": "x" * 101},
        {"colour": "red"},
    ):
        r = await server.http.patch(f"{ADMIN}/settings", json=bad, headers=h)
        assert r.status_code == 400, (bad, r.text)
    assert await entries(server, "SETTINGS_UPDATE") == []

    changes = {"name": "Example Chat", "description": "Be kind.", "max_message_length": 10, "max_guilds_per_user": 1}
    r = await server.http.patch(f"{ADMIN}/settings", json=changes, headers=h)
    assert r.status_code == 200 and {k: r.json()["data"][k] for k in changes} == changes
    public = (await server.http.get(f"{API}/instance")).json()["data"]
    assert public["name"] == "Example Chat" and public["description"] == "Be kind."
    r = await post(server, c.room.member, c.room.channel_id, "x" * 11)
    assert r.status_code == 400 and error_code(r) == "validation_error" and "at most 10 characters" in r.text
    assert (await post(server, c.room.member, c.room.channel_id, "x" * 10)).status_code == 201
    # The member is in one guild already: no second one, made or joined.
    r = await server.http.post(f"{API}/guilds", json={"name": "Second"}, headers=c.room.member.headers)
    assert r.status_code == 403 and error_code(r) == "too_many_guilds"
    r = await server.http.post(f"{API}/guilds", json={"name": "First"}, headers=c.room.outsider.headers)
    assert r.status_code == 201
    stored = (await server.http.get(f"{ADMIN}/settings", headers=h)).json()["data"]
    assert stored["max_guilds_per_user"] == 1 and stored["rate_limit_per_second"] == 1_000_000


async def test_the_rest_budget_follows_the_setting(server: Server) -> None:
    c = await cast(server)
    r = await server.http.patch(f"{ADMIN}/settings", json={"rate_limit_per_second": 2}, headers=c.admin.headers)
    assert r.status_code == 200
    codes = [(await server.http.get(f"{API}/users/@me", headers=c.room.member.headers)).status_code for _ in range(6)]
    assert 429 in codes
