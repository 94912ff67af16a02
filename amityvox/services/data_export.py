"""A user's data export: everything the server keeps about them, as a zip of JSON files.

POST /users/@me/data-exports queues one (`data_exports`, at most one a day); the worker here
claims it (so several processes never build one twice, and one whose builder died is taken
over after `CLAIM_SECONDS`), writes the zip to the file storage (services/media's backend,
under `exports/`), marks it ready and mails its owner a link when mail is configured. Only
the owner downloads it, with their token, for `EXPORT_TTL`; then the file is removed and the
export reads `expired`. An erased account's exports go at the next sweep.

The zip holds the account, its settings, login sessions, guild memberships, relationships,
DM and group channels, every message the user wrote (one file per channel), their uploads
(the list, not the bytes) and saved messages: what a user may ask for under the GDPR's right
of access. Other people's messages are not in it.
"""

from __future__ import annotations

import asyncio
import io
import logging
import zipfile
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import and_, desc, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import (
    auth_sessions,
    channel_notification_prefs,
    channel_recipients,
    channels,
    data_exports,
    guild_members,
    guilds,
    member_roles,
    messages,
    saved_messages,
    uploads,
    users,
)
from amityvox.errors import ApiError, not_found, rate_limited
from amityvox.ids import iso, new_id, now_iso, parse_iso, utcnow
from amityvox.services import mail, user_settings
from amityvox.services.relationships import load_relationships
from amityvox.services.serialize import self_user
from amityvox.services.users import get_row
from amityvox.waiting import wait_set

log = logging.getLogger("amityvox.data_export")

EXPORT_TTL = timedelta(days=7)  # how long a ready export can be downloaded
REQUEST_EVERY = timedelta(days=1)  # one export per user per this
POLL_SECONDS = 30.0  # an export queued by another process waits at most this long
CLAIM_SECONDS = 600.0  # a builder that has not finished by then is presumed dead
MESSAGE_BATCH = 1000
LIST_LIMIT = 10


class _Worker:
    """This process's builder: woken by `wake`, counting the rounds it has begun and ended."""

    def __init__(self) -> None:
        self.wakeup = asyncio.Event()
        self.begun = 0
        self.ended = 0
        self.changed = asyncio.Condition()


_workers: dict[int, _Worker] = {}


def _key(export_id: str) -> str:
    return f"exports/{export_id}/data.zip"


def export_out(row: Mapping[Any, Any], now: str | None = None) -> dict[str, Any]:
    """An export as its owner sees it: `status` is `pending` (queued), `running` (being built),
    `ready` (downloadable until `expires_at`), `failed` or `expired`."""
    at = now or now_iso()
    status = row["status"]
    if status == "pending" and row["claimed_until"] is not None and row["claimed_until"] > at:
        status = "running"
    out: dict[str, Any] = {"id": row["id"], "status": status, "created_at": row["created_at"]}
    if row["finished_at"] is not None:
        out["finished_at"] = row["finished_at"]
    if status == "ready":
        expires_at = iso(parse_iso(row["finished_at"]) + EXPORT_TTL)
        if expires_at <= at:
            out["status"] = "expired"
        else:
            out.update(expires_at=expires_at, size_bytes=row["size_bytes"])
    return out


async def request_export(ctx: Context, user_id: str, base: str) -> dict[str, Any]:
    """POST /users/@me/data-exports → the queued export (202); 429 with `retry_after` when one
    was asked for in the last day (a failed one does not count)."""
    now = utcnow()
    async with ctx.uow() as tx:
        await get_row(tx.conn, user_id)
        last = await tx.conn.scalar(
            select(data_exports.c.created_at)
            .where(
                data_exports.c.user_id == user_id,
                data_exports.c.status != "failed",
                data_exports.c.created_at > iso(now - REQUEST_EVERY),
            )
            .order_by(desc(data_exports.c.created_at))
            .limit(1)
        )
        if last is not None:
            wait = (parse_iso(last) + REQUEST_EVERY - now).total_seconds()
            raise rate_limited(wait, "you can ask for one data export a day")
        export_id = new_id()
        await tx.conn.execute(
            insert(data_exports).values(
                id=export_id, user_id=user_id, status="pending", created_at=iso(now), link_base=base[:255]
            )
        )
        row = (await tx.conn.execute(select(data_exports).where(data_exports.c.id == export_id))).mappings().one()
    wake(ctx)
    return export_out(row)


async def list_exports(ctx: Context, user_id: str) -> list[dict[str, Any]]:
    """GET /users/@me/data-exports: the user's latest exports, newest first."""
    async with ctx.db.read() as conn:
        q = (
            select(data_exports)
            .where(data_exports.c.user_id == user_id)
            .order_by(desc(data_exports.c.created_at), desc(data_exports.c.id))
            .limit(LIST_LIMIT)
        )
        now = now_iso()
        return [export_out(row, now) for row in (await conn.execute(q)).mappings()]


async def _own(conn: AsyncConnection, user_id: str, export_id: str) -> Mapping[Any, Any]:
    q = select(data_exports).where(data_exports.c.id == export_id, data_exports.c.user_id == user_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:  # someone else's is as unknown as a missing one
        raise not_found("data export")
    return row


async def get_export(ctx: Context, user_id: str, export_id: str) -> dict[str, Any]:
    """GET /users/@me/data-exports/{id}: its status."""
    async with ctx.db.read() as conn:
        return export_out(await _own(conn, user_id, export_id))


async def download(ctx: Context, user_id: str, export_id: str) -> tuple[str, int, str]:
    """The storage key, size and file name of a ready export of the user's; 409
    `export_not_ready` while it is being built, 410 `export_expired` after its time."""
    async with ctx.db.read() as conn:
        row = await _own(conn, user_id, export_id)
        username = (await get_row(conn, user_id))["username"]
    out = export_out(row)
    if out["status"] == "expired":
        raise ApiError(410, "export_expired", "this export has expired; ask for a new one")
    if out["status"] != "ready":
        raise ApiError(409, "export_not_ready", f"this export is {out['status']}, not ready to download")
    return row["storage_key"], int(row["size_bytes"]), f"amityvox-{username}-{row['created_at'][:10]}.zip"


# ---- building ------------------------------------------------------------------------------------


def _dump(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2)


async def _collect(conn: AsyncConnection, user_id: str) -> dict[str, Any]:
    """Every file of the zip, by name, as JSON-ready values."""
    user = await get_row(conn, user_id)
    files: dict[str, Any] = {}
    account = self_user(user)
    account["is_admin"] = bool(user["is_admin"])
    files["account.json"] = account
    prefs = await conn.execute(
        select(channel_notification_prefs).where(channel_notification_prefs.c.user_id == user_id)
    )
    files["settings.json"] = {
        "settings": user_settings.settings_out(user_id, await user_settings.load(conn, user_id)),
        "channel_notifications": [
            {k: p[k] for k in ("channel_id", "level", "muted_until", "updated_at")} for p in prefs.mappings()
        ],
    }
    sessions = await conn.execute(
        select(auth_sessions).where(auth_sessions.c.user_id == user_id).order_by(auth_sessions.c.created_at)
    )
    files["sessions.json"] = [
        {k: s[k] for k in ("id", "created_at", "last_seen_at", "expires_at", "address", "user_agent")}
        for s in sessions.mappings()
    ]
    memberships = await conn.execute(
        select(guild_members, guilds.c.name, guilds.c.owner_id)
        .join(guilds, guilds.c.id == guild_members.c.guild_id)
        .where(guild_members.c.user_id == user_id)
        .order_by(guild_members.c.joined_at)
    )
    role_rows = await conn.execute(
        select(member_roles.c.guild_id, member_roles.c.role_id).where(member_roles.c.user_id == user_id)
    )
    roles: dict[str, list[str]] = {}
    for guild_id, role_id in role_rows:
        roles.setdefault(guild_id, []).append(role_id)
    files["guilds.json"] = [
        {
            "guild_id": m["guild_id"],
            "name": m["name"],
            "owner": m["owner_id"] == user_id,
            "nickname": m["nickname"],
            "joined_at": m["joined_at"],
            "role_ids": sorted(roles.get(m["guild_id"], [])),
        }
        for m in memberships.mappings()
    ]
    files["relationships.json"] = await load_relationships(conn, user_id)
    mine = select(channel_recipients.c.channel_id).where(channel_recipients.c.user_id == user_id)
    dms = []
    for ch in (await conn.execute(select(channels).where(channels.c.id.in_(mine)).order_by(channels.c.id))).mappings():
        others = await conn.execute(
            select(users.c.id, users.c.username)
            .join(channel_recipients, channel_recipients.c.user_id == users.c.id)
            .where(channel_recipients.c.channel_id == ch["id"])
            .order_by(users.c.id)
        )
        dms.append(
            {
                "channel_id": ch["id"],
                "type": ch["channel_type"],
                "name": ch["name"],
                "recipients": [{"id": i, "username": n} for i, n in others],
            }
        )
    files["dms.json"] = dms
    files.update(await _messages(conn, user_id))
    ups = await conn.execute(select(uploads).where(uploads.c.uploader_id == user_id).order_by(uploads.c.id))
    files["uploads.json"] = [
        {
            k: u[k]
            for k in (
                "id",
                "kind",
                "filename",
                "content_type",
                "size_bytes",
                "guild_id",
                "channel_id",
                "message_id",
                "created_at",
            )
        }
        for u in ups.mappings()
    ]
    saved = await conn.execute(
        select(saved_messages).where(saved_messages.c.user_id == user_id).order_by(saved_messages.c.created_at)
    )
    files["saved_messages.json"] = [
        {k: s[k] for k in ("message_id", "channel_id", "note", "created_at")} for s in saved.mappings()
    ]
    return files


async def _messages(conn: AsyncConnection, user_id: str) -> dict[str, Any]:
    """`messages/{channel_id}.json` per channel the user wrote in: the channel and their messages, oldest first."""
    by_channel: dict[str, list[dict[str, Any]]] = {}
    after = ""
    while True:
        batch = list(
            (
                await conn.execute(
                    select(messages)
                    .where(messages.c.author_id == user_id, messages.c.id > after)
                    .order_by(messages.c.id)
                    .limit(MESSAGE_BATCH)
                )
            ).mappings()
        )
        for m in batch:
            by_channel.setdefault(m["channel_id"], []).append(
                {
                    "id": m["id"],
                    "content": m["content"],
                    "created_at": m["created_at"],
                    "edited_at": m["edited_at"],
                    "reply_to_ids": m["reply_to_ids"],
                    "attachments": m["attachments"],
                    "pinned": bool(m["pinned"]),
                }
            )
        if len(batch) < MESSAGE_BATCH:
            break
        after = batch[-1]["id"]
    out: dict[str, Any] = {}
    if not by_channel:
        return out
    q = select(
        channels.c.id, channels.c.channel_type, channels.c.name, channels.c.guild_id, guilds.c.name.label("guild")
    )
    q = q.outerjoin(guilds, guilds.c.id == channels.c.guild_id).where(channels.c.id.in_(list(by_channel)))
    for ch in (await conn.execute(q)).mappings():
        channel = {"id": ch["id"], "type": ch["channel_type"], "name": ch["name"]}
        if ch["guild_id"] is not None:
            channel.update(guild_id=ch["guild_id"], guild_name=ch["guild"])
        out[f"messages/{ch['id']}.json"] = {"channel": channel, "messages": by_channel[ch["id"]]}
    return out


_README = """This is your data from an AmityVox server, as of {at}.

account.json          your account (profile, e-mail address)
settings.json         your settings and per-channel notification choices
sessions.json         your login sessions (device, address, times)
guilds.json           the guilds you are a member of, with your nickname and roles
relationships.json    friends, friend requests and blocks
dms.json              your direct message and group channels and who is in them
messages/<id>.json    every message you wrote, one file per channel
uploads.json          the files you uploaded (names and sizes; open them in the app)
saved_messages.json   the messages you saved, with your notes

Every file is JSON. Times are UTC (RFC 3339); ids are ULIDs.
"""


def _zip(files: dict[str, Any], at: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _README.format(at=at))
        for name, value in sorted(files.items()):
            archive.writestr(name, _dump(value))
    return buffer.getvalue()


async def build(ctx: Context, user_id: str) -> bytes:
    """The zip of a user's data, as of now."""
    async with ctx.db.read() as conn:
        files = await _collect(conn, user_id)
    return await asyncio.to_thread(_zip, files, now_iso())


async def _claim(ctx: Context) -> Mapping[Any, Any] | None:
    now = utcnow()
    free = or_(data_exports.c.claimed_until.is_(None), data_exports.c.claimed_until <= iso(now))
    async with ctx.db.read() as conn:
        candidates = list(
            await conn.scalars(
                select(data_exports.c.id)
                .where(data_exports.c.status == "pending", free)
                .order_by(data_exports.c.created_at)
                .limit(5)
            )
        )
    for export_id in candidates:
        async with ctx.db.begin() as conn:
            claimed = await conn.execute(
                update(data_exports)
                .where(data_exports.c.id == export_id, data_exports.c.status == "pending", free)
                .values(claimed_until=iso(now + timedelta(seconds=CLAIM_SECONDS)))
                .returning(data_exports.c.id, data_exports.c.user_id, data_exports.c.link_base)
            )
            row = claimed.mappings().first()
        if row is not None:
            return row
    return None


async def run_due(ctx: Context) -> int:
    """Build every queued export (this process's share of them); how many became ready."""
    done = 0
    while (job := await _claim(ctx)) is not None:
        try:
            data = await build(ctx, job["user_id"])
            key = _key(job["id"])
            await ctx.storage.put(key, data, "application/zip")
        except Exception:  # whatever went wrong, its owner sees `failed` and may ask again at once
            log.exception("data export %s failed", job["id"])
            async with ctx.db.begin() as conn:
                await conn.execute(
                    update(data_exports)
                    .where(data_exports.c.id == job["id"])
                    .values(status="failed", claimed_until=None, finished_at=now_iso())
                )
            continue
        async with ctx.uow() as tx:
            finished = now_iso()
            await tx.conn.execute(
                update(data_exports)
                .where(data_exports.c.id == job["id"])
                .values(status="ready", storage_key=key, size_bytes=len(data), claimed_until=None, finished_at=finished)
            )
            user = await get_row(tx.conn, job["user_id"])
            if user["email"] and ctx.settings.mail_configured:
                until = iso(parse_iso(finished) + EXPORT_TTL)
                base = ctx.settings.public_url.rstrip("/") or job["link_base"] or ""
                await mail.enqueue(
                    tx.conn,
                    user["email"],
                    "Your data export is ready",
                    f"Hello {user['username']},\n\nthe export of your data you asked for is ready. Log in and"
                    f" download it from your settings until {until[:16].replace('T', ' ')} UTC:\n\n"
                    f"{base}/data-export\n\nIf you did not ask for it, change your password: someone else"
                    " may be logged in as you.\n",
                )
        mail.wake(ctx)
        done += 1
    return done


async def sweep(ctx: Context) -> int:
    """Remove the files of exports past their time or of erased accounts; how many."""
    cutoff = iso(utcnow() - EXPORT_TTL)
    async with ctx.db.read() as conn:
        rows = list(
            (
                await conn.execute(
                    select(data_exports.c.id, data_exports.c.storage_key)
                    .join(users, users.c.id == data_exports.c.user_id)
                    .where(
                        data_exports.c.status == "ready",
                        or_(data_exports.c.finished_at <= cutoff, users.c.deleted_at.is_not(None)),
                    )
                )
            ).all()
        )
    for export_id, key in rows:
        async with ctx.db.begin() as conn:
            gone = await conn.execute(
                update(data_exports)
                .where(and_(data_exports.c.id == export_id, data_exports.c.status == "ready"))
                .values(status="expired", storage_key=None)
            )
        if gone.rowcount and key:
            await ctx.storage.delete([key])
    return len(rows)


def wake(ctx: Context) -> None:
    """Have this process's worker look for queued exports now."""
    worker = _workers.get(id(ctx))
    if worker is not None:
        worker.wakeup.set()


async def drained(ctx: Context) -> None:
    """Wake this process's worker and return once a whole round has run after this call: every
    export queued here before it is built (a fence, as the bus's `flush` is for its subscribers)."""
    worker = _workers[id(ctx)]
    target = worker.begun + 1  # rounds run one after another: the next to begin starts after now
    worker.wakeup.set()
    async with worker.changed:
        await worker.changed.wait_for(lambda: worker.ended >= target)


async def _run(ctx: Context, worker: _Worker) -> None:
    while True:
        await wait_set(worker.wakeup, POLL_SECONDS)
        worker.wakeup.clear()
        worker.begun += 1
        try:
            await run_due(ctx)
            await sweep(ctx)
        except Exception:  # a database or storage hiccup: the next round retries
            log.exception("data export worker failed")
        async with worker.changed:
            worker.ended += 1
            worker.changed.notify_all()


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    worker = _workers[id(ctx)] = _Worker()
    worker.wakeup.set()
    return [asyncio.create_task(_run(ctx, worker), name="data-export")]
