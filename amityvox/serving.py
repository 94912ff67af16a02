"""Running the app under uvicorn, with a shutdown that lets the gateway say goodbye first."""

from __future__ import annotations

from typing import Any

import uvicorn
from starlette.applications import Starlette

from amityvox.config import Settings
from amityvox.gateway.transport import Connection, gateway_of


class AmityServer(uvicorn.Server):
    """uvicorn closes WebSockets with 1012 before the app's shutdown runs; the gateway first sends
    RECONNECT and closes with 1001, so clients reconnect at once instead of backing off."""

    async def shutdown(self, sockets: Any = None) -> None:
        gateway = gateway_of(self.config)
        if gateway is not None:
            await gateway.close()
        await super().shutdown(sockets)


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
