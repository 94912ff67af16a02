"""/guilds/{g}/onboarding: the onboarding configuration, and completing it as a member.

POST /guilds/{g}/onboarding/complete {option_ids} is ours (the original had no REST
route for it): the member's choice grants the options' roles.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Caller, current_user, get_ctx, ok
from amityvox.context import Context
from amityvox.services import onboarding

router = APIRouter(prefix="/guilds/{guild_id}/onboarding", tags=["onboarding"])


class PutOnboarding(Body):
    enabled: bool = False
    welcome_message: str = Field(default="", max_length=8000)
    rules: list[str] = Field(default_factory=list, max_length=onboarding.MAX_RULES)
    default_channel_ids: list[str] = Field(default_factory=list, max_length=onboarding.MAX_DEFAULT_CHANNELS)
    # Prompts are checked field by field in the service, which names the exact offending path.
    prompts: list[dict[str, Any]] = Field(default_factory=list, max_length=onboarding.MAX_PROMPTS)


class CompleteBody(Body):
    option_ids: list[str] = Field(max_length=onboarding.MAX_PROMPTS * onboarding.MAX_OPTIONS)


@router.get("")
async def get_onboarding(
    guild_id: str, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    return ok(await onboarding.get_onboarding(ctx, guild_id, caller.id))


@router.put("")
async def put_onboarding(
    guild_id: str, body: PutOnboarding, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    return ok(await onboarding.put_onboarding(ctx, guild_id, caller.id, body.model_dump()))


@router.post("/complete")
async def complete(
    guild_id: str, body: CompleteBody, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    return ok(await onboarding.complete(ctx, guild_id, caller.id, body.option_ids))
