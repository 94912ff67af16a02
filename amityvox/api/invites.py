"""/invites/{code}: preview, accept (join the guild) and revoke."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from amityvox.api.deps import Caller, current_user, get_ctx, no_content, ok
from amityvox.context import Context
from amityvox.services import invites

router = APIRouter(prefix="/invites", tags=["invites"])


@router.get("/{code}")
async def preview_invite(code: str, ctx: Context = Depends(get_ctx)) -> Response:
    """Public, so an invite link can be previewed before signing in."""
    return ok(await invites.preview_invite(ctx, code))


@router.post("/{code}")
async def accept_invite(code: str, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok(await invites.accept_invite(ctx, code, caller.id))


@router.delete("/{code}", status_code=204)
async def delete_invite(code: str, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    await invites.delete_invite(ctx, code, caller.id)
    return no_content()
