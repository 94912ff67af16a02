"""Browser fixtures for the web client, and the evidence file the parity report reads.

The browser is Debian's Chromium (`/usr/bin/chromium`, or AMITYVOX_CHROMIUM) driven by the
Python `playwright` package; nothing is downloaded. Tests that need it skip, saying why, when
either is missing. Every name the JS stores applied (in the browser and in the Node vector
runs) is collected into build/web-evidence.json at the end of the session.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.conftest import Server, _serve, make_settings
from tests.filelock import locked

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
SCREENSHOTS = BUILD / "screenshots"
EVIDENCE = BUILD / "web-evidence.json"
HANDLERS_JS = ROOT / "amityvox" / "web" / "js" / "handlers.js"
CHROMIUM = os.environ.get("AMITYVOX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
MEDIA_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
# One handler per line: `  NAME(state, d) {` at two spaces of indentation.
HANDLER_LINE = re.compile(r"^  ([A-Z][A-Z0-9_]*)\(state, d\) \{$", re.MULTILINE)

handled: set[str] = set()  # names the JS stores applied during this session


def handler_names() -> list[str]:
    return HANDLER_LINE.findall(HANDLERS_JS.read_text(encoding="utf-8"))


def record_handled(names: Any) -> None:
    handled.update(str(n) for n in names)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not handled:
        return
    with locked(EVIDENCE):  # parallel workers each add what their tests applied
        previous: set[str] = set()
        if EVIDENCE.exists():
            # A partial run (one test file) adds to what a fuller run already proved.
            try:
                previous = set(json.loads(EVIDENCE.read_text(encoding="utf-8")).get("handled", []))
            except (ValueError, AttributeError):
                previous = set()
        table = handler_names()
        data = {"handled": sorted((handled | previous) & set(table)), "handlers": sorted(table)}
        EVIDENCE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _chromium_missing() -> bool:
    return not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM))


async def _launch(args: list[str]) -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("the `playwright` Python package is not installed (pip install playwright)")
    if _chromium_missing():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set AMITYVOX_CHROMIUM)")
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield b
        finally:
            await b.close()


class BrowserView:
    """The worker's shared Chromium as one test sees it: every context the test opens is closed
    when it ends, so the next test starts from a browser with no pages, cookies or storage."""

    def __init__(self, shared: Any) -> None:
        self.shared = shared
        self.contexts: list[Any] = []

    async def new_context(self, **options: Any) -> Any:
        context = await self.shared.new_context(**options)
        self.contexts.append(context)
        return context

    async def close_contexts(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):  # already gone with a crashed page
                await context.close()


# Starting Playwright's driver and Chromium takes seconds: each test worker does it once, and
# browser tests share that worker's event loop (see pytest_collection_modifyitems).
@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _chromium() -> AsyncIterator[Any]:
    async for b in _launch(CHROMIUM_ARGS):
        yield b


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _media_chromium() -> AsyncIterator[Any]:
    async for b in _launch(CHROMIUM_ARGS + MEDIA_ARGS):
        yield b


@pytest_asyncio.fixture(loop_scope="session")
async def browser(_chromium: Any) -> AsyncIterator[Any]:
    view = BrowserView(_chromium)
    yield view
    await view.close_contexts()


@pytest_asyncio.fixture(loop_scope="session")
async def media_browser(_media_chromium: Any) -> AsyncIterator[Any]:
    """Chromium whose pages get a fake microphone (a beep) without asking, and may play audio
    without a click first: two contexts of it can hold a real WebRTC call."""
    view = BrowserView(_media_chromium)
    yield view
    await view.close_contexts()


@pytest_asyncio.fixture(loop_scope="session")
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    """The shared `server` fixture, started on the browser tests' loop."""
    async for s in _serve(make_settings(tmp_path)):
        yield s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run on their worker's session loop, where the shared Chromium lives; their
    async fixtures say `loop_scope="session"` too."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents and inspect.iscoroutinefunction(getattr(item, "obj", None)):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)  # before auto mode's own
