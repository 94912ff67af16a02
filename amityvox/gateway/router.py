"""Who receives an event: the catalog's declared audience evaluated on the in-memory indexes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amityvox.events.types import EventType, Scope
from amityvox.gateway.indexes import World
from amityvox.permissions import Perm


def field(d: Mapping[str, Any], path: str | None) -> Any:
    """A dotted payload path ("member.user_id"); None when absent."""
    if path is None:
        return None
    value: Any = d
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def recipients(world: World, event: EventType, d: Mapping[str, Any], everyone: Mapping[str, Any]) -> set[str]:
    """User ids allowed to receive `d`. Cost follows the audience, not the connected total."""
    a = event.audience
    key = field(d, a.key)
    users: set[str]
    if a.scope is Scope.CHANNEL:
        if key is None and "user_id" in d:
            # A voice leave carries channel_id null: it goes to the channel the user was in.
            key = world.voice.get(d["user_id"])
        users = world.viewers(key) if key else set()
    elif a.scope is Scope.GUILD:
        users = world.guild_audience(key) if key else set()
    elif a.scope is Scope.USER:
        users = {key} if key else set()
    elif a.scope is Scope.SOCIAL:
        users = world.social(key) if key else set()
    elif a.scope is Scope.MODERATORS:
        users = world.moderators(key) if key else set()
    elif a.scope is Scope.PERMISSION:
        users = world.holders(key, int(Perm[a.permission or ""])) if key else set()
    elif a.scope is Scope.EVERYONE:
        users = set(everyone)
    else:  # SESSION, INTERNAL and LOCAL events are never routed from the bus
        return set()
    for path in a.plus:
        extra = field(d, path)
        if extra:
            users.add(extra)
    if a.minus:
        users.discard(field(d, a.minus))
    return users
