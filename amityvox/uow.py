"""Unit of work: one database transaction plus the events it will publish after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.bus import outbox
from amityvox.bus.base import Bus, Envelope
from amityvox.db.engine import Database
from amityvox.events import catalog

log = logging.getLogger("amityvox.uow")


def envelope(name: str, data: dict[str, Any], *, validate: bool = False) -> Envelope:
    """A catalog event ready for the bus; unknown names raise, and with `validate` so do bad payloads."""
    event = catalog.get(name)
    data = catalog.complete(name, data)
    if validate:
        catalog.validate(name, data)
    return Envelope(name=name, subject=event.subject, data=data)


class UnitOfWork:
    """`async with uow as tx:` — `tx.conn` for queries, `tx.emit(...)` for events.

    Events reach the bus only after the transaction commits; on any exception the
    transaction rolls back and the collected events are dropped. They are also written to the
    outbox in the same transaction, so a process that dies between commit and publish loses
    none: the outbox relay publishes them later (`services/outbox.py`), or on the in-process
    bus its background workers replay them at the next start (`bus/memory.py`).
    """

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        validate: bool = False,
        committed: Callable[[Sequence[Envelope]], None] | None = None,
    ) -> None:
        self._db = db
        self._bus = bus
        self._validate = validate
        self._committed = committed  # sees the events as soon as they are committed, before the bus
        self._connection: Any = None
        self._transaction: Any = None
        self.conn: AsyncConnection
        self.events: list[Envelope] = []

    def emit(self, name: str, data: dict[str, Any]) -> None:
        self.events.append(envelope(name, data, validate=self._validate))

    async def __aenter__(self) -> UnitOfWork:
        # The connection outlives the transaction: the outbox clean-up after publishing reuses
        # it instead of checking out another.
        self._connection = self._db.connection()
        self.conn = await self._connection.__aenter__()
        try:
            self._transaction = self.conn.begin()
            await self._transaction.__aenter__()
        except BaseException as err:
            await self._connection.__aexit__(type(err), err, err.__traceback__)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        events, self.events = self.events, []
        try:
            positions: list[int] = []
            if exc_type is None and events and self._bus.outbox:
                try:
                    positions = await outbox.write(self.conn, events)
                except BaseException as err:
                    await self._transaction.__aexit__(type(err), err, err.__traceback__)
                    raise
            await self._transaction.__aexit__(exc_type, exc, tb)
            if exc_type is None and events:
                if self._committed is not None:
                    self._committed(events)
                await self._publish(events, positions)
        finally:
            await self._connection.__aexit__(None, None, None)

    async def _publish(self, events: Sequence[Envelope], positions: Sequence[int]) -> None:
        # The change is committed: a bus failure must not turn it into an error for the caller.
        # The rows stay in the outbox and the relay publishes them once the grace period is over.
        try:
            await self._bus.publish(events, positions)
        except Exception:
            if not positions:  # no outbox behind these events: the caller must hear of it
                raise
            log.exception("publishing %d events failed; the outbox relay will retry", len(events))
            return
        if not positions or self._bus.replays:  # the rows stay as the bus's journal
            return
        try:
            async with self.conn.begin():
                if self.conn.dialect.name == "postgresql":
                    # Losing this delete to a database crash only means the relay publishes the
                    # events again, so it need not wait for its own flush to disk.
                    await self.conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                await outbox.remove(self.conn, positions)
        except Exception:  # published already: at worst the relay publishes them once more
            log.exception("removing %d published events from the outbox failed", len(events))
