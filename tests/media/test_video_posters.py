"""Videos get a poster frame from the media worker when ffmpeg is installed, and are left alone
when it is not; files that only pose as videos never reach ffmpeg."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from amityvox.media import video
from amityvox.services import media_worker
from tests.conftest import Server
from tests.media.helpers import uploaded
from tests.messages.helpers import post, room

needs_ffmpeg = pytest.mark.skipif(video.ffmpeg() is None, reason="ffmpeg is not installed (apt install ffmpeg)")


def clip(tmp_path: Path, width: int, height: int, seconds: float, fmt: str = "mp4") -> bytes:
    """A short orange clip made by ffmpeg itself (its built-in mpeg4 or VP8 encoder)."""
    out = tmp_path / f"clip.{fmt}"
    codec = ["-c:v", "mpeg4"] if fmt == "mp4" else ["-c:v", "libvpx", "-b:v", "200k"]
    source = f"color=c=0xff8000:s={width}x{height}:d={seconds}:r=10"
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", source, *codec, "-y", str(out)]
    subprocess.run(cmd, check=True)
    return out.read_bytes()


@needs_ffmpeg
async def test_a_video_gets_a_poster_frame(server: Server, tmp_path: Path) -> None:
    s = server
    rm = await room(s)
    att = await uploaded(s, rm.member, rm.channel_id, clip(tmp_path, 640, 360, 2), "trip.mp4")
    assert att["content_type"] == "video/mp4" and "thumbnails" not in att
    r = await post(s, rm.member, rm.channel_id, "", attachments=[att["id"]])
    assert r.status_code == 201, r.text
    await s.settle()
    [updated] = s.recorder.of("MESSAGE_UPDATE")
    [done] = updated["attachments"]
    assert (done["width"], done["height"]) == (640, 360) and done["blurhash"]
    assert [(t["size"], t["width"], t["height"]) for t in done["thumbnails"]] == [(256, 256, 144)]
    poster = await s.http.get(done["thumbnails"][0]["url"])
    assert poster.status_code == 200 and poster.headers["content-type"] == "image/webp"
    picture = Image.open(io.BytesIO(poster.content)).convert("RGB")
    assert picture.size == (256, 144)
    red, green, blue = picture.getpixel((128, 72))
    assert red > 200 and 90 < green < 170 and blue < 60  # the clip's orange
    # The video itself is still what its URL serves.
    got = await s.http.get(done["url"])
    assert got.headers["content-type"] == "video/mp4" and got.content[4:8] == b"ftyp"


@needs_ffmpeg
async def test_a_tiny_short_webm_still_gets_a_poster(server: Server, tmp_path: Path) -> None:
    s = server
    rm = await room(s)
    att = await uploaded(s, rm.member, rm.channel_id, clip(tmp_path, 160, 120, 0.3, "webm"), "blip.webm")
    assert att["content_type"] == "video/webm"
    await post(s, rm.member, rm.channel_id, "", attachments=[att["id"]])
    await s.settle()
    [done] = s.recorder.of("MESSAGE_UPDATE")[0]["attachments"]
    # Shorter than the usual seek and smaller than every size: one poster at its own size.
    assert [(t["size"], t["width"], t["height"]) for t in done["thumbnails"]] == [(256, 160, 120)]


async def test_without_ffmpeg_videos_are_left_alone(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = server
    rm = await room(s)
    monkeypatch.setattr(video, "ffmpeg", lambda: None)
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)
    att = await uploaded(s, rm.member, rm.channel_id, mp4, "trip.mp4")
    assert att["content_type"] == "video/mp4"
    r = await post(s, rm.member, rm.channel_id, "", attachments=[att["id"]])
    msg = r.json()["data"]
    assert await media_worker.make_thumbnails(s.ctx, msg) is False
    await s.settle()
    assert "MESSAGE_UPDATE" not in s.recorder.names()
    assert await video.poster_frame(mp4, "video/mp4") is None


@needs_ffmpeg
async def test_what_ffmpeg_cannot_read_gets_no_poster(server: Server) -> None:
    s = server
    rm = await room(s)
    # A playlist naming a local file is text, not a video: ffmpeg never sees it.
    playlist = b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
    text = await uploaded(s, rm.member, rm.channel_id, playlist, "trip.mp4")
    assert text["content_type"] == "text/plain"
    assert video.wanted(text["content_type"]) is False
    # An MP4 header over garbage: ffmpeg fails, the message says it has no poster.
    broken = await uploaded(s, rm.member, rm.channel_id, b"\x00\x00\x00\x18ftypmp42" + bytes(200), "bad.mp4")
    r = await post(s, rm.member, rm.channel_id, "", attachments=[text["id"], broken["id"]])
    assert r.status_code == 201
    await s.settle()
    [updated] = s.recorder.of("MESSAGE_UPDATE")
    assert [a.get("thumbnails") for a in updated["attachments"]] == [None, []]
