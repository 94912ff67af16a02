"""Files in the web client, end to end in Chromium: paste an image, drop a PDF, see the thumbnail
arrive live on the other side, open the lightbox, download the PDF byte for byte; outsiders get
nothing; a file over the limit is refused before it is sent."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from tests.conftest import Server, auth
from tests.media.helpers import PDF, png
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import guild_with, until

# The page builds File objects from base64 and fires the events a person's paste or drop would.
_GIVE_FILE = """([kind, name, type, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  if (kind === "paste") {
    document.getElementById("composer-input").dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  } else {
    const chat = document.getElementById("chat");
    chat.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
    chat.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  }
}"""


async def give_file(page: Any, kind: str, name: str, content_type: str, data: bytes) -> None:
    await page.evaluate(_GIVE_FILE, [kind, name, content_type, base64.b64encode(data).decode()])


async def test_paste_drop_thumbnail_lightbox_and_download(server: Server, browser: Any, tmp_path: Path) -> None:
    alice, bob = await guild_with(browser, server, "Photos", "alice", "bob")
    outsider = await server.register("outsider")

    # Alice pastes a picture and drops a PDF; both upload with a progress bar, then say "ready".
    page = alice.page
    await give_file(page, "paste", "", "image/png", png(1200, 800, (30, 140, 90)))
    await give_file(page, "drop", "report.pdf", "application/pdf", PDF)
    tray = page.locator(".upload-tray")
    await tray.locator(".upload.done").nth(1).wait_for()
    assert await tray.locator(".upload", has_text="report.pdf").count() == 1
    await page.locator("#composer-input").fill("our trip")
    await page.locator("#composer-input").press("Enter")
    await tray.wait_for(state="detached")
    mine = alice.message("our trip")
    await mine.locator(".file-card", has_text="report.pdf").wait_for()

    # Bob sees the message live: first the BlurHash placeholder or at once the thumbnail, which
    # the worker's MESSAGE_UPDATE brings; the thumbnail really loads.
    theirs = bob.message("our trip")
    await theirs.wait_for()
    thumb = theirs.locator("img.attachment-img.loaded")
    await thumb.wait_for()
    assert "size=1024" in (await thumb.get_attribute("src") or "")
    await until(bob, "() => document.querySelector('#messages img.attachment-img.loaded')?.naturalWidth > 0")
    # The lightbox shows the original, and Esc closes it.
    await theirs.get_by_role("button", name="Open pasted-").click()
    dialog = bob.page.get_by_role("dialog")
    await dialog.wait_for()
    await until(bob, "() => document.querySelector('.lightbox-img')?.naturalWidth === 1200")
    await bob.page.keyboard.press("Escape")
    await dialog.wait_for(state="detached")

    # The PDF downloads byte for byte.
    async with bob.page.expect_download() as info:
        await theirs.get_by_role("link", name="Download report.pdf").click()
    download = await info.value
    target = tmp_path / "report.pdf"
    await download.save_as(target)
    assert target.read_bytes() == PDF

    # Someone outside the guild cannot fetch it with their token, nor anyone without a link.
    url = await theirs.locator("a.file-name").get_attribute("href")
    assert url is not None and "sig=" in url
    bare = url.split("?")[0]
    assert (await server.http.get(bare, headers=auth(outsider["token"]))).status_code in (403, 404)
    assert (await server.http.get(bare)).status_code == 403
    # A signature is bound to its file, size and expiry: changing any of them is refused.
    other_ex = url.replace("ex=", "ex=1", 1)
    assert (await server.http.get(other_ex, headers=auth(outsider["token"]))).status_code == 403
    assert (await server.http.get(url + "&size=256", headers=auth(outsider["token"]))).status_code == 403

    # A file over the limit is refused in the page, before any byte is sent.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/attachments" in r.url else None)
    await page.evaluate(
        """() => {
          const data = new DataTransfer();
          data.items.add(new File([new Uint8Array(26 * 1024 * 1024)], "huge.bin"));
          const chat = document.getElementById("chat");
          chat.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
        }"""
    )
    await page.get_by_role("alert").filter(has_text="huge.bin: too large").wait_for()
    assert requests == []
    await page.get_by_role("button", name="Remove huge.bin").click()
    await tray.wait_for(state="detached")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await bob.page.screenshot(path=str(SCREENSHOTS / "media-bob.png"))
    await alice.finish()
    await bob.finish()
