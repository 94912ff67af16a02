"""Message search: full text on SQLite and PostgreSQL, filters, paging, and only what the searcher may read."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text

from amityvox import permissions as P
from tests.conftest import Server, _serve, make_settings
from tests.media.helpers import png, uploaded
from tests.messages.helpers import API, Person, Room, dm, person, room, say

VIEW = int(P.Perm.ViewChannel)


async def find(server: Server, who: Person, guild_id: str, **params: Any) -> dict[str, Any]:
    r = await server.http.get(f"{API}/guilds/{guild_id}/messages/search", params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def contents(found: dict[str, Any]) -> list[str]:
    return [r["message"]["content"] for r in found["results"]]


def highlighted(result: dict[str, Any]) -> list[str]:
    return [s["text"] for s in result["snippet"] if s["match"]]


async def private_channel(server: Server, rm: Room, name: str = "staff") -> str:
    """A channel @everyone cannot view; only the owner sees it."""
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/channels", json={"name": name}, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    channel_id: str = r.json()["data"]["id"]
    r = await server.http.put(
        f"{API}/channels/{channel_id}/permissions/{rm.guild_id}",
        json={"type": "role", "allow": 0, "deny": VIEW},
        headers=rm.owner.headers,
    )
    assert r.status_code == 200, r.text
    return channel_id


async def test_words_find_messages_newest_first_with_highlights(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    await say(s, rm.owner, rm.channel_id, "the quarterly report is ready")
    await say(s, rm.member, rm.channel_id, "nothing to see here")
    await say(s, rm.member, rm.channel_id, "I am still reading the Reports from last week")

    found = await find(s, rm.member, rm.guild_id, q="report")
    assert found["total_results"] == 2
    assert contents(found) == ["I am still reading the Reports from last week", "the quarterly report is ready"]
    assert [highlighted(r) for r in found["results"]] == [["Reports"], ["report"]]
    assert "".join(x["text"] for x in found["results"][1]["snippet"]) == "the quarterly report is ready"
    assert found["results"][0]["message"]["author"]["id"] == rm.member.id

    both = await find(s, rm.member, rm.guild_id, q="report ready")
    assert contents(both) == ["the quarterly report is ready"]
    phrase = await find(s, rm.member, rm.guild_id, q='"report is ready"')
    assert contents(phrase) == ["the quarterly report is ready"]
    assert (await find(s, rm.member, rm.guild_id, q='"ready report"'))["total_results"] == 0


async def test_the_index_follows_edits_and_deletes(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    m = await say(s, rm.member, rm.channel_id, "pineapple pizza")
    gone = await say(s, rm.member, rm.channel_id, "pineapple juice")
    r = await s.http.patch(
        f"{API}/channels/{rm.channel_id}/messages/{m['id']}", json={"content": "mango pizza"}, headers=rm.member.headers
    )
    assert r.status_code == 200, r.text
    r = await s.http.delete(f"{API}/channels/{rm.channel_id}/messages/{gone['id']}", headers=rm.member.headers)
    assert r.status_code == 204, r.text

    assert (await find(s, rm.member, rm.guild_id, q="pineapple"))["total_results"] == 0
    assert contents(await find(s, rm.member, rm.guild_id, q="mango")) == ["mango pizza"]


async def test_a_deleted_channel_leaves_nothing_in_the_index(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    r = await s.http.post(f"{API}/guilds/{rm.guild_id}/channels", json={"name": "tmp"}, headers=rm.owner.headers)
    tmp = r.json()["data"]["id"]
    await say(s, rm.owner, tmp, "ephemeral words")
    r = await s.http.delete(f"{API}/channels/{tmp}", headers=rm.owner.headers)
    assert r.status_code in (200, 204), r.text
    assert (await find(s, rm.owner, rm.guild_id, q="ephemeral"))["total_results"] == 0


async def test_private_channels_are_searched_only_by_those_who_can_read_them_now(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    staff = await private_channel(s, rm)
    await say(s, rm.owner, staff, "the secret launch date")
    await say(s, rm.owner, rm.channel_id, "a public launch party")

    assert contents(await find(s, rm.owner, rm.guild_id, q="launch")) == [
        "a public launch party",
        "the secret launch date",
    ]
    assert contents(await find(s, rm.member, rm.guild_id, q="launch")) == ["a public launch party"]
    assert (await find(s, rm.member, rm.guild_id, q="secret"))["total_results"] == 0
    assert (await find(s, rm.member, rm.guild_id, q="secret", channel_id=staff))["total_results"] == 0
    r = await s.http.get(
        f"{API}/guilds/{rm.guild_id}/messages/search", params={"q": "launch"}, headers=rm.outsider.headers
    )
    assert r.status_code == 404

    # An overwrite letting the member in counts at the next search, and taking it back too.
    url = f"{API}/channels/{staff}/permissions/{rm.member.id}"
    r = await s.http.put(url, json={"type": "user", "allow": VIEW, "deny": 0}, headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    assert contents(await find(s, rm.member, rm.guild_id, q="secret")) == ["the secret launch date"]
    r = await s.http.put(
        url, json={"type": "user", "allow": VIEW, "deny": int(P.Perm.ReadHistory)}, headers=rm.owner.headers
    )
    assert r.status_code == 200, r.text
    assert (await find(s, rm.member, rm.guild_id, q="secret"))["total_results"] == 0


async def test_filters_narrow_the_results(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    r = await s.http.post(f"{API}/guilds/{rm.guild_id}/channels", json={"name": "other"}, headers=rm.owner.headers)
    other = r.json()["data"]["id"]
    first = await say(s, rm.owner, rm.channel_id, "cake at noon")
    link = await say(s, rm.member, rm.channel_id, "cake recipe https://127.0.0.1:9/cake")
    ping = await say(s, rm.owner, other, f"cake for <@{rm.member.id}>")
    embed = await say(
        s, rm.owner, other, "cake pictures", embeds=[{"type": "rich", "title": "Cake", "url": "https://example.org/c"}]
    )
    r = await s.http.put(f"{API}/channels/{rm.channel_id}/pins/{first['id']}", headers=rm.owner.headers)
    assert r.status_code == 204, r.text

    async def ids(**params: Any) -> list[str]:
        return [r["message"]["id"] for r in (await find(s, rm.member, rm.guild_id, **params))["results"]]

    assert await ids(q="cake") == [embed["id"], ping["id"], link["id"], first["id"]]
    assert await ids(q="cake", author_id=rm.member.id) == [link["id"]]
    assert await ids(q="cake", channel_id=other) == [embed["id"], ping["id"]]
    assert await ids(q="cake", mentions=rm.member.id) == [ping["id"]]
    assert await ids(q="cake", has="link") == [link["id"]]
    assert await ids(q="cake", has="embed") == [embed["id"]]
    assert await ids(q="cake", has=["embed", "link"]) == []
    assert await ids(q="cake", pinned="true") == [first["id"]]
    assert await ids(q="cake", pinned="false") == [embed["id"], ping["id"], link["id"]]
    assert await ids(q="cake", before=ping["id"], after=first["id"]) == [link["id"]]
    assert await ids(q="cake", after="2000-01-01", before="2999-01-01T00:00:00Z") == await ids(q="cake")
    assert await ids(q="cake", before="2000-01-01") == []
    # Filters alone, without words: the newest messages that pass them.
    assert await ids(author_id=rm.member.id) == [link["id"]]
    assert await ids(has="embed") == [embed["id"]]

    page = await find(s, rm.member, rm.guild_id, q="cake", limit=2, offset=1)
    assert page["total_results"] == 4
    assert [r["message"]["id"] for r in page["results"]] == [ping["id"], link["id"]]


async def test_dm_search_covers_only_the_callers_conversations(any_db_server: Server) -> None:
    s = any_db_server
    a, b, c = await person(s, "alice"), await person(s, "bob"), await person(s, "carol")
    ab = await dm(s, a, b)
    bc = await dm(s, b, c)
    await say(s, a, ab, "our picnic on sunday")
    await say(s, c, bc, "the picnic without alice")

    async def search(who: Person) -> list[str]:
        r = await s.http.get(f"{API}/users/@me/messages/search", params={"q": "picnic"}, headers=who.headers)
        assert r.status_code == 200, r.text
        return contents(r.json()["data"])

    assert await search(a) == ["our picnic on sunday"]
    assert await search(b) == ["the picnic without alice", "our picnic on sunday"]
    assert await search(c) == ["the picnic without alice"]


async def test_odd_queries_are_safe_and_bad_filters_are_refused(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    await say(s, rm.owner, rm.channel_id, 'quotes "and" stars * and NEAR(x y) OR - AND')
    for q in ['"', "*", "NEAR(", "OR", "-", "a:b", "'; DROP TABLE messages; --", "💥", '"unclosed']:
        r = await s.http.get(f"{API}/guilds/{rm.guild_id}/messages/search", params={"q": q}, headers=rm.owner.headers)
        assert r.status_code == 200, (q, r.text)
    assert (await find(s, rm.owner, rm.guild_id, q="NEAR"))["total_results"] == 1

    async def status(**params: Any) -> int:
        r: httpx.Response = await s.http.get(
            f"{API}/guilds/{rm.guild_id}/messages/search", params=params, headers=rm.owner.headers
        )
        return r.status_code

    assert await status(has="video") == 400
    assert await status(author_id="nope") == 400
    assert await status(before="yesterday") == 400
    assert await status(after="2026-01-01T00:00:00") == 400
    assert await status(limit=0) == 400
    assert await status(limit=51) == 400
    assert await status(offset=-1) == 400


async def _migration(s: Server, step: str) -> None:
    """Run this migration's own upgrade or downgrade on the live database."""
    module = importlib.import_module("amityvox.db.migrations.versions.0014_message_search")

    def run(sync_conn: Any) -> None:
        with Operations.context(MigrationContext.configure(sync_conn)):
            getattr(module, step)()

    async with s.ctx.db.begin() as conn:
        await conn.run_sync(run)


async def test_the_migration_indexes_messages_that_existed_before_it(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    await _migration(s, "downgrade")
    await say(s, rm.owner, rm.channel_id, "an archived conversation about gardening")
    await say(s, rm.member, rm.channel_id, "more gardening tips")
    await _migration(s, "upgrade")
    assert contents(await find(s, rm.member, rm.guild_id, q="gardening")) == [
        "more gardening tips",
        "an archived conversation about gardening",
    ]
    await say(s, rm.owner, rm.channel_id, "gardening again")
    assert (await find(s, rm.member, rm.guild_id, q="gardening"))["total_results"] == 3


async def test_postgresql_rebuilds_the_index_for_another_language(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("the language setting applies to PostgreSQL")
    async for s in _serve(make_settings(tmp_path, database_url=database_url)):
        rm = await room(s)
        await say(s, rm.owner, rm.channel_id, "the cats were running")
        assert (await find(s, rm.owner, rm.guild_id, q="cat run"))["total_results"] == 1
    async for s in _serve(make_settings(tmp_path, database_url=database_url, search_language="simple")):
        owner = rm.owner
        # No stemming in "simple": only the words as written match.
        assert (await find(s, owner, rm.guild_id, q="cat"))["total_results"] == 0
        assert (await find(s, owner, rm.guild_id, q="cats running"))["total_results"] == 1
        async with s.ctx.db.read() as conn:
            indexdef = await conn.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_messages_search'"))
        assert "'simple'::regconfig" in indexdef


async def test_files_images_and_mentions_follow_posts_and_edits(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)

    image = (await uploaded(s, rm.owner, rm.channel_id, png(), "a.png"))["id"]
    text = (await uploaded(s, rm.owner, rm.channel_id, b"some notes", "a.txt"))["id"]
    photo = await say(s, rm.owner, rm.channel_id, "holiday photo", attachments=[image])
    notes = await say(s, rm.owner, rm.channel_id, "holiday notes", attachments=[text])
    plain = await say(s, rm.owner, rm.channel_id, "holiday plans")

    async def ids(**params: Any) -> list[str]:
        return [r["message"]["id"] for r in (await find(s, rm.member, rm.guild_id, q="holiday", **params))["results"]]

    assert await ids(has="file") == [notes["id"], photo["id"]]
    assert await ids(has="image") == [photo["id"]]
    assert await ids(mentions=rm.member.id) == []
    r = await s.http.patch(
        f"{API}/channels/{rm.channel_id}/messages/{plain['id']}",
        json={"content": f"holiday plans with <@{rm.member.id}>"},
        headers=rm.owner.headers,
    )
    assert r.status_code == 200, r.text
    assert await ids(mentions=rm.member.id) == [plain["id"]]
