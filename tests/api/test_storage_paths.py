"""Reads and writes take different paths: GETs read, never write, and never wait for a writer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from amityvox.db.engine import Database, reading
from amityvox.db.schema import users
from tests.conftest import Server, auth


async def test_a_get_is_answered_while_a_writer_holds_the_database(any_db_server: Server) -> None:
    s = any_db_server
    me = await s.register("reader")
    async with s.ctx.db.begin() as conn:  # a long write transaction, still open
        await conn.execute(update(users).where(users.c.id == me["user"]["id"]).values(display_name="Mid-write"))
        r = await asyncio.wait_for(s.http.get("/api/v1/users/@me", headers=auth(me["token"])), 10)
        assert r.status_code == 200
        assert r.json()["data"].get("display_name") != "Mid-write"  # uncommitted work is not visible
    r = await s.http.get("/api/v1/users/@me", headers=auth(me["token"]))
    assert r.json()["data"]["display_name"] == "Mid-write"  # and is once committed


async def test_a_write_while_reading_fails_and_changes_nothing(any_db_server: Server) -> None:
    s = any_db_server
    me = await s.register("careful")
    with reading(), pytest.raises(DBAPIError):
        async with s.ctx.uow() as tx:
            await tx.conn.execute(update(users).where(users.c.id == me["user"]["id"]).values(display_name="Sneaky"))
    async with s.ctx.db.read() as conn:
        name = await conn.scalar(text("SELECT display_name FROM users WHERE id = :id"), {"id": me["user"]["id"]})
    assert name != "Sneaky"


async def test_writes_still_work_outside_get_requests(any_db_server: Server) -> None:
    s = any_db_server
    me = await s.register("writer")
    r = await s.http.patch("/api/v1/users/@me", json={"display_name": "Written"}, headers=auth(me["token"]))
    assert r.status_code == 200, r.text
    r = await s.http.get("/api/v1/users/@me", headers=auth(me["token"]))
    assert r.json()["data"]["display_name"] == "Written"


async def test_the_wal_is_copied_back_by_the_checkpointer_not_by_the_writer(tmp_path: Path) -> None:
    """The writer never checkpoints (it would stall the event loop); the checkpointer thread
    copies its pages into the database file, so the WAL does not grow without bound."""
    db = Database(f"sqlite:///{tmp_path}/wal.db")
    try:
        await db.migrate()
        main_file = tmp_path / "wal.db"
        async with db.begin() as conn:
            assert await conn.scalar(text("PRAGMA wal_autocheckpoint")) == 0
            await conn.execute(text("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)"))
        before = main_file.stat().st_size
        for _ in range(20):
            async with db.begin() as conn:
                await conn.execute(text("INSERT INTO filler (body) VALUES (:b)"), [{"b": "x" * 4000}] * 10)
        # Committed to the WAL only, until a checkpoint copies them over.
        assert db.checkpointer is not None
        assert await asyncio.to_thread(db.checkpointer.wait_pass, 30)
        assert main_file.stat().st_size > before + 500_000
    finally:
        await db.close()
