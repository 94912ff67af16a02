"""Background workers lose nothing to a crash: on the in-process bus they resume from the
outbox journal after their saved cursor, and an event handled twice does nothing more."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from amityvox.bus import outbox
from amityvox.bus.base import Envelope
from amityvox.bus.memory import MemoryBus, durable_name
from amityvox.context import Context
from amityvox.db.engine import Database
from amityvox.db.schema import automod_actions, event_outbox, notifications
from amityvox.ids import new_id, now_iso
from tests.conftest import Server, auth, make_settings
from tests.gateway.wsclient import Raw
from tests.processes import amityvox, env_with

API = "/api/v1"
Process = asyncio.subprocess.Process


# ---- the journal under the in-process bus -----------------------------------------------------


class CrashingBus(MemoryBus):
    """Commits reach the journal but never the subscribers: a process killed right after commit."""

    async def publish(self, events: Sequence[Envelope], positions: Sequence[int] = ()) -> None:
        raise ConnectionError("killed")


def _user_update(n: int) -> dict[str, Any]:
    return {"id": new_id(), "username": f"u{n}", "status_presence": "online", "flags": 0, "created_at": now_iso()}


async def _commit(ctx: Context, *ns: int) -> None:
    async with ctx.uow() as tx:
        for n in ns:
            tx.emit("USER_UPDATE", _user_update(n))


@asynccontextmanager
async def _process(tmp_path: Path, database_url: str, **bus: Any) -> AsyncIterator[tuple[Context, MemoryBus]]:
    """One `amityvox serve` process as far as the bus goes: the database, and the bus over its journal."""
    settings = make_settings(tmp_path, database_url=database_url)
    db = Database(settings.resolved_database_url)
    await db.migrate()
    memory = MemoryBus(journal=outbox.Journal(db), **bus)
    ctx = Context(settings=settings, db=db, bus=memory, validate_events=True)
    await memory.start()
    try:
        yield ctx, memory
    finally:
        await memory.close()
        await db.close()


async def _worker(bus: MemoryBus, queue: str = "names") -> list[str]:
    seen: list[str] = []

    async def record(env: Envelope) -> None:
        seen.append(env.data["username"])

    await bus.subscribe("amityvox.user.>", record, queue=queue)
    return seen


async def test_a_worker_replays_what_was_committed_after_its_cursor(tmp_path: Path, database_url: str) -> None:
    name = durable_name("names", "amityvox.user.>")
    async with _process(tmp_path, database_url) as (ctx, bus):
        seen = await _worker(bus)
        await _commit(ctx, 1, 2)
        await bus.flush()
        assert seen == ["u1", "u2"]
        await bus.checkpoint(settle=0)
        # Committed, never handled: the process dies between the commit and its workers.
        ctx.bus = CrashingBus(journal=outbox.Journal(ctx.db))
        await _commit(ctx, 3)
        await _commit(ctx, 4, 5)
    async with _process(tmp_path, database_url) as (ctx, bus):
        seen = await _worker(bus)
        fresh = await _worker(bus, queue="newcomer")  # a new worker starts at the end
        await bus.flush()
        assert seen == ["u3", "u4", "u5"] and fresh == []
        await _commit(ctx, 6)
        await bus.flush()
        assert seen == ["u3", "u4", "u5", "u6"] and fresh == ["u6"]
        await bus.checkpoint(settle=0)
        assert bus.journal is not None
        last = await bus.journal.last()
        assert await bus.journal.cursors([name]) == {name: last}
        async with ctx.db.read() as conn:  # every worker passed them: only the newest row stays
            assert await conn.scalar(select(func.count()).select_from(event_outbox)) == 1


async def test_a_held_worker_keeps_its_events_for_the_next_start(tmp_path: Path, database_url: str) -> None:
    async with _process(tmp_path, database_url, hold=["names"]) as (ctx, bus):
        seen = await _worker(bus)
        await _commit(ctx, 1)
        await bus.flush()
        await bus.checkpoint(settle=0)
        assert seen == []
    async with _process(tmp_path, database_url) as (ctx, bus):
        seen = await _worker(bus)
        await bus.flush()
        assert seen == ["u1"]


# ---- handling an event twice ------------------------------------------------------------------


async def _guild_with_rule(server: Server) -> tuple[dict[str, Any], dict[str, Any], str]:
    owner, member = await server.register("owner"), await server.register("member")
    guild = (await server.http.post(f"{API}/guilds", json={"name": "G"}, headers=auth(owner["token"]))).json()["data"]
    r = await server.http.post(f"{API}/guilds/{guild['id']}/invites", json={}, headers=auth(owner["token"]))
    r = await server.http.post(f"{API}/invites/{r.json()['data']['code']}", headers=auth(member["token"]))
    assert r.status_code == 200, r.text
    rule = {"name": "words", "rule_type": "word", "config": {"words": ["darn"]}, "actions": ["warn"]}
    r = await server.http.post(f"{API}/guilds/{guild['id']}/automod/rules", json=rule, headers=auth(owner["token"]))
    assert r.status_code == 201, r.text
    return owner, member, guild["channels"][0]["id"]


async def _count(server: Server, table: Any, message_id: str) -> int:
    async with server.ctx.db.read() as conn:
        q = select(func.count()).select_from(table).where(table.c.message_id == message_id)
        return int(await conn.scalar(q) or 0)


async def test_an_event_handled_twice_notifies_and_acts_once(server: Server) -> None:
    owner, member, channel_id = await _guild_with_rule(server)
    await server.settle()
    server.recorder.clear()
    r = await server.http.post(
        f"{API}/channels/{channel_id}/messages",
        json={"content": f"darn it <@{owner['user']['id']}>"},
        headers=auth(member["token"]),
    )
    assert r.status_code == 201, r.text
    message_id = r.json()["data"]["id"]
    await server.settle()
    assert await _count(server, automod_actions, message_id) == 1
    assert await _count(server, notifications, message_id) == 1
    (created,) = [e for e in server.recorder.events if e.name == "MESSAGE_CREATE"]
    server.recorder.clear()
    await server.ctx.bus.publish([created])  # delivered again, as after a crash before the cursor moved
    await server.settle()
    assert await _count(server, automod_actions, message_id) == 1
    assert await _count(server, notifications, message_id) == 1
    assert server.recorder.names() == ["MESSAGE_CREATE"]


# ---- `amityvox serve` killed between a commit and its workers ---------------------------------


@asynccontextmanager
async def _serve(data_dir: Path, **settings: str) -> AsyncIterator[tuple[httpx.AsyncClient, Process]]:
    """`amityvox serve` on SQLite in `data_dir`."""
    async with amityvox("serve", "--data-dir", str(data_dir), env=env_with(**settings)) as serve:
        async with httpx.AsyncClient(base_url=serve.url, timeout=10) as http:
            yield http, serve.proc


async def _register(http: httpx.AsyncClient, name: str) -> dict[str, Any]:
    r = await http.post(f"{API}/auth/register", json={"username": name, "password": "correct horse"})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def _say(http: httpx.AsyncClient, token: str, channel_id: str, content: str) -> str:
    r = await http.post(f"{API}/channels/{channel_id}/messages", json={"content": content}, headers=auth(token))
    assert r.status_code == 201, r.text
    message_id: str = r.json()["data"]["id"]
    return message_id


async def test_serve_killed_after_commit_moderates_and_notifies_after_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # The first process takes the messages but its automod and notification workers handle
    # nothing: the kill lands after the commits and before the workers, every time.
    async with _serve(data, hold_workers="automod,notifications") as (http, proc):
        owner, member = await _register(http, "owner"), await _register(http, "member")
        guild = (await http.post(f"{API}/guilds", json={"name": "G"}, headers=auth(owner["token"]))).json()["data"]
        channel_id = guild["channels"][0]["id"]
        r = await http.post(f"{API}/guilds/{guild['id']}/invites", json={}, headers=auth(owner["token"]))
        r = await http.post(f"{API}/invites/{r.json()['data']['code']}", headers=auth(member["token"]))
        assert r.status_code == 200, r.text
        rule = {"name": "words", "rule_type": "word", "config": {"words": ["darn"]}, "actions": ["delete"]}
        r = await http.post(f"{API}/guilds/{guild['id']}/automod/rules", json=rule, headers=auth(owner["token"]))
        assert r.status_code == 201, r.text
        blocked = await _say(http, member["token"], channel_id, "darn it")
        mention = await _say(http, member["token"], channel_id, f"hello <@{owner['user']['id']}>")
        r = await http.get(f"{API}/channels/{channel_id}/messages/{blocked}", headers=auth(owner["token"]))
        assert r.status_code == 200  # committed, not moderated yet
        proc.kill()
        await proc.wait()

    async with _serve(data) as (http, _):
        ws = await Raw.connect(str(http.base_url))
        await ws.identify(owner["token"])
        # Each worker handles its events in order: once it acted on a message posted now, it
        # has handled the ones it replayed from before the crash.
        later_blocked = await _say(http, member["token"], channel_id, "darn again")
        later_mention = await _say(http, member["token"], channel_id, f"again <@{owner['user']['id']}>")
        await ws.wait_for("MESSAGE_DELETE", timeout=15, check=lambda d: d["id"] == later_blocked)
        await ws.wait_for("NOTIFICATION_CREATE", timeout=15, check=lambda d: d["message_id"] == later_mention)
        await ws.close()
        r = await http.get(f"{API}/channels/{channel_id}/messages/{blocked}", headers=auth(owner["token"]))
        assert r.status_code == 404
        r = await http.get(f"{API}/guilds/{guild['id']}/automod/actions", headers=auth(owner["token"]))
        assert sorted(a["message_id"] for a in r.json()["data"]) == sorted([blocked, later_blocked])
        r = await http.get(f"{API}/notifications", headers=auth(owner["token"]))
        assert sorted(n["message_id"] for n in r.json()["data"]) == sorted([mention, later_mention])
