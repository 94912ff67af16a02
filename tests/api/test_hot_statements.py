"""Hot statements (db/hot.py) answer exactly what SQLAlchemy answers for the same statement:
the same columns, booleans and JSON decoded, literals and repeated parameters bound, inside the
caller's transaction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Integer, String, bindparam, literal, select, union_all, update

from amityvox.db.hot import HotStatement
from amityvox.db.schema import channels, messages, users
from tests.conftest import Server, auth


async def _guild(s: Server) -> tuple[dict[str, Any], str]:
    me = await s.register("hotshot")
    g = (await s.http.post("/api/v1/guilds", json={"name": "Hot"}, headers=auth(me["token"]))).json()["data"]
    return me, g["channels"][0]["id"]


async def test_rows_equal_sqlalchemys_for_booleans_json_literals_and_repeated_parameters(any_db_server: Server) -> None:
    s = any_db_server
    me, channel_id = await _guild(s)
    r = await s.http.post(f"/api/v1/channels/{channel_id}/messages", json={"content": "hi"}, headers=auth(me["token"]))
    assert r.status_code == 201, r.text
    statement = union_all(
        select(
            literal("m", String).label("kind"),
            messages.c.id.label("id"),
            messages.c.pinned.label("flag"),  # a boolean
            messages.c.mention_user_ids.label("json"),  # JSON
            literal(1, Integer).label("n"),
        ).where(messages.c.channel_id == bindparam("c"), messages.c.author_id == bindparam("u")),
        select(literal("c", String), channels.c.id, channels.c.nsfw, messages.c.embeds, literal(2, Integer)).where(
            channels.c.id == bindparam("c"), messages.c.channel_id == channels.c.id
        ),
    )
    params = {"c": channel_id, "u": me["user"]["id"]}
    async with s.ctx.db.read() as conn:
        expected = [dict(row) for row in (await conn.execute(statement, params)).mappings()]
        got = await HotStatement(statement).rows(conn, params)
    assert len(expected) == 2 and {row["kind"] for row in expected} == {"m", "c"}
    assert got == expected
    assert {type(row["flag"]) for row in got} == {bool}


async def test_rows_see_the_callers_own_uncommitted_writes(any_db_server: Server) -> None:
    s = any_db_server
    _, channel_id = await _guild(s)
    hot = HotStatement(select(channels.c.name, channels.c.nsfw).where(channels.c.id == bindparam("c")))
    with pytest.raises(_Undo):
        async with s.ctx.uow() as tx:
            await tx.conn.execute(update(channels).where(channels.c.id == channel_id).values(name="renamed", nsfw=True))
            assert await hot.rows(tx.conn, {"c": channel_id}) == [{"name": "renamed", "nsfw": True}]
            raise _Undo
    async with s.ctx.db.read() as conn:
        assert await hot.rows(conn, {"c": channel_id}) == [{"name": "general", "nsfw": False}]


class _Undo(Exception):
    pass


async def test_an_in_list_takes_one_placeholder_per_item_and_an_empty_one_matches_nothing(
    any_db_server: Server,
) -> None:
    s = any_db_server
    ids = [(await s.register(name))["user"]["id"] for name in ("ina", "inb", "inc")]
    statement = select(users.c.id, users.c.is_admin).where(
        users.c.id.in_(bindparam("ids", expanding=True)), users.c.username != bindparam("not")
    )
    hot = HotStatement(statement)
    async with s.ctx.db.read() as conn:
        for chosen in (ids, ids[:1], []):
            params = {"ids": chosen, "not": "inb"}
            expected = [dict(row) for row in (await conn.execute(statement, params)).mappings()]
            assert sorted(await hot.rows(conn, params), key=str) == sorted(expected, key=str)
        assert {r["id"] for r in await hot.rows(conn, {"ids": ids, "not": "inb"})} == {ids[0], ids[2]}
