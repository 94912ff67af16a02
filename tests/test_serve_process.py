"""`amityvox serve` as a user runs it: its own process, uvloop, the gateway's own transport."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from tests.conftest import auth
from tests.gateway.wsclient import Raw
from tests.processes import amityvox


async def test_serve_chats_over_the_gateway_and_says_goodbye_on_shutdown(tmp_path: Path) -> None:
    async with amityvox("serve", "--data-dir", str(tmp_path)) as serve:
        async with httpx.AsyncClient(base_url=serve.url, timeout=10) as http:
            r = await http.post("/api/v1/auth/register", json={"username": "alice", "password": "correct horse"})
            alice = r.json()["data"]
            ws = await Raw.connect(serve.url)
            ready = await ws.identify(alice["token"])
            assert ready["user"]["username"] == "alice"
            g = (await http.post("/api/v1/guilds", json={"name": "Town"}, headers=auth(alice["token"]))).json()["data"]
            await ws.wait_for("GUILD_CREATE")
            r = await http.post(
                f"/api/v1/channels/{g['channels'][0]['id']}/messages",
                json={"content": "hello from a real process"},
                headers=auth(alice["token"]),
            )
            assert r.status_code == 201
            assert (await ws.wait_for("MESSAGE_CREATE"))["d"]["content"] == "hello from a real process"
            serve.proc.send_signal(signal.SIGINT)
            assert (await ws.recv())["op"] == 6  # RECONNECT, then the close
            assert await ws.closed_with() == 1001
        code = await serve.ended()
        assert code in (0, -signal.SIGINT)  # uvicorn re-raises the signal once it has shut down
