#!/usr/bin/env python3
"""Set up and run AmityVox on a fresh machine with only Python and pip.

python3 run.py serve [amityvox serve flags]   # create .venv if missing, install, serve
python3 run.py test  [pytest args]            # install with test extras, lint, type-check, test,
                                              # then (full runs) the parity gate
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _sh(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True, env=env)


def _install(target: str) -> None:
    """Install the project (editable) into the venv. uv, itself a wheel from the same index,
    resolves and installs in seconds what takes pip a minute or more; pip is the fallback."""
    try:
        _sh(BIN / "python", "-m", "pip", "install", "--quiet", "uv")
        _sh(BIN / "python", "-m", "uv", "pip", "install", "--quiet", "--python", BIN / "python", "-e", target)
        return
    except subprocess.CalledProcessError:
        print("installing with uv failed: installing with pip", flush=True)
    _sh(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _sh(BIN / "python", "-m", "pip", "install", "--quiet", "-e", target)


def ensure(extras: str) -> None:
    """Create the venv and (re)install when pyproject.toml changed or the extras are missing."""
    if sys.version_info < (3, 11):
        sys.exit(f"AmityVox needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / ".amityvox-installed"
    # The stamp holds the pyproject digest and the extras installed with it ("test" includes "").
    recorded = stamp.read_text().split() if stamp.exists() else []
    if recorded[:1] == [digest] and (not extras or extras in recorded[1:]):
        return
    _install(f".[{extras}]" if extras else ".")
    stamp.write_text(" ".join([digest, *([extras] if extras else [])]))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "serve":
        ensure("")
        os.execv(BIN / "amityvox", [str(BIN / "amityvox"), "serve", *rest])
    ensure("test")
    _sh(BIN / "ruff", "check", ".")
    # The type check and the bytecode steps below each keep one core busy: they run side by side.
    print("+ mypy amityvox  (alongside the bytecode steps)", flush=True)
    mypy = subprocess.Popen([str(BIN / "mypy"), "amityvox"], cwd=ROOT)
    # Every test worker and every server the suite starts as a subprocess imports the project:
    # with PYTHONDONTWRITEBYTECODE set (as on some CI machines) each would compile its modules
    # again, and each worker would rewrite every test module's asserts again. Write both once:
    # compileall for the modules, one collection for pytest's rewritten test modules.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    _sh(BIN / "python", "-m", "compileall", "-q", "-j", "0", "amityvox", "tests", env=env)
    collect = [str(BIN / "python"), "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    if not rest:  # a narrower run writes what it imports itself
        subprocess.run(collect, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # the run below reports its errors
    if mypy.wait() != 0:
        return mypy.returncode
    # Three pytest-xdist workers on two cores keep both busy (the suite is CPU-bound: servers,
    # clients and Chromium all run here). An idle worker takes tests queued for another
    # (worksteal), so no worker trails the run. The slowest tests are listed at the end.
    default = ["-q", "-n", "3", "--dist", "worksteal", "--durations=25"]
    result = subprocess.run([str(BIN / "python"), "-m", "pytest", *(rest or default)], cwd=ROOT, env=env)
    if result.returncode != 0 or rest:
        return result.returncode
    # A full run has just written the conformance evidence: the parity gate reads it.
    parity = subprocess.run([str(BIN / "amityvox"), "parity", "--check", "--output", "docs/parity-report.md"], cwd=ROOT)
    return parity.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
