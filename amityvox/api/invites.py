"""/invites/{code}: preview, accept (join the guild) and revoke."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from amityvox.api.deps import Caller, audit_reason, current_user, get_ctx, no_content, ok
from amityvox.context import Context
from amityvox.services import invites

# Changes made here are audited: the X-Audit-Log-Reason header becomes their entries' reason.
router = APIRouter(prefix="/invites", tags=["invites"], dependencies=[Depends(audit_reason)])


@router.get("/{code}")
async def preview_invite(code: str, with_counts: bool = False, ctx: Context = Depends(get_ctx)) -> Response:
    """Public, so an invite link can be previewed before signing in; `?with_counts=true` adds
    the approximate member and online counts."""
    return ok(await invites.preview_invite(ctx, code, with_counts=with_counts))


@router.post("/{code}")
async def accept_invite(code: str, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok(await invites.accept_invite(ctx, code, caller.id))


@router.delete("/{code}", status_code=204)
async def delete_invite(code: str, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    await invites.delete_invite(ctx, code, caller.id)
    return no_content()
