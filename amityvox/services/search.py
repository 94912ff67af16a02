"""Message search: full text and Discord-style filters, over the channels the searcher can read now.

The index lives in the database and is kept current by it, in the writer's transaction
(migration 0014_message_search): FTS5 on SQLite, a GIN index on `to_tsvector(content)` on
PostgreSQL. Which channels a search may look into is worked out for every query from the
searcher's roles and the channels' overwrites, so a permission change counts at once.

Query syntax, the same on both backends: words (all must match, stemmed) and "quoted
phrases". Snippets come back as segments `[{text, match}]`, so clients render the
highlights without parsing markup.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, column, false, func, literal_column, or_, select, table, text, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import TextClause

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channel_recipients, channels, message_mentions, messages, permission_overwrites, polls
from amityvox.errors import bad_request
from amityvox.ids import _encode, is_ulid
from amityvox.services import access
from amityvox.services.messages import NO_MESSAGES, render

LIMIT_DEFAULT = 25
LIMIT_MAX = 50
OFFSET_MAX = 5000
MAX_TERMS = 16
MAX_FILTER_IDS = 25
SNIPPET_WORDS = 24
HAS = ("link", "file", "image", "embed", "poll")

# Highlight markers the database puts around matches; turned into segments below.
_OPEN, _CLOSE = "\x02", "\x03"
_TERM = re.compile(r'"([^"]*)"|(\S+)')
_READ = int(P.Perm.ViewChannel | P.Perm.ReadHistory)

_fts = table("message_search", column("rowid"), column("content"), column("scope"), column("message_id"))


@dataclass(frozen=True)
class Filters:
    """What a search asks for; empty lists mean "any"."""

    q: str = ""
    author_ids: Sequence[str] = ()
    channel_ids: Sequence[str] = ()
    mentions: Sequence[str] = ()
    has: Sequence[str] = ()
    before: str | None = None
    after: str | None = None
    pinned: bool | None = None
    limit: int = LIMIT_DEFAULT
    offset: int = 0
    terms: list[str] = field(default_factory=list)


# ---- parsing ----------------------------------------------------------------------------------


def parse_terms(q: str) -> list[str]:
    """Words and quoted phrases of `q`; pieces without a letter or digit match nothing and are dropped."""
    terms = []
    for phrase, word in _TERM.findall(q):
        piece = " ".join((phrase or word).split())
        if re.search(r"\w", piece):
            terms.append(piece)
    if len(terms) > MAX_TERMS:
        raise bad_request(f"a search may hold at most {MAX_TERMS} words or phrases")
    return terms


def _ids(values: Sequence[str], name: str) -> list[str]:
    if len(values) > MAX_FILTER_IDS:
        raise bad_request(f"at most {MAX_FILTER_IDS} values for {name}")
    if not all(is_ulid(v) for v in values):
        raise bad_request(f"{name} must be ids")
    return list(dict.fromkeys(v.upper() for v in values))


def id_bound(value: str | None, name: str) -> str | None:
    """A message id, or a date (`2026-05-01`) or timestamp with a zone as the first id of that instant."""
    if value is None:
        return None
    if is_ulid(value):
        return value.upper()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError(value)
    except ValueError:
        raise bad_request(f"{name} must be a message id, a date (YYYY-MM-DD) or a timestamp with a time zone") from None
    ms = int(moment.timestamp() * 1000)
    if not 0 <= ms < 1 << 48:
        raise bad_request(f"{name} is out of range")
    return _encode(ms, 10) + "0" * 16


def check(
    *,
    q: str | None,
    author_ids: Sequence[str] = (),
    channel_ids: Sequence[str] = (),
    mentions: Sequence[str] = (),
    has: Sequence[str] = (),
    before: str | None = None,
    after: str | None = None,
    pinned: bool | None = None,
    limit: int = LIMIT_DEFAULT,
    offset: int = 0,
) -> Filters:
    """Validated filters, 400 for anything malformed."""
    if not 1 <= limit <= LIMIT_MAX:
        raise bad_request(f"limit must be between 1 and {LIMIT_MAX}")
    if not 0 <= offset <= OFFSET_MAX:
        raise bad_request(f"offset must be between 0 and {OFFSET_MAX}")
    unknown = [h for h in has if h not in HAS]
    if unknown:
        raise bad_request(f"has must be one of {', '.join(HAS)}; got {unknown[0]!r}")
    q = q or ""
    if len(q) > 512:
        raise bad_request("q must be at most 512 characters")
    return Filters(
        q=q,
        author_ids=_ids(author_ids, "author_id"),
        channel_ids=_ids(channel_ids, "channel_id"),
        mentions=_ids(mentions, "mentions"),
        has=list(dict.fromkeys(has)),
        before=id_bound(before, "before"),
        after=id_bound(after, "after"),
        pinned=pinned,
        limit=limit,
        offset=offset,
        terms=parse_terms(q),
    )


# ---- where a searcher may look ---------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where one search may look: `readable` channels; for a guild also its id and the `hidden` rest."""

    readable: list[str]
    hidden: list[str] = field(default_factory=list)
    guild_id: str | None = None


async def guild_scope(conn: AsyncConnection, guild_id: str, user_id: str) -> Scope:
    """The guild's channels the member may read the history of, now (404 for non-members)."""
    ga = await access.guild_access(conn, guild_id, user_id)
    rows = list(
        await conn.execute(
            select(channels.c.id, channels.c.parent_channel_id, channels.c.channel_type).where(
                channels.c.guild_id == guild_id
            )
        )
    )
    by_channel: dict[str, list[Any]] = defaultdict(list)
    q = (
        select(permission_overwrites)
        .join(channels, channels.c.id == permission_overwrites.c.channel_id)
        .where(channels.c.guild_id == guild_id)
    )
    for ow in (await conn.execute(q)).mappings():
        by_channel[ow["channel_id"]].append(ow)
    readable: list[str] = []
    hidden: list[str] = []
    for r in rows:
        perms = access.resolve(ga, by_channel[r.parent_channel_id or r.id])
        (readable if r.channel_type not in NO_MESSAGES and P.has(perms, _READ) else hidden).append(r.id)
    return Scope(readable, hidden, guild_id)


async def dm_scope(conn: AsyncConnection, user_id: str) -> Scope:
    """The DM and group channels the user is a recipient of."""
    q = (
        select(channels.c.id)
        .join(channel_recipients, channel_recipients.c.channel_id == channels.c.id)
        .where(channel_recipients.c.user_id == user_id, channels.c.guild_id.is_(None))
    )
    return Scope(list(await conn.scalars(q)))


# ---- the query --------------------------------------------------------------------------------


def _language(ctx: Context) -> str:
    # Validated by config as a plain identifier: it is written into SQL so that the query's
    # expression is the indexed one.
    return ctx.settings.search_language


def _has_clause(kind: str, dialect: str, channel_ids: list[str]) -> ColumnElement[bool] | TextClause:
    m = messages.c
    if kind == "link":
        return or_(m.content.like("%http://%"), m.content.like("%https://%"))
    if kind == "embed":
        return func.json_array_length(m.embeds) > 0
    if kind == "file":
        return func.json_array_length(m.attachments) > 0
    if kind == "image":
        if dialect == "sqlite":
            return text(
                "EXISTS (SELECT 1 FROM json_each(messages.attachments) AS a"
                " WHERE json_extract(a.value, '$.content_type') LIKE 'image/%')"
            )
        return text(
            "EXISTS (SELECT 1 FROM json_array_elements(messages.attachments) AS a"
            " WHERE a ->> 'content_type' LIKE 'image/%')"
        )
    return m.id.in_(_poll_messages(channel_ids))


def _poll_messages(channel_ids: list[str]) -> Select[Any]:
    """Polls are few: look them up by channel rather than per message."""
    return select(polls.c.message_id).where(polls.c.channel_id.in_(channel_ids), polls.c.message_id.is_not(None))


def _message_filters(f: Filters, dialect: str, channel_ids: list[str]) -> list[ColumnElement[bool] | TextClause]:
    """Conditions on `messages` beyond channel, author and id range."""
    out: list[ColumnElement[bool] | TextClause] = []
    if f.pinned is not None:
        out.append(messages.c.pinned.is_(true()) if f.pinned else messages.c.pinned.is_(false()))
    for target in f.mentions:
        sub = select(message_mentions.c.message_id).where(
            message_mentions.c.target_id == target, message_mentions.c.channel_id.in_(channel_ids)
        )
        out.append(messages.c.id.in_(sub))
    out.extend(_has_clause(kind, dialect, channel_ids) for kind in f.has)
    return out


def _common(id_col: Any, channel_col: Any, author_col: Any, f: Filters, channel_ids: list[str]) -> list[Any]:
    out = [channel_col.in_(channel_ids)]
    if f.author_ids:
        out.append(author_col.in_(list(f.author_ids)))
    if f.before is not None:
        out.append(id_col < f.before)
    if f.after is not None:
        out.append(id_col > f.after)
    return out


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _any(tokens: Sequence[str]) -> str:
    return "scope : (" + " OR ".join(_quoted(t) for t in tokens) + ")"


def _sqlite_match(f: Filters, channel_ids: list[str], hidden: list[str], guild_id: str | None) -> str:
    """An FTS5 query: the words in `content`, every filter as scope tokens (see migration 0014)."""
    must = [f"content : {_quoted(t)}" for t in f.terms]
    if f.channel_ids or guild_id is None:
        must.append(_any([f"c{c}0" for c in channel_ids]))
    else:
        must.append(_any([f"g{guild_id}0"]))
    if f.author_ids:
        must.append(_any([f"a{a}0" for a in f.author_ids]))
    must.extend(_any([f"m{m}0"]) for m in f.mentions)
    must.extend(_any([f"h{kind}0"]) for kind in f.has if kind != "poll")
    if f.pinned:
        must.append(_any(["pinned0"]))
    never = [] if f.channel_ids or guild_id is None else [f"c{c}0" for c in hidden]
    if f.pinned is False:
        never.append("pinned0")
    query = "(" + " AND ".join(must) + ")"
    return f"{query} NOT {_any(never)}" if never else query


def _sqlite_query(
    f: Filters, channel_ids: list[str], hidden: list[str], guild_id: str | None
) -> tuple[Select[Any], Select[Any]]:
    match = literal_column("message_search").op("MATCH")(_sqlite_match(f, channel_ids, hidden, guild_id))
    where: list[Any] = [match]
    if f.before is not None:
        where.append(_fts.c.message_id < f.before)
    if f.after is not None:
        where.append(_fts.c.message_id > f.after)
    if "poll" in f.has:
        where.append(_fts.c.message_id.in_(_poll_messages(channel_ids)))
    snippet: ColumnElement[Any] = literal_column("NULL")
    if f.terms:
        snippet = func.snippet(literal_column("message_search"), 0, _OPEN, _CLOSE, "…", SNIPPET_WORDS)
    # Document numbers follow message order, and FTS5 walks them backwards without sorting.
    page = select(_fts.c.message_id.label("id"), snippet.label("snippet")).where(*where).order_by(_fts.c.rowid.desc())
    return page, select(func.count()).select_from(_fts).where(*where)


def _tsquery(f: Filters, config: ColumnElement[Any]) -> ColumnElement[Any]:
    query: ColumnElement[Any] = func.phraseto_tsquery(config, f.terms[0])
    for term in f.terms[1:]:
        query = query.op("&&")(func.phraseto_tsquery(config, term))
    return query


def _postgres_where(f: Filters, channel_ids: list[str], config: ColumnElement[Any]) -> list[Any]:
    where: list[Any] = [
        *_common(messages.c.id, messages.c.channel_id, messages.c.author_id, f, channel_ids),
        *_message_filters(f, "postgresql", channel_ids),
    ]
    if f.terms:
        # The very expression of the index (migration 0014), language included.
        where.append(func.to_tsvector(config, messages.c.content).op("@@")(_tsquery(f, config)))
    return where


async def _postgres_hits(
    ctx: Context, conn: AsyncConnection, f: Filters, channel_ids: list[str]
) -> tuple[int, list[tuple[str, str | None]]]:
    """(total, [(id, snippet)]) in one pass over the matches, counted as a window over them.

    The matches are a materialised CTE so that the planner finds them through the index: left to
    itself with ORDER BY id LIMIT it may walk back through every message, computing each one's
    tsvector, because it cannot know how rare the words are."""
    config: ColumnElement[Any] = literal_column(f"'{_language(ctx)}'::regconfig")
    where = _postgres_where(f, channel_ids, config)
    matches = select(messages.c.id).where(*where).cte("matches").prefix_with("MATERIALIZED")
    page = (
        select(matches.c.id, func.count().over().label("total"))
        .order_by(matches.c.id.desc())
        .limit(f.limit)
        .offset(f.offset)
    )
    hits = list(await conn.execute(page))
    if hits:
        total = int(hits[0].total)
    elif f.offset:
        total = int(await conn.scalar(select(func.count()).select_from(messages).where(*where)) or 0)
    else:
        total = 0
    snippets: dict[str, str] = {}
    if hits and f.terms:
        options = (
            f'StartSel="{_OPEN}", StopSel="{_CLOSE}", MaxWords={SNIPPET_WORDS}, MinWords=8, ShortWord=0,'
            ' MaxFragments=2, FragmentDelimiter=" … "'
        )
        headline = func.ts_headline(config, messages.c.content, _tsquery(f, config), options)
        q = select(messages.c.id, headline).where(messages.c.id.in_([h.id for h in hits]))
        snippets = {r[0]: r[1] for r in await conn.execute(q)}
    return total, [(h.id, snippets.get(h.id)) for h in hits]


async def _sqlite_hits(
    conn: AsyncConnection, f: Filters, channel_ids: list[str], scope: Scope
) -> tuple[int, list[tuple[str, str | None]]]:
    page, count = _sqlite_query(f, channel_ids, scope.hidden, scope.guild_id)
    total = int(await conn.scalar(count) or 0)
    if total == 0:
        return 0, []
    return total, [(h.id, h.snippet) for h in await conn.execute(page.limit(f.limit).offset(f.offset))]


def segments(snippet: str | None, content: str) -> list[dict[str, Any]]:
    """`[{text, match}]` from a snippet with markers; without one, the start of the content."""
    if snippet is None:
        short = content if len(content) <= 200 else content[:200] + "…"
        return [{"text": short, "match": False}] if short else []
    out: list[dict[str, Any]] = []
    for i, part in enumerate(re.split(f"[{_OPEN}{_CLOSE}]", snippet)):
        if part:
            out.append({"text": part, "match": i % 2 == 1})
    return out


async def _run(ctx: Context, conn: AsyncConnection, f: Filters, scope: Scope, viewer_id: str) -> dict[str, Any]:
    channel_ids = scope.readable
    if f.channel_ids:
        channel_ids = [c for c in channel_ids if c in set(f.channel_ids)]
    empty = {"total_results": 0, "offset": f.offset, "limit": f.limit, "results": []}
    if not channel_ids or (f.q.strip() and not f.terms):
        return empty
    if conn.dialect.name == "sqlite":
        total, hits = await _sqlite_hits(conn, f, channel_ids, scope)
    else:
        total, hits = await _postgres_hits(ctx, conn, f, channel_ids)
    if not hits:
        return {**empty, "total_results": total}
    q = select(messages).where(messages.c.id.in_([h[0] for h in hits]))
    rows = {r["id"]: r for r in (await conn.execute(q)).mappings()}
    found = [h for h in hits if h[0] in rows]
    rendered = await render(conn, [rows[h[0]] for h in found], viewer_id)
    results = [
        {"message": message, "snippet": segments(h[1], message["content"])}
        for h, message in zip(found, rendered, strict=True)
    ]
    return {"total_results": total, "offset": f.offset, "limit": f.limit, "results": results}


async def search_guild(ctx: Context, guild_id: str, user_id: str, f: Filters) -> dict[str, Any]:
    """GET /guilds/{g}/messages/search: messages of the guild's channels the caller may read."""
    async with ctx.db.read(scan=True) as conn:
        return await _run(ctx, conn, f, await guild_scope(conn, guild_id, user_id), user_id)


async def search_dms(ctx: Context, user_id: str, f: Filters) -> dict[str, Any]:
    """GET /users/@me/messages/search: messages of the caller's DMs and groups."""
    async with ctx.db.read(scan=True) as conn:
        return await _run(ctx, conn, f, await dm_scope(conn, user_id), user_id)


# ---- the index's language ----------------------------------------------------------------------


async def ensure_language(ctx: Context) -> None:
    """PostgreSQL: rebuild the search index when `search_language` differs from the one it was built with."""
    if ctx.db.is_sqlite:
        return
    language = _language(ctx)
    async with ctx.db.begin() as conn:
        # Processes starting together take turns: the first rebuilds, the others find it done.
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('amityvox.message_search'))"))
        found = await conn.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_messages_search'"))
        if found is not None and f"'{language}'::regconfig" in found:
            return
        await conn.execute(text("DROP INDEX IF EXISTS ix_messages_search"))
        vector = f"to_tsvector('{language}'::regconfig, content)"
        await conn.execute(text(f"CREATE INDEX ix_messages_search ON messages USING gin ({vector})"))


async def start(ctx: Context) -> list[Any]:
    """Runs at start in API processes: the index must match the configured language before searches."""
    await ensure_language(ctx)
    return []
