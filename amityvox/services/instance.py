"""Instance settings that administrators change at runtime, stored in the database.

Each setting has a default from the configuration file (`config.Settings`) and is stored only
once an administrator changes it. Every process reads them through a short-lived cache
(`CACHE_S`), so a change made by one API process or by `amityvox admin settings set` reaches
the others within seconds; the process that made the change sees it at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, get_args

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import guild_members, instance_settings
from amityvox.errors import ApiError, bad_request, forbidden
from amityvox.events.payloads import RegistrationMode
from amityvox.services import audit_log

CACHE_S = 5.0
REGISTRATION_MODES = get_args(RegistrationMode)
MAX_NAME, MAX_DESCRIPTION = 100, 1000
PUBLIC = ("name", "description", "registration_mode")
MAX_MESSAGE_LENGTH = 4000  # the most any instance allows in a message (messages.MAX_CONTENT)


@dataclass(frozen=True, slots=True)
class InstanceSettings:
    name: str
    description: str
    registration_mode: str  # open | invite_only (an invite code is needed) | closed
    max_guilds_per_user: int  # guilds one user may be a member of (owned ones included); 0: no limit
    max_message_length: int  # characters in a message, at most MAX_MESSAGE_LENGTH
    rate_limit_per_second: int  # REST requests per second per token; 0: no limit


def _text(limit: int) -> Callable[[Any], Any]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or len(value.strip()) > limit:
            raise bad_request(f"must be text of at most {limit} characters")
        return value.strip()

    return check


def _whole(lo: int, hi: int | None) -> Callable[[Any], Any]:
    def check(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < lo or (hi is not None and value > hi):
            raise bad_request(f"must be a whole number from {lo}" + (f" to {hi}" if hi is not None else ""))
        return value

    return check


def _mode(value: Any) -> str:
    if value not in REGISTRATION_MODES:
        raise bad_request(f"must be one of {', '.join(REGISTRATION_MODES)}")
    return str(value)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": _text(MAX_NAME),
    "description": _text(MAX_DESCRIPTION),
    "registration_mode": _mode,
    "max_guilds_per_user": _whole(0, None),
    "max_message_length": _whole(1, MAX_MESSAGE_LENGTH),
    "rate_limit_per_second": _whole(0, None),
}
KEYS = tuple(_CHECKS)
NUMBERS = ("max_guilds_per_user", "max_message_length", "rate_limit_per_second")


def defaults(ctx: Context) -> InstanceSettings:
    s = ctx.settings
    return InstanceSettings(
        name="AmityVox",
        description="",
        registration_mode="open" if s.registration_open else "closed",
        max_guilds_per_user=0,
        max_message_length=MAX_MESSAGE_LENGTH,
        rate_limit_per_second=s.rate_limit_per_second,
    )


_cache: dict[int, tuple[float, InstanceSettings]] = {}  # per Context: several servers share a test process


async def current(ctx: Context) -> InstanceSettings:
    """The settings in force (stored values over the defaults), at most `CACHE_S` seconds old."""
    cached = _cache.get(id(ctx))
    if cached is not None and time.monotonic() - cached[0] < CACHE_S:
        return cached[1]
    async with ctx.db.read() as conn:
        stored = {row.key: row.value for row in await conn.execute(select(instance_settings))}
    found = replace(defaults(ctx), **{k: v for k, v in stored.items() if k in _CHECKS})
    _cache[id(ctx)] = (time.monotonic(), found)
    return found


async def require_guild_room(ctx: Context, conn: AsyncConnection, user_id: str) -> None:
    """Refuse one more guild to a user already in `max_guilds_per_user` of them (creating or joining)."""
    most = (await current(ctx)).max_guilds_per_user
    if not most:
        return
    count = await conn.scalar(select(func.count()).where(guild_members.c.user_id == user_id))
    if (count or 0) >= most:
        raise forbidden(f"you are in {most} guilds, the most this server allows", code="too_many_guilds")


def forget(ctx: Context) -> None:
    _cache.pop(id(ctx), None)


def as_dict(found: InstanceSettings) -> dict[str, Any]:
    return asdict(found)


def public(found: InstanceSettings) -> dict[str, Any]:
    """GET /instance: what anyone may know before logging in."""
    return {key: getattr(found, key) for key in PUBLIC}


def check(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes, each validated; 400 naming the first bad setting."""
    out = {}
    for key, value in changes.items():
        if key not in _CHECKS:
            raise bad_request(f"unknown setting {key!r}; settings: {', '.join(KEYS)}", code="unknown_setting")
        try:
            out[key] = _CHECKS[key](value)
        except ApiError as exc:
            raise bad_request(f"{key} {exc.message}", code="invalid_setting") from None
    return out


async def update(ctx: Context, actor_id: str | None, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH /admin/settings (and `amityvox admin settings set`): store the changed settings,
    recorded in the instance audit log; the answer is every setting as now in force."""
    values = check(changes)
    forget(ctx)
    before = await current(ctx)
    async with ctx.uow() as tx:
        for key, value in values.items():
            await tx.conn.execute(delete(instance_settings).where(instance_settings.c.key == key))
            await tx.conn.execute(insert(instance_settings).values(key=key, value=value))
        after = replace(before, **values)
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=audit_log.InstanceAction.SETTINGS_UPDATE,
            old=as_dict(before), new=as_dict(after),
        )  # fmt: skip
    forget(ctx)
    return as_dict(await current(ctx))
