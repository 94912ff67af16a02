"""Background workers react to catalog events by name: every name is in the catalog, and no
service subscribes by a subject string of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import amityvox.services
from amityvox.events import CATALOG
from amityvox.services.reacts import REACTIONS, reacts_to
from amityvox.services.workers import WORKERS

SERVICES = Path(amityvox.services.__file__).parent


def test_every_reaction_names_catalog_events() -> None:
    assert WORKERS  # importing the workers declares their reactions
    names = {name for reaction in REACTIONS for name in reaction.names}
    assert "MESSAGE_CREATE" in names
    assert names <= set(CATALOG), names - set(CATALOG)


def test_a_name_outside_the_catalog_is_refused_when_declared() -> None:
    with pytest.raises(KeyError, match="not in the event catalog"):
        reacts_to("MESSAGE_CREATED", queue="nobody")


def test_no_service_subscribes_by_a_literal_subject() -> None:
    literal = []
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "subscribe":
                if node.args and isinstance(node.args[0], ast.Constant):
                    literal.append(f"{path.name}:{node.lineno}")
    assert literal == []
