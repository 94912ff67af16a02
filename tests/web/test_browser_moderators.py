"""A new user's first server, end to end in Chromium and without any docs: sign up, create a
server, build a Moderator role from its permission switches, give it to a member, lock a
channel to it, and chat there with markdown, emoji and mentions that render for the others.
Screenshots of each step are kept in build/screenshots/."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import Person, guild_with, until
from tests.web.test_browser_roles import open_settings

API = "/api/v1"
# The switches Olga turns on, and the bits they stand for (KickMembers, ManageMessages, TimeoutMembers).
CHOSEN = ["Kick Members", "Manage Messages", "Timeout Members"]
CHOSEN_BITS = (1 << 6) | (1 << 23) | (1 << 8)


async def shot(person: Person, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await person.page.mouse.move(0, 0)
    await person.page.screenshot(path=str(SCREENSHOTS / f"moderators-{name}-1280x800.png"))


async def test_a_new_user_builds_a_moderator_role_locks_a_channel_and_chats(server: Server, browser: Any) -> None:
    # Olga signs up and creates the server; Mona and Otto sign up and join through its invite link.
    olga, mona, otto = await guild_with(browser, server, "Night watch", "olga", "mona", "otto")
    page = olga.page
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")

    # A channel, seen by everyone at first.
    await open_settings(olga, "Channels")
    await page.get_by_label("Name").fill("mod-room")
    await page.get_by_role("button", name="Create channel", exact=True).click()
    await page.locator("#chat-header", has_text="mod-room").wait_for()  # made: the panel closed, the client moved there
    await otto.page.locator("#sidebar .channel", has_text="mod-room").wait_for()

    # The Moderator role: the chosen switches on, and anyone may @mention it.
    await open_settings(olga, "Roles")
    await page.get_by_label("New role").fill("Moderator")
    await page.get_by_role("button", name="Add role").click()
    editor = page.get_by_role("region", name="Role Moderator")
    for name in CHOSEN:
        await editor.get_by_role("switch", name=name).check()
    await editor.get_by_role("switch", name="Allow anyone to @mention this role").check()
    await until(
        olga,
        "() => Object.values(amityvox.app.state.roles[amityvox.app.ui.guildId]).some("
        "r => r.name === 'Moderator' && r.mentionable && (BigInt(r.permissions_allow) & (1n << 23n)))",
    )
    await editor.get_by_role("switch", name="Kick Members").scroll_into_view_if_needed()
    await shot(olga, "role")
    # Every bit the server knows is one switch, labelled by name and described.
    bits = (await server.http.get(f"{API}/permissions")).json()["data"]
    shown = await editor.locator("input.switch[data-bit]").evaluate_all(
        "els => els.map((e) => [e.dataset.bit, document.getElementById(e.getAttribute('aria-describedby'))"
        ".textContent])"
    )
    assert sorted(bit for bit, _ in shown) == sorted(b["value"] for b in bits)
    assert all(text.strip() for _, text in shown), shown
    await until(
        olga,
        "(bits) => Object.values(amityvox.app.state.roles[amityvox.app.ui.guildId]).some("
        "r => r.name === 'Moderator' && BigInt(r.permissions_allow) === BigInt(bits))",
        str(CHOSEN_BITS),
    )
    roles = (await server.http.get(f"{API}/guilds/{guild_id}/roles", headers=auth(await olga.token()))).json()["data"]
    moderator = next(r for r in roles if r["name"] == "Moderator")
    assert (int(moderator["permissions_allow"]), moderator["mentionable"]) == (CHOSEN_BITS, True)
    for name in CHOSEN:
        assert await editor.get_by_role("switch", name=name).is_checked()
    assert not await editor.get_by_role("switch", name="Ban Members").is_checked()

    # Given to Mona from her profile.
    await page.keyboard.press("Escape")
    await page.locator("#members .member", has_text="mona").click()
    await page.get_by_role("checkbox", name="Moderator").check()
    await until(
        mona,
        "() => amityvox.app.state.members[amityvox.app.ui.guildId][amityvox.app.state.self_user.id].roles.length === 1",
    )
    await page.keyboard.press("Escape")

    # mod-room: @everyone may not view it, Moderator may.
    await open_settings(olga, "Permissions")
    await page.get_by_label("Channel or category").select_option(label="#mod-room")
    await page.get_by_role("tab", name="@everyone").click()
    await page.get_by_role("radio", name="Deny View Channel").check(force=True)
    await otto.page.locator("#sidebar .channel", has_text="mod-room").wait_for(state="detached")
    await page.get_by_label("Add a role").select_option(label="Moderator")
    await page.get_by_role("region", name="Overwrites for Moderator").wait_for()
    await page.get_by_role("radio", name="Allow View Channel").check(force=True)
    await page.get_by_role("tab", name="Moderator").wait_for()
    await shot(olga, "overwrites")
    await page.keyboard.press("Escape")
    await page.locator("#panel .panel-frame").wait_for(state="detached")

    # Olga writes in mod-room with the keyboard: markdown, Mona and the role from the @ list, an emoji from the : list.
    await page.locator("#sidebar .channel", has_text="mod-room").click()
    await page.locator("#chat-header", has_text="mod-room").wait_for()
    await mona.page.locator("#sidebar .channel", has_text="mod-room").click()
    await mona.page.locator("#chat-header", has_text="mod-room").wait_for()
    box = page.locator("#composer-input")
    suggestions = page.get_by_role("listbox")
    await box.press_sequentially("**Welcome** to the __watch__, @mon")
    await suggestions.get_by_role("option", name="mona").wait_for()
    await box.press("Enter")
    await box.press_sequentially("and every @Mod")
    await suggestions.get_by_role("option", name="@Moderator").wait_for()
    await box.press("Tab")
    await box.press_sequentially(":tad")
    await suggestions.get_by_role("option", name=":tada:").wait_for()
    await box.press("Enter")
    await box.press_sequentially("||`shift starts at 22:00`||")
    await box.press("Enter")

    # Mona sees it rendered: bold, underline, her own mention, the role's mention, the emoji, the spoiler.
    msg = mona.message("Welcome")
    await msg.wait_for()
    assert await msg.locator(".content strong").inner_text() == "Welcome"
    assert await msg.locator(".content u").inner_text() == "watch"
    assert await msg.locator(".mention[data-user]").inner_text() == "@mona"
    assert "me" in (await msg.locator(".mention[data-user]").get_attribute("class") or "")
    assert await msg.locator(".mention[data-role]").inner_text() == "@Moderator"
    assert "🎉" in await msg.inner_text()
    assert await msg.get_attribute("class") == "msg mentioned"
    await msg.get_by_role("button", name="Spoiler, click to reveal").click()
    await msg.locator(".spoiler-text code", has_text="shift starts at 22:00").wait_for(state="visible")
    await shot(mona, "chat")

    # Mona answers, mentioning Olga and a channel; Olga sees both resolved to names.
    mbox = mona.page.locator("#composer-input")
    await mbox.press_sequentially("on it @olg")
    await mona.page.get_by_role("listbox").get_by_role("option", name="olga").wait_for()
    await mbox.press("Tab")
    await mbox.press_sequentially("see #gen")
    await mona.page.get_by_role("listbox").get_by_role("option", name="#general").wait_for()
    await mbox.press("Enter")
    await mbox.press_sequentially(":+1:")
    await mbox.press("Enter")
    reply = olga.message("on it")
    await reply.locator(".mention.me", has_text="@olga").wait_for()
    assert await reply.locator(".mention.channel").inner_text() == "#general"
    assert "👍" in await reply.inner_text()
    await shot(olga, "reply")

    # Otto has no mod-room, got none of it, and the server refuses him the channel.
    assert not await otto.page.locator("#sidebar .channel", has_text="mod-room").count()
    channel_id: str = await page.evaluate("amityvox.app.ui.channelId")
    seen = await otto.page.evaluate("(c) => Object.keys(amityvox.app.state.messages[c] ?? {}).length", channel_id)
    assert seen == 0
    r = await server.http.get(f"{API}/channels/{channel_id}/messages", headers=auth(await otto.token()))
    assert r.status_code in (403, 404), r.text
    await shot(otto, "outside")
    for person in (olga, mona, otto):
        await person.finish()
