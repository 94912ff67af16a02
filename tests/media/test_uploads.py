"""Uploading files, attaching them to messages and fetching them back, over real HTTP."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select, update

from amityvox import permissions as P
from amityvox.db.schema import uploads
from amityvox.ids import iso, utcnow
from amityvox.media import blurhash
from amityvox.services import media, media_worker
from tests.conftest import Server, _serve, make_settings
from tests.media.helpers import PDF, jpeg_with_gps, png, upload, uploaded
from tests.messages.helpers import API, error_code, overwrite, post, room, say


async def test_an_image_is_checked_stripped_posted_and_thumbnailed(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    # The client claims HTML: the type comes from the bytes.
    r = await upload(s, rm.member, rm.channel_id, jpeg_with_gps(), "holiday.jpg", "text/html")
    assert r.status_code == 201, r.text
    att = r.json()["data"]
    assert att["content_type"] == "image/jpeg" and att["filename"] == "holiday.jpg"
    # Turned upright from the EXIF orientation, which went with the rest of the EXIF.
    assert (att["width"], att["height"]) == (1000, 1500)
    assert blurhash.average_colour(att["blurhash"])[0] > 150 and "thumbnails" not in att
    assert att["url"].startswith(f"/api/v1/files/{att['id']}/holiday.jpg?ex=") and "&sig=" in att["url"]
    await s.settle()
    assert s.recorder.names() == []  # an upload is private until a message takes it

    got = await s.http.get(att["url"])
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert int(got.headers["content-length"]) == att["size_bytes"] == len(got.content)
    stored = Image.open(io.BytesIO(got.content))
    assert not stored.getexif() and stored.size == (1000, 1500)
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in got.headers["content-security-policy"]
    assert "sandbox" in got.headers["content-security-policy"]
    assert got.headers["content-disposition"].startswith('inline; filename="holiday.jpg"')

    r = await post(s, rm.member, rm.channel_id, "look", attachments=[att["id"]])
    assert r.status_code == 201, r.text
    msg = r.json()["data"]
    assert [a["id"] for a in msg["attachments"]] == [att["id"]]
    await s.settle()
    # The worker made the thumbnails off the request path and said so with MESSAGE_UPDATE.
    assert s.recorder.names() == ["MESSAGE_CREATE", "MESSAGE_UPDATE"]
    updated = s.recorder.of("MESSAGE_UPDATE")[0]
    [done] = updated["attachments"]
    assert [(t["size"], t["width"], t["height"]) for t in done["thumbnails"]] == [(256, 171, 256), (1024, 683, 1024)]
    assert "edited_at" not in updated
    thumb = await s.http.get(done["thumbnails"][0]["url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(thumb.content)).size == (171, 256)
    assert len(thumb.content) == done["thumbnails"][0]["size_bytes"]
    # REST shows what the events built.
    r = await s.http.get(f"{API}/channels/{rm.channel_id}/messages/{msg['id']}", headers=rm.owner.headers)
    assert r.json()["data"] == updated

    # Handling the same MESSAGE_CREATE again changes nothing and publishes nothing.
    s.recorder.clear()
    assert await media_worker.make_thumbnails(s.ctx, msg) is False
    await s.settle()
    assert s.recorder.names() == []


async def test_files_reach_only_those_who_may_see_them(server: Server) -> None:
    rm = await room(server)
    att = await uploaded(server, rm.member, rm.channel_id, PDF, "report.pdf")
    base = att["url"].split("?")[0]
    # Before it is on a message, only the uploader reaches it without the signed link.
    assert (await server.http.get(base, headers=rm.member.headers)).status_code == 200
    assert (await server.http.get(base, headers=rm.owner.headers)).status_code == 404
    msg = await say(server, rm.member, rm.channel_id, "", attachments=[att["id"]])
    url = msg["attachments"][0]["url"]
    assert (await server.http.get(url)).content == PDF
    assert (await server.http.get(base, headers=rm.owner.headers)).content == PDF
    # Outsiders, strangers without a link, forged and expired links are all refused.
    assert (await server.http.get(base, headers=rm.outsider.headers)).status_code in (403, 404)
    assert error_code(await server.http.get(base)) == "invalid_signature"
    forged = url[:-4] + ("0000" if not url.endswith("0000") else "1111")
    assert error_code(await server.http.get(forged)) == "invalid_signature"
    ex = int(url.split("ex=")[1].split("&")[0])
    other_file = url.replace(f"ex={ex}", f"ex={ex + 86400}")
    assert error_code(await server.http.get(other_file)) == "invalid_signature"
    expired = att["url"].split("?")[0] + "?ex=1000&sig=" + url.split("sig=")[1]
    assert error_code(await server.http.get(expired)) == "invalid_signature"
    # Losing sight of the channel ends token access.
    await overwrite(server, rm, rm.owner.id, "user")
    await overwrite(server, rm, rm.member.id, "user", deny=int(P.Perm.ViewChannel))
    r = await server.http.get(base, headers=rm.member.headers)
    assert r.status_code == 200  # still the uploader
    # A PDF is shown by the browser's viewer, in the sandbox; nothing else gets rendered.
    r = await server.http.get(url)
    assert r.headers["content-type"] == "application/pdf" and r.headers["cache-control"].startswith("private")


async def test_ranges_and_revalidation(server: Server) -> None:
    rm = await room(server)
    data = bytes(range(256)) * 40
    att = await uploaded(server, rm.member, rm.channel_id, data, "blob.bin")
    url = att["url"]
    r = await server.http.get(url)
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith('attachment; filename="blob.bin"')
    assert r.headers["accept-ranges"] == "bytes"
    r = await server.http.get(url, headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(data)}"
    r = await server.http.get(url, headers={"Range": "bytes=-5"})
    assert r.status_code == 206 and r.content == data[-5:]
    r = await server.http.get(url, headers={"Range": "bytes=10000-"})
    assert r.status_code == 206 and r.content == data[10000:]
    r = await server.http.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(data)}"
    r = await server.http.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert r.status_code == 304 and not r.content
    r = await server.http.head(url)
    assert r.status_code == 200 and r.headers["content-length"] == str(len(data)) and not r.content


async def test_bad_uploads_get_clear_errors(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, upload_max_bytes=50_000, upload_types=("image/*", "text/plain"))
    async for s in _serve(settings):
        rm = await room(s)
        too_big = await upload(s, rm.member, rm.channel_id, b"a" * 50_001)
        assert too_big.status_code == 413 and error_code(too_big) == "payload_too_large"
        pdf = await upload(s, rm.member, rm.channel_id, PDF, "x.pdf", "image/png")
        assert pdf.status_code == 415 and "application/pdf" in pdf.json()["error"]["message"]
        corrupt = await upload(s, rm.member, rm.channel_id, png()[:60], "x.png")
        assert corrupt.status_code == 400 and error_code(corrupt) == "invalid_image"
        # A decompression bomb: a few KiB that would inflate to 400 megapixels.
        buf = io.BytesIO()
        Image.new("1", (20_000, 20_000)).save(buf, "PNG")
        assert len(buf.getvalue()) < 50_000
        bomb = await upload(s, rm.member, rm.channel_id, buf.getvalue(), "bomb.png")
        assert bomb.status_code == 413 and error_code(bomb) == "image_too_large"
        empty = await upload(s, rm.member, rm.channel_id, b"")
        assert empty.status_code == 400 and error_code(empty) == "empty_file"
        r = await s.http.post(
            f"{API}/channels/{rm.channel_id}/attachments", files={"other": ("a", b"x")}, headers=rm.member.headers
        )
        assert r.status_code == 400 and error_code(r) == "missing_file"
        r = await s.http.post(f"{API}/channels/{rm.channel_id}/attachments", json={}, headers=rm.member.headers)
        assert r.status_code == 400 and error_code(r) == "invalid_body"
        # A declared body over the limit is refused before it is read.
        r = await s.http.post(
            f"{API}/channels/{rm.channel_id}/attachments",
            content=b"x" * 200_000,
            headers={**rm.member.headers, "Content-Type": "multipart/form-data; boundary=b"},
        )
        assert r.status_code == 413
        # No UploadFiles, no upload.
        await overwrite(s, rm, rm.member.id, "user", deny=int(P.Perm.UploadFiles))
        r = await upload(s, rm.member, rm.channel_id, png())
        assert r.status_code == 403
        async with s.ctx.db.read() as conn:
            assert await conn.scalar(select(func.count()).select_from(uploads)) == 0
        assert not list((Path(settings.data_dir) / "media").rglob("original"))


async def test_attaching_follows_the_rules(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, upload_max_files=2, upload_max_message_bytes=9000)
    async for s in _serve(settings):
        rm = await room(s)
        mine = await uploaded(s, rm.member, rm.channel_id, b"a" * 4000)
        theirs = await uploaded(s, rm.owner, rm.channel_id, b"b" * 10)
        r = await post(s, rm.member, rm.channel_id, "x", attachments=[theirs["id"]])
        assert r.status_code == 400 and error_code(r) == "unknown_attachment"
        other = await s.http.post(
            f"{API}/guilds/{rm.guild_id}/channels", json={"name": "other"}, headers=rm.owner.headers
        )
        r = await post(s, rm.member, other.json()["data"]["id"], "x", attachments=[mine["id"]])
        assert r.status_code == 400 and error_code(r) == "unknown_attachment"
        more = [await uploaded(s, rm.member, rm.channel_id, b"c" * 3000) for _ in range(2)]
        r = await post(s, rm.member, rm.channel_id, "x", attachments=[mine["id"], *(m["id"] for m in more)])
        assert r.status_code == 400 and "at most 2" in r.json()["error"]["message"]
        big = await uploaded(s, rm.member, rm.channel_id, b"d" * 6000)
        r = await post(s, rm.member, rm.channel_id, "x", attachments=[mine["id"], big["id"]])
        assert r.status_code == 413
        r = await post(s, rm.member, rm.channel_id, "x", attachments=[{"id": mine["id"], "url": "javascript:x"}])
        assert r.status_code == 201, r.text
        assert r.json()["data"]["attachments"][0]["url"].startswith(f"/api/v1/files/{mine['id']}/")
        # Once on a message, an upload is taken.
        r = await post(s, rm.member, rm.channel_id, "again", attachment_ids=[mine["id"]])
        assert r.status_code == 400 and error_code(r) == "unknown_attachment"
        # The original client's route and field name work too; a file alone is a message.
        loose = await uploaded(s, rm.member, None, png())
        r = await post(s, rm.member, rm.channel_id, "", attachment_ids=[loose["id"]])
        assert r.status_code == 201, r.text
        # Edits keep the files; a message with files may lose its text.
        r = await s.http.patch(
            f"{API}/channels/{rm.channel_id}/messages/{r.json()['data']['id']}",
            json={"content": ""},
            headers=rm.member.headers,
        )
        assert r.status_code == 200 and len(r.json()["data"]["attachments"]) == 1


async def test_deleted_messages_and_orphans_lose_their_files(server: Server) -> None:
    s = server
    rm = await room(s)
    att = await uploaded(s, rm.member, rm.channel_id, png(600, 400), "a.png")
    msg = await say(s, rm.member, rm.channel_id, "pic", attachments=[att["id"]])
    orphan = await uploaded(s, rm.member, rm.channel_id, PDF, "never.pdf")
    fresh = await uploaded(s, rm.member, rm.channel_id, PDF, "soon.pdf")
    root = Path(s.ctx.settings.data_dir) / "media"
    assert len(list(root.rglob("*"))) > 4
    r = await s.http.delete(f"{API}/channels/{rm.channel_id}/messages/{msg['id']}", headers=rm.member.headers)
    assert r.status_code == 204
    # Unreachable at once, though its bytes wait for the sweeper.
    assert (await s.http.get(att["url"])).status_code == 404
    async with s.ctx.uow() as tx:
        old = iso(utcnow().replace(year=2000))
        await tx.conn.execute(update(uploads).where(uploads.c.id == orphan["id"]).values(created_at=old))
    assert await media.sweep(s.ctx) == 2
    assert await media.sweep(s.ctx) == 0
    async with s.ctx.db.read() as conn:
        left = list(await conn.scalars(select(uploads.c.id)))
    assert left == [fresh["id"]]
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        f"attachment/{fresh['id']}/original"
    ]
    # The uploader may also withdraw an upload no message took.
    assert (await s.http.delete(f"{API}/files/{fresh['id']}", headers=rm.owner.headers)).status_code == 404
    assert (await s.http.delete(f"{API}/files/{fresh['id']}", headers=rm.member.headers)).status_code == 204
    assert not [p for p in root.rglob("*") if p.is_file()]


async def test_quotas_per_user_and_guild(tmp_path: Path) -> None:
    async for s in _serve(make_settings(tmp_path, user_quota_bytes=10_000, guild_quota_bytes=15_000)):
        rm = await room(s)
        await uploaded(s, rm.member, rm.channel_id, b"a" * 8000)
        r = await upload(s, rm.member, rm.channel_id, b"b" * 3000)
        assert r.status_code == 413 and error_code(r) == "quota_exceeded"
        r = await upload(s, rm.owner, rm.channel_id, b"c" * 8000)
        assert r.status_code == 413 and error_code(r) == "quota_exceeded" and "guild" in r.json()["error"]["message"]
        # Elsewhere (a DM, no guild) only the user's own quota counts.
        await uploaded(s, rm.owner, None, b"d" * 8000)
