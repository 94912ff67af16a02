"""The AsyncAPI document: one channel per client-visible event, every reference resolvable."""

from __future__ import annotations

from typing import Any

from amityvox.events import client_visible
from amityvox.events.asyncapi import document
from tests.conftest import Server


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        assert part in node, f"unresolvable {ref}"
        node = node[part]
    return node


def test_document_structure() -> None:
    doc = document()
    assert doc["asyncapi"] == "3.0.0"
    assert {"title", "version"} <= set(doc["info"])
    events = {e.name: e for e in client_visible()}
    assert set(doc["channels"]) == set(events)
    for name, channel in doc["channels"].items():
        assert channel["address"] == events[name].subject
        operation = doc["operations"][f"receive_{name}"]
        assert operation["action"] == "receive"
        assert operation["channel"] == {"$ref": f"#/channels/{name}"}
    for ref in _refs(doc):
        _resolve(doc, ref)
    message = doc["components"]["messages"]["MESSAGE_REACTION_ADD"]
    payload = _resolve(doc, message["payload"]["$ref"])
    assert {"message_id", "channel_id", "user_id", "emoji", "count"} <= set(payload["properties"])
    assert "channel" in message["x-audience"]


async def test_served_by_the_api(server: Server) -> None:
    r = await server.http.get("/api/v1/gateway/asyncapi.json")
    assert r.status_code == 200 and r.json() == document()
