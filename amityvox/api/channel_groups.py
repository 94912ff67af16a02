"""/guilds/{g}/channel-groups: named, ordered groups of a guild's channels."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import ChannelGroup
from amityvox.services import channel_groups

router = APIRouter(prefix="/guilds/{guild_id}/channel-groups", tags=["channel groups"])


class CreateGroup(Body):
    name: str = Field(max_length=400)
    position: int | None = None
    channel_ids: list[str] = Field(default_factory=list, max_length=channel_groups.MAX_CHANNELS)


class PatchGroup(Body):
    name: str | None = Field(default=None, max_length=400)
    position: int | None = None


class GroupChannels(Body):
    channel_ids: list[str] = Field(max_length=channel_groups.MAX_CHANNELS)


@router.get("", response_model=Data[list[ChannelGroup]])
async def list_groups(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await channel_groups.list_groups(ctx, guild_id, caller.id))


@router.post("", status_code=201, response_model=Data[ChannelGroup])
async def create_group(guild_id: str, body: CreateGroup, caller: Me, ctx: Ctx) -> Response:
    group = await channel_groups.create_group(
        ctx, guild_id, caller.id, name=body.name, position=body.position, channel_ids=body.channel_ids
    )
    return ok(group, status=201)


@router.patch("/{group_id}", response_model=Data[ChannelGroup])
async def patch_group(guild_id: str, group_id: str, body: PatchGroup, caller: Me, ctx: Ctx) -> Response:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return ok(await channel_groups.update_group(ctx, guild_id, group_id, caller.id, changes))


@router.delete("/{group_id}", status_code=204)
async def delete_group(guild_id: str, group_id: str, caller: Me, ctx: Ctx) -> Response:
    await channel_groups.delete_group(ctx, guild_id, group_id, caller.id)
    return no_content()


@router.put("/{group_id}/channels", response_model=Data[ChannelGroup])
async def set_channels(guild_id: str, group_id: str, body: GroupChannels, caller: Me, ctx: Ctx) -> Response:
    return ok(await channel_groups.set_channels(ctx, guild_id, group_id, caller.id, body.channel_ids))
