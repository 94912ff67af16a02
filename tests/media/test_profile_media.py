"""Avatars, guild icons and emoji images go through the same upload pipeline, and their ids must
name the caller's own upload of the right kind."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select, update

from amityvox.db.schema import uploads
from amityvox.ids import iso, utcnow
from amityvox.services import media
from tests.conftest import Server
from tests.media.helpers import PDF, png, upload, uploaded
from tests.messages.helpers import API, error_code, room


async def test_avatars_are_own_avatar_uploads_and_public(server: Server) -> None:
    s = server
    rm = await room(s)
    avatar = await uploaded(s, rm.member, None, png(600, 600), "me.png", kind="avatar")
    # Public kinds have plain URLs, and their small sizes are made at once.
    assert avatar["url"] == f"/api/v1/files/{avatar['id']}/me.png"
    assert [t["size"] for t in avatar["thumbnails"]] == [256]
    r = await s.http.patch(f"{API}/users/@me", json={"avatar_id": avatar["id"]}, headers=rm.member.headers)
    assert r.status_code == 200 and r.json()["data"]["avatar_id"] == avatar["id"]
    await s.settle()
    assert s.recorder.of("USER_UPDATE")[0]["avatar_id"] == avatar["id"]
    got = await s.http.get(f"/api/v1/files/{avatar['id']}?size=256")
    assert got.status_code == 200 and got.headers["cache-control"].startswith("public")
    assert Image.open(io.BytesIO(got.content)).size == (256, 256)
    # Someone else's avatar, an attachment, or a file that is no image: refused.
    r = await s.http.patch(f"{API}/users/@me", json={"avatar_id": avatar["id"]}, headers=rm.owner.headers)
    assert error_code(r) == "unknown_media"
    att = await uploaded(s, rm.member, rm.channel_id, png())
    r = await s.http.patch(f"{API}/users/@me", json={"avatar_id": att["id"]}, headers=rm.member.headers)
    assert error_code(r) == "unknown_media"
    r = await upload(s, rm.member, None, PDF, "x.pdf", kind="avatar")
    assert r.status_code == 415
    r = await upload(s, rm.member, None, png(), "x.png", kind="poster")
    assert r.status_code == 400
    # null removes the avatar, for everyone who sees the user.
    r = await s.http.patch(f"{API}/users/@me", json={"avatar_id": None}, headers=rm.member.headers)
    assert r.status_code == 200 and "avatar_id" not in r.json()["data"]
    await s.settle()
    assert "avatar_id" not in s.recorder.of("USER_UPDATE")[-1]


async def test_guild_icons_and_emoji_images(any_db_server: Server) -> None:
    s = any_db_server
    rm = await room(s)
    icon = await uploaded(s, rm.owner, None, png(), "icon.png", kind="icon")
    guild = f"{API}/guilds/{rm.guild_id}"
    r = await s.http.patch(guild, json={"icon_id": icon["id"]}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["icon_id"] == icon["id"]
    avatar = await uploaded(s, rm.owner, None, png(), "a.png", kind="avatar")
    r = await s.http.patch(guild, json={"icon_id": avatar["id"]}, headers=rm.owner.headers)
    assert error_code(r) == "unknown_media"

    # A banner is a `banner` upload of the caller's own, like the icon.
    banner = await uploaded(s, rm.owner, None, png(960, 240), "banner.png", kind="banner")
    r = await s.http.patch(guild, json={"banner_id": icon["id"]}, headers=rm.owner.headers)
    assert error_code(r) == "unknown_media"
    r = await s.http.patch(guild, json={"banner_id": banner["id"]}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["banner_id"] == banner["id"]
    await s.settle()
    assert s.recorder.of("GUILD_UPDATE")[-1]["banner_id"] == banner["id"]
    got = await s.http.get(f"{guild}", headers=rm.member.headers)
    assert got.json()["data"]["banner_id"] == banner["id"]
    # Someone else's banner upload, even by a member who may manage the guild, is refused.
    theirs = await uploaded(s, rm.member, None, png(960, 240), "theirs.png", kind="banner")
    r = await s.http.patch(guild, json={"banner_id": theirs["id"]}, headers=rm.owner.headers)
    assert error_code(r) == "unknown_media"
    r = await s.http.patch(guild, json={"banner_id": None}, headers=rm.owner.headers)
    assert r.status_code == 200 and "banner_id" not in r.json()["data"]

    image = await uploaded(s, rm.owner, None, png(64, 64), "party.png", kind="emoji")
    r = await s.http.post(f"{guild}/emoji", json={"name": "party", "image_id": image["id"]}, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    assert r.json()["data"]["id"] == image["id"]
    assert (await s.http.get(f"/api/v1/files/{image['id']}")).content
    r = await s.http.post(f"{guild}/emoji", json={"name": "again", "image_id": image["id"]}, headers=rm.owner.headers)
    assert r.status_code == 409
    # Only the caller's own emoji uploads: not someone else's, not an icon.
    other = await uploaded(s, rm.member, None, png(64, 64), "other.png", kind="emoji")
    for wrong in (other["id"], icon["id"]):
        r = await s.http.post(f"{guild}/emoji", json={"name": "nope", "image_id": wrong}, headers=rm.owner.headers)
        assert error_code(r) == "unknown_media"
    big = await upload(s, rm.owner, None, png(2000, 2000, (1, 2, 3)) + b"\0" * 600_000, "big.png", kind="emoji")
    assert big.status_code == 413


async def test_replaced_avatars_are_swept(server: Server) -> None:
    s = server
    rm = await room(s)
    old = await uploaded(s, rm.member, None, png(), "old.png", kind="avatar")
    new = await uploaded(s, rm.member, None, png(), "new.png", kind="avatar")
    for avatar in (old, new):
        r = await s.http.patch(f"{API}/users/@me", json={"avatar_id": avatar["id"]}, headers=rm.member.headers)
        assert r.status_code == 200
    async with s.ctx.uow() as tx:
        await tx.conn.execute(update(uploads).values(created_at=iso(utcnow().replace(year=2000))))
    assert await media.sweep(s.ctx) == 1
    async with s.ctx.db.read() as conn:
        assert list(await conn.scalars(select(uploads.c.id))) == [new["id"]]
    assert (await s.http.get(f"/api/v1/files/{new['id']}")).status_code == 200


async def test_a_small_picture_is_its_own_thumbnail(server: Server) -> None:
    """Clients ask for `?size=256` of any avatar: one smaller than that is served as it is, while
    an attachment whose thumbnails are not made yet still has none."""
    s = server
    rm = await room(s)
    small = await uploaded(s, rm.member, None, png(64, 48), "small.png", kind="avatar")
    assert small["thumbnails"] == []
    got = await s.http.get(f"/api/v1/files/{small['id']}?size=256")
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(got.content)).size == (64, 48)
    big = await uploaded(s, rm.member, None, png(600, 300), "big.png", kind="avatar")
    got = await s.http.get(f"/api/v1/files/{big['id']}?size=1024")
    assert Image.open(io.BytesIO(got.content)).size == (600, 300)
    got = await s.http.get(f"/api/v1/files/{big['id']}?size=256")
    assert got.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(got.content)).size == (256, 128)


async def test_pictures_in_use_are_kept_by_the_sweeper(server: Server) -> None:
    s = server
    rm = await room(s)
    guild = f"{API}/guilds/{rm.guild_id}"
    icon = await uploaded(s, rm.owner, None, png(), "icon.png", kind="icon")
    banner = await uploaded(s, rm.owner, None, png(), "banner.png", kind="banner")
    unused = await uploaded(s, rm.owner, None, png(), "spare.png", kind="banner")
    r = await s.http.patch(guild, json={"icon_id": icon["id"], "banner_id": banner["id"]}, headers=rm.owner.headers)
    assert r.status_code == 200
    async with s.ctx.uow() as tx:
        await tx.conn.execute(update(uploads).values(created_at=iso(utcnow().replace(year=2000))))
    assert await media.sweep(s.ctx) == 1
    assert (await s.http.get(f"/api/v1/files/{unused['id']}")).status_code == 404
    for kept in (icon, banner):
        assert (await s.http.get(f"/api/v1/files/{kept['id']}")).status_code == 200
