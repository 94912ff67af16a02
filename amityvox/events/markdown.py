"""The catalog as Markdown: the events and objects tables of docs/protocol.md.

The tables sit between two marker comments in that page; `splice` replaces what is between
them, and a test fails when the page and the catalog differ
(`amityvox events --format md --write docs/protocol.md` rewrites it).
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel

from amityvox.events.catalog import CATALOG, CATEGORIES
from amityvox.events.types import Audience, EventType

BEGIN = "<!-- events table: generated from amityvox/events/catalog.py; do not edit by hand -->"
END = "<!-- end of events table -->"
REGENERATE = ".venv/bin/amityvox events --format md --write docs/protocol.md"

_UNIONS = (Union, types.UnionType)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Models an annotation holds directly or through Optional, list or dict values."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _type_note(annotation: Any) -> str:
    """` Name` or ` [Name]` for a field holding an object (or a list of them); '' otherwise."""
    origin = get_origin(annotation)
    if origin in _UNIONS:
        inner = [a for a in get_args(annotation) if a is not type(None)]
        return _type_note(inner[0]) if len(inner) == 1 else ""
    if origin is list:
        note = _type_note(get_args(annotation)[0])
        return f" [{note.strip()}]" if note else ""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f" {annotation.__name__}"
    return ""


def fields(model: type[BaseModel]) -> str:
    """`name` for each field, `name?` when it may be omitted, and the object it holds if any."""
    hints = get_type_hints(model)  # resolved: a field's own annotation may still be a forward reference
    parts = []
    for name, info in model.model_fields.items():
        mark = "" if info.is_required() else "?"
        parts.append(f"`{name}{mark}`{_type_note(hints[name])}")
    return ", ".join(parts) if parts else "`{}`"


def audience(a: Audience) -> str:
    """The scope, the payload field naming its target, and who is added or left out."""
    text = a.scope.value if a.key is None else f"{a.scope.value} of `{a.key}`"
    if a.permission:
        text += f" holding {a.permission}"
    if a.plus:
        text += " + " + ", ".join(f"`{p}`" for p in a.plus)
    if a.minus:
        text += f" except `{a.minus}`"
    if a.before:
        text += " (routed as it was before the change)"
    return text


def _objects(events: list[EventType]) -> list[type[BaseModel]]:
    """Every model nested in an event payload, in the order first met (walking breadth-first)."""
    seen: dict[type[BaseModel], None] = {}
    queue = [e.payload for e in events]
    while queue:
        model = queue.pop(0)
        hints = get_type_hints(model)
        for name in model.model_fields:
            for nested in _models_in(hints[name]):
                if nested not in seen:
                    seen[nested] = None
                    queue.append(nested)
    return list(seen)


def _ordered() -> list[EventType]:
    """By category (the catalog's order of categories), then by name."""
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(CATALOG.values(), key=lambda e: (rank[e.category], e.name))


def tables() -> str:
    """The generated section: events (name, audience, category, payload), then the objects they carry."""
    events = _ordered()
    objects = _objects(events)
    shared = set(objects)
    lines = [
        "| event | audience | category | payload `d` |",
        "|---|---|---|---|",
    ]
    for e in events:
        name = f"`{e.name}`" + "".join(f" (also sent as `{alias}`)" for alias in e.aliases)
        title = e.payload.__name__
        payload = f"[{title}](#{title.lower()})" if e.payload in shared else fields(e.payload)
        lines.append(f"| {name} | {audience(e.audience)} | {e.category} | {payload} |")
    lines += ["", "### Objects", "", "Objects that event payloads carry (`?`: the field may be absent)."]
    for model in sorted(objects, key=lambda m: m.__name__):
        lines += ["", f"#### {model.__name__}", "", fields(model)]
    return "\n".join(lines) + "\n"


def splice(page: str, generated: str) -> str:
    """`page` with the text between the markers replaced by `generated`."""
    head, sep, rest = page.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"the page lacks the markers {BEGIN!r} … {END!r}")
    return f"{head}{BEGIN}\n\n{generated}\n{END}{tail}"


def section(page: str) -> str:
    """What is between the markers of `page` now (as `splice` writes it)."""
    _, _, rest = page.partition(BEGIN)
    inner, _, _ = rest.partition(END)
    return inner.removeprefix("\n\n").removesuffix("\n")


def write(path: Path) -> bool:
    """Bring the generated section of the page at `path` up to date; True when it changed."""
    page = path.read_text()
    updated = splice(page, tables())
    if updated == page:
        return False
    path.write_text(updated)
    return True
