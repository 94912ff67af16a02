"""Loads what the gateway's routing indexes need, and the per-user READY snapshot."""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select

from amityvox.context import Context
from amityvox.db.schema import (
    channel_recipients,
    channels,
    guild_members,
    guilds,
    member_roles,
    permission_overwrites,
    relationships,
    roles,
    users,
    voice_states,
)
from amityvox.errors import ApiError
from amityvox.gateway.backend import Credential
from amityvox.gateway.indexes import WorldData
from amityvox.ids import parse_iso
from amityvox.services import auth, saved_messages, user_settings
from amityvox.services import dms as dms_service
from amityvox.services import guilds as guilds_service
from amityvox.services import read_state as read_state_service
from amityvox.services import relationships as relationships_service
from amityvox.services import voice as voice_service
from amityvox.services.serialize import (
    Row,
    channel_out,
    guild_out,
    load_member,
    role_out,
)
from amityvox.services.typing_indicator import start_typing
from amityvox.services.users import get_row, self_user

log = logging.getLogger("amityvox.gateway")


async def load_world(ctx: Context) -> WorldData:
    """Every guild, role, channel (with overwrites and recipients), membership, friendship and voice state."""
    async with ctx.db.read() as conn:
        guild_rows = list((await conn.execute(select(guilds))).mappings())
        role_rows = list((await conn.execute(select(roles))).mappings())
        channel_rows = list((await conn.execute(select(channels))).mappings())
        overwrites: dict[str, list[Row]] = defaultdict(list)
        for o in (await conn.execute(select(permission_overwrites))).mappings():
            overwrites[o["channel_id"]].append(o)
        recipients: dict[str, list[Row]] = defaultdict(list)
        q = select(channel_recipients.c.channel_id, users).join(users, users.c.id == channel_recipients.c.user_id)
        for r in (await conn.execute(q)).mappings():
            recipients[r["channel_id"]].append(r)
        held: dict[tuple[str, str], list[str]] = defaultdict(list)
        for mr in await conn.execute(select(member_roles)):
            held[(mr.guild_id, mr.user_id)].append(mr.role_id)
        members = [
            (m.guild_id, m.user_id, tuple(held.get((m.guild_id, m.user_id), ())), m.timeout_until)
            for m in await conn.execute(select(guild_members))
        ]
        friends = [
            (r.user_id, r.target_id)
            for r in await conn.execute(select(relationships).where(relationships.c.type == "friend"))
        ]
        q_voice = select(voice_states.c.user_id, voice_states.c.channel_id)
        voice = [(v.user_id, v.channel_id) for v in await conn.execute(q_voice)]
    return WorldData(
        guilds=[guild_out(g) for g in guild_rows],
        roles=[role_out(r) for r in role_rows],
        channels=[
            channel_out(
                c,
                sorted(overwrites.get(c["id"], ()), key=lambda o: o["target_id"]),
                recipients.get(c["id"], []) if c["channel_type"] in ("dm", "group") else None,
            )
            for c in channel_rows
        ],
        members=members,
        friendships=friends,
        voice=voice,
    )


async def ready_snapshot(ctx: Context, user_id: str) -> dict[str, Any]:
    """READY's database part: the user, their guilds as they see them, DMs, relationships, read state."""
    async with ctx.db.read() as conn:
        user = self_user(await get_row(conn, user_id))
        q = (
            select(guild_members.c.guild_id)
            .where(guild_members.c.user_id == user_id)
            .order_by(guild_members.c.guild_id)
        )
        full_guilds = [await guilds_service.full_guild(conn, gid, user_id) for gid in await conn.scalars(q)]
        dms = await dms_service.load_dm_channels(conn, user_id)
        visible = [c["id"] for g in full_guilds for c in g["channels"]] + [c["id"] for c in dms]
        return {
            "user": user,
            "guild_ids": [g["id"] for g in full_guilds],
            "guilds": full_guilds,
            "dms": dms,
            "relationships": await relationships_service.load_relationships(conn, user_id),
            "read_state": await read_state_service.read_states_for(conn, user_id, visible),
            "voice_states": await voice_service.states_in(conn, visible),
            "settings": user_settings.settings_out(user_id, await user_settings.load(conn, user_id)),
            "saved_messages": await saved_messages.readable_saves(conn, user_id),
        }


class ServiceBackend:
    """The gateway's view of the services: authentication, snapshots, member search, typing."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def authenticate(self, token: str) -> Credential | None:
        row = await auth.authenticate(self.ctx, token)
        if row is None:
            return None
        expires_at = parse_iso(row["token_expires_at"]).timestamp()
        return Credential(str(row["id"]), auth.hash_token(token), expires_at)

    async def load_world(self) -> WorldData:
        return await load_world(self.ctx)

    async def ready(self, user_id: str) -> dict[str, Any]:
        return await ready_snapshot(self.ctx, user_id)

    async def status_of(self, user_id: str) -> str:
        async with self.ctx.db.read() as conn:
            return str((await get_row(conn, user_id))["status_presence"])

    async def members(self, guild_id: str, query: str, limit: int) -> list[dict[str, Any]]:
        """Members whose username, display name or nickname contains `query` (case-insensitive)."""
        needle = f"%{query.lower()}%"
        async with self.ctx.db.read() as conn:
            q = (
                select(guild_members.c.user_id)
                .join(users, users.c.id == guild_members.c.user_id)
                .where(guild_members.c.guild_id == guild_id)
                .where(
                    or_(
                        users.c.username_key.like(needle),
                        func.lower(func.coalesce(users.c.display_name, "")).like(needle),
                        func.lower(func.coalesce(guild_members.c.nickname, "")).like(needle),
                    )
                )
                .order_by(guild_members.c.user_id)
                .limit(limit)
            )
            return [await load_member(conn, guild_id, uid) for uid in await conn.scalars(q)]

    async def typing(self, user_id: str, channel_id: str) -> None:
        with contextlib.suppress(ApiError):  # no permission to type there: nothing to announce
            await start_typing(self.ctx, user_id, channel_id)

    async def voice_state(self, user_id: str, session_id: str, d: dict[str, Any]) -> None:
        """Op 4: join, move, leave or change self mute/deafen, as the REST calls do."""
        try:
            await voice_service.gateway_update(self.ctx, user_id, session_id, d)
        except ApiError as exc:  # an unknown channel or a missing permission: the state stays as it was
            log.info("voice state update from %s refused: %s", user_id, exc.message)

    async def session_ended(self, user_id: str, session_id: str) -> None:
        """A gateway session ended for good: the voice state it held is left."""
        await voice_service.leave_current(self.ctx, user_id, session_id)
