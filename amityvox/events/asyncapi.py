"""The gateway described as an AsyncAPI 3.0 document, generated from the catalog."""

from __future__ import annotations

from typing import Any

from amityvox.events.catalog import CATALOG
from amityvox.events.types import Scope

_AUDIENCE_WORDS = {
    Scope.GUILD: "members of the guild named by `{key}`",
    Scope.CHANNEL: "sessions that can view the channel named by `{key}` (DM/group: its recipients)",
    Scope.USER: "every session of the user named by `{key}`",
    Scope.SOCIAL: "the user named by `{key}`, their friends, co-members and DM peers",
    Scope.MODERATORS: "moderators of the guild named by `{key}`",
    Scope.PERMISSION: "members of the guild named by `{key}` who hold {permission}",
    Scope.EVERYONE: "every identified session",
    Scope.SESSION: "only the requesting session",
}


def _audience(event: Any) -> str:
    a = event.audience
    text = _AUDIENCE_WORDS[a.scope].format(key=a.key, permission=a.permission)
    if a.plus:
        text += ", plus " + ", ".join(f"`{p}`" for p in a.plus)
    if a.minus:
        text += f", except `{a.minus}`"
    return text


def document(version: str = "0.1.0") -> dict[str, Any]:
    """Channels are subjects, messages are the events' payload schemas, audiences are described."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for event in CATALOG.values():
        if not event.client_visible:
            continue
        schema = event.payload.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        model = event.payload.__name__
        schemas.setdefault(model, schema)
        messages[event.name] = {
            "name": event.name,
            "title": event.name,
            "summary": event.description or event.name,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{model}"},
            "x-audience": _audience(event),
        }
        channels[event.name] = {
            "address": event.subject,
            "title": event.name,
            "description": f"Delivered as op 0 with t={event.name} to {_audience(event)}.",
            "messages": {event.name: {"$ref": f"#/components/messages/{event.name}"}},
        }
        operations[f"receive_{event.name}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{event.name}"},
            "messages": [{"$ref": f"#/channels/{event.name}/messages/{event.name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "AmityVox gateway",
            "version": version,
            "description": "Real-time events, one channel per catalog event. Frames are "
            '`{"op": 0, "t": NAME, "s": seq, "d": payload}` on the WebSocket at /ws.',
        },
        "defaultContentType": "application/json",
        "servers": {"gateway": {"host": "127.0.0.1:8080", "pathname": "/ws", "protocol": "ws"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
