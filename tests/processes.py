"""`amityvox` commands in their own processes, as users run them."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

EXE = Path(sys.executable).with_name("amityvox")
# Cheap password hashing and no outbound link previews; everything else as shipped.
TEST_ENV = {"AMITYVOX_ARGON2_TIME_COST": "1", "AMITYVOX_ARGON2_MEMORY_KIB": "8", "AMITYVOX_LINK_PREVIEWS": "0"}


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_EPHEMERAL_LOW = _ephemeral_low()
_pick = random.SystemRandom()  # never seeded alike in parallel test workers


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range: a port the kernel hands out (an
    outgoing connection's own end, a bind to port 0) could be taken by another test between this
    check and the server's own bind; these are taken only by a chooser like this one."""
    while True:
        port = _pick.randrange(10_000, _EPHEMERAL_LOW)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def env_with(**settings: str) -> dict[str, str]:
    """This environment, the test defaults, and `settings` as AMITYVOX_<NAME> variables."""
    return {**os.environ, **TEST_ENV, **{f"AMITYVOX_{key.upper()}": value for key, value in settings.items()}}


@dataclass
class Running:
    proc: asyncio.subprocess.Process
    url: str
    lines: list[bytes] = field(default_factory=list)  # its log (stderr), as it arrives
    reader: asyncio.Task[None] | None = None

    @property
    def log(self) -> str:
        return b"".join(self.lines).decode(errors="replace")

    async def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> int:
        """Send `sig` (unless it has ended) and wait for the end; its exit code."""
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await self.ended(timeout)

    async def ended(self, timeout: float = 15) -> int:
        """Wait until the process ended and its whole log was read; its exit code."""
        await asyncio.wait_for(self.proc.wait(), timeout)
        if self.reader is not None:
            await self.reader
        assert self.proc.returncode is not None
        return self.proc.returncode


@asynccontextmanager
async def amityvox(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> AsyncIterator[Running]:
    """`amityvox <args> --port P` in its own process, yielded once it logged that it listens (not
    after a guessed delay); killed at the end unless it already stopped. Its log must hold no traceback.
    Should another test's server take the port first, it starts again on another."""
    for _ in range(3):
        running = await _start(args, env or env_with(), timeout)
        if running is not None:
            break
    else:
        raise AssertionError(f"amityvox {args[0]} found no free port in three tries")
    try:
        yield running
    finally:
        await running.stop(signal.SIGKILL)
    assert "Traceback" not in running.log, running.log


async def _start(args: tuple[str, ...], env: dict[str, str], timeout: float) -> Running | None:
    """The process once it listens; None when its port was taken before it could bind."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(str(EXE), *args, "--port", str(port), env=env, stderr=subprocess.PIPE)
    running = Running(proc, f"http://127.0.0.1:{port}")
    listening = asyncio.Event()

    async def drain() -> None:  # keeps the pipe empty for the whole life of the process
        assert proc.stderr is not None
        async for line in proc.stderr:
            running.lines.append(line)
            if b"Uvicorn running on" in line:
                listening.set()

    running.reader = asyncio.create_task(drain())
    ended = asyncio.create_task(proc.wait())
    waiting = asyncio.create_task(listening.wait())
    await asyncio.wait({ended, waiting}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    ended.cancel()
    waiting.cancel()
    if listening.is_set():
        return running
    await running.stop(signal.SIGKILL)
    if "address already in use" in running.log:
        return None
    raise AssertionError(f"amityvox {args[0]} did not start:\n{running.log}")
