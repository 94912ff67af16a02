"""Background reactions to events, declared by catalog name.

`@reacts_to("MESSAGE_CREATE", queue="link-previews")` on `async def handler(ctx, env)` makes a
`Reaction`; the module's `start(ctx)` subscribes it. Names are checked against the catalog when
the module is imported, and the subjects come from the catalog, so a reaction cannot wait on a
subject nothing publishes. `REACTIONS` lists every reaction declared (a test reads it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from amityvox.bus.base import Envelope
from amityvox.events import catalog

if TYPE_CHECKING:
    from amityvox.context import Context

ReactionHandler = Callable[["Context", Envelope], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Reaction:
    names: tuple[str, ...]
    queue: str  # the durable work queue its members share (see `Bus.subscribe`)
    handler: ReactionHandler

    async def subscribe(self, ctx: Context, *, members: int = 1) -> None:
        """Join the queue `members` times (that many events handled at once in this process)."""

        async def deliver(env: Envelope) -> None:
            await self.handler(ctx, env)

        for _ in range(members):
            for name in self.names:
                await ctx.bus.subscribe(catalog.get(name).subject, deliver, queue=self.queue)


REACTIONS: list[Reaction] = []


def reacts_to(*names: str, queue: str) -> Callable[[ReactionHandler], Reaction]:
    """Declare a reaction to the catalog events `names`; an unknown name raises at import."""
    for name in names:
        catalog.get(name)

    def register(handler: ReactionHandler) -> Reaction:
        reaction = Reaction(names, queue, handler)
        REACTIONS.append(reaction)
        return reaction

    return register
