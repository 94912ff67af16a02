"""Application commands: a bot's global and per-guild slash commands, and those a member may use."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi import Body as Json
from fastapi.responses import Response

from amityvox.api.deps import Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import ApplicationCommand, UsableCommands
from amityvox.services import commands

router = APIRouter(tags=["commands"])

_GLOBAL = "/applications/{application_id}/commands"
_GUILD = "/applications/{application_id}/guilds/{guild_id}/commands"


@router.get(_GLOBAL, response_model=Data[list[ApplicationCommand]])
async def list_global(application_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await commands.list_commands(ctx, application_id, caller.id))


@router.put(_GLOBAL, response_model=Data[list[ApplicationCommand]])
async def overwrite_global(application_id: str, caller: Me, ctx: Ctx, body: Any = Json(...)) -> Response:
    return ok(await commands.overwrite_commands(ctx, application_id, caller.id, body))


@router.post(_GLOBAL, status_code=201, response_model=Data[ApplicationCommand])
async def create_global(application_id: str, caller: Me, ctx: Ctx, body: Any = Json(...)) -> Response:
    command, new = await commands.create_command(ctx, application_id, caller.id, body)
    return ok(command, 201 if new else 200)


@router.get(_GLOBAL + "/{command_id}", response_model=Data[ApplicationCommand])
async def get_global(application_id: str, command_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await commands.get_command(ctx, application_id, caller.id, command_id))


@router.patch(_GLOBAL + "/{command_id}", response_model=Data[ApplicationCommand])
async def modify_global(application_id: str, command_id: str, caller: Me, ctx: Ctx, body: Any = Json(...)) -> Response:
    return ok(await commands.modify_command(ctx, application_id, caller.id, command_id, body))


@router.delete(_GLOBAL + "/{command_id}", status_code=204)
async def delete_global(application_id: str, command_id: str, caller: Me, ctx: Ctx) -> Response:
    await commands.delete_command(ctx, application_id, caller.id, command_id)
    return no_content()


@router.get(_GUILD, response_model=Data[list[ApplicationCommand]])
async def list_guild(application_id: str, guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await commands.list_commands(ctx, application_id, caller.id, guild_id))


@router.put(_GUILD, response_model=Data[list[ApplicationCommand]])
async def overwrite_guild(application_id: str, guild_id: str, caller: Me, ctx: Ctx, body: Any = Json(...)) -> Response:
    return ok(await commands.overwrite_commands(ctx, application_id, caller.id, body, guild_id))


@router.post(_GUILD, status_code=201, response_model=Data[ApplicationCommand])
async def create_guild(application_id: str, guild_id: str, caller: Me, ctx: Ctx, body: Any = Json(...)) -> Response:
    command, new = await commands.create_command(ctx, application_id, caller.id, body, guild_id)
    return ok(command, 201 if new else 200)


@router.get(_GUILD + "/{command_id}", response_model=Data[ApplicationCommand])
async def get_guild(application_id: str, guild_id: str, command_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await commands.get_command(ctx, application_id, caller.id, command_id, guild_id))


@router.patch(_GUILD + "/{command_id}", response_model=Data[ApplicationCommand])
async def modify_guild(
    application_id: str, guild_id: str, command_id: str, caller: Me, ctx: Ctx, body: Any = Json(...)
) -> Response:
    return ok(await commands.modify_command(ctx, application_id, caller.id, command_id, body, guild_id))


@router.delete(_GUILD + "/{command_id}", status_code=204)
async def delete_guild(application_id: str, guild_id: str, command_id: str, caller: Me, ctx: Ctx) -> Response:
    await commands.delete_command(ctx, application_id, caller.id, command_id, guild_id)
    return no_content()


@router.get("/channels/{channel_id}/commands", response_model=Data[UsableCommands])
async def usable_in_channel(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await commands.usable_commands(ctx, channel_id, caller.id))
