"""Real-time events: the catalog every publisher, router and client store is built from."""

from amityvox.events.catalog import CATALOG, by_subject, client_visible, get, validate
from amityvox.events.types import Audience, EventType, Scope

__all__ = [
    "CATALOG",
    "Audience",
    "EventType",
    "Scope",
    "by_subject",
    "client_visible",
    "get",
    "validate",
]
