"""Message text and the composer in Chromium: markdown as the other person sees it, mentions and
emoji chosen by autocomplete, drafts kept per channel, and reactions from the emoji picker."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import Person, create_guild, guild_with, register


async def _pair(server: Server, browser: Any) -> tuple[Person, Person]:
    alice, bob = await guild_with(browser, server, "Markdown club", "alice", "bob")
    await alice.page.locator("#members .member", has_text="bob").wait_for()
    return alice, bob


async def test_markdown_reaches_the_other_person_rendered(server: Server, browser: Any) -> None:
    alice, bob = await _pair(server, browser)
    box = alice.page.locator("#composer-input")
    listbox = alice.page.get_by_role("listbox")

    # Alice types it all with the keyboard: the mention and the emoji come from the suggestions.
    await box.press_sequentially("**bold** and __under__ for @bo")
    await listbox.get_by_role("option", name="bob").wait_for()
    await box.press("Enter")
    await box.press_sequentially(":wav")
    await listbox.get_by_role("option", name=":wave:").wait_for()
    await box.press("Tab")
    for line in ["```python", "def greet():", "    return 'hi'", "```"]:
        await box.press("Shift+Enter")
        await box.press_sequentially(line)
    await box.press("Shift+Enter")
    await box.press_sequentially("> quoted ||the butler did it|| [docs](https://example.com/docs)")
    await box.press("Enter")

    msg = bob.message("bold and under")
    await msg.wait_for()
    assert "👋" in await msg.locator(".content p").first.inner_text()
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

    # An edit re-renders for the other side.
    await box.press("ArrowUp")
    edit = alice.page.get_by_label("Edit message")
    await edit.fill("~~struck~~ and `fixed`")
    await edit.press("Enter")
    edited = bob.message("struck")
    await edited.locator(".content del", has_text="struck").wait_for()
    assert await edited.locator(".content code").inner_text() == "fixed"

    # The rest of Discord's syntax, and markup that must stay text.
    guild_id = await _guild_id(alice)
    general = await alice.page.evaluate("amityvox.app.ui.channelId")
    token = await alice.token()
    r = await server.http.post(f"/api/v1/guilds/{guild_id}/roles", json={"name": "Readers"}, headers=auth(token))
    assert r.status_code == 201, r.text
    role_id = r.json()["data"]["id"]
    content = "\n".join(
        [
            f"*slanted* for <@&{role_id}> and @everyone in <#{general}> at <t:1700000000:F>",
            "# A heading",
            "- one",
            "- two",
            "1. first",
            "",
            '<img src="x" onerror="window.injected = 1"><b>not bold</b>',
        ]
    )
    r = await server.http.post(f"/api/v1/channels/{general}/messages", json={"content": content}, headers=auth(token))
    assert r.status_code in (200, 201), r.text
    rest = bob.message("slanted")
    await rest.wait_for()
    assert await rest.locator(".content em").inner_text() == "slanted"
    assert await rest.locator(".mention[data-role]").inner_text() == "@Readers"
    assert await rest.locator(".mention.everyone").inner_text() == "@everyone"
    assert await rest.locator(".mention.channel").inner_text() == "#general"
    # Mentions sit in the line (the sidebar's channel buttons share the class name).
    for mention in await rest.locator(".mention").all():
        assert await mention.evaluate("(e) => getComputedStyle(e).display") == "inline"
    stamp = rest.locator("time.timestamp")
    assert await stamp.get_attribute("datetime") == "2023-11-14T22:13:20.000Z"
    assert "<t:" not in await stamp.inner_text() and "2023" in await stamp.inner_text()
    assert await rest.locator(".content h1").inner_text() == "A heading"
    assert await rest.locator(".content ul > li").all_inner_texts() == ["one", "two"]
    assert await rest.locator(".content ol > li").all_inner_texts() == ["first"]
    assert await rest.locator(".content img, .content b").count() == 0
    assert "<b>not bold</b>" in await rest.locator(".content").inner_text()
    assert await bob.page.evaluate("window.injected") is None
    await bob.page.mouse.move(0, 0)
    await bob.page.screenshot(path=str(SCREENSHOTS / "markdown-more-1280x800.png"))
    await alice.finish()
    await bob.finish()


async def _guild_id(person: Person) -> str:
    guild_id: str = await person.page.evaluate("amityvox.app.ui.guildId")
    return guild_id


async def test_mentions_and_emoji_from_autocomplete_are_sent_as_tokens(server: Server, browser: Any) -> None:
    alice, bob = await _pair(server, browser)
    bob_id = await bob.page.evaluate("amityvox.app.state.self_user.id")
    general = await alice.page.evaluate("amityvox.app.ui.channelId")
    page = alice.page
    box = page.locator("#composer-input")
    suggestions = page.get_by_role("listbox")

    # Esc dismisses the list, and it stays away while that word is typed on.
    await box.press_sequentially("@bo")
    await suggestions.wait_for()
    await box.press("Escape")
    await suggestions.wait_for(state="detached")
    await box.press_sequentially("b")
    await page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert await suggestions.count() == 0
    await box.fill("")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await box.press_sequentially("hey @bo")
    await suggestions.get_by_role("option", name="bob").wait_for()
    await box.press("Tab")
    await suggestions.wait_for(state="detached")
    await box.press_sequentially("see #gen")
    await suggestions.get_by_role("option", name="#general").wait_for()
    await box.press("Enter")
    await box.press_sequentially("**now** :tad")
    # The list follows the keys as the page reads them: ":ta" first lists other emoji.
    await suggestions.get_by_role("option").first.filter(has_text="tada").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "autocomplete-1280x800.png"))
    await box.press("ArrowDown")
    await box.press("ArrowUp")  # back to the first: the list wraps and follows the keys
    await box.press("Enter")
    assert await box.input_value() == "hey @bob see #general **now** 🎉 "
    await box.press_sequentially("and :smile: by hand")
    await box.press("Escape")  # closes nothing open; the text stays
    await box.press("Enter")

    msg = bob.message("now")
    await msg.wait_for()
    assert await msg.locator(".mention.me").inner_text() == "@bob"
    assert await msg.locator(".mention.channel").inner_text() == "#general"
    assert await msg.locator("strong").inner_text() == "now"
    assert "🎉" in await msg.inner_text() and "😄" in await msg.inner_text()
    assert await msg.get_attribute("class") == "msg mentioned"
    sent = await page.evaluate("(c) => Object.values(amityvox.app.state.messages[c]).map((m) => m.content)", general)
    assert f"hey <@{bob_id}> see <#{general}> **now** 🎉 and 😄 by hand" in sent, sent
    await alice.finish()
    await bob.finish()


async def test_the_edit_box_suggests_like_the_composer(server: Server, browser: Any) -> None:
    alice, bob = await _pair(server, browser)
    bob_id = await bob.page.evaluate("amityvox.app.state.self_user.id")
    general = await alice.page.evaluate("amityvox.app.ui.channelId")
    page = alice.page
    box = page.locator("#composer-input")
    await box.fill("first draft")
    await box.press("Enter")
    await alice.message("first draft").wait_for()

    await box.press("ArrowUp")
    edit = page.get_by_label("Edit message")
    await edit.press("End")
    await edit.press_sequentially(" for @bo")
    suggestions = page.locator("#edit-suggestions")
    await suggestions.get_by_role("option", name="bob").wait_for()
    assert await edit.get_attribute("aria-expanded") == "true"
    assert await page.locator("#composer-suggestions").count() == 0
    await edit.press("Enter")  # chooses; does not save
    await suggestions.wait_for(state="detached")
    assert await edit.input_value() == "first draft for @bob "
    await edit.press_sequentially("in #gen")
    await suggestions.get_by_role("option", name="#general").wait_for()
    await edit.press("Tab")
    await edit.press_sequentially(":tad")
    await suggestions.get_by_role("option").first.filter(has_text="tada").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "edit-autocomplete-1280x800.png"))
    await edit.press("Enter")
    await page.locator("#edit-suggestions").wait_for(state="detached")
    await edit.press_sequentially(" @bo")
    await suggestions.wait_for()
    await edit.press("Escape")  # closes the list; the edit stays open
    await suggestions.wait_for(state="detached")
    assert await edit.is_visible()
    await edit.press("Enter")  # saves

    msg = bob.message("first draft for")
    await msg.locator(".content .mention.me", has_text="@bob").wait_for()
    assert await msg.locator(".mention.channel").inner_text() == "#general"
    assert "🎉" in await msg.inner_text()
    contents = await page.evaluate(
        "(c) => Object.values(amityvox.app.state.messages[c]).map((m) => m.content)", general
    )
    assert f"first draft for <@{bob_id}> in <#{general}> 🎉  @bo" in contents, contents
    await alice.finish()
    await bob.finish()


async def test_drafts_survive_switching_channels_and_reloading(server: Server, browser: Any) -> None:
    alice = await register(browser, server, "alice")
    await create_guild(alice, "Drafts")
    token = await alice.token()
    guild_id = await _guild_id(alice)
    r = await server.http.post(
        f"/api/v1/guilds/{guild_id}/channels", json={"name": "random", "channel_type": "text"}, headers=auth(token)
    )
    assert r.status_code == 201, r.text
    page = alice.page
    box = page.locator("#composer-input")
    await page.locator("#sidebar .channel", has_text="random").wait_for()

    await box.press_sequentially("a half-written thought")
    await box.press("Shift+Enter")  # a new line, not a message
    await box.press_sequentially("with two lines")
    await page.locator("#sidebar .channel", has_text="random").click()
    await page.locator("#chat-header", has_text="random").wait_for()
    assert await box.input_value() == ""
    await box.fill("something for random")
    await page.locator("#sidebar .channel", has_text="general").click()
    await page.locator("#chat-header", has_text="general").wait_for()
    assert await box.input_value() == "a half-written thought\nwith two lines"

    await page.reload()
    await page.locator("#chat-header", has_text="general").wait_for()
    assert await box.input_value() == "a half-written thought\nwith two lines"
    await page.locator("#sidebar .channel", has_text="random").click()
    await page.locator("#chat-header", has_text="random").wait_for()
    assert await box.input_value() == "something for random"
    await box.press("Enter")
    await alice.message("something for random").wait_for()
    assert await box.input_value() == ""
    await page.locator("#sidebar .channel", has_text="general").click()
    await page.locator("#sidebar .channel", has_text="random").click()
    await page.locator("#chat-header", has_text="random").wait_for()
    assert await box.input_value() == ""  # a sent message leaves no draft behind
    await alice.finish()


async def test_reactions_and_emoji_from_the_picker(server: Server, browser: Any) -> None:
    alice, bob = await _pair(server, browser)
    token = await alice.token()
    r = await server.http.post(
        f"/api/v1/guilds/{await _guild_id(alice)}/emoji", json={"name": "partyblob"}, headers=auth(token)
    )
    assert r.status_code in (200, 201), r.text
    emoji_id = r.json()["data"]["id"]
    await bob.page.locator(".emoji-toggle").wait_for()
    box = alice.page.locator("#composer-input")
    await box.fill("pick a reaction")
    await box.press("Enter")

    # Bob searches the picker for "fire" and takes the first match.
    msg = bob.message("pick a reaction")
    await msg.hover()
    await msg.get_by_role("button", name="Add reaction").click()
    search = msg.get_by_role("searchbox", name="Search emoji")
    await search.fill("fire")
    await msg.get_by_role("button", name=":fire:").wait_for()
    await search.press("Enter")
    mine = alice.message("pick a reaction").locator(".reaction", has_text="🔥")
    await mine.locator(".r-count", has_text="1").wait_for()
    assert await mine.get_attribute("title") == ":fire:"

    # The server's own emoji have their tab; the picture is missing, so its name shows.
    await msg.hover()
    await msg.get_by_role("button", name="Add reaction").click()
    assert await msg.get_by_role("menuitem").first.inner_text() == "🔥"  # recently used comes first
    await msg.get_by_role("button", name="This server").click()
    await msg.get_by_role("button", name=":partyblob:").click()
    await alice.message("pick a reaction").locator(".reaction[title=':partyblob:'] .r-count", has_text="1").wait_for()

    # The composer's picker inserts at the caret.
    page = bob.page
    await page.locator("#composer-input").fill("party ")
    await page.get_by_role("button", name="Choose an emoji").click()
    await page.locator("#composer-popup").get_by_role("button", name="Food & Drink").click()
    await page.screenshot(path=str(SCREENSHOTS / "emoji-picker-1280x800.png"))
    await page.locator("#composer-popup").get_by_role("button", name=":pizza:").click()
    await page.locator("#composer-popup .emoji-picker").wait_for(state="detached")
    assert await page.locator("#composer-input").input_value() == "party 🍕"

    # The keyboard alone: ↓ from the search box into the grid, → to the next one, Enter.
    await page.get_by_role("button", name="Choose an emoji").click()
    await page.locator("#composer-popup").get_by_role("searchbox", name="Search emoji").fill("heart")
    await page.locator("#composer-popup").get_by_role("button", name=":heart:").wait_for()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowRight")
    second = await page.evaluate("document.activeElement.dataset.emoji")
    assert second == await page.locator("#composer-popup .emoji-cell").nth(1).get_attribute("data-emoji")
    await page.keyboard.press("Enter")
    assert await page.locator("#composer-input").input_value() == f"party 🍕 {second}"

    # A skin tone chosen once colours the emoji that take one.
    await page.get_by_role("button", name="Choose an emoji").click()
    popup = page.locator("#composer-popup")
    await popup.get_by_role("radio", name="Medium skin tone").click()
    await popup.get_by_role("searchbox", name="Search emoji").fill("thumbsup")
    await popup.get_by_role("button", name=":thumbsup:").click()
    assert (await page.locator("#composer-input").input_value()).endswith(" 👍🏽")

    # The server's own emoji from the composer's picker: sent as the guild emoji's token.
    await page.get_by_role("button", name="Choose an emoji").click()
    await popup.get_by_role("button", name="This server").click()
    await popup.get_by_role("button", name=":partyblob:").click()
    await page.locator("#composer-input").press("Enter")
    sent = alice.message("party 🍕")
    await sent.locator(".content .emoji-name", has_text=":partyblob:").wait_for()
    general = await alice.page.evaluate("amityvox.app.ui.channelId")
    contents = await alice.page.evaluate(
        "(c) => Object.values(amityvox.app.state.messages[c]).map((m) => m.content)", general
    )
    assert any(f"<:partyblob:{emoji_id}>" in c for c in contents), contents
    await alice.finish()
    await bob.finish()
