"""Jumping to a message: the page of history around it."""

from __future__ import annotations

from amityvox.client import RestClient
from tests.conftest import Server
from tests.messages.helpers import API, room, say


async def test_around_gives_the_message_with_newer_and_older_ones(server: Server) -> None:
    rm = await room(server)
    ids = [(await say(server, rm.member, rm.channel_id, f"m{i}"))["id"] for i in range(9)]
    url = f"{API}/channels/{rm.channel_id}/messages"
    h = rm.member.headers

    async def around(target: str, limit: int) -> list[str]:
        r = await server.http.get(url, params={"around": target, "limit": limit}, headers=h)
        assert r.status_code == 200, r.text
        return [m["id"] for m in r.json()["data"]]

    assert await around(ids[4], 5) == [ids[6], ids[5], ids[4], ids[3], ids[2]]
    assert await around(ids[4], 4) == [ids[6], ids[5], ids[4], ids[3]]
    assert await around(ids[4], 1) == [ids[4]]
    # Near either end the page is filled from the other side where it can be.
    assert await around(ids[8], 4) == [ids[8], ids[7], ids[6], ids[5]]
    assert await around(ids[0], 4) == [ids[3], ids[2], ids[1], ids[0]]

    for params in ({"around": "nope"}, {"around": ids[4], "before": ids[5]}, {"around": ids[4], "after": ids[1]}):
        r = await server.http.get(url, params=params, headers=h)
        assert r.status_code == 400, params
    r = await server.http.get(url, params={"around": ids[4]}, headers=rm.outsider.headers)
    assert r.status_code == 404


async def test_the_python_client_searches_and_jumps(server: Server) -> None:
    rm = await room(server)
    await say(server, rm.owner, rm.channel_id, "before the target")
    target = await say(server, rm.member, rm.channel_id, "the needle in the haystack https://127.0.0.1:9/x")
    await say(server, rm.owner, rm.channel_id, "after the target")
    async with RestClient(server.url, token=rm.member.token) as rest:
        found = await rest.search_guild(rm.guild_id, "needle", has=["link"], author_id=rm.member.id, pinned=False)
        assert [r["message"]["id"] for r in found["results"]] == [target["id"]]
        assert [s["text"] for s in found["results"][0]["snippet"] if s["match"]] == ["needle"]
        page = await rest.list_messages(rm.channel_id, around=target["id"], limit=3)
        assert [m["content"] for m in page] == ["after the target", target["content"], "before the target"]
        assert (await rest.search_dms("needle"))["total_results"] == 0
