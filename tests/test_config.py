"""Settings precedence, validation messages, and the example file staying in sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from amityvox import config
from amityvox.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_defaults() -> None:
    s = config.load(env={})
    assert (s.host, s.port, s.data_dir) == ("127.0.0.1", 8080, "./data")
    assert s.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert s.resolved_database_url.endswith("/data/amityvox.db")


def test_env_overrides_file(tmp_path: Path) -> None:
    f = tmp_path / "amityvox.toml"
    f.write_text('[server]\nport = 9000\nhost = "0.0.0.0"\n[storage]\ndatabase_url = "postgresql://u@h/db"\n')
    s = config.load(f, env={"AMITYVOX_PORT": "9100"})
    assert s.port == 9100 and s.host == "0.0.0.0"
    assert s.resolved_database_url == "postgresql+asyncpg://u@h/db"
    assert s.with_overrides(port=9200, host=None).port == 9200


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AMITYVOX_PORT": "eighty"}, "port"),
        ({"AMITYVOX_PORT": "70000"}, "port"),
        ({"AMITYVOX_BUS_URL": "redis://x"}, "bus_url"),
        ({"AMITYVOX_DATABASE_URL": "mysql://x"}, "database_url"),
        ({"AMITYVOX_LINK_PREVIEWS": "maybe"}, "link_previews"),
    ],
)
def test_invalid_values_name_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(config.ConfigError, match=named):
        config.load(env=env)


def test_unknown_key_in_file_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "amityvox.toml"
    f.write_text("[server]\nprot = 1\n")
    with pytest.raises(config.ConfigError, match="prot"):
        config.load(f, env={})


def test_example_file_documents_every_setting() -> None:
    assert (ROOT / "amityvox.example.toml").read_text() == config.example_toml()
    parsed = config.load(ROOT / "amityvox.example.toml", env={})
    assert parsed == config.Settings()


def test_cli_reports_bad_config(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMITYVOX_PORT", "nope")
    assert main(["migrate"]) == 2
    assert "port" in capsys.readouterr().err


def test_cli_admin_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert main(["migrate", *data]) == 0
    assert main(["admin", "create-user", "root", "--password", "long password", *data]) == 0
    assert main(["admin", "create-user", "root", "--password", "long password", *data]) == 1
    assert main(["admin", "set-admin", "root", *data]) == 0
    assert main(["admin", "set-admin", "nobody", *data]) == 1
    out = capsys.readouterr()
    assert "created user root" in out.out and "already registered" in out.err


def test_cli_events_lists_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from amityvox.events import CATALOG

    assert main(["events", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == list(CATALOG)
    assert {"name", "subject", "seed_subject", "audience", "category"} <= set(rows[0])
