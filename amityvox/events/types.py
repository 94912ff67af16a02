"""The shape of a catalog entry: who receives an event, what it carries, where it goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel


class Scope(StrEnum):
    """Who may receive an event (docs/protocol.md#audiences)."""

    GUILD = "guild"  # members of the guild named by `key`
    CHANNEL = "channel"  # viewers of the guild channel / recipients of the DM named by `key`
    USER = "user"  # every session of the user named by `key`
    SOCIAL = "social"  # the user named by `key`, their friends, everyone sharing a guild
    MODERATORS = "moderators"  # moderators of the guild named by `key`
    PERMISSION = "permission"  # members of the guild named by `key` holding the guild-level bit `permission`
    EVERYONE = "everyone"  # all identified sessions
    SESSION = "session"  # only the requesting session (READY, RESUMED, GUILD_MEMBERS_CHUNK)
    INTERNAL = "internal"  # never sent to clients
    LOCAL = "local"  # synthesised by the client itself; no wire frame


@dataclass(frozen=True)
class Audience:
    """A declared routing rule. `key`, `plus` and `minus` name payload fields (dotted paths)."""

    scope: Scope
    key: str | None = None
    # Payload fields naming users who also receive the event (e.g. the author of an automod hit).
    plus: tuple[str, ...] = ()
    # Payload field naming a user who must not receive it (e.g. the typer of TYPING_START).
    minus: str | None = None
    # Route against the indexes as they were *before* this event changes them (deletes, removals).
    before: bool = False
    # Scope.PERMISSION only: the name of the `Perm` bit a member must hold at guild level.
    permission: str | None = None

    @property
    def client_visible(self) -> bool:
        return self.scope not in (Scope.INTERNAL, Scope.LOCAL)


@dataclass(frozen=True)
class EventType:
    """One catalog entry: the single source for publishers, router, client handlers and parity."""

    name: str
    subject: str  # our own subject, unique, under "amityvox."
    audience: Audience
    payload: type[BaseModel]
    category: str  # our feature area ("messages", "voice", "experimental", ...)
    stores: tuple[str, ...] = ()  # client stores this event updates
    seed_subject: str | None = None  # the original's subject (None: not in the seed report)
    seed_status: str | None = None  # the seed's verdict: OK, MISSING, DEAD, INTERNAL
    seed_gap: str | None = None  # the seed's gap heading (Critical, High, Medium, Low, Dead)
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # An internal event every gateway follows in stream order (e.g. ending revoked sessions), as
    # opposed to internal work a single worker takes (federation retries).
    gateways: bool = False
    # Other names the event is also sent under (a second frame, same `d`, same sessions), and
    # the fields added to every payload at publish time: for the original clients (events/aliases.py).
    aliases: tuple[str, ...] = ()
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @property
    def client_visible(self) -> bool:
        return self.audience.client_visible

    @property
    def wire_names(self) -> tuple[str, ...]:
        """The `t` of each frame one occurrence of the event makes, in the order they are sent."""
        return (self.name, *self.aliases)
