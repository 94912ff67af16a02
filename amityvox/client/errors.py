"""Errors the client raises: REST failures in the error envelope (docs/rest.md), and a gateway that gave up."""

from __future__ import annotations


class ApiError(Exception):
    """A REST call answered with the error envelope (docs/rest.md) `{"error": {"code", "message"}}`."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


class GatewayError(Exception):
    """The gateway stopped for good: authentication failed (4004) or reconnects ran out."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason if code is None else f"{reason} (close {code})")
        self.reason = reason
        self.code = code
