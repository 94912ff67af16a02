"""What the gateway asks of the rest of the server: `gateway_backend.py` provides it, and the
app hands the gateway a `Publish` for the events it raises itself (presence)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from amityvox.gateway.indexes import WorldData


@dataclass(frozen=True, slots=True)
class Credential:
    """Who a valid token belongs to, the token's hash (revocations name it) and its expiry (Unix time)."""

    user_id: str
    token_hash: str
    expires_at: float


class Backend(Protocol):
    """What the gateway asks of the rest of the server (wired by the app; never on the fan-out path)."""

    async def authenticate(self, token: str) -> Credential | None: ...

    async def load_world(self) -> WorldData: ...

    async def ready(self, user_id: str) -> dict[str, Any]: ...

    async def status_of(self, user_id: str) -> str: ...

    async def members(self, guild_id: str, query: str, limit: int) -> list[dict[str, Any]]: ...

    async def typing(self, user_id: str, channel_id: str) -> None: ...

    async def voice_state(self, user_id: str, session_id: str, d: dict[str, Any]) -> None: ...

    async def session_ended(self, user_id: str, session_id: str) -> None: ...


Publish = Callable[[str, dict[str, Any]], Awaitable[None]]
