"""Outgoing event webhooks: a guild manager subscribes an https endpoint to some of the guild's
events, and the server POSTs each one there, signed, retried with backoff, with a delivery log.

Three steps, each durable:

1. A background reaction to every subscribable event (a durable work queue on the bus, so a
   restart loses none) writes one `event_webhook_deliveries` row per subscribed endpoint, in
   the `pending` state. The row holds the exact body that will be signed. An event is written
   once per endpoint however often the bus hands it over (`uq_event_webhook_deliveries_once`).
2. A timer run by one API process at a time (`leases.run_when_leader`) sends the due rows
   through `outbound.GuardedTransport` (no loopback, private or link-local addresses, unless the
   `event_webhook_allow_hosts` setting lists the host), without following redirects.
3. A 2xx answer marks the row `delivered`; anything else is retried after
   `event_webhook_retry_ms`, doubled each time (at most an hour apart), until MAX_ATTEMPTS
   attempts made it `failed`. Every attempt's status or error is kept for the log, which the
   same timer trims to LOG_KEEP_DAYS (pending rows stay until they are done).

Which events: those the catalog sends to a guild's members, a channel's viewers, its
moderators or its members holding a permission (`SUBSCRIBABLE`). An endpoint gets a channel's
events only while its creator can view that channel (a channel already deleted: only when its
creator holds every permission), moderator events only while its creator is a moderator, and
permission events (the audit log) only while its creator holds that permission: a subscription
never shows more than the manager who made it could see.

Signing: `X-AmityVox-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the
`X-AmityVox-Timestamp` (Unix seconds) it was made at (docs/rest.md#event-webhooks).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.bus.base import Envelope
from amityvox.context import Context
from amityvox.db.schema import channels, event_webhook_deliveries, event_webhooks
from amityvox.db.upserts import insert_ignore
from amityvox.errors import ApiError, bad_request, not_found
from amityvox.events import CATALOG, Scope
from amityvox.events.types import EventType
from amityvox.ids import is_ulid, iso, new_id, now_iso, utcnow
from amityvox.services import audit_log
from amityvox.services.access import channel_access, guild_access
from amityvox.services.leases import run_when_leader
from amityvox.services.outbound import GuardedTransport
from amityvox.services.reacts import reacts_to
from amityvox.services.serialize import Row
from amityvox.uow import UnitOfWork

log = logging.getLogger("amityvox.event_webhooks")

MAX_PER_GUILD = 10
MAX_URL = 2048
MAX_ATTEMPTS = 8
MAX_BACKOFF_S = 3600
TIMEOUT_S = 10.0
DELIVERY_INTERVAL_S = 1.0
DELIVERY_LEASE = "event-webhook-delivery"  # the timer's lease (services/leases.py)
BATCH = 50
LOG_DEFAULT, LOG_MAX = 50, 100
LOG_KEEP_DAYS = 7  # delivered and failed deliveries are forgotten after this long
USER_AGENT = "AmityVox-Webhooks/0.1"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
_AUDIENCES = (Scope.GUILD, Scope.CHANNEL, Scope.MODERATORS, Scope.PERMISSION)


def _subscribable(event: EventType) -> bool:
    audience = event.audience
    if audience.scope not in _AUDIENCES:
        return False
    return audience.scope is not Scope.CHANNEL or "guild_id" in event.payload.model_fields


# Every event a guild's endpoint may subscribe to, in catalog order.
SUBSCRIBABLE: tuple[str, ...] = tuple(e.name for e in CATALOG.values() if _subscribable(e))


# ---- shapes and checks -------------------------------------------------------------------------


def event_webhook_out(row: Row, secret: str | None = None) -> dict[str, Any]:
    """The EventWebhook object; `secret` only in the answer that created it."""
    out: dict[str, Any] = {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "creator_id": row["creator_id"],
        "url": row["url"],
        "events": list(row["events"]),
        "enabled": row["enabled"],
        "created_at": row["created_at"],
    }
    if secret is not None:
        out["secret"] = secret
    return out


def delivery_out(row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row["id"],
        "event": row["event"],
        "event_id": row["event_id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "created_at": row["created_at"],
    }
    for key in ("next_attempt_at", "response_status", "error", "delivered_at"):
        if row[key] is not None:
            out[key] = row[key]
    return out


def check_url(ctx: Context, url: str) -> str:
    """An https URL; plain http only for hosts the `event_webhook_allow_hosts` setting lists."""
    parts = urlsplit(url)
    allowed = parts.hostname is not None and parts.hostname.lower() in _allow_hosts(ctx)
    if len(url) > MAX_URL or parts.scheme not in ("https", "http") or not parts.hostname:
        raise bad_request(f"url must be an https URL of at most {MAX_URL} characters")
    if parts.scheme == "http" and not allowed:
        raise bad_request("url must use https")
    if parts.username or parts.password:
        raise bad_request("url must not carry credentials; verify deliveries by their signature")
    return url


def check_events(events: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(events))
    unknown = [e for e in wanted if e not in SUBSCRIBABLE]
    if not wanted or unknown:
        raise bad_request(
            "events must name 1 or more of the guild's events (GET /event-webhooks/events); "
            f"unknown: {', '.join(unknown)}",
            code="unknown_event",
        )
    return wanted


def _allow_hosts(ctx: Context) -> frozenset[str]:
    return frozenset(h.lower() for h in ctx.settings.event_webhook_allow_hosts)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-AmityVox-Signature` value for `body` sent at `timestamp` (Unix seconds as text)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


async def _manager(conn: AsyncConnection, guild_id: str, user_id: str) -> None:
    (await guild_access(conn, guild_id, user_id)).require(P.Perm.ManageGuild)


async def _row(conn: AsyncConnection, hook_id: str, user_id: str) -> Row:
    """The endpoint, for a manager of its guild (404 for anyone else who is not in it)."""
    if not is_ulid(hook_id):
        raise not_found("event webhook")
    q = select(event_webhooks).where(event_webhooks.c.id == hook_id.upper())
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("event webhook")
    await _manager(conn, row["guild_id"], user_id)
    return row


# ---- managing ----------------------------------------------------------------------------------


async def create(ctx: Context, guild_id: str, user_id: str, url: str, events: list[str]) -> dict[str, Any]:
    """POST /guilds/{g}/event-webhooks (ManageGuild): the answer holds the signing `secret`, once."""
    url = check_url(ctx, url)
    wanted = check_events(events)
    secret = secrets.token_hex(32)
    async with ctx.uow() as tx:
        conn = tx.conn
        await _manager(conn, guild_id, user_id)
        count = len(
            (await conn.execute(select(event_webhooks.c.id).where(event_webhooks.c.guild_id == guild_id))).all()
        )
        if count >= MAX_PER_GUILD:
            raise bad_request(f"a guild can have at most {MAX_PER_GUILD} event webhooks", code="too_many_webhooks")
        row = {
            "id": new_id(),
            "guild_id": guild_id,
            "creator_id": user_id,
            "url": url,
            "events": wanted,
            "secret": secret,
            "enabled": True,
            "created_at": now_iso(),
        }
        await conn.execute(event_webhooks.insert().values(**row))
        await _audit(tx, user_id, audit_log.Action.EVENT_WEBHOOK_CREATE, None, row)
    return event_webhook_out(row, secret)


async def list_for_guild(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /guilds/{g}/event-webhooks (ManageGuild), oldest first, without secrets."""
    async with ctx.db.read() as conn:
        await _manager(conn, guild_id, user_id)
        q = select(event_webhooks).where(event_webhooks.c.guild_id == guild_id).order_by(event_webhooks.c.id)
        return [event_webhook_out(r) for r in (await conn.execute(q)).mappings()]


async def modify(
    ctx: Context,
    hook_id: str,
    user_id: str,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    enabled: bool | None = None,
) -> dict[str, Any]:
    """PATCH /event-webhooks/{id} (ManageGuild): `url`, `events`, `enabled` (off: nothing new is queued)."""
    values: dict[str, Any] = {}
    if url is not None:
        values["url"] = check_url(ctx, url)
    if events is not None:
        values["events"] = check_events(events)
    if enabled is not None:
        values["enabled"] = enabled
    async with ctx.uow() as tx:
        row = await _row(tx.conn, hook_id, user_id)
        if values:
            await tx.conn.execute(update(event_webhooks).where(event_webhooks.c.id == row["id"]).values(**values))
            await _audit(tx, user_id, audit_log.Action.EVENT_WEBHOOK_UPDATE, row, {**row, **values})
    return event_webhook_out({**row, **values})


async def remove(ctx: Context, hook_id: str, user_id: str) -> None:
    """DELETE /event-webhooks/{id} (ManageGuild): the endpoint and its delivery log."""
    async with ctx.uow() as tx:
        row = await _row(tx.conn, hook_id, user_id)
        await tx.conn.execute(delete(event_webhooks).where(event_webhooks.c.id == row["id"]))
        await _audit(tx, user_id, audit_log.Action.EVENT_WEBHOOK_DELETE, row, None)


async def _audit(tx: UnitOfWork, actor_id: str, action: audit_log.Action, old: Row | None, new: Row | None) -> None:
    """The guild's audit log entry for a change to an endpoint (never its secret). It is also what
    tells every process to forget the guild's endpoints (guild_memo.py)."""
    hook = new if new is not None else old
    assert hook is not None
    await audit_log.record(
        tx, guild_id=hook["guild_id"], actor_id=actor_id, action=action, target_type="event_webhook",
        target_id=hook["id"], old=None if old is None else event_webhook_out(old),
        new=None if new is None else event_webhook_out(new),
    )  # fmt: skip


async def deliveries(
    ctx: Context, hook_id: str, user_id: str, *, before: str | None = None, limit: int = LOG_DEFAULT
) -> list[dict[str, Any]]:
    """GET /event-webhooks/{id}/deliveries (ManageGuild): the newest first; `before` pages back."""
    if not 1 <= limit <= LOG_MAX:
        raise bad_request(f"limit must be between 1 and {LOG_MAX}")
    async with ctx.db.read() as conn:
        row = await _row(conn, hook_id, user_id)
        q = select(event_webhook_deliveries).where(event_webhook_deliveries.c.webhook_id == row["id"])
        if before is not None:
            q = q.where(event_webhook_deliveries.c.id < before.upper())
        q = q.order_by(event_webhook_deliveries.c.id.desc()).limit(limit)
        return [delivery_out(r) for r in (await conn.execute(q)).mappings()]


# ---- queueing ----------------------------------------------------------------------------------


def _guild_of(event: EventType, data: dict[str, Any]) -> str | None:
    if event.audience.scope in (Scope.GUILD, Scope.PERMISSION) and event.audience.key is not None:
        value = data
        for part in event.audience.key.split("."):
            value = value.get(part) if isinstance(value, dict) else None  # type: ignore[assignment]
        return value if isinstance(value, str) else None
    guild_id = data.get("guild_id")
    return guild_id if isinstance(guild_id, str) else None


async def _may_see(conn: AsyncConnection, event: EventType, data: dict[str, Any], guild_id: str, user_id: str) -> bool:
    """Whether the endpoint's creator would receive this event themself."""
    try:
        if event.audience.scope is Scope.CHANNEL and event.audience.key is not None:
            channel_id = str(data.get(event.audience.key))
            if await conn.scalar(select(channels.c.id).where(channels.c.id == channel_id)) is None:
                # Gone already (CHANNEL_DELETE): only someone who saw every channel saw this one.
                return (await guild_access(conn, guild_id, user_id)).perms == P.ALL
            await channel_access(conn, channel_id, user_id)
            return True
        ga = await guild_access(conn, guild_id, user_id)
        if event.audience.scope is Scope.PERMISSION:
            return P.has(ga.perms, P.Perm[str(event.audience.permission)])
        return event.audience.scope is not Scope.MODERATORS or ga.is_moderator
    except ApiError:
        return False


# Built once (see services/serialize.py): this runs for nearly every guild event.
_ENABLED = select(event_webhooks).where(event_webhooks.c.guild_id == bindparam("g"), event_webhooks.c.enabled.is_(True))


async def _enabled(ctx: Context, guild_id: str) -> list[dict[str, Any]]:
    """The guild's enabled endpoints, remembered between its events (guild_memo.py)."""

    async def load() -> list[dict[str, Any]]:
        async with ctx.db.read() as conn:
            return [dict(r) for r in (await conn.execute(_ENABLED, {"g": guild_id})).mappings()]

    return await ctx.memo.get("event-webhooks", guild_id, load)


async def enqueue(ctx: Context, env: Envelope) -> int:
    """Queue `env` for every enabled endpoint of its guild subscribed to it; returns how many.

    Most events concern guilds without endpoints: looking is then answered from memory; only
    an event someone subscribed to takes the writer."""
    event = CATALOG[env.name]
    guild_id = _guild_of(event, env.data)
    if guild_id is None:
        return 0
    hooks = [h for h in await _enabled(ctx, guild_id) if env.name in h["events"]]
    if not hooks:
        return 0
    async with ctx.db.read() as conn:
        targets = [h["id"] for h in hooks if await _may_see(conn, event, env.data, guild_id, h["creator_id"])]
    if not targets:
        return 0
    body = orjson.dumps(
        {"id": env.id, "type": env.name, "guild_id": guild_id, "timestamp": env.ts, "data": env.data}
    ).decode()
    now = now_iso()
    queued = 0
    async with ctx.db.begin() as conn:
        # An endpoint deleted since the read takes nothing more.
        still = set(await conn.scalars(select(event_webhooks.c.id).where(event_webhooks.c.id.in_(targets))))
        for hook_id in (t for t in targets if t in still):
            row = {
                "id": new_id(),
                "webhook_id": hook_id,
                "event_id": env.id,
                "event": env.name,
                "body": body,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            queued += await insert_ignore(conn, event_webhook_deliveries, ("webhook_id", "event_id"), row)
    return queued


@reacts_to(*SUBSCRIBABLE, queue="event-webhooks")
async def _queue_event(ctx: Context, env: Envelope) -> None:
    await enqueue(ctx, env)


# ---- delivering --------------------------------------------------------------------------------


def _backoff(ctx: Context, attempts: int) -> float:
    """Seconds before attempt number `attempts + 1`."""
    return min(ctx.settings.event_webhook_retry_ms / 1000 * 2 ** (attempts - 1), MAX_BACKOFF_S)


async def _send(client: httpx.AsyncClient, url: str, secret: str, delivery: Row) -> tuple[int | None, str | None]:
    """(HTTP status, error) of one attempt: status None when no answer came."""
    body = delivery["body"].encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-AmityVox-Event": delivery["event"],
        "X-AmityVox-Delivery": delivery["id"],
        "X-AmityVox-Timestamp": stamp,
        "X-AmityVox-Signature": sign(secret, stamp, body),
    }
    try:
        response = await client.post(url, content=body, headers=headers)
    except Exception as exc:  # refused address, timeout, TLS, connection: all just a failed attempt
        return None, (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:500]
    return response.status_code, None if response.is_success else f"answered {response.status_code}"


async def deliver_due(ctx: Context, at: datetime | None = None) -> int:
    """Send every pending delivery whose time has come by `at` (default: now), oldest first;
    returns how many were tried. Retries are scheduled from `at`."""
    when = at or utcnow()
    now = iso(when)
    q = (
        select(event_webhook_deliveries, event_webhooks.c.url, event_webhooks.c.secret)
        .join(event_webhooks, event_webhooks.c.id == event_webhook_deliveries.c.webhook_id)
        .where(event_webhook_deliveries.c.status == PENDING, event_webhook_deliveries.c.next_attempt_at <= now)
        .order_by(event_webhook_deliveries.c.id)
        .limit(BATCH)
    )
    async with ctx.db.read() as conn:
        due = list((await conn.execute(q)).mappings())
    if not due:
        return 0
    transport = GuardedTransport(_allow_hosts(ctx))
    async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT_S, follow_redirects=False) as client:
        results = await asyncio.gather(*(_send(client, d["url"], d["secret"], d) for d in due))
    async with ctx.db.begin() as conn:
        for delivery, (status, error) in zip(due, results, strict=True):
            attempts = delivery["attempts"] + 1
            values: dict[str, Any] = {"attempts": attempts, "response_status": status, "error": error}
            if error is None:
                values.update(status=DELIVERED, delivered_at=now, next_attempt_at=None)
            elif attempts >= MAX_ATTEMPTS:
                values.update(status=FAILED, next_attempt_at=None)
            else:
                values["next_attempt_at"] = iso(when + timedelta(seconds=_backoff(ctx, attempts)))
            await conn.execute(
                update(event_webhook_deliveries).where(event_webhook_deliveries.c.id == delivery["id"]).values(**values)
            )
    return len(due)


async def redeliver(ctx: Context, hook_id: str, delivery_id: str, user_id: str) -> dict[str, Any]:
    """POST /event-webhooks/{id}/deliveries/{d}/redeliver (ManageGuild): send a delivery again at the
    next tick, with a fresh set of attempts (the same id and body, so receivers can tell)."""
    async with ctx.db.begin() as conn:
        hook = await _row(conn, hook_id, user_id)
        q = select(event_webhook_deliveries).where(
            event_webhook_deliveries.c.id == delivery_id.upper(), event_webhook_deliveries.c.webhook_id == hook["id"]
        )
        if (await conn.execute(q)).first() is None:
            raise not_found("delivery")
        values = {"status": PENDING, "attempts": 0, "next_attempt_at": now_iso(), "error": None}
        await conn.execute(
            update(event_webhook_deliveries)
            .where(event_webhook_deliveries.c.id == delivery_id.upper())
            .values(**values)
        )
        return delivery_out((await conn.execute(q)).mappings().one())


async def prune(ctx: Context, at: datetime | None = None) -> int:
    """Forget delivered and failed deliveries older than LOG_KEEP_DAYS; returns how many."""
    cutoff = iso((at or utcnow()) - timedelta(days=LOG_KEEP_DAYS))
    async with ctx.db.begin() as conn:
        done = await conn.execute(
            delete(event_webhook_deliveries).where(
                event_webhook_deliveries.c.status != PENDING, event_webhook_deliveries.c.created_at < cutoff
            )
        )
        return int(done.rowcount or 0)


async def _tick(ctx: Context) -> None:
    await deliver_due(ctx)
    await prune(ctx)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    """The queueing reaction, and the delivery timer (one API process at a time)."""
    await _queue_event.subscribe(ctx)
    loop = run_when_leader(ctx, DELIVERY_LEASE, lambda: _tick(ctx), DELIVERY_INTERVAL_S)
    return [asyncio.create_task(loop, name="event-webhook-delivery")]
