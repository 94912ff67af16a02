"""Real processes as deployed: one `amityvox api` and two `amityvox gateway` processes on one
database and one NATS server. An action through the API reaches clients on both gateways,
and a gateway killed while messages flow loses none of them for its clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import auth
from tests.gateway.processes import Process, amityvox_process, kill
from tests.gateway.test_scale import API, Cluster, cluster
from tests.gateway.wsclient import Raw
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)

pytestmark = needs_nats

MESSAGES = 60


async def _guild(api: Process) -> tuple[str, str, str]:
    """The owner's and the member's tokens and the channel of a guild both are in."""
    async with httpx.AsyncClient(base_url=api.url, timeout=10) as http:
        tokens = []
        for name in ("owner", "member"):
            r = await http.post(f"{API}/auth/register", json={"username": name, "password": "correct horse"})
            assert r.status_code == 201, r.text
            tokens.append(r.json()["data"]["token"])
        guild = (await http.post(f"{API}/guilds", json={"name": "g"}, headers=auth(tokens[0]))).json()["data"]
        invite = (await http.post(f"{API}/guilds/{guild['id']}/invites", json={}, headers=auth(tokens[0]))).json()
        r = await http.post(f"{API}/invites/{invite['data']['code']}", headers=auth(tokens[1]))
        assert r.status_code == 200, r.text
    return tokens[0], tokens[1], guild["channels"][0]["id"]


async def _post(api: Process, token: str, channel_id: str, contents: list[str], pause: float = 0.0) -> None:
    async with httpx.AsyncClient(base_url=api.url, timeout=10) as http:
        for content in contents:
            r = await http.post(f"{API}/channels/{channel_id}/messages", json={"content": content}, headers=auth(token))
            assert r.status_code == 201, r.text
            await asyncio.sleep(pause)


@asynccontextmanager
async def deployment(c: Cluster) -> AsyncIterator[tuple[Process, Process, Process]]:
    """One `amityvox api` process and two `amityvox gateway` processes."""
    async with (
        amityvox_process(c, "api", "api") as api,
        amityvox_process(c, "gateway", "g1") as g1,
        amityvox_process(c, "gateway", "g2") as g2,
    ):
        yield api, g1, g2


def _contents(frames: list[dict[str, Any]]) -> list[str]:
    return [f["d"]["content"] for f in frames if f.get("t") == "MESSAGE_CREATE"]


async def test_an_api_action_reaches_clients_on_both_gateway_processes(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        async with deployment(c) as (api, g1, g2):
            owner_token, member_token, channel_id = await _guild(api)
            owner, member = await Raw.connect(g1.url), await Raw.connect(g2.url)
            await owner.identify(owner_token)
            await member.identify(member_token)
            await _post(api, owner_token, channel_id, ["hello both"])
            for ws in (owner, member):
                got = await ws.wait_for("MESSAGE_CREATE")
                assert got["d"]["content"] == "hello both"
                await ws.close()


async def test_a_gateway_killed_while_messages_flow_loses_none(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    sent = [f"m{i}" for i in range(MESSAGES)]
    async with cluster(tmp_path, database_url, nats_server) as c:
        async with deployment(c) as (api, g1, g2):
            owner_token, member_token, channel_id = await _guild(api)
            member = await Raw.connect(g1.url)
            await member.identify(member_token)
            sending = asyncio.create_task(_post(api, owner_token, channel_id, sent, pause=0.02))
            while len(_contents(member.dispatches)) < MESSAGES // 3:
                await member.recv()
            await kill(g1)  # mid-stream: the sender goes on
            seen = list(member.dispatches)
            again = await Raw.connect(g2.url)
            resume = {"token": member_token, "session_id": member.session_id, "seq": member.seq, "ready": False}
            await again.send(5, resume)
            while len(_contents(seen + again.dispatches)) < MESSAGES:
                frame = await again.recv(timeout=10)
                assert frame["op"] == 0, frame  # a close would mean the resume failed
            await sending
            after = again.dispatches
            assert _contents(seen + after) == sent  # every message, once, in order
            numbered = [f["s"] for f in seen + after if f["t"] != "READY"]
            assert numbered == list(range(2, 2 + len(numbered)))  # no gap, no repeat in `s`
            assert [f["t"] for f in after].count("RESUMED") == 1
            await again.close()
