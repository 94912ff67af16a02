"""SQLite connections kept open by this process and lent to one unit of work at a time.

Checking a connection out of SQLAlchemy's async pool and back in costs two greenlet hand-offs
and, on return, a shielded task and a turn of the event loop: more than the BEGIN, the indexed
reads or single-row writes and the COMMIT that most transactions hold, on connections that run
on the loop's own thread (sqlite_inline.py). A `Lender` checks its connections out once, for
the life of the database handle, and lends them in turn: a transaction then costs its own
statements. Waiters are served first come, first served, as the pool's queue served them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

WAIT_S = 60.0  # as long as the pool itself would wait for a connection before failing


class Lender:
    """Up to `size` connections of `engine`, opened on first need and lent by `lend()`."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self.engine = engine
        self.size = size
        self.opened = 0
        self.idle: list[AsyncConnection] = []
        self.waiters: deque[asyncio.Future[AsyncConnection]] = deque()
        self.closed = False

    @contextlib.asynccontextmanager
    async def lend(self) -> AsyncIterator[AsyncConnection]:
        """A connection with no transaction open, back to the next borrower when the block ends."""
        conn = await self._take()
        try:
            yield conn
        finally:
            await self._give_back(conn)

    async def _take(self) -> AsyncConnection:
        if self.idle:
            return self.idle.pop()
        if self.opened < self.size:
            self.opened += 1
            try:
                return await self.engine.connect()
            except BaseException:
                self.opened -= 1
                raise
        waiter: asyncio.Future[AsyncConnection] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            async with asyncio.timeout(WAIT_S):
                return await waiter
        except BaseException:
            # Handed a connection just as the wait was cancelled or timed out: pass it on.
            if waiter.done() and not waiter.cancelled():
                self._hand_on(waiter.result())
            raise

    async def _give_back(self, conn: AsyncConnection) -> None:
        if conn.in_transaction():  # left open by an error: what it did is undone
            with contextlib.suppress(Exception):
                await conn.rollback()
        if conn.invalidated or conn.closed or conn.in_transaction() or self.closed:
            # Unusable (or back after the close): closed, and a new one opened for whoever waits.
            self.opened -= 1
            with contextlib.suppress(Exception):
                await conn.close()
            if self.waiters and not self.closed:
                self.opened += 1
                try:
                    conn = await self.engine.connect()
                except BaseException:
                    self.opened -= 1
                    raise
            else:
                return
        self._hand_on(conn)

    def _hand_on(self, conn: AsyncConnection) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append(conn)

    async def close(self) -> None:
        """Close the idle connections; one still lent is closed when it comes back."""
        self.closed = True
        idle, self.idle = self.idle, []
        for conn in idle:
            self.opened -= 1
            with contextlib.suppress(Exception):
                await conn.close()
