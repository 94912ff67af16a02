"""AutoMod rule configs: what each kind stores, and the 400 that names what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from amityvox.errors import ApiError
from amityvox.services.automod import check_config

STORED = [
    ("word", {"words": [" Darn ", "darn", "HECK"]}, {"words": ["darn", "heck"]}),
    ("regex", {"pattern": "da+rn"}, {"pattern": "da+rn"}),
    ("spam", {"max_messages": 5, "per_seconds": 10}, {"max_messages": 5, "per_seconds": 10}),
    ("links", {}, {"allow_domains": [], "deny_domains": []}),
    (
        "links",
        {"deny_domains": ["Example.COM.", "example.com", " a.b "]},
        {"allow_domains": [], "deny_domains": ["example.com", "a.b"]},
    ),
]

REFUSED = [
    ("magic", {}, "validation_error", "rule_type must be one of word, regex, spam, links"),
    ("word", None, "validation_error", "config must be an object"),
    ("word", {}, "validation_error", "config.words must be a list of strings"),
    ("word", {"words": ["a", 1]}, "validation_error", "config.words must be a list of strings"),
    ("word", {"words": ["x", 1] * 60}, "validation_error", "config.words must be a list of strings"),
    ("word", {"words": ["x"] * 101}, "validation_error", "config.words holds at most 100 entries"),
    ("word", {"words": ["  "]}, "validation_error", "config.words needs 1-100 words of 1-64 characters"),
    ("word", {"words": 5, "zz": 1, "b": 2}, "validation_error", "unknown config field(s) for a word rule: b, zz"),
    ("regex", {}, "invalid_pattern", "config.pattern must be 1-256 characters"),
    ("regex", {"pattern": 5}, "invalid_pattern", "config.pattern must be 1-256 characters"),
    ("regex", {"pattern": "(", "x": 1}, "validation_error", "unknown config field(s) for a regex rule: x"),
    (
        "spam",
        {"max_messages": 0, "per_seconds": 5},
        "validation_error",
        "config.max_messages must be an integer from 1 to 1000",
    ),
    (
        "spam",
        {"max_messages": True, "per_seconds": 5},
        "validation_error",
        "config.max_messages must be an integer from 1 to 1000",
    ),
    (
        "spam",
        {"max_messages": "5", "per_seconds": 5},
        "validation_error",
        "config.max_messages must be an integer from 1 to 1000",
    ),
    ("spam", {"max_messages": 5}, "validation_error", "config.per_seconds must be an integer from 1 to 3600"),
    ("links", {"allow_domains": None}, "validation_error", "config.allow_domains must be a list of strings"),
    (
        "links",
        {"deny_domains": ["not a domain"]},
        "validation_error",
        "config.deny_domains: 'not a domain' is not a domain name",
    ),
    (
        "links",
        {"allow_domains": ["bad domain"], "deny_domains": [1]},
        "validation_error",
        "config.allow_domains: 'bad domain' is not a domain name",
    ),
    ("links", {"allow_domains": ["a.com"] * 101}, "validation_error", "config.allow_domains holds at most 100 entries"),
]


@pytest.mark.parametrize(("kind", "config", "stored"), STORED)
def test_each_kind_stores_its_config_normalised(kind: str, config: Any, stored: dict[str, Any]) -> None:
    assert check_config(kind, config) == stored


@pytest.mark.parametrize(("kind", "config", "code", "message"), REFUSED)
def test_a_bad_config_is_refused_naming_what_is_wrong(kind: str, config: Any, code: str, message: str) -> None:
    with pytest.raises(ApiError) as refused:
        check_config(kind, config)
    assert (refused.value.status, refused.value.code, refused.value.message) == (400, code, message)


def test_a_pattern_re2_refuses_is_an_invalid_pattern() -> None:
    with pytest.raises(ApiError) as refused:
        check_config("regex", {"pattern": r"(a)\1"})
    assert refused.value.code == "invalid_pattern" and "RE2 syntax" in refused.value.message
