"""Statistics for instance administrators (GET /admin/stats, `amityvox admin stats`).

Counts come from the database; the live figures (gateway sessions, events routed) from the
Prometheus counters this process exposes at /metrics, so in a scaled deployment they are this
process's share: 0 in an API process that runs no gateway.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import func, select

from amityvox.context import Context
from amityvox.db.schema import guilds, messages, users
from amityvox.ids import iso, utcnow

DAYS = 30
_STARTED = time.monotonic()


def _metric(name: str) -> float:
    """The sum of every sample of a metric family of this process (0 if it has none)."""
    total = 0.0
    for family in REGISTRY.collect():
        for sample in family.samples:
            if sample.name == name:
                total += sample.value
    return total


async def stats(ctx: Context) -> dict[str, Any]:
    """Accounts, guilds, messages per day (UTC) over the last 30 days, and live gateway figures."""
    since = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=DAYS - 1)
    day = func.substr(messages.c.created_at, 1, 10)
    async with ctx.db.read() as conn:
        accounts = await conn.scalar(
            select(func.count()).where(users.c.deleted_at.is_(None), users.c.bot_owner_id.is_(None))
        )
        bots = await conn.scalar(
            select(func.count()).where(users.c.deleted_at.is_(None), users.c.bot_owner_id.is_not(None))
        )
        suspended = await conn.scalar(
            select(func.count()).where(users.c.suspended_at.is_not(None), users.c.deleted_at.is_(None))
        )
        guild_count = await conn.scalar(select(func.count()).select_from(guilds))
        per_day = dict(
            (await conn.execute(
                select(day, func.count()).where(messages.c.created_at >= iso(since)).group_by(day)
            )).tuples().all()
        )  # fmt: skip
    days = [(since + timedelta(days=i)).date().isoformat() for i in range(DAYS)]
    uptime = max(time.monotonic() - _STARTED, 1e-9)
    routed = _metric("amityvox_gateway_dispatches_total")
    delivered = _metric("amityvox_gateway_deliveries_total")
    return {
        "users": int(accounts or 0),
        "bots": int(bots or 0),
        "suspended_users": int(suspended or 0),
        "guilds": int(guild_count or 0),
        "messages_per_day": [{"date": d, "messages": int(per_day.get(d, 0))} for d in days],
        "gateway_sessions": int(_metric("amityvox_gateway_sessions")),
        "events_routed": int(routed),
        "events_delivered": int(delivered),
        "events_routed_per_second": round(routed / uptime, 3),
        "uptime_seconds": round(uptime, 1),
    }
