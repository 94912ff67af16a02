"""Message text and the composer in Chromium: markdown as the other person sees it, mentions and
emoji chosen by autocomplete, drafts kept per channel, and reactions from the emoji picker."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import Person, create_guild, join, make_invite, register


async def _pair(server: Server, browser: Any) -> tuple[Person, Person]:
    alice = await register(browser, server, "alice")
    await create_guild(alice, "Markdown club")
    bob = await register(browser, server, "bob")
    await join(bob, await make_invite(alice), "Markdown club")
    await alice.page.locator("#members .member", has_text="bob").wait_for()
    return alice, bob


async def test_markdown_reaches_the_other_person_rendered(server: Server, browser: Any) -> None:
    alice, bob = await _pair(server, browser)
    bob_id = await bob.page.evaluate("amityvox.app.state.self_user.id")
    text = (
        f"**bold** and __under__ for <@{bob_id}>\n"
        "```python\ndef greet():\n    return 'hi'\n```\n"
        "> quoted ||the butler did it|| [docs](https://example.com/docs)"
    )
    box = alice.page.locator("#composer-input")
    await box.fill(text)
    await box.press("Enter")

    msg = bob.message("bold and under")
    await msg.wait_for()
    assert await msg.locator(".content strong").inner_text() == "bold"
    assert await msg.locator(".content u").inner_text() == "under"
    mention = msg.locator(".mention")
    assert await mention.inner_text() == "@bob"
    assert await mention.get_attribute("class") == "mention me"
    await msg.locator("pre code .hljs-keyword", has_text="def").wait_for()  # the grammar loads on demand
    link = msg.locator("a", has_text="docs")
    assert await link.get_attribute("href") == "https://example.com/docs"
    assert await link.get_attribute("title") == "https://example.com/docs"
    assert await link.get_attribute("target") == "_blank"
    assert await link.get_attribute("rel") == "noopener noreferrer"
    assert await msg.locator("blockquote", has_text="quoted").count() == 1

    secret = msg.locator(".spoiler-text", has_text="the butler did it")
    assert not await secret.is_visible()
    await msg.get_by_role("button", name="Spoiler, click to reveal").click()
    await secret.wait_for(state="visible")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await bob.page.mouse.move(0, 0)
    await bob.page.screenshot(path=str(SCREENSHOTS / "markdown-1280x800.png"))
    await alice.finish()
    await bob.finish()
