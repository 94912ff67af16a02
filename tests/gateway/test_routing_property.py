"""Property: the gateway's in-memory routing agrees with the REST permission checks on the database.

Hypothesis builds random worlds (guilds, roles with random bits, overwrites, threads, DMs,
friendships, timeouts) straight into SQLite, loads the gateway's indexes the way the gateway
does, and compares every audience with a brute-force reference computed from the database
with `access.py` / `permissions.py`. It then applies random changes — to the database and, as
their catalog events, to the indexes — and checks the two still agree, including the
CHANNEL_CREATE / CHANNEL_DELETE visibility transitions the gateway derives.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.bus.memory import MemoryBus
from amityvox.context import Context
from amityvox.db.engine import Database
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
)
from amityvox.errors import ApiError
from amityvox.events import catalog
from amityvox.gateway.indexes import World
from amityvox.gateway.router import recipients
from amityvox.gateway_backend import load_world
from amityvox.ids import new_id, now_iso
from amityvox.services import access, audit_log, serialize
from tests.conftest import make_settings, seed_sqlite

POOL = [
    int(P.Perm.ViewChannel),
    int(P.Perm.SendMessages),
    int(P.Perm.ManageMessages),
    int(P.Perm.KickMembers),
    int(P.Perm.ReadHistory),
    int(P.Perm.ViewAuditLog),
]
FAR_FUTURE = "2999-01-01T00:00:00.000000Z"

bits = st.lists(st.sampled_from(POOL), max_size=3).map(lambda xs: sum(set(xs)))
admin_bits = st.one_of(bits, st.just(int(P.Perm.Administrator)))


async def _insert_world(conn: AsyncConnection, data: st.DataObject) -> dict[str, Any]:
    now = now_iso()
    user_ids = [new_id() for _ in range(5)]
    for i, u in enumerate(user_ids):
        await conn.execute(
            insert(users).values(
                id=u,
                username=f"user{i}",
                username_key=f"user{i}",
                status_presence="online",
                flags=0,
                is_admin=False,
                created_at=now,
            )
        )
    world: dict[str, Any] = {"users": user_ids, "guilds": [], "channels": [], "roles": {}, "dms": []}
    for _ in range(data.draw(st.integers(1, 2))):
        gid, owner = new_id(), data.draw(st.sampled_from(user_ids))
        await conn.execute(
            insert(guilds).values(
                id=gid,
                owner_id=owner,
                name="g",
                default_permissions=data.draw(bits),
                flags=0,
                nsfw=False,
                discoverable=False,
                member_count=0,
                created_at=now,
            )
        )
        world["guilds"].append(gid)
        role_ids = []
        for pos in range(data.draw(st.integers(0, 3))):
            rid = new_id()
            role_ids.append(rid)
            await conn.execute(
                insert(roles).values(
                    id=rid,
                    guild_id=gid,
                    name=f"r{pos}",
                    hoist=False,
                    mentionable=False,
                    position=pos + 1,
                    permissions_allow=data.draw(admin_bits),
                    permissions_deny=data.draw(bits),
                    created_at=now,
                )
            )
        world["roles"][gid] = role_ids
        members = [u for u in user_ids if u == owner or data.draw(st.booleans())]
        for u in members:
            timeout = FAR_FUTURE if data.draw(st.integers(0, 5)) == 0 else None
            await conn.execute(
                insert(guild_members).values(
                    guild_id=gid,
                    user_id=u,
                    joined_at=now,
                    last_active_at=now,
                    timeout_until=timeout,
                    deaf=False,
                    mute=False,
                    onboarding_completed=False,
                )
            )
            for rid in role_ids:
                if data.draw(st.booleans()):
                    await conn.execute(insert(member_roles).values(guild_id=gid, user_id=u, role_id=rid))
        targets = [(gid, "role"), *((r, "role") for r in role_ids), *((u, "user") for u in members)]
        parents: list[str] = []
        for pos in range(data.draw(st.integers(1, 3))):
            cid = new_id()
            parent = data.draw(st.sampled_from(parents)) if parents and data.draw(st.booleans()) else None
            await conn.execute(
                insert(channels).values(
                    id=cid,
                    guild_id=gid,
                    channel_type="text",
                    name=f"c{pos}",
                    position=pos,
                    slowmode_seconds=0,
                    nsfw=False,
                    locked=False,
                    archived=False,
                    parent_channel_id=parent,
                    created_at=now,
                )
            )
            if parent is None:
                parents.append(cid)
                for target, kind in data.draw(st.lists(st.sampled_from(targets), max_size=3, unique=True)):
                    await conn.execute(
                        insert(permission_overwrites).values(
                            channel_id=cid,
                            target_id=target,
                            target_type=kind,
                            allow=data.draw(bits),
                            deny=data.draw(bits),
                        )
                    )
            world["channels"].append(cid)
    for _ in range(data.draw(st.integers(0, 2))):
        cid = new_id()
        who = data.draw(st.lists(st.sampled_from(user_ids), min_size=2, max_size=3, unique=True))
        await conn.execute(
            insert(channels).values(
                id=cid,
                channel_type="group" if len(who) > 2 else "dm",
                position=0,
                slowmode_seconds=0,
                nsfw=False,
                locked=False,
                archived=False,
                created_at=now,
            )
        )
        for u in who:
            await conn.execute(insert(channel_recipients).values(channel_id=cid, user_id=u))
        world["channels"].append(cid)
        world["dms"].append(cid)
    for a, b in data.draw(st.lists(st.tuples(st.sampled_from(user_ids), st.sampled_from(user_ids)), max_size=3)):
        if a != b:
            for x, y in ((a, b), (b, a)):
                await conn.execute(
                    relationships.delete().where(relationships.c.user_id == x, relationships.c.target_id == y)
                )
                await conn.execute(insert(relationships).values(user_id=x, target_id=y, type="friend", created_at=now))
    return world


async def _reference_viewers(conn: AsyncConnection, channel_id: str, user_ids: list[str]) -> set[str]:
    out = set()
    for u in user_ids:
        try:
            await access.channel_access(conn, channel_id, u)
        except ApiError:
            continue
        out.add(u)
    return out


async def _reference_moderators(conn: AsyncConnection, guild_id: str, user_ids: list[str]) -> set[str]:
    out = set()
    for u in user_ids:
        try:
            ga = await access.guild_access(conn, guild_id, u)
        except ApiError:
            continue
        if ga.is_moderator:
            out.add(u)
    return out


async def _reference_audit_readers(conn: AsyncConnection, guild_id: str, user_ids: list[str]) -> set[str]:
    """Who passes the check of GET /guilds/{g}/audit-log (`audit_log.require_reader`)."""
    out = set()
    for u in user_ids:
        try:
            audit_log.require_reader(await access.guild_access(conn, guild_id, u))
        except ApiError:
            continue
        out.add(u)
    return out


async def _check(conn: AsyncConnection, idx: World, world: dict[str, Any]) -> None:
    for cid in world["channels"]:
        assert idx.viewers(cid) == await _reference_viewers(conn, cid, world["users"]), cid
    for gid in world["guilds"]:
        assert idx.moderators(gid) == await _reference_moderators(conn, gid, world["users"])
        audit_event = catalog.get("GUILD_AUDIT_LOG_ENTRY_CREATE")
        audit_readers = await _reference_audit_readers(conn, gid, world["users"])
        assert recipients(idx, audit_event, {"guild_id": gid}, {}) == audit_readers
        members = {u for u in world["users"] if idx.is_member(gid, u)}
        assert idx.guild_audience(gid) == members
    event = catalog.get("MESSAGE_CREATE")
    for cid in world["channels"]:
        assert recipients(idx, event, {"channel_id": cid}, {}) == idx.viewers(cid)


async def _mutate(conn: AsyncConnection, idx: World, world: dict[str, Any], data: st.DataObject) -> None:
    """One random change, written to the database and folded into the indexes as its event."""
    gid = data.draw(st.sampled_from(world["guilds"]))
    kinds = ["member_roles", "overwrite", "base", "remove"] + (["role"] if world["roles"][gid] else [])
    kind = data.draw(st.sampled_from(kinds))
    before = {c: idx.viewers(c) for c in world["channels"]}
    if kind == "role":
        rid = data.draw(st.sampled_from(world["roles"][gid]))
        await conn.execute(
            update(roles)
            .where(roles.c.id == rid)
            .values(permissions_allow=data.draw(admin_bits), permissions_deny=data.draw(bits))
        )
        transitions = idx.apply("GUILD_ROLE_UPDATE", await serialize.load_role(conn, rid))
    elif kind == "member_roles":
        members = [u for u in world["users"] if idx.is_member(gid, u)]
        u = data.draw(st.sampled_from(members))
        await conn.execute(delete(member_roles).where(member_roles.c.guild_id == gid, member_roles.c.user_id == u))
        for rid in world["roles"][gid]:
            if data.draw(st.booleans()):
                await conn.execute(insert(member_roles).values(guild_id=gid, user_id=u, role_id=rid))
        transitions = idx.apply("GUILD_MEMBER_UPDATE", await serialize.load_member(conn, gid, u))
    elif kind == "overwrite":
        chans = [c for c in world["channels"] if idx.channels[c].guild_id == gid and not idx.channels[c].parent_id]
        cid = data.draw(st.sampled_from(chans))
        target = data.draw(st.sampled_from([gid, *world["roles"][gid]]))
        await conn.execute(
            delete(permission_overwrites).where(
                permission_overwrites.c.channel_id == cid, permission_overwrites.c.target_id == target
            )
        )
        await conn.execute(
            insert(permission_overwrites).values(
                channel_id=cid, target_id=target, target_type="role", allow=data.draw(bits), deny=data.draw(bits)
            )
        )
        transitions = idx.apply("CHANNEL_UPDATE", await serialize.load_channel(conn, cid))
    elif kind == "base":
        await conn.execute(update(guilds).where(guilds.c.id == gid).values(default_permissions=data.draw(bits)))
        transitions = idx.apply("GUILD_UPDATE", serialize.guild_out(await serialize.load_guild_row(conn, gid)))
    else:
        owner = idx.guilds[gid].owner_id
        members = [u for u in world["users"] if idx.is_member(gid, u) and u != owner]
        if not members:
            return
        u = data.draw(st.sampled_from(members))
        await conn.execute(delete(member_roles).where(member_roles.c.guild_id == gid, member_roles.c.user_id == u))
        await conn.execute(delete(guild_members).where(guild_members.c.guild_id == gid, guild_members.c.user_id == u))
        transitions = idx.apply("GUILD_MEMBER_REMOVE", {"guild_id": gid, "user_id": u})
    if kind == "remove":  # the removed member is told by GUILD_MEMBER_REMOVE, not per channel
        return
    # Every gained or lost view is announced, and nothing else is.
    gained = {(c, u) for c in world["channels"] for u in idx.viewers(c) - before[c]}
    lost = {(c, u) for c in world["channels"] for u in before[c] - idx.viewers(c)}
    announced_gain = {(t[1]["id"], u) for t in transitions if t[0] == "CHANNEL_CREATE" for u in t[2]}
    announced_loss = {(t[1]["id"], u) for t in transitions if t[0] == "CHANNEL_DELETE" for u in t[2]}
    assert announced_gain == gained
    assert announced_loss == lost


async def _scenario(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = make_settings(Path(tmp))
        await seed_sqlite(settings_)  # a copy of the migrated template: migrating anew costs more than the check
        db = Database(settings_.resolved_database_url)
        try:  # closed however the example ends: hypothesis may stop one while it draws the world
            await db.migrate()
            ctx = Context(settings=settings_, db=db, bus=MemoryBus())
            async with db.begin() as conn:
                world = await _insert_world(conn, data)
            idx = World(is_online=lambda _: True)
            idx.load(await load_world(ctx))
            for u in world["users"]:
                idx.user_online(u)
            async with db.begin() as conn:
                await _check(conn, idx, world)
                for _ in range(data.draw(st.integers(1, 4))):
                    await _mutate(conn, idx, world, data)
                    await _check(conn, idx, world)
        finally:
            await db.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_routing_matches_database_reference(data: st.DataObject) -> None:
    asyncio.run(_scenario(data))
