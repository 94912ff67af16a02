"""Server settings → Overview: the owner picks the channel where join messages go; whoever joins
then shows there for the members as "<name> joined the server." """

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import join, make_invite, register, send, until
from tests.web.test_browser_roles import open_settings


async def test_the_owner_picks_the_system_channel_and_joins_show_there(server: Server, browser: Any) -> None:
    olga = await register(browser, server, "olga")
    page = olga.page
    await page.get_by_role("button", name="Create a server").first.click()
    await page.get_by_label("Server name").fill("Lighthouse")
    await page.get_by_role("button", name="Create", exact=True).click()
    await page.locator("#chat-header", has_text="general").wait_for()
    await send(olga, "before anyone came")
    link = await make_invite(olga)

    await open_settings(olga, "Overview")
    choice = page.get_by_label("Channel for join messages")
    assert await choice.input_value() == ""  # none until chosen
    await choice.select_option(label="#general")
    await until(olga, "() => !!amityvox.app.state.guilds[amityvox.app.ui.guildId].system_channel_id")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "system-channel-settings-1280x800.png"))
    await page.keyboard.press("Escape")

    pete = await register(browser, server, "pete")
    await join(pete, link, "Lighthouse")
    joined = olga.page.locator("#messages .msg.system", has_text="pete joined the server.")
    await joined.wait_for()
    await pete.page.locator("#messages .msg.system", has_text="pete joined the server.").wait_for()
    # Pete's first words start a group of their own under the join line.
    await send(pete, "hello lighthouse")
    first = olga.message("hello lighthouse")
    await first.wait_for()
    assert "compact" not in (await first.get_attribute("class") or "")
    await olga.page.mouse.move(0, 0)
    await olga.page.screenshot(path=str(SCREENSHOTS / "system-channel-join-1280x800.png"))

    # The owner turns join messages off; the next joiner leaves no line.
    await open_settings(olga, "Overview")
    await page.get_by_label("Channel for join messages").select_option(label="No join messages")
    await until(olga, "() => !amityvox.app.state.guilds[amityvox.app.ui.guildId].system_channel_id")
    await page.keyboard.press("Escape")
    quinn = await register(browser, server, "quinn")
    await join(quinn, link, "Lighthouse")
    await olga.page.locator("#members .member", has_text="quinn").wait_for()
    await send(olga, "after quinn")
    assert await olga.page.locator("#messages .msg.system").count() == 1
    for person in (olga, pete, quinn):
        await person.finish()
