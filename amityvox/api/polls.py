"""/channels/{c}/polls: create, read, vote in and close polls."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, ok
from amityvox.events.payloads import Poll, PollWithVotes
from amityvox.services import polls

router = APIRouter(prefix="/channels/{channel_id}/polls", tags=["polls"])


class CreatePoll(Body):
    question: str = Field(max_length=1000)
    options: list[str] = Field(max_length=polls.MAX_OPTIONS * 2)
    multi_vote: bool = False
    anonymous: bool = False
    duration_seconds: int | None = None


class VoteBody(Body):
    option_ids: list[str] = Field(max_length=polls.MAX_OPTIONS)


@router.post("", status_code=201, response_model=Data[Poll])
async def create_poll(channel_id: str, body: CreatePoll, caller: Me, ctx: Ctx) -> Response:
    poll = await polls.create_poll(
        ctx,
        channel_id,
        caller.id,
        question=body.question,
        options=body.options,
        multi_vote=body.multi_vote,
        anonymous=body.anonymous,
        duration_seconds=body.duration_seconds,
    )
    return ok(poll, status=201)


@router.get("", response_model=Data[list[PollWithVotes]])
async def list_polls(
    channel_id: str,
    caller: Me,
    ctx: Ctx,
    before: str | None = None,
    after: str | None = None,
    limit: int = Query(polls.PAGE_MAX, ge=1, le=polls.PAGE_MAX),
) -> Response:
    """The polls posted between `after` and `before` (ids), newest first, each with the
    caller's `voted_option_ids`."""
    return ok(await polls.list_polls(ctx, channel_id, caller.id, before=before, after=after, limit=limit))


@router.get("/{poll_id}", response_model=Data[Poll])
async def get_poll(channel_id: str, poll_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await polls.get_poll(ctx, channel_id, poll_id, caller.id))


@router.post("/{poll_id}/votes", response_model=Data[Poll])
async def vote(channel_id: str, poll_id: str, body: VoteBody, caller: Me, ctx: Ctx) -> Response:
    return ok(await polls.vote(ctx, channel_id, poll_id, caller.id, body.option_ids))


@router.post("/{poll_id}/close", response_model=Data[Poll])
async def close_poll(channel_id: str, poll_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await polls.close_poll(ctx, channel_id, poll_id, caller.id))
