"""AmityVox processes for the scale-out tests: `amityvox api` / `gateway` / `serve`, each in its
own process on a test cluster's database and NATS server, so they can be killed."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.gateway.test_scale import Cluster
from tests.processes import free_port


@dataclass
class Process:
    url: str
    proc: asyncio.subprocess.Process


@asynccontextmanager
async def amityvox_process(c: Cluster, role: str, name: str, **settings: str) -> AsyncIterator[Process]:
    """`amityvox <role>` in its own process; `settings` become AMITYVOX_<NAME> variables."""
    port, data = free_port(), c.tmp_path / name
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, AMITYVOX_ARGON2_TIME_COST="1", AMITYVOX_ARGON2_MEMORY_KIB="8", AMITYVOX_LINK_PREVIEWS="0")
    env["AMITYVOX_REGISTRATIONS_PER_HOUR"] = "0"  # every test user registers from 127.0.0.1
    env["AMITYVOX_RATE_LIMIT_PER_SECOND"] = "1000000"  # messages flow faster than any client's
    env["AMITYVOX_RATE_LIMIT_ROUTE_SCALE"] = "10000"
    env.update({f"AMITYVOX_{key.upper()}": value for key, value in settings.items()})
    args = [role, "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data / "data")]
    args += ["--database", c.database_url, "--bus", c.nats.url]
    log = data / f"{role}.log"
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("amityvox")), *args, env=env, stdout=err, stderr=err
        )
        url = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=url, timeout=2) as http:
                for _ in range(400):
                    assert proc.returncode is None, log.read_text()
                    try:
                        if (await http.get("/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
                else:
                    raise AssertionError(f"{role} process did not start:\n{log.read_text()}")
            yield Process(url, proc)
        finally:
            if proc.returncode is None:
                proc.kill()
            await asyncio.wait_for(proc.wait(), 10)


async def kill(p: Process) -> None:
    """SIGKILL: no RECONNECT, no handover; only what the process recorded as it ran survives."""
    p.proc.kill()
    await asyncio.wait_for(p.proc.wait(), 10)
