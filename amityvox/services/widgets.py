"""Channel widgets: small pinned panels (a note, a link, a countdown, an embed) shown with a channel.

Anyone who can view the channel sees its widgets. Changing them takes ManageChannels
in a guild; in a DM or group every recipient may. Every change publishes the whole
widget (CHANNEL_WIDGET_CREATE / _UPDATE) or its id (CHANNEL_WIDGET_DELETE).
`position` is a sort key (widgets are listed by position, then age); it never moves
other widgets, so one event always describes the whole change.

Widget types and their `config`:

- note: `text` (1-2000 characters)
- link: `url` (http or https, ≤ 2048), `description`? (≤ 200)
- countdown: `target_at` (RFC 3339; stored in UTC), `done_text`? (≤ 100)
- embed: `url` (https only, ≤ 2048), `height` 100-1000 (default 300)
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channel_widgets
from amityvox.errors import bad_request, not_found
from amityvox.ids import iso, new_id, now_iso
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.serialize import Row

MAX_TITLE = 100
MAX_PER_CHANNEL = 25
MAX_POSITION = 1000


def _web_url(value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"must be an absolute {' or '.join(schemes)} URL")
    return value


def _http_url(value: str) -> str:
    return _web_url(value, ("http", "https"))


def _https_url(value: str) -> str:
    return _web_url(value, ("https",))


def _timestamp(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("must be an RFC 3339 timestamp") from exc
    if parsed.tzinfo is None:
        raise ValueError("must carry a time zone, such as Z")
    return iso(parsed)


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Note(_Config):
    text: str = Field(min_length=1, max_length=2000)


class Link(_Config):
    url: Annotated[str, Field(max_length=2048), AfterValidator(_http_url)]
    description: str | None = Field(default=None, max_length=200)


class Countdown(_Config):
    target_at: Annotated[str, Field(max_length=40), AfterValidator(_timestamp)]
    done_text: str | None = Field(default=None, max_length=100)


class Embed(_Config):
    url: Annotated[str, Field(max_length=2048), AfterValidator(_https_url)]
    height: int = Field(300, ge=100, le=1000)


WIDGET_TYPES: dict[str, type[_Config]] = {"note": Note, "link": Link, "countdown": Countdown, "embed": Embed}


def check_config(widget_type: str, config: dict[str, Any]) -> dict[str, Any]:
    """The config as stored (defaults filled in, optional fields left out when null), or 400."""
    model = WIDGET_TYPES.get(widget_type)
    if model is None:
        raise bad_request(f"widget_type must be one of {', '.join(WIDGET_TYPES)}", code="unknown_widget_type")
    try:
        return model.model_validate(config).model_dump(exclude_none=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "config"
        raise bad_request(f"config.{where}: {first['msg']}", code="invalid_config") from exc


def check_title(title: str) -> str:
    title = title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise bad_request(f"title must be 1-{MAX_TITLE} characters")
    return title


def check_position(position: int) -> int:
    if not 0 <= position <= MAX_POSITION:
        raise bad_request(f"position must be 0-{MAX_POSITION}")
    return position


def widget_out(row: Row) -> dict[str, Any]:
    """The ChannelWidget object (REST and CHANNEL_WIDGET_CREATE / _UPDATE)."""
    out = {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "widget_type": row["widget_type"],
        "title": row["title"],
        "config": row["config"],
        "position": row["position"],
        "creator_id": row["creator_id"],
        "created_at": row["created_at"],
    }
    if row["guild_id"] is not None:
        out["guild_id"] = row["guild_id"]
    return out


async def _managing(conn: AsyncConnection, channel_id: str, user_id: str) -> ChannelAccess:
    """ManageChannels in a guild channel; being a recipient is enough in a DM or group."""
    ca = await channel_access(conn, channel_id, user_id)
    if ca.guild_id is not None:
        ca.require(P.Perm.ManageChannels)
    if ca.channel["channel_type"] == "category":
        raise bad_request("category channels hold no widgets", code="invalid_channel_type")
    return ca


async def _load(conn: AsyncConnection, channel_id: str, widget_id: str) -> Row:
    q = select(channel_widgets).where(channel_widgets.c.id == widget_id, channel_widgets.c.channel_id == channel_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("widget")
    return row


async def list_widgets(ctx: Context, channel_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /channels/{c}/widgets (ViewChannel): every widget (at most 25), by position then age."""
    async with ctx.db.read() as conn:
        await channel_access(conn, channel_id, user_id)
        q = (
            select(channel_widgets)
            .where(channel_widgets.c.channel_id == channel_id)
            .order_by(channel_widgets.c.position, channel_widgets.c.id)
        )
        return [widget_out(r) for r in (await conn.execute(q)).mappings()]


async def create_widget(
    ctx: Context,
    channel_id: str,
    user_id: str,
    *,
    widget_type: str,
    title: str,
    config: dict[str, Any],
    position: int | None,
) -> dict[str, Any]:
    """POST /channels/{c}/widgets → CHANNEL_WIDGET_CREATE; without `position` it goes last."""
    config = check_config(widget_type, config)
    title = check_title(title)
    if position is not None:
        check_position(position)
    async with ctx.uow() as tx:
        ca = await _managing(tx.conn, channel_id, user_id)
        q = select(func.count(), func.max(channel_widgets.c.position)).where(channel_widgets.c.channel_id == channel_id)
        held, last = (await tx.conn.execute(q)).one()
        if held >= MAX_PER_CHANNEL:
            raise bad_request(f"a channel holds at most {MAX_PER_CHANNEL} widgets", code="limit_reached")
        if position is None:
            position = min((last + 1) if last is not None else 0, MAX_POSITION)
        row = {
            "id": new_id(),
            "channel_id": channel_id,
            "guild_id": ca.guild_id,
            "widget_type": widget_type,
            "title": title,
            "config": config,
            "position": position,
            "creator_id": user_id,
            "created_at": now_iso(),
        }
        await tx.conn.execute(channel_widgets.insert().values(**row))
        widget = widget_out(row)
        tx.emit("CHANNEL_WIDGET_CREATE", widget)
        return widget


async def update_widget(
    ctx: Context, channel_id: str, widget_id: str, user_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """PATCH /channels/{c}/widgets/{w} → CHANNEL_WIDGET_UPDATE with the whole widget.

    `changes` holds any of title, config (checked against the widget's type, which never
    changes) and position.
    """
    if not changes:
        raise bad_request("send at least one of title, config, position")
    if any(changes.get(k) is None for k in changes):
        raise bad_request("title, config and position cannot be null")
    async with ctx.uow() as tx:
        await _managing(tx.conn, channel_id, user_id)
        row = await _load(tx.conn, channel_id, widget_id)
        values: dict[str, Any] = {}
        if "title" in changes:
            values["title"] = check_title(changes["title"])
        if "config" in changes:
            values["config"] = check_config(row["widget_type"], changes["config"])
        if "position" in changes:
            values["position"] = check_position(changes["position"])
        await tx.conn.execute(update(channel_widgets).where(channel_widgets.c.id == row["id"]).values(**values))
        widget = widget_out({**row, **values})
        tx.emit("CHANNEL_WIDGET_UPDATE", widget)
        return widget


async def delete_widget(ctx: Context, channel_id: str, widget_id: str, user_id: str) -> None:
    """DELETE /channels/{c}/widgets/{w} → CHANNEL_WIDGET_DELETE."""
    async with ctx.uow() as tx:
        await _managing(tx.conn, channel_id, user_id)
        row = await _load(tx.conn, channel_id, widget_id)
        await tx.conn.execute(channel_widgets.delete().where(channel_widgets.c.id == row["id"]))
        tx.emit("CHANNEL_WIDGET_DELETE", {"widget_id": row["id"], "channel_id": channel_id})
