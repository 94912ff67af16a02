"""The cache has exactly one handler per event a client can receive, each named after its event."""

from __future__ import annotations

import logging

import pytest

from amityvox.client import State, UnknownEvent, handled_event_names
from amityvox.client.stores.base import HANDLER_PREFIX, StoreBase
from amityvox.client.stores.guilds import GuildStore
from amityvox.client.stores.messages import MessageStore
from amityvox.events import CATALOG, Scope, client_visible


def audit(cls: type[StoreBase]) -> tuple[set[str], set[str], dict[str, int]]:
    """(events without a handler, handlers naming no event, events defined by more than one store)."""
    expected = set(handled_event_names())
    defined: dict[str, int] = {}
    for klass in cls.__mro__:
        for attr in vars(klass):
            if attr.startswith(HANDLER_PREFIX) and callable(vars(klass)[attr]):
                name = attr[len(HANDLER_PREFIX) :].upper()
                defined[name] = defined.get(name, 0) + 1
    missing = expected - set(cls.handlers)
    extra = set(cls.handlers) - expected
    twice = {name: n for name, n in defined.items() if n > 1}
    return missing, extra, twice


def test_every_client_event_has_exactly_one_handler_and_every_handler_names_one() -> None:
    missing, extra, twice = audit(State)
    assert missing == set(), f"catalog events without a handler: {sorted(missing)}"
    assert extra == set(), f"handlers for events a client never receives: {sorted(extra)}"
    assert twice == {}, f"events handled by more than one store: {twice}"
    assert len(State.handlers) == len(handled_event_names())


def test_the_handled_events_are_the_wire_events_plus_the_client_local_ones() -> None:
    local = {e.name for e in CATALOG.values() if e.audience.scope is Scope.LOCAL}
    assert local == {"GATEWAY_DISCONNECTED", "GATEWAY_AUTH_FAILED", "GATEWAY_EXHAUSTED"}
    assert set(handled_event_names()) == {e.name for e in client_visible()} | local
    assert {"READY", "RESUMED", "GUILD_MEMBERS_CHUNK"} <= set(handled_event_names())
    assert "FEDERATION_RETRY" not in handled_event_names()  # internal: never reaches a client


def test_the_audit_catches_a_store_missing_handlers() -> None:
    missing, _, _ = audit(MessageStore)
    assert "GUILD_CREATE" in missing and "READY" in missing
    assert "MESSAGE_CREATE" not in missing


def test_the_audit_catches_a_handler_defined_twice() -> None:
    class Twice(GuildStore):
        def on_guild_update(self, d: dict[str, object]) -> None:
            pass

    class Combined(Twice, GuildStore):
        pass

    assert audit(Combined)[2] == {"GUILD_UPDATE": 2}


def test_a_misnamed_handler_fails_when_the_class_is_created() -> None:
    with pytest.raises(TypeError, match="MESAGE_CREATE"):

        class Typo(StoreBase):
            def on_mesage_create(self, d: dict[str, object]) -> None:
                pass


def test_strict_state_raises_on_an_event_without_a_handler() -> None:
    with pytest.raises(UnknownEvent):
        State(strict=True).apply("NOT_AN_EVENT", {})
    with pytest.raises(UnknownEvent):
        State(strict=True).apply("FEDERATION_RETRY", {"domain": "x", "attempts": 1})


def test_lenient_state_logs_an_event_without_a_handler(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="amityvox.client"):
        State().apply("NOT_AN_EVENT", {})
    assert "NOT_AN_EVENT" in caplog.text


def test_every_store_an_event_names_exists_in_the_cache() -> None:
    """The catalog's `stores` name the cache's stores; each maps to attributes State holds."""
    attrs = {
        "self": "self_user", "users": "users", "guilds": "guilds", "channels": "channels",
        "members": "members", "roles": "roles", "emoji": "emoji", "bans": "bans", "messages": "messages",
        "typing": "typing", "read_state": "read_state", "presence": "presences",
        "relationships": "relationships", "voice": "voice_states", "voice_connection": "voice_connection",
        "calls": "calls", "notifications": "notifications", "announcements": "announcements",
        "polls": "polls", "guild_events": "guild_events", "onboarding": "onboarding", "automod": "automod",
        "raid": "raid", "soundboard": "soundboard", "channel_groups": "channel_groups",
        "locations": "locations", "effects": "effects", "whiteboards": "whiteboards", "snippets": "snippets",
        "kanban": "kanban_cards", "widgets": "widgets", "activities": "activities", "games": "games",
        "bots": "interactions", "connection": "connection", "saved_messages": "saved_messages",
        "webhooks": "webhook_changes", "commands": "application_commands",
        "audit_log": "audit_log", "reports": "reports", "warnings": "warnings",
    }  # fmt: skip
    state = State()
    for name in handled_event_names():
        for store in CATALOG[name].stores:
            assert hasattr(state, attrs[store]), (name, store)
