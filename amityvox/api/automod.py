"""/guilds/{g}/automod: AutoMod rules and the log of actions they took."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import AUDITED, Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import AutomodActionLogged, AutomodRule
from amityvox.services import automod

# Changes made here are audited: the X-Audit-Log-Reason header becomes their entries' reason.
router = APIRouter(prefix="/guilds/{guild_id}/automod", tags=["automod"], dependencies=AUDITED)


class RuleFields(Body):
    name: str | None = Field(default=None, max_length=200)
    rule_type: str | None = Field(default=None, max_length=16)
    config: dict[str, Any] | None = None
    actions: list[str] | None = Field(default=None, max_length=8)
    timeout_seconds: int | None = None
    exempt_role_ids: list[str] | None = Field(default=None, max_length=automod.MAX_EXEMPT)
    exempt_channel_ids: list[str] | None = Field(default=None, max_length=automod.MAX_EXEMPT)
    enabled: bool | None = None


def _present(body: RuleFields) -> dict[str, Any]:
    """Fields the caller sent, minus explicit nulls on fields that cannot be null."""
    sent = body.model_dump(exclude_unset=True)
    return {k: v for k, v in sent.items() if v is not None or k == "timeout_seconds"}


@router.get("/rules", response_model=Data[list[AutomodRule]])
async def list_rules(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await automod.list_rules(ctx, guild_id, caller.id))


@router.post("/rules", status_code=201, response_model=Data[AutomodRule])
async def create_rule(guild_id: str, body: RuleFields, caller: Me, ctx: Ctx) -> Response:
    return ok(await automod.create_rule(ctx, guild_id, caller.id, _present(body)), status=201)


@router.patch("/rules/{rule_id}", response_model=Data[AutomodRule])
async def patch_rule(guild_id: str, rule_id: str, body: RuleFields, caller: Me, ctx: Ctx) -> Response:
    return ok(await automod.update_rule(ctx, guild_id, caller.id, rule_id, _present(body)))


@router.delete("/rules/{rule_id}", status_code=204)
async def delete_rule(guild_id: str, rule_id: str, caller: Me, ctx: Ctx) -> Response:
    await automod.delete_rule(ctx, guild_id, caller.id, rule_id)
    return no_content()


@router.get("/actions", response_model=Data[list[AutomodActionLogged]])
async def list_actions(
    guild_id: str,
    caller: Me,
    ctx: Ctx,
    before: str | None = Query(default=None, max_length=26),
    limit: int = Query(default=automod.PAGE_DEFAULT),
) -> Response:
    return ok(await automod.list_actions(ctx, guild_id, caller.id, before=before, limit=limit))
