"""Guild roles: list, create, edit and delete, under the role hierarchy.

Apart from the owner, nobody creates, edits or deletes a role at or above their own
highest role, or changes a role's bits they do not hold themselves (`services.grants`):
deleting a role lifts its denies, and moving one changes which of its bits win over
other roles', so those need them too.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import member_roles, permission_overwrites, roles
from amityvox.errors import bad_request, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import access, audit_log, grants
from amityvox.services.grants import require_role_below
from amityvox.services.serialize import load_channel, load_guild_roles, load_role

MAX_NAME = 100
MAX_POSITION = 1_000_000
MAX_ROLES = 250
_HEX_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def parse_color(color: int | str | None) -> int | None:
    """A colour as `"#rrggbb"` (what Role carries) or an integer 0-0xFFFFFF; null clears it."""
    if color is None:
        return None
    if isinstance(color, str):
        match = _HEX_COLOR.match(color)
        if match is None:
            raise bad_request('color must be "#rrggbb" or an integer 0-16777215')
        return int(match.group(1), 16)
    if isinstance(color, bool) or not 0 <= color <= 0xFFFFFF:
        raise bad_request('color must be "#rrggbb" or an integer 0-16777215')
    return color


def _check_name(name: str | None) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise bad_request(f"name must be 1-{MAX_NAME} characters")
    return name


def _check_position(position: int) -> int:
    # 0 is the implicit @everyone level, so real roles start at 1.
    if not 1 <= position <= MAX_POSITION:
        raise bad_request(f"position must be 1-{MAX_POSITION}")
    return position


def _check_bits(label: str, bits: int) -> int:
    if bits < 0 or bits & ~P.ALL:
        raise bad_request(f"{label} holds bits that are not permissions")
    return bits


async def list_roles(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        await access.guild_access(conn, guild_id, user_id)
        return await load_guild_roles(conn, guild_id)


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in fields:
        values["name"] = _check_name(fields["name"])
    if "color" in fields:
        values["color"] = parse_color(fields["color"])
    for flag in ("hoist", "mentionable"):
        if flag in fields:
            if fields[flag] is None:
                raise bad_request(f"{flag} cannot be null")
            values[flag] = bool(fields[flag])
    if "position" in fields:
        if fields["position"] is None:
            raise bad_request("position cannot be null")
        values["position"] = _check_position(fields["position"])
    for bits in ("permissions_allow", "permissions_deny"):
        if bits in fields:
            if fields[bits] is None:
                raise bad_request(f"{bits} cannot be null")
            values[bits] = _check_bits(bits, fields[bits])
    return values


async def create_role(ctx: Context, guild_id: str, user_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """POST /guilds/{g}/roles (ManageRoles) → GUILD_ROLE_CREATE."""
    values = {"name": "new role", "position": 1, "permissions_allow": 0, "permissions_deny": 0, **_values(fields)}
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageRoles)
        require_role_below(ga, values["position"])
        grants.require_holds(ga.perms, values["permissions_allow"] | values["permissions_deny"], "in this guild")
        count = len(await load_guild_roles(tx.conn, guild_id))
        if count >= MAX_ROLES:
            raise bad_request(f"a guild has at most {MAX_ROLES} roles", code="limit_reached")
        role_id = new_id()
        await tx.conn.execute(
            roles.insert().values(
                id=role_id,
                guild_id=guild_id,
                hoist=values.pop("hoist", False),
                mentionable=values.pop("mentionable", False),
                created_at=now_iso(),
                **values,
            )
        )
        role = await load_role(tx.conn, role_id)
        tx.emit("GUILD_ROLE_CREATE", role)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.ROLE_CREATE,
            target_type="role", target_id=role_id, new=role,
        )  # fmt: skip
        return role


async def _guild_role_row(conn: AsyncConnection, guild_id: str, role_id: str) -> Any:
    row = (
        (await conn.execute(select(roles).where(roles.c.id == role_id, roles.c.guild_id == guild_id)))
        .mappings()
        .first()
    )
    if row is None:
        raise not_found("role")
    return row


async def update_role(
    ctx: Context, guild_id: str, user_id: str, role_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """PATCH /guilds/{g}/roles/{r} (ManageRoles, hierarchy) → GUILD_ROLE_UPDATE with the whole role."""
    values = _values(changes)
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageRoles)
        row = await _guild_role_row(tx.conn, guild_id, role_id)
        require_role_below(ga, row["position"])
        if "position" in values:
            require_role_below(ga, values["position"])
        old = (row["permissions_allow"], row["permissions_deny"])
        new = (values.get("permissions_allow", old[0]), values.get("permissions_deny", old[1]))
        touched = grants.changed_bits(old, new)
        if values.get("position", row["position"]) != row["position"]:
            # Roles apply in position order, so moving one lets its bits override, or be overridden by, others.
            touched |= new[0] | new[1]
        grants.require_holds(ga.perms, touched, "in this guild")
        values = {k: v for k, v in values.items() if row[k] != v}
        before = await load_role(tx.conn, role_id)
        if values:
            await tx.conn.execute(update(roles).where(roles.c.id == role_id).values(**values))
        role = await load_role(tx.conn, role_id)
        if values:
            tx.emit("GUILD_ROLE_UPDATE", role)
            await audit_log.record(
                tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.ROLE_UPDATE,
                target_type="role", target_id=role_id, old=before, new=role,
            )  # fmt: skip
        return role


async def delete_role(ctx: Context, guild_id: str, user_id: str, role_id: str) -> None:
    """DELETE /guilds/{g}/roles/{r} → GUILD_ROLE_DELETE (members lose it with that event alone);
    channels that had an overwrite for it get CHANNEL_UPDATE with the overwrite gone."""
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageRoles)
        row = await _guild_role_row(tx.conn, guild_id, role_id)
        grants.require_unmanaged(row)
        await grants.require_may_hand_out(tx.conn, ga, row, taking=True)
        before = await load_role(tx.conn, role_id)
        touched = list(
            await tx.conn.scalars(
                select(permission_overwrites.c.channel_id)
                .where(permission_overwrites.c.target_id == role_id)
                .order_by(permission_overwrites.c.channel_id)
            )
        )
        await tx.conn.execute(delete(permission_overwrites).where(permission_overwrites.c.target_id == role_id))
        await tx.conn.execute(delete(member_roles).where(member_roles.c.role_id == role_id))
        await tx.conn.execute(delete(roles).where(roles.c.id == role_id))
        tx.emit("GUILD_ROLE_DELETE", {"guild_id": guild_id, "role_id": role_id})
        for channel_id in touched:
            tx.emit("CHANNEL_UPDATE", await load_channel(tx.conn, channel_id))
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.ROLE_DELETE,
            target_type="role", target_id=role_id, old=before,
        )  # fmt: skip
