"""Incoming webhooks: managing them (members with ManageWebhooks) and executing them (their URL).

The routes that take the token, `/webhooks/{id}/{token}`, are the ones Discord tools call, so
they answer as Discord does: the object itself, not wrapped in `{"data": …}` (docs/rest.md#webhooks).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from amityvox.api.deps import AUDITED, Body, Ctx, Data, Me, base_url, no_content, ok
from amityvox.api.interactions import answer_of
from amityvox.context import Context
from amityvox.errors import bad_request
from amityvox.events.payloads import CreatedWebhook, Message, Webhook
from amityvox.services import interactions, webhooks
from amityvox.services.webhooks import Execution, MessageEdit, WebhookChange

# Webhook changes are audited: the X-Audit-Log-Reason header becomes their entries' reason.
router = APIRouter(tags=["webhooks"], dependencies=AUDITED)


class CreateWebhook(Body):
    name: str = Field(min_length=1, max_length=webhooks.MAX_NAME)
    avatar: str | None = Field(default=None, max_length=webhooks.MAX_URL)  # an http(s) image URL


class ModifyWebhook(Body):
    name: str | None = Field(default=None, min_length=1, max_length=webhooks.MAX_NAME)
    avatar: str | None = Field(default=None, max_length=webhooks.MAX_URL)  # "" clears it
    channel_id: str | None = Field(default=None, max_length=26)


def _with_url(request: Request, ctx: Context, webhook: dict[str, Any]) -> dict[str, Any]:
    """The created webhook with the URL to execute it (only this answer ever holds the token)."""
    url = f"{base_url(request, ctx)}/api/v1/webhooks/{webhook['id']}/{webhook['token']}"
    return {**webhook, "url": url}


def _raw(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


@router.post("/channels/{channel_id}/webhooks", status_code=201, response_model=Data[CreatedWebhook])
async def create_webhook(channel_id: str, body: CreateWebhook, request: Request, caller: Me, ctx: Ctx) -> Response:
    """A new webhook; the answer's `token` and `url` are shown this once."""
    created = await webhooks.create_webhook(ctx, channel_id, caller.id, body.name, body.avatar)
    return ok(_with_url(request, ctx, created), 201)


@router.get("/channels/{channel_id}/webhooks", response_model=Data[list[Webhook]])
async def list_channel_webhooks(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await webhooks.list_channel_webhooks(ctx, channel_id, caller.id))


@router.get("/guilds/{guild_id}/webhooks", response_model=Data[list[Webhook]])
async def list_guild_webhooks(guild_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await webhooks.list_guild_webhooks(ctx, guild_id, caller.id))


@router.get("/webhooks/{webhook_id}", response_model=Data[Webhook])
async def get_webhook(webhook_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await webhooks.get_webhook(ctx, webhook_id, caller.id))


@router.patch("/webhooks/{webhook_id}", response_model=Data[Webhook])
async def modify_webhook(webhook_id: str, body: ModifyWebhook, caller: Me, ctx: Ctx) -> Response:
    change = WebhookChange(name=body.name, avatar_url=body.avatar, channel_id=body.channel_id)
    return ok(await webhooks.modify_webhook(ctx, webhook_id, caller.id, change))


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: str, caller: Me, ctx: Ctx) -> Response:
    await webhooks.delete_webhook(ctx, webhook_id, caller.id)
    return no_content()


# ---- with the token: what Discord tools call ---------------------------------------------------


@router.get("/webhooks/{webhook_id}/{token}", response_model=Webhook)
async def get_webhook_with_token(webhook_id: str, token: str, ctx: Ctx) -> Response:
    return _raw(await webhooks.get_webhook_with_token(ctx, webhook_id, token))


@router.patch("/webhooks/{webhook_id}/{token}", response_model=Webhook)
async def modify_webhook_with_token(webhook_id: str, token: str, body: ModifyWebhook, ctx: Ctx) -> Response:
    change = WebhookChange(name=body.name, avatar_url=body.avatar, channel_id=body.channel_id)
    return _raw(await webhooks.modify_webhook_with_token(ctx, webhook_id, token, change))


@router.delete("/webhooks/{webhook_id}/{token}", status_code=204)
async def delete_webhook_with_token(webhook_id: str, token: str, ctx: Ctx) -> Response:
    await webhooks.delete_webhook_with_token(ctx, webhook_id, token)
    return no_content()


async def _execute_body(request: Request) -> dict[str, Any]:
    """The execute body: JSON, or multipart/form-data whose `payload_json` part holds the JSON."""
    kind = request.headers.get("content-type", "").lower()
    if kind.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=10, max_fields=20)
        except MultiPartException as exc:
            raise bad_request(f"the multipart body is malformed: {exc.message}", code="invalid_body") from None
        try:
            if any(isinstance(v, UploadFile) for _, v in form.multi_items()):
                raise bad_request("webhooks cannot upload files here; link to them instead", code="files_unsupported")
            raw = form.get("payload_json")
            fields = {k: v for k, v in form.items() if k != "payload_json"}
        finally:
            await form.close()
        if raw is None:
            return fields  # Discord also takes the body's fields as plain form fields
        data = raw.encode() if isinstance(raw, str) else b""
    else:
        data = await request.body()
    try:
        value = orjson.loads(data or b"{}")
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"the request body is not valid JSON: {exc}", code="invalid_body") from None
    if not isinstance(value, dict):
        raise bad_request("the request body must be a JSON object", code="invalid_body")
    return value


def _embeds(body: dict[str, Any]) -> tuple[dict[str, Any], ...] | None:
    embeds = body.get("embeds")
    if embeds is None:
        return None
    if not isinstance(embeds, list):
        raise bad_request("embeds must be a list")
    return tuple(embeds)


def _str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{key} must be a string")
    return value


@router.post("/webhooks/{webhook_id}/{token}", response_model=Message)
async def execute_webhook(
    webhook_id: str, token: str, request: Request, ctx: Ctx, wait: bool = False, thread_id: str | None = None
) -> Response:
    """Post a message as the webhook (Discord's execute body; unknown fields such as `tts` are
    ignored). `?wait=true` answers the Message (200), otherwise 204."""
    body = await _execute_body(request)
    if interactions.is_token(token):  # a bot following up on a command use
        message = await interactions.followup(ctx, webhook_id, token, answer_of(body))
        return _raw(message) if wait else no_content()
    execution = Execution(
        content=_str(body, "content") or "",
        username=_str(body, "username"),
        avatar_url=_str(body, "avatar_url"),
        embeds=_embeds(body) or (),
        allowed_mentions=body.get("allowed_mentions"),
        thread_id=thread_id,
    )
    message = await webhooks.execute(ctx, webhook_id, token, execution)
    return _raw(message) if wait else no_content()


@router.get("/webhooks/{webhook_id}/{token}/messages/{message_id}", response_model=Message)
async def get_webhook_message(webhook_id: str, token: str, message_id: str, ctx: Ctx) -> Response:
    return _raw(await webhooks.get_message(ctx, webhook_id, token, message_id))


@router.patch("/webhooks/{webhook_id}/{token}/messages/{message_id}", response_model=Message)
async def edit_webhook_message(webhook_id: str, token: str, message_id: str, request: Request, ctx: Ctx) -> Response:
    """Edit one of the webhook's own messages (`content`, `embeds`, `allowed_mentions`; others ignored)."""
    body = await _execute_body(request)
    edit = MessageEdit(
        content=_str(body, "content"), embeds=_embeds(body), allowed_mentions=body.get("allowed_mentions")
    )
    if interactions.is_token(token):
        if message_id != "@original":
            raise bad_request("an interaction's token edits its @original answer", code="unknown_message")
        return _raw(await interactions.edit_original(ctx, webhook_id, token, edit))
    return _raw(await webhooks.edit_message(ctx, webhook_id, token, message_id, edit))


@router.delete("/webhooks/{webhook_id}/{token}/messages/{message_id}", status_code=204)
async def delete_webhook_message(webhook_id: str, token: str, message_id: str, ctx: Ctx) -> Response:
    await webhooks.delete_message(ctx, webhook_id, token, message_id)
    return no_content()
