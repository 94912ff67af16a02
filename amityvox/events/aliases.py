"""What the original AmityVox clients read, derived from our payloads when an event is published.

The original web client reads a few fields under other names (VOICE_STATE_UPDATE's `muted`,
CALL_RING's `caller_name`) and one event under another name (LOCATION_SHARE_END for our
LOCATION_SHARE_STOP). The catalog names both kinds on the event's entry (`derive`, `aliases`),
so an alias stays one declared event with one route: the derived fields are part of its
payload model, and an alias name is sent as a second frame with the same `d` to the same
sessions, right after the first.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


def _put(out: JSON, key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def voice_state(d: JSON) -> JSON:
    """`action` (a join is stated by the publisher; no channel is a leave; else an update),
    `muted`/`deafened` (by oneself or by a moderator) and the user's names."""
    user = d["user"]
    out = {
        **d,
        "action": d.get("action") or ("leave" if d.get("channel_id") is None else "update"),
        "muted": d["self_mute"] or d["mute"],
        "deafened": d["self_deaf"] or d["deaf"],
        "username": user["username"],
    }
    _put(out, "display_name", user.get("display_name"))
    _put(out, "avatar_id", user.get("avatar_id"))
    return out


def call_ring(d: JSON) -> JSON:
    caller = d["caller"]
    out = {**d, "caller_name": caller["username"]}
    _put(out, "caller_display_name", caller.get("display_name"))
    _put(out, "caller_avatar_id", caller.get("avatar_id"))
    return out
