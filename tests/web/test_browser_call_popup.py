"""A ringing call's pop-up leaves the composer usable: on a desktop and on a phone, the person
rung can type and press Send while it shows, and the message goes out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import DESKTOP, PHONE, register

API = "/api/v1"


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
async def test_send_works_while_a_call_rings(
    server: Server, browser: Any, viewport: dict[str, int], label: str
) -> None:
    bob = await register(browser, server, "bob", viewport)
    bob_id = await bob.page.evaluate("amityvox.app.state.self_user.id")
    alice = await server.register("alice")
    r = await server.http.post(f"{API}/users/{bob_id}/dm", headers=auth(alice["token"]))
    assert r.status_code in (200, 201), r.text
    dm_id = r.json()["data"]["id"]
    page = bob.page
    await page.evaluate("(id) => amityvox.app.select(null, id)", dm_id)
    await page.locator("#chat-header", has_text="alice").wait_for()

    r = await server.http.post(f"{API}/voice/{dm_id}/join", json={}, headers=auth(alice["token"]))
    assert r.status_code == 200, r.text
    call = page.locator(".toast.t-call", has_text="alice is calling you.")
    await call.wait_for()
    await page.locator("#composer-input").fill("one moment, finishing a thought")
    # A real click at the button's centre: it lands on Send only if nothing covers it.
    await page.get_by_role("button", name="Send message").click()
    await bob.message("one moment, finishing a thought").wait_for()
    assert await call.is_visible()  # still ringing, still answerable
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"call-popup-{label}.png"))
    await bob.finish()
