"""Every route declares the shape of its answer, and the test server holds answers to it."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.routing import APIRoute

from amityvox.api.deps import Data, ok
from amityvox.app import routes_app
from amityvox.events.payloads import Role
from tests.api.shape_check import ShapeCheck

# Routes whose success answer is not a JSON shape, with the reason.
NOT_JSON = {
    "/api/v1/files/{upload_id}/{filename}": "the file's bytes",
    "/api/v1/files/{upload_id}": "the file's bytes (the same route without a file name)",
    "/api/v1/users/@me/data-exports/{export_id}/download": "the export's zip archive",
    "/api/v1/gateway/asyncapi.json": "the AsyncAPI document, generated from the event catalog",
    "/metrics": "Prometheus' text format",
}

# Routers whose answers are not declared yet, by module: this list only shrinks.
UNDECLARED: set[str] = set()


def _area(route: APIRoute) -> str:
    return str(route.endpoint.__module__).rsplit(".", 1)[-1]


def test_every_route_declares_its_answer() -> None:
    missing, spurious = [], []
    for route in routes_app(True).routes:
        if not isinstance(route, APIRoute) or _area(route) == "webapp":
            continue  # the web client's pages and files
        where = f"{','.join(sorted(route.methods))} {route.path} ({_area(route)})"
        if route.status_code == 204 or route.path in NOT_JSON:
            if route.response_model is not None:
                spurious.append(where)
        elif route.response_model is None and _area(route) not in UNDECLARED:
            missing.append(where)
    assert not missing, "routes without a response_model:\n" + "\n".join(missing)
    assert not spurious, "routes that answer no JSON but declare a model:\n" + "\n".join(spurious)


def test_the_undeclared_list_only_names_routers_with_undeclared_routes() -> None:
    """A router whose routes all declare their answer leaves UNDECLARED."""
    areas: dict[str, bool] = {}
    for route in routes_app(True).routes:
        if isinstance(route, APIRoute) and route.status_code != 204 and route.path not in NOT_JSON:
            areas[_area(route)] = areas.get(_area(route), True) and route.response_model is not None
    done = sorted(a for a in UNDECLARED if areas.get(a, True))
    assert not done, f"every route of these routers declares its answer: remove them from UNDECLARED: {done}"


_ROLE = {
    "id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
    "guild_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
    "name": "mods",
    "hoist": False,
    "mentionable": True,
    "position": 1,
    "permissions_allow": "8",
    "permissions_deny": "0",
    "created_at": "2026-01-01T00:00:00Z",
}


def _app(answer: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.get("/role", response_model=Data[Role])
    async def role() -> Response:
        return ok(answer)

    return app


async def _get(check: ShapeCheck) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=check), base_url="http://test") as http:
        return await http.get("/role")


async def test_an_answer_of_the_declared_shape_passes_unchanged() -> None:
    check = ShapeCheck(_app(_ROLE))
    r = await _get(check)
    assert r.status_code == 200 and r.json() == {"data": _ROLE}
    assert check.violations == []


async def test_an_answer_that_drifts_from_its_model_fails() -> None:
    for drifted in ({**_ROLE, "colour": "#ffffff"}, {k: v for k, v in _ROLE.items() if k != "position"}):
        check = ShapeCheck(_app(drifted))
        r = await _get(check)
        assert r.status_code == 500 and r.json()["error"]["code"] == "response_shape"
        assert len(check.violations) == 1 and "GET /role" in check.violations[0]


async def test_outside_the_tests_answers_pass_through_unchecked() -> None:
    """Production serves the route's own bytes: FastAPI neither validates nor re-serialises them."""
    drifted = {**_ROLE, "colour": "#ffffff"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(drifted)), base_url="http://test") as http:
        r = await http.get("/role")
    assert r.status_code == 200 and r.content == ok(drifted).body
