"""Builds the ASGI app: REST under /api/v1, the /ws gateway, health, metrics and the web client."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from amityvox import permissions, webapp
from amityvox.api import errors, health
from amityvox.api import media as media_api
from amityvox.api.areas import AREAS
from amityvox.api.deps import Data, ok, storable_input
from amityvox.api.limits import BodyLimit
from amityvox.api.routing import PrefixedRoute, RouteIndex
from amityvox.api.safe_methods import SafeMethodsRead
from amityvox.api.timing import Timing
from amityvox.bus import outbox
from amityvox.bus.base import Bus
from amityvox.bus.memory import MemoryBus
from amityvox.config import Settings
from amityvox.context import Context
from amityvox.db.engine import Database
from amityvox.events import asyncapi, catalog, payloads
from amityvox.gateway.server import Gateway
from amityvox.gateway_backend import ServiceBackend
from amityvox.ratelimit import RateLimit
from amityvox.services import instance
from amityvox.services.workers import WORKERS

log = logging.getLogger("amityvox")


def make_bus(settings: Settings, db: Database) -> Bus:
    if settings.bus_url.startswith("memory://"):
        # The outbox is the journal the background workers resume from after a restart.
        return MemoryBus(journal=outbox.Journal(db), hold=settings.hold_workers)
    from amityvox.bus.nats import NatsBus

    return NatsBus(settings.bus_url, replicas=settings.nats_replicas)


def api_routers() -> list[APIRouter]:
    """The `router` of every API area (`api/areas.py`)."""
    return [module.router for module in AREAS]


async def start_workers(ctx: Context) -> list[asyncio.Task[None]]:
    """Background tasks: `start(ctx)` of every service that runs workers (`services/workers.py`)."""
    tasks: list[asyncio.Task[None]] = []
    for module in WORKERS:
        tasks.extend(await module.start(ctx))
    return tasks


ROLES = ("all", "api", "gateway")


def add_flat(app: FastAPI, router: APIRouter, *, prefix: str = "", dependencies: Sequence[Any] = ()) -> None:
    """Add `router`'s routes to the app's own table, as `include_router` did before FastAPI kept
    included routers as a tree: a tree is walked, and matched twice, on every request."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only plain API routes are added flat")
        app.router.add_api_route(
            (prefix + route.path) if prefix else route.path,
            route.endpoint,
            methods=route.methods,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=[*dependencies, *route.dependencies],
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            operation_id=route.operation_id,
            response_model=route.response_model,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            openapi_extra=route.openapi_extra,
        )


@functools.cache
def routes_app(serves_api: bool) -> FastAPI:
    """Every route, built once per process and role: nothing in the route table depends on
    settings (a request finds its Context in the lifespan state), and building FastAPI's
    dependency analysis for ~200 routes costs far more than serving a request."""
    app = FastAPI(title="AmityVox", version="0.1.0", docs_url="/docs", openapi_url="/api/v1/openapi.json")
    app.router.route_class = PrefixedRoute
    app.router.middleware_stack = RouteIndex(app.router)
    errors.install(app)
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(storable_input)])

    @api.get("/gateway", tags=["gateway"], response_model=Data[payloads.GatewayUrl])
    async def gateway_url(request: Request) -> Response:
        base = request.state.ctx.settings.public_url or f"{request.url.scheme}://{request.url.netloc}"
        ws_base = base.replace("https://", "wss://").replace("http://", "ws://")
        return ok({"url": f"{ws_base}/ws"})

    @api.get("/gateway/catalog", tags=["gateway"], response_model=Data[list[payloads.CatalogEntry]])
    async def gateway_catalog() -> Response:
        """The event catalog as JSON, for clients that check their handlers against it."""
        return ok(
            [
                {
                    "name": e.name,
                    "subject": e.subject,
                    "audience": e.audience.scope.value,
                    "category": e.category,
                    "client_visible": e.client_visible,
                    "stores": list(e.stores),
                    "aliases": list(e.aliases),
                }
                for e in catalog.CATALOG.values()
            ]
        )

    @api.get("/auth/rules", tags=["auth"], response_model=Data[payloads.AuthRules])
    async def auth_rules(request: Request) -> Response:
        """What registration accepts, so sign-up forms can say it before a refusal."""
        settings = request.state.ctx.settings
        mode = (await instance.current(request.state.ctx)).registration_mode
        return ok(
            {
                "registration_open": mode != "closed",
                "registration_mode": mode,
                "password_min_length": settings.password_min_length,
                "password_max_length": 256,
            }
        )

    @api.get("/permissions", tags=["guilds"], response_model=Data[list[payloads.PermissionBit]])
    async def permission_bits() -> Response:
        """Every permission bit with its name, scope and description, for settings screens."""
        return ok(permissions.describe())

    @api.get("/gateway/asyncapi.json", tags=["gateway"])
    async def gateway_asyncapi() -> Response:
        """The gateway's events as an AsyncAPI 3.0 document, generated from the catalog."""
        return Response(orjson.dumps(asyncapi.document()), media_type="application/json")

    if serves_api:
        for router in api_routers():
            if router is not health.router:
                add_flat(app, router, prefix=api.prefix, dependencies=api.dependencies)
    add_flat(app, api, dependencies=api.dependencies)
    add_flat(app, health.router)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if serves_api:
        webapp.install(app)
    return app


async def _rest_budget(ctx: Context) -> int:
    """REST requests per second per caller: the instance setting, defaulting to the configuration's."""
    return (await instance.current(ctx)).rate_limit_per_second


def build_app(settings: Settings, *, role: str = "all", validate_events: bool = False) -> Starlette:
    """The ASGI app for one process role: "all" (`amityvox serve`), "api" (REST, background
    workers, the web client) or "gateway" (the WebSocket gateway alone). Any number of api
    and gateway processes can share one database and NATS. `validate_events` checks every
    published payload against the catalog (tests).

    The app owns what depends on settings (storage, bus, gateway, limits) and hands every
    request to the shared route table, with its Context and Gateway in the lifespan state."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    serves_api, serves_gateway = role in ("all", "api"), role in ("all", "gateway")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        db = Database(settings.resolved_database_url)
        await db.migrate()
        bus = make_bus(settings, db)
        await bus.start()
        ctx = Context(settings=settings, db=db, bus=bus, validate_events=validate_events)
        app.state.ctx = ctx

        gateway = Gateway(settings, bus, ServiceBackend(ctx), ctx.publish) if serves_gateway else None
        if gateway is not None:
            await gateway.start()
            ctx.online_among = gateway.online_among
        app.state.gateway = gateway
        if serves_api:
            await ctx.tokens.follow(bus)
            await ctx.memo.follow(bus)
        workers = await start_workers(ctx) if serves_api else []
        try:
            yield {"ctx": ctx, "gateway": gateway}
        finally:
            if gateway is not None:
                await gateway.close()
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await bus.close()
            await ctx.close_storage()
            await db.close()

    return Starlette(
        lifespan=lifespan,
        routes=[Mount("/", app=routes_app(serves_api))],
        # Outermost first. A failure in these answers with the API's error envelope.
        middleware=[
            Middleware(Timing),
            Middleware(SafeMethodsRead),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger=media_api.body_limits(settings)),
            Middleware(RateLimit, per_second=_rest_budget, route_scale=settings.rate_limit_route_scale),
        ],
        exception_handlers={Exception: errors.fault},
    )
