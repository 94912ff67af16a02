"""Interactions: members use slash commands, bots answer them (follow-ups go through api/webhooks.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.errors import bad_request
from amityvox.events.payloads import InteractionStarted
from amityvox.services import interactions

router = APIRouter(tags=["interactions"])


class CommandData(Body):
    id: str | None = Field(default=None, max_length=26)  # the command; for a modal submitted, the modal
    name: str | None = Field(default=None, max_length=32)
    options: list[dict[str, Any]] = Field(default_factory=list, max_length=25)
    custom_id: str | None = Field(default=None, max_length=100)  # a modal submitted: which one
    components: list[Any] | None = Field(default=None, max_length=5)  # … and its values


class Use(Body):
    type: int
    channel_id: str | None = Field(default=None, min_length=1, max_length=26)
    application_id: str | None = Field(default=None, max_length=26)
    data: CommandData


@router.post("/interactions", response_model=Data[InteractionStarted])
async def use_command(body: Use, caller: Me, ctx: Ctx) -> Response:
    """A member uses a command (type 2), asks for autocomplete choices (4) or submits a modal (5)."""
    if body.type == interactions.MODAL_SUBMIT:
        return ok(await interactions.submit_modal(ctx, caller.id, body.data.id, body.data.custom_id,
                                                  body.data.components))  # fmt: skip
    invocation = interactions.Invocation(
        channel_id=body.channel_id,
        type=body.type,
        name=body.data.name,
        command_id=body.data.id,
        application_id=body.application_id,
        options=tuple(body.data.options),
    )
    return ok(await interactions.invoke(ctx, caller.id, invocation))


def answer_of(data: dict[str, Any]) -> interactions.Answer:
    """Discord's message body (callback `data`, follow-up): content, embeds, flags, allowed_mentions."""
    content, embeds, flags = data.get("content") or "", data.get("embeds") or [], data.get("flags") or 0
    if not isinstance(content, str):
        raise bad_request("content must be a string")
    if not isinstance(embeds, list):
        raise bad_request("embeds must be a list")
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise bad_request("flags must be an integer")
    return interactions.Answer(content, tuple(embeds), flags, data.get("allowed_mentions"))


@router.post("/interactions/{interaction_id}/{token}/callback", status_code=204)
async def callback(interaction_id: str, token: str, request: Request, ctx: Ctx) -> Response:
    """The bot's initial answer, with the token from INTERACTION_CREATE (no other credential)."""
    body = await request.json()
    if not isinstance(body, dict) or isinstance(body.get("type"), bool) or not isinstance(body.get("type"), int):
        raise bad_request("the body is {type, data}")
    data = body.get("data") or {}
    if not isinstance(data, dict):
        raise bad_request("data must be an object")
    await interactions.callback(ctx, interaction_id, token, body["type"], answer_of(data), data)
    return no_content()
