"""JSDoc typedefs of the wire objects, for the web client's type check.

amityvox/web/js/payloads.js is generated from the server's payload models
(amityvox/events/payloads.py) so the JS modules that name a `Guild` or a `Message`
check against the shape the server sends. Regenerate after a payload change with:

    .venv/bin/python -m tests.web.make_types
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from amityvox.events import payloads
from amityvox.events.payloads import Payload

OUTPUT = Path(__file__).resolve().parents[2] / "amityvox" / "web" / "js" / "payloads.js"
HEADER = """\
// @ts-check
// The wire objects, as JSDoc typedefs generated from amityvox/events/payloads.py by
// tests/web/make_types.py (do not edit: regenerate). Fields marked optional are omitted
// from a frame when null. IDs are ULID strings, bitfields decimal strings.

export {};
"""


def models() -> list[type[Payload]]:
    """Every payload model, in the order the module declares them (a module's namespace keeps
    the order its names were bound in; asking `inspect` for each class's line re-parses the
    whole module per class)."""
    return [
        obj
        for obj in vars(payloads).values()
        if inspect.isclass(obj) and issubclass(obj, Payload) and obj is not Payload
        if obj.__module__ == payloads.__name__
    ]


def js_type(schema: dict[str, Any]) -> str:
    """A JSON schema (as pydantic writes it) as a JSDoc type expression."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        parts = [js_type(s) for s in schema["anyOf"]]
        return " | ".join(dict.fromkeys(parts))
    if "const" in schema:
        return _literal(schema["const"])
    if "enum" in schema:
        return " | ".join(_literal(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items")
        inner = js_type(items) if items else "any"
        return f"Array<{inner}>"
    if kind == "object":
        extra = schema.get("additionalProperties")
        value = js_type(extra) if isinstance(extra, dict) else "any"
        return f"Record<string, {value}>"
    return {"string": "string", "integer": "number", "number": "number", "boolean": "boolean", "null": "null"}.get(
        kind or "", "any"
    )


def _literal(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value).lower()


def typedef(model: type[Payload]) -> str:
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    required = set(schema.get("required", []))
    doc = (inspect.getdoc(model) or "").split("\n\n")[0].replace("\n", " ")
    lines = ["/**"]
    if doc and model.__doc__:
        lines.append(f" * {doc}")
    lines.append(f" * @typedef {{Object}} {model.__name__}")
    for name, prop in schema.get("properties", {}).items():
        field = name if name in required else f"[{name}]"
        lines.append(f" * @property {{{js_type(prop)}}} {field}")
    lines.append(" */")
    return "\n".join(lines)


def render() -> str:
    return HEADER + "".join(f"\n{typedef(model)}\n" for model in models())


if __name__ == "__main__":
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
