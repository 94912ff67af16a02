"""A minimal raw gateway client for protocol tests (the SDK has the full one)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
import websockets
from websockets.asyncio.client import ClientConnection


class Raw:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.dispatches: list[dict[str, Any]] = []
        self.hello: dict[str, Any] | None = None
        self.session_id: str | None = None
        self.seq = 0

    @classmethod
    async def connect(cls, url: str) -> Raw:
        ws = await websockets.connect(url.replace("http://", "ws://") + "/ws", max_size=None)
        raw = cls(ws)
        hello = await raw.recv()
        assert hello["op"] == 10, hello
        raw.hello = hello["d"]
        return raw

    async def send(self, op: int, d: Any = None) -> None:
        await self.ws.send(orjson.dumps({"op": op, "d": d}).decode())

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        frame: dict[str, Any] = orjson.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if frame["op"] == 0:
            self.seq = frame["s"]
            self.dispatches.append(frame)
        return frame

    async def identify(self, token: str) -> dict[str, Any]:
        await self.send(2, {"token": token})
        frame = await self.recv()
        assert frame["op"] == 0 and frame["t"] == "READY", frame
        self.session_id = frame["d"]["session_id"]
        return frame["d"]

    async def wait_for(
        self, name: str, timeout: float = 5, check: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any]:
        """The next dispatch named `name` whose `d` passes `check` (others stay in .dispatches)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            frame = await self.recv(max(end - loop.time(), 0.01))
            if frame["op"] == 0 and frame["t"] == name and (check is None or check(frame["d"])):
                return frame

    async def fence(self, timeout: float = 5) -> list[dict[str, Any]]:
        """The dispatches that arrive before the answer to a heartbeat sent now: after the bus
        has settled, everything routed to this session so far."""
        await self.send(1, self.seq)
        got = []
        while (frame := await self.recv(timeout))["op"] != 11:
            if frame["op"] == 0:
                got.append(frame)
        return got

    async def drain(self, quiet: float = 0.3) -> list[dict[str, Any]]:
        """Every dispatch that arrives until the line is quiet for `quiet` seconds."""
        got = []
        while True:
            try:
                frame = await self.recv(quiet)
            except TimeoutError:
                return got
            if frame["op"] == 0:
                got.append(frame)

    async def closed_with(self, timeout: float = 5) -> int:
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), timeout)
        except websockets.ConnectionClosed as exc:
            assert exc.rcvd is not None
            return exc.rcvd.code

    async def close(self) -> None:
        await self.ws.close()
