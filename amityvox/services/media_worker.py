"""Media work off the request path: thumbnails for the images of new messages, and the sweeper.

Thumbnails: the durable `media-thumbnails` queue takes every MESSAGE_CREATE; for each image
attachment without thumbnails it reads the stored image, makes WebP copies of 256 and 1024
px (services/media.py stores them beside the original), records them, and publishes one
MESSAGE_UPDATE with the whole message. Handling an event twice (a restart, a redelivery)
finds the thumbnails recorded and publishes nothing more. Videos get the same for a poster
frame when ffmpeg is installed (media/video.py), with the video's dimensions and a BlurHash;
without ffmpeg they are left alone.

The sweeper (one process at a time, under a lease) deletes the files of deleted messages and
uploads never attached within `orphan_ttl_s`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select, update

from amityvox.bus.base import Envelope
from amityvox.context import Context
from amityvox.db.schema import messages, uploads
from amityvox.media import images, sniff, video
from amityvox.media.storage import StorageError
from amityvox.services import media
from amityvox.services.leases import run_when_leader
from amityvox.services.messages import render
from amityvox.services.reacts import reacts_to

log = logging.getLogger("amityvox.media")

WORKERS = 2  # image work is CPU-bound and runs in threads; two keep one core for requests
SWEEP_SECONDS = 60.0


async def _read_all(ctx: Context, key: str, length: int) -> bytes:
    return b"".join([chunk async for chunk in ctx.storage.read(key, 0, length - 1)])


async def make_thumbnails(ctx: Context, message: dict[str, Any]) -> bool:
    """Thumbnails for one MESSAGE_CREATE payload's images; True when MESSAGE_UPDATE was published."""
    wanted = [
        a["id"]
        for a in message.get("attachments", [])
        if (a.get("content_type") in sniff.IMAGE_TYPES or video.wanted(a.get("content_type")))
        and "thumbnails" not in a
        and "id" in a
    ]
    if not wanted:
        return False
    async with ctx.db.read() as conn:
        q = select(uploads).where(uploads.c.id.in_(wanted), uploads.c.thumbnails.is_(None))
        rows = list((await conn.execute(q)).mappings())
    made: dict[str, dict[str, Any]] = {}
    for row in rows:
        values: dict[str, Any] = {}
        try:
            data = await _read_all(ctx, row["storage_key"], row["size_bytes"])
            if row["content_type"] in sniff.IMAGE_TYPES:
                thumbs = await asyncio.to_thread(
                    images.thumbnails, data, row["content_type"], ctx.settings.image_max_pixels
                )
            else:
                thumbs, values = await _poster(ctx, data, row["content_type"])
            for t in thumbs:
                await ctx.storage.put(media.thumbnail_key(row, t.size), t.data, images.THUMBNAIL_TYPE)
        except (StorageError, images.BadImage, images.ImageTooLarge) as exc:
            log.warning("no thumbnails for upload %s: %s", row["id"], exc)
            thumbs, values = [], {}
        made[row["id"]] = {**values, "thumbnails": [media.thumbnail_meta(t) for t in thumbs]}
    if not made:
        return False
    async with ctx.uow() as tx:
        changed = 0
        for upload_id, values in made.items():
            result = await tx.conn.execute(
                update(uploads).where(uploads.c.id == upload_id, uploads.c.thumbnails.is_(None)).values(**values)
            )
            changed += result.rowcount or 0
        current = (await tx.conn.execute(select(messages).where(messages.c.id == message["id"]))).mappings().first()
        if not changed or current is None:  # done before, or the message is gone
            return False
        tx.emit("MESSAGE_UPDATE", (await render(tx.conn, [current], None))[0])
    return True


async def _poster(ctx: Context, data: bytes, content_type: str) -> tuple[list[images.Thumbnail], dict[str, Any]]:
    """A video's poster frame as thumbnails (at least one, however small the video), and the
    dimensions and BlurHash the attachment takes from it; nothing when ffmpeg cannot read it."""
    frame = await video.poster_frame(data, content_type)
    if frame is None:
        return [], {}
    limit = ctx.settings.image_max_pixels
    checked = await asyncio.to_thread(images.check, frame, "image/png", limit)
    thumbs = await asyncio.to_thread(images.thumbnails, frame, "image/png", limit, images.THUMBNAIL_SIZES, True)
    return thumbs, {"width": checked.width, "height": checked.height, "blurhash": checked.blurhash}


@reacts_to("MESSAGE_CREATE", queue="media-thumbnails")
async def _thumbnail_message(ctx: Context, env: Envelope) -> None:
    await make_thumbnails(ctx, env.data)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    """`WORKERS` members of the durable thumbnail queue, and the sweeper under its lease."""
    await _thumbnail_message.subscribe(ctx, members=WORKERS)

    async def sweep() -> None:
        await media.sweep(ctx)

    return [asyncio.create_task(run_when_leader(ctx, "media-sweeper", sweep, SWEEP_SECONDS))]
