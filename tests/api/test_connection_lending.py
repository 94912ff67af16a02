"""SQLite connections are lent to one unit of work at a time, in turn, and come back clean."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text

from amityvox.db import lending
from amityvox.db.engine import SQLITE_READERS, Database


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/lent.db")
    async with database.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield database
    await database.close()


async def _nothing() -> None:
    pass


async def _fence() -> None:
    """Return once every task made before this call has run to its first wait: the loop runs
    ready tasks in the order they were made, so a task made now runs after them."""
    await asyncio.create_task(_nothing())


async def _bodies(db: Database) -> list[str]:
    async with db.read() as conn:
        return list((await conn.execute(text("SELECT body FROM notes ORDER BY id"))).scalars())


async def test_writers_take_the_one_writer_in_the_order_they_asked(db: Database) -> None:
    order: list[str] = []
    held = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with db.begin() as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES ('first')"))
            held.set()
            await release.wait()
        order.append("first")

    async def then(name: str) -> None:
        async with db.begin() as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": name})
        order.append(name)

    holder = asyncio.create_task(first())
    await held.wait()
    waiting = [asyncio.create_task(then(name)) for name in ("second", "third", "fourth")]
    await _fence()  # each asks for the writer while the first holds it
    assert await _bodies(db) == []  # nothing committed yet, and a read does not wait for the writer
    release.set()
    await asyncio.gather(holder, *waiting)
    assert order == ["first", "second", "third", "fourth"]
    assert await _bodies(db) == ["first", "second", "third", "fourth"]


async def test_a_connection_left_mid_transaction_comes_back_rolled_back(db: Database) -> None:
    async with db.connection() as conn:
        await conn.begin()
        await conn.execute(text("INSERT INTO notes (body) VALUES ('abandoned')"))
    # The same (only) writer is lent again, with nothing of the abandoned work.
    async with db.begin() as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
    assert await _bodies(db) == ["kept"]


async def test_an_error_in_a_transaction_undoes_it_and_frees_the_writer(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.begin() as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES ('undone')"))
            raise RuntimeError("the work failed")
    async with db.begin() as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES ('after')"))
    assert await _bodies(db) == ["after"]


async def test_a_cancelled_waiter_passes_the_connection_on(db: Database) -> None:
    held = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with db.begin():
            held.set()
            await release.wait()

    async def waiter(body: str) -> None:
        async with db.begin() as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})

    first = asyncio.create_task(holder())
    await held.wait()
    cancelled = asyncio.create_task(waiter("never"))
    patient = asyncio.create_task(waiter("patient"))
    await _fence()
    cancelled.cancel()
    release.set()
    await asyncio.gather(first, patient)
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert await _bodies(db) == ["patient"]


async def test_a_waiter_gives_up_after_the_wait_limit(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lending, "WAIT_S", 0.05)
    async with db.begin():  # the only writer, held for the whole wait
        with pytest.raises(TimeoutError):
            async with db.begin():
                pass
    async with db.begin() as conn:  # and the writer is lent again afterwards
        await conn.execute(text("INSERT INTO notes (body) VALUES ('later')"))
    assert await _bodies(db) == ["later"]


async def test_readers_are_opened_once_and_reused(db: Database) -> None:
    async def read_while(gate: asyncio.Event) -> None:
        async with db.read() as conn:
            await conn.execute(text("SELECT 1"))
            await gate.wait()

    gate = asyncio.Event()
    many = [asyncio.create_task(read_while(gate)) for _ in range(SQLITE_READERS * 3)]
    await _fence()
    gate.set()
    await asyncio.gather(*many)
    for _ in range(20):
        await _bodies(db)
    readers = db._readers
    assert readers is not None
    assert readers.opened == SQLITE_READERS  # never more than the limit, and none closed and reopened
    assert len(readers.idle) == SQLITE_READERS


async def test_a_connection_lent_at_the_close_is_closed_when_it_comes_back(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/closing.db")
    async with db.begin() as conn:
        await db.close()  # a shutdown while this unit of work still runs
        await conn.execute(text("SELECT 1"))
    writers = db._writers
    assert writers is not None
    assert writers.opened == 0 and writers.idle == []
