"""Installing a bot in a guild, OAuth2-style: a guild manager authorizes it with a permission set.

`GET /oauth2/authorize` describes what an install link asks for (the bot, the scopes, the bits)
and the guilds where the caller may install it; `POST /oauth2/authorize` does it. The caller
needs ManageGuild in the guild and must hold every requested bit (`grants.require_holds`:
nobody hands out what they do not have). The bot becomes a member, and gets its *managed role*
(`roles.managed_by`), which carries exactly the requested bits: the bot holds it and nobody
else can be given it, and it cannot be deleted by hand. Authorizing again sets the role's bits
to the new request and changes nothing when they are the same.

Scopes: `bot` adds the bot; `applications.commands` makes its commands usable in the guild.
With both, membership does that (a guild offers the commands of the bots that are its members,
`services/commands.py`). With `applications.commands` alone the bot does not join: the guild
keeps an *install* (`application_installs`) that offers its commands, with no member and no role,
until a guild manager removes it (`remove_install`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import application_installs, guild_members, member_roles, roles, users
from amityvox.errors import bad_request, forbidden, not_found
from amityvox.ids import is_ulid, new_id, now_iso
from amityvox.services import access, audit_log, commands, grants, guilds, members, messages
from amityvox.services.bots import bot_row
from amityvox.services.invites import is_banned
from amityvox.services.roles import MAX_ROLES
from amityvox.services.serialize import (
    Row,
    guild_out,
    load_guild_roles,
    load_guild_row,
    load_member,
    load_role,
    public_user,
)
from amityvox.uow import UnitOfWork

COMMANDS_SCOPE = "applications.commands"
SCOPES = ("bot", COMMANDS_SCOPE)


def parse_scopes(scope: str) -> list[str]:
    """`scope` as in the link: space-separated names, at least one; unknown names refused."""
    names = list(dict.fromkeys(scope.split()))
    unknown = [n for n in names if n not in SCOPES]
    if unknown:
        raise bad_request(f"unknown scope: {', '.join(unknown)}", code="invalid_scope")
    if not names:
        raise bad_request(f"scope names bot, {COMMANDS_SCOPE} or both", code="invalid_scope")
    return names


def _check_bits(permissions: int) -> int:
    if permissions < 0 or permissions & ~P.ALL:
        raise bad_request("permissions holds bits that are not permissions", code="invalid_permissions")
    return permissions


def permission_names(bits: int) -> list[str]:
    return [p.name for p in P.Perm if bits & p and p.name]


async def _manageable_guilds(conn: AsyncConnection, user_id: str, bot_id: str) -> list[dict[str, Any]]:
    """The caller's guilds where they hold ManageGuild, each with whether the bot is in it."""
    q = select(guild_members.c.guild_id).where(guild_members.c.user_id == user_id).order_by(guild_members.c.guild_id)
    out = []
    for guild_id in list(await conn.scalars(q)):
        ga = await access.guild_access(conn, guild_id, user_id)
        if P.has(ga.perms, P.Perm.ManageGuild):
            installed = await _installed(conn, guild_id, bot_id)
            out.append({**guild_out(ga.guild), "bot_member": await members.is_member(conn, guild_id, bot_id),
                        "commands_installed": installed})  # fmt: skip
    return out


async def _installed(conn: AsyncConnection, guild_id: str, bot_id: str) -> bool:
    q = select(application_installs.c.guild_id).where(
        application_installs.c.guild_id == guild_id, application_installs.c.application_id == bot_id
    )
    return (await conn.scalar(q)) is not None


def _commands_only(scopes: list[str], permissions: int) -> bool:
    """Whether the link installs the commands alone; permissions then have no role to go to."""
    if "bot" in scopes:
        return False
    if permissions:
        raise bad_request("permissions are given to the bot's role: ask for the bot scope", code="invalid_permissions")
    return True


async def describe(ctx: Context, user_id: str, bot_id: str, scope: str, permissions: int) -> dict[str, Any]:
    """GET /oauth2/authorize: what the link asks for, and where the caller could grant it."""
    scopes = parse_scopes(scope)
    bits = _check_bits(permissions)
    _commands_only(scopes, bits)
    async with ctx.db.read() as conn:
        bot = await bot_row(conn, bot_id)
        return {
            "bot": public_user(bot),
            "scopes": scopes,
            "permissions": str(bits),
            "permission_names": permission_names(bits),
            "guilds": await _manageable_guilds(conn, user_id, bot_id),
        }


async def _managed_role(tx: UnitOfWork, ga: access.GuildAccess, bot: Row, bits: int, user_id: str) -> str:
    """The bot's managed role in the guild with exactly `bits`, created or updated (events, audit)."""
    guild_id = ga.guild["id"]
    q = select(roles).where(roles.c.guild_id == guild_id, roles.c.managed_by == bot["id"])
    row = (await tx.conn.execute(q)).mappings().first()
    if row is None:
        if len(await load_guild_roles(tx.conn, guild_id)) >= MAX_ROLES:
            raise bad_request(f"a guild has at most {MAX_ROLES} roles", code="limit_reached")
        role_id = new_id()
        await tx.conn.execute(
            roles.insert().values(
                id=role_id, guild_id=guild_id, name=bot["username"][:100], color=None, hoist=False, mentionable=False,
                position=1, permissions_allow=bits, permissions_deny=0, managed_by=bot["id"], created_at=now_iso(),
            )
        )  # fmt: skip
        role = await load_role(tx.conn, role_id)
        tx.emit("GUILD_ROLE_CREATE", role)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.ROLE_CREATE,
            target_type="role", target_id=role_id, new=role,
        )  # fmt: skip
        return role_id
    old = (row["permissions_allow"], row["permissions_deny"])
    if old != (bits, 0):
        # Taking bits away is a change of them too: the grantor must hold those as well.
        grants.require_holds(ga.perms, grants.changed_bits(old, (bits, 0)), "in this guild")
        before = await load_role(tx.conn, row["id"])
        await tx.conn.execute(
            update(roles).where(roles.c.id == row["id"]).values(permissions_allow=bits, permissions_deny=0)
        )
        role = await load_role(tx.conn, row["id"])
        tx.emit("GUILD_ROLE_UPDATE", role)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.ROLE_UPDATE,
            target_type="role", target_id=row["id"], old=before, new=role,
        )  # fmt: skip
    return str(row["id"])


async def authorize(
    ctx: Context, user_id: str, bot_id: str, guild_id: str, scope: str, permissions: int
) -> dict[str, Any]:
    """POST /oauth2/authorize (ManageGuild, holding every requested bit): the bot joins the guild
    with its managed role → GUILD_ROLE_CREATE (or _UPDATE), then GUILD_MEMBER_ADD and GUILD_CREATE
    to the bot (or GUILD_MEMBER_UPDATE when it was a member without the role), then the join
    message when the guild has a system channel. Answers `{guild_id, bot, role, member}`.
    With `applications.commands` alone: `install_commands`."""
    scopes = parse_scopes(scope)
    bits = _check_bits(permissions)
    if _commands_only(scopes, bits):
        return await install_commands(ctx, user_id, bot_id, guild_id)
    async with ctx.uow() as tx:
        bot = await bot_row(tx.conn, bot_id)
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageGuild)
        grants.require_holds(ga.perms, bits, "in this guild")
        if await is_banned(tx.conn, guild_id, bot_id):
            raise forbidden("that bot is banned from this guild", code="banned")
        joining = not await members.is_member(tx.conn, guild_id, bot_id)
        role_id = await _managed_role(tx, ga, bot, bits, user_id)
        if joining:
            await members.add_member(tx.conn, guild_id, bot_id)
        held = await tx.conn.scalar(
            select(member_roles.c.role_id).where(
                member_roles.c.guild_id == guild_id, member_roles.c.user_id == bot_id, member_roles.c.role_id == role_id
            )
        )
        if held is None:
            await tx.conn.execute(member_roles.insert().values(guild_id=guild_id, user_id=bot_id, role_id=role_id))
        member = await load_member(tx.conn, guild_id, bot_id)
        if joining:
            tx.emit("GUILD_MEMBER_ADD", member)
            tx.emit("GUILD_CREATE", await guilds.full_guild(tx.conn, guild_id, bot_id))
            await messages.post_join_message(tx, await load_guild_row(tx.conn, guild_id), bot_id)
            await audit_log.record(
                tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.BOT_ADD, target_type="user",
                target_id=bot_id, new={"scopes": scopes, "permissions": str(bits)},
            )  # fmt: skip
        elif held is None:
            tx.emit("GUILD_MEMBER_UPDATE", member)
        return {
            "guild_id": guild_id,
            "bot": public_user(bot),
            "role": await load_role(tx.conn, role_id),
            "member": member,
        }


async def install_commands(ctx: Context, user_id: str, bot_id: str, guild_id: str) -> dict[str, Any]:
    """POST /oauth2/authorize with `applications.commands` alone (ManageGuild): the bot's commands
    become usable in the guild without it joining → APPLICATION_COMMAND_CREATE for each, unless the
    bot is a member already (then they were usable). Installing again changes nothing. Answers
    `{guild_id, bot, role: null, member: null}`."""
    async with ctx.uow() as tx:
        bot = await bot_row(tx.conn, bot_id)
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageGuild)
        if await is_banned(tx.conn, guild_id, bot_id):
            raise forbidden("that bot is banned from this guild", code="banned")
        if not await _installed(tx.conn, guild_id, bot["id"]):
            usable = await commands.usable_in(tx.conn, guild_id, bot["id"])
            await tx.conn.execute(
                application_installs.insert().values(
                    guild_id=guild_id, application_id=bot["id"], installed_by=user_id, created_at=now_iso()
                )
            )
            if not usable:
                await commands.announce_all(tx, "APPLICATION_COMMAND_CREATE", bot["id"], guild_id)
            await audit_log.record(
                tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.INTEGRATION_CREATE,
                target_type="user", target_id=bot["id"], new={"scopes": [COMMANDS_SCOPE]},
            )  # fmt: skip
        return {"guild_id": guild_id, "bot": public_user(bot), "role": None, "member": None}


async def remove_install(ctx: Context, user_id: str, guild_id: str, application_id: str) -> None:
    """DELETE /guilds/{g}/integrations/{application_id} (ManageGuild): the commands-only install
    ends → APPLICATION_COMMAND_DELETE for each of its commands, unless the bot is still a member
    (then they stay usable). 404 when there is no such install."""
    if not is_ulid(application_id):
        raise not_found("integration")
    application_id = application_id.upper()
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageGuild)
        removed = await tx.conn.execute(
            delete(application_installs).where(
                application_installs.c.guild_id == guild_id, application_installs.c.application_id == application_id
            )
        )
        if not removed.rowcount:
            raise not_found("integration")
        if not await members.is_member(tx.conn, guild_id, application_id):
            await commands.announce_all(tx, "APPLICATION_COMMAND_DELETE", application_id, guild_id)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.INTEGRATION_DELETE,
            target_type="user", target_id=application_id, old={"scopes": [COMMANDS_SCOPE]},
        )  # fmt: skip


async def list_integrations(ctx: Context, user_id: str, guild_id: str) -> list[dict[str, Any]]:
    """GET /guilds/{g}/integrations (ManageGuild): every bot installed in the guild, as a member
    (scopes `bot` and `applications.commands`: a member offers its commands) or for its commands
    alone, each with the commands it offers there; ordered by the bot's name."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        ga.require(P.Perm.ManageGuild)
        q = select(application_installs).where(application_installs.c.guild_id == guild_id)
        installs = {row["application_id"]: row for row in (await conn.execute(q)).mappings()}
        members_q = select(guild_members.c.user_id).where(guild_members.c.guild_id == guild_id)
        q = select(users).where(
            users.c.bot_owner_id.is_not(None), or_(users.c.id.in_(members_q), users.c.id.in_(list(installs)))
        )
        bots = list((await conn.execute(q)).mappings())
        member_ids = set(await conn.scalars(members_q.where(guild_members.c.user_id.in_([b["id"] for b in bots]))))
        offered: dict[str, list[dict[str, Any]]] = {}
        for row in (await conn.execute(commands.guild_commands_query(guild_id))).mappings():
            offered.setdefault(row["application_id"], []).append(commands.command_out(row))
    out = []
    for bot in sorted(bots, key=lambda b: (b["username"].lower(), b["id"])):
        install = installs.get(bot["id"])
        member = bot["id"] in member_ids
        out.append({
            "bot": public_user(bot),
            "scopes": ["bot", COMMANDS_SCOPE] if member else [COMMANDS_SCOPE],
            "bot_member": member,
            "commands_installed": install is not None,
            "installed_by": install["installed_by"] if install is not None else None,
            "commands": offered.get(bot["id"], []),
        })  # fmt: skip
    return out
