"""/invites/{code}: preview, accept (join the guild) and revoke."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from amityvox.api.deps import AUDITED, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import FullGuild, InvitePreview
from amityvox.services import invites

# Changes made here are audited: the X-Audit-Log-Reason header becomes their entries' reason.
router = APIRouter(prefix="/invites", tags=["invites"], dependencies=AUDITED)


@router.get("/{code}", response_model=Data[InvitePreview])
async def preview_invite(code: str, ctx: Ctx, with_counts: bool = False) -> Response:
    """Public, so an invite link can be previewed before signing in; `?with_counts=true` adds
    the approximate member and online counts."""
    return ok(await invites.preview_invite(ctx, code, with_counts=with_counts))


@router.post("/{code}", response_model=Data[FullGuild])
async def accept_invite(code: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await invites.accept_invite(ctx, code, caller.id))


@router.delete("/{code}", status_code=204)
async def delete_invite(code: str, caller: Me, ctx: Ctx) -> Response:
    await invites.delete_invite(ctx, code, caller.id)
    return no_content()
