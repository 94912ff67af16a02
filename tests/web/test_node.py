"""The web client's JS tests (tests/web/js, `node --test`), run from pytest.

The reducer vectors they replay are produced by the Python SDK's stores (make_vectors.py);
a test here checks the checked-in vectors are what the current Python stores produce, so
the two clients cannot drift apart unnoticed. The markdown tests need a DOM (jsdom) from
tools/web-vendor, installed here with `npm ci` from its lockfile when missing; the same
lockfile pins the vendored copies under amityvox/web/vendor, which must match it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.filelock import locked
from tests.web import make_vectors
from tests.web.conftest import BUILD, ROOT, record_handled

JS_TESTS = Path(__file__).with_name("js")
WEB_VENDOR = ROOT / "tools" / "web-vendor"


def _node_with_vendor_modules() -> str:
    """`node`, with tools/web-vendor's node_modules installed as its lockfile says."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("`node` (Node.js 20+) is not installed: the web client's JS tests cannot run")
    installed = WEB_VENDOR / "node_modules" / ".package-lock.json"
    with locked(BUILD / "web-vendor-install"):  # one `npm ci` for parallel workers
        stale = not installed.exists() or installed.stat().st_mtime < (WEB_VENDOR / "package-lock.json").stat().st_mtime
        if stale:
            npm = shutil.which("npm")
            if npm is None:
                pytest.skip("`npm` is not installed: tools/web-vendor's test modules (jsdom) cannot be installed")
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB_VENDOR, check=True, timeout=300
            )
    return node


def test_vectors_match_the_python_stores() -> None:
    stale = []
    for name in make_vectors.SCENARIOS:
        path = make_vectors.VECTOR_DIR / f"{name}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != make_vectors.render(make_vectors.build(name)):
            stale.append(name)
    assert not stale, f"vectors out of date: {stale}; run `.venv/bin/python -m tests.web.make_vectors`"


def test_vectors_cover_every_handler() -> None:
    from tests.web.conftest import handler_names

    used = {"READY"}
    for path in make_vectors.VECTOR_DIR.glob("*.json"):
        used |= {name for name, _ in json.loads(path.read_text(encoding="utf-8"))["events"]}
    assert set(handler_names()) - used == set()


def test_vendored_web_libraries_match_the_lockfile() -> None:
    node = _node_with_vendor_modules()
    result = subprocess.run(
        [node, "refresh.mjs", "--check"], cwd=WEB_VENDOR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_node_suite(tmp_path: Path) -> None:
    node = _node_with_vendor_modules()
    env = {**os.environ, "AMITYVOX_WEB_EVIDENCE_DIR": str(tmp_path)}
    result = subprocess.run(
        [node, "--test", str(JS_TESTS)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# fail 0" in result.stdout
    record_handled(json.loads((tmp_path / "node-handled.json").read_text(encoding="utf-8")))
