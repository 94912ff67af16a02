"""Message search latency over a large history, on SQLite (FTS5) or PostgreSQL (tsvector + GIN).

    python bench/search.py                                   # 1,000,000 messages in a temporary SQLite file
    python bench/search.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/search.py --messages 100000 --json build/search.json

One guild of 20 text channels (one of them private, which the searcher cannot view), ten
authors, and messages of 6-24 words drawn from a 20,000-word vocabulary with Zipf-like
frequencies (as in natural text, a few words are everywhere and most are rare); every 20th
message carries a link. Messages are inserted in bulk through the `messages` table, so the
index is built by the same database triggers or index that keep it current in service.

Each query runs through `services.search.search_guild` as a plain member would (permission
resolution, count, page of 25, snippets and rendering), 50 times with different words of
the same frequency class, after one warm-up round. Figures: p50 and p99 in milliseconds, and
how many messages the query's words match.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from loopback import fresh_postgres
from sqlalchemy import insert, text

from amityvox import permissions as P
from amityvox.bus.memory import MemoryBus
from amityvox.config import Settings
from amityvox.context import Context
from amityvox.db.engine import Database
from amityvox.db.schema import guild_members, messages
from amityvox.ids import _encode, now_iso
from amityvox.services import auth, channels, guilds, search

VOCABULARY = 20_000
CHANNELS = 20
AUTHORS = 10
BATCH = 10_000
ROUNDS = 200
WORDS_PER_CLASS = 50  # each query cycles through 50 words of its class, four times
# Frequency ranks of the words queried: common words match a large share of all messages.
CLASSES = {"common (rank 20)": 20, "medium (rank 300)": 300, "rare (rank 5000)": 5000}


def _vocabulary(rng: random.Random) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda w: (rng.random(), w))


def _ids(count: int, start_ms: int, rng: random.Random) -> list[str]:
    """Time-ordered message ids, one per second of history."""
    return [_encode(start_ms + i * 1000, 10) + _encode(rng.getrandbits(80), 16) for i in range(count)]


@asynccontextmanager
async def _database(url: str | None) -> AsyncIterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory(prefix="amityvox-search-") as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        return
    async with fresh_postgres(url) as fresh:
        yield fresh


async def _seed(ctx: Context, total: int, rng: random.Random, words: list[str]) -> tuple[str, str, list[str]]:
    """(guild id, searcher id, author ids) with `total` messages in the guild's channels."""
    people = [(await auth.create_user(ctx, f"author{i}", "correct horse battery"))["id"] for i in range(AUTHORS + 1)]
    owner, searcher = people[0], people[-1]
    guild = await guilds.create_guild(ctx, owner, "Bench")
    channel_ids = [guild["channels"][0]["id"]]
    for i in range(CHANNELS - 1):
        channel_ids.append((await channels.create_channel(ctx, guild["id"], owner, {"name": f"c{i}"}))["id"])
    private = channel_ids[-1]
    await channels.put_overwrite(ctx, private, owner, guild["id"], "role", 0, int(P.Perm.ViewChannel))
    async with ctx.db.begin() as conn:
        now = now_iso()
        await conn.execute(
            insert(guild_members),
            [{"guild_id": guild["id"], "user_id": u, "joined_at": now, "last_active_at": now} for u in people[1:]],
        )
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(VOCABULARY)))
    start_ms = int(time.time() * 1000) - total * 1000
    created = now_iso()
    for offset in range(0, total, BATCH):
        n = min(BATCH, total - offset)
        ids = _ids(n, start_ms + offset * 1000, rng)
        rows = []
        for message_id in ids:
            content = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(6, 24)))
            if rng.random() < 0.05:
                content += f" https://example.org/{rng.choice(words)}"
            rows.append(
                {
                    "id": message_id,
                    "channel_id": rng.choice(channel_ids),
                    "guild_id": guild["id"],
                    "author_id": rng.choice(people[:-1]),
                    "content": content,
                    "message_type": "default",
                    "flags": 0,
                    "mention_user_ids": [],
                    "mention_role_ids": [],
                    "mention_here": False,
                    "attachments": [],
                    "embeds": [],
                    "pinned": False,
                    "created_at": created,
                }
            )
        async with ctx.db.begin() as conn:
            await conn.execute(insert(messages), rows)
        print(f"\r  {offset + n:,} messages", end="", flush=True)
    print()
    if not ctx.db.is_sqlite:
        async with ctx.db.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return guild["id"], searcher, people[1:-1]


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _measure(run: Callable[[int], Any]) -> dict[str, Any]:
    await run(0)  # warm-up
    samples, totals = [], []
    for i in range(ROUNDS):
        start = time.perf_counter()
        found = await run(i)
        samples.append((time.perf_counter() - start) * 1000)
        totals.append(found["total_results"])
    return {
        "p50_ms": round(_percentile(samples, 0.5), 1),
        "p99_ms": round(_percentile(samples, 0.99), 1),
        "median_matches": int(statistics.median(totals)),
    }


async def bench(total: int, database_url: str | None) -> dict[str, Any]:
    rng = random.Random(7)
    words = _vocabulary(rng)
    async with _database(database_url) as url:
        settings = Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=8)
        db = Database(url)
        await db.migrate()
        ctx = Context(settings=settings, db=db, bus=MemoryBus())
        await ctx.bus.start()
        try:
            began = time.perf_counter()
            guild_id, searcher, authors = await _seed(ctx, total, rng, words)
            seeded = time.perf_counter() - began

            def term_query(rank: int, **extra: Any) -> Callable[[int], Any]:
                async def run(i: int) -> Any:
                    f = search.check(q=words[rank + i % WORDS_PER_CLASS], **extra)
                    return await search.search_guild(ctx, guild_id, searcher, f)

                return run

            async def two_words(i: int) -> Any:
                f = search.check(q=f"{words[50 + i % WORDS_PER_CLASS]} {words[300 + i % WORDS_PER_CLASS]}")
                return await search.search_guild(ctx, guild_id, searcher, f)

            async def author_only(i: int) -> Any:
                f = search.check(q=None, author_ids=[authors[i % len(authors)]])
                return await search.search_guild(ctx, guild_id, searcher, f)

            queries: dict[str, Callable[[int], Any]] = {
                f"one word, {name}": term_query(rank) for name, rank in CLASSES.items()
            }
            queries["two words (ranks 50 and 300)"] = two_words
            queries["one word (rank 300) + has:link"] = term_query(300, has=["link"])
            queries["one word (rank 300) + author"] = term_query(300, author_ids=[authors[0]])
            queries["no words, author only"] = author_only
            results = {name: await _measure(run) for name, run in queries.items()}
        finally:
            await ctx.bus.close()
            await db.close()
    return {
        "backend": "sqlite" if database_url is None else "postgresql",
        "messages": total,
        "seed_seconds": round(seeded, 1),
        "queries": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (a fresh database is made on it)")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args()
    out = asyncio.run(bench(args.messages, args.database_url))
    print(json.dumps(out, indent=2))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
