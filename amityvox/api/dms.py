"""DMs and group DMs: open a DM, create and rename groups, add and remove group recipients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field, StringConstraints

from amityvox.api.deps import Body, Caller, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import Channel
from amityvox.services import dms

router = APIRouter(tags=["dms"])

UserId = Annotated[str, StringConstraints(min_length=1, max_length=26)]


class CreateGroup(Body):
    recipient_ids: list[UserId] = Field(min_length=1, max_length=dms.MAX_GROUP_RECIPIENTS - 1)
    name: str | None = Field(default=None, max_length=100)


class RenameGroup(Body):
    name: str | None = Field(max_length=100)  # required; null or blank clears the name


def _name(raw: str | None) -> str | None:
    name = (raw or "").strip()
    return name or None


def _user(user_id: str, caller: Caller) -> str:
    return caller.id if user_id == "@me" else user_id


@router.get("/users/@me/dms", response_model=Data[list[Channel]])
async def list_dms(caller: Me, ctx: Ctx) -> Response:
    return ok(await dms.list_dms(ctx, caller.id))


@router.post("/users/@me/group-dms", response_model=Data[Channel])
async def create_group(body: CreateGroup, caller: Me, ctx: Ctx) -> Response:
    return ok(await dms.create_group(ctx, caller.id, body.recipient_ids, _name(body.name)), 201)


@router.patch("/users/@me/group-dms/{channel_id}", response_model=Data[Channel])
async def rename_group(channel_id: str, body: RenameGroup, caller: Me, ctx: Ctx) -> Response:
    return ok(await dms.rename_group(ctx, caller.id, channel_id, _name(body.name)))


@router.post("/users/{user_id}/dm", response_model=Data[Channel])
async def open_dm(user_id: str, caller: Me, ctx: Ctx) -> Response:
    channel, created = await dms.open_dm(ctx, caller.id, _user(user_id, caller))
    return ok(channel, 201 if created else 200)


@router.put("/channels/{channel_id}/recipients/{user_id}", response_model=Data[Channel])
async def add_recipient(channel_id: str, user_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await dms.add_recipient(ctx, caller.id, channel_id, _user(user_id, caller)))


@router.delete("/channels/{channel_id}/recipients/{user_id}", status_code=204)
async def remove_recipient(channel_id: str, user_id: str, caller: Me, ctx: Ctx) -> Response:
    await dms.remove_recipient(ctx, caller.id, channel_id, _user(user_id, caller))
    return no_content()
