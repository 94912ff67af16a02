"""Pictures in the web client, end to end in Chromium: an avatar chosen in the profile shows
beside the person's messages and in the member list for someone else, live, and goes back to
initials when removed; a server's icon, banner and custom emoji are uploaded from its settings
and show for the other members live; wrong files are refused in the page before any upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amityvox.media import video
from tests.conftest import Server
from tests.media.helpers import PDF, png
from tests.media.test_video_posters import clip
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import Person, create_guild, guild_with, join, make_invite, register, send, until
from tests.web.test_browser_media import give_file


def _file(name: str, mime: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


async def _loaded(person: Person, selector: str) -> None:
    """Wait until an <img> matching `selector` has really loaded."""
    await until(
        person, "(sel) => [...document.querySelectorAll(sel)].some((i) => i.complete && i.naturalWidth > 0)", selector
    )


async def test_an_avatar_shows_for_the_others_live(server: Server, browser: Any) -> None:
    alice = await register(browser, server, "alice")
    await create_guild(alice, "Faces")
    await send(alice, "hello from alice")
    bob = await register(browser, server, "bob")
    await join(bob, await make_invite(alice), "Faces")
    theirs = bob.message("hello from alice")
    await theirs.wait_for()
    assert await theirs.locator(".avatar").inner_text() == "A"  # initials until there is a picture

    page = alice.page
    await page.get_by_role("button", name="Your profile and status").click()
    choose = page.get_by_label("Choose avatar", exact=True)

    # Wrong files are refused here: nothing is uploaded.
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/files/upload" in r.url else None)
    await choose.set_input_files(files=[_file("notes.pdf", "application/pdf", PDF)])
    await page.get_by_role("alert").filter(has_text="choose a PNG, JPEG, GIF or WebP image").wait_for()
    await choose.set_input_files(files=[_file("huge.png", "image/png", b"\x89PNG" + bytes(9 * 1024 * 1024))])
    await page.get_by_role("alert").filter(has_text="huge.png is too large").wait_for()
    await choose.set_input_files(files=[_file("fake.png", "image/png", b"not an image at all")])
    await page.get_by_role("alert").filter(has_text="fake.png is not an image").wait_for()
    assert uploads == []

    # A real picture is previewed, then saved.
    await choose.set_input_files(files=[_file("me.png", "image/png", png(300, 300, (220, 60, 60)))])
    await page.get_by_role("img", name="Preview of the new avatar").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "avatar-preview-alice.png"))
    await page.get_by_role("button", name="Save avatar").click()
    await page.locator("#toasts", has_text="Avatar saved.").wait_for()
    avatar_id = await page.evaluate("amityvox.app.state.self_user.avatar_id")
    assert avatar_id and uploads

    # Bob sees it beside Alice's message and in the member list without reloading.
    picture = f"img[data-picture='{avatar_id}']"
    await theirs.locator(picture).wait_for()
    await _loaded(bob, f"#messages {picture}")
    await bob.page.locator("#members .member", has_text="alice").locator(picture).wait_for()
    await page.locator(f".user-panel {picture}").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await bob.page.screenshot(path=str(SCREENSHOTS / "avatar-bob.png"))

    # Removed: back to initials for Bob.
    await page.get_by_role("button", name="Remove avatar").click()
    await theirs.locator(".avatar", has_text="A").wait_for()
    assert await theirs.locator(picture).count() == 0
    await alice.finish()
    await bob.finish()


async def test_guild_icon_banner_and_emoji(server: Server, browser: Any) -> None:
    alice = await register(browser, server, "alice")
    await create_guild(alice, "Icons")
    await send(alice, "party time")
    bob = await register(browser, server, "bob")
    await join(bob, await make_invite(alice), "Icons")
    rail_button = bob.page.get_by_role("button", name="Icons", exact=True)
    assert await rail_button.inner_text() == "I"

    page = alice.page
    await page.get_by_role("button", name="Server settings").click()
    await page.get_by_role("tab", name="Overview").click()
    await page.get_by_label("Choose server icon", exact=True).set_input_files(
        files=[_file("icon.png", "image/png", png(128, 128, (40, 160, 90)))]
    )
    await page.get_by_role("button", name="Save server icon").click()
    await page.locator("#toasts", has_text="Server icon saved.").wait_for()
    icon_id = await page.evaluate("Object.values(amityvox.app.state.guilds)[0].icon_id")
    await rail_button.locator(f"img[data-picture='{icon_id}']").wait_for()
    await _loaded(bob, f"#rail img[data-picture='{icon_id}']")

    await page.get_by_label("Choose banner", exact=True).set_input_files(
        files=[_file("banner.png", "image/png", png(960, 240, (30, 60, 200)))]
    )
    await page.get_by_role("button", name="Save banner").click()
    await until(alice, "() => !!Object.values(amityvox.app.state.guilds)[0].banner_id")
    banner_id = await page.evaluate("Object.values(amityvox.app.state.guilds)[0].banner_id")
    await _loaded(bob, f"#sidebar .guild-banner img[data-picture='{banner_id}']")
    await _loaded(alice, "#panel .image-preview.wide img")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "guild-settings-alice.png"))

    # A custom emoji: too big a file is refused in the page; a small one is added with its name,
    # listed with its picture, and offered to Bob in the reaction picker.
    await page.get_by_role("tab", name="Emoji").click()
    choose = page.get_by_label("Choose emoji image", exact=True)
    await choose.set_input_files(files=[_file("big.png", "image/png", bytes(600 * 1024))])
    await page.get_by_role("alert").filter(has_text="big.png is too large").wait_for()
    await choose.set_input_files(files=[_file("party.png", "image/png", png(64, 64, (250, 200, 0)))])
    await page.get_by_role("img", name="Preview of the new emoji image").wait_for()
    await page.get_by_label("Name (letters, digits, _)").fill("party")
    await page.get_by_role("button", name="Add emoji").click()
    await _loaded(alice, "#panel .emoji-list img.emoji[alt=':party:']")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "emoji-settings-alice.png"))
    message = bob.message("party time")
    await message.hover()
    await message.get_by_role("button", name="Add reaction").click()
    await message.get_by_role("button", name="This server").click()
    await message.get_by_role("button", name=":party:").click()
    await _loaded(alice, "#messages .reaction img.emoji[alt=':party:']")
    # Its shortcode typed in a message is sent as the guild emoji and drawn as its picture.
    await bob.page.locator("#composer-input").fill("we :party: tonight")
    await bob.page.locator("#composer-input").press("Enter")
    await _loaded(alice, "#messages .msg .content img.emoji[alt=':party:']")
    await page.get_by_role("button", name="Delete party").click()
    await page.locator("#panel .emoji-list").wait_for(state="detached")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await bob.page.screenshot(path=str(SCREENSHOTS / "guild-pictures-bob.png"))
    await alice.finish()
    await bob.finish()


@pytest.mark.skipif(video.ffmpeg() is None, reason="ffmpeg is not installed (apt install ffmpeg)")
async def test_a_video_shows_its_poster_frame(server: Server, browser: Any, tmp_path: Path) -> None:
    alice, bob = await guild_with(browser, server, "Films", "alice", "bob")
    await give_file(alice.page, "drop", "trip.mp4", "video/mp4", clip(tmp_path, 640, 360, 2))
    await alice.page.locator(".upload-tray .upload.done").wait_for()
    await alice.page.locator("#composer-input").fill("watch this")
    await alice.page.locator("#composer-input").press("Enter")
    # The player gets its poster when the worker's MESSAGE_UPDATE arrives, and it loads.
    player = bob.message("watch this").get_by_label("trip.mp4")
    await player.and_(bob.page.locator("video[poster]")).wait_for()
    poster = await player.get_attribute("poster")
    assert poster is not None and "size=256" in poster
    assert (await server.http.get(poster)).headers["content-type"] == "image/webp"
    await alice.finish()
    await bob.finish()
