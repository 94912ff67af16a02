"""Uploads: take a file, store it, attach it to a message, serve it to those who may see it.

The flow (docs/media.md):
1. `POST /channels/{c}/attachments` (or the original's `POST /files/upload`) with one
   multipart `file`: the bytes are checked (size, type read from the bytes, images decoded
   and stripped of metadata), stored, and answered with an Attachment whose URL only the
   uploader has so far.
2. `POST /channels/{c}/messages` with `attachments: [id, …]` (or `attachment_ids`) takes the
   uploads onto the message; MESSAGE_CREATE carries them with signed URLs.
3. The thumbnail worker (services/media_worker.py) makes WebP thumbnails off the request
   path and publishes MESSAGE_UPDATE with them.
4. `GET /files/{id}/{name}?ex=…&sig=…` serves the bytes (ranges, caching, a strict CSP).
   Deleting the message makes its files unreachable at once; the sweeper deletes the bytes.

Avatars, guild icons and banners and emoji images are uploads of their own kind: images
only, served without a signature (their ids are public in User and Guild objects).
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import custom_emoji, guilds, uploads, users
from amityvox.errors import ApiError, bad_request, forbidden, not_found
from amityvox.ids import is_ulid, iso, new_id, now_iso, utcnow
from amityvox.media import images, sniff, urls
from amityvox.media.storage import StorageError
from amityvox.services.access import channel_access
from amityvox.services.serialize import Row

log = logging.getLogger("amityvox.media")

ATTACHMENT = "attachment"
PUBLIC_KINDS = frozenset({"avatar", "icon", "banner", "emoji"})
KINDS = PUBLIC_KINDS | {ATTACHMENT}
MAX_FILENAME = 255


def too_large(message: str, code: str = "payload_too_large") -> ApiError:
    return ApiError(413, code, message)


def unsupported(message: str) -> ApiError:
    return ApiError(415, "unsupported_media_type", message)


def max_bytes(ctx: Context, kind: str) -> int:
    """The largest file of `kind` (the route also cuts the request body off past it)."""
    s = ctx.settings
    if kind == ATTACHMENT:
        return s.upload_max_bytes
    return s.emoji_max_bytes if kind == "emoji" else s.avatar_max_bytes


def clean_filename(name: str | None) -> str:
    """The last path part, without control or formatting characters, at most 255 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".") or "file"
    if len(base) > MAX_FILENAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext) if dot and len(ext) < 16 else base[:MAX_FILENAME]
    return base


def _key(kind: str, upload_id: str, variant: str = "original") -> str:
    return f"{kind}/{upload_id}/{variant}"


def thumbnail_key(row: Row, size: int) -> str:
    return _key(row["kind"], row["id"], f"{size}.webp")


def thumbnail_meta(t: images.Thumbnail) -> dict[str, int]:
    return {"size": t.size, "width": t.width, "height": t.height, "size_bytes": len(t.data)}


def stored_keys(row: Row) -> list[str]:
    return [row["storage_key"], *(thumbnail_key(row, t["size"]) for t in row["thumbnails"] or [])]


# ---- rendering ------------------------------------------------------------------------------


def upload_out(row: Row, secret: bytes | None) -> dict[str, Any]:
    """The Attachment object: signed URLs for attachments (`secret`), plain ones for public kinds."""

    def url(size: int | None = None) -> str:
        if secret is None:
            return urls.path(row["id"], row["filename"]) + (f"?size={size}" if size else "")
        return urls.signed(secret, row["id"], row["filename"], size)

    out: dict[str, Any] = {
        "id": row["id"],
        "filename": row["filename"],
        "content_type": row["content_type"],
        "size_bytes": row["size_bytes"],
        "url": url(),
    }
    for name in ("width", "height", "blurhash"):
        if row[name] is not None:
            out[name] = row[name]
    if row["thumbnails"] is not None:
        out["thumbnails"] = [
            {**t, "content_type": images.THUMBNAIL_TYPE, "url": url(t["size"])} for t in row["thumbnails"]
        ]
    return out


async def attachments_for(conn: AsyncConnection, message_ids: Sequence[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """message id → upload id → Attachment with signed URLs, for the uploads on these messages."""
    if not message_ids:
        return {}
    q = select(uploads).where(uploads.c.message_id.in_(list(message_ids)))
    rows = list((await conn.execute(q)).mappings())
    if not rows:
        return {}
    secret = await urls.key(conn)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["message_id"], {})[row["id"]] = upload_out(row, secret)
    return out


# ---- upload ---------------------------------------------------------------------------------


async def _used(conn: AsyncConnection, column: Any, value: str) -> int:
    return int(await conn.scalar(select(func.coalesce(func.sum(uploads.c.size_bytes), 0)).where(column == value)) or 0)


async def _check_quota(ctx: Context, conn: AsyncConnection, user_id: str, guild_id: str | None, adding: int) -> None:
    s = ctx.settings
    if s.user_quota_bytes and await _used(conn, uploads.c.uploader_id, user_id) + adding > s.user_quota_bytes:
        raise too_large(f"your files would exceed your quota of {s.user_quota_bytes} bytes", "quota_exceeded")
    if (
        guild_id is not None
        and s.guild_quota_bytes
        and await _used(conn, uploads.c.guild_id, guild_id) + adding > s.guild_quota_bytes
    ):
        raise too_large(f"this guild's files would exceed its quota of {s.guild_quota_bytes} bytes", "quota_exceeded")


@dataclass(frozen=True, slots=True)
class _Prepared:
    content_type: str
    data: bytes
    width: int | None = None
    height: int | None = None
    blurhash: str | None = None
    thumbnails: tuple[images.Thumbnail, ...] | None = None


async def _prepare(ctx: Context, kind: str, data: bytes) -> _Prepared:
    """Type from the bytes, then for images: decode, measure, strip metadata (in a thread)."""
    content_type = sniff.detect(data)
    if kind != ATTACHMENT and content_type not in sniff.IMAGE_TYPES:
        raise unsupported(f"a {kind} must be a PNG, JPEG, GIF or WebP image, not {content_type}")
    if kind == ATTACHMENT and not sniff.type_allowed(content_type, ctx.settings.upload_types):
        raise unsupported(f"files of type {content_type} are not accepted here")
    if content_type not in sniff.IMAGE_TYPES:
        return _Prepared(content_type, data)
    limit = ctx.settings.image_max_pixels
    try:
        checked = await asyncio.to_thread(images.check, data, content_type, limit)
        # Avatars, icons and emoji are small and shown everywhere: their thumbnails are made now.
        thumbs = (
            None
            if kind == ATTACHMENT
            else await asyncio.to_thread(images.thumbnails, checked.data, content_type, limit)
        )
    except images.ImageTooLarge as exc:
        raise too_large(str(exc), "image_too_large") from None
    except images.BadImage as exc:
        raise bad_request(str(exc), code="invalid_image") from None
    return _Prepared(
        content_type,
        checked.data,
        checked.width,
        checked.height,
        checked.blurhash,
        None if thumbs is None else tuple(thumbs),
    )


async def upload(
    ctx: Context,
    user_id: str,
    kind: str,
    filename: str | None,
    data: bytes,
    *,
    channel_id: str | None = None,
) -> dict[str, Any]:
    """Store one uploaded file → the Attachment (201). With `channel_id` the upload is for that
    channel (needs SendMessages and UploadFiles there, and counts against its guild's quota)."""
    if kind not in KINDS:
        raise bad_request(f"kind must be one of {', '.join(sorted(KINDS))}")
    if channel_id is not None and kind != ATTACHMENT:
        raise bad_request("only attachments are uploaded to a channel")
    limit = max_bytes(ctx, kind)
    if len(data) > limit:
        raise too_large(f"the file is {len(data)} bytes; at most {limit} are accepted")
    if not data:
        raise bad_request("the file is empty", code="empty_file")
    guild_id = None
    async with ctx.db.read() as conn:
        if channel_id is not None:
            ca = await channel_access(conn, channel_id, user_id, need=P.Perm.SendMessages)
            ca.require(P.Perm.UploadFiles)
            guild_id = ca.guild_id
        await _check_quota(ctx, conn, user_id, guild_id, len(data))
    prepared = await _prepare(ctx, kind, data)
    upload_id = new_id()
    row: dict[str, Any] = {
        "id": upload_id,
        "uploader_id": user_id,
        "kind": kind,
        "guild_id": guild_id,
        "channel_id": channel_id,
        "message_id": None,
        "position": 0,
        "filename": clean_filename(filename),
        "content_type": prepared.content_type,
        "size_bytes": len(prepared.data),
        "width": prepared.width,
        "height": prepared.height,
        "blurhash": prepared.blurhash,
        "thumbnails": None if prepared.thumbnails is None else [thumbnail_meta(t) for t in prepared.thumbnails],
        "storage_key": _key(kind, upload_id),
        "created_at": now_iso(),
        "attached_at": None,
    }
    written: list[str] = []
    try:
        await ctx.storage.put(row["storage_key"], prepared.data, prepared.content_type)
        written.append(row["storage_key"])
        for t in prepared.thumbnails or ():
            await ctx.storage.put(thumbnail_key(row, t.size), t.data, images.THUMBNAIL_TYPE)
            written.append(thumbnail_key(row, t.size))
        async with ctx.uow() as tx:
            secret = await urls.ensure_key(tx.conn)
            await tx.conn.execute(uploads.insert().values(**row))
    except StorageError as exc:
        log.error("storing upload %s failed: %s", upload_id, exc)
        await _forget(ctx, written)
        raise ApiError(503, "storage_unavailable", "the file could not be stored; try again") from None
    except BaseException:
        await _forget(ctx, written)
        raise
    return upload_out(row, None if kind in PUBLIC_KINDS else secret)


async def _forget(ctx: Context, keys: list[str]) -> None:
    if keys:
        try:
            await ctx.storage.delete(keys)
        except StorageError as exc:  # the sweeper cannot find these: say so
            log.error("could not remove %s after a failed upload: %s", keys, exc)


async def delete_upload(ctx: Context, upload_id: str, user_id: str) -> None:
    """DELETE /files/{id}: the uploader withdraws an upload no message took yet."""
    async with ctx.uow() as tx:
        row = await _load(tx.conn, upload_id)
        if row is None or row["uploader_id"] != user_id:
            raise not_found("file")
        if row["attached_at"] is not None or row["kind"] != ATTACHMENT:
            raise bad_request("only attachments not yet on a message can be withdrawn", code="file_in_use")
        await tx.conn.execute(uploads.delete().where(uploads.c.id == row["id"]))
    await _forget(ctx, stored_keys(row))


# ---- avatars, icons and emoji ---------------------------------------------------------------


async def require_media(conn: AsyncConnection, upload_id: str, kind: str, user_id: str) -> str:
    """`upload_id` must be an image of `kind` that `user_id` uploaded (an avatar, icon or emoji
    can only be made of one's own upload of that kind) → the id as stored."""
    row = await _load(conn, upload_id)
    if row is None or row["kind"] != kind or row["uploader_id"] != user_id:
        raise bad_request(
            f"must be the id of your own {kind} upload (POST /files/upload with kind={kind})", code="unknown_media"
        )
    return str(row["id"])


# ---- attaching to messages ------------------------------------------------------------------


def attachment_ids(items: Sequence[Any]) -> list[str]:
    """Message bodies name uploads by id, or by objects with an `id` (any other field is ours to
    fill, so it is ignored)."""
    ids: list[str] = []
    for i, item in enumerate(items):
        value = item.get("id") if isinstance(item, dict) else item
        if not isinstance(value, str) or not is_ulid(value):
            raise bad_request(f"attachments[{i}] must be the id of an upload")
        ids.append(value.upper())
    if len(set(ids)) != len(ids):
        raise bad_request("attachments must not repeat")
    return ids


async def check_attachable(
    ctx: Context, conn: AsyncConnection, user_id: str, channel_id: str, guild_id: str | None, ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The uploads `ids` may go on a new message of `user_id` in `channel_id`: their own, not on
    another message, uploaded for this channel (or for none), within the per-message limits.
    Returns what the message row keeps of them: ids in order, with the type, name and size that
    search filters read."""
    if not ids:
        return []
    if len(ids) > ctx.settings.upload_max_files:
        raise bad_request(f"at most {ctx.settings.upload_max_files} attachments per message")
    q = select(
        uploads.c.id, uploads.c.size_bytes, uploads.c.guild_id, uploads.c.content_type, uploads.c.filename
    ).where(
        uploads.c.id.in_(list(ids)),
        uploads.c.uploader_id == user_id,
        uploads.c.kind == ATTACHMENT,
        uploads.c.attached_at.is_(None),
        or_(uploads.c.channel_id.is_(None), uploads.c.channel_id == channel_id),
    )
    found = list(await conn.execute(q))
    if len(found) != len(ids):
        raise bad_request(
            "attachments must be your own uploads for this channel, not yet on a message", code="unknown_attachment"
        )
    total = sum(r.size_bytes for r in found)
    if total > ctx.settings.upload_max_message_bytes:
        raise too_large(
            f"the files add up to {total} bytes; a message may carry {ctx.settings.upload_max_message_bytes}"
        )
    unplaced = sum(r.size_bytes for r in found if r.guild_id is None)
    if guild_id is not None and unplaced and ctx.settings.guild_quota_bytes:
        used = await _used(conn, uploads.c.guild_id, guild_id)
        if used + unplaced > ctx.settings.guild_quota_bytes:
            raise too_large(
                f"this guild's files would exceed its quota of {ctx.settings.guild_quota_bytes} bytes",
                "quota_exceeded",
            )
    by_id = {r.id: r for r in found}
    return [
        {
            "id": i,
            "filename": by_id[i].filename,
            "content_type": by_id[i].content_type,
            "size_bytes": by_id[i].size_bytes,
        }
        for i in ids
    ]


async def attach(
    conn: AsyncConnection, message_id: str, channel_id: str, guild_id: str | None, ids: Sequence[str]
) -> None:
    """Put the checked uploads on the message, in the given order."""
    now = now_iso()
    for position, upload_id in enumerate(ids):
        await conn.execute(
            update(uploads)
            .where(uploads.c.id == upload_id)
            .values(message_id=message_id, channel_id=channel_id, guild_id=guild_id, position=position, attached_at=now)
        )


# ---- serving --------------------------------------------------------------------------------


async def _load(conn: AsyncConnection, upload_id: str) -> Row | None:
    if not is_ulid(upload_id):
        return None
    return (await conn.execute(select(uploads).where(uploads.c.id == upload_id.upper()))).mappings().first()


@dataclass(frozen=True, slots=True)
class Servable:
    """What to send for a GET: which object, as which type, how long, and whether to cache publicly."""

    key: str
    content_type: str
    length: int
    filename: str
    etag: str
    public: bool
    expires: int | None


def _fits(row: Row, size: int) -> bool:
    """An image already within `size` has no thumbnail of it: its original stands in, so a
    client can ask for an avatar's 256 px size without knowing how large the avatar is."""
    made = row["thumbnails"] is not None and row["content_type"] in sniff.IMAGE_TYPES
    return made and row["width"] is not None and max(row["width"], row["height"]) <= size


async def servable(
    ctx: Context,
    upload_id: str,
    size: int | None,
    expires: int | None,
    sig: str | None,
    user_id: str | None,
) -> Servable:
    """Authorise a fetch: public kinds for anyone; an attachment with a valid signature, or for
    its uploader, or for a user who can read its channel's history. Files of deleted messages
    are gone (404) even before the sweeper removes their bytes."""
    async with ctx.db.read() as conn:
        row = await _load(conn, upload_id)
        if row is None:
            raise not_found("file")
        public = row["kind"] in PUBLIC_KINDS
        orphaned = row["kind"] == ATTACHMENT and row["attached_at"] is not None and row["message_id"] is None
        if orphaned:
            raise not_found("file")
        if not public:
            if sig is not None and expires is not None:
                if not urls.verify(await urls.key(conn), row["id"], str(size or ""), expires, sig):
                    raise forbidden("the link is invalid or has expired", code="invalid_signature")
            elif user_id is None:
                raise forbidden("this file needs a signed link or a token", code="invalid_signature")
            elif row["uploader_id"] != user_id:
                if row["message_id"] is None or row["channel_id"] is None:
                    raise not_found("file")
                await channel_access(conn, row["channel_id"], user_id, need=P.Perm.ReadHistory)
    thumb = next((t for t in row["thumbnails"] or [] if t["size"] == size), None) if size else None
    if size is not None and thumb is None and not _fits(row, size):
        raise not_found("thumbnail")
    if thumb is not None:
        stem = row["filename"].rsplit(".", 1)[0] if "." in row["filename"] else row["filename"]
        return Servable(
            thumbnail_key(row, thumb["size"]),
            images.THUMBNAIL_TYPE,
            thumb["size_bytes"],
            f"{stem}.webp",
            f'"{row["id"]}-{thumb["size"]}"',
            public,
            expires,
        )
    return Servable(
        row["storage_key"], row["content_type"], row["size_bytes"], row["filename"], f'"{row["id"]}"', public, expires
    )


# ---- the sweeper ----------------------------------------------------------------------------


async def sweep(ctx: Context, limit: int = 200) -> int:
    """Delete uploads nobody can reach any more → how many: files of deleted messages at once,
    attachments never attached and avatars, icons, banners and emoji images nothing uses after
    `orphan_ttl_s`. Rows go first, in one transaction, so
    nothing can take an upload whose bytes are being deleted."""
    cutoff = iso(utcnow() - timedelta(seconds=ctx.settings.orphan_ttl_s))
    gone = and_(uploads.c.kind == ATTACHMENT, uploads.c.message_id.is_(None))
    stale = or_(uploads.c.attached_at.is_not(None), uploads.c.created_at < cutoff)
    # Avatars, icons, banners and emoji images nothing uses (replaced, or never used) after the same wait.
    unused = and_(
        uploads.c.kind.in_(sorted(PUBLIC_KINDS)),
        uploads.c.created_at < cutoff,
        ~exists().where(users.c.avatar_id == uploads.c.id),
        ~exists().where(guilds.c.icon_id == uploads.c.id),
        ~exists().where(guilds.c.banner_id == uploads.c.id),
        ~exists().where(custom_emoji.c.id == uploads.c.id),
    )
    async with ctx.uow() as tx:
        q = select(uploads).where(or_(and_(gone, stale), unused)).limit(limit)
        rows = list((await tx.conn.execute(q)).mappings())
        if rows:
            await tx.conn.execute(uploads.delete().where(uploads.c.id.in_([r["id"] for r in rows])))
    if not rows:
        return 0
    keys = [k for row in rows for k in stored_keys(row)]
    try:
        await ctx.storage.delete(keys)
    except StorageError as exc:
        log.error("the sweeper could not remove %d stored objects: %s", len(keys), exc)
    return len(rows)
