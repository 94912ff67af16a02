"""Passkeys in the web client, in Chromium with a CDP virtual authenticator (CTAP2, resident
keys, user verification): add one in the security panel, sign out, and sign back in with it
from the login page without typing a name. The page is opened on http://localhost: WebAuthn
needs a secure context with a valid domain, which a bare 127.0.0.1 is not."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.conftest import Server, auth
from tests.web.test_browser import PASSWORD, register
from tests.web.test_browser_account_email import connected

API = "/api/v1"


async def test_a_passkey_added_in_settings_signs_in_after_signing_out(server: Server, browser: Any) -> None:
    local = dataclasses.replace(server, url=server.url.replace("127.0.0.1", "localhost"))
    assert local.url.startswith("http://localhost:")
    ivy = await register(browser, local, "ivy")
    page = ivy.page
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable", {"enableUI": False})
    added = await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    authenticator = added["authenticatorId"]

    await page.get_by_role("button", name="Your profile and status").click()
    await page.get_by_role("button", name="Security settings").click()
    card = page.locator("[data-key=passkeys]")
    await card.get_by_text("No passkeys yet.").wait_for()
    await card.get_by_label("Passkey name").fill("Work laptop")
    await card.get_by_label("Password").fill(PASSWORD)
    await card.get_by_role("button", name="Add a passkey").click()
    await page.get_by_text("Passkey “Work laptop” added.").wait_for()
    await card.locator(".passkeys li", has_text="Work laptop").wait_for()
    stored = (await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator}))["credentials"]
    assert len(stored) == 1 and stored[0]["isResidentCredential"] is True
    assert stored[0]["rpId"] == "localhost"

    await page.get_by_role("button", name="Sign out").first.click()
    await page.get_by_role("heading", name="Welcome back").wait_for()
    assert await page.evaluate("localStorage.getItem('amityvox.token')") is None
    # No name, no password: the authenticator offers its passkey for localhost.
    await page.get_by_role("button", name="Sign in with a passkey").click()
    await connected(ivy, "ivy")
    token = await ivy.token()
    listed = (await server.http.get(f"{API}/users/@me/passkeys", headers=auth(token))).json()["data"]
    assert [p["name"] for p in listed] == ["Work laptop"] and listed[0]["last_used_at"] is not None
    await ivy.finish()
