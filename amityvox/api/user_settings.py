"""/users/@me/settings: the caller's own settings (theme, locale, notification defaults, privacy)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response

from amityvox.api.deps import Caller, current_user, get_ctx, ok
from amityvox.context import Context
from amityvox.services import user_settings

router = APIRouter(prefix="/users/@me/settings", tags=["users"])


@router.get("")
async def get_settings(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok(await user_settings.get_settings(ctx, caller.id))


@router.patch("")
async def patch_settings(
    body: dict[str, Any] = Body(...), caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    """Only the named fields change; null sets a field back to its default. Each field is
    checked by the service, which names the offending one."""
    return ok(await user_settings.update_settings(ctx, caller.id, body))
