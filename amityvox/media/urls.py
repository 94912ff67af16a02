"""Signed, expiring file URLs, so that `<img src>` works without an Authorization header.

A URL names one file (and optionally one thumbnail size) and an expiry; its signature is an
HMAC over those with a key every process reads from `server_secrets`. Whoever holds such a
URL may fetch the file until it expires, as with any capability URL: the server hands them
out only in objects the caller may read (a message in a channel they can view, their own
fresh upload). Expiries are rounded up to whole periods, so the same file gets the same URL
for a while, which lets browsers cache it and keeps REST answers equal to earlier events.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import weakref
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.db.schema import server_secrets
from amityvox.db.upserts import insert_ignore
from amityvox.ids import now_iso

KEY_NAME = "media-urls"
PERIOD_S = 24 * 3600  # URLs stay valid for one to two periods after they were made
SIG_HEX = 32

_keys: weakref.WeakKeyDictionary[object, bytes] = weakref.WeakKeyDictionary()


async def ensure_key(conn: AsyncConnection) -> bytes:
    """The signing key, created on first use (inside the caller's transaction)."""
    found = await _read(conn)
    if found is None:
        values = {"name": KEY_NAME, "secret": secrets.token_hex(32), "created_at": now_iso()}
        await insert_ignore(conn, server_secrets, ("name",), values)
        found = await _read(conn)
        assert found is not None
    return found


async def _read(conn: AsyncConnection) -> bytes | None:
    engine = conn.engine.sync_engine
    cached = _keys.get(engine)
    if cached is not None:
        return cached
    secret = await conn.scalar(select(server_secrets.c.secret).where(server_secrets.c.name == KEY_NAME))
    if secret is None:
        return None
    _keys[engine] = key = bytes.fromhex(secret)
    return key


async def key(conn: AsyncConnection) -> bytes:
    """The signing key; every stored upload was made after it existed."""
    found = await _read(conn)
    if found is None:
        raise LookupError("no media signing key yet")
    return found


def expiry(now: float | None = None) -> int:
    """The expiry put into URLs made now: the end of the next whole period."""
    t = int(time.time() if now is None else now)
    return (t // PERIOD_S + 2) * PERIOD_S


def signature(secret: bytes, upload_id: str, variant: str, expires: int) -> str:
    msg = f"{upload_id}:{variant}:{expires}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()[:SIG_HEX]


def verify(secret: bytes, upload_id: str, variant: str, expires: int, sig: str, now: float | None = None) -> bool:
    if expires < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(signature(secret, upload_id, variant, expires), sig)


def path(upload_id: str, filename: str) -> str:
    """The unsigned path of a file (public kinds: avatars, icons, banners, emoji)."""
    return f"/api/v1/files/{upload_id}/{quote(filename, safe='')}"


def signed(secret: bytes, upload_id: str, filename: str, size: int | None = None, expires: int | None = None) -> str:
    """The signed URL of a file, or of its thumbnail of `size`."""
    ex = expiry() if expires is None else expires
    variant = str(size) if size else ""
    query = f"size={size}&" if size else ""
    return f"{path(upload_id, filename)}?{query}ex={ex}&sig={signature(secret, upload_id, variant, ex)}"
