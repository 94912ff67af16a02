"""`amityvox admin …` from the console: the same operations, clear output and exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amityvox.cli import main


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("AMITYVOX_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("AMITYVOX_ARGON2_MEMORY_KIB", "8")
    return ["--data-dir", str(tmp_path / "data")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_console_administration(data: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("root", "bob"):
        assert run(capsys, "admin", "create-user", name, "--password", "long password", *data)[0] == 0
    assert run(capsys, "admin", "set-admin", "root", *data)[0] == 0
    code, out, _ = run(capsys, "admin", "users", "--json", *data)
    users = {u["username"]: u for u in json.loads(out)}
    assert code == 0 and users["root"]["is_admin"] and not users["bob"]["is_admin"]

    code, out, _ = run(capsys, "admin", "suspend", "bob", *data)
    assert code == 0 and out.strip() == "bob: suspended"
    code, out, _ = run(capsys, "admin", "user", users["bob"]["id"], "--json", *data)
    assert json.loads(out)["suspended"] is True
    assert run(capsys, "admin", "unsuspend", "bob", *data)[0] == 0

    code, _, err = run(capsys, "admin", "unset-admin", "root", *data)
    assert code == 1 and "last administrator" in err
    code, _, err = run(capsys, "admin", "suspend", "nobody", *data)
    assert code == 1 and err.strip() == "error: user not found"
    code, _, err = run(capsys, "admin", "reset-2fa", "bob", *data)
    assert code == 1 and "two-factor authentication is off" in err

    code, _, err = run(capsys, "admin", "set", "registration_mode", "sometimes", *data)
    assert code == 1 and "registration_mode must be one of open, invite_only, closed" in err
    code, _, err = run(capsys, "admin", "set", "max_guilds_per_user", "many", *data)
    assert code == 1 and "whole number" in err
    code, _, err = run(capsys, "admin", "set", "colour", "red", *data)
    assert code == 1 and "unknown setting" in err
    assert run(capsys, "admin", "set", "registration_mode", "invite_only", *data)[0] == 0
    code, out, _ = run(capsys, "admin", "settings", "--json", *data)
    assert json.loads(out)["registration_mode"] == "invite_only"

    code, _, err = run(capsys, "admin", "delete-user", "bob", *data)
    assert code == 1 and "--yes" in err
    assert run(capsys, "admin", "delete-user", "bob", "--yes", *data)[0] == 0
    code, out, _ = run(capsys, "admin", "stats", "--json", *data)
    assert json.loads(out)["users"] == 1
    code, _, err = run(capsys, "admin", "delete-guild", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "--yes", *data)
    assert code == 1 and "guild not found" in err
