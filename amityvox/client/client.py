"""`Client`: REST, the gateway and the cache wired together, the way a bot or a test uses them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from amityvox.client.commands import Commands, Handler
from amityvox.client.convergence import assert_converged
from amityvox.client.errors import GatewayError
from amityvox.client.gateway import JSON, Check, GatewayClient
from amityvox.client.rest import RestClient
from amityvox.client.state import State

log = logging.getLogger("amityvox.client")


class Client:
    """`rest` (RestClient) + `gateway` (GatewayClient) + `state` (State).

    Every event reaches `state.apply` before any listener or waiter sees it, so a listener
    always reads a cache that already includes its event. With `chunk_members` the client
    asks the gateway (op 7) for the member list of every guild READY or GUILD_CREATE brings,
    which READY alone does not carry; `synced()` waits for those answers.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        strict: bool = False,
        validate: bool = False,
        chunk_members: bool = True,
        gateway_url: str | None = None,
        **gateway_options: Any,
    ) -> None:
        self.rest = RestClient(base_url, token)
        self.state = State(strict=strict, validate=validate)
        self.gateway = GatewayClient(gateway_url or base_url, token, **gateway_options)
        self.chunk_members = chunk_members
        self._fixed_gateway = gateway_url is not None
        self._chunking: set[asyncio.Task[Any]] = set()
        self.commands = Commands(self.rest, self.gateway, lambda: self.state.self_user)
        self.gateway.add_hook(self._apply)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    # ---- account -------------------------------------------------------------------------------

    async def login(self, username: str, password: str) -> JSON:
        """Log in over REST; the token is used by both REST and the gateway."""
        return await self.rest.login(username, password)

    async def register(self, username: str, password: str, email: str | None = None) -> JSON:
        return await self.rest.register(username, password, email)

    # ---- lifecycle -----------------------------------------------------------------------------

    async def start(self, wait: bool = True, timeout: float | None = None) -> None:
        """Connect to the gateway (at the URL GET /gateway announces, if any); with `wait`,
        return once READY is applied to the cache. Raises GatewayError if it cannot.
        A bot's declared slash commands (`command`) are registered first."""
        if self.rest.token is None:
            raise GatewayError("no token: log in or register before starting the client")
        self.gateway.token = self.rest.token
        if not self._fixed_gateway:
            announced = await self.rest.gateway_url()
            if announced:
                self.gateway.url = announced
        if self.commands.declared:
            await self.commands.sync()
        await self.gateway.start(wait=wait, timeout=timeout)

    async def close(self) -> None:
        """Close the gateway session and the REST connection pool."""
        for task in list(self._chunking):
            task.cancel()
        await self.gateway.close()
        await self.rest.aclose()

    async def synced(self, timeout: float = 10) -> None:
        """Wait until the member lists asked for so far have arrived."""
        while self._chunking:
            await asyncio.wait_for(asyncio.gather(*self._chunking, return_exceptions=True), timeout)

    async def converged(self, channel_ids: list[str] | None = None) -> JSON:
        """Assert the cache equals what REST answers now (see `assert_converged`)."""
        await self.synced()
        return await assert_converged(self.state, self.rest, channel_ids or [])

    # ---- events --------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.gateway.connected

    @property
    def user(self) -> JSON | None:
        """The self user, once READY arrived."""
        return self.state.self_user

    def on(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """`@client.on("MESSAGE_CREATE")`: see `GatewayClient.add_listener`."""
        return self.gateway.on(name)

    def command(
        self,
        name: str | None = None,
        *,
        description: str | None = None,
        guild_id: str | None = None,
        default_member_permissions: int | str | None = None,
    ) -> Callable[[Handler], Handler]:
        """`@client.command(description="Roll a die")`: a slash command whose options are the
        handler's parameters after the context (`amityvox.client.commands`)."""
        return self.commands.command(
            name, description=description, guild_id=guild_id, default_member_permissions=default_member_permissions
        )

    def modal(self, custom_id_prefix: str) -> Callable[[Handler], Handler]:
        """`@client.modal("note")`: receive the submissions of the modals a command answered with
        (`ctx.modal(...)`) whose custom_id starts with the prefix, values as keyword arguments."""
        return self.commands.modal(custom_id_prefix)

    def wait_for(self, name: str, check: Check | None = None, timeout: float = 5) -> Awaitable[JSON]:
        """See `GatewayClient.wait_for`; the cache already holds the event when it resolves."""
        return self.gateway.wait_for(name, check, timeout)

    def _apply(self, name: str, d: JSON) -> None:
        self.state.apply(name, d)
        if not self.chunk_members:
            return
        if name == "READY":
            guild_ids = [g["id"] for g in d["guilds"]]
        elif name == "GUILD_CREATE":
            guild_ids = [d["id"]]
        else:
            return
        for guild_id in guild_ids:
            task = asyncio.ensure_future(self.gateway.request_members(guild_id))
            self._chunking.add(task)
            task.add_done_callback(self._chunk_done)

    def _chunk_done(self, task: asyncio.Task[Any]) -> None:
        self._chunking.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The cache keeps the members it has; the next READY asks again.
            log.warning("member list request failed: %r", task.exception())
