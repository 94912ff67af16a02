"""Poster frames for videos, taken with ffmpeg when it is installed (Debian: `apt install
ffmpeg`); without it videos simply have no poster.

ffmpeg parses untrusted files, so it gets as little room as possible: only files whose bytes
were recognised as MP4, QuickTime or WebM reach it, its demuxer is forced from that type
(never probed, so a playlist or a concat script cannot pose as a video and make it read other
files or URLs), its input may use the `file` protocol only, it reads no stdin, runs one
thread, writes one PNG frame to a pipe, and is killed after `TIMEOUT_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger("amityvox.media")

# Video types (as media/sniff.py names them) → the ffmpeg demuxer forced for each.
DEMUXERS = {"video/mp4": "mov", "video/quicktime": "mov", "video/webm": "matroska"}
TIMEOUT_S = 20.0
MAX_FRAME_BYTES = 64 * 1024 * 1024
SEEK_S = "1"  # a second in: first frames are often black; short clips fall back to the first


def ffmpeg() -> str | None:
    """The ffmpeg executable, or None when it is not installed."""
    return shutil.which("ffmpeg")


def wanted(content_type: str | None) -> bool:
    """Whether the worker should try a poster for a file of this type (ffmpeg present)."""
    return content_type in DEMUXERS and ffmpeg() is not None


async def poster_frame(data: bytes, content_type: str) -> bytes | None:
    """One frame of the video as PNG bytes, or None (no ffmpeg, not a video it can read)."""
    exe = ffmpeg()
    demuxer = DEMUXERS.get(content_type)
    if exe is None or demuxer is None:
        return None
    with tempfile.TemporaryDirectory(prefix="amityvox-video-") as tmp:
        path = Path(tmp) / "input"
        await asyncio.to_thread(path.write_bytes, data)
        for seek in (SEEK_S, None):
            frame = await _extract(exe, demuxer, path, seek)
            if frame:
                return frame
    return None


async def _extract(exe: str, demuxer: str, path: Path, seek: str | None) -> bytes | None:
    args = [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"]
    args += ["-protocol_whitelist", "file", "-f", demuxer]
    if seek is not None:
        args += ["-ss", seek]
    args += ["-i", str(path), "-map", "0:v:0", "-frames:v", "1", "-an", "-sn", "-dn"]
    args += ["-f", "image2pipe", "-c:v", "png", "pipe:1"]
    proc = await asyncio.create_subprocess_exec(
        *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        log.warning("ffmpeg took longer than %.0f s on %s; no poster", TIMEOUT_S, path.name)
        return None
    if proc.returncode != 0 or not out or len(out) > MAX_FRAME_BYTES:
        if proc.returncode != 0:
            log.info("ffmpeg could not read a video: %s", err.decode(errors="replace").strip()[:300])
        return None
    return out
