"""The web client's type check: `tsc --noEmit` over amityvox/web/js (tools/typecheck).

Every module starts with `// @ts-check`, so the compiler checks each against the others'
JSDoc and the wire objects' typedefs (js/payloads.js, generated from the payload models).
TypeScript is pinned in tools/typecheck's lockfile and installed with `npm ci` when missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.filelock import locked
from tests.web import make_types
from tests.web.conftest import BUILD, ROOT

TYPECHECK = ROOT / "tools" / "typecheck"
WEB_JS = ROOT / "amityvox" / "web" / "js"


def _tsc() -> list[str]:
    """The command that runs the pinned compiler, installed from the lockfile if needed."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("`node` (Node.js 20+) is not installed: the web client cannot be type-checked")
    installed = TYPECHECK / "node_modules" / ".package-lock.json"
    with locked(BUILD / "typecheck-install"):  # one `npm ci` for parallel workers
        if not installed.exists() or installed.stat().st_mtime < (TYPECHECK / "package-lock.json").stat().st_mtime:
            npm = shutil.which("npm")
            if npm is None:
                pytest.skip("`npm` is not installed: TypeScript cannot be installed from tools/typecheck's lockfile")
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TYPECHECK, check=True, timeout=300
            )
    return [node, str(TYPECHECK / "node_modules" / "typescript" / "bin" / "tsc")]


def test_every_module_asks_for_the_check() -> None:
    unchecked = [
        str(path.relative_to(ROOT))
        for path in sorted(WEB_JS.rglob("*.js"))
        if not path.read_text(encoding="utf-8").startswith("// @ts-check\n")
    ]
    assert unchecked == [], f"start these with `// @ts-check`: {unchecked}"


def test_payload_typedefs_match_the_models() -> None:
    assert make_types.OUTPUT.read_text(encoding="utf-8") == make_types.render(), (
        "js/payloads.js is out of date: run `.venv/bin/python -m tests.web.make_types`"
    )


def test_tsc_finds_no_type_error() -> None:
    result = subprocess.run(
        [*_tsc(), "--noEmit", "--pretty", "false", "-p", str(TYPECHECK)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]


def test_tsc_reports_a_type_error(tmp_path: Path) -> None:
    """The check is live: a module that misuses a typed store fails it."""
    bad = tmp_path / "bad.js"
    bad.write_text(
        "// @ts-check\n"
        f'import {{ createState }} from "{(WEB_JS / "stores.js").as_posix()}";\n'
        "export const name = createState().guilds.g.nmae;\n",
        encoding="utf-8",
    )
    config = tmp_path / "tsconfig.json"
    config.write_text(
        f'{{"extends": "{(TYPECHECK / "tsconfig.json").as_posix()}", "include": ["{bad.as_posix()}"]}}',
        encoding="utf-8",
    )
    result = subprocess.run(
        [*_tsc(), "--noEmit", "--pretty", "false", "-p", str(config)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0
    assert "nmae" in result.stdout
