"""The normal form in which the client's cache and a fresh REST fetch are compared
(`convergence.py`): volatile fields dropped, unordered lists sorted, objects keyed by id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from amityvox.client.rest import JSON

MESSAGE_LIMIT = 100  # messages compared per channel: the newest, as one REST page holds them

# Fields REST and events legitimately disagree on, dropped from both sides before comparing.
VOLATILE_FIELDS: dict[str, frozenset[str]] = {
    # MESSAGE_CREATE echoes the sender's `nonce` so the sender can match its pending message;
    # stored messages have no nonce, so REST never shows one.
    "message": frozenset({"nonce"}),
}

# Lists whose order carries no meaning, sorted so that order never counts as a difference.
_SET_LISTS: dict[str, dict[str, str | None]] = {
    "channel": {"permission_overwrites": "id", "recipients": "id"},
    "member": {"roles": None},
    "message": {"mention_user_ids": None, "mention_role_ids": None, "reactions": "emoji"},
    "read_state": {},
    "guild": {},
    "role": {},
    "emoji": {},
    "user": {},
    "relationship": {},
}


def normalise(kind: str, obj: JSON) -> JSON:
    """One object as compared: volatile fields dropped, unordered lists sorted."""
    out = {k: v for k, v in obj.items() if k not in VOLATILE_FIELDS.get(kind, ())}
    for name, key in _SET_LISTS.get(kind, {}).items():
        value = out.get(name)
        if isinstance(value, list):
            out[name] = sorted(value, key=(lambda item, k=key: item[k]) if key else None)
    if kind == "channel" and isinstance(out.get("recipients"), list):
        out["recipients"] = [normalise("user", u) for u in out["recipients"]]
    if kind in ("member", "relationship") and isinstance(out.get("user"), dict):
        out["user"] = normalise("user", out["user"])
    if kind == "message" and isinstance(out.get("author"), dict):
        out["author"] = normalise("user", out["author"])
    if kind == "message" and isinstance(out.get("attachments"), list):
        out["attachments"] = [_unsigned(a) for a in out["attachments"]]
    return out


def _unsigned(attachment: JSON) -> JSON:
    """File URLs are signed with an expiry that moves on once a day: two fetches either side of
    that moment name the same file with different URLs, so only the part before `ex=` counts."""

    def cut(url: Any) -> Any:
        return url.split("ex=", 1)[0] if isinstance(url, str) else url

    out = {**attachment, "url": cut(attachment.get("url"))}
    if isinstance(out.get("thumbnails"), list):
        out["thumbnails"] = [{**t, "url": cut(t.get("url"))} for t in out["thumbnails"]]
    return out


def keyed(kind: str, items: Iterable[JSON], key: str = "id") -> dict[str, JSON]:
    return {item[key]: normalise(kind, item) for item in items}


def read_states(items: Iterable[JSON]) -> dict[str, JSON]:
    """Channels never read with nothing unread are the same as channels with no entry at all."""
    return {
        rs["channel_id"]: normalise("read_state", rs)
        for rs in items
        if rs.get("last_message_id") is not None or rs["unread_count"] or rs["mention_count"]
    }
