"""The parity gate catches a broken route: a leak found end to end fails `amityvox parity --check`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from amityvox.cli import main
from amityvox.events import CATALOG
from amityvox.events.types import Audience, Scope
from tests.conformance.cast import Cast
from tests.conformance.harness import Scenario, exercise


async def test_a_private_channel_event_routed_to_the_whole_guild_fails_the_gate(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Break one route on purpose: MESSAGE_CREATE declared for the whole guild, as the original did.
    broken = dataclasses.replace(CATALOG["MESSAGE_CREATE"], audience=Audience(Scope.GUILD, "guild_id"))
    monkeypatch.setitem(CATALOG, "MESSAGE_CREATE", broken)
    scenario = Scenario(
        "MESSAGE_CREATE", lambda c: c.rest["actor"].send_message(c.secret, "psst"), lambda c: c.secret_viewers
    )
    result = await exercise(cast, scenario, record=False)
    assert result["leaked"] == ["hidden"]
    monkeypatch.setitem(
        CATALOG, "MESSAGE_CREATE", dataclasses.replace(broken, audience=Audience(Scope.CHANNEL, "channel_id"))
    )

    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps({"events": {"MESSAGE_CREATE": result}}))
    assert main(["parity", "--evidence", str(evidence), "--check", "--output", str(tmp_path / "r.md")]) == 1
    err = capsys.readouterr().err
    assert "parity: MESSAGE_CREATE: LEAK" in err and "hidden" in err
