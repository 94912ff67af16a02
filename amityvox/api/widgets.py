"""/channels/{c}/widgets: the small panels shown with a channel (note, link, countdown, embed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import ChannelWidget
from amityvox.services import widgets

router = APIRouter(prefix="/channels/{channel_id}/widgets", tags=["widgets"])

_WHO = "ManageChannels in a guild channel; any recipient in a DM or group"


class CreateWidget(Body):
    widget_type: str = Field(max_length=32, description=f"one of {', '.join(widgets.WIDGET_TYPES)}")
    title: str = Field(max_length=200)
    config: dict[str, Any]
    position: int | None = None


class EditWidget(Body):
    title: str | None = Field(default=None, max_length=200)
    config: dict[str, Any] | None = None
    position: int | None = None


@router.get("", response_model=Data[list[ChannelWidget]])
async def list_widgets(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    """The channel's widgets by position (ViewChannel)."""
    return ok(await widgets.list_widgets(ctx, channel_id, caller.id))


@router.post(
    "",
    status_code=201,
    description=f"Add a widget ({_WHO}) → CHANNEL_WIDGET_CREATE.",
    response_model=Data[ChannelWidget],
)
async def create_widget(channel_id: str, body: CreateWidget, caller: Me, ctx: Ctx) -> Response:
    widget = await widgets.create_widget(
        ctx,
        channel_id,
        caller.id,
        widget_type=body.widget_type,
        title=body.title,
        config=body.config,
        position=body.position,
    )
    return ok(widget, 201)


@router.patch(
    "/{widget_id}",
    description=f"Change a widget's title, config or position ({_WHO}) → CHANNEL_WIDGET_UPDATE (the whole widget).",
    response_model=Data[ChannelWidget],
)
async def edit_widget(channel_id: str, widget_id: str, body: EditWidget, caller: Me, ctx: Ctx) -> Response:
    changes = body.model_dump(exclude_unset=True)
    return ok(await widgets.update_widget(ctx, channel_id, widget_id, caller.id, changes))


@router.delete("/{widget_id}", status_code=204, description=f"Remove a widget ({_WHO}) → CHANNEL_WIDGET_DELETE.")
async def delete_widget(channel_id: str, widget_id: str, caller: Me, ctx: Ctx) -> Response:
    await widgets.delete_widget(ctx, channel_id, widget_id, caller.id)
    return no_content()
