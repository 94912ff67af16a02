"""/users/@me/saved-messages: the caller's own bookmarks, synced to their sessions."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from amityvox.api.deps import Body, Caller, current_user, get_ctx, no_content, ok
from amityvox.context import Context
from amityvox.services import saved_messages

router = APIRouter(prefix="/users/@me/saved-messages", tags=["saved messages"])


class Save(Body):
    note: str | None = None


@router.get("")
async def list_saved(
    before: str | None = None,
    limit: int = saved_messages.LIMIT_DEFAULT,
    caller: Caller = Depends(current_user),
    ctx: Context = Depends(get_ctx),
) -> Response:
    """`[{user_id, message_id, channel_id, guild_id?, note?, created_at, message}]`, newest save
    first, only in channels the caller can read now; `before` (a saved message's id) pages on."""
    return ok(await saved_messages.list_saved(ctx, caller.id, before=before, limit=limit))


@router.put("/{message_id}")
async def save(
    message_id: str, body: Save | None = None, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    """Save a message the caller can read, or set the note of a saved one (no body: no note)."""
    return ok(await saved_messages.save(ctx, message_id, caller.id, body.note if body else None))


@router.delete("/{message_id}", status_code=204)
async def unsave(message_id: str, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    await saved_messages.unsave(ctx, message_id, caller.id)
    return no_content()
