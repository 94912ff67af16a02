"""RestClient: the envelope, SPEC errors, 429 retries, and the token kept from login."""

from __future__ import annotations

import httpx
import pytest

from amityvox.client import ApiError, RestClient
from amityvox.client.rest import api_base
from tests.conftest import Server


def test_api_base_accepts_the_server_url_or_the_api_url() -> None:
    assert api_base("http://h:1") == "http://h:1/api/v1"
    assert api_base("http://h:1/api/v1/") == "http://h:1/api/v1"


async def test_register_keeps_the_token_and_calls_are_authenticated(server: Server) -> None:
    async with RestClient(server.url) as rest:
        data = await rest.register("alice", "correct horse")
        assert rest.token == data["token"]
        assert (await rest.me())["id"] == data["user"]["id"]
        me = await rest.update_me(display_name="Alice")
        assert me["display_name"] == "Alice"


async def test_login_then_logout_forgets_the_token(server: Server) -> None:
    await server.register("bob")
    async with RestClient(server.url) as rest:
        await rest.login("bob", "correct horse")
        assert rest.token is not None
        await rest.logout()
        assert rest.token is None
        with pytest.raises(ApiError) as err:
            await rest.me()
        assert (err.value.status, err.value.code) == (401, "missing_token")


async def test_spec_errors_become_api_errors_with_their_code(server: Server) -> None:
    async with RestClient(server.url) as rest:
        await rest.register("carol", "correct horse")
        with pytest.raises(ApiError) as err:
            await rest.get_guild("01JZZZZZZZZZZZZZZZZZZZZZZZ")
        assert (err.value.status, err.value.code) == (404, "not_found")
        with pytest.raises(ApiError) as err:
            await rest.request("POST", "/guilds", json={"nope": 1})
        assert err.value.status == 400 and err.value.code in ("validation_error", "invalid_body")


async def test_no_content_answers_none(server: Server) -> None:
    async with RestClient(server.url) as rest:
        await rest.register("dave", "correct horse")
        guild = await rest.create_guild("g")
        channel = (await rest.list_channels(guild["id"]))[0]
        assert await rest.request("POST", f"/channels/{channel['id']}/typing") is None


def _limited(times: int) -> tuple[httpx.MockTransport, list[int]]:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) <= times:
            body = {"error": {"code": "rate_limited", "message": "slow down", "retry_after": 0.01}}
            return httpx.Response(429, json=body)
        return httpx.Response(200, json={"data": {"ok": True}})

    return httpx.MockTransport(handle), calls


async def test_a_429_is_retried_after_retry_after() -> None:
    transport, calls = _limited(2)
    async with RestClient("http://test", "t", transport=transport) as rest:
        assert await rest.request("GET", "/x") == {"ok": True}
    assert len(calls) == 3


async def test_a_429_beyond_the_retries_is_raised_with_retry_after() -> None:
    transport, calls = _limited(5)
    async with RestClient("http://test", "t", transport=transport, max_retries=1) as rest:
        with pytest.raises(ApiError) as err:
            await rest.request("GET", "/x")
    assert (err.value.status, err.value.code, err.value.retry_after) == (429, "rate_limited", 0.01)
    assert len(calls) == 2


async def test_a_body_without_the_envelope_keeps_its_status() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="bad gateway"))
    async with RestClient("http://test", transport=transport) as rest:
        with pytest.raises(ApiError) as err:
            await rest.request("GET", "/x")
    assert (err.value.status, err.value.code) == (502, "http_error")


async def test_emoji_in_reaction_paths_are_escaped(server: Server) -> None:
    async with RestClient(server.url) as rest:
        await rest.register("erin", "correct horse")
        guild = await rest.create_guild("g")
        channel = (await rest.list_channels(guild["id"]))[0]
        message = await rest.send_message(channel["id"], "hi")
        await rest.add_reaction(channel["id"], message["id"], "👍")
        fetched = await rest.get_message(channel["id"], message["id"])
        assert fetched["reactions"] == [{"emoji": "👍", "count": 1, "me": True}]
        await rest.remove_reaction(channel["id"], message["id"], "👍")
        assert (await rest.get_message(channel["id"], message["id"]))["reactions"] == []
