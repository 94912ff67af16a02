"""The services that run background workers: each defines `async def start(ctx) -> list[Task]`.
Listed by hand so that none starts by accident (tests/test_app_modules.py fails on a module
defining `start` that is not here)."""

from __future__ import annotations

from types import ModuleType

from amityvox.services import (
    account_deletion,
    automod,
    data_export,
    event_webhooks,
    guild_events,
    interactions,
    locations,
    mail,
    media_worker,
    moderation,
    notifications,
    outbox,
    polls,
    previews,
    raid,
    search,
    voice,
)

# In the order they are started.
WORKERS: tuple[ModuleType, ...] = (
    account_deletion,
    automod,
    data_export,
    event_webhooks,
    guild_events,
    interactions,
    locations,
    mail,
    media_worker,
    moderation,
    notifications,
    outbox,
    polls,
    previews,
    raid,
    search,
    voice,
)
