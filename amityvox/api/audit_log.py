"""/guilds/{g}/audit-log: the guild's moderation and configuration history (ViewAuditLog)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from amityvox.api.deps import Ctx, Data, Me, ok
from amityvox.events.payloads import AuditLogPage
from amityvox.services import audit_log

router = APIRouter(prefix="/guilds/{guild_id}/audit-log", tags=["audit log"])


@router.get("", response_model=Data[AuditLogPage])
async def list_entries(
    guild_id: str,
    caller: Me,
    ctx: Ctx,
    user_id: str | None = Query(default=None, max_length=26, description="only entries by this actor"),
    action_type: str | None = Query(default=None, max_length=40, description="only entries of this action"),
    before: str | None = Query(default=None, max_length=26, description="entries older than this entry id"),
    after: str | None = Query(default=None, max_length=26, description="entries newer than this entry id"),
    limit: int = Query(default=audit_log.DEFAULT_LIMIT),
) -> Response:
    """Newest first: `{"audit_log_entries": [...], "users": [...]}` with every actor and target user."""
    return ok(
        await audit_log.list_entries(
            ctx, guild_id, caller.id, actor_id=user_id, action=action_type, before=before, after=after, limit=limit
        )
    )
