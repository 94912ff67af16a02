"""Adding a bot to a server in the web client: its owner makes an invite link in Your bots, a
server owner opens it, picks the server and authorizes; the bot joins with its managed role, and
its /roll command answers in the server. Server settings → Integrations lists it with a bot
installed for its commands alone, and removing either there reaches the owner's other tab."""

from __future__ import annotations

import random
import re
from typing import Any

from amityvox.client import Client
from examples import dice_bot
from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import Person, create_guild, open_page, pick_command, register, until


async def _integrations(person: Person) -> Any:
    """Server settings → Integrations of the open server: its list."""
    await person.page.get_by_role("button", name="Server settings").click()
    await person.page.get_by_role("tab", name="Integrations").click()
    listing = person.page.get_by_role("list", name="Integrations")
    await listing.wait_for()
    return listing


async def test_owner_makes_an_invite_link_and_authorizes_the_bot_into_a_server(server: Server, browser: Any) -> None:
    olga = await register(browser, server, "olga")
    page = olga.page
    await create_guild(olga, "Dice hall")
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")

    # Your bots: a new bot, and its link with Send Messages and Manage Messages.
    await page.get_by_role("button", name="Your profile and status").click()
    await page.get_by_role("button", name="Your bots").click()
    await page.get_by_label("Bot name").fill("dice-bot")
    await page.get_by_role("button", name="Create bot").click()
    bot = page.get_by_role("list", name="Your bots").locator("li", has_text="dice-bot")
    await bot.get_by_role("button", name="Invite link").click()
    await bot.get_by_role("checkbox", name="Send Messages").check()
    await bot.get_by_role("checkbox", name="Manage Messages").check()
    link = bot.get_by_label("Invite link for dice-bot")
    await until(
        olga,
        "(bits) => document.querySelector('[aria-label=\"Invite link for dice-bot\"]').value.endsWith(bits)",
        f"permissions={(1 << 22) | (1 << 23)}",
    )
    url: str = await link.input_value()
    assert "/oauth2/authorize?client_id=" in url and "scope=bot%20applications.commands" in url
    assert url.endswith(f"permissions={(1 << 22) | (1 << 23)}")

    # The authorize page: the bot, what it asks for, the server picker.
    await page.goto(url)
    card = page.locator(".authorize-card")
    await card.get_by_role("heading", name="dice-bot").wait_for()
    perms = card.get_by_role("list", name="Requested permissions")
    await perms.get_by_text("Send Messages").wait_for()
    await perms.get_by_text("Manage Messages").wait_for()
    assert await perms.locator("li").count() == 2
    await card.get_by_label("Add to server").select_option(label="Dice hall")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "bot-authorize.png"))
    await card.get_by_role("button", name="Authorize").click()

    # Back in the server: the bot is a member, holding its own role with exactly those bits.
    await page.locator("#sidebar .guild-name", has_text="Dice hall").wait_for()
    assert await page.evaluate("location.pathname") == "/"
    await page.locator("#members .member", has_text="dice-bot").wait_for()
    role = await page.evaluate(
        """(g) => {
          const s = amityvox.app.state;
          const role = Object.values(s.roles[g]).find((r) => r.managed_by);
          const bot = Object.entries(s.members[g]).find(([, m]) => m.roles.includes(role?.id));
          return role && bot ? {name: role.name, bits: role.permissions_allow, bot: bot[0], by: role.managed_by} : null;
        }""",
        guild_id,
    )
    assert role is not None and role["name"] == "dice-bot" and role["bot"] == role["by"]
    assert int(role["bits"]) == (1 << 22) | (1 << 23)

    # Its profile shows the role, which nobody can take from it by hand.
    await page.locator("#members .member", has_text="dice-bot").click()
    toggle = page.get_by_role("checkbox", name="dice-bot")
    await toggle.wait_for()
    assert await toggle.is_checked() and await toggle.is_disabled()
    await page.keyboard.press("Escape")

    # The bot comes online with its commands; its new server offers them: /roll 20 gets an answer.
    issued = await server.http.post(f"/api/v1/bots/{role['bot']}/tokens", headers=auth(await olga.token()))
    assert issued.status_code == 201, issued.text
    async with Client(server.url, issued.json()["data"]["token"]) as client:
        dice_bot.attach(client, random.Random(3))
        await client.start()
        box = await pick_command(page, "/ro", "roll")
        await box.press_sequentially("20")
        await box.press("Enter")
        answer = olga.message("rolled")
        await answer.wait_for()
        assert re.search(r"olga rolled \d+ \(d20\)", await answer.locator(".content").inner_text())
        assert client.gateway.errors == []

    # A second bot, installed over the API for its /wave command alone (no member, no role).
    token = await olga.token()
    made = await server.http.post("/api/v1/users/@me/bots", json={"username": "wave-bot"}, headers=auth(token))
    wave_id = made.json()["data"]["user"]["id"]
    issued = await server.http.post(f"/api/v1/bots/{wave_id}/tokens", headers=auth(token))
    wave = [{"name": "wave", "description": "Wave at the room"}]
    r = await server.http.put(f"/api/v1/applications/{wave_id}/commands", json=wave,
                              headers=auth(issued.json()["data"]["token"]))  # fmt: skip
    assert r.status_code == 200, r.text
    body = {"client_id": wave_id, "guild_id": guild_id, "scope": "applications.commands", "permissions": "0"}
    r = await server.http.post("/api/v1/oauth2/authorize", json=body, headers=auth(token))
    assert r.status_code == 200, r.text

    # Integrations, in this tab and another of olga's: both bots, their scopes and commands.
    other = await open_page(browser, server, "olga (second tab)", token=token)
    await other.page.locator("#rail .rail-item[title='Dice hall']").click()
    lists = [await _integrations(olga), await _integrations(other)]
    dice, waver = (lists[0].locator("li", has_text=name).first for name in ("dice-bot", "wave-bot"))
    await dice.get_by_text("/roll").wait_for()
    await waver.get_by_text("/wave").wait_for()
    assert await dice.locator(".tag").all_text_contents() == ["bot", "applications.commands"]
    assert await waver.locator(".tag").all_text_contents() == ["applications.commands"]
    await page.screenshot(path=str(SCREENSHOTS / "integrations.png"))

    # Remove wave-bot here (the modal asks first): the other tab's list follows.
    await waver.get_by_role("button", name="Remove wave-bot").click()
    dialog = page.get_by_role("dialog", name="Remove wave-bot?")
    await dialog.get_by_text("Its commands are no longer offered here.").wait_for()
    await dialog.get_by_role("button", name="Remove", exact=True).click()
    await lists[1].locator("li", has_text="wave-bot").wait_for(state="detached")
    # A bot with no commands announces its install only in the audit log: that too reaches both lists.
    made = await server.http.post("/api/v1/users/@me/bots", json={"username": "quiet-bot"}, headers=auth(token))
    quiet_id = made.json()["data"]["user"]["id"]
    r = await server.http.post("/api/v1/oauth2/authorize", json={**body, "client_id": quiet_id}, headers=auth(token))
    assert r.status_code == 200, r.text
    await lists[1].locator("li", has_text="quiet-bot").get_by_text("No commands.").wait_for()
    r = await server.http.delete(f"/api/v1/guilds/{guild_id}/integrations/{quiet_id}", headers=auth(token))
    assert r.status_code == 204, r.text
    await lists[0].locator("li", has_text="quiet-bot").wait_for(state="detached")
    # And dice-bot from the other tab: it is kicked, and leaves this tab's list and member list.
    await lists[1].get_by_role("button", name="Remove dice-bot").click()
    asked = other.page.get_by_role("dialog", name="Remove dice-bot?")
    await asked.get_by_role("button", name="Remove", exact=True).click()
    await lists[0].locator("li", has_text="dice-bot").wait_for(state="detached")
    await page.get_by_text("No bots are installed in this server.").wait_for()
    await page.locator("#members .member", has_text="dice-bot").wait_for(state="detached")

    # The audit log words the installs and their removal.
    await page.get_by_role("tab", name="Audit Log").click()
    log = page.get_by_role("list", name="Audit log")
    for action, words in (("INTEGRATION_CREATE", "installed the commands of wave-bot"),
                          ("INTEGRATION_DELETE", "removed the commands of wave-bot"),
                          ("BOT_ADD", "added the bot dice-bot"), ("MEMBER_KICK", "kicked dice-bot")):  # fmt: skip
        entry = log.locator(f"li[data-action-type='{action}']", has_text=words.split()[-1]).first
        await entry.wait_for()
        assert words in " ".join((await entry.locator(".row").first.inner_text()).split()), action
    await page.screenshot(path=str(SCREENSHOTS / "integrations-audit-log.png"))
    await other.finish()
    await olga.finish()
