"""Account security in the web client: changing the password signs other sessions out, the
sessions list ends another session, and with two-factor on the login screen asks for a code
(generated with pyotp for the next 30-second step, which the server accepts)."""

from __future__ import annotations

import time
from typing import Any

import pyotp

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import PASSWORD, Person, open_page, register, until

API = "/api/v1"


async def _security_panel(person: Person) -> Any:
    page = person.page
    await page.get_by_role("button", name="Your profile and status").click()
    await page.get_by_role("button", name="Security settings").click()
    panel = page.locator(".panel-frame", has_text="Change password")
    await panel.wait_for()
    return panel


async def _login(server: Server, name: str, password: str) -> str:
    r = await server.http.post(f"{API}/auth/login", json={"username": name, "password": password})
    assert r.status_code == 200, r.text
    token: str = r.json()["data"]["token"]
    return token


async def test_password_change_and_sessions_in_the_security_panel(server: Server, browser: Any) -> None:
    gina = await register(browser, server, "gina")
    elsewhere = await _login(server, "gina", PASSWORD)
    panel = await _security_panel(gina)
    sessions = panel.locator(".sessions li")
    await sessions.nth(1).wait_for()
    assert await sessions.count() == 2
    await panel.get_by_label("Current password").fill(PASSWORD)
    await panel.get_by_label("New password").fill("a brand new secret")
    await panel.get_by_role("button", name="Change password").click()
    await gina.page.get_by_text("Password changed.").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await gina.page.screenshot(path=str(SCREENSHOTS / "password-changed-1280x800.png"))
    await panel.locator(".sessions li").nth(1).wait_for(state="detached")
    assert (await server.http.get(f"{API}/users/@me", headers=auth(elsewhere))).status_code == 401
    assert (await server.http.get(f"{API}/users/@me", headers=auth(await gina.token()))).status_code == 200
    # A new login elsewhere shows up after reopening, and the list ends it.
    another = await _login(server, "gina", "a brand new secret")
    panel = await _security_panel(gina)
    await panel.locator(".sessions li").nth(1).wait_for()
    await panel.get_by_role("button", name="Sign out", exact=True).click()
    await panel.locator(".sessions li").nth(1).wait_for(state="detached")
    assert (await server.http.get(f"{API}/users/@me", headers=auth(another))).status_code == 401
    await gina.finish()


async def test_two_factor_set_up_in_the_panel_and_asked_for_at_login(server: Server, browser: Any) -> None:
    hal = await register(browser, server, "hal")
    panel = await _security_panel(hal)
    totp_card = panel.locator("[data-key=totp]")
    await totp_card.get_by_label("Password").fill(PASSWORD)
    await totp_card.get_by_role("button", name="Set up two-factor").click()
    secret = await hal.page.locator("#totp-secret").input_value()
    assert (await hal.page.locator("#totp-uri").input_value()).startswith("otpauth://totp/AmityVox:hal?")
    totp = pyotp.TOTP(secret)
    now = time.time()
    await totp_card.get_by_label("Code").fill(totp.at(now))
    await totp_card.get_by_role("button", name="Turn on").click()
    codes = totp_card.locator(".backup-codes li")
    await codes.nth(9).wait_for()
    await totp_card.get_by_role("button", name="I have saved them").click()
    await totp_card.get_by_text("On. 10 backup codes left.").wait_for()
    await hal.finish()

    # Signing in from a fresh browser now takes a code.
    again = await open_page(browser, server, "hal-again")
    page = again.page
    await page.get_by_label("Username").fill("hal")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    code = page.get_by_label("Code from your authenticator app, or a backup code")
    await code.fill("000000" if totp.at(now + 30) != "000000" else "111111")
    await page.get_by_role("button", name="Verify").click()
    await page.get_by_role("alert").wait_for()
    await code.fill(totp.at(now + 30))
    await page.get_by_role("button", name="Verify").click()
    await page.locator(".user-panel", has_text="hal").wait_for(state="attached")
    await until(again, "() => amityvox.app.state.connection.connected")
    await again.finish()
