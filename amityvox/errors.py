"""The one error type services raise; the API turns it into the error envelope (docs/rest.md)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An expected failure with an HTTP status, a snake_case code and a human message."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def forbidden(message: str = "you lack the permission for this action", code: str = "missing_permission") -> ApiError:
    return ApiError(403, code, message)


def bad_request(message: str, code: str = "validation_error") -> ApiError:
    return ApiError(400, code, message)


def conflict(message: str, code: str = "conflict") -> ApiError:
    return ApiError(409, code, message)


def rate_limited(retry_after: float, message: str = "you are doing that too often") -> ApiError:
    return ApiError(429, "rate_limited", message, retry_after=round(retry_after, 3))
