"""Application (slash) commands: what a bot declares, checked as Discord checks it.

An application is a bot (its id is the bot's user id). The bot, or its owner, registers
global commands (usable wherever the bot is a member, or installed for its commands alone:
`application_installs`, services/bot_install.py) and commands for one such guild. Members list
the commands they may use in a channel: those of the guild's bots, minus the ones whose
`default_member_permissions` they lack. Using one is services/interactions.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import application_commands, application_installs, guild_members, users
from amityvox.errors import bad_request, forbidden, not_found
from amityvox.ids import is_ulid, new_id, now_iso
from amityvox.services.access import channel_access
from amityvox.services.bots import is_bot
from amityvox.services.serialize import Row
from amityvox.services.users import public_user
from amityvox.uow import UnitOfWork

CHAT_INPUT = 1  # the only command type served: typed in the composer after `/`
# Discord's option types, by number and by the name the docs use.
OPTION_TYPES: dict[int, str] = {
    3: "string", 4: "integer", 5: "boolean", 6: "user", 7: "channel", 8: "role", 10: "number",
}  # fmt: skip
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, NUMBER = 3, 4, 5, 6, 7, 8, 10
_CHOICE_TYPES = frozenset({STRING, INTEGER, NUMBER})
# Discord's limits.
MAX_COMMANDS = 100  # per application, globally and per guild
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_NAME, MAX_DESCRIPTION, MAX_STRING = 32, 100, 6000
MAX_SAFE_NUMBER = 2**53  # JSON numbers every client reads exactly
_NAME = re.compile(r"^[-_\w]{1,32}$")
_OPTION_KEYS = frozenset(
    {"type", "name", "description", "required", "choices", "min_value", "max_value", "min_length",
     "max_length", "autocomplete", "channel_types", "name_localizations", "description_localizations"}
)  # fmt: skip
_COMMAND_KEYS = frozenset(
    {"name", "description", "options", "type", "default_member_permissions", "dm_permission", "nsfw",
     "name_localizations", "description_localizations", "contexts", "integration_types", "id"}
)  # fmt: skip


# ---- checking a declaration --------------------------------------------------------------------


def check_name(value: Any, where: str) -> str:
    """Discord's rule: 1-32 lowercase letters, digits, `-` and `_`."""
    if not isinstance(value, str) or not _NAME.match(value) or value != value.lower():
        raise bad_request(f"{where} must be 1-{MAX_NAME} lowercase letters, digits, - or _", code="invalid_name")
    return value


def _description(value: Any, where: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= MAX_DESCRIPTION:
        raise bad_request(f"{where} must be 1-{MAX_DESCRIPTION} characters")
    return value.strip()


def is_number(value: Any, kind: int) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if kind == INTEGER and not isinstance(value, int):
        return False
    return -MAX_SAFE_NUMBER <= value <= MAX_SAFE_NUMBER


def check_choice(choice: Any, kind: int, where: str) -> dict[str, Any]:
    if not isinstance(choice, dict) or set(choice) - {"name", "value", "name_localizations"}:
        raise bad_request(f"{where} must be an object with name and value")
    name = choice.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_DESCRIPTION:
        raise bad_request(f"{where}.name must be 1-{MAX_DESCRIPTION} characters")
    value = choice.get("value")
    if kind == STRING:
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_DESCRIPTION:
            raise bad_request(f"{where}.value must be a string of 1-{MAX_DESCRIPTION} characters")
    elif not is_number(value, kind):
        raise bad_request(f"{where}.value must be {'an integer' if kind == INTEGER else 'a number'}")
    return {"name": name, "value": value}


def _bound(option: dict[str, Any], key: str, kind: int, where: str) -> Any:
    value = option.get(key)
    if value is None:
        return None
    if key in ("min_value", "max_value"):
        if kind not in (INTEGER, NUMBER) or not is_number(value, kind):
            raise bad_request(f"{where}.{key} is a number of an integer or number option")
    elif kind != STRING or isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STRING:
        raise bad_request(f"{where}.{key} is 0-{MAX_STRING} on a string option")
    return value


def check_option(option: Any, index: int) -> dict[str, Any]:
    """One option as Discord declares it; the stored form keeps only what this server uses."""
    where = f"options[{index}]"
    if not isinstance(option, dict):
        raise bad_request(f"{where} must be an object")
    if unknown := set(option) - _OPTION_KEYS:
        raise bad_request(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
    kind = option.get("type")
    if kind in (1, 2):
        raise bad_request(f"{where}: subcommands are not supported", code="unsupported_option_type")
    if kind not in OPTION_TYPES or isinstance(kind, bool):
        names = ", ".join(f"{n} ({t})" for n, t in OPTION_TYPES.items())
        raise bad_request(f"{where}.type must be one of {names}")
    out: dict[str, Any] = {
        "type": kind,
        "name": check_name(option.get("name"), f"{where}.name"),
        "description": _description(option.get("description"), f"{where}.description"),
    }
    for flag in ("required", "autocomplete"):
        value = option.get(flag, False)
        if not isinstance(value, bool):
            raise bad_request(f"{where}.{flag} must be true or false")
        if value:
            out[flag] = True
    choices = option.get("choices")
    if choices is not None:
        if kind not in _CHOICE_TYPES:
            raise bad_request(f"{where}: only string, integer and number options have choices")
        if not isinstance(choices, list) or len(choices) > MAX_CHOICES:
            raise bad_request(f"{where}.choices holds at most {MAX_CHOICES} choices", code="too_many_choices")
        if choices:
            out["choices"] = [check_choice(c, kind, f"{where}.choices[{i}]") for i, c in enumerate(choices)]
    if out.get("autocomplete") and kind not in _CHOICE_TYPES:
        raise bad_request(f"{where}: only string, integer and number options autocomplete")
    if out.get("autocomplete") and out.get("choices"):
        raise bad_request(f"{where}: an option has either choices or autocomplete, not both")
    for low, high in (("min_value", "max_value"), ("min_length", "max_length")):
        lo, hi = _bound(option, low, kind, where), _bound(option, high, kind, where)
        if lo is not None and hi is not None and lo > hi:
            raise bad_request(f"{where}.{low} must not exceed {high}")
        out.update({k: v for k, v in ((low, lo), (high, hi)) if v is not None})
    return out


def check_command(body: Any) -> dict[str, Any]:
    """A command declaration (Discord's shape) as it is stored: name, description, options,
    default_member_permissions (None: everyone who can use the bot)."""
    if not isinstance(body, dict):
        raise bad_request("a command must be an object")
    if unknown := set(body) - _COMMAND_KEYS:
        raise bad_request(f"unknown command fields: {', '.join(sorted(unknown))}")
    if body.get("type", CHAT_INPUT) != CHAT_INPUT:
        raise bad_request("only chat input commands (type 1) are supported", code="unsupported_command_type")
    options = body.get("options") or []
    if not isinstance(options, list):
        raise bad_request("options must be a list")
    if len(options) > MAX_OPTIONS:
        raise bad_request(f"a command has at most {MAX_OPTIONS} options", code="too_many_options")
    checked = [check_option(o, i) for i, o in enumerate(options)]
    names = [o["name"] for o in checked]
    if len(set(names)) != len(names):
        raise bad_request("option names must be unique within a command", code="duplicate_name")
    required = [bool(o.get("required")) for o in checked]
    if required != sorted(required, reverse=True):
        raise bad_request("required options must come before optional ones")
    perms = body.get("default_member_permissions")
    if perms is not None:
        if not isinstance(perms, str | int) or isinstance(perms, bool) or not str(perms).isdigit():
            raise bad_request("default_member_permissions must be a permission bit set, as a string")
        perms = int(perms)
        if perms >= 1 << 64:
            raise bad_request("default_member_permissions must fit in 64 bits")
    return {
        "name": check_name(body.get("name"), "name"),
        "description": _description(body.get("description"), "description"),
        "options": checked,
        "default_member_permissions": perms,
    }


# ---- shapes and loading ------------------------------------------------------------------------


def command_out(row: Row) -> dict[str, Any]:
    """The ApplicationCommand object (Discord's shape; permissions as a decimal string)."""
    out: dict[str, Any] = {
        "id": row["id"],
        "type": CHAT_INPUT,
        "application_id": row["application_id"],
        "name": row["name"],
        "description": row["description"],
        "options": list(row["options"]),
        "default_member_permissions": None,
        "version": row["version"],
    }
    if row["guild_id"] is not None:
        out["guild_id"] = row["guild_id"]
    if row["default_member_permissions"] is not None:
        out["default_member_permissions"] = str(row["default_member_permissions"])
    return out


async def _application(conn: AsyncConnection, application_id: str, caller_id: str) -> Row:
    """The bot, when the caller is that bot or its owner (404 for any other id)."""
    if not is_ulid(application_id):
        raise not_found("application")
    row = (await conn.execute(select(users).where(users.c.id == application_id.upper()))).mappings().first()
    if row is None or row["deleted_at"] is not None or not is_bot(row):
        raise not_found("application")
    if caller_id not in (row["id"], row["bot_owner_id"]):
        raise forbidden("only the bot or its owner manages its commands")
    return row


def _guilds_of(application_id: str) -> Any:
    """The guilds where an application's commands are usable: those the bot is a member of, and
    those that installed it for its commands alone."""
    return (
        select(guild_members.c.guild_id)
        .where(guild_members.c.user_id == application_id)
        .union(select(application_installs.c.guild_id).where(application_installs.c.application_id == application_id))
    )


async def usable_in(conn: AsyncConnection, guild_id: str, application_id: str) -> bool:
    """Whether an application's commands are usable in a guild (a member, or installed there)."""
    return guild_id in set(await conn.scalars(_guilds_of(application_id)))


async def _scope(conn: AsyncConnection, app: Row, guild_id: str | None) -> str | None:
    """The guild of a guild-scoped route, where the bot's commands must be usable (404 otherwise)."""
    if guild_id is None:
        return None
    guild_id = guild_id.upper()
    if not is_ulid(guild_id) or not await usable_in(conn, guild_id, app["id"]):
        raise not_found("guild")
    return guild_id


def _in_scope(application_id: str, guild_id: str | None) -> Any:
    where = application_commands.c.application_id == application_id
    if guild_id is None:
        return and_(where, application_commands.c.guild_id.is_(None))
    return and_(where, application_commands.c.guild_id == guild_id)


async def _rows(conn: AsyncConnection, application_id: str, guild_id: str | None) -> list[Row]:
    q = select(application_commands).where(_in_scope(application_id, guild_id)).order_by(application_commands.c.id)
    return list((await conn.execute(q)).mappings())


async def _command_row(conn: AsyncConnection, app: Row, guild_id: str | None, command_id: str) -> Row:
    if not is_ulid(command_id):
        raise not_found("command")
    q = select(application_commands).where(
        _in_scope(app["id"], guild_id), application_commands.c.id == command_id.upper()
    )
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("command")
    return row


async def announce_all(tx: UnitOfWork, event: str, application_id: str, guild_id: str) -> None:
    """APPLICATION_COMMAND_CREATE (or _DELETE) for each of an application's commands in a guild
    where they become usable (or stop being so): its global ones and those of that guild."""
    q = (
        select(application_commands)
        .where(
            application_commands.c.application_id == application_id,
            or_(application_commands.c.guild_id.is_(None), application_commands.c.guild_id == guild_id),
        )
        .order_by(application_commands.c.id)
    )
    for row in (await tx.conn.execute(q)).mappings():
        tx.emit(event, {"guild_id": guild_id, "command": command_out(row)})


async def _announce(tx: UnitOfWork, event: str, app: Row, scope: str | None, command: dict[str, Any]) -> None:
    """APPLICATION_COMMAND_CREATE/_UPDATE/_DELETE to the members of every guild the command is
    usable in: its own guild, or (a global command) each guild the bot is a member of or is
    installed in for its commands."""
    guild_ids = [scope] if scope is not None else sorted(set(await tx.conn.scalars(_guilds_of(app["id"]))))
    for guild_id in guild_ids:
        tx.emit(event, {"guild_id": guild_id, "command": command})


# ---- the bot's routes --------------------------------------------------------------------------


async def list_commands(
    ctx: Context, application_id: str, caller_id: str, guild_id: str | None = None
) -> list[dict[str, Any]]:
    """GET /applications/{a}/commands (or …/guilds/{g}/commands), oldest first."""
    async with ctx.db.read() as conn:
        app = await _application(conn, application_id, caller_id)
        scope = await _scope(conn, app, guild_id)
        return [command_out(r) for r in await _rows(conn, app["id"], scope)]


async def get_command(
    ctx: Context, application_id: str, caller_id: str, command_id: str, guild_id: str | None = None
) -> dict[str, Any]:
    """GET /applications/{a}/commands/{id} (or the guild's)."""
    async with ctx.db.read() as conn:
        app = await _application(conn, application_id, caller_id)
        scope = await _scope(conn, app, guild_id)
        return command_out(await _command_row(conn, app, scope, command_id))


async def _write(conn: AsyncConnection, app: Row, scope: str | None, old: Row | None, cmd: dict[str, Any]) -> Row:
    """Insert a command, or overwrite `old` (keeping its id, with a new version)."""
    values = {**cmd, "version": new_id()}
    if old is not None:
        await conn.execute(update(application_commands).where(application_commands.c.id == old["id"]).values(**values))
        return {**old, **values}
    row = {"id": new_id(), "application_id": app["id"], "guild_id": scope, "created_at": now_iso(), **values}
    await conn.execute(application_commands.insert().values(**row))
    return row


async def create_command(
    ctx: Context, application_id: str, caller_id: str, body: Any, guild_id: str | None = None
) -> tuple[dict[str, Any], bool]:
    """POST /applications/{a}/commands: a new command, or (Discord's way) the one of the same name
    overwritten. Answers the command and whether it is new (201) or replaced (200)."""
    cmd = check_command(body)
    async with ctx.uow() as tx:
        app = await _application(tx.conn, application_id, caller_id)
        scope = await _scope(tx.conn, app, guild_id)
        rows = await _rows(tx.conn, app["id"], scope)
        old = next((r for r in rows if r["name"] == cmd["name"]), None)
        if old is None and len(rows) >= MAX_COMMANDS:
            raise bad_request(f"an application has at most {MAX_COMMANDS} commands here", code="too_many_commands")
        command = command_out(await _write(tx.conn, app, scope, old, cmd))
        await _announce(tx, "APPLICATION_COMMAND_CREATE" if old is None else "APPLICATION_COMMAND_UPDATE", app, scope,
                        command)  # fmt: skip
        return command, old is None


async def overwrite_commands(
    ctx: Context, application_id: str, caller_id: str, body: Any, guild_id: str | None = None
) -> list[dict[str, Any]]:
    """PUT /applications/{a}/commands: the whole list at once. Commands whose name is kept keep
    their id; the others are deleted. Nothing changes if any declaration is refused."""
    if not isinstance(body, list):
        raise bad_request("the body must be a list of commands")
    if len(body) > MAX_COMMANDS:
        raise bad_request(f"an application has at most {MAX_COMMANDS} commands here", code="too_many_commands")
    declared = [check_command(c) for c in body]
    names = [c["name"] for c in declared]
    if len(set(names)) != len(names):
        raise bad_request("command names must be unique", code="duplicate_name")
    async with ctx.uow() as tx:
        app = await _application(tx.conn, application_id, caller_id)
        scope = await _scope(tx.conn, app, guild_id)
        existing = {r["name"]: r for r in await _rows(tx.conn, app["id"], scope)}
        gone = [r for name, r in existing.items() if name not in names]
        if gone:
            await tx.conn.execute(
                delete(application_commands).where(application_commands.c.id.in_([r["id"] for r in gone]))
            )
        for row in gone:
            await _announce(tx, "APPLICATION_COMMAND_DELETE", app, scope, command_out(row))
        out = []
        for cmd in declared:
            old = existing.get(cmd["name"])
            if old is not None and all(old[k] == v for k, v in cmd.items()):
                out.append(command_out(old))
                continue
            command = command_out(await _write(tx.conn, app, scope, old, cmd))
            event = "APPLICATION_COMMAND_CREATE" if old is None else "APPLICATION_COMMAND_UPDATE"
            await _announce(tx, event, app, scope, command)
            out.append(command)
        return out


async def modify_command(
    ctx: Context, application_id: str, caller_id: str, command_id: str, body: Any, guild_id: str | None = None
) -> dict[str, Any]:
    """PATCH /applications/{a}/commands/{id}: the fields given replace the stored ones."""
    if not isinstance(body, dict):
        raise bad_request("the body must be an object")
    async with ctx.uow() as tx:
        app = await _application(tx.conn, application_id, caller_id)
        scope = await _scope(tx.conn, app, guild_id)
        old = await _command_row(tx.conn, app, scope, command_id)
        current = {k: old[k] for k in ("name", "description", "options")}
        if old["default_member_permissions"] is not None:
            current["default_member_permissions"] = str(old["default_member_permissions"])
        cmd = check_command({**current, **body})
        if cmd["name"] != old["name"]:
            clash = select(func.count()).where(_in_scope(app["id"], scope), application_commands.c.name == cmd["name"])
            if await tx.conn.scalar(clash):
                raise bad_request("a command of that name exists", code="duplicate_name")
        command = command_out(await _write(tx.conn, app, scope, old, cmd))
        await _announce(tx, "APPLICATION_COMMAND_UPDATE", app, scope, command)
        return command


async def delete_command(
    ctx: Context, application_id: str, caller_id: str, command_id: str, guild_id: str | None = None
) -> None:
    """DELETE /applications/{a}/commands/{id}."""
    async with ctx.uow() as tx:
        app = await _application(tx.conn, application_id, caller_id)
        scope = await _scope(tx.conn, app, guild_id)
        row = await _command_row(tx.conn, app, scope, command_id)
        await tx.conn.execute(delete(application_commands).where(application_commands.c.id == row["id"]))
        await _announce(tx, "APPLICATION_COMMAND_DELETE", app, scope, command_out(row))


# ---- what members may use ----------------------------------------------------------------------


def may_use(row: Row, perms: int) -> bool:
    """`default_member_permissions`: None lets everyone use it, 0 only administrators, other
    bits the members holding all of them."""
    needed = row["default_member_permissions"]
    if needed is None:
        return True
    return P.has(perms, int(needed) or int(P.Perm.Administrator))


def guild_commands_query(guild_id: str) -> Any:
    """The commands usable in a guild: the global ones of its bots (members, and those installed
    for their commands alone) and those registered for it."""
    bots_in_guild = select(guild_members.c.user_id).where(guild_members.c.guild_id == guild_id)
    installed = select(application_installs.c.application_id).where(application_installs.c.guild_id == guild_id)
    return (
        select(application_commands)
        .where(
            or_(
                application_commands.c.application_id.in_(bots_in_guild),
                application_commands.c.application_id.in_(installed),
            ),
            or_(application_commands.c.guild_id.is_(None), application_commands.c.guild_id == guild_id),
        )
        .order_by(application_commands.c.name, application_commands.c.id)
    )


async def usable_commands(ctx: Context, channel_id: str, user_id: str) -> dict[str, Any]:
    """GET /channels/{c}/commands: the commands the caller may use in a channel they can view,
    with the bots that answer them (a DM has none)."""
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, channel_id, user_id)
        if ca.guild_id is None:
            return {"applications": [], "application_commands": []}
        rows = [r for r in (await conn.execute(guild_commands_query(ca.guild_id))).mappings() if may_use(r, ca.perms)]
        return {
            "applications": await _applications(conn, {r["application_id"] for r in rows}),
            "application_commands": [command_out(r) for r in rows],
        }


async def _applications(conn: AsyncConnection, ids: Sequence[str] | set[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    q = select(users).where(users.c.id.in_(list(ids))).order_by(users.c.id)
    return [public_user(r) for r in (await conn.execute(q)).mappings()]
