"""A user's own login sessions (one per bearer token): list them, end one, end all but this one.

Ending a session deletes its token and publishes SESSIONS_REVOKE, so its gateway sessions close
with 4004 on every gateway process, as after logout.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from amityvox.context import Context
from amityvox.db.schema import auth_sessions, login_tickets
from amityvox.errors import not_found
from amityvox.ids import now_iso
from amityvox.services.auth import hash_token


async def list_sessions(ctx: Context, user_id: str, token: str) -> list[dict[str, Any]]:
    """The user's unexpired sessions, newest first; `current` marks the one asking."""
    own = hash_token(token)
    async with ctx.db.read() as conn:
        rows = (
            await conn.execute(
                select(auth_sessions)
                .where(auth_sessions.c.user_id == user_id, auth_sessions.c.expires_at > now_iso())
                .order_by(auth_sessions.c.created_at.desc(), auth_sessions.c.id.desc())
            )
        ).mappings()
        return [
            {
                "id": row["id"],
                "user_agent": row["user_agent"],
                "address": row["address"],
                "created_at": row["created_at"],
                "last_seen_at": row["last_seen_at"],
                "expires_at": row["expires_at"],
                "current": row["token_hash"] == own,
            }
            for row in rows
        ]


async def revoke_session(ctx: Context, user_id: str, session_id: str) -> None:
    """End one of the user's sessions (the current one too: that is a logout)."""
    async with ctx.uow() as tx:
        token_hash = await tx.conn.scalar(
            delete(auth_sessions)
            .where(auth_sessions.c.user_id == user_id, auth_sessions.c.id == session_id)
            .returning(auth_sessions.c.token_hash)
        )
        if token_hash is None:
            raise not_found("session")
        tx.emit("SESSIONS_REVOKE", {"user_id": user_id, "token_hashes": [token_hash]})


async def revoke_other_sessions(ctx: Context, user_id: str, token: str) -> None:
    """Log out everywhere else: every session of the user but the one asking ends, and so do
    half-done two-factor logins."""
    keep = hash_token(token)
    async with ctx.uow() as tx:
        await tx.conn.execute(delete(login_tickets).where(login_tickets.c.user_id == user_id))
        await tx.conn.execute(
            delete(auth_sessions).where(auth_sessions.c.user_id == user_id, auth_sessions.c.token_hash != keep)
        )
        tx.emit("SESSIONS_REVOKE", {"user_id": user_id, "all_but": keep})
