"""Saved messages: save with a note, list newest first with paging, unsave, privacy and sync."""

from __future__ import annotations

from typing import Any

from amityvox import permissions as P
from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.messages.helpers import API, Person, dm, error_code, overwrite, room, say

SAVED = f"{API}/users/@me/saved-messages"


async def _list(server: Server, who: Person, **params: Any) -> list[dict[str, Any]]:
    r = await server.http.get(SAVED, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def test_save_note_list_and_unsave(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    first = await say(s, rm.owner, rm.channel_id, "the plan")
    second = await say(s, rm.owner, rm.channel_id, "the venue")
    r = await s.http.put(f"{SAVED}/{first['id']}", json={"note": "  read later  "}, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    saved = r.json()["data"]
    assert saved["note"] == "read later" and saved["guild_id"] == rm.guild_id and saved["channel_id"] == rm.channel_id
    assert (await s.http.put(f"{SAVED}/{second['id']}", headers=rm.member.headers)).status_code == 200

    listed = await _list(s, rm.member)
    assert [x["message_id"] for x in listed] == [second["id"], first["id"]]  # newest save first
    assert listed[0]["message"]["content"] == "the venue" and "note" not in listed[0]
    assert listed[1]["note"] == "read later" and listed[1]["message"]["author"]["id"] == rm.owner.id
    assert await _list(s, rm.owner) == []  # saves are one's own

    page = await _list(s, rm.member, limit=1)
    assert [x["message_id"] for x in page] == [second["id"]]
    page = await _list(s, rm.member, limit=1, before=second["id"])
    assert [x["message_id"] for x in page] == [first["id"]]

    # Saving again sets the note (null clears it) and keeps the save's place.
    r = await s.http.put(f"{SAVED}/{first['id']}", json={"note": None}, headers=rm.member.headers)
    assert "note" not in r.json()["data"] and r.json()["data"]["created_at"] == saved["created_at"]
    assert (await s.http.delete(f"{SAVED}/{first['id']}", headers=rm.member.headers)).status_code == 204
    assert (await s.http.delete(f"{SAVED}/{first['id']}", headers=rm.member.headers)).status_code == 204
    assert [x["message_id"] for x in await _list(s, rm.member)] == [second["id"]]


async def test_only_readable_messages_can_be_saved_and_are_listed(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id, "members only")
    r = await server.http.put(f"{SAVED}/{msg['id']}", headers=rm.outsider.headers)
    assert r.status_code == 404
    r = await server.http.put(f"{SAVED}/{'0' * 26}", headers=rm.member.headers)
    assert r.status_code == 404
    r = await server.http.put(f"{SAVED}/{msg['id']}", json={"note": "x" * 501}, headers=rm.member.headers)
    assert r.status_code == 400
    assert (await server.http.put(f"{SAVED}/{msg['id']}", headers=rm.member.headers)).status_code == 200

    # Losing ReadHistory hides the save (it is kept, and shows again when access returns).
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.ReadHistory)
    assert await _list(server, rm.member) == []
    await overwrite(server, rm, rm.member.id, "user")
    assert [x["message_id"] for x in await _list(server, rm.member)] == [msg["id"]]

    # Deleting the message deletes its saves.
    r = await server.http.delete(f"{API}/channels/{rm.channel_id}/messages/{msg['id']}", headers=rm.owner.headers)
    assert r.status_code == 204
    assert await _list(server, rm.member) == []
    r = await server.http.get(SAVED, params={"before": msg["id"]}, headers=rm.member.headers)
    assert r.status_code == 400 and error_code(r) == "validation_error"


async def test_dm_saves_and_ready_carry_the_list_and_events_reach_only_the_owner(server: Server) -> None:
    rm = await room(server)
    channel_id = await dm(server, rm.member, rm.owner)
    msg = await say(server, rm.owner, channel_id, "a dm worth keeping")
    other_tab = await Raw.connect(server.url)
    await other_tab.identify(rm.member.token)
    peer = await Raw.connect(server.url)
    await peer.identify(rm.owner.token)

    r = await server.http.put(f"{SAVED}/{msg['id']}", json={"note": "dm"}, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    event = await other_tab.wait_for("SAVED_MESSAGE_ADD")
    assert event["d"] == r.json()["data"] and "guild_id" not in event["d"]
    # The same save again changes nothing and announces nothing.
    r = await server.http.put(f"{SAVED}/{msg['id']}", json={"note": "dm"}, headers=rm.member.headers)
    assert r.status_code == 200
    assert (await server.http.delete(f"{SAVED}/{msg['id']}", headers=rm.member.headers)).status_code == 204
    removed = await other_tab.wait_for("SAVED_MESSAGE_REMOVE")
    assert removed["d"] == {"user_id": rm.member.id, "message_id": msg["id"], "channel_id": channel_id}
    await server.settle()
    names = [e.name for e in server.recorder.events if e.name.startswith("SAVED_MESSAGE")]
    assert names == ["SAVED_MESSAGE_ADD", "SAVED_MESSAGE_REMOVE"]
    await peer.fence()
    assert not [f for f in peer.dispatches if f["t"].startswith("SAVED_MESSAGE")]

    assert (await server.http.put(f"{SAVED}/{msg['id']}", headers=rm.member.headers)).status_code == 200
    fresh = await Raw.connect(server.url)
    ready = await fresh.identify(rm.member.token)
    assert [x["message_id"] for x in ready["saved_messages"]] == [msg["id"]]
    for ws in (other_tab, peer, fresh):
        await ws.close()
