"""Every failure answers with the SPEC error envelope and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from amityvox.db.schema import users
from tests.conftest import Server


async def test_unknown_route_and_wrong_method(server: Server) -> None:
    r = await server.http.get("/api/v1/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await server.http.get("/api/v1/auth/login")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


async def test_malformed_json(server: Server) -> None:
    r = await server.http.post(
        "/api/v1/auth/register", content=b'{"username": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_body"
    r = await server.http.post("/api/v1/auth/register")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_body"


async def test_oversized_body_is_refused(server: Server) -> None:
    big = b'{"username": "a", "password": "' + b"x" * (1_100_000) + b'"}'
    r = await server.http.post("/api/v1/auth/register", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

    async def chunks():  # no Content-Length: the limit is enforced while streaming
        for _ in range(20):
            yield b"x" * 65536

    r = await server.http.post("/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    async with server.ctx.db.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(users)) == 0


async def test_health(server: Server) -> None:
    r = await server.http.get("/health")
    assert r.status_code == 200 and r.json()["data"]["status"] == "ok"
    r = await server.http.get("/health/deep")
    body = r.json()["data"]
    assert r.status_code == 200 and body["checks"]["database"]["ok"] and body["checks"]["bus"]["ok"]


async def test_gateway_url_and_index(server: Server) -> None:
    r = await server.http.get("/api/v1/gateway")
    assert r.json()["data"]["url"] == server.url.replace("http://", "ws://") + "/ws"
    r = await server.http.get("/")
    assert r.status_code == 200 and "AmityVox" in r.text


async def test_metrics_expose_gateway_and_rest_figures(server: Server) -> None:
    await server.http.get("/api/v1/users/@me")
    r = await server.http.get("/metrics")
    assert r.status_code == 200
    assert 'amityvox_rest_request_seconds_count{method="GET",route="/api/v1/users/@me",status="401"}' in r.text
    assert "amityvox_gateway_sessions" in r.text
