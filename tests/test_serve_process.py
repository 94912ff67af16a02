"""`amityvox serve` as a user runs it: its own process, uvloop, the gateway's own transport."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import auth
from tests.gateway.wsclient import Raw


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_serve_chats_over_the_gateway_and_says_goodbye_on_shutdown(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ, AMITYVOX_ARGON2_TIME_COST="1", AMITYVOX_ARGON2_MEMORY_KIB="8", AMITYVOX_LINK_PREVIEWS="0")
    exe = Path(sys.executable).with_name("amityvox")
    proc = await asyncio.create_subprocess_exec(
        str(exe), "serve", "--port", str(port), "--data-dir", str(tmp_path), env=env, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    stopping = False
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            for _ in range(200):
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            r = await http.post("/api/v1/auth/register", json={"username": "alice", "password": "correct horse"})
            alice = r.json()["data"]
            ws = await Raw.connect(base)
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
            proc.send_signal(signal.SIGINT)
            stopping = True
            assert (await ws.recv())["op"] == 6  # RECONNECT, then the close
            assert await ws.closed_with() == 1001
    finally:
        if not stopping:
            proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode in (0, -signal.SIGINT)  # uvicorn re-raises the signal once it has shut down
    assert b"Traceback" not in err, err.decode()
