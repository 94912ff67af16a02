"""/channels/{c}: read, edit and delete a channel, and its permission overwrites."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import AUDITED, Body, Ctx, Data, Me, no_content, ok
from amityvox.api.fields import PermissionBits
from amityvox.events.payloads import Channel, OverwriteType
from amityvox.services import channels

# Changes made here are audited: the X-Audit-Log-Reason header becomes their entries' reason.
router = APIRouter(prefix="/channels", tags=["channels"], dependencies=AUDITED)


class PatchChannel(Body):
    name: str | None = Field(default=None, max_length=200)
    topic: str | None = Field(default=None, max_length=2048)
    position: int | None = None
    slowmode_seconds: int | None = None
    nsfw: bool | None = None
    locked: bool | None = None
    archived: bool | None = None
    category_id: str | None = Field(default=None, max_length=26)


class OverwriteBody(Body):
    type: OverwriteType
    allow: PermissionBits = 0
    deny: PermissionBits = 0


@router.get("/{channel_id}", response_model=Data[Channel])
async def get_channel(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await channels.get_channel(ctx, channel_id, caller.id))


@router.patch("/{channel_id}", response_model=Data[Channel])
async def patch_channel(channel_id: str, body: PatchChannel, caller: Me, ctx: Ctx) -> Response:
    return ok(await channels.update_channel(ctx, channel_id, caller.id, body.model_dump(exclude_unset=True)))


@router.delete("/{channel_id}", status_code=204)
async def delete_channel(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    await channels.delete_channel(ctx, channel_id, caller.id)
    return no_content()


@router.put("/{channel_id}/permissions/{target_id}", response_model=Data[Channel])
async def put_overwrite(channel_id: str, target_id: str, body: OverwriteBody, caller: Me, ctx: Ctx) -> Response:
    channel = await channels.put_overwrite(ctx, channel_id, caller.id, target_id, body.type, body.allow, body.deny)
    return ok(channel)


@router.delete("/{channel_id}/permissions/{target_id}", status_code=204)
async def delete_overwrite(channel_id: str, target_id: str, caller: Me, ctx: Ctx) -> Response:
    await channels.delete_overwrite(ctx, channel_id, caller.id, target_id)
    return no_content()
