"""Browser fixtures for the web client, and the evidence file the parity report reads.

The browser is Debian's Chromium (`/usr/bin/chromium`, or AMITYVOX_CHROMIUM) driven by the
Python `playwright` package; nothing is downloaded. Tests that need it skip, saying why, when
either is missing. Every name the JS stores applied (in the browser and in the Node vector
runs) is collected into build/web-evidence.json at the end of the session.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for b in _launch(CHROMIUM_ARGS):
        yield b


@pytest.fixture
async def media_browser() -> AsyncIterator[Any]:
    """Chromium whose pages get a fake microphone (a beep) without asking, and may play audio
    without a click first: two contexts of it can hold a real WebRTC call."""
    async for b in _launch(CHROMIUM_ARGS + MEDIA_ARGS):
        yield b
