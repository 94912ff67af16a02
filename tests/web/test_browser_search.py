"""Search and navigation in the web client: search and jump, replies and message links that
open the original, the NEW line for someone coming back, and saved messages across tabs."""

from __future__ import annotations

from typing import Any

from amityvox import permissions as P
from tests.conftest import Server, auth
from tests.web.test_browser import Person, open_page, until

API = "/api/v1"


async def _post(server: Server, token: str, channel_id: str, content: str, **extra: Any) -> dict[str, Any]:
    r = await server.http.post(
        f"{API}/channels/{channel_id}/messages", json={"content": content, **extra}, headers=auth(token)
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def _guild(server: Server, name: str) -> tuple[dict[str, Any], str, str]:
    """A user with a guild: (user and token, guild id, its general channel id)."""
    owner = await server.register(name)
    r = await server.http.post(f"{API}/guilds", json={"name": f"{name}'s place"}, headers=auth(owner["token"]))
    guild = r.json()["data"]
    general = next(c["id"] for c in guild["channels"] if c["channel_type"] == "text")
    return owner, guild["id"], general


async def _join(server: Server, owner_token: str, guild_id: str, name: str) -> dict[str, Any]:
    r = await server.http.post(f"{API}/guilds/{guild_id}/invites", json={}, headers=auth(owner_token))
    code = r.json()["data"]["code"]
    user = await server.register(name)
    r = await server.http.post(f"{API}/invites/{code}", headers=auth(user["token"]))
    assert r.status_code in (200, 201), r.text
    return user


async def _highlighted(person: Person, text: str) -> None:
    """The message is shown highlighted, then the highlight goes."""
    target = person.page.locator("#messages .msg.jump-highlight", has_text=text)
    await target.wait_for()
    assert await target.is_visible()
    await target.wait_for(state="detached")


async def test_reply_link_and_search_jump_to_the_message_and_highlight_it(server: Server, browser: Any) -> None:
    owner, guild_id, general = await _guild(server, "fay")
    token = owner["token"]
    needle = await _post(server, token, general, "the needle is under the old oak")
    for n in range(60):
        await _post(server, token, general, f"filler {n:03d}")
    early = await _post(server, token, general, "an early thought worth linking")
    for n in range(60, 120):
        await _post(server, token, general, f"filler {n:03d}")
    await _post(server, token, general, "answering that", reply_to_ids=[needle["id"]])
    link = f"{server.url}/channels/{guild_id}/{general}/{early['id']}"
    await _post(server, token, general, f"see {link}")

    fay = await open_page(browser, server, "fay", token=token)
    page = fay.page
    await fay.message("answering that").wait_for()
    assert await fay.message("the needle is under").count() == 0  # older than the first page

    # A reply's quote opens the original, loaded around it and highlighted.
    await fay.message("answering that").locator(".reply-ref").click()
    await _highlighted(fay, "the needle is under")
    await page.get_by_role("button", name="Load newer messages").wait_for()

    # A message link in text opens that message here, not in a new tab.
    await page.locator("#messages").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    await fay.message(f"see {link}").wait_for()
    await fay.message(f"see {link}").get_by_role("link").first.click()
    await _highlighted(fay, "an early thought")
    assert early["id"] in page.url

    # Ctrl+K opens the search; a filter chip and words find the message; a click jumps to it.
    await page.locator("#composer-input").focus()
    await page.keyboard.press("Control+k")
    box = page.get_by_role("searchbox", name="Search messages")
    await box.wait_for()
    assert await box.evaluate("el => el === document.activeElement")
    await page.get_by_role("button", name="from:", exact=True).click()
    await page.keyboard.type("fay oak")
    await page.keyboard.press("Enter")
    results = page.locator(".search-result")
    await page.locator("#panel", has_text="1 result").wait_for()
    assert await results.count() == 1
    assert await results.first.locator("mark").all_inner_texts() == ["oak"]
    await page.locator(".chip.on", has_text="from: fay").wait_for()
    await results.first.click()
    await _highlighted(fay, "the needle is under")

    # Ctrl+F also opens it; a filter that names nobody says so.
    await page.keyboard.press("Escape")
    await page.locator("#composer-input").focus()
    await page.keyboard.press("Control+f")
    # Typed at once: the box has the focus, and the last query (selected) gives way to it.
    await page.keyboard.type("from:nobody oak")
    assert await box.input_value() == "from:nobody oak"
    assert await page.locator("#composer-input").input_value() == ""
    await box.press("Enter")
    await page.get_by_role("alert").filter(has_text="No one called “nobody” here.").wait_for()
    await fay.finish()


async def test_an_outsider_finds_nothing_from_a_private_channel(server: Server, browser: Any) -> None:
    owner, guild_id, general = await _guild(server, "gus")
    token = owner["token"]
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/channels", json={"name": "council", "channel_type": "text"}, headers=auth(token)
    )
    council = r.json()["data"]["id"]
    outsider = await _join(server, token, guild_id, "hal")
    r = await server.http.put(
        f"{API}/channels/{council}/permissions/{outsider['user']['id']}",
        json={"type": "user", "deny": str(int(P.Perm.ViewChannel))},
        headers=auth(token),
    )
    assert r.status_code in (200, 204), r.text
    await _post(server, token, council, "secret harvest plans")
    await _post(server, token, general, "public harvest festival")

    hal = await open_page(browser, server, "hal", token=outsider["token"])
    page = hal.page
    await hal.message("public harvest festival").wait_for()
    await page.keyboard.press("Control+k")
    box = page.get_by_role("searchbox", name="Search messages")
    await box.fill("harvest")
    await box.press("Enter")
    await page.locator("#panel", has_text="1 result").wait_for()
    assert await page.locator(".search-result").all_inner_texts() == [
        t for t in await page.locator(".search-result").all_inner_texts() if "secret" not in t
    ]
    await page.locator(".search-result", has_text="public harvest festival").wait_for()
    await box.fill("secret")
    await box.press("Enter")
    await page.locator("#panel", has_text="No results.").wait_for()
    await hal.finish()


async def test_the_new_line_marks_where_a_returning_reader_left_off(server: Server, browser: Any) -> None:
    owner, guild_id, general = await _guild(server, "ivy")
    token = owner["token"]
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/channels", json={"name": "random", "channel_type": "text"}, headers=auth(token)
    )
    assert r.status_code == 201, r.text
    reader = await _join(server, token, guild_id, "jon")
    await _post(server, token, general, "already read")

    jon = await open_page(browser, server, "jon", token=reader["token"])
    page = jon.page
    await jon.message("already read").wait_for()
    await until(jon, "(c) => amityvox.app.state.read_state[c]?.unread_count === 0", general)  # read (acked) while open
    await page.get_by_role("button", name="random", exact=False).first.click()
    await page.locator("#chat-header", has_text="random").wait_for()

    # While jon is elsewhere: enough new messages that the first is off-screen on return.
    await _post(server, token, general, "first new one")
    for n in range(40):
        await _post(server, token, general, f"more news {n:02d}")
    await until(jon, "(c) => amityvox.app.state.read_state[c]?.unread_count === 41", general)

    await page.get_by_role("button", name="general", exact=False).first.click()
    await jon.message("more news 39").wait_for()
    divider = page.locator(".unread-divider")
    await divider.wait_for(state="attached")
    follows = await divider.evaluate("el => el.nextElementSibling.textContent")
    assert "first new one" in follows
    precedes = await divider.evaluate("el => el.previousElementSibling.textContent")
    assert "already read" in precedes
    # The line is above the visible part: a bar offers to jump back to it.
    bar = page.get_by_role("button", name="Jump to first unread")
    await bar.click()
    await _highlighted(jon, "first new one")
    assert await divider.is_visible()
    await bar.wait_for(state="detached")
    await jon.finish()


async def test_a_message_saved_in_one_tab_shows_in_the_other(server: Server, browser: Any) -> None:
    owner, _, general = await _guild(server, "kim")
    token = owner["token"]
    await _post(server, token, general, "recipe for bread")
    await _post(server, token, general, "recipe for soup")

    first = await open_page(browser, server, "kim (laptop)", token=token)
    second = await open_page(browser, server, "kim (phone)", token=token)
    await second.message("recipe for soup").wait_for()
    await second.page.get_by_role("button", name="Saved messages").click()
    await second.page.locator("#panel", has_text="Nothing saved yet").wait_for()

    bread = first.message("recipe for bread")
    await bread.hover()
    await bread.get_by_role("button", name="Save message").click()
    await bread.get_by_role("button", name="Remove from saved").wait_for()

    # The other tab's open panel lists it, and its own message menu knows it is saved.
    item = second.page.locator(".saved-item", has_text="recipe for bread")
    await item.wait_for()
    soup = second.message("recipe for soup")
    await soup.hover()
    await soup.get_by_role("button", name="Save message").click()
    await second.page.locator(".saved-item").nth(1).wait_for()
    assert "recipe for soup" in await second.page.locator(".saved-item").first.inner_text()

    # A note written in one tab shows in the other's list.
    await item.get_by_role("button", name="Add note").click()
    await second.page.get_by_label("Note (empty to remove)").fill("for the weekend")
    await second.page.keyboard.press("Enter")
    await item.locator(".saved-note", has_text="for the weekend").wait_for()
    await first.page.get_by_role("button", name="Saved messages").click()
    await (
        first.page.locator(".saved-item", has_text="recipe for bread")
        .locator(".saved-note", has_text="for the weekend")
        .wait_for()
    )
    await first.page.keyboard.press("Escape")

    # Removed in the second tab: the first tab's button says it is no longer saved.
    await item.get_by_role("button", name="Remove").click()
    await item.wait_for(state="detached")
    await bread.hover()
    await bread.get_by_role("button", name="Save message").wait_for()
    # Jump from the list opens the message.
    await second.page.locator(".saved-item", has_text="recipe for soup").get_by_role("button", name="Jump").click()
    await _highlighted(second, "recipe for soup")
    await first.finish()
    await second.finish()
