"""Field types shared by request bodies, strict where pydantic's lax mode would guess.

Lax mode turns `true` into 1 and `2.0` into 2; for a permission bitfield that silently grants
a bit, so these types take only what docs/rest.md says and refuse the rest with 400.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, PlainValidator, WithJsonSchema

from amityvox.ids import is_ulid

_MAX_BITS = 1 << 64


def _permission_bits(value: Any) -> int:
    """A permission bitfield (docs/rest.md#permissions): a uint64 as a JSON integer or a decimal string."""
    if isinstance(value, int) and not isinstance(value, bool):
        bits = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        bits = int(value)
    else:
        raise ValueError("must be an integer or a string of decimal digits")
    if not 0 <= bits < _MAX_BITS:
        raise ValueError("must be an unsigned 64-bit integer")
    return bits


PermissionBits = Annotated[
    int,
    PlainValidator(_permission_bits),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]{1,20}$"}]}),
]


def _media_id(value: str) -> str:
    # The services check that the id names an upload of the right kind (services/media.py).
    if not is_ulid(value):
        raise ValueError("must be a 26-character id")
    return value.upper()


MediaId = Annotated[str, AfterValidator(_media_id)]
