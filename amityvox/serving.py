"""Running the app under uvicorn, with a shutdown that lets the gateway say goodbye first."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.applications import Starlette

from amityvox.config import Settings
from amityvox.gateway.transport import Connection, gateway_of
from amityvox.waiting import wait_set


class AmityServer(uvicorn.Server):
    """uvicorn closes WebSockets with 1012 before the app's shutdown runs; the gateway first sends
    RECONNECT and closes with 1001, so clients reconnect at once instead of backing off."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Begin the shutdown now, where setting `should_exit` waits for uvicorn's next tick."""
        self.should_exit = True
        self._stop.set()

    async def main_loop(self) -> None:
        # uvicorn's loop, ticking every 0.1 s as it does (signals set `should_exit`), woken by stop().
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            await wait_set(self._stop, 0.1)

    async def shutdown(self, sockets: Any = None) -> None:
        """uvicorn's shutdown, with the gateway's goodbye first, and waiting for open connections
        and tasks as long as they take (polled every 10 ms, up to the graceful timeout) where uvicorn
        pauses 0.1 s however few there are: a stop costs what it needs."""
        gateway = gateway_of(self.config)
        if gateway is not None:
            await gateway.close()
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        state = self.server_state
        for connection in list(state.connections):
            connection.shutdown()
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                await asyncio.sleep(0)  # let the connections act on shutdown()
                while (state.connections or state.tasks) and not self.force_exit:  # noqa: ASYNC110 (uvicorn has no event for these)
                    await asyncio.sleep(0.01)
        except TimeoutError:
            for task in state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


def server_for(
    app: Starlette, settings: Settings, *, port: int | None = None, log_level: str | None = None
) -> AmityServer:
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port if port is None else port,
        log_level=log_level or settings.log_level,
        lifespan="on",
        ws=Connection,  # /ws is the gateway's own transport; other WebSocket paths reach the app
        ws_max_size=settings.transport_max_frame,
        timeout_graceful_shutdown=5,
    )
    return AmityServer(config)
