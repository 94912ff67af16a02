"""/guilds/{g}/members/{u}/warnings: moderators warn members; members read their own."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import AUDITED, Body, Ctx, Data, Me, ok
from amityvox.events.payloads import GuildWarning
from amityvox.services import member_warnings

# Warnings are audited: the X-Audit-Log-Reason header becomes their entries' reason.
router = APIRouter(prefix="/guilds/{guild_id}/members/{user_id}/warnings", tags=["moderation"], dependencies=AUDITED)


class CreateWarning(Body):
    reason: str = Field(max_length=1024)


@router.post("", status_code=201, response_model=Data[GuildWarning])
async def warn(guild_id: str, user_id: str, body: CreateWarning, caller: Me, ctx: Ctx) -> Response:
    return ok(await member_warnings.warn(ctx, guild_id, caller.id, user_id, body.reason), 201)


@router.get("", response_model=Data[list[GuildWarning]])
async def list_warnings(guild_id: str, user_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await member_warnings.list_warnings(ctx, guild_id, caller.id, user_id))
