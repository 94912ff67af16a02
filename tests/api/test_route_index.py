"""The route index hands every request the same route the full, ordered route table would."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Match

from amityvox.api.routing import PrefixedRoute as PrefixedRouteForTest
from amityvox.api.routing import RouteIndex
from amityvox.app import routes_app

SAMPLE = "01HZZZZZZZZZZZZZZZZZZZZZZZ"


def first_match(routes: list[Any], scope: dict[str, Any]) -> object | None:
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route
        if match == Match.PARTIAL and partial is None:
            partial = route
    return partial


def test_every_route_is_found_through_the_index() -> None:
    app = routes_app(True)
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    routes = list(app.router.routes)
    checked = 0
    for route in routes:
        path_format = getattr(route, "path_format", None)
        if path_format is None:
            continue
        path = re.sub(r"\{[^}]+\}", SAMPLE, path_format)
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            # The path itself, an unknown method on it (405 comes from a partial match) and a
            # path one segment longer (404, or a longer route).
            for p, m in ((path, method), (path, "PURGE"), (path + "/extra", method)):
                scope = {"type": "http", "path": p, "root_path": "", "method": m}
                assert first_match(index.candidates(p), scope) is first_match(routes, scope), (p, m)
                checked += 1
    assert checked > 500
    # Nearly every API request is served from a short list.
    assert max(len(v.routes) for v in index.views.values()) < len(routes) // 2


def test_routes_it_cannot_index_keep_their_place() -> None:
    """A route with a parameter inside the indexed segments, and a catch-all, still win where the
    full table says they win."""
    from fastapi import FastAPI

    app = FastAPI()
    app.router.route_class = PrefixedRouteForTest
    app.router.middleware_stack = RouteIndex(app.router)

    def endpoint() -> None: ...

    paths = (
        "/api/v1/users/@me",
        "/api/v1/x{tail}",
        "/api/v1/users/{u}",
        "/api/v1/xyz/fixed",
        "/{anything:path}",
        "/late",
    )
    for path in paths:
        app.router.add_api_route(path, endpoint, methods=["GET"])
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    routes = list(app.router.routes)
    for p in ("/api/v1/users/@me", "/api/v1/xyz", "/api/v1/xyz/fixed", "/api/v1/users/7", "/late", "/a/b/c/d"):
        scope = {"type": "http", "path": p, "root_path": "", "method": "GET"}
        assert first_match(index.candidates(p), scope) is first_match(routes, scope), p
