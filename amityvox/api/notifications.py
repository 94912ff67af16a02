"""/notifications: the caller's own notifications (nobody else's are visible), and how loudly
each channel notifies them (/notifications/preferences/channels)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field, StrictBool

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import ChannelNotificationLevel, Notification, NotificationsRead
from amityvox.services import notification_prefs, notifications

router = APIRouter(prefix="/notifications", tags=["notifications"])


class MarkRead(Body):
    read: StrictBool


@router.get("", response_model=Data[list[Notification]])
async def list_notifications(
    caller: Me,
    ctx: Ctx,
    before: str | None = None,
    limit: int = Query(notifications.PAGE_DEFAULT, ge=1, le=notifications.PAGE_MAX),
    unread: bool = False,
) -> Response:
    """Newest first; `before` (an id) pages back; `unread=true` keeps only unread ones."""
    return ok(await notifications.list_notifications(ctx, caller.id, before=before, limit=limit, unread=unread))


@router.post("/mark-all-read", response_model=Data[NotificationsRead])
async def mark_all_read(caller: Me, ctx: Ctx) -> Response:
    return ok({"updated": await notifications.mark_all_read(ctx, caller.id)})


@router.delete("", status_code=204)
async def clear_all(caller: Me, ctx: Ctx) -> Response:
    await notifications.clear_all(ctx, caller.id)
    return no_content()


class ChannelPref(Body):
    channel_id: str = Field(max_length=26)
    level: str = Field(max_length=16)  # all | mentions | none, checked by the service
    muted_until: str | None = Field(default=None, max_length=64)


@router.get("/preferences/channels", response_model=Data[list[ChannelNotificationLevel]])
async def list_channel_prefs(caller: Me, ctx: Ctx) -> Response:
    return ok(await notification_prefs.list_prefs(ctx, caller.id))


@router.patch("/preferences/channels", response_model=Data[ChannelNotificationLevel])
async def set_channel_pref(body: ChannelPref, caller: Me, ctx: Ctx) -> Response:
    return ok(await notification_prefs.set_pref(ctx, caller.id, body.channel_id, body.level, body.muted_until))


@router.delete("/preferences/channels/{channel_id}", status_code=204)
async def delete_channel_pref(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    await notification_prefs.delete_pref(ctx, caller.id, channel_id)
    return no_content()


@router.patch("/{notification_id}", response_model=Data[Notification])
async def mark(notification_id: str, body: MarkRead, caller: Me, ctx: Ctx) -> Response:
    return ok(await notifications.set_read(ctx, caller.id, notification_id, body.read))


@router.delete("/{notification_id}", status_code=204)
async def delete_one(notification_id: str, caller: Me, ctx: Ctx) -> Response:
    await notifications.delete_one(ctx, caller.id, notification_id)
    return no_content()
