"""Edit history: earlier versions of a message, for those who can read the channel."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from amityvox import permissions as P
from amityvox.db.schema import message_edits
from tests.conftest import Server, _serve, make_settings
from tests.messages.helpers import API, overwrite, room, say


async def test_edits_keep_the_versions_they_replace(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    msg = await say(s, rm.member, rm.channel_id, "first draft")
    url = f"{API}/channels/{rm.channel_id}/messages/{msg['id']}"
    edited = []
    for content in ("second draft", "second draft", "final"):  # the repeat changes nothing
        r = await s.http.patch(url, json={"content": content}, headers=rm.member.headers)
        assert r.status_code == 200, r.text
        edited.append(r.json()["data"]["edited_at"])

    r = await s.http.get(f"{url}/history", headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    versions = r.json()["data"]
    assert [v["content"] for v in versions] == ["first draft", "second draft"]
    assert versions[0]["created_at"] == msg["created_at"]
    assert versions[0]["replaced_at"] == edited[0]
    assert versions[1]["created_at"] == edited[1]
    assert versions[1]["replaced_at"] == edited[2]

    fresh = await say(s, rm.member, rm.channel_id, "never edited")
    r = await s.http.get(f"{API}/channels/{rm.channel_id}/messages/{fresh['id']}/history", headers=rm.owner.headers)
    assert r.json()["data"] == []


async def test_history_needs_read_history_and_goes_with_the_message(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id, "v1")
    url = f"{API}/channels/{rm.channel_id}/messages/{msg['id']}"
    assert (await server.http.patch(url, json={"content": "v2"}, headers=rm.owner.headers)).status_code == 200
    assert (await server.http.get(f"{url}/history", headers=rm.outsider.headers)).status_code == 404
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.ReadHistory)
    assert (await server.http.get(f"{url}/history", headers=rm.member.headers)).status_code == 403
    assert (await server.http.delete(url, headers=rm.owner.headers)).status_code == 204
    assert (await server.http.get(f"{url}/history", headers=rm.owner.headers)).status_code == 404
    r = await server.http.get(f"{API}/channels/{rm.channel_id}/messages/nonsense/history", headers=rm.owner.headers)
    assert r.status_code == 404


async def test_the_setting_turns_history_off(tmp_path: Path) -> None:
    async for s in _serve(make_settings(tmp_path, edit_history=False)):
        rm = await room(s)
        msg = await say(s, rm.owner, rm.channel_id, "v1")
        url = f"{API}/channels/{rm.channel_id}/messages/{msg['id']}"
        assert (await s.http.patch(url, json={"content": "v2"}, headers=rm.owner.headers)).status_code == 200
        r = await s.http.get(f"{url}/history", headers=rm.owner.headers)
        assert r.status_code == 200 and r.json()["data"] == []
        async with s.ctx.db.read() as conn:
            assert await conn.scalar(select(func.count()).select_from(message_edits)) == 0
