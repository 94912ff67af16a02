"""/music-party: a shared play queue in a channel."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, ok
from amityvox.events.payloads import MusicPartySession, QueuedTrack
from amityvox.services import music_party

router = APIRouter(prefix="/music-party", tags=["activities"])


class StartParty(Body):
    channel_id: str = Field(min_length=1, max_length=26)


class Track(Body):
    title: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=2048)
    artist: str | None = Field(default=None, max_length=200)
    duration_ms: int | None = Field(default=None, ge=0, le=music_party.MAX_DURATION_MS)


class QueueTrack(Body):
    track: Track


@router.post("", status_code=201, response_model=Data[MusicPartySession])
async def start(body: StartParty, caller: Me, ctx: Ctx) -> Response:
    return ok(await music_party.start_party(ctx, body.channel_id, caller.id), 201)


@router.get("/{party_id}", response_model=Data[MusicPartySession])
async def get(party_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await music_party.get(ctx, party_id, caller.id))


@router.post("/{party_id}/queue", status_code=201, response_model=Data[QueuedTrack])
async def queue(party_id: str, body: QueueTrack, caller: Me, ctx: Ctx) -> Response:
    return ok(await music_party.add_track(ctx, party_id, caller.id, body.track.model_dump()), 201)
