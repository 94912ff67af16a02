"""The audit log: one entry per moderation or configuration change, written with the change,
read back by ViewAuditLog holders and sent to them alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from amityvox.db.schema import audit_log_entries, roles
from amityvox.ids import iso, utcnow
from amityvox.permissions import Perm
from amityvox.services import audit_log
from amityvox.uow import UnitOfWork
from tests.activities.test_bots import make_bot
from tests.commands.helpers import ROLL, commands_url
from tests.community.helpers import grant
from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.messages.helpers import API, Person, Room, person, room


async def _entries(server: Server, rm: Room, who: Person | None = None, **params: Any) -> dict[str, Any]:
    r = await server.http.get(f"{API}/guilds/{rm.guild_id}/audit-log", params=params, headers=(who or rm.owner).headers)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def _count(server: Server) -> int:
    async with server.ctx.db.read() as conn:
        return len((await conn.execute(select(audit_log_entries.c.id))).all())


Step = Callable[[Server, Room, dict[str, Any]], Awaitable[Any]]


def _call(method: str, path: str, body: Any = None, *, who: str = "owner", keep: str | None = None) -> Step:
    """A REST call as the owner (or the member); `keep` stores an answer's field for later steps."""

    async def step(server: Server, rm: Room, ids: dict[str, Any]) -> None:
        actor = rm.owner if who == "owner" else rm.member
        values = {"g": rm.guild_id, "c": rm.channel_id, "m": rm.member.id, **ids}
        json = body(ids) if callable(body) else body
        r = await server.http.request(method, f"{API}{path.format(**values)}", json=json, headers=actor.headers)
        assert r.status_code < 300, r.text
        if keep:
            ids[keep] = r.json()["data"]["code" if keep == "invite" else "id"]

    return step


async def _make_bot(server: Server, rm: Room, ids: dict[str, Any]) -> None:
    """A bot of the owner's with one command, kept as `bot` for the install steps."""
    _user, bot = await make_bot(server, rm.owner, "dice-bot")
    r = await server.http.put(commands_url(bot.id), json=[ROLL], headers=bot.headers)
    assert r.status_code == 200, r.text
    ids["bot"] = bot.id


def _install(scope: str) -> Step:
    """Authorize the bot (made first when there is none yet) with `scope` and no bits."""

    async def step(server: Server, rm: Room, ids: dict[str, Any]) -> None:
        if "bot" not in ids:
            await _make_bot(server, rm, ids)
            await server.settle()
        body = {"client_id": ids["bot"], "guild_id": rm.guild_id, "scope": scope, "permissions": "0"}
        r = await server.http.post(f"{API}/oauth2/authorize", json=body, headers=rm.owner.headers)
        assert r.status_code == 200, r.text

    return step


_ALLOW = str(int(Perm.SendMessages))


def _in_an_hour() -> str:
    return iso(utcnow() + timedelta(hours=1))


_RULE = {"name": "no spam", "rule_type": "word", "config": {"words": ["spam"]}, "actions": ["delete"]}

# (action, the call, target type, target (a key of the stored ids, or a field of the room), changes expected)
ACTIONS: list[tuple[str, Step, str, str, list[dict[str, Any]] | None]] = [
    ("GUILD_UPDATE", _call("PATCH", "/guilds/{g}", {"name": "Renamed"}), "guild", "g",
     [{"key": "name", "old": "Home", "new": "Renamed"}]),
    ("ROLE_CREATE", _call("POST", "/guilds/{g}/roles", {"name": "mods", "position": 1}, keep="role"), "role", "role",
     None),
    ("ROLE_UPDATE", _call("PATCH", "/guilds/{g}/roles/{role}", {"name": "moderators"}), "role", "role",
     [{"key": "name", "old": "mods", "new": "moderators"}]),
    ("ROLE_UPDATE", _call("PATCH", "/guilds/{g}/roles/{role}", {"position": 2}), "role", "role",
     [{"key": "position", "old": 1, "new": 2}]),
    ("MEMBER_ROLE_UPDATE", _call("PUT", "/guilds/{g}/members/{m}/roles/{role}"), "user", "m",
     [{"key": "roles", "old": None, "new": ["{role}"]}]),
    ("MEMBER_ROLE_UPDATE", _call("DELETE", "/guilds/{g}/members/{m}/roles/{role}"), "user", "m",
     [{"key": "roles", "old": ["{role}"], "new": None}]),
    ("MEMBER_UPDATE", _call("PATCH", "/guilds/{g}/members/{m}", {"nickname": "Bobby"}), "user", "m",
     [{"key": "nickname", "old": None, "new": "Bobby"}]),
    ("MEMBER_UPDATE", _call("PATCH", "/guilds/{g}/members/{m}", lambda ids: {"timeout_until": _in_an_hour()}),
     "user", "m", None),
    ("CHANNEL_CREATE", _call("POST", "/guilds/{g}/channels", {"name": "news"}, keep="channel"), "channel",
     "channel", None),
    ("CHANNEL_UPDATE", _call("PATCH", "/channels/{channel}", {"topic": "today"}), "channel", "channel",
     [{"key": "topic", "old": None, "new": "today"}]),
    ("CHANNEL_OVERWRITE_CREATE",
     _call("PUT", "/channels/{channel}/permissions/{role}", {"type": "role", "allow": _ALLOW, "deny": "0"}),
     "channel", "channel", None),
    ("CHANNEL_OVERWRITE_UPDATE",
     _call("PUT", "/channels/{channel}/permissions/{role}", {"type": "role", "allow": "0", "deny": _ALLOW}),
     "channel", "channel", None),
    ("CHANNEL_OVERWRITE_DELETE", _call("DELETE", "/channels/{channel}/permissions/{role}"), "channel", "channel",
     None),
    ("CHANNEL_DELETE", _call("DELETE", "/channels/{channel}"), "channel", "channel", None),
    ("ROLE_DELETE", _call("DELETE", "/guilds/{g}/roles/{role}"), "role", "role", None),
    ("INVITE_CREATE", _call("POST", "/guilds/{g}/invites", {"max_uses": 5}, keep="invite"), "invite", "invite",
     None),
    ("INVITE_DELETE", _call("DELETE", "/invites/{invite}"), "invite", "invite", None),
    ("EMOJI_CREATE", _call("POST", "/guilds/{g}/emoji", {"name": "party"}, keep="emoji"), "emoji", "emoji",
     [{"key": "animated", "old": None, "new": False}, {"key": "creator_id", "old": None, "new": "{owner}"},
      {"key": "name", "old": None, "new": "party"}]),
    ("EMOJI_UPDATE", _call("PATCH", "/guilds/{g}/emoji/{emoji}", {"name": "parrot"}), "emoji", "emoji",
     [{"key": "name", "old": "party", "new": "parrot"}]),
    ("EMOJI_DELETE", _call("DELETE", "/guilds/{g}/emoji/{emoji}"), "emoji", "emoji", None),
    ("AUTO_MODERATION_RULE_CREATE", _call("POST", "/guilds/{g}/automod/rules", _RULE, keep="rule"),
     "automod_rule", "rule", None),
    ("AUTO_MODERATION_RULE_UPDATE", _call("PATCH", "/guilds/{g}/automod/rules/{rule}", {"enabled": False}),
     "automod_rule", "rule", [{"key": "enabled", "old": True, "new": False}]),
    ("AUTO_MODERATION_RULE_DELETE", _call("DELETE", "/guilds/{g}/automod/rules/{rule}"), "automod_rule", "rule",
     None),
    ("ONBOARDING_UPDATE", _call("PUT", "/guilds/{g}/onboarding", {"enabled": True, "rules": ["be kind"]}),
     "onboarding", "g", [{"key": "enabled", "old": False, "new": True}, {"key": "rules", "old": None,
                                                                            "new": ["be kind"]}]),
    ("WEBHOOK_CREATE", _call("POST", "/channels/{c}/webhooks", {"name": "CI"}, keep="webhook"), "webhook",
     "webhook", [{"key": "channel_id", "old": None, "new": "{c}"}, {"key": "creator_id", "old": None, "new": "{owner}"},
                 {"key": "name", "old": None, "new": "CI"}, {"key": "type", "old": None, "new": 1}]),
    ("WEBHOOK_UPDATE", _call("PATCH", "/webhooks/{webhook}", {"name": "Builds"}), "webhook", "webhook",
     [{"key": "name", "old": "CI", "new": "Builds"}]),
    ("WEBHOOK_DELETE", _call("DELETE", "/webhooks/{webhook}"), "webhook", "webhook", None),
    # An event nothing later in this list sends: the endpoint (off this machine) is never called.
    ("EVENT_WEBHOOK_CREATE", _call("POST", "/guilds/{g}/event-webhooks", {"url": "https://hooks.example.test/in",
     "events": ["MESSAGE_REACTION_REMOVE"]}, keep="event_hook"), "event_webhook", "event_hook", None),
    ("EVENT_WEBHOOK_UPDATE", _call("PATCH", "/event-webhooks/{event_hook}", {"enabled": False}), "event_webhook",
     "event_hook", [{"key": "enabled", "old": True, "new": False}]),
    ("EVENT_WEBHOOK_DELETE", _call("DELETE", "/event-webhooks/{event_hook}"), "event_webhook", "event_hook", None),
    ("MEMBER_WARNING_CREATE", _call("POST", "/guilds/{g}/members/{m}/warnings", {"reason": "calm"}), "user", "m",
     [{"key": "reason", "old": None, "new": "calm"}]),
    ("MEMBER_BAN_ADD", _call("PUT", "/guilds/{g}/bans/{m}", {"reason": "spam"}), "user", "m",
     [{"key": "reason", "old": None, "new": "spam"}]),
    ("MEMBER_BAN_REMOVE", _call("DELETE", "/guilds/{g}/bans/{m}"), "user", "m", []),
    ("INTEGRATION_CREATE", _install("applications.commands"), "user", "bot",
     [{"key": "scopes", "old": None, "new": ["applications.commands"]}]),
    ("INTEGRATION_DELETE", _call("DELETE", "/guilds/{g}/integrations/{bot}"), "user", "bot",
     [{"key": "scopes", "old": ["applications.commands"], "new": None}]),
]  # fmt: skip


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def test_every_kind_of_change_writes_exactly_one_entry_and_sends_it(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    ids: dict[str, Any] = {"g": rm.guild_id, "c": rm.channel_id, "m": rm.member.id, "owner": rm.owner.id}
    seen: set[str] = set()
    for action, step, target_type, target, changes in ACTIONS:
        before = await _count(server)
        server.recorder.clear()
        await step(server, rm, ids)
        await server.settle()
        assert await _count(server) == before + 1, action
        newest = (await _entries(server, rm, limit=1))["audit_log_entries"][0]
        assert newest["action"] == action and newest["actor_id"] == rm.owner.id, newest
        assert newest["target_type"] == target_type and newest["target_id"] == ids[target], newest
        if changes is not None:
            assert newest["changes"] == _fill(changes, ids), (action, newest["changes"])
        # The entry is published once, after the change's own events, exactly as stored.
        names = server.recorder.names(ignore="NOTIFICATION", audit=True)
        assert names.count("GUILD_AUDIT_LOG_ENTRY_CREATE") == 1 and names[-1] == "GUILD_AUDIT_LOG_ENTRY_CREATE"
        assert server.recorder.of("GUILD_AUDIT_LOG_ENTRY_CREATE") == [newest]
        seen.add(action)
    # Kicks and a bot's joining (which creates its role as well) have tests of their own.
    assert seen >= set(audit_log.Action) - {"MEMBER_KICK", "MEMBER_PRUNE", "BOT_ADD"}


async def test_kick_and_overwrite_entries_name_what_changed(server: Server) -> None:
    rm = await room(server)
    h = rm.owner.headers
    r = await server.http.put(
        f"{API}/channels/{rm.channel_id}/permissions/{rm.member.id}",
        json={"type": "user", "allow": _ALLOW, "deny": "0"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    entry = (await _entries(server, rm, limit=1))["audit_log_entries"][0]
    overwrite = {"id": rm.member.id, "type": "user", "allow": _ALLOW, "deny": "0"}
    assert entry["changes"] == [{"key": "overwrite", "old": None, "new": overwrite}]
    r = await server.http.delete(f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}", headers=h)
    assert r.status_code == 204
    data = await _entries(server, rm, limit=1)
    kick = data["audit_log_entries"][0]
    assert (kick["action"], kick["target_type"], kick["target_id"]) == ("MEMBER_KICK", "user", rm.member.id)
    # The kicked member is among the users the answer names, though no longer in the guild.
    assert {u["id"] for u in data["users"]} == {rm.owner.id, rm.member.id}


async def test_adding_a_bot_names_it_its_scopes_and_bits_with_the_reason(server: Server) -> None:
    rm = await room(server)
    ids: dict[str, Any] = {}
    await _make_bot(server, rm, ids)
    bits = str(int(Perm.ViewChannel | Perm.SendMessages))
    body = {"client_id": ids["bot"], "guild_id": rm.guild_id, "scope": "bot applications.commands", "permissions": bits}
    headers = {**rm.owner.headers, "X-Audit-Log-Reason": quote("dice for game night")}
    await server.settle()
    server.recorder.clear()
    r = await server.http.post(f"{API}/oauth2/authorize", json=body, headers=headers)
    assert r.status_code == 200, r.text
    role_id = r.json()["data"]["role"]["id"]
    await server.settle()
    data = await _entries(server, rm, limit=2)
    added, role = data["audit_log_entries"]
    assert (role["action"], role["target_id"], role["reason"]) == ("ROLE_CREATE", role_id, "dice for game night")
    assert added == {
        "id": added["id"], "guild_id": rm.guild_id, "actor_id": rm.owner.id, "action": "BOT_ADD",
        "target_type": "user", "target_id": ids["bot"], "reason": "dice for game night",
        "created_at": added["created_at"],
        "changes": [{"key": "permissions", "old": None, "new": bits},
                    {"key": "scopes", "old": None, "new": ["bot", "applications.commands"]}],
    }  # fmt: skip
    assert ids["bot"] in {u["id"] for u in data["users"]}
    # The entry follows the install's own events; authorizing again with the same bits writes nothing.
    names = server.recorder.names(ignore="NOTIFICATION", audit=True)
    assert names.count("GUILD_AUDIT_LOG_ENTRY_CREATE") == 2 and names[-1] == "GUILD_AUDIT_LOG_ENTRY_CREATE", names
    assert server.recorder.of("GUILD_AUDIT_LOG_ENTRY_CREATE")[-1] == added
    before = await _count(server)
    r = await server.http.post(f"{API}/oauth2/authorize", json=body, headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    assert await _count(server) == before


async def test_removing_a_commands_install_takes_the_reason(server: Server) -> None:
    rm = await room(server)
    ids: dict[str, Any] = {}
    await _install("applications.commands")(server, rm, ids)
    headers = {**rm.owner.headers, "X-Audit-Log-Reason": quote("nobody rolls any more")}
    r = await server.http.delete(f"{API}/guilds/{rm.guild_id}/integrations/{ids['bot']}", headers=headers)
    assert r.status_code == 204, r.text
    removed = (await _entries(server, rm, limit=1))["audit_log_entries"][0]
    assert (removed["action"], removed["target_id"]) == ("INTEGRATION_DELETE", ids["bot"])
    assert removed["reason"] == "nobody rolls any more"


async def test_changes_that_are_not_moderation_write_nothing(server: Server) -> None:
    rm = await room(server)
    before = await _count(server)
    # A member's own nickname is theirs; a save that changes nothing changes nothing.
    r = await server.http.patch(
        f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}", json={"nickname": "me"}, headers=rm.member.headers
    )
    assert r.status_code == 200, r.text
    r = await server.http.patch(f"{API}/guilds/{rm.guild_id}", json={"name": "Home"}, headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    r = await server.http.post(f"{API}/channels/{rm.channel_id}/messages", json={"content": "hi"},
                               headers=rm.member.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    await server.settle()
    assert await _count(server) == before
    assert "GUILD_AUDIT_LOG_ENTRY_CREATE" not in server.recorder.names(audit=True)


async def test_a_change_whose_entry_fails_rolls_back_with_it(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    rm = await room(server)
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/roles", json={"name": "mods"}, headers=rm.owner.headers)
    role_id = r.json()["data"]["id"]
    await server.settle()
    server.recorder.clear()
    before = await _count(server)
    emit = UnitOfWork.emit

    def failing(self: UnitOfWork, name: str, data: dict[str, Any]) -> None:
        if name == "GUILD_AUDIT_LOG_ENTRY_CREATE":
            raise RuntimeError("the entry could not be sent")
        emit(self, name, data)

    monkeypatch.setattr(UnitOfWork, "emit", failing)
    with pytest.raises(RuntimeError):
        async with server.ctx.uow() as tx:
            await audit_log.record(
                tx, guild_id=rm.guild_id, actor_id=rm.owner.id, action=audit_log.Action.ROLE_UPDATE,
                target_type="role", target_id=role_id, old={"name": "mods"}, new={"name": "x"},
            )  # fmt: skip
    r = await server.http.patch(
        f"{API}/guilds/{rm.guild_id}/roles/{role_id}", json={"name": "renamed"}, headers=rm.owner.headers
    )
    assert r.status_code == 500
    monkeypatch.undo()
    await server.settle()
    assert await _count(server) == before
    assert server.recorder.names(audit=True) == []  # neither the entry nor the role's own update
    async with server.ctx.db.read() as conn:
        assert await conn.scalar(select(roles.c.name).where(roles.c.id == role_id)) == "mods"


async def test_the_reason_header_becomes_the_entry_reason(server: Server) -> None:
    rm = await room(server)
    path = f"{API}/guilds/{rm.guild_id}/bans/{rm.member.id}"
    reason = "spam in #general ✓ 100%"
    headers = {**rm.owner.headers, "X-Audit-Log-Reason": quote(reason)}
    r = await server.http.put(path, json={"reason": "the ban's own"}, headers=headers)
    assert r.status_code == 200, r.text
    assert (await _entries(server, rm, limit=1))["audit_log_entries"][0]["reason"] == reason
    # Without the header a ban's own reason is the entry's; with neither there is none.
    r = await server.http.delete(path, headers=rm.owner.headers)
    assert "reason" not in (await _entries(server, rm, limit=1))["audit_log_entries"][0]
    r = await server.http.put(path, json={"reason": "the ban's own"}, headers=rm.owner.headers)
    assert (await _entries(server, rm, limit=1))["audit_log_entries"][0]["reason"] == "the ban's own"
    # A reason past 512 characters is refused, and the change with it.
    before = await _count(server)
    long = {**rm.owner.headers, "X-Audit-Log-Reason": "x" * 513}
    r = await server.http.patch(f"{API}/guilds/{rm.guild_id}", json={"name": "Other"}, headers=long)
    assert r.status_code == 400 and r.json()["error"]["code"] == "validation_error"
    most = {**rm.owner.headers, "X-Audit-Log-Reason": "x" * 512}
    r = await server.http.patch(f"{API}/guilds/{rm.guild_id}", json={"name": "Other"}, headers=most)
    assert r.status_code == 200
    assert await _count(server) == before + 1


async def test_filters_and_paging(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    await grant(server, rm, rm.member, Perm.ManageChannels | Perm.ViewAuditLog)
    made = []
    for i, who in enumerate((rm.owner, rm.member, rm.owner, rm.member, rm.owner)):
        r = await server.http.post(f"{API}/guilds/{rm.guild_id}/channels", json={"name": f"c{i}"}, headers=who.headers)
        assert r.status_code == 201, r.text
        made.append(r.json()["data"]["id"])
    everything = (await _entries(server, rm, rm.member))["audit_log_entries"]
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids, reverse=True)  # newest first
    creates = (await _entries(server, rm, action_type="CHANNEL_CREATE"))["audit_log_entries"]
    assert [e["target_id"] for e in creates] == made[::-1]
    by_member = await _entries(server, rm, user_id=rm.member.id, action_type="CHANNEL_CREATE")
    assert [e["target_id"] for e in by_member["audit_log_entries"]] == [made[3], made[1]]
    assert [u["id"] for u in by_member["users"]] == [rm.member.id]
    paged: list[dict[str, Any]] = []
    while True:
        older = {"before": paged[-1]["id"]} if paged else {}
        page = (await _entries(server, rm, action_type="CHANNEL_CREATE", limit=2, **older))["audit_log_entries"]
        if not page:
            break
        assert len(page) <= 2
        paged += page
    assert [e["target_id"] for e in paged] == made[::-1]
    after = await _entries(server, rm, action_type="CHANNEL_CREATE", limit=2, after=creates[-1]["id"])
    assert [e["target_id"] for e in after["audit_log_entries"]] == [made[2], made[1]]
    for params in ({"limit": 0}, {"limit": 101}, {"action_type": "NOT_AN_ACTION"}):
        r = await server.http.get(f"{API}/guilds/{rm.guild_id}/audit-log", params=params, headers=rm.owner.headers)
        assert r.status_code == 400, params


async def test_only_view_audit_log_holders_read_it_or_hear_of_it(server: Server) -> None:
    rm = await room(server)
    reader = await person(server, "reader")
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/invites", json={}, headers=rm.owner.headers)
    r = await server.http.post(f"{API}/invites/{r.json()['data']['code']}", headers=reader.headers)
    assert r.status_code == 200
    # The member moderates (kick, ban, manage messages) but has no ViewAuditLog.
    await grant(server, rm, rm.member, Perm.KickMembers | Perm.BanMembers | Perm.ManageMessages, name="mods")
    await grant(server, rm, reader, Perm.ViewAuditLog, name="readers")
    for who in (rm.member, rm.outsider):
        r = await server.http.get(f"{API}/guilds/{rm.guild_id}/audit-log", headers=who.headers)
        assert r.status_code in (403, 404), r.text
    r = await server.http.get(f"{API}/guilds/{rm.guild_id}/audit-log", headers=rm.member.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "missing_permission"
    assert (await _entries(server, rm, reader))["audit_log_entries"]

    sockets = {}
    for name, who in (("owner", rm.owner), ("member", rm.member), ("reader", reader)):
        sockets[name] = await Raw.connect(server.url)
        await sockets[name].identify(who.token)
    try:
        r = await server.http.patch(f"{API}/guilds/{rm.guild_id}", json={"name": "Renamed"}, headers=rm.owner.headers)
        assert r.status_code == 200
        await server.settle()
        for name in ("owner", "reader"):
            frame = await sockets[name].wait_for("GUILD_AUDIT_LOG_ENTRY_CREATE")
            assert frame["d"]["action"] == "GUILD_UPDATE"
        names = [f["t"] for f in await sockets["member"].fence()]
        assert "GUILD_UPDATE" in names and "GUILD_AUDIT_LOG_ENTRY_CREATE" not in names
    finally:
        for ws in sockets.values():
            await ws.close()


def test_the_web_client_words_every_action() -> None:
    words = (Path(__file__).resolve().parents[2] / "amityvox/web/js/ui/audit-log.js").read_text()
    missing = [a.value for a in audit_log.Action if f"\n  {a.value}: " not in words]
    assert not missing, f"audit-log.js has no words for {missing}"


# One audited call per router that takes the reason header (api/deps.audit_reason): method, path, body.
REASONED: list[tuple[str, str, Any]] = [
    ("PATCH", "/guilds/{g}", {"name": "Renamed"}),
    ("PATCH", "/channels/{c}", {"topic": "news"}),
    ("POST", "/guilds/{g}/automod/rules", _RULE),
    ("PUT", "/guilds/{g}/onboarding", {"enabled": True}),
    ("POST", "/guilds/{g}/members/{m}/warnings", {"reason": "calm"}),
    ("POST", "/channels/{c}/webhooks", {"name": "CI"}),
    ("DELETE", "/invites/{invite}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), REASONED, ids=[f"{m} {p}" for m, p, _ in REASONED])
async def test_every_audited_router_takes_the_reason(server: Server, method: str, path: str, body: Any) -> None:
    rm = await room(server)
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/invites", json={}, headers=rm.owner.headers)
    values = {"g": rm.guild_id, "c": rm.channel_id, "m": rm.member.id, "invite": r.json()["data"]["code"]}
    headers = {**rm.owner.headers, "X-Audit-Log-Reason": quote("because 100% ✓")}
    r = await server.http.request(method, f"{API}{path.format(**values)}", json=body, headers=headers)
    assert r.status_code < 300, r.text
    newest = (await _entries(server, rm, limit=1))["audit_log_entries"][0]
    assert newest["reason"] == "because 100% ✓", newest
