"""REST latency per route template, for /metrics (labels stay bounded: templates, not paths)."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Histogram

REST_SECONDS = Histogram(
    "amityvox_rest_request_seconds",
    "REST request latency",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


class Timing:
    """ASGI middleware observing every HTTP request's duration under its route template."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REST_SECONDS.labels(scope["method"], template, str(status)).observe(time.perf_counter() - started)
