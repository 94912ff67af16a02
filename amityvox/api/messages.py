"""/channels/{c}/messages…, pins, typing, ack and threads: everything said in a channel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import Message, MessageVersion, ReadState, ThreadChannel
from amityvox.services import history, messages, pins, reactions, read_state, threads, typing_indicator

router = APIRouter(prefix="/channels", tags=["messages"])


class CreateMessage(Body):
    content: str = ""
    nonce: str | None = None
    reply_to_ids: list[str] | None = None
    attachments: list[str | dict[str, Any]] | None = None  # upload ids (or objects with an `id`)
    attachment_ids: list[str] | None = None  # the original client's name for the same
    embeds: list[dict[str, Any]] | None = None


class EditMessage(Body):
    content: str


class BulkDelete(Body):
    message_ids: list[str]


class Ack(Body):
    message_id: str | None = None


class CreateThread(Body):
    name: str


@router.post("/{channel_id}/messages", status_code=201, response_model=Data[Message])
async def create_message(channel_id: str, body: CreateMessage, caller: Me, ctx: Ctx) -> Response:
    message = await messages.create_message(
        ctx,
        channel_id,
        caller.id,
        body.content,
        nonce=body.nonce,
        reply_to_ids=body.reply_to_ids,
        attachments=[*(body.attachments or []), *(body.attachment_ids or [])],
        embeds=body.embeds,
    )
    return ok(message, 201)


@router.get("/{channel_id}/messages", response_model=Data[list[Message]])
async def list_messages(
    channel_id: str,
    caller: Me,
    ctx: Ctx,
    before: str | None = None,
    after: str | None = None,
    around: str | None = None,
    limit: int = Query(messages.PAGE_DEFAULT, ge=1, le=messages.PAGE_MAX),
) -> Response:
    """Newest first without a cursor, with `before` or with `around` (the page centred on that
    message, for jumping to it); oldest first with `after`."""
    page = await messages.list_messages(
        ctx, channel_id, caller.id, before=before, after=after, around=around, limit=limit
    )
    return ok(page)


@router.post("/{channel_id}/messages/bulk-delete", status_code=204)
async def bulk_delete(channel_id: str, body: BulkDelete, caller: Me, ctx: Ctx) -> Response:
    await messages.bulk_delete(ctx, channel_id, caller.id, body.message_ids)
    return no_content()


@router.get("/{channel_id}/messages/{message_id}", response_model=Data[Message])
async def get_message(channel_id: str, message_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await messages.get_message(ctx, channel_id, message_id, caller.id))


@router.get("/{channel_id}/messages/{message_id}/history", response_model=Data[list[MessageVersion]])
async def message_history(channel_id: str, message_id: str, caller: Me, ctx: Ctx) -> Response:
    """Earlier versions of an edited message, oldest first: `[{content, created_at, replaced_at}]`."""
    return ok(await history.message_history(ctx, channel_id, message_id, caller.id))


@router.patch("/{channel_id}/messages/{message_id}", response_model=Data[Message])
async def edit_message(channel_id: str, message_id: str, body: EditMessage, caller: Me, ctx: Ctx) -> Response:
    return ok(await messages.edit_message(ctx, channel_id, message_id, caller.id, body.content))


@router.delete("/{channel_id}/messages/{message_id}", status_code=204)
async def delete_message(channel_id: str, message_id: str, caller: Me, ctx: Ctx) -> Response:
    await messages.delete_message(ctx, channel_id, message_id, caller.id)
    return no_content()


@router.put("/{channel_id}/messages/{message_id}/reactions/{emoji}", status_code=204)
async def add_reaction(channel_id: str, message_id: str, emoji: str, caller: Me, ctx: Ctx) -> Response:
    await reactions.add_reaction(ctx, channel_id, message_id, caller.id, emoji)
    return no_content()


@router.delete("/{channel_id}/messages/{message_id}/reactions/{emoji}", status_code=204)
async def remove_own_reaction(channel_id: str, message_id: str, emoji: str, caller: Me, ctx: Ctx) -> Response:
    await reactions.remove_reaction(ctx, channel_id, message_id, caller.id, emoji)
    return no_content()


@router.delete("/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}", status_code=204)
async def remove_user_reaction(
    channel_id: str, message_id: str, emoji: str, user_id: str, caller: Me, ctx: Ctx
) -> Response:
    """Someone's reaction (ManageMessages), or one's own (`@me` or one's id)."""
    target = caller.id if user_id == "@me" else user_id
    await reactions.remove_reaction(ctx, channel_id, message_id, caller.id, emoji, target)
    return no_content()


@router.delete("/{channel_id}/messages/{message_id}/reactions", status_code=204)
async def clear_reactions(channel_id: str, message_id: str, caller: Me, ctx: Ctx, emoji: str | None = None) -> Response:
    """Every reaction on the message, or only `?emoji=X`'s (ManageMessages)."""
    await reactions.clear_reactions(ctx, channel_id, message_id, caller.id, emoji)
    return no_content()


@router.get("/{channel_id}/pins", response_model=Data[list[Message]])
async def list_pins(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await pins.list_pins(ctx, channel_id, caller.id))


@router.put("/{channel_id}/pins/{message_id}", status_code=204)
async def pin_message(channel_id: str, message_id: str, caller: Me, ctx: Ctx) -> Response:
    await pins.pin(ctx, channel_id, message_id, caller.id)
    return no_content()


@router.delete("/{channel_id}/pins/{message_id}", status_code=204)
async def unpin_message(channel_id: str, message_id: str, caller: Me, ctx: Ctx) -> Response:
    await pins.unpin(ctx, channel_id, message_id, caller.id)
    return no_content()


@router.post("/{channel_id}/typing", status_code=204)
async def start_typing(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    """204 whether or not an event went out: repeated calls within 5 s are absorbed."""
    await typing_indicator.start_typing(ctx, caller.id, channel_id)
    return no_content()


@router.post("/{channel_id}/ack", response_model=Data[ReadState])
async def ack(channel_id: str, caller: Me, ctx: Ctx, body: Ack | None = None) -> Response:
    """Mark read up to `message_id` (default: the latest message); answers the channel's read state."""
    message_id = body.message_id if body is not None else None
    return ok(await read_state.ack(ctx, channel_id, caller.id, message_id))


@router.post("/{channel_id}/messages/{message_id}/threads", status_code=201, response_model=Data[ThreadChannel])
async def create_thread(channel_id: str, message_id: str, body: CreateThread, caller: Me, ctx: Ctx) -> Response:
    return ok(await threads.create_thread(ctx, channel_id, message_id, caller.id, body.name), 201)


@router.get("/{channel_id}/starter-message", response_model=Data[Message])
async def get_starter_message(channel_id: str, caller: Me, ctx: Ctx) -> Response:
    """A thread's starter message, from its parent channel."""
    return ok(await threads.starter_message(ctx, channel_id, caller.id))
