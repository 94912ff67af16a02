"""Names other people read (display names, nicknames): one form, and nothing hidden in them.

A name is NFKC-normalised, so compatibility forms (fullwidth letters, ligatures, superscripts)
read as the letters they stand for, and surrounding whitespace is stripped. Characters that
change how the rest of a line reads without showing themselves are refused: control
characters (a newline starts a fake second line), format characters (right-to-left overrides
reverse what follows; zero-width spaces and joiners split a name into one that merely looks
the same) and line or paragraph separators. The one exception is a zero-width joiner between
two symbols, which is how emoji sequences such as families and flags are written.
"""

from __future__ import annotations

import unicodedata

from amityvox.errors import bad_request

_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_ZWJ = "\u200d"
_EMOJI_PARTS = frozenset({"So", "Sk"})
_VARIATION = "\ufe0f"  # emoji presentation selector, often right before a joiner


def _joins_emoji(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    before_ok = before == _VARIATION or (before != "" and unicodedata.category(before) in _EMOJI_PARTS)
    return before_ok and after != "" and unicodedata.category(after) in _EMOJI_PARTS


def hidden_character(text: str) -> str | None:
    """The first character of `text` that acts unseen (see the module), or None."""
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in _HIDDEN and not (ch == _ZWJ and _joins_emoji(text, i)):
            return ch
    return None


def clean_name(value: str, field: str, max_length: int) -> str | None:
    """The stored form of a display name or nickname; None when it is blank (cleared); 400 when it
    holds a hidden character or is longer than `max_length` once normalised."""
    name = unicodedata.normalize("NFKC", value).strip()
    if not name:
        return None
    hidden = hidden_character(name)
    if hidden is not None:
        raise bad_request(f"{field} may not contain control or formatting characters (found U+{ord(hidden):04X})")
    if len(name) > max_length:
        raise bad_request(f"{field} must be at most {max_length} characters")
    return name
