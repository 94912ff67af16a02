"""The web client end to end: a real server, headless Chromium, two (or three) people.

Each test drives the page the way a person does (forms, buttons, the keyboard) and checks
what they see; the JS stores are looked at only for the connection counters and for the
names they applied (the parity evidence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS, record_handled

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"


@dataclass
class Person:
    """One browser context: its page and what its console said."""

    page: Any
    name: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def message(self, text: str) -> Any:
        return self.page.locator("#messages .msg", has_text=text)

    async def token(self) -> str:
        token: str = await self.page.evaluate("localStorage.getItem('amityvox.token')")
        return token

    async def finish(self) -> None:
        """Collect the names the page's stores applied; fail on page errors or catalog drift."""
        record_handled(await self.page.evaluate("[...amityvox.handledNames]"))
        assert not self.errors, self.errors
        # Failed requests are logged by the browser itself; everything else is a bug (CSP included).
        problems = [c for c in self.console if c.startswith("error:") and "Failed to load resource" not in c]
        problems += [c for c in self.console if "event catalog" in c or "no handler" in c]
        assert not problems, problems


async def open_page(
    browser: Any, server: Server, name: str, viewport: dict[str, int] = DESKTOP, token: str | None = None
) -> Person:
    context = await browser.new_context(viewport=viewport)
    if token is not None:
        await context.add_init_script(f"localStorage.setItem('amityvox.token', {token!r})")
    page = await context.new_page()
    page.set_default_timeout(8000)
    person = Person(page, name)
    page.on(
        "console", lambda m: person.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: person.errors.append(str(e)))

    async def refuse(dialog: Any) -> None:  # the client asks in its own modals, never alert/confirm/prompt
        person.errors.append(f"native {dialog.type} dialog: {dialog.message}")
        await dialog.dismiss()

    page.on("dialog", refuse)
    await page.goto(server.url + "/")
    return person


# The page waits on itself: the condition is compiled with the call (page.evaluate, which the
# page's CSP allows, where wait_for_function's re-evaluation of a string is refused) and is
# checked every 50 ms by the page's own timer, awaited when it is async, until it holds or `ms` pass.
_UNTIL = """async ([arg, ms]) => {
  const holds = (%s);
  const end = performance.now() + ms;
  while (!(await holds(arg))) {
    if (performance.now() > end) return false;
    await new Promise((next) => setTimeout(next, 50));
  }
  return true;
}"""


async def until(person: Person, js: str, arg: Any = None, timeout: float = 20.0) -> None:
    """Wait until the page function `js` (async ones included) holds for `arg`; the timeout
    only bounds a failure."""
    held = await person.page.evaluate(_UNTIL % js, [arg, timeout * 1000])
    assert held, f"{person.name}: still false after {timeout} s: {js}"


async def register(browser: Any, server: Server, name: str, viewport: dict[str, int] = DESKTOP) -> Person:
    person = await open_page(browser, server, name, viewport)
    page = person.page
    await page.get_by_role("button", name="Create an account").click()
    await page.get_by_label("Username").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await page.locator(".user-panel", has_text=name).wait_for(state="attached")
    await until(person, "() => amityvox.app.state.connection.connected")
    return person


async def create_guild(person: Person, name: str) -> None:
    page = person.page
    await page.get_by_role("button", name="Create a server").first.click()
    await page.get_by_label("Server name").fill(name)
    await page.get_by_role("button", name="Create", exact=True).click()
    await page.locator("#sidebar .guild-name", has_text=name).wait_for()
    await page.locator("#chat-header", has_text="general").wait_for()


async def send(person: Person, text: str) -> None:
    box = person.page.locator("#composer-input")
    await box.fill(text)
    await box.press("Enter")
    await person.message(text).wait_for()


async def pick_command(page: Any, typed: str, command: str) -> Any:
    """Type `typed` into the composer and choose `/command` from the `/` menu; the composer's box."""
    box = page.locator("#composer-input")
    await box.click()
    await box.press_sequentially(typed)
    await page.locator("#slash-suggestions li", has_text=f"/{command}").wait_for()
    await box.press("Enter")
    return box


async def make_invite(person: Person) -> str:
    page = person.page
    await page.get_by_role("button", name="Server settings").click()
    await page.get_by_role("tab", name="Invites").click()
    await page.get_by_role("button", name="Create invite").click()
    link = page.get_by_label("Invite link").first
    await link.wait_for()
    value: str = await link.input_value()
    await page.keyboard.press("Escape")
    await page.locator("#panel .panel-frame").wait_for(state="detached")
    return value


async def join(person: Person, invite_link: str, guild: str) -> None:
    page = person.page
    menu = page.get_by_role("button", name="Show channels")
    if await menu.is_visible():  # a phone: the server rail lives in the drawer
        await menu.click()
    await page.get_by_role("button", name="Join a server with an invite").click()
    await page.get_by_label("Invite code or link").fill(invite_link)
    await page.get_by_role("button", name="Join", exact=True).click()
    await page.locator("#sidebar .guild-name", has_text=guild).wait_for()


async def guild_with(browser: Any, server: Server, guild: str, owner: str, *members: str) -> list[Person]:
    """`owner` signs up and creates `guild`; each of `members` signs up and joins it through its
    invite link. Everyone in their own browser, the owner first."""
    first = await register(browser, server, owner)
    await create_guild(first, guild)
    link = await make_invite(first)
    people = [first]
    for name in members:
        people.append(await register(browser, server, name))
        await join(people[-1], link, guild)
    return people


async def test_two_people_chat_live(server: Server, browser: Any) -> None:
    alice = await register(browser, server, "alice")
    await create_guild(alice, "Book club")
    await send(alice, "hello from alice")

    link = await make_invite(alice)
    assert re.fullmatch(re.escape(server.url) + r"/invite/\S+", link), link
    bob = await register(browser, server, "bob", PHONE)
    await join(bob, link, "Book club")
    await bob.message("hello from alice").wait_for()  # history loads on open

    # Alice's next message reaches Bob live, and Bob joining reached Alice's member list.
    await alice.page.locator("#members .member", has_text="bob").wait_for()
    await send(alice, "welcome bob")
    await bob.message("welcome bob").wait_for()

    # Bob reacts (picker, keyboard-reachable); Alice sees the count, then adds hers: 2 for both.
    msg = bob.message("welcome bob")
    await msg.hover()
    await msg.get_by_role("button", name="Add reaction").click()
    await msg.get_by_role("menuitem", name="👍").click()
    bob_reaction = msg.locator(".reaction")
    await bob_reaction.and_(bob.page.locator(".mine")).wait_for()
    alice_reaction = alice.message("welcome bob").locator(".reaction")
    await alice_reaction.locator(".r-count", has_text="1").wait_for()
    assert await alice_reaction.get_attribute("aria-pressed") == "false"
    await alice_reaction.click()
    await alice_reaction.locator(".r-count", has_text="2").wait_for()
    await bob_reaction.locator(".r-count", has_text="2").wait_for()
    assert await alice_reaction.get_attribute("aria-pressed") == "true"
    assert await bob_reaction.get_attribute("aria-pressed") == "true"

    # Typing shows on the other side while Alice types, and goes when she sends.
    await alice.page.locator("#composer-input").press_sequentially("a long thought", delay=10)
    # (The server takes one indicator per typer every 5 s, so it may come a few seconds late.)
    await bob.page.locator("#typing", has_text="alice is typing").wait_for(timeout=12000)
    await alice.page.locator("#composer-input").press("Enter")
    await bob.message("a long thought").wait_for()
    await bob.page.locator("#typing", has_text="typing").wait_for(state="detached")

    # Bob replies with Enter; Alice sees the reply reference.
    await bob.page.locator("#composer-input").fill("thanks!")
    await bob.page.locator("#composer-input").press("Enter")
    await alice.message("thanks!").wait_for()

    await take_screenshots(alice, bob)
    await alice.finish()
    await bob.finish()


async def take_screenshots(desktop: Person, phone: Person) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await desktop.page.mouse.move(0, 0)
    await desktop.page.screenshot(path=str(SCREENSHOTS / "chat-1280x800.png"))
    await phone.page.mouse.move(0, 0)
    await phone.page.screenshot(path=str(SCREENSHOTS / "chat-390x844.png"))
    # The phone's channel drawer, opened from the header button.
    await phone.page.get_by_role("button", name="Show channels").click()
    await phone.page.locator("#sidebar").evaluate("el => new Promise(r => setTimeout(r, 300))")
    await phone.page.screenshot(path=str(SCREENSHOTS / "nav-390x844.png"))
    await phone.page.keyboard.press("Escape")


async def test_dropped_socket_shows_reconnecting_and_resumes(server: Server, browser: Any) -> None:
    carol = await register(browser, server, "carol")
    await create_guild(carol, "Night shift")
    await send(carol, "before the drop")
    dave = await server.register("dave")
    token = await carol.token()
    guild = (await server.http.get("/api/v1/users/@me/guilds", headers=auth(token))).json()["data"][0]
    invite = await server.http.post(f"/api/v1/guilds/{guild['id']}/invites", json={}, headers=auth(token))
    await server.http.post(f"/api/v1/invites/{invite.json()['data']['code']}", headers=auth(dave["token"]))
    channel_id = await carol.page.evaluate("amityvox.app.ui.channelId")

    # The socket dies (resumable close); while it is down, dave posts.
    await carol.page.evaluate("amityvox.app.gateway.ws.close(4000, 'test drop')")
    await carol.page.locator("#reconnecting").wait_for()
    r = await server.http.post(
        f"/api/v1/channels/{channel_id}/messages",
        json={"content": "sent while you were away"},
        headers=auth(dave["token"]),
    )
    assert r.status_code == 201, r.text
    await carol.page.locator("#reconnecting").wait_for(state="detached")
    await carol.message("sent while you were away").wait_for()  # replayed by RESUME
    connection = await carol.page.evaluate("amityvox.app.state.connection")
    assert connection["resumes"] == 1 and connection["replayed"] >= 1 and connection["connected"]
    assert (await carol.page.evaluate("amityvox.app.state.connection.last_disconnect"))["code"] == 4000
    await carol.finish()


async def test_history_scrolls_back_with_before(server: Server, browser: Any) -> None:
    """60 older messages: the first page shows the newest 50; loading older brings the rest."""
    owner = await server.register("fay")
    guild = (await server.http.post("/api/v1/guilds", json={"name": "Archive"}, headers=auth(owner["token"]))).json()
    channel_id = next(c["id"] for c in guild["data"]["channels"] if c["channel_type"] == "text")
    for n in range(60):
        r = await server.http.post(
            f"/api/v1/channels/{channel_id}/messages", json={"content": f"note {n:02d}"}, headers=auth(owner["token"])
        )
        assert r.status_code == 201, r.text
    fay = await open_page(browser, server, "fay", token=owner["token"])
    await fay.message("note 59").wait_for()
    assert await fay.page.locator("#messages .msg").count() == 50
    assert await fay.message("note 09").count() == 0
    # Scrolling to the top loads the previous page (the button does the same from the keyboard).
    await fay.page.get_by_role("button", name="Load older messages").wait_for()
    await fay.page.locator("#messages").evaluate("el => { el.scrollTop = 0; }")
    await fay.message("note 00").wait_for()
    await fay.page.get_by_role("heading", name="This is the start of #general").wait_for()
    assert await fay.page.locator("#messages .msg").count() == 60
    await fay.finish()


async def test_revoked_token_returns_to_login(server: Server, browser: Any) -> None:
    erin = await register(browser, server, "erin")
    token = await erin.token()
    # The same session in another tab signs out: the token is revoked.
    other = await open_page(browser, server, "erin (other tab)", token=token)
    await other.page.locator(".user-panel", has_text="erin").wait_for()
    await other.page.get_by_role("button", name="Sign out").click()
    await other.page.get_by_role("heading", name="Welcome back").wait_for()

    # The server closes the first tab's session with 4004 at once, and it asks for a login.
    await erin.page.get_by_role("heading", name="Welcome back").wait_for()
    await erin.page.locator(".notice", has_text="session has ended").wait_for()
    assert await erin.page.evaluate("localStorage.getItem('amityvox.token')") is None
    assert await erin.page.evaluate("amityvox.app.gateway") is None

    # Signing in again works from there.
    await erin.page.get_by_label("Username").fill("erin")
    await erin.page.get_by_label("Password").fill(PASSWORD)
    await erin.page.get_by_role("button", name="Sign in", exact=True).click()
    await erin.page.locator(".user-panel", has_text="erin").wait_for()
    await erin.finish()
    await other.finish()
