"""The in-process bus and the unit of work's publish-after-commit rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from amityvox.bus import Envelope, MemoryBus, subject_matches
from amityvox.context import Context
from amityvox.db.engine import Database
from amityvox.db.schema import users
from amityvox.ids import new_id, now_iso
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("amityvox.>", "amityvox.message.create", True),
        ("amityvox.>", "amityvox", False),
        ("amityvox.*.create", "amityvox.message.create", True),
        ("amityvox.*.create", "amityvox.message.reaction.create", False),
        ("amityvox.message.*", "amityvox.message.create", True),
        ("amityvox.message.*", "amityvox.guild.create", False),
        ("amityvox.message.create", "amityvox.message.create", True),
    ],
)
def test_wildcards(pattern: str, subject: str, expected: bool) -> None:
    assert subject_matches(pattern, subject) is expected


async def test_subscribers_get_matching_events_in_order() -> None:
    bus = MemoryBus()
    seen: list[str] = []
    other: list[str] = []

    async def record(env: Envelope) -> None:
        seen.append(env.name)

    async def record_other(env: Envelope) -> None:
        other.append(env.name)

    await bus.subscribe("amityvox.message.*", record)
    await bus.subscribe("amityvox.guild.>", record_other)
    await bus.publish(
        [
            Envelope("A", "amityvox.message.create", {}),
            Envelope("B", "amityvox.guild.update", {}),
            Envelope("C", "amityvox.message.delete", {}),
        ]
    )
    await bus.flush()
    assert seen == ["A", "C"] and other == ["B"]
    await bus.close()


async def _ctx(tmp_path: Path, database_url: str) -> Context:
    settings = make_settings(tmp_path, database_url=database_url)
    db = Database(settings.resolved_database_url)
    await db.migrate()
    return Context(settings=settings, db=db, bus=MemoryBus(), validate_events=True)


async def test_rollback_publishes_nothing(tmp_path: Path, database_url: str) -> None:
    ctx = await _ctx(tmp_path, database_url)
    got: list[Envelope] = []

    async def record(env: Envelope) -> None:
        got.append(env)

    await ctx.bus.subscribe("amityvox.>", record)
    uid = new_id()
    row = {
        "id": uid,
        "username": "x1",
        "username_key": "x1",
        "status_presence": "online",
        "flags": 0,
        "is_admin": False,
        "created_at": now_iso(),
    }
    with pytest.raises(RuntimeError):
        async with ctx.uow() as tx:
            await tx.conn.execute(insert(users).values(**row))
            tx.emit(
                "USER_UPDATE",
                {"id": uid, "username": "x1", "status_presence": "online", "flags": 0, "created_at": row["created_at"]},
            )
            raise RuntimeError("boom")
    await ctx.bus.flush()  # type: ignore[attr-defined]
    assert got == []
    async with ctx.db.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(users)) == 0

    async with ctx.uow() as tx:
        await tx.conn.execute(insert(users).values(**row))
        tx.emit(
            "USER_UPDATE",
            {"id": uid, "username": "x1", "status_presence": "online", "flags": 0, "created_at": row["created_at"]},
        )
        assert got == []  # nothing before commit
    await ctx.bus.flush()  # type: ignore[attr-defined]
    assert [e.name for e in got] == ["USER_UPDATE"] and got[0].subject == "amityvox.user.update"
    await ctx.bus.close()
    await ctx.db.close()


async def test_emit_rejects_unknown_events_and_bad_payloads(tmp_path: Path) -> None:
    ctx = await _ctx(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    async with ctx.uow() as tx:
        with pytest.raises(KeyError):
            tx.emit("NOT_AN_EVENT", {})
        with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError
            tx.emit("USER_UPDATE", {"id": "x"})
    await ctx.db.close()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    ctx = await _ctx(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    async with ctx.db.read() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    await ctx.db.close()
