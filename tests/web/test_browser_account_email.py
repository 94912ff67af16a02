"""The account's e-mail and data in the web client, against a real SMTP server: the banner for an
unconfirmed address resends its link and the mailed link confirms it; "Forgot password?" mails a
reset link whose page sets a new password to sign in with; the data export is asked for, watched
until ready and downloaded as a zip; deleting the account signs out, and signing in cancels it."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import func, select

from amityvox.db.schema import account_deletions
from tests.accounts.conftest import MailServer
from tests.accounts.mailbox import link_token, mail_settings, smtp_server
from tests.conftest import _serve, make_settings
from tests.web.test_browser import PASSWORD, Person, create_guild, open_page, send, until

NEW_PASSWORD = "a much better secret"


@pytest_asyncio.fixture(loop_scope="session")
async def mailed(tmp_path: Path) -> AsyncIterator[MailServer]:
    async for port, box in smtp_server():
        async for s in _serve(make_settings(tmp_path, **mail_settings(port))):
            yield MailServer(s, box)


async def sign_up(browser: Any, mailed: MailServer, name: str, email: str | None = None) -> Person:
    person = await open_page(browser, mailed.server, name)
    page = person.page
    await page.get_by_role("button", name="Create an account").click()
    await page.get_by_label("Username").fill(name)
    if email:
        await page.get_by_label("E-mail (optional)").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await connected(person, name)
    return person


async def connected(person: Person, name: str) -> None:
    """The page is signed in as `name` with its gateway connected."""
    await person.page.locator(".user-panel", has_text=name).wait_for(state="attached")
    check = "(name) => amityvox.app.state.connection.connected && amityvox.app.state.self_user?.username === name"
    await until(person, check, name, timeout=30)


async def sign_in(person: Person, name: str, password: str) -> None:
    form = person.page.locator(".auth form")
    await form.get_by_label("Username").fill(name)
    await form.get_by_label("Password", exact=True).fill(password)
    await form.get_by_role("button", name="Sign in", exact=True).click()
    await connected(person, name)


async def security_panel(person: Person) -> Any:
    page = person.page
    await page.get_by_role("button", name="Your profile and status").click()
    await page.get_by_role("button", name="Security settings").click()
    panel = page.locator(".panel-frame", has_text="Change password")
    await panel.wait_for()
    return panel


async def test_confirm_the_address_then_forget_and_reset_the_password(mailed: MailServer, browser: Any) -> None:
    server, box = mailed.server, mailed.mailbox
    ivy = await sign_up(browser, mailed, "ivy", "ivy@example.test")
    page = ivy.page
    banner = page.locator(".email-banner")
    await banner.get_by_text("Please confirm your e-mail address ivy@example.test").wait_for()
    await banner.get_by_role("button", name="Send the link again").click()
    await page.get_by_text("We sent a new link to ivy@example.test.").wait_for()
    link_token(await box.next("ivy@example.test"), "verify-email")  # the registration's, replaced by…
    token = link_token(await box.next("ivy@example.test"), "verify-email")  # …the one sent again
    await page.goto(f"{server.url}/verify-email?token={token}")
    await page.get_by_text("Your e-mail address is confirmed.").wait_for()
    await connected(ivy, "ivy")
    assert await page.evaluate("location.pathname") == "/"
    await banner.wait_for(state="detached")
    await ivy.finish()

    # Signed out elsewhere, she has forgotten her password.
    again = await open_page(browser, server, "ivy-again")
    page = again.page
    await page.get_by_role("button", name="Forgot password?").click()
    await page.get_by_label("E-mail").fill("ivy@example.test")
    await page.get_by_role("button", name="Send reset link").click()
    await page.get_by_text("a link to reset its password is on its way").wait_for()
    mail = await box.next("ivy@example.test")
    assert f"{server.url}/reset-password?token=" in str(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    await page.goto(f"{server.url}/reset-password?token={link_token(mail, 'reset-password')}")
    await page.get_by_role("heading", name="Choose a new password").wait_for()
    await page.locator(".auth form").get_by_label("New password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Set new password").click()
    await page.get_by_text("Your new password is set. Sign in with it.").wait_for()
    assert await page.evaluate("location.pathname") == "/"
    await sign_in(again, "ivy", NEW_PASSWORD)
    await again.finish()


async def test_export_my_data_and_download_the_zip(mailed: MailServer, browser: Any) -> None:
    jo = await sign_up(browser, mailed, "jo")
    await create_guild(jo, "Jo's place")
    await send(jo, "a message of mine")
    panel = await security_panel(jo)
    card = panel.locator("[data-key=export]")
    await card.get_by_role("button", name="Export my data").click()
    download_button = card.get_by_role("button", name="Download")
    await download_button.wait_for(timeout=60000)
    await card.get_by_text("Ready ·").wait_for()
    async with jo.page.expect_download() as info:
        await download_button.click()
    download = await info.value
    assert download.suggested_filename.startswith("amityvox-jo-") and download.suggested_filename.endswith(".zip")
    data = await asyncio.to_thread(Path(await download.path()).read_bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert json.loads(archive.read("account.json"))["username"] == "jo"
        (messages_file,) = [n for n in names if n.startswith("messages/")]
        written = json.loads(archive.read(messages_file))["messages"]
    assert [m["content"] for m in written] == ["a message of mine"]
    # One a day: asking again is refused, and the page says why.
    await card.get_by_role("button", name="Export my data").click()
    await jo.page.get_by_text("you can ask for one data export a day").wait_for()
    await jo.finish()


async def test_deleting_the_account_signs_out_and_signing_in_cancels_it(mailed: MailServer, browser: Any) -> None:
    server = mailed.server
    kim = await sign_up(browser, mailed, "kim")
    user_id = await kim.page.evaluate("amityvox.app.state.self_user.id")
    panel = await security_panel(kim)
    card = panel.locator("[data-key=delete-account]")
    await card.get_by_text("deleted 14 days after you ask").wait_for()
    await card.get_by_label("Account password").fill(PASSWORD)
    await card.get_by_role("button", name="Delete account").click()
    dialog = kim.page.get_by_role("dialog")
    await dialog.get_by_text("It will be deleted in 14 days").wait_for()
    await dialog.get_by_role("button", name="Delete my account").click()
    await kim.page.get_by_text("Your account will be deleted on").wait_for()
    async with server.ctx.db.read() as conn:
        assert await conn.scalar(select(func.count()).where(account_deletions.c.user_id == user_id)) == 1

    await sign_in(kim, "kim", PASSWORD)
    await kim.page.get_by_text("signing in cancelled the deletion of your account").wait_for()
    async with server.ctx.db.read() as conn:
        assert await conn.scalar(select(func.count()).where(account_deletions.c.user_id == user_id)) == 0
    await kim.finish()
