"""The web client's handler table (amityvox/web/js/handlers.js) against the event catalog.

Every event a client can see — the client-visible catalog, which holds READY, RESUMED and
GUILD_MEMBERS_CHUNK, plus the client-local GATEWAY_* events the JS gateway synthesises —
has exactly one handler; no handler names an event the catalog does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

from amityvox.events import catalog
from amityvox.events.types import Scope
from amityvox.parity.report import web_handlers
from tests.conftest import Server
from tests.web.conftest import HANDLERS_JS, handler_names

LOCAL = {e.name for e in catalog.CATALOG.values() if e.audience.scope is Scope.LOCAL}


def expected() -> set[str]:
    return {e.name for e in catalog.client_visible()} | LOCAL


def test_the_table_names_every_client_event_once() -> None:
    names = handler_names()
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    missing = expected() - set(names)
    unknown = set(names) - expected()
    assert not missing, f"events without a web handler: {sorted(missing)}"
    assert not unknown, f"web handlers for events the catalog does not have: {sorted(unknown)}"


def test_the_clients_alias_table_is_the_catalogs() -> None:
    text = (HANDLERS_JS.parent / "state.js").read_text(encoding="utf-8")
    table = re.search(r"export const ALIASES = \{([^}]*)\}", text)
    assert table is not None
    assert dict(re.findall(r'(\w+): "(\w+)"', table.group(1))) == catalog.ALIASES


def test_session_and_client_local_events_are_in_it() -> None:
    names = set(handler_names())
    assert {"READY", "RESUMED", "GUILD_MEMBERS_CHUNK"} <= names
    assert {"GATEWAY_DISCONNECTED", "GATEWAY_AUTH_FAILED", "GATEWAY_EXHAUSTED"} == LOCAL <= names
    assert "FEDERATION_RETRY" not in names  # internal: never reaches a client


def test_every_entry_follows_the_one_line_shape() -> None:
    """`handlers = {` then `  NAME(state, d) {` entries: the parity report reads them the same way."""
    text = HANDLERS_JS.read_text(encoding="utf-8")
    assert "export const handlers = {\n" in text
    body = text.split("export const handlers = {\n", 1)[1]
    entries = [line for line in body.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    shaped = [line for line in entries if not line.strip().startswith("//") and line.strip() not in ("},", "")]
    assert len(shaped) == len(handler_names()), [line for line in shaped if "(state, d) {" not in line]
    # Without evidence (not build/'s, which other test processes write as they finish): the table.
    assert web_handlers(evidence=Path("/nonexistent/web-evidence.json")) == set(handler_names())


async def test_the_served_catalog_matches_the_table(server: Server) -> None:
    """What the page compares itself with at startup (dev mode) says the same."""
    r = await server.http.get("/api/v1/gateway/catalog")
    assert r.status_code == 200
    served = {e["name"] for e in r.json()["data"] if e["audience"] != "internal"}
    assert served == set(handler_names())
