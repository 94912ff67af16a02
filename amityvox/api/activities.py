"""/activities: the activity catalog and the sessions that run in channels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, ok
from amityvox.events.payloads import Activity, ActivitySession, ActivityStateUpdates
from amityvox.services import activities

router = APIRouter(prefix="/activities", tags=["activities"])


class CreateActivity(Body):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    max_participants: int = Field(ge=1, le=activities.MAX_PARTICIPANTS_LIMIT)
    state_updates: ActivityStateUpdates


class StartSession(Body):
    channel_id: str = Field(min_length=1, max_length=26)


class PatchState(Body):
    state: dict[str, Any]


@router.get("", response_model=Data[list[Activity]])
async def list_activities(_: Me, ctx: Ctx) -> Response:
    return ok(await activities.list_activities(ctx))


@router.post("", status_code=201, response_model=Data[Activity])
async def create_activity(body: CreateActivity, caller: Me, ctx: Ctx) -> Response:
    created = await activities.create_activity(
        ctx, caller.id, caller.is_admin, body.name, body.max_participants, body.state_updates, body.description
    )
    return ok(created, 201)


@router.get("/sessions/{session_id}", response_model=Data[ActivitySession])
async def get_session(session_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await activities.get_session(ctx, session_id, caller.id))


@router.post("/sessions/{session_id}/join", response_model=Data[ActivitySession])
async def join(session_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await activities.join_session(ctx, session_id, caller.id))


@router.post("/sessions/{session_id}/leave", response_model=Data[ActivitySession])
async def leave(session_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await activities.leave_session(ctx, session_id, caller.id))


@router.post("/sessions/{session_id}/end", response_model=Data[ActivitySession])
async def end(session_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await activities.end_session(ctx, session_id, caller.id))


@router.patch("/sessions/{session_id}/state", response_model=Data[ActivitySession])
async def patch_state(session_id: str, body: PatchState, caller: Me, ctx: Ctx) -> Response:
    return ok(await activities.update_state(ctx, session_id, caller.id, body.state))


@router.post("/{activity_id}/sessions", status_code=201, response_model=Data[ActivitySession])
async def start_session(activity_id: str, body: StartSession, caller: Me, ctx: Ctx) -> Response:
    return ok(await activities.start_session(ctx, activity_id, body.channel_id, caller.id), 201)
