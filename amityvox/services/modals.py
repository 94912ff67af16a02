"""Modals: the form a bot answers a command with (callback 9), and the member's one submission.

`check_modal` reads the bot's `data` as Discord does (1-5 action rows, each holding one text
input; titles and labels at most 45 characters, custom_ids at most 100) into the form stored
with the interaction and sent to the member. `check_submission` reads the member's answer
against that form: the same custom_ids, each once, and every value within its input's rules.
Both refuse with 400 and a `code` naming the rule (`invalid_modal`, `invalid_modal_submission`).
"""

from __future__ import annotations

from typing import Any

from amityvox.errors import bad_request

ACTION_ROW, TEXT_INPUT = 1, 4  # component types
SHORT, PARAGRAPH = 1, 2  # text input styles
MAX_ROWS = 5
MAX_TITLE = MAX_LABEL = 45
MAX_CUSTOM_ID = 100
MAX_PLACEHOLDER = 100
MAX_VALUE = 4000
_MODAL_KEYS = frozenset({"custom_id", "title", "components"})
_INPUT_KEYS = frozenset(
    {"type", "custom_id", "style", "label", "min_length", "max_length", "required", "value", "placeholder"}
)


def _invalid(message: str) -> Exception:
    return bad_request(message, code="invalid_modal")


def _text(value: Any, where: str, high: int, *, low: int = 1) -> str:
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise _invalid(f"{where} must be {low}-{high} characters")
    return value


def _length(value: Any, where: str, low: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_VALUE:
        raise _invalid(f"{where} must be an integer in {low}..{MAX_VALUE}")
    return value


def _text_input(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict) or item.get("type") != TEXT_INPUT:
        raise _invalid(f"{where} must be a text input (type {TEXT_INPUT})")
    if unknown := set(item) - _INPUT_KEYS:
        raise _invalid(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
    style = item.get("style")
    if style not in (SHORT, PARAGRAPH) or isinstance(style, bool):
        raise _invalid(f"{where}.style must be {SHORT} (short) or {PARAGRAPH} (paragraph)")
    required = item.get("required", True)
    if not isinstance(required, bool):
        raise _invalid(f"{where}.required must be true or false")
    low = _length(item.get("min_length"), f"{where}.min_length", 0)
    high = _length(item.get("max_length"), f"{where}.max_length", 1)
    if low is not None and high is not None and low > high:
        raise _invalid(f"{where}.min_length must not exceed max_length")
    out: dict[str, Any] = {
        "type": TEXT_INPUT,
        "custom_id": _text(item.get("custom_id"), f"{where}.custom_id", MAX_CUSTOM_ID),
        "style": style,
        "label": _text(item.get("label"), f"{where}.label", MAX_LABEL),
        "required": required,
    }
    if low is not None:
        out["min_length"] = low
    if high is not None:
        out["max_length"] = high
    if item.get("value") is not None:
        out["value"] = _text(item["value"], f"{where}.value", high or MAX_VALUE, low=0)
    if item.get("placeholder") is not None:
        out["placeholder"] = _text(item["placeholder"], f"{where}.placeholder", MAX_PLACEHOLDER, low=0)
    return out


def check_modal(data: Any) -> dict[str, Any]:
    """The callback's `data` as stored and sent: `{custom_id, title, components}`."""
    if not isinstance(data, dict):
        raise _invalid("data must be an object with custom_id, title and components")
    if unknown := set(data) - _MODAL_KEYS:
        raise _invalid(f"unknown modal fields: {', '.join(sorted(unknown))}")
    rows = data.get("components")
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS:
        raise _invalid(f"a modal has 1-{MAX_ROWS} action rows")
    checked: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        where = f"components[{i}]"
        if not isinstance(row, dict) or row.get("type") != ACTION_ROW or set(row) - {"type", "components"}:
            raise _invalid(f"{where} must be an action row (type {ACTION_ROW})")
        held = row.get("components")
        if not isinstance(held, list) or len(held) != 1:
            raise _invalid(f"{where} must hold exactly one text input")
        checked.append({"type": ACTION_ROW, "components": [_text_input(held[0], f"{where}.components[0]")]})
    ids = [field["custom_id"] for field in inputs({"components": checked})]
    if len(set(ids)) != len(ids):
        raise _invalid("the text inputs' custom_ids must be unique")
    return {
        "custom_id": _text(data.get("custom_id"), "custom_id", MAX_CUSTOM_ID),
        "title": _text(data.get("title"), "title", MAX_TITLE),
        "components": checked,
    }


def inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    """The modal's text inputs, in order."""
    return [row["components"][0] for row in modal["components"]]


def _refused(message: str) -> Exception:
    return bad_request(message, code="invalid_modal_submission")


def check_submission(modal: dict[str, Any], custom_id: Any, rows: Any) -> dict[str, Any]:
    """The member's values checked against the modal sent: the INTERACTION_CREATE `data`."""
    if custom_id != modal["custom_id"]:
        raise _refused("custom_id names a different modal")
    if not isinstance(rows, list):
        raise _refused("components must be a list of action rows")
    values: dict[str, str] = {}
    for i, row in enumerate(rows):
        items = row.get("components") if isinstance(row, dict) and row.get("type") == ACTION_ROW else None
        if not isinstance(items, list):
            raise _refused(f"components[{i}] must be an action row (type {ACTION_ROW})")
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
                raise _refused(f"components[{i}] holds text inputs with a custom_id")
            if not isinstance(item.get("value"), str):
                raise _refused(f"{item['custom_id']!r} needs a string value")
            if item["custom_id"] in values:
                raise _refused(f"{item['custom_id']!r} is given twice")
            values[item["custom_id"]] = item["value"]
    declared = inputs(modal)
    expected = {field["custom_id"] for field in declared}
    if set(values) != expected:
        raise _refused(f"the modal's inputs are {', '.join(sorted(expected))}")
    out = []
    for field in declared:
        value, label = values[field["custom_id"]], field["label"]
        if not value and field["required"]:
            raise _refused(f"{label!r} is required")
        low, high = field.get("min_length", 0), field.get("max_length", MAX_VALUE)
        if value and not low <= len(value) <= high:
            raise _refused(f"{label!r} must be {low}-{high} characters")
        out.append({"type": ACTION_ROW, "components": [{"type": TEXT_INPUT, "custom_id": field["custom_id"],
                                                         "value": value}]})  # fmt: skip
    return {"custom_id": modal["custom_id"], "components": out}
