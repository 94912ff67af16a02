"""Who is online, across every gateway process.

A gateway knows its own sessions, but presence is the cluster's: a user with tabs on two
gateways goes offline only when the last of them closes, and READY lists co-members whatever
gateway they are connected to. `LocalPresence` serves the embedded layout (one process, the
in-process bus); `NatsPresence` shares presence through a JetStream key-value bucket.

In the bucket each gateway ("node", a random id per gateway start) holds one key per user with
sessions on it, `<user_id>.<node_id>` → `{"status", "at"}`, and rewrites its keys every third
of the bucket's TTL. A crashed gateway stops rewriting, so its keys expire; the server then
places a marker (nats-server 2.11+ `subject_delete_marker_ttl`, which the watcher reports as a
PURGE), and one gateway, chosen by creating a claim key, announces the user offline if no
other node holds them. Expiry is detected from those server markers, not by a periodic sweep.

A user held by several nodes shows the most recently chosen status (`at`, the wall-clock time
of the choice; a node adopts a newer choice made elsewhere, so all its keys converge).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from nats.js.errors import BadRequestError, KeyWrongLastSequenceError, NotFoundError

from amityvox.bus.base import Bus, SharedKeyValues

log = logging.getLogger("amityvox.gateway.presence")

BUCKET = "AMITYVOX_PRESENCE"
TTL_S = 30.0  # how long a crashed gateway's users stay online; its keys are rewritten every TTL/3
REFRESH_BATCH = 256  # key rewrites in flight at once
WRONG_LAST_SEQUENCE = (10071, 10164)  # JetStream error codes of a failed expected-last-sequence check

# Called with (user_id, status) when presence changed without a session event: a crashed
# gateway's user went offline, or this gateway's expired key was restored.
Announce = Callable[[str, str], Awaitable[None]]


class Presence(Protocol):
    shared: bool  # whether other gateway processes take part
    statuses: dict[str, str]  # chosen status (invisible included) of every user online on any gateway

    async def start(self) -> None: ...

    async def close(self) -> None:
        """Stop taking part; the users held here are not announced offline by this."""
        ...

    async def join(self, user_id: str, status: str) -> None:
        """The user's first session on this gateway began with `status`."""
        ...

    async def set(self, user_id: str, status: str) -> None:
        """The user (with sessions here) chose `status` (op 3)."""
        ...

    async def leave(self, user_id: str) -> bool:
        """The user's last session on this gateway ended; returns whether they are still online elsewhere."""
        ...


class LocalPresence:
    """One process holds every session: presence is this process's own sessions."""

    shared = False

    def __init__(self) -> None:
        self.statuses: dict[str, str] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def join(self, user_id: str, status: str) -> None:
        self.statuses[user_id] = status

    async def set(self, user_id: str, status: str) -> None:
        self.statuses[user_id] = status

    async def leave(self, user_id: str) -> bool:
        self.statuses.pop(user_id, None)
        return False


@dataclass(frozen=True, slots=True)
class Held:
    status: str
    at: float  # when the status was chosen (wall clock, seconds): the newest choice wins


def encode(held: Held) -> bytes:
    return orjson.dumps({"status": held.status, "at": held.at})


def decode(raw: bytes) -> Held | None:
    try:
        body = orjson.loads(raw)
        return Held(str(body["status"]), float(body["at"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


class NatsPresence:
    """Presence shared by every gateway through the `AMITYVOX_PRESENCE` key-value bucket."""

    shared = True

    def __init__(
        self, shared: SharedKeyValues, announce: Announce, *, ttl_s: float = TTL_S, node_id: str | None = None
    ) -> None:
        self.shared_kv = shared
        self.announce = announce
        self.ttl_s = ttl_s
        self.node_id = node_id or secrets.token_hex(8)
        self.statuses: dict[str, str] = {}
        self._held: dict[str, dict[str, Held]] = {}  # user → node → what that node holds
        self._mine: dict[str, Held] = {}  # users with sessions on this gateway
        self._revs: dict[str, int] = {}  # revision of this gateway's latest write of each of its keys
        self._kv: Any = None
        self._watcher: Any = None
        self._tasks: list[asyncio.Task[None]] = []

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self._kv = await self.shared_kv.key_value(BUCKET, ttl=self.ttl_s, expiry_markers=True)
        self._watcher = await self._kv.watch("*.*")  # `<user>.<node>` only, not the claim keys
        async for entry in self._watcher:  # the keys present now, then None
            if entry is None:
                break
            await self._on_entry(entry)
        self._tasks = [
            asyncio.create_task(self._follow(), name="presence-watch"),
            asyncio.create_task(self._refresh(), name="presence-refresh"),
        ]

    async def close(self) -> None:
        """Stop watching and rewriting. This gateway's keys are left to expire: its users who
        reconnect to another gateway within the TTL stay online without a flicker, the others
        are announced offline by a remaining gateway when their keys expire."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._watcher is not None:
            try:
                await self._watcher.stop()
            except Exception:  # the connection is already gone
                pass

    # ---- this gateway's users --------------------------------------------------------------

    async def join(self, user_id: str, status: str) -> None:
        newest = self._newest(user_id)
        # Online elsewhere with this status: keep when it was chosen, so a later choice still wins.
        held = newest if newest is not None and newest.status == status else Held(status, time.time())
        await self._hold(user_id, held)

    async def set(self, user_id: str, status: str) -> None:
        newest = self._newest(user_id)
        # A new choice is newer than any known one, even if this machine's clock lags behind.
        at = time.time() if newest is None else max(time.time(), newest.at + 1e-3)
        await self._hold(user_id, Held(status, at))

    async def leave(self, user_id: str) -> bool:
        self._mine.pop(user_id, None)
        rev = self._revs.pop(user_id, None)
        self._forget(user_id, self.node_id)
        try:  # only our own last write: a session begun meanwhile has written again
            await self._kv.delete(self._key(user_id), last=rev)
        except BadRequestError as exc:
            if exc.err_code not in WRONG_LAST_SEQUENCE:
                raise
            if user_id in self._mine:
                return True
            await self._kv.delete(self._key(user_id))  # a late rewrite of ours: remove it too
        return user_id in self._mine or bool(await self._holders(user_id))

    async def _hold(self, user_id: str, held: Held) -> None:
        self._mine[user_id] = held
        self._held.setdefault(user_id, {})[self.node_id] = held
        self._combine(user_id)
        self._wrote(user_id, await self._kv.put(self._key(user_id), encode(held)))

    def _wrote(self, user_id: str, rev: int) -> None:
        if user_id in self._mine:  # stream sequences only grow: keep the latest of overlapping writes
            self._revs[user_id] = max(self._revs.get(user_id, 0), rev)

    async def _rewrite(self, user_id: str) -> None:
        """Rewrite our key with what we hold, unless anything else wrote it since our last write
        (a leave's delete must not be undone by a rewrite that was already on its way)."""
        held, rev = self._mine.get(user_id), self._revs.get(user_id)
        if held is None or rev is None:
            return
        try:
            self._wrote(user_id, await self._kv.update(self._key(user_id), encode(held), last=rev))
        except KeyWrongLastSequenceError:
            if not await self._live(self._key(user_id)):  # it expired, and the watcher missed that
                await self._restore(user_id)

    async def _restore(self, user_id: str) -> None:
        """Our key of a user still connected here expired (NATS was out of reach longer than the
        TTL): other gateways may have announced them offline, so write it and announce them again."""
        mine = self._mine.get(user_id)
        if mine is None:
            return
        self._wrote(user_id, await self._kv.put(self._key(user_id), encode(mine)))
        if mine.status != "invisible":
            await self.announce(user_id, mine.status)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            users = list(self._mine)
            for i in range(0, len(users), REFRESH_BATCH):
                results = await asyncio.gather(
                    *(self._rewrite(u) for u in users[i : i + REFRESH_BATCH]), return_exceptions=True
                )
                failed = [r for r in results if isinstance(r, Exception)]
                if failed:
                    log.warning("presence: rewriting %d keys failed: %s", len(failed), failed[0])

    # ---- every gateway's users -------------------------------------------------------------

    def _key(self, user_id: str) -> str:
        return f"{user_id}.{self.node_id}"

    def _newest(self, user_id: str) -> Held | None:
        held = self._held.get(user_id)
        return max(held.values(), key=lambda h: h.at) if held else None

    def _combine(self, user_id: str) -> None:
        newest = self._newest(user_id)
        if newest is None:
            self.statuses.pop(user_id, None)
        else:
            self.statuses[user_id] = newest.status

    def _forget(self, user_id: str, node: str) -> Held | None:
        held = self._held.get(user_id)
        gone = held.pop(node, None) if held is not None else None
        if held is not None and not held:
            del self._held[user_id]
        self._combine(user_id)
        return gone

    async def _follow(self) -> None:
        async for entry in self._watcher:
            if entry is None:
                continue
            try:
                await self._on_entry(entry)
            except Exception:
                log.exception("presence: handling %s failed", entry.key)

    async def _on_entry(self, entry: Any) -> None:
        user_id, _, node = entry.key.partition(".")
        if entry.operation is None:  # a node wrote its key
            held = decode(entry.value)
            if held is None or node == self.node_id:  # our own keys: what we hold is authoritative
                return
            self._held.setdefault(user_id, {})[node] = held
            mine = self._mine.get(user_id)
            if mine is not None and held.at > mine.at:  # chosen on another gateway later: adopt it
                self._mine[user_id] = held
                self._held[user_id][self.node_id] = held
                await self._rewrite(user_id)
            self._combine(user_id)
            return
        # DEL: that node's last session of the user ended, and that node announced any change.
        # PURGE: the key expired (the node stopped rewriting it: a crash), or it was purged by hand.
        if node == self.node_id:
            if entry.operation == "PURGE":
                await self._restore(user_id)
            return
        was = self.statuses.get(user_id)
        # Markers also follow expired delete markers: only a key we knew as held means a change.
        if self._forget(user_id, node) is not None and entry.operation == "PURGE" and user_id not in self._held:
            await self._expired(user_id, was or "online", entry.revision)

    async def _expired(self, user_id: str, was: str, revision: int) -> None:
        """The user's last key expired: one gateway (whichever creates the claim for this
        expiry first) announces them offline, unless they are online again somewhere."""
        try:
            await self._kv.create(f"gone.{user_id}.{revision}", b"1")
        except KeyWrongLastSequenceError:
            return
        if user_id in self._mine or await self._holders(user_id):
            return
        if was != "invisible":
            await self.announce(user_id, "offline")

    async def _holders(self, user_id: str) -> list[str]:
        """Other nodes holding the user, read from the bucket itself (the watcher may lag)."""
        nodes = []
        for key in await self.shared_kv.stored_keys(BUCKET, f"{user_id}.*"):
            node = key.rsplit(".", 1)[1]
            if node != self.node_id and await self._live(f"{user_id}.{node}"):
                nodes.append(node)
        return nodes

    async def _live(self, key: str) -> bool:
        """Whether `key` holds a value, not a delete or expiry marker."""
        try:
            entry = await self._kv.get(key)
        except NotFoundError:  # deleted, or never written
            return False
        return bool(entry.value)  # expiry markers carry no value


def presence_store(bus: Bus, announce: Announce) -> Presence:
    """Shared presence when the bus shares key-value buckets across processes (NATS); this
    process's own otherwise (the in-process bus is one process)."""
    shared = bus.shared()
    return LocalPresence() if shared is None else NatsPresence(shared, announce, ttl_s=TTL_S)
