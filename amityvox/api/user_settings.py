"""/users/@me/settings: the caller's own settings (theme, locale, notification defaults, privacy)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import Response

from amityvox.api.deps import Ctx, Data, Me, ok
from amityvox.events.payloads import UserSettings
from amityvox.services import user_settings

router = APIRouter(prefix="/users/@me/settings", tags=["users"])


@router.get("", response_model=Data[UserSettings])
async def get_settings(caller: Me, ctx: Ctx) -> Response:
    return ok(await user_settings.get_settings(ctx, caller.id))


@router.patch("", response_model=Data[UserSettings])
async def patch_settings(caller: Me, ctx: Ctx, body: dict[str, Any] = Body(...)) -> Response:
    """Only the named fields change; null sets a field back to its default. Each field is
    checked by the service, which names the offending one."""
    return ok(await user_settings.update_settings(ctx, caller.id, body))
