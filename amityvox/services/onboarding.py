"""Guild onboarding: the welcome, the rules, default channels and prompts whose options grant roles.

GET /guilds/{g}/onboarding (members) answers the configuration (a disabled, empty one
until it is first saved); PUT (ManageGuild) replaces it → GUILD_ONBOARDING_UPDATE.
Prompt and option ids are kept when a PUT sends them back, so members' earlier choices
stay meaningful; new ones get fresh ids.

POST /guilds/{g}/onboarding/complete {option_ids} (a member, onboarding enabled): checks
the choice against the prompts (required prompts answered, single-select prompts at most
one option), grants the chosen options' roles, marks the member's onboarding complete
and publishes GUILD_MEMBER_UPDATE. Roles are only ever added. Completing grants roles
without AssignRoles, on the authority of whoever saved the configuration: saving needs
the saver to be allowed to hand out every role it offers (`grants.require_may_hand_out`:
below their highest role, and only bits they hold), and completing checks that again
against the saver as they are then, granting only the roles that still pass. A role
edited above its saver's own bits after the save is therefore not granted.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels, guild_members, guild_onboarding, member_roles, roles
from amityvox.db.upserts import upsert
from amityvox.errors import ApiError, bad_request, conflict
from amityvox.ids import new_id, now_iso
from amityvox.services import access, audit_log, grants
from amityvox.services.serialize import load_member

log = logging.getLogger(__name__)

MAX_WELCOME = 2000
MAX_RULES = 25
MAX_RULE = 500
MAX_DEFAULT_CHANNELS = 50
MAX_PROMPTS = 15
MAX_OPTIONS = 25
MAX_TITLE = 100
MAX_LABEL = 100
MAX_DESCRIPTION = 200
MAX_EMOJI = 64
MAX_IDS = 25  # roles or channels per option


def _empty(guild_id: str, updated_at: str) -> dict[str, Any]:
    return {
        "guild_id": guild_id,
        "enabled": False,
        "welcome_message": "",
        "rules": [],
        "default_channel_ids": [],
        "prompts": [],
        "updated_at": updated_at,
    }


async def _load(conn: AsyncConnection, guild: Any) -> dict[str, Any]:
    q = select(guild_onboarding).where(guild_onboarding.c.guild_id == guild["id"])
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        return _empty(guild["id"], guild["created_at"])
    return {
        "guild_id": row["guild_id"],
        "enabled": row["enabled"],
        "welcome_message": row["welcome_message"],
        "rules": row["rules"],
        "default_channel_ids": row["default_channel_ids"],
        "prompts": row["prompts"],
        "updated_at": row["updated_at"],
    }


async def get_onboarding(ctx: Context, guild_id: str, user_id: str) -> dict[str, Any]:
    """GET /guilds/{g}/onboarding (members)."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        return await _load(conn, ga.guild)


async def status(ctx: Context, guild_id: str, user_id: str) -> dict[str, Any]:
    """GET /guilds/{g}/onboarding/status (members): whether the caller completed it."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        return {"guild_id": guild_id, "completed": bool(ga.member["onboarding_completed"])}


# ---- saving -----------------------------------------------------------------------------------


def _text(value: Any, name: str, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    value = value.strip()
    if required and not value:
        raise bad_request(f"{name} must not be empty")
    if len(value) > limit:
        raise bad_request(f"{name} must be at most {limit} characters")
    return value


def _ids(value: Any, name: str, limit: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{name} must be a list of ids")
    if len(value) > limit:
        raise bad_request(f"{name} holds at most {limit} ids")
    return list(dict.fromkeys(value))


def _keep_id(value: Any, known: set[str], name: str) -> str:
    """An id sent back from the current configuration, or a fresh one when none was sent."""
    if value is None:
        return new_id()
    if not isinstance(value, str) or value not in known:
        raise bad_request(f"{name} is not an id of this guild's onboarding; leave it out for a new one")
    return value


def _prompts(raw: Any, current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > MAX_PROMPTS:
        raise bad_request(f"prompts must be a list of at most {MAX_PROMPTS}")
    known_prompts = {p["id"] for p in current}
    known_options = {o["id"] for p in current for o in p["options"]}
    out = []
    for i, prompt in enumerate(raw):
        where = f"prompts[{i}]"
        if not isinstance(prompt, dict):
            raise bad_request(f"{where} must be an object")
        extra = set(prompt) - {"id", "title", "single_select", "required", "options"}
        if extra:
            raise bad_request(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        options_raw = prompt.get("options")
        if not isinstance(options_raw, list) or not 1 <= len(options_raw) <= MAX_OPTIONS:
            raise bad_request(f"{where}.options must hold 1-{MAX_OPTIONS} options")
        for flag in ("single_select", "required"):
            if not isinstance(prompt.get(flag, False), bool):
                raise bad_request(f"{where}.{flag} must be true or false")
        options = []
        for j, option in enumerate(options_raw):
            at = f"{where}.options[{j}]"
            if not isinstance(option, dict):
                raise bad_request(f"{at} must be an object")
            extra = set(option) - {"id", "label", "description", "emoji", "role_ids", "channel_ids"}
            if extra:
                raise bad_request(f"{at}: unknown field(s) {', '.join(sorted(extra))}")
            out_option: dict[str, Any] = {
                "id": _keep_id(option.get("id"), known_options, f"{at}.id"),
                "label": _text(option.get("label"), f"{at}.label", MAX_LABEL),
                "role_ids": _ids(option.get("role_ids", []), f"{at}.role_ids", MAX_IDS),
                "channel_ids": _ids(option.get("channel_ids", []), f"{at}.channel_ids", MAX_IDS),
            }
            for key, limit in (("description", MAX_DESCRIPTION), ("emoji", MAX_EMOJI)):
                if option.get(key) is not None:
                    out_option[key] = _text(option[key], f"{at}.{key}", limit)
            options.append(out_option)
        out.append(
            {
                "id": _keep_id(prompt.get("id"), known_prompts, f"{where}.id"),
                "title": _text(prompt.get("title"), f"{where}.title", MAX_TITLE),
                "single_select": prompt.get("single_select", False),
                "required": prompt.get("required", False),
                "position": i,
                "options": options,
            }
        )
    ids = [p["id"] for p in out] + [o["id"] for p in out for o in p["options"]]
    if len(set(ids)) != len(ids):
        raise bad_request("prompt and option ids must not repeat")
    return out


async def _check_refs(conn: AsyncConnection, ga: access.GuildAccess, config: dict[str, Any]) -> None:
    """Every role and channel must belong to the guild; granted roles must sit below the saver."""
    guild_id = ga.guild["id"]
    options = [o for p in config["prompts"] for o in p["options"]]
    role_ids = {r for o in options for r in o["role_ids"]}
    channel_ids = set(config["default_channel_ids"]) | {c for o in options for c in o["channel_ids"]}
    if role_ids:
        q = select(roles).where(roles.c.guild_id == guild_id, roles.c.id.in_(role_ids)).order_by(roles.c.id)
        found = list((await conn.execute(q)).mappings())
        if {r["id"] for r in found} != role_ids:
            raise bad_request("role_ids must name roles of this guild", code="unknown_role")
        for role in found:
            await grants.require_may_hand_out(conn, ga, role)
    if channel_ids:
        q = select(channels.c.id).where(channels.c.guild_id == guild_id, channels.c.id.in_(channel_ids))
        if set(await conn.scalars(q)) != channel_ids:
            raise bad_request("channel ids must name channels of this guild", code="unknown_channel")


async def put_onboarding(ctx: Context, guild_id: str, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """PUT /guilds/{g}/onboarding (ManageGuild): replace the configuration → GUILD_ONBOARDING_UPDATE."""
    enabled = body.get("enabled", False)
    if not isinstance(enabled, bool):
        raise bad_request("enabled must be true or false")
    welcome = _text(body.get("welcome_message", ""), "welcome_message", MAX_WELCOME, required=False)
    rules_raw = body.get("rules", [])
    if not isinstance(rules_raw, list) or len(rules_raw) > MAX_RULES:
        raise bad_request(f"rules must be a list of at most {MAX_RULES} strings")
    rules = [_text(r, f"rules[{i}]", MAX_RULE) for i, r in enumerate(rules_raw)]
    defaults = _ids(body.get("default_channel_ids", []), "default_channel_ids", MAX_DEFAULT_CHANNELS)
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageGuild)
        current = await _load(tx.conn, ga.guild)
        config = {
            "guild_id": guild_id,
            "enabled": enabled,
            "welcome_message": welcome,
            "rules": rules,
            "default_channel_ids": defaults,
            "prompts": _prompts(body.get("prompts", []), current["prompts"]),
            "updated_at": now_iso(),
        }
        await _check_refs(tx.conn, ga, config)
        await upsert(
            tx.conn,
            guild_onboarding,
            ("guild_id",),
            {**config, "updated_by": user_id},
            ("enabled", "welcome_message", "rules", "default_channel_ids", "prompts", "updated_at", "updated_by"),
        )
        tx.emit("GUILD_ONBOARDING_UPDATE", config)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.ONBOARDING_UPDATE,
            target_type="onboarding", target_id=guild_id, old=current, new=config,
        )  # fmt: skip
        return config


# ---- completing -------------------------------------------------------------------------------


def _check_choice(prompts: list[dict[str, Any]], chosen: set[str]) -> set[str]:
    """The roles the chosen options grant; 400 when the choice does not fit the prompts."""
    known = {o["id"] for p in prompts for o in p["options"]}
    if not chosen <= known:
        raise bad_request("option_ids must name options of this guild's onboarding", code="unknown_option")
    granted: set[str] = set()
    for prompt in prompts:
        picked = [o for o in prompt["options"] if o["id"] in chosen]
        if prompt["required"] and not picked:
            raise bad_request(f"the prompt {prompt['title']!r} needs an answer", code="prompt_required")
        if prompt["single_select"] and len(picked) > 1:
            raise bad_request(f"the prompt {prompt['title']!r} takes one option", code="single_select")
        granted.update(r for o in picked for r in o["role_ids"])
    return granted


async def _grantable(conn: AsyncConnection, guild_id: str, role_ids: set[str]) -> list[str]:
    """The roles among `role_ids` that the configuration's saver may still hand out; roles deleted
    since the save, and every role when the saver is gone or unknown, are skipped."""
    saver = await conn.scalar(select(guild_onboarding.c.updated_by).where(guild_onboarding.c.guild_id == guild_id))
    if not role_ids or saver is None:
        return []
    try:
        saver_access = await access.guild_access(conn, guild_id, saver)
    except ApiError:  # the saver left the guild: nobody vouches for these roles any more
        return []
    q = select(roles).where(roles.c.guild_id == guild_id, roles.c.id.in_(role_ids)).order_by(roles.c.id)
    out = []
    for role in (await conn.execute(q)).mappings():
        try:
            await grants.require_may_hand_out(conn, saver_access, role)
        except ApiError:
            log.warning(
                "onboarding in guild %s no longer grants role %s: its saver may not hand it out", guild_id, role["id"]
            )
            continue
        out.append(role["id"])
    return out


async def complete(ctx: Context, guild_id: str, user_id: str, option_ids: list[str]) -> dict[str, Any]:
    """POST /guilds/{g}/onboarding/complete → GUILD_MEMBER_UPDATE; answers the member."""
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        config = await _load(tx.conn, ga.guild)
        if not config["enabled"]:
            raise conflict("this guild has no onboarding enabled", code="onboarding_disabled")
        granted = _check_choice(config["prompts"], set(option_ids))
        held = {r.id for r in ga.role_bits}
        new_roles = await _grantable(tx.conn, guild_id, granted - held)
        if new_roles:
            await tx.conn.execute(
                member_roles.insert(),
                [{"guild_id": guild_id, "user_id": user_id, "role_id": rid} for rid in new_roles],
            )
        if not ga.member["onboarding_completed"]:
            await tx.conn.execute(
                update(guild_members)
                .where(guild_members.c.guild_id == guild_id, guild_members.c.user_id == user_id)
                .values(onboarding_completed=True)
            )
        member = await load_member(tx.conn, guild_id, user_id)
        if new_roles or not ga.member["onboarding_completed"]:
            tx.emit("GUILD_MEMBER_UPDATE", member)
        return member
