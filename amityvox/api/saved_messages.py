"""/users/@me/saved-messages: the caller's own bookmarks, synced to their sessions."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import SavedMessage, SavedMessageWithMessage
from amityvox.services import saved_messages

router = APIRouter(prefix="/users/@me/saved-messages", tags=["saved messages"])


class Save(Body):
    note: str | None = None


@router.get("", response_model=Data[list[SavedMessageWithMessage]])
async def list_saved(
    caller: Me, ctx: Ctx, before: str | None = None, limit: int = saved_messages.LIMIT_DEFAULT
) -> Response:
    """`[{user_id, message_id, channel_id, guild_id?, note?, created_at, message}]`, newest save
    first, only in channels the caller can read now; `before` (a saved message's id) pages on."""
    return ok(await saved_messages.list_saved(ctx, caller.id, before=before, limit=limit))


@router.put("/{message_id}", response_model=Data[SavedMessage])
async def save(message_id: str, caller: Me, ctx: Ctx, body: Save | None = None) -> Response:
    """Save a message the caller can read, or set the note of a saved one (no body: no note)."""
    return ok(await saved_messages.save(ctx, message_id, caller.id, body.note if body else None))


@router.delete("/{message_id}", status_code=204)
async def unsave(message_id: str, caller: Me, ctx: Ctx) -> Response:
    await saved_messages.unsave(ctx, message_id, caller.id)
    return no_content()
