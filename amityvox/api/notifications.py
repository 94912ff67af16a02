"""/notifications: the caller's own notifications (nobody else's are visible)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import StrictBool

from amityvox.api.deps import Body, Caller, current_user, get_ctx, no_content, ok
from amityvox.context import Context
from amityvox.services import notifications

router = APIRouter(prefix="/notifications", tags=["notifications"])


class MarkRead(Body):
    read: StrictBool


@router.get("")
async def list_notifications(
    before: str | None = None,
    limit: int = Query(notifications.PAGE_DEFAULT, ge=1, le=notifications.PAGE_MAX),
    unread: bool = False,
    caller: Caller = Depends(current_user),
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Newest first; `before` (an id) pages back; `unread=true` keeps only unread ones."""
    return ok(await notifications.list_notifications(ctx, caller.id, before=before, limit=limit, unread=unread))


@router.post("/mark-all-read")
async def mark_all_read(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok({"updated": await notifications.mark_all_read(ctx, caller.id)})


@router.delete("", status_code=204)
async def clear_all(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    await notifications.clear_all(ctx, caller.id)
    return no_content()


@router.patch("/{notification_id}")
async def mark(
    notification_id: str, body: MarkRead, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    return ok(await notifications.set_read(ctx, caller.id, notification_id, body.read))


@router.delete("/{notification_id}", status_code=204)
async def delete_one(
    notification_id: str, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    await notifications.delete_one(ctx, caller.id, notification_id)
    return no_content()
