"""Incoming webhooks over real HTTP: who may manage them, what their token allows, and what
executing one posts (with the events each step publishes)."""

from __future__ import annotations

import hashlib

import httpx
from sqlalchemy import select

from amityvox import permissions as P
from amityvox.db.schema import webhooks
from amityvox.services.webhooks import EXECUTIONS_PER_WINDOW
from tests.conftest import Server
from tests.messages.helpers import API, Person, Room, error_code, message_count, overwrite, room, say


async def _create(s: Server, who: Person, channel_id: str, name: str = "CI") -> httpx.Response:
    return await s.http.post(f"{API}/channels/{channel_id}/webhooks", json={"name": name}, headers=who.headers)


async def _hook(s: Server, rm: Room, name: str = "CI") -> dict[str, str]:
    r = await _create(s, rm.owner, rm.channel_id, name)
    assert r.status_code == 201, r.text
    await s.settle()
    s.recorder.clear()
    hook: dict[str, str] = r.json()["data"]
    return hook


def _path(hook: dict[str, str]) -> str:
    return f"{API}/webhooks/{hook['id']}/{hook['token']}"


async def test_managing_needs_manage_webhooks_in_the_channel(server: Server) -> None:
    s = server
    rm = await room(s)
    assert error_code(await _create(s, rm.member, rm.channel_id)) == "missing_permission"
    assert (await _create(s, rm.outsider, rm.channel_id)).status_code == 404
    assert (await s.http.get(f"{API}/channels/{rm.channel_id}/webhooks", headers=rm.member.headers)).status_code == 403
    assert (await s.http.get(f"{API}/guilds/{rm.guild_id}/webhooks", headers=rm.member.headers)).status_code == 403
    # A channel overwrite grants it to the member there.
    await overwrite(s, rm, rm.member.id, "user", allow=int(P.Perm.ManageWebhooks))
    r = await _create(s, rm.member, rm.channel_id, "Member hook")
    assert r.status_code == 201, r.text
    created = r.json()["data"]
    assert created["name"] == "Member hook" and created["channel_id"] == rm.channel_id
    assert created["guild_id"] == rm.guild_id and created["creator_id"] == rm.member.id and created["type"] == 1
    listed = (await s.http.get(f"{API}/guilds/{rm.guild_id}/webhooks", headers=rm.member.headers)).json()["data"]
    assert [w["id"] for w in listed] == [created["id"]]


async def test_the_token_is_shown_once_and_stored_hashed(server: Server) -> None:
    s = server
    rm = await room(s)
    hook = await _hook(s, rm)
    assert len(hook["token"]) == 64 and hook["url"] == f"{s.url}{_path(hook)}"
    async with s.ctx.db.read() as conn:
        stored = await conn.scalar(select(webhooks.c.token_hash).where(webhooks.c.id == hook["id"]))
    assert stored == hashlib.sha256(hook["token"].encode()).hexdigest()
    for path in (f"/channels/{rm.channel_id}/webhooks", f"/guilds/{rm.guild_id}/webhooks"):
        [listed] = (await s.http.get(f"{API}{path}", headers=rm.owner.headers)).json()["data"]
        assert listed["id"] == hook["id"] and "token" not in listed and "url" not in listed
    got = (await s.http.get(f"{API}/webhooks/{hook['id']}", headers=rm.owner.headers)).json()["data"]
    assert got["name"] == "CI" and "token" not in got
    # With the token, Discord's way: the object itself, no envelope.
    r = await s.http.get(_path(hook))
    assert r.status_code == 200 and r.json()["id"] == hook["id"] and "token" not in r.json()
    assert (await s.http.get(f"{API}/webhooks/{hook['id']}/{'0' * 64}")).status_code == 404


async def test_changes_publish_webhooks_update_and_delete_stops_the_url(server: Server) -> None:
    s = server
    rm = await room(s)
    r = await _create(s, rm.owner, rm.channel_id)
    hook = r.json()["data"]
    await s.settle()
    ids = {"guild_id": rm.guild_id, "channel_id": rm.channel_id}
    assert s.recorder.of("WEBHOOKS_UPDATE") == [ids]
    s.recorder.clear()
    r = await s.http.patch(f"{API}/webhooks/{hook['id']}", json={"name": "Builds"}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["name"] == "Builds"
    r = await s.http.patch(_path(hook), json={"avatar": "https://example.org/a.png"})
    assert r.status_code == 200 and r.json()["avatar_url"] == "https://example.org/a.png"
    assert (await s.http.patch(_path(hook), json={"avatar": "javascript:alert(1)"})).status_code == 400
    r = await s.http.get(f"{API}/guilds/{rm.guild_id}/audit-log", params={"limit": 2}, headers=rm.owner.headers)
    by_url, by_owner = r.json()["data"]["audit_log_entries"]
    assert (by_url["action"], by_url["actor_id"], by_url["target_id"]) == ("WEBHOOK_UPDATE", hook["id"], hook["id"])
    assert by_url["changes"] == [{"key": "avatar_url", "old": None, "new": "https://example.org/a.png"}]
    assert (by_owner["actor_id"], by_owner["changes"]) == (rm.owner.id, [{"key": "name", "old": "CI", "new": "Builds"}])
    await s.settle()
    assert s.recorder.of("WEBHOOKS_UPDATE") == [ids, ids]
    s.recorder.clear()
    assert (await s.http.delete(f"{API}/webhooks/{hook['id']}", headers=rm.member.headers)).status_code == 403
    assert (await s.http.delete(f"{API}/webhooks/{hook['id']}", headers=rm.owner.headers)).status_code == 204
    await s.settle()
    assert s.recorder.names() == ["WEBHOOKS_UPDATE"]
    r = await s.http.post(_path(hook), json={"content": "too late"})
    assert r.status_code == 404 and await message_count(s, rm.channel_id) == 0


async def test_execute_posts_as_the_webhook(server: Server) -> None:
    s = server
    rm = await room(s)
    hook = await _hook(s, rm, "Deploys")
    before = await message_count(s, rm.channel_id)
    r = await s.http.post(_path(hook), json={"content": "quiet", "tts": True, "flags": 0})
    assert r.status_code == 204 and r.content == b""
    r = await s.http.post(_path(hook), params={"wait": "true"}, json={"content": "loud"})
    assert r.status_code == 200, r.text
    message = r.json()  # not wrapped: Discord tools read `id` at the top
    assert message["content"] == "loud" and message["webhook_id"] == hook["id"]
    assert message["author"]["username"] == "Deploys" and message["author"]["flags"] == 2
    await s.settle()
    created = s.recorder.of("MESSAGE_CREATE")
    assert [m["content"] for m in created] == ["quiet", "loud"] and created[1] == message
    assert await message_count(s, rm.channel_id) == before + 2
    # Wrong token, unknown id, empty message: refused, nothing posted.
    assert (await s.http.post(f"{API}/webhooks/{hook['id']}/{'f' * 64}", json={"content": "x"})).status_code == 404
    assert (await s.http.post(f"{API}/webhooks/nope/{hook['token']}", json={"content": "x"})).status_code == 404
    r = await s.http.post(_path(hook), json={"content": "  "})
    assert r.status_code == 400 and error_code(r) == "empty_message"
    r = await s.http.post(_path(hook), json={"embeds": [{"title": "x", "url": "javascript:alert(1)"}]})
    assert r.status_code == 400
    assert await message_count(s, rm.channel_id) == before + 2


async def test_multipart_payload_json_and_files_refused(server: Server) -> None:
    s = server
    rm = await room(s)
    hook = await _hook(s, rm)
    r = await s.http.post(
        _path(hook), params={"wait": "1"}, files={"payload_json": (None, '{"content": "from a form"}')}
    )
    assert r.status_code == 200, r.text
    assert r.json()["content"] == "from a form"
    r = await s.http.post(
        _path(hook),
        files={"payload_json": (None, '{"content": "with a file"}'), "files[0]": ("a.txt", b"hi", "text/plain")},
    )
    assert r.status_code == 400 and error_code(r) == "files_unsupported"


async def test_allowed_mentions_decide_who_is_pinged(server: Server) -> None:
    s = server
    rm = await room(s)
    hook = await _hook(s, rm)
    text = f"<@{rm.member.id}> @everyone"
    default = (await s.http.post(_path(hook), params={"wait": "true"}, json={"content": text})).json()
    assert default["mention_user_ids"] == [rm.member.id] and default["mention_here"] is True
    none = await s.http.post(
        _path(hook), params={"wait": "true"}, json={"content": text, "allowed_mentions": {"parse": []}}
    )
    assert none.json()["mention_user_ids"] == [] and none.json()["mention_here"] is False
    named = await s.http.post(
        _path(hook), params={"wait": "true"}, json={"content": text, "allowed_mentions": {"users": [rm.member.id]}}
    )
    assert named.json()["mention_user_ids"] == [rm.member.id] and named.json()["mention_here"] is False
    for bad in ({"users": rm.member.id}, {"parse": ["channels"]}, {"parse": ["users"], "users": [rm.member.id]}):
        r = await s.http.post(_path(hook), json={"content": text, "allowed_mentions": bad})
        assert r.status_code == 400, bad


async def test_each_webhook_has_its_own_rate_limit(server: Server) -> None:
    s = server
    rm = await room(s)
    busy, other = await _hook(s, rm, "busy"), await _hook(s, rm, "other")
    for i in range(EXECUTIONS_PER_WINDOW):
        assert (await s.http.post(_path(busy), json={"content": f"m{i}"})).status_code == 204
    r = await s.http.post(_path(busy), json={"content": "one too many"})
    assert r.status_code == 429 and error_code(r) == "rate_limited"
    assert r.json()["error"]["retry_after"] > 0
    assert (await s.http.post(_path(other), json={"content": "still fine"})).status_code == 204


async def test_thread_id_posts_into_a_thread_of_the_channel(server: Server) -> None:
    s = server
    rm = await room(s)
    hook = await _hook(s, rm)
    start = await say(s, rm.owner, rm.channel_id, "thread starter")
    r = await s.http.post(
        f"{API}/channels/{rm.channel_id}/messages/{start['id']}/threads", json={"name": "t"}, headers=rm.owner.headers
    )
    thread_id = r.json()["data"]["id"]
    r = await s.http.post(_path(hook), params={"wait": "true", "thread_id": thread_id}, json={"content": "in thread"})
    assert r.status_code == 200, r.text
    assert r.json()["channel_id"] == thread_id
    r = await s.http.post(_path(hook), params={"thread_id": rm.channel_id}, json={"content": "not a thread"})
    assert r.status_code == 400
