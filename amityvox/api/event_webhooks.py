"""Outgoing event webhooks: a guild's https endpoints, the events they take, and their delivery log."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import EventDelivery, EventWebhook
from amityvox.services import event_webhooks

router = APIRouter(tags=["event webhooks"])


class CreateEventWebhook(Body):
    url: str = Field(min_length=1, max_length=event_webhooks.MAX_URL)
    events: list[str] = Field(min_length=1, max_length=len(event_webhooks.SUBSCRIBABLE))


class ModifyEventWebhook(Body):
    url: str | None = Field(default=None, min_length=1, max_length=event_webhooks.MAX_URL)
    events: list[str] | None = Field(default=None, min_length=1, max_length=len(event_webhooks.SUBSCRIBABLE))
    enabled: bool | None = None


@router.get("/event-webhooks/events", response_model=Data[list[str]])
async def subscribable_events(caller: Me) -> Response:
    """The event names an endpoint may subscribe to (a guild's, a channel's and its moderators')."""
    return ok(list(event_webhooks.SUBSCRIBABLE))


@router.post("/guilds/{guild_id}/event-webhooks", status_code=201, response_model=Data[EventWebhook])
async def create_event_webhook(guild_id: str, body: CreateEventWebhook, caller: Me, ctx: Ctx) -> Response:
    """A new endpoint; the answer's `secret` (it signs every delivery) is shown this once."""
    return ok(await event_webhooks.create(ctx, guild_id, caller.id, body.url, body.events), 201)


@router.get("/guilds/{guild_id}/event-webhooks", response_model=Data[list[EventWebhook]])
async def list_event_webhooks(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await event_webhooks.list_for_guild(ctx, guild_id, caller.id))


@router.patch("/event-webhooks/{hook_id}", response_model=Data[EventWebhook])
async def modify_event_webhook(hook_id: str, body: ModifyEventWebhook, caller: Me, ctx: Ctx) -> Response:
    changed = await event_webhooks.modify(
        ctx, hook_id, caller.id, url=body.url, events=body.events, enabled=body.enabled
    )
    return ok(changed)


@router.delete("/event-webhooks/{hook_id}", status_code=204)
async def delete_event_webhook(hook_id: str, caller: Me, ctx: Ctx) -> Response:
    await event_webhooks.remove(ctx, hook_id, caller.id)
    return no_content()


@router.post("/event-webhooks/{hook_id}/deliveries/{delivery_id}/redeliver", response_model=Data[EventDelivery])
async def redeliver(hook_id: str, delivery_id: str, caller: Me, ctx: Ctx) -> Response:
    """Send a delivery again (a failed one, or to replay one), with a fresh set of attempts."""
    return ok(await event_webhooks.redeliver(ctx, hook_id, delivery_id, caller.id))


@router.get("/event-webhooks/{hook_id}/deliveries", response_model=Data[list[EventDelivery]])
async def list_deliveries(
    hook_id: str,
    caller: Me,
    ctx: Ctx,
    before: str | None = None,
    limit: int = Query(event_webhooks.LOG_DEFAULT, ge=1, le=event_webhooks.LOG_MAX),
) -> Response:
    """Newest first: `[{id, event, event_id, status, attempts, response_status?, error?, created_at,
    next_attempt_at?, delivered_at?}]`; `before` (a delivery id) pages back."""
    return ok(await event_webhooks.deliveries(ctx, hook_id, caller.id, before=before, limit=limit))
