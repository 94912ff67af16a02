"""/guilds/{g}/events: scheduled guild events and RSVPs."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import GuildEvent
from amityvox.services import guild_events

router = APIRouter(prefix="/guilds/{guild_id}/events", tags=["guild events"])


class CreateEvent(Body):
    name: str = Field(max_length=400)
    description: str | None = Field(default=None, max_length=4000)
    location: str | None = Field(default=None, max_length=1000)
    channel_id: str | None = Field(default=None, max_length=26)
    scheduled_start: str = Field(max_length=64)
    scheduled_end: str | None = Field(default=None, max_length=64)


class PatchEvent(Body):
    name: str | None = Field(default=None, max_length=400)
    description: str | None = Field(default=None, max_length=4000)
    location: str | None = Field(default=None, max_length=1000)
    channel_id: str | None = Field(default=None, max_length=26)
    scheduled_start: str | None = Field(default=None, max_length=64)
    scheduled_end: str | None = Field(default=None, max_length=64)
    status: str | None = Field(default=None, max_length=16)


@router.get("", response_model=Data[list[GuildEvent]])
async def list_events(guild_id: str, caller: Me, ctx: Ctx, include_ended: bool = Query(default=False)) -> Response:
    return ok(await guild_events.list_events(ctx, guild_id, caller.id, include_ended=include_ended))


@router.post("", status_code=201, response_model=Data[GuildEvent])
async def create_event(guild_id: str, body: CreateEvent, caller: Me, ctx: Ctx) -> Response:
    return ok(await guild_events.create_event(ctx, guild_id, caller.id, body.model_dump()), status=201)


@router.get("/{event_id}", response_model=Data[GuildEvent])
async def get_event(guild_id: str, event_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await guild_events.get_event(ctx, guild_id, event_id, caller.id))


@router.patch("/{event_id}", response_model=Data[GuildEvent])
async def patch_event(guild_id: str, event_id: str, body: PatchEvent, caller: Me, ctx: Ctx) -> Response:
    changes = body.model_dump(exclude_unset=True)
    for key in ("name", "scheduled_start", "status"):  # these cannot be cleared
        if key in changes and changes[key] is None:
            changes.pop(key)
    return ok(await guild_events.update_event(ctx, guild_id, event_id, caller.id, changes))


@router.delete("/{event_id}", status_code=204)
async def delete_event(guild_id: str, event_id: str, caller: Me, ctx: Ctx) -> Response:
    await guild_events.delete_event(ctx, guild_id, event_id, caller.id)
    return no_content()


@router.post("/{event_id}/rsvp", response_model=Data[GuildEvent])
async def rsvp(guild_id: str, event_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await guild_events.set_rsvp(ctx, guild_id, event_id, caller.id, interested=True))


@router.delete("/{event_id}/rsvp", response_model=Data[GuildEvent])
async def unrsvp(guild_id: str, event_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await guild_events.set_rsvp(ctx, guild_id, event_id, caller.id, interested=False))
