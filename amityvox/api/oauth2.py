"""Installing a bot in a guild through an OAuth2-style authorize link (services/bot_install.py)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import AUDITED, Body, Ctx, Data, Me, no_content, ok
from amityvox.api.fields import PermissionBits
from amityvox.events.payloads import BotInstalled, BotInstallPrompt, GuildIntegration
from amityvox.services import bot_install

router = APIRouter(tags=["bots"], dependencies=AUDITED)


class Authorize(Body):
    client_id: str = Field(min_length=1, max_length=26)
    guild_id: str = Field(min_length=1, max_length=26)
    scope: str = Field(default="bot", max_length=200)
    permissions: PermissionBits = 0


@router.get("/oauth2/authorize", response_model=Data[BotInstallPrompt])
async def describe(
    caller: Me,
    ctx: Ctx,
    client_id: str = Query(min_length=1, max_length=26),
    scope: str = Query("bot", max_length=200),
    permissions: int = Query(0, ge=0),
) -> Response:
    return ok(await bot_install.describe(ctx, caller.id, client_id, scope, permissions))


@router.post("/oauth2/authorize", response_model=Data[BotInstalled])
async def authorize(body: Authorize, caller: Me, ctx: Ctx) -> Response:
    result = await bot_install.authorize(ctx, caller.id, body.client_id, body.guild_id, body.scope, body.permissions)
    return ok(result)


@router.get("/guilds/{guild_id}/integrations", response_model=Data[list[GuildIntegration]])
async def list_integrations(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    """The bots installed in the guild (members, and commands-only installs) with their commands."""
    return ok(await bot_install.list_integrations(ctx, caller.id, guild_id))


@router.delete("/guilds/{guild_id}/integrations/{application_id}", status_code=204)
async def remove_install(guild_id: str, application_id: str, caller: Me, ctx: Ctx) -> Response:
    """End a bot's commands-only install: its commands are no longer offered in the guild."""
    await bot_install.remove_install(ctx, caller.id, guild_id, application_id)
    return no_content()
