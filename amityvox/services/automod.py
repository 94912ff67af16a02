"""AutoMod: per-guild rules checked against every new guild message, and the log of what they did.

Rules (ManageGuild to read or change them) are one of:
- `word`: `{words}` — any listed word or phrase, matched whole and case-insensitively;
- `regex`: `{pattern}` — a regular expression (RE2 syntax, below) searched in the content;
- `spam`: `{max_messages, per_seconds}` — more than `max_messages` messages by one author
  within `per_seconds` in the guild (counted in memory: with several API processes each
  counts the share of messages it checks);
- `links`: `{allow_domains?, deny_domains?}` — a link to a denied domain, or, when an allow
  list is set, to any domain outside it; with neither list every link matches.
  A domain also covers its subdomains.

Evaluation subscribes to `amityvox.message.create` (one API process per message, through
the "automod" queue group), so every path that posts a message (REST, threads, system
messages, webhooks) is covered, and reads the guild from the MESSAGE_CREATE payload;
DM messages carry none and are skipped. The check runs right
after the message is stored, so its viewers may briefly see a message automod then
deletes. Never checked: the system author, the guild owner, moderators (docs/rest.md#permissions), and
members holding an exempt role or posting in an exempt channel (a thread counts as its
parent channel too).

Each action of a matching rule (`log`, `warn`, `delete`, `timeout`) is recorded
(GET /guilds/{g}/automod/actions) and published as AUTOMOD_ACTION to the moderators and
the author. `delete` removes the message (MESSAGE_DELETE); `timeout` times the author out
for the rule's `timeout_seconds` (GUILD_MEMBER_UPDATE).

Patterns run on RE2 (the `google-re2` package) rather than Python's `re`: RE2 never
backtracks, so its matching time is linear in the text whatever the pattern, and a guild
cannot write one (`(a|aa)*c`, `(a+)+$`, `(.*a){20}`) that runs for seconds. Screening
patterns for dangerous shapes missed many of them, and a timed-out worker process shared by
every guild let one guild's patterns delay another's checks; with RE2 neither is needed.
Searches run in the default thread pool (RE2 releases the interpreter lock while it
matches), so the event loop never runs one and guilds do not queue behind a single worker.
A search still costs about the size of the compiled pattern times the length of the text,
so a pattern is at most 256 characters and compiles within a memory budget (`max_mem`),
which also bounds its program size; a pattern past either limit, or using what RE2 lacks
(backreferences, lookaround, possessive quantifiers), is refused with 400 `invalid_pattern`
when the rule is saved. RE2 syntax differs from `re` in places: `\\w`, `\\d` and `\\b` are
ASCII-only (`\\pL` and `\\pN` cover every script) and `\\Z` is written `\\z`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal

import re2
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.bus.base import Envelope
from amityvox.context import Context
from amityvox.db.schema import (
    automod_actions,
    automod_rules,
    channels,
    guild_members,
    guilds,
    roles,
)
from amityvox.errors import ApiError, bad_request, forbidden, not_found
from amityvox.ids import SYSTEM_USER_ID, is_ulid, iso, new_id, now_iso, parse_iso, utcnow
from amityvox.services import access, audit_log, messages
from amityvox.services.reacts import reacts_to
from amityvox.services.serialize import Row, load_member
from amityvox.uow import UnitOfWork

log = logging.getLogger("amityvox.automod")

ACTIONS = ("log", "warn", "delete", "timeout")  # also the order in which a match records them
MAX_RULES = 50
MAX_NAME = 100
MAX_WORDS = 100
MAX_WORD = 64
MAX_DOMAINS = 100
MAX_PATTERN = 256
PATTERN_MAX_MEM = 128 * 1024  # bytes RE2 may use for one pattern: caps its program (~2400 steps) too
MAX_SCANNED = 4000  # characters of content searched for links
MAX_SPAM_MESSAGES = 1000
MAX_SPAM_SECONDS = 3600
MAX_TIMEOUT_SECONDS = 28 * 24 * 3600
MAX_EXEMPT = 100
PAGE_DEFAULT = 50
PAGE_MAX = 100

_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
_URL_HOST = re.compile(r"(?i)\b(?:https?://|www\.)([^\s/?#<>\"']+)")


# ---- patterns -------------------------------------------------------------------------------


def _pattern_options() -> re2.Options:
    options = re2.Options()
    options.max_mem = PATTERN_MAX_MEM
    options.never_capture = True  # a yes/no answer needs no groups, which lets RE2 use its DFA
    options.log_errors = False  # a refused pattern is the caller's 400, not a server log line
    return options


_PATTERN_OPTIONS = _pattern_options()


def compile_pattern(pattern: str) -> Any:
    """The RE2 form of a pattern (cached by the re2 module); re2.error when RE2 refuses it."""
    return re2.compile(pattern, _PATTERN_OPTIONS)


def pattern_matches(pattern: str, text: str) -> bool:
    """Whether `pattern` occurs in `text`, in time linear in `text`; False for a pattern RE2 refuses."""
    try:
        return compile_pattern(pattern).search(text) is not None
    except re2.error:  # saved before patterns ran on RE2: it can never match
        return False


# ---- rule validation --------------------------------------------------------------------------


class _Config(BaseModel):
    """A rule kind's config: its fields say what they must be (`description`), which is what a
    400 names; anything else the kind does not know is refused."""

    model_config = ConfigDict(extra="forbid")


def _problem(message: str, code: str = "validation_error") -> PydanticCustomError:
    """A validator's 400, as pydantic carries it: the error's type is the API error code."""
    return PydanticCustomError(code, "{message}", {"message": message})


def _words(words: list[str], info: ValidationInfo) -> list[str]:
    folded = [w.strip().casefold() for w in words]
    if not folded or any(not w or len(w) > MAX_WORD for w in folded):
        raise _problem(f"config.{info.field_name} needs 1-{MAX_WORDS} words of 1-{MAX_WORD} characters")
    return list(dict.fromkeys(folded))


def _pattern_problem(pattern: Any) -> str | None:
    """Why RE2 refuses `pattern` (or why it is no pattern), None when it is fine."""
    if not isinstance(pattern, str) or not 1 <= len(pattern) <= MAX_PATTERN:
        return f"config.pattern must be 1-{MAX_PATTERN} characters"
    try:
        compile_pattern(pattern)
    except re2.error as exc:
        detail = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return (
            f"config.pattern is not supported ({detail}): patterns use RE2 syntax, without backreferences or "
            "lookaround, and must stay small enough to compile"
        )
    return None


def _pattern(pattern: Any) -> str:
    problem = _pattern_problem(pattern)
    if problem is not None:
        raise _problem(problem, "invalid_pattern")
    return str(pattern)


def check_pattern(pattern: Any) -> str:
    """The pattern, or 400 `invalid_pattern` when RE2 refuses it or it is not 1-MAX_PATTERN characters."""
    problem = _pattern_problem(pattern)
    if problem is not None:
        raise bad_request(problem, code="invalid_pattern")
    return str(pattern)


def _domains(domains: list[str], info: ValidationInfo) -> list[str]:
    out = []
    for raw in domains:
        domain = raw.strip().lower().rstrip(".")
        if not _DOMAIN.match(domain):
            raise _problem(f"config.{info.field_name}: {raw!r} is not a domain name")
        out.append(domain)
    return list(dict.fromkeys(out))


_Domains = Annotated[
    list[StrictStr], Field(max_length=MAX_DOMAINS, description="a list of strings"), AfterValidator(_domains)
]


class WordConfig(_Config):
    """`word`: any listed word or phrase, matched whole and case-insensitively (stored casefolded)."""

    words: Annotated[
        list[StrictStr], Field(max_length=MAX_WORDS, description="a list of strings"), AfterValidator(_words)
    ]


class RegexConfig(_Config):
    """`regex`: a pattern RE2 accepts, searched in the content."""

    pattern: Annotated[Any, AfterValidator(_pattern)] = Field(default=None, validate_default=True)


class SpamConfig(_Config):
    """`spam`: more than `max_messages` messages by one author within `per_seconds`."""

    max_messages: StrictInt = Field(ge=1, le=MAX_SPAM_MESSAGES, description=f"an integer from 1 to {MAX_SPAM_MESSAGES}")
    per_seconds: StrictInt = Field(ge=1, le=MAX_SPAM_SECONDS, description=f"an integer from 1 to {MAX_SPAM_SECONDS}")


class LinksConfig(_Config):
    """`links`: links to denied domains, or outside the allowed ones when those are listed."""

    allow_domains: _Domains = []
    deny_domains: _Domains = []


class WordRule(BaseModel):
    rule_type: Literal["word"]
    config: WordConfig


class RegexRule(BaseModel):
    rule_type: Literal["regex"]
    config: RegexConfig


class SpamRule(BaseModel):
    rule_type: Literal["spam"]
    config: SpamConfig


class LinksRule(BaseModel):
    rule_type: Literal["links"]
    config: LinksConfig


_CONFIGS: dict[str, type[_Config]] = {
    "word": WordConfig,
    "regex": RegexConfig,
    "spam": SpamConfig,
    "links": LinksConfig,
}
RULE_TYPES = tuple(_CONFIGS)
# A rule's kind picks its config's model (`rule_type` and `config` are siblings in the API).
RuleKind = Annotated[WordRule | RegexRule | SpamRule | LinksRule, Field(discriminator="rule_type")]


class _RuleKind(RootModel[RuleKind]):
    pass


def _refusal(exc: ValidationError) -> ApiError:
    """The 400 for a rule kind's config, naming what is wrong as the hand-written checks did:
    unknown fields first, then the first field in declaration order."""
    errors = exc.errors()
    if errors[0]["type"] == "union_tag_invalid":
        return bad_request(f"rule_type must be one of {', '.join(RULE_TYPES)}")
    kind = str(errors[0]["loc"][0])
    unknown = sorted(str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        return bad_request(f"unknown config field(s) for a {kind} rule: {', '.join(unknown)}")
    first = errors[0]  # at (kind, "config", field, ...): check_config saw an object
    key = str(first["loc"][2])
    at_key = [e for e in errors if len(e["loc"]) > 2 and e["loc"][2] == key]
    mine = next((e for e in at_key if "message" in (e.get("ctx") or {})), None)
    if mine is not None:
        return bad_request(mine["msg"], code=mine["type"])
    if all(e["type"] == "too_long" and all(isinstance(v, str) for v in e["input"]) for e in at_key):
        return bad_request(f"config.{key} holds at most {first['ctx']['max_length']} entries")
    field = _CONFIGS[kind].model_fields[key]
    return bad_request(f"config.{key} must be {field.description}")


def check_config(rule_type: str, config: Any) -> dict[str, Any]:
    """The stored form of a rule's config; 400 on anything unknown or out of range."""
    if not isinstance(config, dict):
        raise bad_request("config must be an object")
    try:
        rule = _RuleKind.model_validate({"rule_type": rule_type, "config": config})
    except ValidationError as exc:
        raise _refusal(exc) from None
    return rule.root.config.model_dump()


def _check_actions(actions: Any) -> list[str]:
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
        raise bad_request(f"actions must be a non-empty list drawn from {', '.join(ACTIONS)}")
    unknown = set(actions) - set(ACTIONS)
    if unknown:
        raise bad_request(f"unknown action(s): {', '.join(sorted(unknown))}; use {', '.join(ACTIONS)}")
    return [a for a in ACTIONS if a in actions]


async def _check_exempt(conn: AsyncConnection, guild_id: str, role_ids: Any, channel_ids: Any) -> None:
    for name, ids, table in (("exempt_role_ids", role_ids, roles), ("exempt_channel_ids", channel_ids, channels)):
        if not isinstance(ids, list) or len(ids) > MAX_EXEMPT or not all(isinstance(i, str) for i in ids):
            raise bad_request(f"{name} must be a list of at most {MAX_EXEMPT} ids")
        wanted = set(ids)
        if not wanted:
            continue
        found = set(await conn.scalars(select(table.c.id).where(table.c.id.in_(wanted), table.c.guild_id == guild_id)))
        if found != wanted:
            raise bad_request(f"{name} must name {'roles' if table is roles else 'channels'} of this guild")


def _rule_out(row: Row) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "name": row["name"],
        "rule_type": row["rule_type"],
        "config": row["config"],
        "actions": row["actions"],
        "exempt_role_ids": row["exempt_role_ids"],
        "exempt_channel_ids": row["exempt_channel_ids"],
        "enabled": row["enabled"],
        "created_at": row["created_at"],
    }
    for key in ("timeout_seconds", "creator_id"):
        if row[key] is not None:
            out[key] = row[key]
    return out


async def _validated(conn: AsyncConnection, guild_id: str, rule: dict[str, Any]) -> dict[str, Any]:
    """Check a whole rule (as it would be stored) and return the values to store."""
    name = rule.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_NAME:
        raise bad_request(f"name must be 1-{MAX_NAME} characters")
    rule_type = rule.get("rule_type")
    if rule_type not in RULE_TYPES:
        raise bad_request(f"rule_type must be one of {', '.join(RULE_TYPES)}")
    actions = _check_actions(rule.get("actions"))
    timeout = rule.get("timeout_seconds")
    if "timeout" in actions:
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= MAX_TIMEOUT_SECONDS:
            raise bad_request(f"the timeout action needs timeout_seconds from 1 to {MAX_TIMEOUT_SECONDS}")
    else:
        timeout = None
    enabled = rule.get("enabled", True)
    if not isinstance(enabled, bool):
        raise bad_request("enabled must be true or false")
    await _check_exempt(conn, guild_id, rule.get("exempt_role_ids", []), rule.get("exempt_channel_ids", []))
    return {
        "name": name.strip(),
        "rule_type": rule_type,
        "config": check_config(rule_type, rule.get("config")),
        "actions": actions,
        "timeout_seconds": timeout,
        "exempt_role_ids": list(dict.fromkeys(rule.get("exempt_role_ids", []))),
        "exempt_channel_ids": list(dict.fromkeys(rule.get("exempt_channel_ids", []))),
        "enabled": enabled,
    }


# ---- REST: rules and the action log -----------------------------------------------------------


async def _manager(conn: AsyncConnection, guild_id: str, user_id: str) -> access.GuildAccess:
    ga = await access.guild_access(conn, guild_id, user_id)
    ga.require(P.Perm.ManageGuild)
    return ga


async def _load_rule(conn: AsyncConnection, guild_id: str, rule_id: str) -> Row:
    q = select(automod_rules).where(automod_rules.c.id == rule_id, automod_rules.c.guild_id == guild_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("automod rule")
    return row


async def list_rules(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /guilds/{g}/automod/rules (ManageGuild)."""
    async with ctx.db.read() as conn:
        await _manager(conn, guild_id, user_id)
        q = select(automod_rules).where(automod_rules.c.guild_id == guild_id).order_by(automod_rules.c.id)
        return [_rule_out(r) for r in (await conn.execute(q)).mappings()]


async def create_rule(ctx: Context, guild_id: str, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /guilds/{g}/automod/rules (ManageGuild), at most MAX_RULES per guild."""
    async with ctx.uow() as tx:
        await _manager(tx.conn, guild_id, user_id)
        values = await _validated(tx.conn, guild_id, body)
        existing = await tx.conn.scalar(
            select(automod_rules.c.id).where(automod_rules.c.guild_id == guild_id).offset(MAX_RULES - 1).limit(1)
        )
        if existing is not None:
            raise bad_request(f"a guild has at most {MAX_RULES} automod rules", code="too_many_rules")
        rule_id = new_id()
        await tx.conn.execute(
            automod_rules.insert().values(
                id=rule_id, guild_id=guild_id, creator_id=user_id, created_at=now_iso(), **values
            )
        )
        rule = _rule_out(await _load_rule(tx.conn, guild_id, rule_id))
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.AUTO_MODERATION_RULE_CREATE,
            target_type="automod_rule", target_id=rule_id, new=rule,
        )  # fmt: skip
        return rule


async def update_rule(
    ctx: Context, guild_id: str, user_id: str, rule_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """PATCH /guilds/{g}/automod/rules/{id} (ManageGuild): the merged rule is checked as a whole."""
    async with ctx.uow() as tx:
        await _manager(tx.conn, guild_id, user_id)
        row = await _load_rule(tx.conn, guild_id, rule_id)
        merged = {key: row[key] for key in row.keys()} | changes
        if "rule_type" in changes and changes["rule_type"] != row["rule_type"] and "config" not in changes:
            raise bad_request("changing rule_type needs a config for the new type")
        values = await _validated(tx.conn, guild_id, merged)
        await tx.conn.execute(update(automod_rules).where(automod_rules.c.id == rule_id).values(**values))
        rule = _rule_out(await _load_rule(tx.conn, guild_id, rule_id))
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.AUTO_MODERATION_RULE_UPDATE,
            target_type="automod_rule", target_id=rule_id, old=_rule_out(row), new=rule,
        )  # fmt: skip
        return rule


async def delete_rule(ctx: Context, guild_id: str, user_id: str, rule_id: str) -> None:
    """DELETE /guilds/{g}/automod/rules/{id} (ManageGuild); its past actions stay in the log."""
    async with ctx.uow() as tx:
        await _manager(tx.conn, guild_id, user_id)
        row = await _load_rule(tx.conn, guild_id, rule_id)
        await tx.conn.execute(delete(automod_rules).where(automod_rules.c.id == rule_id))
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.AUTO_MODERATION_RULE_DELETE,
            target_type="automod_rule", target_id=rule_id, old=_rule_out(row),
        )  # fmt: skip


def _action_out(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "channel_id": row["channel_id"],
        "message_id": row["message_id"],
        "user_id": row["user_id"],
        "rule_id": row["rule_id"],
        "rule_name": row["rule_name"],
        "action": row["action"],
        "reason": row["reason"],
        "created_at": row["created_at"],
    }


async def list_actions(
    ctx: Context, guild_id: str, user_id: str, *, before: str | None = None, limit: int = PAGE_DEFAULT
) -> list[dict[str, Any]]:
    """GET /guilds/{g}/automod/actions (moderators): newest first; pass the last id as `before`."""
    if not 1 <= limit <= PAGE_MAX:
        raise bad_request(f"limit must be between 1 and {PAGE_MAX}")
    if before is not None and not is_ulid(before):
        raise bad_request("before must be an action id")
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        if not ga.is_moderator:
            raise forbidden("only moderators may read the automod log")
        q = select(automod_actions).where(automod_actions.c.guild_id == guild_id)
        if before is not None:
            q = q.where(automod_actions.c.id < before.upper())
        rows = (await conn.execute(q.order_by(automod_actions.c.id.desc()).limit(limit))).mappings()
        return [_action_out(r) for r in rows]


# ---- evaluation -------------------------------------------------------------------------------


def _contains_word(text: str, word: str) -> bool:
    """`word` occurs in `text` (both casefolded) with no word character glued to either end."""
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        before_ok = start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")
        after_ok = end == len(text) or not (text[end].isalnum() or text[end] == "_")
        if before_ok and after_ok:
            return True
        start = text.find(word, start + 1)
    return False


def _covered(host: str, domains: Sequence[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def link_hosts(text: str) -> list[str]:
    hosts = []
    for raw in _URL_HOST.findall(text[:MAX_SCANNED]):
        host = raw.rsplit("@", 1)[-1].split(":", 1)[0].strip(".").lower()
        if host:
            hosts.append(host)
    return hosts


def _links_reason(config: dict[str, Any], text: str) -> str | None:
    allow, deny = config.get("allow_domains", []), config.get("deny_domains", [])
    for host in link_hosts(text):
        if deny and _covered(host, deny):
            return f"link to a blocked domain ({host})"
        if allow and not _covered(host, allow):
            return f"link to a domain that is not allowed ({host})"
        if not allow and not deny:
            return "links are not allowed here"
    return None


class Evaluator:
    """Checks messages against their guild's rules."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _reason(self, rule: Row, message: dict[str, Any]) -> str | None:
        config = rule["config"]
        content: str = message.get("content") or ""
        kind = rule["rule_type"]
        if kind == "word":
            text = content.casefold()
            return "message contains a blocked word" if any(_contains_word(text, w) for w in config["words"]) else None
        if kind == "regex":
            if not content:
                return None
            hit = await asyncio.to_thread(pattern_matches, config["pattern"], content)
            return "message matches a blocked pattern" if hit else None
        if kind == "spam":
            n, t = config["max_messages"], config["per_seconds"]
            window = self.ctx.limiter(f"automod-spam:{rule['id']}:{n}:{t}", n, t)
            if window.hit(message["author_id"]) > 0:
                return f"more than {n} messages within {t} seconds"
            return None
        if kind == "links":
            return _links_reason(config, content)
        return None

    async def _author_roles(self, conn: AsyncConnection, guild_id: str, author_id: str) -> set[str] | None:
        """The author's role ids, or None when automod never applies to them (owner, moderator, non-member)."""
        guild = (await conn.execute(select(guilds).where(guilds.c.id == guild_id))).mappings().first()
        if guild is None or guild["owner_id"] == author_id:
            return None
        member = await conn.scalar(
            select(guild_members.c.user_id).where(
                guild_members.c.guild_id == guild_id, guild_members.c.user_id == author_id
            )
        )
        bits = await access.member_role_bits(conn, guild_id, author_id)
        perms = P.guild_permissions(
            user_id=author_id, owner_id=guild["owner_id"], base=guild["default_permissions"], member_roles=bits
        )
        if member is not None and P.is_moderator(perms):
            return None
        return {b.id for b in bits}

    async def _rules(self, guild_id: str) -> list[dict[str, Any]]:
        """The guild's enabled rules, remembered between its messages (guild_memo.py): every change
        to a rule is audited, and the audit entry makes every process forget them."""

        async def load() -> list[dict[str, Any]]:
            async with self.ctx.db.read() as conn:
                return [dict(r) for r in (await conn.execute(_ENABLED_RULES, {"g": guild_id})).mappings()]

        return await self.ctx.memo.get("automod", guild_id, load)

    async def check(self, message: dict[str, Any]) -> int:
        """Run the guild's enabled rules on one MESSAGE_CREATE payload; returns the actions taken."""
        guild_id = message.get("guild_id")
        author_id = message.get("author_id")
        if not guild_id or not author_id or author_id == SYSTEM_USER_ID:
            return 0
        rules = await self._rules(guild_id)
        if not rules:
            return 0
        async with self.ctx.db.read() as conn:
            role_ids = await self._author_roles(conn, guild_id, author_id)
            if role_ids is None:
                return 0
            channel_id = message["channel_id"]
            parent = await conn.scalar(select(channels.c.parent_channel_id).where(channels.c.id == channel_id))
            places = {channel_id, parent} - {None}
        matches: list[tuple[Row, str]] = []
        for rule in rules:
            if role_ids & set(rule["exempt_role_ids"]) or places & set(rule["exempt_channel_ids"]):
                continue
            reason = await self._reason(rule, message)
            if reason is not None:
                matches.append((rule, reason))
        if not matches:
            return 0
        async with self.ctx.uow() as tx:
            return await _apply(tx, guild_id, message, matches)


# Built once: every message in every guild looks its rules up.
_ENABLED_RULES = (
    select(automod_rules)
    .where(automod_rules.c.guild_id == bindparam("g"), automod_rules.c.enabled.is_(True))
    .order_by(automod_rules.c.id)
)


async def _apply(tx: UnitOfWork, guild_id: str, message: dict[str, Any], matches: list[tuple[Row, str]]) -> int:
    """Record and publish every action, then delete the message and time the author out (once each)."""
    # The same MESSAGE_CREATE handled again (replayed after a restart) finds its actions done.
    done = select(automod_actions.c.id).where(automod_actions.c.message_id == message["id"]).limit(1)
    if await tx.conn.scalar(done) is not None:
        return 0
    author_id = message["author_id"]
    taken = 0
    delete_it = False
    timeout_seconds = 0
    now = now_iso()
    for rule, reason in matches:
        for action in rule["actions"]:
            event = {
                "guild_id": guild_id,
                "channel_id": message["channel_id"],
                "message_id": message["id"],
                "user_id": author_id,
                "rule_id": rule["id"],
                "rule_name": rule["name"],
                "action": action,
                "reason": reason,
            }
            await tx.conn.execute(automod_actions.insert().values(id=new_id(), created_at=now, **event))
            tx.emit("AUTOMOD_ACTION", event)
            taken += 1
            delete_it = delete_it or action == "delete"
            if action == "timeout":
                timeout_seconds = max(timeout_seconds, int(rule["timeout_seconds"] or 0))
    if delete_it:
        await messages.purge_message(tx, message["id"])
    if timeout_seconds:
        await _time_out(tx, guild_id, author_id, timeout_seconds)
    return taken


async def _time_out(tx: UnitOfWork, guild_id: str, user_id: str, seconds: int) -> None:
    """Extend the member's timeout to now + `seconds` (never shorten one) → GUILD_MEMBER_UPDATE."""
    q = select(guild_members.c.timeout_until).where(
        guild_members.c.guild_id == guild_id, guild_members.c.user_id == user_id
    )
    row = (await tx.conn.execute(q)).first()
    if row is None:  # not a member (e.g. a webhook author): nobody to time out
        return
    until = iso(utcnow() + timedelta(seconds=seconds))
    if row.timeout_until is not None and parse_iso(row.timeout_until) >= parse_iso(until):
        return
    await tx.conn.execute(
        update(guild_members)
        .where(guild_members.c.guild_id == guild_id, guild_members.c.user_id == user_id)
        .values(timeout_until=until)
    )
    tx.emit("GUILD_MEMBER_UPDATE", await load_member(tx.conn, guild_id, user_id))


@reacts_to("MESSAGE_CREATE", queue="automod")
async def _check_message(ctx: Context, env: Envelope) -> None:
    await Evaluator(ctx).check(env.data)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    """Check every new message (no background task of its own)."""
    await _check_message.subscribe(ctx)
    return []
