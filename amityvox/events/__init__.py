"""Real-time events: the catalog every publisher, router and client store is built from."""

from amityvox.events.catalog import ALIASES, CATALOG, by_subject, client_visible, complete, get, validate
from amityvox.events.types import Audience, EventType, Scope

__all__ = [
    "ALIASES",
    "CATALOG",
    "Audience",
    "EventType",
    "Scope",
    "by_subject",
    "client_visible",
    "complete",
    "get",
    "validate",
]
