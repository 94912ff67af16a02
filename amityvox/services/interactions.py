"""Interactions: a member uses a bot's slash command, and the bot answers.

`invoke` checks the option values against the command's declaration (types, bounds, choices;
users, channels and roles must exist in the guild) and sends INTERACTION_CREATE to the bot's
sessions only, with a token. With it the bot answers once (`callback`, Discord's response
types) and then follows up (`followup`, `edit_original`) for INTERACTION_TTL. A public answer
is an ordinary message posted through `messages.post` as the bot, carrying `interaction`; an
ephemeral one (flag 64) is never stored in history: EPHEMERAL_MESSAGE_CREATE brings it to the
member who used the command, and nobody else.

A bot may answer with a modal instead (callback 9, services/modals.py): INTERACTION_MODAL_CREATE
brings the form to the member, who submits it once (`submit_modal`), which is a new interaction
(type 5) for the bot to answer like a command.

The first answer is due within `interaction_response_ms` (`respond_by`). The server, not each
client, decides when that has passed: `time_out_unanswered` claims the unanswered interactions
with the same guarded update a callback uses, so exactly one of the two wins. Either the bot's
answer is accepted, or it is refused (`interaction_timed_out`) and the member hears
INTERACTION_TIMEOUT; a client never shows "did not respond" for an answer that then arrives.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels, guild_members, interactions, roles, users
from amityvox.db.schema import messages as messages_table
from amityvox.errors import ApiError, bad_request, forbidden, not_found, rate_limited
from amityvox.ids import is_ulid, iso, new_id, now_iso
from amityvox.services import auth, commands, messages, modals
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.commands import BOOLEAN, CHANNEL, INTEGER, NUMBER, ROLE, STRING, USER
from amityvox.services.leases import run_when_leader
from amityvox.services.serialize import Row, load_channel_row
from amityvox.services.users import public_user
from amityvox.services.webhooks import (
    WEBHOOK_PERMISSIONS,
    MessageEdit,
    discord_embed,
    mention_rules,
    narrow_mentions,
)
from amityvox.uow import UnitOfWork

APPLICATION_COMMAND, AUTOCOMPLETE, MODAL_SUBMIT = 2, 4, 5  # interaction types a member sends
# Callback types (Discord's): answer with a message, or "thinking…" now and the message later,
# autocomplete choices, or a modal to fill in.
MESSAGE, DEFERRED, AUTOCOMPLETE_RESULT, MODAL = 4, 5, 8, 9
CALLBACK_TYPES = (MESSAGE, DEFERRED, AUTOCOMPLETE_RESULT, MODAL)
TIMED_OUT = 0  # response_type of an interaction the bot did not answer in time
EPHEMERAL = 1 << 6  # message flag: only the member who used the command sees it
LOADING = 1 << 7  # message flag: the bot deferred and is still thinking
INTERACTION_TTL = timedelta(minutes=15)
TOKEN_PREFIX = "ix."  # told apart from a webhook's token (64 hex digits) by its first characters
USES_PER_WINDOW, USE_WINDOW_S = 10, 5.0
MAX_CHOICES = commands.MAX_CHOICES


def is_token(token: str) -> bool:
    """Whether a `/webhooks/{id}/{token}` path names an interaction rather than a webhook."""
    return token.startswith(TOKEN_PREFIX)


def _new_token(interaction_id: str) -> str:
    # The id inside finds the row; the secret after it is what is checked (stored hashed).
    return f"{TOKEN_PREFIX}{interaction_id}.{secrets.token_urlsafe(32)}"


# ---- using a command ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invocation:
    """A member's POST /interactions: which command (by id, or by name and optionally the
    application when two bots share a name) and the option values typed."""

    channel_id: str | None
    type: int
    name: str | None = None
    command_id: str | None = None
    application_id: str | None = None
    options: tuple[dict[str, Any], ...] = ()


async def _find_command(conn: AsyncConnection, ca: ChannelAccess, inv: Invocation) -> Row:
    assert ca.guild_id is not None
    rows = list((await conn.execute(commands.guild_commands_query(ca.guild_id))).mappings())
    if inv.command_id is not None:
        rows = [r for r in rows if r["id"] == inv.command_id.upper()]
    if inv.name is not None:
        rows = [r for r in rows if r["name"] == inv.name]
    if inv.application_id is not None:
        rows = [r for r in rows if r["application_id"] == inv.application_id.upper()]
    if not rows:
        raise not_found("command")
    if len(rows) > 1:
        raise bad_request("several bots have a command of that name: name the application", code="ambiguous_command")
    if not commands.may_use(rows[0], ca.perms):
        raise forbidden("you may not use this command")
    return rows[0]


def _scalar(option: dict[str, Any], value: Any, where: str) -> Any:
    """A string, integer, number or boolean value, checked against its declaration."""
    kind = option["type"]
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise bad_request(f"{where} must be true or false", code="invalid_option")
        return value
    if kind == STRING:
        if not isinstance(value, str):
            raise bad_request(f"{where} must be a string", code="invalid_option")
        low, high = option.get("min_length", 0), option.get("max_length", commands.MAX_STRING)
        if not low <= len(value) <= high:
            raise bad_request(f"{where} must be {low}-{high} characters", code="invalid_option")
    else:
        if isinstance(value, str):  # typed in a composer: "20" is the integer 20
            try:
                value = int(value) if kind == INTEGER else float(value)
            except ValueError:
                raise bad_request(f"{where} must be a number", code="invalid_option") from None
        if not commands.is_number(value, kind):
            raise bad_request(
                f"{where} must be {'an integer' if kind == INTEGER else 'a number'}", code="invalid_option"
            )
        low, high = option.get("min_value"), option.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{'' if low is None else low}..{'' if high is None else high}"
            raise bad_request(f"{where} must be in {bounds}", code="invalid_option")
    choices = option.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise bad_request(f"{where} must be one of the option's choices", code="invalid_option")
    return value


async def _resolve(
    conn: AsyncConnection, guild_id: str, kind: int, value: Any, where: str, resolved: dict[str, dict[str, Any]]
) -> str:
    """A user, channel or role id, which must exist in the guild; adds it to `resolved`."""
    if not isinstance(value, str) or not is_ulid(value):
        raise bad_request(f"{where} must be an id", code="invalid_option")
    value = value.upper()
    if kind == USER:
        q = (
            select(users, guild_members.c.nickname)
            .join(guild_members, guild_members.c.user_id == users.c.id)
            .where(guild_members.c.guild_id == guild_id, users.c.id == value)
        )
        row = (await conn.execute(q)).mappings().first()
        if row is None:
            raise bad_request(f"{where} must name a member of this guild", code="invalid_option")
        resolved.setdefault("users", {})[value] = public_user(row)
        resolved.setdefault("members", {})[value] = {"nickname": row["nickname"]}
    elif kind == CHANNEL:
        q = select(channels.c.id, channels.c.name, channels.c.channel_type).where(
            channels.c.id == value, channels.c.guild_id == guild_id
        )
        found = (await conn.execute(q)).mappings().first()
        if found is None:
            raise bad_request(f"{where} must name a channel of this guild", code="invalid_option")
        resolved.setdefault("channels", {})[value] = {"id": value, "name": found["name"],
                                                      "channel_type": found["channel_type"]}  # fmt: skip
    else:
        q = select(roles.c.id, roles.c.name, roles.c.color).where(roles.c.id == value, roles.c.guild_id == guild_id)
        found = (await conn.execute(q)).mappings().first()
        if found is None:
            raise bad_request(f"{where} must name a role of this guild", code="invalid_option")
        resolved.setdefault("roles", {})[value] = {"id": value, "name": found["name"], "color": found["color"]}
    return value


async def _typed_options(
    conn: AsyncConnection, guild_id: str, command: Row, given: tuple[dict[str, Any], ...], autocomplete: bool
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The values given, typed and checked against the declaration, in declaration order."""
    declared = {o["name"]: o for o in command["options"]}
    values: dict[str, dict[str, Any]] = {}
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or "value" not in item:
            raise bad_request("each option is an object with name and value", code="invalid_option")
        if item["name"] not in declared:
            raise bad_request(f"/{command['name']} has no option {item['name']!r}", code="invalid_option")
        if item["name"] in values:
            raise bad_request(f"option {item['name']!r} is given twice", code="invalid_option")
        values[item["name"]] = item
    focused = [n for n, item in values.items() if item.get("focused") is True]
    if autocomplete and (len(focused) != 1 or not declared[focused[0]].get("autocomplete")):
        raise bad_request("autocomplete needs exactly one focused option that autocompletes", code="invalid_option")
    resolved: dict[str, dict[str, Any]] = {}
    out = []
    for name, option in declared.items():
        where = f"option {name!r}"
        if name not in values:
            if option.get("required") and not autocomplete:
                raise bad_request(f"{where} is required", code="missing_option")
            continue
        value = values[name]["value"]
        entry: dict[str, Any] = {"name": name, "type": option["type"]}
        if name in focused:  # still being typed: passed on as it stands
            entry.update(value=str(value), focused=True)
        elif option["type"] in (USER, CHANNEL, ROLE):
            entry["value"] = await _resolve(conn, guild_id, option["type"], value, where, resolved)
        else:
            entry["value"] = _scalar(option, value, where)
        out.append(entry)
    return out, resolved


async def invoke(ctx: Context, user_id: str, inv: Invocation) -> dict[str, Any]:
    """POST /interactions (ViewChannel and SendMessages in a guild channel) → INTERACTION_CREATE to
    the owning bot's sessions only. Answers `{id, application_id, name, type}`."""
    if inv.type not in (APPLICATION_COMMAND, AUTOCOMPLETE):
        raise bad_request("type must be 2 (a command), 4 (autocomplete) or 5 (a modal submitted)")
    if inv.channel_id is None:
        raise bad_request("channel_id names the channel the command is used in")
    if inv.name is None and inv.command_id is None:
        raise bad_request("name the command (data.name or data.id)")
    window = ctx.limiter("interactions", USES_PER_WINDOW, USE_WINDOW_S)
    if wait := window.retry_after(user_id):
        raise rate_limited(wait, "you are using commands too often")
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, inv.channel_id, user_id, need=P.Perm.SendMessages)
        if ca.guild_id is None:
            raise bad_request("commands are used in guild channels", code="invalid_channel_type")
        messages.require_message_channel(ca)
        command = await _find_command(tx.conn, ca, inv)
        options, resolved = await _typed_options(tx.conn, ca.guild_id, command, inv.options, inv.type == AUTOCOMPLETE)
        window.hit(user_id)
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": commands.CHAT_INPUT,
                                "options": options}  # fmt: skip
        if resolved:
            data["resolved"] = resolved
        opened = _Opened(command["application_id"], user_id, ca.guild_id, ca.channel["id"], inv.type, command["name"])
        return await _open(ctx, tx, opened, data)


@dataclass(frozen=True, slots=True)
class _Opened:
    """A new interaction: whose command, used by whom, where."""

    application_id: str
    user_id: str
    guild_id: str
    channel_id: str
    type: int
    name: str


async def _open(ctx: Context, tx: UnitOfWork, new: _Opened, data: dict[str, Any]) -> dict[str, Any]:
    """Store the interaction and send INTERACTION_CREATE (with its token) to the bot. A command
    use and a modal submission are answered within `interaction_response_ms`; autocomplete is not
    awaited by anyone. Answers `{id, application_id, name, type}`."""
    interaction_id = new_id()
    token = _new_token(interaction_id)
    now = datetime.now(UTC)
    respond_by = None
    if new.type != AUTOCOMPLETE:
        respond_by = iso(now + timedelta(milliseconds=ctx.settings.interaction_response_ms))
    await tx.conn.execute(
        interactions.insert().values(
            id=interaction_id, application_id=new.application_id, user_id=new.user_id, guild_id=new.guild_id,
            channel_id=new.channel_id, type=new.type, name=new.name, token_hash=auth.hash_token(token),
            created_at=iso(now), expires_at=iso(now + INTERACTION_TTL), respond_by=respond_by, ephemeral=False,
        )
    )  # fmt: skip
    user = (await tx.conn.execute(select(users).where(users.c.id == new.user_id))).mappings().one()
    tx.emit(
        "INTERACTION_CREATE",
        {
            "id": interaction_id, "application_id": new.application_id, "type": new.type, "token": token,
            "guild_id": new.guild_id, "channel_id": new.channel_id, "user_id": new.user_id,
            "user": public_user(user), "data": data, "created_at": iso(now),
        },
    )  # fmt: skip
    return {"id": interaction_id, "application_id": new.application_id, "name": new.name, "type": new.type}


async def submit_modal(
    ctx: Context, user_id: str, modal_id: str | None, custom_id: Any, components: Any
) -> dict[str, Any]:
    """POST /interactions type 5: the member's one submission of a modal a bot sent them, within
    the command's interaction lifetime → INTERACTION_CREATE type 5 to that bot. `modal_id` (the
    modal event's `id`) names the modal; without it, the member's newest open modal of that
    custom_id. Answers `{id, application_id, name, type}` of the new interaction."""
    if not isinstance(custom_id, str):
        raise bad_request("data.custom_id names the modal submitted", code="invalid_modal_submission")
    window = ctx.limiter("interactions", USES_PER_WINDOW, USE_WINDOW_S)
    if wait := window.retry_after(user_id):
        raise rate_limited(wait, "you are using commands too often")
    async with ctx.uow() as tx:
        row = await _modal_row(tx.conn, user_id, modal_id, custom_id)
        if row["expires_at"] <= now_iso():
            raise ApiError(400, "interaction_expired", "the modal has expired (it lasts as long as its interaction)")
        if row["modal_submitted_at"] is not None:
            raise ApiError(400, "modal_already_submitted", "this modal has already been submitted")
        data = modals.check_submission(row["modal"], custom_id, components)
        ca = await channel_access(tx.conn, row["channel_id"], user_id, need=P.Perm.SendMessages)
        messages.require_message_channel(ca)
        claim = (
            update(interactions)
            .where(interactions.c.id == row["id"], interactions.c.modal_submitted_at.is_(None))
            .values(modal_submitted_at=now_iso())
        )
        if (await tx.conn.execute(claim)).rowcount != 1:
            raise ApiError(400, "modal_already_submitted", "this modal has already been submitted")
        window.hit(user_id)
        opened = _Opened(row["application_id"], user_id, row["guild_id"], row["channel_id"], MODAL_SUBMIT, row["name"])
        return await _open(ctx, tx, opened, data)


async def _modal_row(conn: AsyncConnection, user_id: str, modal_id: str | None, custom_id: str) -> Row:
    """The interaction whose modal is being submitted: only the member it was sent to submits it."""
    q = select(interactions).where(interactions.c.response_type == MODAL)
    if modal_id is not None:
        if not is_ulid(modal_id):
            raise not_found("modal")
        row = (await conn.execute(q.where(interactions.c.id == modal_id.upper()))).mappings().first()
        if row is None:
            raise not_found("modal")
        if row["user_id"] != user_id:
            raise forbidden("only the member who used the command submits its modal", code="not_your_modal")
        return row
    q = q.where(interactions.c.user_id == user_id, interactions.c.modal_submitted_at.is_(None))
    for row in (await conn.execute(q.order_by(interactions.c.id.desc()))).mappings():
        if row["modal"]["custom_id"] == custom_id:
            return row
    raise not_found("modal")


# ---- the bot's answers -------------------------------------------------------------------------


async def _by_token(conn: AsyncConnection, interaction_id: str | None, token: str) -> Row:
    """The interaction the token belongs to (404 for a wrong or unknown one), unexpired (400)."""
    parts = token.split(".")
    if len(parts) != 3 or f"{parts[0]}." != TOKEN_PREFIX or not is_ulid(parts[1]):
        raise not_found("interaction")
    if interaction_id is not None and interaction_id.upper() != parts[1].upper():
        raise not_found("interaction")
    q = select(interactions).where(interactions.c.id == parts[1].upper())
    row = (await conn.execute(q)).mappings().first()
    if row is None or not secrets.compare_digest(row["token_hash"], auth.hash_token(token)):
        raise not_found("interaction")
    if row["expires_at"] <= now_iso():
        raise ApiError(400, "interaction_expired", "the interaction's token has expired (tokens last 15 minutes)")
    return row


@dataclass(frozen=True, slots=True)
class Answer:
    """A message the bot answers with (Discord's callback `data`, follow-up or edit body)."""

    content: str = ""
    embeds: tuple[dict[str, Any], ...] = ()
    flags: int = 0
    allowed_mentions: dict[str, Any] | None = None


def _ephemeral_message(row: Row, bot: Row, message_id: str, content: str, embeds: list[dict[str, Any]],
                       flags: int) -> dict[str, Any]:  # fmt: skip
    """The Message only the command's user sees: built, never stored in history."""
    return {
        "id": message_id, "channel_id": row["channel_id"], "guild_id": row["guild_id"], "author_id": bot["id"],
        "author": public_user(bot), "content": content, "message_type": "default", "flags": flags,
        "mention_user_ids": [], "mention_role_ids": [], "mention_here": False, "attachments": [],
        "embeds": embeds, "reactions": [], "pinned": False,
        "interaction": {"id": row["id"], "name": row["name"], "user_id": row["user_id"]}, "created_at": now_iso(),
    }  # fmt: skip


async def _post_answer(tx: UnitOfWork, row: Row, answer: Answer, *, loading: bool = False) -> dict[str, Any]:
    """Post an answer in the interaction's channel as the bot: in history for all who can see the
    channel, or (ephemeral) to the command's user only. `loading`: the deferred placeholder."""
    links = messages.check_embeds([discord_embed(e, i) for i, e in enumerate(answer.embeds)])
    if not loading:
        messages.check_content(answer.content, has_extras=bool(links))
    bot = (await tx.conn.execute(select(users).where(users.c.id == row["application_id"]))).mappings().one()
    flags = (answer.flags & EPHEMERAL) | (LOADING if loading else 0)
    if flags & EPHEMERAL:
        message = _ephemeral_message(row, bot, new_id(), answer.content, links, flags)
        tx.emit("EPHEMERAL_MESSAGE_CREATE", message)
        return message
    channel = await load_channel_row(tx.conn, row["channel_id"])
    ca = ChannelAccess(channel=channel, perms=WEBHOOK_PERMISSIONS, guild_access=None)
    messages.require_unlocked(ca)
    mentions = _allowed_mentions(await messages.parse_mentions(tx.conn, ca, answer.content), answer)
    interaction = {"id": row["id"], "name": row["name"], "user_id": row["user_id"]}
    return await messages.post(tx, ca, bot["id"], answer.content, mentions, embeds=links, interaction=interaction,
                               flags=flags)  # fmt: skip


def _allowed_mentions(parsed: tuple[list[str], list[str], bool], answer: Answer) -> tuple[list[str], list[str], bool]:
    return narrow_mentions(parsed, mention_rules(answer.allowed_mentions))


async def callback(
    ctx: Context, interaction_id: str, token: str, kind: int, answer: Answer, data: dict[str, Any]
) -> dict[str, Any] | None:
    """POST /interactions/{id}/{token}/callback: the bot's one initial answer, by `respond_by`. 4
    posts the message (ephemeral with flag 64), 5 shows "thinking…" until the bot edits @original,
    8 sends the autocomplete choices (`data.choices`) to the member typing, 9 sends them the modal
    `data` describes. A second callback is refused, and so is a late one."""
    if kind not in CALLBACK_TYPES:
        raise bad_request("type must be 4 (message), 5 (deferred), 8 (autocomplete result) or 9 (modal)")
    modal = modals.check_modal(data) if kind == MODAL else None
    async with ctx.uow() as tx:
        row = await _by_token(tx.conn, interaction_id, token)
        if (row["type"] == AUTOCOMPLETE) != (kind == AUTOCOMPLETE_RESULT):
            raise bad_request("autocomplete interactions take type 8, commands 4, 5 or 9", code="invalid_callback")
        if kind == MODAL and row["type"] != APPLICATION_COMMAND:
            raise bad_request("a modal answers a command, not a modal submission", code="invalid_callback")
        now = now_iso()
        claim = (
            update(interactions)
            .where(
                interactions.c.id == row["id"],
                interactions.c.responded_at.is_(None),
                or_(interactions.c.respond_by.is_(None), interactions.c.respond_by > now),
            )
            .values(responded_at=now, response_type=kind, ephemeral=bool(answer.flags & EPHEMERAL), modal=modal)
        )
        if (await tx.conn.execute(claim)).rowcount != 1:
            if row["responded_at"] is None or row["response_type"] == TIMED_OUT:
                raise ApiError(400, "interaction_timed_out", "the interaction was not answered in time")
            raise ApiError(400, "interaction_already_acknowledged", "this interaction has already been answered")
        if modal is not None:
            tx.emit(
                "INTERACTION_MODAL_CREATE",
                {"id": row["id"], "application_id": row["application_id"], "user_id": row["user_id"],
                 "guild_id": row["guild_id"], "channel_id": row["channel_id"], "name": row["name"], **modal},
            )  # fmt: skip
            return None
        if kind == AUTOCOMPLETE_RESULT:
            checked = _choices(data.get("choices") or [])
            tx.emit(
                "APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE",
                {"interaction_id": row["id"], "user_id": row["user_id"], "choices": checked},
            )
            return None
        message = await _post_answer(tx, row, answer, loading=kind == DEFERRED)
        await _remember_original(tx.conn, row["id"], message)
        return None


def _choices(choices: Any) -> list[dict[str, Any]]:
    if not isinstance(choices, list) or len(choices) > MAX_CHOICES:
        raise bad_request(f"choices holds at most {MAX_CHOICES} choices", code="too_many_choices")
    out = []
    for i, choice in enumerate(choices):
        kind = STRING if isinstance(choice, dict) and isinstance(choice.get("value"), str) else NUMBER
        out.append(commands.check_choice(choice, kind, f"choices[{i}]"))
    return out


async def _remember_original(conn: AsyncConnection, interaction_id: str, message: dict[str, Any]) -> None:
    if message["flags"] & EPHEMERAL:
        values: dict[str, Any] = {"ephemeral_message": message, "message_id": None}
    else:
        values = {"message_id": message["id"], "ephemeral_message": None}
    await conn.execute(update(interactions).where(interactions.c.id == interaction_id).values(**values))


async def followup(ctx: Context, application_id: str, token: str, answer: Answer) -> dict[str, Any]:
    """POST /webhooks/{application_id}/{token}: another message after the initial answer."""
    async with ctx.uow() as tx:
        row = await _by_token(tx.conn, None, token)
        if row["application_id"] != application_id.upper():
            raise not_found("interaction")
        if row["response_type"] not in (MESSAGE, DEFERRED):
            raise bad_request("answer the interaction with a message before following up", code="not_acknowledged")
        return await _post_answer(tx, row, answer)


async def edit_original(ctx: Context, application_id: str, token: str, edit: MessageEdit) -> dict[str, Any]:
    """PATCH /webhooks/{application_id}/{token}/messages/@original: the initial answer's new
    content (a deferred one stops thinking) → MESSAGE_UPDATE, or for an ephemeral answer a new
    EPHEMERAL_MESSAGE_CREATE with the same id."""
    async with ctx.uow() as tx:
        row = await _by_token(tx.conn, None, token)
        if row["application_id"] != application_id.upper():
            raise not_found("interaction")
        links = None
        if edit.embeds is not None:
            links = messages.check_embeds([discord_embed(e, i) for i, e in enumerate(edit.embeds)])
        if row["ephemeral_message"] is not None:
            old = row["ephemeral_message"]
            content = old["content"] if edit.content is None else edit.content
            embeds = old["embeds"] if links is None else links
            messages.check_content(content, has_extras=bool(embeds))
            message = {**old, "content": content, "embeds": embeds, "flags": EPHEMERAL, "edited_at": now_iso()}
            tx.emit("EPHEMERAL_MESSAGE_CREATE", message)
            await _remember_original(tx.conn, row["id"], message)
            return dict(message)
        if row["message_id"] is None:
            raise not_found("message")
        original = await messages.load_message_row(tx.conn, row["channel_id"], row["message_id"])
        if original["flags"] & LOADING:
            await tx.conn.execute(update(messages_table).where(messages_table.c.id == original["id"]).values(flags=0))
        content = original["content"] if edit.content is None else edit.content
        extras = bool(original["embeds"] if links is None else links)
        messages.check_content(content, has_extras=extras)
        channel = await load_channel_row(tx.conn, row["channel_id"])
        ca = ChannelAccess(channel=channel, perms=WEBHOOK_PERMISSIONS, guild_access=None)
        messages.require_unlocked(ca)
        mentions = _allowed_mentions(await messages.parse_mentions(tx.conn, ca, content), Answer(
            allowed_mentions=edit.allowed_mentions))  # fmt: skip
        return await messages.revise(ctx, tx, original, content, mentions, embeds=links)


# ---- answers that never came -------------------------------------------------------------------


async def time_out_unanswered(ctx: Context) -> int:
    """Claim every interaction whose answer is overdue → INTERACTION_TIMEOUT to its member each;
    returns how many. The claim is the callback's own guarded update, so a bot's answer and the
    timeout never both win."""
    async with ctx.uow() as tx:
        now = now_iso()
        due = and_(interactions.c.responded_at.is_(None), interactions.c.respond_by <= now)
        timed_out = 0
        for row in list((await tx.conn.execute(select(interactions).where(due))).mappings()):
            claim = update(interactions).where(interactions.c.id == row["id"], due)
            if (await tx.conn.execute(claim.values(responded_at=now, response_type=TIMED_OUT))).rowcount:
                timed_out += 1
                tx.emit(
                    "INTERACTION_TIMEOUT",
                    {"interaction_id": row["id"], "application_id": row["application_id"], "user_id": row["user_id"],
                     "channel_id": row["channel_id"], "name": row["name"]},
                )  # fmt: skip
        return timed_out


def sweep_interval(ctx: Context) -> float:
    """A quarter of the deadline (at most a second): the member hears soon after it passes."""
    return min(1.0, ctx.settings.interaction_response_ms / 4000)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    tick = lambda: time_out_unanswered(ctx)  # noqa: E731
    return [asyncio.create_task(run_when_leader(ctx, "interaction-timeouts", tick, sweep_interval(ctx)),
                                name="interaction-timeouts")]  # fmt: skip
