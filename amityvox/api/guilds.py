"""/guilds: guilds, their channels, members, roles, bans, prune, emoji and invites."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import AUDITED, Body, Ctx, Data, Me, no_content, ok
from amityvox.api.fields import MediaId, PermissionBits
from amityvox.events.payloads import (
    Ban,
    Channel,
    CustomEmoji,
    FullGuild,
    Guild,
    GuildMember,
    GuildMembersPrune,
    Invite,
    MemberPermissions,
    PruneCount,
    Role,
)
from amityvox.services import channels, emoji, guilds, invites, members, moderation, roles

# Changes made here are audited: the X-Audit-Log-Reason header becomes their entries' reason.
router = APIRouter(prefix="/guilds", tags=["guilds"], dependencies=AUDITED)


# ---- bodies ----------------------------------------------------------------------------------


class CreateGuild(Body):
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class PatchGuild(Body):
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    icon_id: MediaId | None = None
    banner_id: MediaId | None = None
    system_channel_id: str | None = Field(default=None, max_length=26)
    default_permissions: PermissionBits | None = None
    nsfw: bool | None = None
    discoverable: bool | None = None
    owner_id: str | None = Field(default=None, max_length=26)


class CreateChannel(Body):
    name: str = Field(max_length=200)
    channel_type: str = "text"
    topic: str | None = Field(default=None, max_length=2048)
    position: int | None = None
    category_id: str | None = Field(default=None, max_length=26)
    nsfw: bool = False
    slowmode_seconds: int = 0


class PatchMember(Body):
    nickname: str | None = Field(default=None, max_length=64)
    roles: list[str] | None = Field(default=None, max_length=250)
    timeout_until: str | None = Field(default=None, max_length=64)
    deaf: bool | None = None
    mute: bool | None = None


class RoleFields(Body):
    name: str | None = Field(default=None, max_length=200)
    color: int | str | None = None
    hoist: bool | None = None
    mentionable: bool | None = None
    position: int | None = None
    permissions_allow: PermissionBits | None = None
    permissions_deny: PermissionBits | None = None


class BanBody(Body):
    reason: str | None = Field(default=None, max_length=1024)
    expires_at: str | None = Field(default=None, max_length=64)
    duration_seconds: int | None = None


class PruneBody(Body):
    days: int


class CreateEmoji(Body):
    name: str = Field(max_length=64)
    animated: bool = False
    image_id: MediaId | None = None  # an upload of kind emoji (POST /files/upload)


class PatchEmoji(Body):
    name: str = Field(max_length=64)


class CreateInvite(Body):
    channel_id: str | None = Field(default=None, max_length=26)
    max_uses: int = 0
    max_age_seconds: int | None = None


# ---- guilds ----------------------------------------------------------------------------------


@router.post("", status_code=201, response_model=Data[FullGuild])
async def create_guild(body: CreateGuild, caller: Me, ctx: Ctx) -> Response:
    return ok(await guilds.create_guild(ctx, caller.id, body.name, body.description), status=201)


@router.get("/{guild_id}", response_model=Data[Guild])
async def get_guild(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await guilds.get_guild(ctx, guild_id, caller.id))


@router.patch("/{guild_id}", response_model=Data[Guild])
async def patch_guild(guild_id: str, body: PatchGuild, caller: Me, ctx: Ctx) -> Response:
    return ok(await guilds.update_guild(ctx, guild_id, caller.id, body.model_dump(exclude_unset=True)))


@router.delete("/{guild_id}", status_code=204)
async def delete_guild(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    await guilds.delete_guild(ctx, guild_id, caller.id)
    return no_content()


@router.post("/{guild_id}/leave", status_code=204)
async def leave_guild(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    await guilds.leave_guild(ctx, guild_id, caller.id)
    return no_content()


# ---- channels --------------------------------------------------------------------------------


@router.get("/{guild_id}/channels", response_model=Data[list[Channel]])
async def list_channels(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await channels.list_guild_channels(ctx, guild_id, caller.id))


@router.post("/{guild_id}/channels", status_code=201, response_model=Data[Channel])
async def create_channel(guild_id: str, body: CreateChannel, caller: Me, ctx: Ctx) -> Response:
    return ok(await channels.create_channel(ctx, guild_id, caller.id, body.model_dump()), status=201)


# ---- members ---------------------------------------------------------------------------------


@router.get("/{guild_id}/members", response_model=Data[list[GuildMember]])
async def list_members(
    guild_id: str,
    caller: Me,
    ctx: Ctx,
    after: str | None = Query(default=None, max_length=26),
    limit: int = Query(default=members.DEFAULT_PAGE),
) -> Response:
    return ok(await members.list_members(ctx, guild_id, caller.id, after=after, limit=limit))


@router.get("/{guild_id}/members/@me/permissions", response_model=Data[MemberPermissions])
async def my_permissions(
    guild_id: str, caller: Me, ctx: Ctx, channel_id: str | None = Query(default=None, max_length=26)
) -> Response:
    """The caller's permission bits in the guild (or in one of its channels), as a decimal string."""
    return ok(await members.my_permissions(ctx, guild_id, caller.id, channel_id))


@router.get("/{guild_id}/members/{user_id}", response_model=Data[GuildMember])
async def get_member(guild_id: str, user_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await members.get_member(ctx, guild_id, caller.id, user_id))


@router.patch("/{guild_id}/members/{user_id}", response_model=Data[GuildMember])
async def patch_member(guild_id: str, user_id: str, body: PatchMember, caller: Me, ctx: Ctx) -> Response:
    changes = body.model_dump(exclude_unset=True)
    return ok(await members.update_member(ctx, guild_id, caller.id, user_id, changes))


@router.delete("/{guild_id}/members/{user_id}", status_code=204)
async def kick_member(guild_id: str, user_id: str, caller: Me, ctx: Ctx) -> Response:
    await members.kick_member(ctx, guild_id, caller.id, user_id)
    return no_content()


@router.put("/{guild_id}/members/{user_id}/roles/{role_id}", response_model=Data[GuildMember])
async def add_member_role(guild_id: str, user_id: str, role_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await members.add_role(ctx, guild_id, caller.id, user_id, role_id))


@router.delete("/{guild_id}/members/{user_id}/roles/{role_id}", response_model=Data[GuildMember])
async def remove_member_role(guild_id: str, user_id: str, role_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await members.remove_role(ctx, guild_id, caller.id, user_id, role_id))


# ---- prune and bans --------------------------------------------------------------------------


@router.get("/{guild_id}/prune", response_model=Data[PruneCount])
async def prune_count(guild_id: str, caller: Me, ctx: Ctx, days: int = Query()) -> Response:
    return ok(await moderation.prune_count(ctx, guild_id, caller.id, days))


@router.post("/{guild_id}/prune", response_model=Data[GuildMembersPrune])
async def prune(guild_id: str, body: PruneBody, caller: Me, ctx: Ctx) -> Response:
    return ok(await moderation.prune(ctx, guild_id, caller.id, body.days))


@router.get("/{guild_id}/bans", response_model=Data[list[Ban]])
async def list_bans(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await moderation.list_bans(ctx, guild_id, caller.id))


@router.put("/{guild_id}/bans/{user_id}", response_model=Data[Ban])
async def ban(guild_id: str, user_id: str, caller: Me, ctx: Ctx, body: BanBody | None = None) -> Response:
    b = body or BanBody()
    return ok(
        await moderation.ban_user(
            ctx,
            guild_id,
            caller.id,
            user_id,
            reason=b.reason,
            expires_at=b.expires_at,
            duration_seconds=b.duration_seconds,
        )
    )


@router.delete("/{guild_id}/bans/{user_id}", status_code=204)
async def unban(guild_id: str, user_id: str, caller: Me, ctx: Ctx) -> Response:
    await moderation.unban_user(ctx, guild_id, caller.id, user_id)
    return no_content()


# ---- roles -----------------------------------------------------------------------------------


@router.get("/{guild_id}/roles", response_model=Data[list[Role]])
async def list_roles(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await roles.list_roles(ctx, guild_id, caller.id))


@router.post("/{guild_id}/roles", status_code=201, response_model=Data[Role])
async def create_role(guild_id: str, body: RoleFields, caller: Me, ctx: Ctx) -> Response:
    return ok(await roles.create_role(ctx, guild_id, caller.id, body.model_dump(exclude_unset=True)), status=201)


@router.patch("/{guild_id}/roles/{role_id}", response_model=Data[Role])
async def patch_role(guild_id: str, role_id: str, body: RoleFields, caller: Me, ctx: Ctx) -> Response:
    return ok(await roles.update_role(ctx, guild_id, caller.id, role_id, body.model_dump(exclude_unset=True)))


@router.delete("/{guild_id}/roles/{role_id}", status_code=204)
async def delete_role(guild_id: str, role_id: str, caller: Me, ctx: Ctx) -> Response:
    await roles.delete_role(ctx, guild_id, caller.id, role_id)
    return no_content()


# ---- emoji -----------------------------------------------------------------------------------


@router.get("/{guild_id}/emoji", response_model=Data[list[CustomEmoji]])
async def list_emoji(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await emoji.list_emoji(ctx, guild_id, caller.id))


@router.post("/{guild_id}/emoji", status_code=201, response_model=Data[CustomEmoji])
async def create_emoji(guild_id: str, body: CreateEmoji, caller: Me, ctx: Ctx) -> Response:
    return ok(await emoji.create_emoji(ctx, guild_id, caller.id, body.name, body.animated, body.image_id), status=201)


@router.patch("/{guild_id}/emoji/{emoji_id}", response_model=Data[CustomEmoji])
async def rename_emoji(guild_id: str, emoji_id: str, body: PatchEmoji, caller: Me, ctx: Ctx) -> Response:
    return ok(await emoji.rename_emoji(ctx, guild_id, caller.id, emoji_id, body.name))


@router.delete("/{guild_id}/emoji/{emoji_id}", status_code=204)
async def delete_emoji(guild_id: str, emoji_id: str, caller: Me, ctx: Ctx) -> Response:
    await emoji.delete_emoji(ctx, guild_id, caller.id, emoji_id)
    return no_content()


# ---- invites ---------------------------------------------------------------------------------


@router.get("/{guild_id}/invites", response_model=Data[list[Invite]])
async def list_invites(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await invites.list_invites(ctx, guild_id, caller.id))


@router.post("/{guild_id}/invites", status_code=201, response_model=Data[Invite])
async def create_invite(guild_id: str, caller: Me, ctx: Ctx, body: CreateInvite | None = None) -> Response:
    b = body or CreateInvite()
    invite = await invites.create_invite(
        ctx, guild_id, caller.id, channel_id=b.channel_id, max_uses=b.max_uses, max_age_seconds=b.max_age_seconds
    )
    return ok(invite, status=201)
