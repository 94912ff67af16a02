"""/voice/{c}/…: joining and leaving voice channels and calls, moderation, soundboard,
broadcasts and screen shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field, StrictBool, StrictInt, StringConstraints

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import (
    MAX_CANDIDATE,
    MAX_SDP,
    ScreenShare,
    SignalKind,
    SoundboardPlay,
    SoundboardSound,
    VoiceBroadcast,
    VoiceConnection,
    VoiceState,
)
from amityvox.services import soundboard, voice

router = APIRouter(prefix="/voice", tags=["voice"])


class Join(Body):
    self_mute: StrictBool | None = None
    self_deaf: StrictBool | None = None
    self_video: StrictBool | None = None  # the camera is on (Stream)
    session_id: str | None = None  # the caller's gateway session: the state ends with it


class Mute(Body):
    mute: StrictBool


class Deafen(Body):
    deaf: StrictBool


class Move(Body):
    channel_id: str


class Candidate(Body):
    """RTCIceCandidateInit, in the browser's names."""

    candidate: Annotated[str, StringConstraints(max_length=MAX_CANDIDATE)]
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=64)] | None = None
    usernameFragment: Annotated[str, StringConstraints(max_length=256)] | None = None


class Signal(Body):
    to_user_id: str
    kind: SignalKind
    sdp: Annotated[str, StringConstraints(max_length=MAX_SDP)] | None = None
    candidate: Candidate | None = None


class CreateSound(Body):
    name: str
    volume: float = 1.0
    emoji: str | None = None


class PlaySound(Body):
    volume: float | None = None


class StartBroadcast(Body):
    title: str | None = None


class ScreenShareSettings(Body):
    resolution: str | None = None
    framerate: StrictInt | None = None
    audio_enabled: StrictBool | None = None


@router.post("/{channel_id}/join", response_model=Data[VoiceConnection])
async def join(channel_id: str, caller: Me, ctx: Ctx, body: Join | None = None) -> Response:
    """Enter the channel (Connect; calls: recipients), or change one's flags in it.
    Returns `{voice_state, endpoint, token, media, ice_servers, max_peers}`."""
    body = body or Join()
    result = await voice.join(
        ctx,
        caller.id,
        channel_id,
        session_id=body.session_id,
        self_mute=body.self_mute,
        self_deaf=body.self_deaf,
        self_video=body.self_video,
    )
    return ok(result)


@router.post("/{channel_id}/leave", status_code=204)
async def leave(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    await voice.leave(ctx, caller.id, channel_id)
    return no_content()


@router.post("/{channel_id}/signal", status_code=204)
async def signal(channel_id: str, body: Signal, caller: Me, ctx: Ctx) -> Response:
    """Relay a WebRTC offer, answer or ICE candidate to another participant of the channel
    (both in it now) as VOICE_SIGNAL to that user only."""
    candidate = body.candidate.model_dump(exclude_none=True) if body.candidate is not None else None
    await voice.signal(ctx, caller.id, channel_id, body.to_user_id, body.kind, body.sdp, candidate)
    return no_content()


@router.get("/{channel_id}/states", response_model=Data[list[VoiceState]])
async def states(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await voice.list_states(ctx, channel_id, caller.id))


@router.post("/{channel_id}/members/{user_id}/mute", response_model=Data[VoiceState])
async def mute(channel_id: str, user_id: str, body: Mute, caller: Me, ctx: Ctx) -> Response:
    return ok(await voice.set_server_flag(ctx, caller.id, channel_id, user_id, "mute", body.mute))


@router.post("/{channel_id}/members/{user_id}/deafen", response_model=Data[VoiceState])
async def deafen(channel_id: str, user_id: str, body: Deafen, caller: Me, ctx: Ctx) -> Response:
    return ok(await voice.set_server_flag(ctx, caller.id, channel_id, user_id, "deaf", body.deaf))


@router.post("/{channel_id}/members/{user_id}/move", response_model=Data[VoiceState])
async def move(channel_id: str, user_id: str, body: Move, caller: Me, ctx: Ctx) -> Response:
    return ok(await voice.move_member(ctx, caller.id, channel_id, user_id, body.channel_id))


# ---- soundboard -----------------------------------------------------------------------------


@router.get("/{channel_id}/soundboard", response_model=Data[list[SoundboardSound]])
async def list_sounds(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await soundboard.list_sounds(ctx, channel_id, caller.id))


@router.post("/{channel_id}/soundboard", status_code=201, response_model=Data[SoundboardSound])
async def create_sound(channel_id: str, body: CreateSound, caller: Me, ctx: Ctx) -> Response:
    sound = await soundboard.create_sound(ctx, channel_id, caller.id, body.name, body.volume, body.emoji)
    return ok(sound, 201)


@router.delete("/{channel_id}/soundboard/{sound_id}", status_code=204)
async def delete_sound(channel_id: str, sound_id: str, caller: Me, ctx: Ctx) -> Response:
    await soundboard.delete_sound(ctx, channel_id, caller.id, sound_id)
    return no_content()


@router.post("/{channel_id}/soundboard/{sound_id}/play", response_model=Data[SoundboardPlay])
async def play_sound(channel_id: str, sound_id: str, caller: Me, ctx: Ctx, body: PlaySound | None = None) -> Response:
    volume = body.volume if body is not None else None
    return ok(await soundboard.play_sound(ctx, channel_id, caller.id, sound_id, volume))


# ---- broadcasts and screen shares -----------------------------------------------------------


@router.post("/{channel_id}/broadcast", status_code=201, response_model=Data[VoiceBroadcast])
async def start_broadcast(channel_id: str, caller: Me, ctx: Ctx, body: StartBroadcast | None = None) -> Response:
    title = body.title if body is not None else None
    return ok(await voice.start_broadcast(ctx, caller.id, channel_id, title), 201)


@router.delete("/{channel_id}/broadcast", status_code=204)
async def end_broadcast(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    await voice.end_broadcast(ctx, caller.id, channel_id)
    return no_content()


@router.post("/{channel_id}/screen-share", status_code=201, response_model=Data[ScreenShare])
async def start_screen_share(
    channel_id: str, caller: Me, ctx: Ctx, body: ScreenShareSettings | None = None
) -> Response:
    body = body or ScreenShareSettings()
    share = await voice.start_screen_share(
        ctx,
        caller.id,
        channel_id,
        resolution=body.resolution,
        framerate=body.framerate,
        audio_enabled=body.audio_enabled,
    )
    return ok(share, 201)


@router.patch("/{channel_id}/screen-share", response_model=Data[ScreenShare])
async def update_screen_share(channel_id: str, body: ScreenShareSettings, caller: Me, ctx: Ctx) -> Response:
    """Only the fields sent change; null is not accepted for a field that is sent."""
    changes = body.model_dump(exclude_unset=True)
    return ok(await voice.update_screen_share(ctx, caller.id, channel_id, changes))


@router.delete("/{channel_id}/screen-share", status_code=204)
async def stop_screen_share(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    await voice.stop_screen_share(ctx, caller.id, channel_id)
    return no_content()
