"""Relationships: friend requests, friendships and blocks.

Each side of a pair owns one row (`user_id` → `target_id`) describing the pair from
its own view: `pending_outgoing` / `pending_incoming` while a request waits, `friend`
on both rows once accepted, `blocked` on the blocker's row only. Every change sends
one RELATIONSHIP_* event per side whose row changed, each from that side's view.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import relationships, users
from amityvox.errors import ApiError, bad_request, conflict, forbidden, not_found
from amityvox.ids import now_iso
from amityvox.services import user_settings
from amityvox.services.serialize import relationship_out
from amityvox.services.users import get_row, username_key
from amityvox.uow import UnitOfWork

FRIEND = "friend"
BLOCKED = "blocked"
OUTGOING = "pending_outgoing"
INCOMING = "pending_incoming"


def blocked_error() -> ApiError:
    return forbidden("one of you has blocked the other", code="blocked")


async def lock_users(conn: AsyncConnection, user_ids: Iterable[str]) -> None:
    """Serialise concurrent changes touching the same users (PostgreSQL row locks, in id order
    so two transactions never wait on each other crosswise). SQLite already has one writer."""
    ids = sorted(set(user_ids))
    q = select(users.c.id).where(users.c.id.in_(ids)).order_by(users.c.id).with_for_update(key_share=True)
    await conn.execute(q)


async def get_relationship(conn: AsyncConnection, user_id: str, target_id: str) -> RowMapping | None:
    q = select(relationships).where(relationships.c.user_id == user_id, relationships.c.target_id == target_id)
    return (await conn.execute(q)).mappings().first()


async def relationship_type(conn: AsyncConnection, user_id: str, target_id: str) -> str | None:
    row = await get_relationship(conn, user_id, target_id)
    return None if row is None else str(row["type"])


async def is_blocked_between(conn: AsyncConnection, a: str, b: str) -> bool:
    """True when either user has blocked the other."""
    q = select(relationships.c.user_id).where(
        relationships.c.type == BLOCKED,
        ((relationships.c.user_id == a) & (relationships.c.target_id == b))
        | ((relationships.c.user_id == b) & (relationships.c.target_id == a)),
    )
    return (await conn.scalar(q.limit(1))) is not None


async def friend_ids(conn: AsyncConnection, user_id: str, among: Iterable[str]) -> set[str]:
    """Which of `among` are friends of `user_id`."""
    ids = list(among)
    if not ids:
        return set()
    q = select(relationships.c.target_id).where(
        relationships.c.user_id == user_id, relationships.c.type == FRIEND, relationships.c.target_id.in_(ids)
    )
    return set(await conn.scalars(q))


async def load_relationships(conn: AsyncConnection, user_id: str) -> list[dict[str, Any]]:
    """Every relationship of `user_id`, oldest first, each with the target's profile."""
    q = (
        select(relationships, users)
        .join(users, users.c.id == relationships.c.target_id)
        .where(relationships.c.user_id == user_id)
        .order_by(relationships.c.created_at, relationships.c.target_id)
    )
    out = []
    for r in (await conn.execute(q)).mappings():
        rel = {k: r[relationships.c[k]] for k in ("user_id", "target_id", "type", "created_at")}
        out.append(relationship_out(rel, {c.name: r[c] for c in users.c}))
    return out


async def list_relationships(ctx: Context, user_id: str) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        return await load_relationships(conn, user_id)


# ---- writes ------------------------------------------------------------------------------


async def _target(conn: AsyncConnection, user_id: str, target_id: str, what: str) -> RowMapping:
    if target_id == user_id:
        raise bad_request(f"you cannot {what} yourself", code="invalid_target")
    return await get_row(conn, target_id)


async def _set(tx: UnitOfWork, user_id: str, target_id: str, type_: str, existed: bool) -> dict[str, Any]:
    """Write one side's row and tell that side: RELATIONSHIP_UPDATE if it existed, else _ADD."""
    now = now_iso()
    if existed:
        await tx.conn.execute(
            update(relationships)
            .where(relationships.c.user_id == user_id, relationships.c.target_id == target_id)
            .values(type=type_, created_at=now)
        )
    else:
        await tx.conn.execute(
            insert(relationships).values(user_id=user_id, target_id=target_id, type=type_, created_at=now)
        )
    target_row = await get_row_any(tx.conn, target_id)
    out = relationship_out({"user_id": user_id, "target_id": target_id, "type": type_, "created_at": now}, target_row)
    tx.emit("RELATIONSHIP_UPDATE" if existed else "RELATIONSHIP_ADD", out)
    return out


async def _remove(tx: UnitOfWork, user_id: str, target_id: str) -> None:
    await tx.conn.execute(
        delete(relationships).where(relationships.c.user_id == user_id, relationships.c.target_id == target_id)
    )
    tx.emit("RELATIONSHIP_REMOVE", {"user_id": user_id, "target_id": target_id})


async def get_row_any(conn: AsyncConnection, user_id: str) -> RowMapping:
    """A user row even if the account was deleted (relationships outlive the profile)."""
    return (await conn.execute(select(users).where(users.c.id == user_id))).mappings().one()


async def add_friend(ctx: Context, user_id: str, target_id: str) -> tuple[dict[str, Any], bool]:
    """PUT /users/{id}/friend: send a request, or accept theirs. Returns (our view, created).

    No relationship: we get `pending_outgoing`, they get `pending_incoming` (RELATIONSHIP_ADD
    to each). They had asked us: both rows become `friend` (RELATIONSHIP_UPDATE to each).
    Already friends or already asked: nothing changes. A block either way: 403 `blocked`. A new
    request needs the target's `friend_request_privacy` to allow it: 403 `friend_request_privacy`.
    """
    async with ctx.uow() as tx:
        return await _befriend(tx, user_id, target_id)


async def add_friend_by_username(ctx: Context, user_id: str, username: str) -> tuple[dict[str, Any], bool]:
    """POST /users/@me/relationships {username}: `add_friend` for the user of that username
    (any case, a leading @ ignored), saying so when nothing would change: 404 `unknown_user`
    when nobody has it, 409 `already_friends`, 409 `request_pending` when our request waits."""
    name = username.strip().removeprefix("@")
    async with ctx.uow() as tx:
        q = select(users.c.id, users.c.username).where(
            users.c.username_key == username_key(name), users.c.deleted_at.is_(None)
        )
        found = (await tx.conn.execute(q)).first()
        if found is None:
            raise ApiError(404, "unknown_user", f"nobody is called {name!r}: check the spelling")
        return await _befriend(tx, user_id, found.id, say_unchanged=found.username)


async def _befriend(
    tx: UnitOfWork, user_id: str, target_id: str, *, say_unchanged: str | None = None
) -> tuple[dict[str, Any], bool]:
    """`add_friend`'s rules; `say_unchanged`: the target's name, to refuse (409) a request that
    would change nothing instead of answering the relationship as it stands."""
    await lock_users(tx.conn, (user_id, target_id))
    await _target(tx.conn, user_id, target_id, "befriend")
    if await is_blocked_between(tx.conn, user_id, target_id):
        raise blocked_error()
    ours = await get_relationship(tx.conn, user_id, target_id)
    if ours is not None and ours["type"] in (FRIEND, OUTGOING):
        if say_unchanged is not None and ours["type"] == FRIEND:
            raise conflict(f"you are already friends with {say_unchanged}", code="already_friends")
        if say_unchanged is not None:
            raise conflict(f"your friend request to {say_unchanged} is still waiting", code="request_pending")
        return relationship_out(ours, await get_row_any(tx.conn, target_id)), False
    if ours is not None and ours["type"] == INCOMING:
        out = await _set(tx, user_id, target_id, FRIEND, existed=True)
        theirs = await get_relationship(tx.conn, target_id, user_id)
        await _set(tx, target_id, user_id, FRIEND, existed=theirs is not None)
        return out, False
    await user_settings.check_friend_request_allowed(tx.conn, user_id, target_id)
    # Our side has no row; a stray row of theirs (cannot be a block here) is replaced.
    theirs = await get_relationship(tx.conn, target_id, user_id)
    out = await _set(tx, user_id, target_id, OUTGOING, existed=False)
    await _set(tx, target_id, user_id, INCOMING, existed=theirs is not None)
    return out, True


async def remove_friend(ctx: Context, user_id: str, target_id: str) -> None:
    """DELETE /users/{id}/friend: unfriend, cancel our request or decline theirs.

    RELATIONSHIP_REMOVE goes to each side that had a (non-block) row; blocks stay as they are.
    """
    async with ctx.uow() as tx:
        await lock_users(tx.conn, (user_id, target_id))
        # No profile lookup: a friendship with a since-deleted account can still be removed.
        if target_id == user_id:
            raise bad_request("you cannot unfriend yourself", code="invalid_target")
        ours = await get_relationship(tx.conn, user_id, target_id)
        theirs = await get_relationship(tx.conn, target_id, user_id)
        removed = False
        for row in (ours, theirs):
            if row is not None and row["type"] != BLOCKED:
                await _remove(tx, row["user_id"], row["target_id"])
                removed = True
        if not removed:
            raise not_found("friend or friend request")


async def block(ctx: Context, user_id: str, target_id: str) -> tuple[dict[str, Any], bool]:
    """PUT /users/{id}/block. Returns (our view, created).

    Our row becomes `blocked` (RELATIONSHIP_ADD, or _UPDATE if we had a row). Their friend or
    request row toward us is removed (RELATIONSHIP_REMOVE to them); they are not told of the
    block itself, and a block of theirs toward us stays.
    """
    async with ctx.uow() as tx:
        await lock_users(tx.conn, (user_id, target_id))
        await _target(tx.conn, user_id, target_id, "block")
        ours = await get_relationship(tx.conn, user_id, target_id)
        if ours is not None and ours["type"] == BLOCKED:
            return relationship_out(ours, await get_row_any(tx.conn, target_id)), False
        out = await _set(tx, user_id, target_id, BLOCKED, existed=ours is not None)
        theirs = await get_relationship(tx.conn, target_id, user_id)
        if theirs is not None and theirs["type"] != BLOCKED:
            await _remove(tx, target_id, user_id)
        return out, ours is None


async def unblock(ctx: Context, user_id: str, target_id: str) -> None:
    """DELETE /users/{id}/block: RELATIONSHIP_REMOVE to us; 404 if we had not blocked them."""
    async with ctx.uow() as tx:
        await lock_users(tx.conn, (user_id, target_id))
        if target_id == user_id:
            raise bad_request("you cannot unblock yourself", code="invalid_target")
        if await relationship_type(tx.conn, user_id, target_id) != BLOCKED:
            raise not_found("block")
        await _remove(tx, user_id, target_id)
