"""Typing indicators: TYPING_START to the channel's other viewers, at most once per 5 s per typer.

Shared by REST (`POST /channels/{c}/typing`) and the gateway (op 8). Nothing is
stored, so the event goes straight to the bus without a database transaction.
"""

from __future__ import annotations

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.ids import now_iso
from amityvox.services.access import channel_access
from amityvox.services.messages import require_message_channel, require_unlocked

THROTTLE_SECONDS = 5.0


async def start_typing(ctx: Context, user_id: str, channel_id: str) -> bool:
    """Announce that `user_id` is typing in `channel_id`; False when throttled (nothing published).

    Raises ApiError when the user may not post there (404 unseen channel, 403 without
    SendMessages or in a locked channel, 400 for channels without messages).
    """
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, channel_id, user_id, need=P.Perm.SendMessages)
    require_message_channel(ca)
    require_unlocked(ca)
    # Claimed on the bus, so a typer with sessions on several gateways is throttled once.
    if not await ctx.bus.claim("typing", f"{user_id}.{channel_id}", THROTTLE_SECONDS):
        return False
    data: dict[str, str] = {"channel_id": channel_id, "user_id": user_id, "timestamp": now_iso()}
    if ca.guild_id is not None:
        data["guild_id"] = ca.guild_id
    await ctx.publish("TYPING_START", dict(data))
    return True
