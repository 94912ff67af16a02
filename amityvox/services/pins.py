"""Pins: up to 50 pinned messages per channel, announced with CHANNEL_PINS_UPDATE.

Pinning sets the message's own `pinned` flag, so clients update the message from the
pins event without a MESSAGE_UPDATE. In guild channels pinning needs ManageMessages;
in DMs and groups every recipient may pin.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import messages
from amityvox.errors import bad_request
from amityvox.ids import now_iso
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.messages import load_message_row, render, require_message_channel

MAX_PINS = 50


def _require_pin(ca: ChannelAccess) -> None:
    if ca.guild_id is not None:
        ca.require(P.Perm.ManageMessages)


async def list_pins(ctx: Context, channel_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /channels/{c}/pins (ReadHistory): pinned messages, most recently pinned first."""
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, channel_id, user_id, need=P.Perm.ReadHistory)
        require_message_channel(ca)
        q = (
            select(messages)
            .where(messages.c.channel_id == channel_id, messages.c.pinned.is_(True))
            .order_by(messages.c.pinned_at.desc(), messages.c.id.desc())
        )
        return await render(conn, list((await conn.execute(q)).mappings()), user_id)


def _pins_update(ca: ChannelAccess, message_id: str, pinned: bool, last_pin_at: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"channel_id": ca.channel["id"], "message_id": message_id, "pinned": pinned}
    if ca.guild_id is not None:
        out["guild_id"] = ca.guild_id
    if last_pin_at is not None:
        out["last_pin_at"] = last_pin_at
    return out


async def pin(ctx: Context, channel_id: str, message_id: str, user_id: str) -> None:
    """PUT /channels/{c}/pins/{m} → CHANNEL_PINS_UPDATE; pinning a pinned message changes nothing."""
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id)
        _require_pin(ca)
        row = await load_message_row(tx.conn, channel_id, message_id)
        if row["pinned"]:
            return
        q = select(func.count()).where(messages.c.channel_id == channel_id, messages.c.pinned.is_(True))
        if (await tx.conn.scalar(q) or 0) >= MAX_PINS:
            raise bad_request(f"a channel holds at most {MAX_PINS} pins", code="limit_reached")
        now = now_iso()
        await tx.conn.execute(update(messages).where(messages.c.id == row["id"]).values(pinned=True, pinned_at=now))
        tx.emit("CHANNEL_PINS_UPDATE", _pins_update(ca, row["id"], True, now))


async def unpin(ctx: Context, channel_id: str, message_id: str, user_id: str) -> None:
    """DELETE /channels/{c}/pins/{m} → CHANNEL_PINS_UPDATE (`last_pin_at`: the newest remaining pin)."""
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id)
        _require_pin(ca)
        row = await load_message_row(tx.conn, channel_id, message_id)
        if not row["pinned"]:
            return
        await tx.conn.execute(update(messages).where(messages.c.id == row["id"]).values(pinned=False, pinned_at=None))
        q = select(func.max(messages.c.pinned_at)).where(
            messages.c.channel_id == channel_id, messages.c.pinned.is_(True)
        )
        tx.emit("CHANNEL_PINS_UPDATE", _pins_update(ca, row["id"], False, await tx.conn.scalar(q)))
