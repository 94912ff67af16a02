"""Channel names in the create dialog: a text channel's name shows as it will be stored
("Random Stuff" → #random-stuff) while it is typed; voice channels keep spaces and capitals."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import create_guild, register
from tests.web.test_browser_roles import open_settings


async def test_the_create_dialog_shows_the_normalised_name_live(server: Server, browser: Any) -> None:
    nell = await register(browser, server, "nell")
    await create_guild(nell, "Slug town")
    page = nell.page
    await open_settings(nell, "Channels")
    preview = page.locator("#new-channel-preview")
    await page.get_by_label("Name", exact=True).press_sequentially("Random Stuff!")
    await preview.get_by_text("#random-stuff", exact=True).wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "channel-name-preview.png"))
    await page.get_by_label("Type").select_option("voice")
    await preview.get_by_text("Random Stuff!", exact=True).wait_for()
    await page.get_by_label("Type").select_option("text")
    await preview.get_by_text("#random-stuff", exact=True).wait_for()
    await page.get_by_role("button", name="Create channel", exact=True).click()
    await page.locator("#chat-header", has_text="random-stuff").wait_for()
    await page.locator("#sidebar .channel", has_text="random-stuff").wait_for()

    # A voice channel keeps its name as typed.
    await open_settings(nell, "Channels")
    await page.get_by_label("Name", exact=True).fill("Chill Zone")
    await page.get_by_label("Type").select_option("voice")
    await preview.get_by_text("Chill Zone", exact=True).wait_for()
    await page.get_by_role("button", name="Create channel", exact=True).click()
    await page.locator("#sidebar .channel", has_text="Chill Zone").wait_for()
    await nell.finish()
