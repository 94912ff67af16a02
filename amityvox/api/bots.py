"""Bots: the caller's bot accounts, their tokens and presence, and clicks on bot messages."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, ok
from amityvox.events.payloads import (
    Bot,
    BotPresenceUpdate,
    BotToken,
    ComponentInteraction,
    ComponentType,
    PresenceActivityType,
)
from amityvox.services import bots

router = APIRouter(tags=["bots"])


class CreateBot(Body):
    username: str = Field(min_length=1, max_length=64)


class Activity(Body):
    type: PresenceActivityType
    name: str = Field(min_length=1, max_length=128)


class PutPresence(Body):
    status: str = Field(max_length=16)  # checked by the service, which knows the aliases
    activity: Activity | None = None


class Interaction(Body):
    message_id: str = Field(min_length=1, max_length=26)
    channel_id: str = Field(min_length=1, max_length=26)
    custom_id: str = Field(min_length=1, max_length=bots.MAX_CUSTOM_ID)
    component_type: ComponentType
    values: list[str] = Field(default_factory=list, max_length=bots.MAX_VALUES)


@router.get("/users/@me/bots", response_model=Data[list[Bot]])
async def list_bots(caller: Me, ctx: Ctx) -> Response:
    return ok(await bots.list_bots(ctx, caller.id))


@router.post("/users/@me/bots", status_code=201, response_model=Data[Bot])
async def create_bot(body: CreateBot, caller: Me, ctx: Ctx) -> Response:
    return ok(await bots.create_bot(ctx, caller.id, body.username), 201)


@router.post("/bots/{bot_id}/tokens", status_code=201, response_model=Data[BotToken])
async def create_token(bot_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await bots.create_token(ctx, bot_id, caller.id), 201)


@router.post("/bots/{bot_id}/tokens/reset", status_code=201, response_model=Data[BotToken])
async def reset_token(bot_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await bots.reset_token(ctx, bot_id, caller.id), 201)


@router.put("/bots/{bot_id}/presence", response_model=Data[BotPresenceUpdate])
async def put_presence(bot_id: str, body: PutPresence, caller: Me, ctx: Ctx) -> Response:
    activity = body.activity.model_dump() if body.activity is not None else None
    return ok(await bots.set_presence(ctx, bot_id, caller.id, body.status, activity))


@router.post("/bots/interactions", response_model=Data[ComponentInteraction])
async def interact(body: Interaction, caller: Me, ctx: Ctx) -> Response:
    interaction = await bots.interact(
        ctx, caller.id, body.channel_id, body.message_id, body.custom_id, body.component_type, body.values
    )
    return ok(interaction)
