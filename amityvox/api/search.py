"""Message search: in a guild, and in one's own DMs and groups."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from amityvox.api.deps import Ctx, Data, Me, ok
from amityvox.events.payloads import SearchResults
from amityvox.services import search
from amityvox.services.search import Filters

router = APIRouter(tags=["search"])


def filters(
    q: str | None = None,
    author_id: list[str] = Query(default_factory=list),
    channel_id: list[str] = Query(default_factory=list),
    mentions: list[str] = Query(default_factory=list),
    has: list[str] = Query(default_factory=list),
    before: str | None = None,
    after: str | None = None,
    pinned: bool | None = None,
    limit: int = search.LIMIT_DEFAULT,
    offset: int = 0,
) -> Filters:
    """`q` holds words and "quoted phrases"; every list filter may repeat (`author_id=…&author_id=…`);
    `before`/`after` take a message id, a date (YYYY-MM-DD) or a timestamp with a zone."""
    return search.check(
        q=q,
        author_ids=author_id,
        channel_ids=channel_id,
        mentions=mentions,
        has=has,
        before=before,
        after=after,
        pinned=pinned,
        limit=limit,
        offset=offset,
    )


@router.get("/guilds/{guild_id}/messages/search", response_model=Data[SearchResults])
async def search_guild(guild_id: str, caller: Me, ctx: Ctx, f: Filters = Depends(filters)) -> Response:
    """`{total_results, offset, limit, results: [{message, snippet: [{text, match}]}]}`, newest first,
    from the channels the caller can read at this moment."""
    return ok(await search.search_guild(ctx, guild_id, caller.id, f))


@router.get("/users/@me/messages/search", response_model=Data[SearchResults])
async def search_dms(caller: Me, ctx: Ctx, f: Filters = Depends(filters)) -> Response:
    """The same search over the caller's DMs and groups."""
    return ok(await search.search_dms(ctx, caller.id, f))
