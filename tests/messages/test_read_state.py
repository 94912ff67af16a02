"""Read state: acks, and unread / mention counts that follow the messages as they change."""

from __future__ import annotations

from typing import Any

from amityvox import permissions as P
from tests.conftest import Server
from tests.messages.helpers import API, Person, dm, error_code, nothing_published, room, say


async def _states(server: Server, who: Person) -> dict[str, dict[str, Any]]:
    r = await server.http.get(f"{API}/users/@me/read-state", headers=who.headers)
    assert r.status_code == 200, r.text
    return {e["channel_id"]: e for e in r.json()["data"]}


async def test_unread_and_mentions_count_users_roles_and_here(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    r = await s.http.post(f"{API}/guilds/{rm.guild_id}/roles", json={"name": "crew"}, headers=rm.owner.headers)
    role_id = r.json()["data"]["id"]
    r = await s.http.put(f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/roles/{role_id}", headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    plain = await say(s, rm.owner, rm.channel_id, "plain")
    direct = await say(s, rm.owner, rm.channel_id, f"hi <@{rm.member.id}>")
    await say(s, rm.owner, rm.channel_id, f"hi <@&{role_id}>")
    await say(s, rm.owner, rm.channel_id, "@here meeting")
    await say(s, rm.member, rm.channel_id, "my own message is never unread")
    state = (await _states(s, rm.member))[rm.channel_id]
    # The member's own post moved their read position to the end.
    assert state["unread_count"] == 0 and state["mention_count"] == 0
    owner_state = (await _states(s, rm.owner))[rm.channel_id]
    assert owner_state["unread_count"] == 1 and owner_state["mention_count"] == 0

    url = f"{API}/channels/{rm.channel_id}/ack"
    r = await s.http.post(url, json={"message_id": plain["id"]}, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {
        "channel_id": rm.channel_id,
        "last_message_id": plain["id"],
        "unread_count": 3,  # the member's own message does not count
        "mention_count": 3,
    }
    await s.settle()
    assert s.recorder.of("CHANNEL_ACK") == [
        {"channel_id": rm.channel_id, "message_id": plain["id"], "user_id": rm.member.id}
    ]
    # Editing the mention away is reflected at once.
    r = await s.http.patch(
        f"{API}/channels/{rm.channel_id}/messages/{direct['id']}", json={"content": "hi all"}, headers=rm.owner.headers
    )
    assert r.status_code == 200
    assert (await _states(s, rm.member))[rm.channel_id]["mention_count"] == 2

    s.recorder.clear()
    r = await s.http.post(url, headers=rm.member.headers)  # default: the latest message
    assert r.status_code == 200 and r.json()["data"]["unread_count"] == 0
    latest = r.json()["data"]["last_message_id"]
    r = await s.http.post(url, json={"message_id": latest}, headers=rm.member.headers)  # unchanged: no event
    assert r.status_code == 200
    await s.settle()
    assert s.recorder.of("CHANNEL_ACK") == [
        {"channel_id": rm.channel_id, "message_id": latest, "user_id": rm.member.id}
    ]


async def test_ack_refuses_outsiders_and_foreign_messages(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    other = await dm(server, rm.owner, rm.member)
    foreign = await say(server, rm.owner, other)
    url = f"{API}/channels/{rm.channel_id}/ack"
    r = await server.http.post(url, json={"message_id": msg["id"]}, headers=rm.outsider.headers)
    assert r.status_code == 404
    r = await server.http.post(url, json={"message_id": foreign["id"]}, headers=rm.member.headers)
    assert r.status_code == 404 and error_code(r) == "not_found"
    r = await server.http.post(url, json={"message_id": 5}, headers=rm.member.headers)
    assert r.status_code == 400
    assert (await _states(server, rm.member))[rm.channel_id]["unread_count"] == 1
    await nothing_published(server)


async def test_read_state_lists_only_viewable_channels(server: Server) -> None:
    rm = await room(server)
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/channels", json={"name": "staff"}, headers=rm.owner.headers)
    staff = r.json()["data"]["id"]
    r = await server.http.put(
        f"{API}/channels/{staff}/permissions/{rm.guild_id}",
        json={"type": "role", "allow": 0, "deny": P.Perm.ViewChannel},
        headers=rm.owner.headers,
    )
    assert r.status_code == 200, r.text
    await say(server, rm.owner, staff, f"secret for <@{rm.member.id}>")
    private = await dm(server, rm.owner, rm.member)
    await say(server, rm.owner, private, "psst")
    member = await _states(server, rm.member)
    assert set(member) == {rm.channel_id, private}
    assert member[private]["unread_count"] == 1 and "last_message_id" not in member[private]
    owner = await _states(server, rm.owner)
    assert set(owner) == {rm.channel_id, staff, private}
    assert await _states(server, rm.outsider) == {}
    r = await server.http.post(f"{API}/channels/{staff}/ack", headers=rm.member.headers)
    assert r.status_code == 404


async def test_ack_of_an_empty_channel_changes_nothing(server: Server) -> None:
    rm = await room(server)
    r = await server.http.post(f"{API}/channels/{rm.channel_id}/ack", headers=rm.member.headers)
    assert r.status_code == 200
    assert r.json()["data"] == {"channel_id": rm.channel_id, "unread_count": 0, "mention_count": 0}
    await nothing_published(server)
