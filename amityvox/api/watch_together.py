"""/watch-together: a video played in step for a channel's viewers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field, StrictBool

from amityvox.api.deps import Body, Ctx, Data, Me, ok
from amityvox.events.payloads import WatchTogetherSession
from amityvox.services import watch_together

router = APIRouter(prefix="/watch-together", tags=["activities"])


class StartWatch(Body):
    channel_id: str = Field(min_length=1, max_length=26)
    video_url: str = Field(min_length=1, max_length=watch_together.MAX_URL)
    title: str | None = Field(default=None, max_length=200)


class Sync(Body):
    current_time_ms: int = Field(ge=0, le=2**53)
    playing: StrictBool
    playback_rate: float = Field(default=1.0, ge=watch_together.MIN_RATE, le=watch_together.MAX_RATE)


@router.post("", status_code=201, response_model=Data[WatchTogetherSession])
async def start(body: StartWatch, caller: Me, ctx: Ctx) -> Response:
    return ok(await watch_together.start_session(ctx, body.channel_id, caller.id, body.video_url, body.title), 201)


@router.get("/{session_id}", response_model=Data[WatchTogetherSession])
async def get(session_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await watch_together.get(ctx, session_id, caller.id))


@router.post("/{session_id}/sync", response_model=Data[WatchTogetherSession])
async def sync(session_id: str, body: Sync, caller: Me, ctx: Ctx) -> Response:
    session = await watch_together.sync(
        ctx, session_id, caller.id, body.current_time_ms, body.playing, body.playback_rate
    )
    return ok(session)
