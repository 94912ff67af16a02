"""The web client's modals in place of confirm()/prompt(): Esc cancels visibly, Enter
confirms, focus stays inside, and what was confirmed reaches the server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import create_guild, guild_with, register, send

API = "/api/v1"
JS = Path(__file__).resolve().parents[2] / "amityvox" / "web" / "js"
# A call of the browser's own dialogs, bare or through window/globalThis (not a method such as x.confirm()).
NATIVE_DIALOG = re.compile(r"(?<![\w$.])(?:(?:window|globalThis|self)\.)?(?:alert|confirm|prompt)\s*\(")
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def native_dialog_calls(source: str) -> list[str]:
    return NATIVE_DIALOG.findall(COMMENT.sub("", source))


def test_no_module_calls_alert_confirm_or_prompt() -> None:
    assert native_dialog_calls('if (confirm("Sure?")) go(); window.prompt("Name");') == ["confirm(", "window.prompt("]
    assert native_dialog_calls('ask(app, {confirm: "Delete"}); // never confirm()') == []
    found = {str(p.relative_to(JS)): native_dialog_calls(p.read_text(encoding="utf-8")) for p in JS.rglob("*.js")}
    assert not {name: calls for name, calls in found.items() if calls}


async def test_delete_and_ban_go_through_modals_and_esc_cancels(server: Server, browser: Any) -> None:
    owner, member = await guild_with(browser, server, "Quiet place", "nora", "ned")
    page = owner.page
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")
    # (No browser dialog may open: open_page fails the test on any.)

    # Delete, then Esc: the modal goes, a toast says nothing happened, the message stays.
    await send(owner, "a message to delete")
    msg = owner.message("a message to delete")
    await msg.hover()
    await msg.get_by_role("button", name="Delete").click()
    modal = page.get_by_role("dialog", name="Delete this message?")
    await modal.wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "modal-delete-1280x800.png"))
    assert await modal.get_by_role("button", name="Delete").evaluate("b => b === document.activeElement")
    await page.keyboard.press("Tab")  # focus stays inside: Delete → (wraps to) Cancel
    assert await modal.get_by_role("button", name="Cancel").evaluate("b => b === document.activeElement")
    await page.keyboard.press("Escape")
    await modal.wait_for(state="detached")
    await page.locator(".toast", has_text="The message was kept.").wait_for()
    assert await msg.count() == 1

    # Delete, then Enter: gone for both people.
    await msg.hover()
    await msg.get_by_role("button", name="Delete").click()
    await modal.wait_for()
    await page.keyboard.press("Enter")
    await msg.wait_for(state="detached")
    await member.message("a message to delete").wait_for(state="detached")

    # Ban with a reason typed into the modal; the reason is what the server stored.
    await page.locator("#members .member", has_text="ned").click()
    await page.get_by_role("button", name="Ban", exact=True).click()
    ban = page.get_by_role("dialog", name="Ban ned?")
    await ban.get_by_label("Reason (optional)").fill("too loud")
    await page.keyboard.press("Escape")  # the modal closes, the profile panel underneath stays
    await ban.wait_for(state="detached")
    await page.locator(".toast", has_text="ned was not banned.").wait_for()
    assert await page.locator("#panel-title", has_text="ned").is_visible()
    await page.get_by_role("button", name="Ban", exact=True).click()
    await ban.get_by_label("Reason (optional)").fill("too loud")
    await ban.get_by_label("Reason (optional)").press("Enter")
    await member.page.locator(".toast", has_text="You were banned from Quiet place").wait_for()
    bans = await server.http.get(f"{API}/guilds/{guild_id}/bans", headers=auth(await owner.token()))
    assert [(b["user"]["username"], b["reason"]) for b in bans.json()["data"]] == [("ned", "too loud")]
    await owner.finish()


async def test_server_delete_needs_the_name_typed(server: Server, browser: Any) -> None:
    owner = await register(browser, server, "pia")
    await create_guild(owner, "Old attic")
    page = owner.page
    await page.get_by_role("button", name="Server settings").click()
    await page.get_by_role("button", name="Delete server").click()
    modal = page.get_by_role("dialog", name="Delete Old attic?")
    confirm = modal.get_by_role("button", name="Delete server")
    assert await confirm.is_disabled()
    await modal.get_by_label("Type the server name to confirm").fill("Old")
    await page.keyboard.press("Enter")  # not the name yet: Enter does nothing
    assert await confirm.is_disabled() and await modal.is_visible()
    await modal.get_by_label("Type the server name to confirm").fill("Old attic")
    await confirm.click()
    await page.locator("#sidebar .guild-name", has_text="Old attic").wait_for(state="detached")
    await owner.finish()
