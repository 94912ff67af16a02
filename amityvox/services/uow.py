"""Unit of work: one database transaction plus the events it will publish after commit."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.bus.base import Bus, Envelope
from amityvox.db.engine import Database
from amityvox.events import catalog


def envelope(name: str, data: dict[str, Any], *, validate: bool = False) -> Envelope:
    """A catalog event ready for the bus; unknown names raise, and with `validate` so do bad payloads."""
    event = catalog.get(name)
    if validate:
        catalog.validate(name, data)
    return Envelope(name=name, subject=event.subject, data=data)


class UnitOfWork:
    """`async with uow as tx:` — `tx.conn` for queries, `tx.emit(...)` for events.

    Events reach the bus only after the transaction commits; on any exception the
    transaction rolls back and the collected events are dropped.
    """

    def __init__(self, db: Database, bus: Bus, *, validate: bool = False) -> None:
        self._db = db
        self._bus = bus
        self._validate = validate
        self._ctx: Any = None
        self.conn: AsyncConnection
        self.events: list[Envelope] = []

    def emit(self, name: str, data: dict[str, Any]) -> None:
        self.events.append(envelope(name, data, validate=self._validate))

    async def __aenter__(self) -> UnitOfWork:
        self._ctx = self._db.begin()
        self.conn = await self._ctx.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._ctx.__aexit__(exc_type, exc, tb)
        if exc_type is None and self.events:
            await self._bus.publish(self.events)
        self.events = []
