"""/guilds/{g}/onboarding: the onboarding configuration, and completing it as a member.

POST /guilds/{g}/onboarding/complete {option_ids} (or the original client's
{prompt_responses}): the member's choice grants the options' roles.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import AUDITED, Body, Ctx, Data, Me, ok
from amityvox.errors import bad_request
from amityvox.events.payloads import GuildMember, GuildOnboardingUpdate, OnboardingStatus
from amityvox.services import onboarding

# Changes made here are audited: the X-Audit-Log-Reason header becomes their entries' reason.
router = APIRouter(prefix="/guilds/{guild_id}/onboarding", tags=["onboarding"], dependencies=AUDITED)


class PutOnboarding(Body):
    enabled: bool = False
    welcome_message: str = Field(default="", max_length=8000)
    rules: list[str] = Field(default_factory=list, max_length=onboarding.MAX_RULES)
    default_channel_ids: list[str] = Field(default_factory=list, max_length=onboarding.MAX_DEFAULT_CHANNELS)
    # Prompts are checked field by field in the service, which names the exact offending path.
    prompts: list[dict[str, Any]] = Field(default_factory=list, max_length=onboarding.MAX_PROMPTS)


class CompleteBody(Body):
    """The chosen options: `option_ids`, or the original client's `prompt_responses`
    (prompt id → option ids), whose options are taken together."""

    option_ids: list[str] | None = Field(default=None, max_length=onboarding.MAX_PROMPTS * onboarding.MAX_OPTIONS)
    prompt_responses: dict[str, list[str]] | None = Field(default=None, max_length=onboarding.MAX_PROMPTS)

    def chosen(self) -> list[str]:
        if (self.option_ids is None) == (self.prompt_responses is None):
            raise bad_request("send option_ids or prompt_responses", code="invalid_body")
        if self.option_ids is not None:
            return self.option_ids
        assert self.prompt_responses is not None
        return [option for options in self.prompt_responses.values() for option in options]


@router.get("", response_model=Data[GuildOnboardingUpdate])
async def get_onboarding(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await onboarding.get_onboarding(ctx, guild_id, caller.id))


@router.put("", response_model=Data[GuildOnboardingUpdate])
async def put_onboarding(guild_id: str, body: PutOnboarding, caller: Me, ctx: Ctx) -> Response:
    return ok(await onboarding.put_onboarding(ctx, guild_id, caller.id, body.model_dump()))


@router.get("/status", response_model=Data[OnboardingStatus])
async def status(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    """Whether the caller completed this guild's onboarding (members only)."""
    return ok(await onboarding.status(ctx, guild_id, caller.id))


@router.post("/complete", response_model=Data[GuildMember])
async def complete(guild_id: str, body: CompleteBody, caller: Me, ctx: Ctx) -> Response:
    return ok(await onboarding.complete(ctx, guild_id, caller.id, body.chosen()))
