"""The audit logs: who changed what in a guild, or on the instance, when, and why.

Every moderation and configuration service writes its entry with `record` inside the unit of
work of the change itself, after the change's own events: the entry commits, or rolls back,
with the change, and GUILD_AUDIT_LOG_ENTRY_CREATE reaches the members holding ViewAuditLog
as the change left their permissions. `changes` is computed here from the object as it was
and as it is, in the shape the object has in its events, so no service describes a change by
hand.

Instance administrators' actions (services/admin.py, services/instance.py) go to the instance
audit log through `record_instance`, in the same shape but with no guild and no event: only
administrators read it, at GET /admin/audit-log.

The reason comes from the request (the `X-Audit-Log-Reason` header, read by
`api/deps.audit_reason`) through a context variable rather than through every service's
signature: it is a note about the request, and the services only pass it on.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import audit_log_entries, instance_audit_log, users
from amityvox.errors import bad_request
from amityvox.ids import new_id, now_iso
from amityvox.services import access
from amityvox.services.serialize import public_user
from amityvox.uow import UnitOfWork

MAX_REASON = 512
DEFAULT_LIMIT, MAX_LIMIT = 50, 100


class Action(StrEnum):
    """What an entry records; the names are Discord's audit log event names."""

    GUILD_UPDATE = "GUILD_UPDATE"
    CHANNEL_CREATE = "CHANNEL_CREATE"
    CHANNEL_UPDATE = "CHANNEL_UPDATE"
    CHANNEL_DELETE = "CHANNEL_DELETE"
    CHANNEL_OVERWRITE_CREATE = "CHANNEL_OVERWRITE_CREATE"
    CHANNEL_OVERWRITE_UPDATE = "CHANNEL_OVERWRITE_UPDATE"
    CHANNEL_OVERWRITE_DELETE = "CHANNEL_OVERWRITE_DELETE"
    MEMBER_KICK = "MEMBER_KICK"
    MEMBER_PRUNE = "MEMBER_PRUNE"
    MEMBER_BAN_ADD = "MEMBER_BAN_ADD"
    MEMBER_BAN_REMOVE = "MEMBER_BAN_REMOVE"
    MEMBER_UPDATE = "MEMBER_UPDATE"  # nickname (by another member), timeout, server mute or deafen
    MEMBER_ROLE_UPDATE = "MEMBER_ROLE_UPDATE"
    MEMBER_WARNING_CREATE = "MEMBER_WARNING_CREATE"  # not one of Discord's: warnings are ours
    ROLE_CREATE = "ROLE_CREATE"
    ROLE_UPDATE = "ROLE_UPDATE"  # moving a role (reordering) is an update of its position
    ROLE_DELETE = "ROLE_DELETE"
    INVITE_CREATE = "INVITE_CREATE"
    INVITE_DELETE = "INVITE_DELETE"
    EMOJI_CREATE = "EMOJI_CREATE"
    EMOJI_UPDATE = "EMOJI_UPDATE"
    EMOJI_DELETE = "EMOJI_DELETE"
    AUTO_MODERATION_RULE_CREATE = "AUTO_MODERATION_RULE_CREATE"
    AUTO_MODERATION_RULE_UPDATE = "AUTO_MODERATION_RULE_UPDATE"
    AUTO_MODERATION_RULE_DELETE = "AUTO_MODERATION_RULE_DELETE"
    ONBOARDING_UPDATE = "ONBOARDING_UPDATE"
    WEBHOOK_CREATE = "WEBHOOK_CREATE"
    WEBHOOK_UPDATE = "WEBHOOK_UPDATE"  # by a member, or through the webhook's own URL (the actor is then the webhook)
    WEBHOOK_DELETE = "WEBHOOK_DELETE"
    EVENT_WEBHOOK_CREATE = "EVENT_WEBHOOK_CREATE"  # not one of Discord's: outgoing event webhooks are ours
    EVENT_WEBHOOK_UPDATE = "EVENT_WEBHOOK_UPDATE"
    EVENT_WEBHOOK_DELETE = "EVENT_WEBHOOK_DELETE"
    BOT_ADD = "BOT_ADD"  # a bot authorized with the `bot` scope joins; the changes are its scopes and bits
    INTEGRATION_CREATE = "INTEGRATION_CREATE"  # a bot's commands installed alone (`applications.commands`)
    INTEGRATION_DELETE = "INTEGRATION_DELETE"  # that install removed


class InstanceAction(StrEnum):
    """What an instance audit log entry records."""

    USER_SUSPEND = "USER_SUSPEND"
    USER_UNSUSPEND = "USER_UNSUSPEND"
    USER_DELETE = "USER_DELETE"
    USER_TWO_FACTOR_RESET = "USER_TWO_FACTOR_RESET"
    USER_ADMIN_GRANT = "USER_ADMIN_GRANT"
    USER_ADMIN_REVOKE = "USER_ADMIN_REVOKE"
    GUILD_DELETE = "GUILD_DELETE"
    GUILD_OWNER_TRANSFER = "GUILD_OWNER_TRANSFER"
    REPORT_UPDATE = "REPORT_UPDATE"
    SETTINGS_UPDATE = "SETTINGS_UPDATE"


# Fields that identify an object or follow from other changes; a change to them is not news.
_NOT_CHANGES = frozenset({"id", "guild_id", "created_at", "updated_at", "user", "member_count", "last_message_id"})
_EMPTY: tuple[Any, ...] = (None, [], {}, "")

_reason: ContextVar[str | None] = ContextVar("audit_log_reason", default=None)


def parse_reason(header: str | None) -> str | None:
    """The reason as sent in `X-Audit-Log-Reason` (URL-encoded, at most 512 characters once decoded)."""
    if header is None:
        return None
    try:
        reason = unquote(header, errors="strict").strip()
    except UnicodeDecodeError:
        raise bad_request("X-Audit-Log-Reason must be URL-encoded UTF-8") from None
    if len(reason) > MAX_REASON:
        raise bad_request(f"X-Audit-Log-Reason must be at most {MAX_REASON} characters")
    return reason or None


def set_reason(reason: str | None) -> None:
    """The reason of the request being served; every entry it records carries it."""
    _reason.set(reason)


def current_reason() -> str | None:
    return _reason.get()


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The fields whose value differs, sorted by key: {key, old, new}, with null for a side
    that has no value (a created or deleted object). Empty values count as no value."""
    before, after = old or {}, new or {}
    out = []
    for key in sorted((before.keys() | after.keys()) - _NOT_CHANGES):
        was, now = before.get(key), after.get(key)
        if (was in _EMPTY and now in _EMPTY) or was == now:
            continue
        out.append({"key": key, "old": None if was in _EMPTY else was, "new": None if now in _EMPTY else now})
    return out


def entry_out(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A guild audit log entry, or (without `guild_id`) an instance one; optional fields only when set."""
    out = {"id": row["id"]}
    if "guild_id" in row:
        out["guild_id"] = row["guild_id"]
    out |= {"actor_id": row["actor_id"], "action": row["action"], "changes": list(row["changes"]),
            "created_at": row["created_at"]}  # fmt: skip
    for key in ("target_type", "target_id", "reason"):
        if row[key] is not None:
            out[key] = row[key]
    return out


async def record(
    tx: UnitOfWork,
    *,
    guild_id: str,
    actor_id: str,
    action: Action,
    target_type: str | None = None,
    target_id: str | None = None,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any] | None:
    """Write one entry in `tx` and emit GUILD_AUDIT_LOG_ENTRY_CREATE; call it after the change's
    own events. An update (`old` and `new` both given) that changed nothing records nothing.
    `reason` is used when the request sent none (a ban's own reason)."""
    changes = diff(old, new)
    if old is not None and new is not None and not changes:
        return None
    row = {
        "id": new_id(),
        "guild_id": guild_id,
        "actor_id": actor_id,
        "action": str(action),
        "target_type": target_type,
        "target_id": target_id,
        "changes": changes,
        "reason": current_reason() or reason,
        "created_at": now_iso(),
    }
    await tx.conn.execute(audit_log_entries.insert().values(**row))
    entry = entry_out(row)
    tx.emit("GUILD_AUDIT_LOG_ENTRY_CREATE", entry)
    return entry


def require_reader(ga: access.GuildAccess) -> None:
    """Who may read the log (GET /guilds/{g}/audit-log): ViewAuditLog at guild level. The gateway's
    `permission` audience of GUILD_AUDIT_LOG_ENTRY_CREATE is checked against this very function
    (tests/gateway/test_routing_property.py)."""
    ga.require(P.Perm.ViewAuditLog)


async def _users(conn: AsyncConnection, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = {e["actor_id"] for e in entries} | {e["target_id"] for e in entries if e.get("target_type") == "user"}
    if not ids:
        return []
    rows = (await conn.execute(select(users).where(users.c.id.in_(ids)).order_by(users.c.id))).mappings()
    return [public_user(row) for row in rows]


async def list_entries(
    ctx: Context,
    guild_id: str,
    user_id: str,
    *,
    actor_id: str | None = None,
    action: str | None = None,
    before: str | None = None,
    after: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """GET /guilds/{g}/audit-log (ViewAuditLog): entries newest first, with the users they name.

    `before` pages back from an entry id; `after` gives the entries just after one (the oldest
    `limit` of them), still newest first.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be 1-{MAX_LIMIT}")
    if action is not None and action not in Action.__members__:
        raise bad_request(f"action_type must be one of {', '.join(Action.__members__)}")
    async with ctx.db.read() as conn:
        require_reader(await access.guild_access(conn, guild_id, user_id))
        t = audit_log_entries.c
        q = select(audit_log_entries).where(t.guild_id == guild_id)
        if actor_id is not None:
            q = q.where(t.actor_id == actor_id)
        if action is not None:
            q = q.where(t.action == action)
        if before is not None:
            q = q.where(t.id < before)
        if after is not None:
            q = q.where(t.id > after)
        q = q.order_by(t.id if after is not None and before is None else t.id.desc()).limit(limit)
        entries = [entry_out(row) for row in (await conn.execute(q)).mappings()]
        entries.sort(key=lambda e: e["id"], reverse=True)
        return {"audit_log_entries": entries, "users": await _users(conn, entries)}


async def record_instance(
    tx: UnitOfWork,
    *,
    actor_id: str | None,
    action: InstanceAction,
    target_type: str | None = None,
    target_id: str | None = None,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Write one instance audit log entry in `tx` (`actor_id` None: the server's console)."""
    row = {
        "id": new_id(),
        "actor_id": actor_id,
        "action": str(action),
        "target_type": target_type,
        "target_id": target_id,
        "changes": diff(old, new),
        "reason": current_reason() or reason,
        "created_at": now_iso(),
    }
    await tx.conn.execute(instance_audit_log.insert().values(**row))
    return entry_out(row)


async def list_instance_entries(
    ctx: Context, *, action: str | None = None, before: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """GET /admin/audit-log (administrators): the instance's entries, newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be 1-{MAX_LIMIT}")
    if action is not None and action not in InstanceAction.__members__:
        raise bad_request(f"action must be one of {', '.join(InstanceAction.__members__)}")
    t = instance_audit_log.c
    q = select(instance_audit_log)
    if action is not None:
        q = q.where(t.action == action)
    if before is not None:
        q = q.where(t.id < before)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(q.order_by(t.id.desc()).limit(limit))).mappings()
        return [entry_out(row) for row in rows]
