"""Shared steps for media tests: images made on the spot, uploads over real HTTP."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tests.conftest import Server
from tests.messages.helpers import API, Person


def png(width: int = 40, height: int = 30, colour: tuple[int, int, int] = (20, 120, 220)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, "PNG")
    return buf.getvalue()


def jpeg_with_gps(width: int = 1500, height: int = 1000) -> bytes:
    """A JPEG whose EXIF names a camera, a GPS position and an orientation (turn right 90°)."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0)}
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def upload(
    server: Server,
    who: Person,
    channel_id: str | None,
    data: bytes,
    filename: str = "file.bin",
    claimed: str = "application/octet-stream",
    **form: str,
) -> httpx.Response:
    """POST one file to the channel's attachments route (or to /files/upload without a channel)."""
    url = f"{API}/channels/{channel_id}/attachments" if channel_id else f"{API}/files/upload"
    return await server.http.post(url, files={"file": (filename, data, claimed)}, data=form, headers=who.headers)


async def uploaded(
    server: Server, who: Person, channel_id: str | None, data: bytes, filename: str = "f", **form: str
) -> dict[str, Any]:
    r = await upload(server, who, channel_id, data, filename, **form)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()["data"]
    return out
