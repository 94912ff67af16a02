"""REST rate limits: a budget per caller and Discord's per-route buckets, with 429 `rate_limited`,
`Retry-After` and the X-RateLimit-* headers; the counts hold across processes sharing NATS.

The clock of the limits is a fake one the tests move, so nothing depends on how fast they run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from amityvox import ratelimit
from amityvox.bus.nats import NatsBus
from amityvox.config import Settings
from amityvox.db.schema import messages
from tests.conftest import Server, _serve, auth, make_settings
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)

API = "/api/v1"
SHIPPED = Settings()


class Clock:
    """Stands in for the `time` module of amityvox.ratelimit: it moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


async def _server(tmp_path: Path, **limits: int) -> AsyncIterator[Server]:
    shipped = {
        "rate_limit_per_second": SHIPPED.rate_limit_per_second,
        "rate_limit_route_scale": SHIPPED.rate_limit_route_scale,
    }
    async for s in _serve(make_settings(tmp_path, **{**shipped, **limits})):
        yield s


@pytest.fixture
async def shipped(tmp_path: Path, clock: Clock) -> AsyncIterator[Server]:
    """A server with the limits as shipped."""
    async for s in _server(tmp_path):
        yield s


async def _guild(server: Server, *names: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Registered people in one guild (the first owns it) and its two text channels."""
    people = [await server.register(n) for n in names]
    owner = auth(people[0]["token"])
    guild = (await server.http.post(f"{API}/guilds", json={"name": "G"}, headers=owner)).json()["data"]
    r = await server.http.post(f"{API}/guilds/{guild['id']}/channels", json={"name": "two"}, headers=owner)
    assert r.status_code == 201, r.text
    second = r.json()["data"]["id"]
    code = (await server.http.post(f"{API}/guilds/{guild['id']}/invites", json={}, headers=owner)).json()["data"]
    for person in people[1:]:
        r = await server.http.post(f"{API}/invites/{code['code']}", headers=auth(person["token"]))
        assert r.status_code == 200, r.text
    return people, [guild["channels"][0]["id"], second]


def _post(server: Server, token: str, channel_id: str, content: str = "hi") -> Any:
    return server.http.post(f"{API}/channels/{channel_id}/messages", json={"content": content}, headers=auth(token))


def _assert_refused(r: httpx.Response, bucket: str, *, globally: bool) -> float:
    assert r.status_code == 429, r.text
    error = r.json()["error"]
    assert error["code"] == "rate_limited" and error["global"] is globally
    retry_after = float(error["retry_after"])
    assert retry_after > 0
    assert int(r.headers["retry-after"]) >= 1
    assert r.headers["x-ratelimit-bucket"] == bucket and r.headers["x-ratelimit-remaining"] == "0"
    assert (r.headers.get("x-ratelimit-global") == "true") is globally
    return retry_after


async def test_message_create_allows_five_per_five_seconds_per_channel(shipped: Server, clock: Clock) -> None:
    (alice, bob), (first, second) = await _guild(shipped, "alice", "bob")
    for left in range(4, -1, -1):
        r = await _post(shipped, alice["token"], first)
        assert r.status_code == 201, r.text
        assert r.headers["x-ratelimit-limit"] == "5" and r.headers["x-ratelimit-remaining"] == str(left)
        assert r.headers["x-ratelimit-bucket"] == "message-create"
        assert 0 < float(r.headers["x-ratelimit-reset-after"]) <= 5
    retry_after = _assert_refused(await _post(shipped, alice["token"], first), "message-create", globally=False)
    assert retry_after <= 5
    async with shipped.ctx.db.read() as conn:  # the refused message was not stored
        assert await conn.scalar(select(func.count()).select_from(messages).where(messages.c.channel_id == first)) == 5
    # Buckets are per channel and per user.
    assert (await _post(shipped, alice["token"], second)).status_code == 201
    assert (await _post(shipped, bob["token"], first)).status_code == 201
    # Reading is not creating: only the per-user budget applies, and it carries no route headers.
    r = await shipped.http.get(f"{API}/channels/{first}/messages", headers=auth(alice["token"]))
    assert r.status_code == 200 and "x-ratelimit-bucket" not in r.headers
    clock.now += retry_after
    assert (await _post(shipped, alice["token"], first)).status_code == 201


async def test_each_token_and_each_anonymous_address_has_a_budget_per_second(shipped: Server, clock: Clock) -> None:
    alice, bob = await shipped.register("alice"), await shipped.register("bob")
    clock.now += 1  # registering counted against the address; start afresh
    budget = SHIPPED.rate_limit_per_second
    for _ in range(budget):
        assert (await shipped.http.get(f"{API}/users/@me", headers=auth(alice["token"]))).status_code == 200
    r = await shipped.http.get(f"{API}/users/@me", headers=auth(alice["token"]))
    assert _assert_refused(r, "global", globally=True) <= 1
    assert r.headers["x-ratelimit-limit"] == str(budget)
    assert (await shipped.http.get(f"{API}/users/@me", headers=auth(bob["token"]))).status_code == 200
    # Without a token the client address is the caller (alice's token is not).
    for _ in range(budget):
        assert (await shipped.http.get(f"{API}/gateway")).status_code == 200
    _assert_refused(await shipped.http.get(f"{API}/gateway"), "global", globally=True)
    # Health and the web client are outside the API and never limited.
    assert (await shipped.http.get("/health")).status_code == 200
    clock.now += 1
    assert (await shipped.http.get(f"{API}/users/@me", headers=auth(alice["token"]))).status_code == 200
    assert (await shipped.http.get(f"{API}/gateway")).status_code == 200


async def test_a_route_limit_scale_and_a_zero_budget(tmp_path: Path, clock: Clock) -> None:
    async for server in _server(tmp_path, rate_limit_per_second=0, rate_limit_route_scale=2):
        (alice,), (first, _) = await _guild(server, "alice")
        for _ in range(10):
            assert (await _post(server, alice["token"], first)).status_code == 201
        r = await _post(server, alice["token"], first)
        _assert_refused(r, "message-create", globally=False)
        assert r.headers["x-ratelimit-limit"] == "10"
        # No per-user budget at all: more requests than the shipped budget allows in one (frozen) second.
        for _ in range(SHIPPED.rate_limit_per_second + 10):
            assert (await server.http.get(f"{API}/users/@me", headers=auth(alice["token"]))).status_code == 200


def test_every_bucket_matches_its_route_and_nothing_else() -> None:
    c, m = "01ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAW"
    found = {
        ("POST", f"/api/v1/channels/{c}/messages"): ("message-create", c),
        ("PATCH", f"/api/v1/channels/{c}/messages/{m}"): ("message-edit", c),
        ("DELETE", f"/api/v1/channels/{c}/messages/{m}"): ("message-delete", c),
        ("PUT", f"/api/v1/channels/{c}/messages/{m}/reactions/👍"): ("reaction", c),
        ("POST", f"/api/v1/channels/{c}/typing"): ("typing", c),
        ("POST", "/api/v1/guilds"): ("guild-create", ""),
        ("POST", "/api/v1/invites/abc"): ("invite-use", ""),
        ("POST", f"/api/v1/users/{m}/dm"): ("dm-open", ""),
        ("PUT", f"/api/v1/users/{m}/friend"): ("friend-request", ""),
        ("POST", "/api/v1/auth/passkey/options"): ("passkey-challenge", ""),
        ("POST", "/api/v1/auth/passkey"): None,
        ("GET", f"/api/v1/channels/{c}/messages"): None,
        ("POST", f"/api/v1/channels/{c}/messages/bulk-delete"): None,
        ("DELETE", f"/api/v1/channels/{c}/messages/{m}/reactions/👍"): None,
        ("POST", f"/api/v1/guilds/{c}/channels"): None,
    }
    for (method, path), expected in found.items():
        route = ratelimit.bucket_for(method, path)
        assert (None if route is None else (route[0].name, route[1])) == expected, (method, path)


@needs_nats
async def test_two_processes_on_nats_share_one_limit(nats_server: NatsServer) -> None:
    first, second = NatsBus(nats_server.url), NatsBus(nats_server.url)
    await first.start()
    await second.start()
    try:
        assert (await first.hit("test", "k", 3, 60)).wait == 0
        assert (await second.hit("test", "k", 3, 60)).wait == 0
        assert (await first.hit("test", "k", 3, 60)).wait == 0
        refused = await second.hit("test", "k", 3, 60)
        assert 0 < refused.wait <= 60 and refused.remaining == 0
        assert (await first.hit("test", "k", 3, 60)).wait > 0
        assert (await second.hit("test", "other", 3, 60)).wait == 0  # keys are independent
        assert (await second.hit("test", "k", 4, 60)).wait == 0  # and so are limits
    finally:
        await first.close()
        await second.close()
