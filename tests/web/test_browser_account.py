"""One's own account in the web client: the display name and the colour theme follow across
sessions live; friends are added by username, with clear refusals."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import Person, guild_with, open_page, register, send, until

DARK_BG, LIGHT_BG = "rgb(49, 51, 56)", "rgb(255, 255, 255)"


async def body_background(person: Person) -> str:
    colour: str = await person.page.evaluate("getComputedStyle(document.body).backgroundColor")
    return colour


async def wait_background(person: Person, colour: str) -> None:
    await until(person, "(c) => getComputedStyle(document.body).backgroundColor === c", colour)


async def test_display_name_and_theme_follow_every_session(server: Server, browser: Any) -> None:
    tess, uma = await guild_with(browser, server, "Paint shop", "tess", "uma")
    await send(tess, "fresh paint")
    await uma.message("fresh paint").wait_for()
    other_tab = await open_page(browser, server, "tess (second tab)", token=await tess.token())
    await other_tab.page.locator(".user-panel", has_text="tess").wait_for()
    assert await body_background(tess) == DARK_BG

    page = tess.page
    await page.get_by_role("button", name="Your profile and status").click()
    await page.get_by_label("Theme").select_option("light")
    await wait_background(tess, LIGHT_BG)
    await wait_background(other_tab, LIGHT_BG)  # the other session follows at once
    assert await body_background(uma) == DARK_BG  # nobody else's

    await page.get_by_label("Display name").fill("Tess the Painter")
    await page.get_by_role("button", name="Save", exact=True).click()
    await other_tab.page.locator(".user-panel", has_text="Tess the Painter").wait_for()
    await uma.message("fresh paint").locator(".author", has_text="Tess the Painter").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "theme-light.png"))

    # "Sync with device" follows the device's preference, live.
    await other_tab.page.emulate_media(color_scheme="dark")
    await page.get_by_label("Theme").select_option("system")
    await wait_background(other_tab, DARK_BG)
    await other_tab.page.emulate_media(color_scheme="light")
    await wait_background(other_tab, LIGHT_BG)

    # A new page starts in the chosen theme.
    await page.get_by_label("Theme").select_option("light")
    await wait_background(other_tab, LIGHT_BG)
    await other_tab.page.emulate_media(color_scheme="dark")
    await other_tab.page.reload()
    await other_tab.page.locator(".user-panel", has_text="Tess the Painter").wait_for()
    assert await body_background(other_tab) == LIGHT_BG
    for person in (tess, uma, other_tab):
        await person.finish()


async def open_friends(person: Person) -> Any:
    page = person.page
    await page.get_by_role("button", name="Direct messages").click()
    await page.locator("#sidebar").get_by_role("button", name="Friends").click()
    await page.get_by_label("Add a friend by username").wait_for()
    return page.locator("#add-friend-result")


async def test_friends_are_added_by_username_with_clear_refusals(server: Server, browser: Any) -> None:
    fay = await register(browser, server, "fay")
    gus = await register(browser, server, "Gus")
    hal = await register(browser, server, "hal")
    result = await open_friends(fay)
    box = fay.page.get_by_label("Add a friend by username")

    async def add(name: str, answer: str) -> None:
        await box.fill(name)
        await box.press("Enter")
        await result.get_by_text(answer).wait_for()

    await add("nobody", "Nobody is called “nobody”. Check the spelling.")
    assert await result.get_attribute("class") == "error"
    await add("gus", "Friend request sent to Gus.")
    await fay.page.get_by_role("tab", name="Pending").click()
    await fay.page.locator(".people .person", has_text="Gus").get_by_text("Sent").wait_for()
    await add("GUS", "Your friend request to GUS is still waiting for an answer.")

    # Gus accepts from his own box by typing fay's name; both see each other as friends.
    gus_result = await open_friends(gus)
    await gus.page.get_by_label("Add a friend by username").fill("@fay")
    await gus.page.get_by_label("Add a friend by username").press("Enter")
    await gus_result.get_by_text("You and fay are now friends.").wait_for()
    await fay.page.get_by_role("tab", name="Friends").click()
    await fay.page.locator(".people .person", has_text="Gus").get_by_role("button", name="Message").wait_for()
    await add("gus", "You are already friends with gus.")

    # Hal blocks fay: her request to him is refused, saying why.
    fay_id = await fay.page.evaluate("amityvox.app.state.self_user.id")
    await hal.page.evaluate("(id) => amityvox.app.api.put(`/users/${id}/block`)", fay_id)
    await add("hal", "You cannot add hal: one of you has blocked the other.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await fay.page.screenshot(path=str(SCREENSHOTS / "add-friend-by-username.png"))
    for person in (fay, gus, hal):
        await person.finish()
