"""Liveness (/health) and readiness with its dependencies checked (/health/deep)."""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import Response

from amityvox.api.deps import Ctx, Data, ok
from amityvox.api.errors import error_response
from amityvox.events.payloads import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Data[Health])
async def health() -> Response:
    return ok({"status": "ok"})


@router.get("/health/deep", response_model=Data[Health])
async def health_deep(ctx: Ctx) -> Response:
    checks: dict[str, dict[str, object]] = {}
    started = time.perf_counter()
    try:
        await ctx.db.ping()
        checks["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        checks["bus"] = await ctx.bus.health()
    except Exception as exc:
        checks["bus"] = {"ok": False, "error": type(exc).__name__}
    healthy = all(bool(c.get("ok")) for c in checks.values())
    if not healthy:
        return error_response(503, "unhealthy", "a dependency is failing", checks=checks)
    return ok({"status": "ok", "checks": checks})
