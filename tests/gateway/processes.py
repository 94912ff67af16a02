"""AmityVox processes for the scale-out tests: `amityvox api` / `gateway` / `serve`, each in its
own process on a test cluster's database and NATS server, so they can be killed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tests.gateway.test_scale import Cluster
from tests.processes import Running as Process
from tests.processes import amityvox, env_with


@asynccontextmanager
async def amityvox_process(c: Cluster, role: str, name: str, **settings: str) -> AsyncIterator[Process]:
    """`amityvox <role>` in its own process; `settings` become AMITYVOX_<NAME> variables."""
    data = c.tmp_path / name
    data.mkdir(parents=True, exist_ok=True)
    env = env_with(
        registrations_per_hour="0",  # every test user registers from 127.0.0.1
        rate_limit_per_second="1000000",  # messages flow faster than any client's
        rate_limit_route_scale="10000",
        **settings,
    )
    args = [role, "--host", "127.0.0.1", "--data-dir", str(data / "data")]
    args += ["--database", c.database_url, "--bus", c.nats.url]
    async with amityvox(*args, env=env) as running:
        yield running


async def kill(p: Process) -> None:
    """SIGKILL: no RECONNECT, no handover; only what the process recorded as it ran survives."""
    p.proc.kill()
    await asyncio.wait_for(p.proc.wait(), 10)
