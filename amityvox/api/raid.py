"""/guilds/{g}/raid-config: raid protection settings and manual lockdown."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, ok
from amityvox.events.payloads import RaidConfig
from amityvox.services import raid

router = APIRouter(prefix="/guilds/{guild_id}/raid-config", tags=["moderation"])


class PatchRaidConfig(Body):
    join_threshold: int | None = None
    window_seconds: int | None = None
    lockdown_active: bool | None = None
    lockdown_duration_seconds: int | None = None
    reason: str | None = Field(default=None, max_length=512)


@router.get("", response_model=Data[RaidConfig])
async def get_config(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await raid.get_config(ctx, guild_id, caller.id))


@router.patch("", response_model=Data[RaidConfig])
async def patch_config(guild_id: str, body: PatchRaidConfig, caller: Me, ctx: Ctx) -> Response:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return ok(await raid.update_config(ctx, guild_id, caller.id, changes))
