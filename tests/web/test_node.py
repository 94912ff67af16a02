"""The web client's JS tests (tests/web/js, `node --test`), run from pytest.

The reducer vectors they replay are produced by the Python SDK's stores (make_vectors.py);
a test here checks the checked-in vectors are what the current Python stores produce, so
the two clients cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.web import make_vectors
from tests.web.conftest import ROOT, record_handled

JS_TESTS = Path(__file__).with_name("js")


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


def test_node_suite(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("`node` (Node.js 20+) is not installed: the web client's JS tests cannot run")
    env = {**os.environ, "AMITYVOX_WEB_EVIDENCE_DIR": str(tmp_path)}
    result = subprocess.run(
        [node, "--test", str(JS_TESTS)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# fail 0" in result.stdout
    record_handled(json.loads((tmp_path / "node-handled.json").read_text(encoding="utf-8")))
