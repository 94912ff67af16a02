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


# Names a test may use on a context that a reset cannot undo: a context that used one is
# closed when the test ends instead of being lent again.
_NOT_RESETTABLE = frozenset(
    {"expose_binding", "expose_function", "route_from_har", "route_web_socket", "set_geolocation", "clock", "tracing"}
)


class LentContext:
    """A pooled browser context as one test holds it: what the test adds to it (init scripts)
    is recorded so the pool can take it away again; everything else is the context itself."""

    def __init__(self, context: Any, key: str) -> None:
        self._context = context
        self.key = key  # the options it was made with, as the pool files it
        self.undo: list[Any] = []  # the init scripts' disposables
        self.resettable = True

    def __getattr__(self, name: str) -> Any:
        if name in _NOT_RESETTABLE:
            self.resettable = False
        return getattr(self._context, name)

    async def add_init_script(self, script: str | None = None, **kwargs: Any) -> Any:
        disposable = await self._context.add_init_script(script, **kwargs)
        self.undo.append(disposable)
        return disposable


class ContextPool:
    """The worker's browser contexts, lent to one test at a time and reset in between.

    A context's first page starts a renderer process, about a second of CPU here: the largest
    cost of a browser test. A context given back keeps one page, parked on about:blank, whose
    renderer (bound to the 127.0.0.1 site every test server shares) then serves the next
    test's pages. Between tests the context loses every page but that one, its init scripts,
    routes and permissions, and all cookies, local storage and IndexedDB of every origin
    (`set_storage_state`), with the HTTP cache: a test still starts from a blank browser, even
    when its server happens to get a port an earlier test's server had."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.idle: dict[str, list[Any]] = {}  # by the options the contexts were made with

    async def take(self, options: dict[str, Any]) -> LentContext:
        key = json.dumps(options, sort_keys=True)
        idle = self.idle.get(key)
        return LentContext(idle.pop() if idle else await self.browser.new_context(**options), key)

    async def give_back(self, lent: LentContext) -> None:
        context = lent._context
        try:
            if not lent.resettable:
                raise RuntimeError("the test used what a reset cannot undo")
            for disposable in lent.undo:
                await disposable.dispose()
            anchor, *others = context.pages or [await context.new_page()]
            for page in others:
                await page.close()
            await anchor.goto("about:blank")
            cdp = await context.new_cdp_session(anchor)
            await cdp.send("Network.clearBrowserCache")
            await cdp.detach()
            await context.unroute_all(behavior="ignoreErrors")
            await context.clear_permissions()
            await context.set_offline(False)
            await context.set_extra_http_headers({})
            await context.set_storage_state({"cookies": [], "origins": []})
        except Exception:  # a crashed page, or a use no reset undoes: this context is not lent again
            with contextlib.suppress(Exception):
                await context.close()
            return
        self.idle.setdefault(lent.key, []).append(context)


class BrowserView:
    """The worker's shared Chromium as one test sees it: contexts come from the worker's pool
    and go back to it, reset, when the test ends, so the next test starts from a browser with
    no pages, cookies or storage of its own."""

    def __init__(self, pool: ContextPool) -> None:
        self.pool = pool
        self.contexts: list[LentContext] = []

    async def new_context(self, **options: Any) -> LentContext:
        context = await self.pool.take(options)
        self.contexts.append(context)
        return context

    async def close_contexts(self) -> None:
        for context in self.contexts:
            await self.pool.give_back(context)


# Starting Playwright's driver and Chromium takes seconds: each test worker does it once, and
# browser tests share that worker's event loop (see pytest_collection_modifyitems).
@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _chromium() -> AsyncIterator[ContextPool]:
    async for b in _launch(CHROMIUM_ARGS):
        yield ContextPool(b)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _media_chromium() -> AsyncIterator[ContextPool]:
    async for b in _launch(CHROMIUM_ARGS + MEDIA_ARGS):
        yield ContextPool(b)


@pytest_asyncio.fixture(loop_scope="session")
async def browser(_chromium: ContextPool) -> AsyncIterator[BrowserView]:
    view = BrowserView(_chromium)
    yield view
    await view.close_contexts()


@pytest_asyncio.fixture(loop_scope="session")
async def media_browser(_media_chromium: ContextPool) -> AsyncIterator[BrowserView]:
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
