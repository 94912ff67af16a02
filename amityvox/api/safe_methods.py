"""ASGI middleware: GET and HEAD requests read the database and never write it.

HTTP calls these methods safe. Running them on read-only transactions lets SQLite serve them
from reader connections that never queue behind writers, and turns an accidental write in a
GET handler into a loud error instead of a silent side effect.
"""

from __future__ import annotations

from typing import Any

from amityvox.db.engine import reading

SAFE = frozenset({"GET", "HEAD"})


class SafeMethodsRead:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in SAFE:
            with reading():
                await self.app(scope, receive, send)
            return
        await self.app(scope, receive, send)
