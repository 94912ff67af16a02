"""docs/protocol.md against the code: its generated events table, its opcodes and close codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from amityvox.cli import main
from amityvox.events import CATALOG, markdown
from amityvox.gateway.protocol import Close, Op

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def test_events_table_matches_the_catalog() -> None:
    assert markdown.section(DOC.read_text()) == markdown.tables(), (
        f"docs/protocol.md's events table differs from the catalog: run `{markdown.REGENERATE}`"
    )


def test_every_event_and_alias_is_in_the_table() -> None:
    table = markdown.tables()
    for event in CATALOG.values():
        for name in event.wire_names:
            assert f"`{name}`" in table, name


def test_every_opcode_and_close_code_is_documented() -> None:
    page = DOC.read_text()
    opcodes = set(re.findall(r"^\| (\d+) \| ([A-Z_]+) \|", page, re.M))
    assert opcodes == {(str(op.value), op.name) for op in Op}
    closes = {int(code) for code in re.findall(r"^\| (\d{4}) \| ", page, re.M)}
    assert closes == {int(code) for code in Close}


def test_write_updates_only_the_generated_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "protocol.md"
    page.write_text(f"# Title\n\nprose\n\n{markdown.BEGIN}\nstale\n{markdown.END}\n\nmore prose\n")
    assert main(["events", "--format", "md", "--write", str(page)]) == 0
    text = page.read_text()
    assert text.startswith("# Title\n\nprose\n\n") and text.endswith("\n\nmore prose\n")
    assert markdown.section(text) == markdown.tables()
    assert main(["events", "--format", "md", "--write", str(page)]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_write_refuses_a_page_without_markers(tmp_path: Path) -> None:
    page = tmp_path / "protocol.md"
    page.write_text("# no markers\n")
    with pytest.raises(ValueError, match="markers"):
        markdown.write(page)
    assert page.read_text() == "# no markers\n"
