"""/users/@me/read-state: the caller's read position and unread counts in every channel they can view."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from amityvox.api.deps import Ctx, Data, Me, ok
from amityvox.events.payloads import ReadState
from amityvox.services import read_state

router = APIRouter(prefix="/users", tags=["read state"])


@router.get("/@me/read-state", response_model=Data[list[ReadState]])
async def get_read_state(caller: Me, ctx: Ctx) -> Response:
    """`[{channel_id, last_message_id?, unread_count, mention_count}]`, one per viewable channel."""
    return ok(await read_state.list_read_states(ctx, caller.id))
