"""Sessions that outlive their gateway process: resumed on any gateway after a stop or a crash.

Every gateway follows the same history — the events stream, in stream order — so a session's
dispatches are a function of that history: each event the user may see gets the next `s`.
What another gateway needs to rebuild a session is therefore small: *anchors*, pairs
(s, position) meaning "after every event up to this stream position, the session had sent
`s` dispatches". A gateway records them in the NATS KV bucket AMITYVOX_SESSIONS:

- every second, for each session whose `s` moved (a *periodic* anchor), and right after each
  event that changes who sees what; the last few are kept;
- before each dispatch that does not come from the stream (READY, RESUMED,
  GUILD_MEMBERS_CHUNK), written before the frame is sent (a *sync* anchor: the frame is `s`).

A client whose gateway stopped or died sends RESUME to any gateway. That gateway reads the
session's anchors, starts from the latest one at or before the client's `seq`, re-reads the
events after it from the stream and numbers the user's dispatches on exactly as the old
gateway did, checking each later anchor as it passes. The client gets what it missed, then
RESUMED. Ownership moves with a compare-and-set on `owner.<session>`, so two racing RESUMEs
cannot both take a session.

That is exact only while nothing in the gap changed who sees what: an event that changes the
routing indexes (membership, roles, overwrites, channels, friendships, voice) may have sent
visibility transitions that cannot be rebuilt, and a client that missed a sync anchor's frame
cannot be given it again. Then, or when the anchors or the stream no longer reach back to the
client's `seq`, the answer is 4007 and the client re-IDENTIFYs to a fresh READY.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

from amityvox.bus.base import Bus, History, SharedKeyValues
from amityvox.gateway.session import Session

log = logging.getLogger("amityvox.gateway")
BUCKET = "AMITYVOX_SESSIONS"
BUCKET_TTL_S = 3600.0  # ownership records live this long; shards are rewritten well within it
KEEP = 8  # anchors kept per session: about that many seconds of a busy session's history
REFRESH_POSITIONS = 1000  # a quiet session's anchor moves on after this many stream events
SHARDS = "0123456789abcdef"  # one KV value per last hex digit of the session id
NODE_ID_LEN = 16  # a session id is its first gateway's node id (16 hex) and 16 random hex


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    position: int
    sync: bool  # a frame not from the stream was `seq`, sent after every event up to `position`


@dataclass(frozen=True, slots=True)
class Found:
    """A session as its owner last recorded it."""

    owner: str
    revision: int  # of `owner.<session>`; 0 while its first gateway owns it
    user_id: str
    anchors: list[Anchor]
    written_at: float


def _flat(anchors: list[Anchor]) -> list[int]:
    return [n for a in anchors for n in (a.seq, a.position, int(a.sync))]


def _anchors(flat: list[int]) -> list[Anchor]:
    return [Anchor(flat[i], flat[i + 1], bool(flat[i + 2])) for i in range(0, len(flat) - 2, 3)]


class Handover:
    """This gateway's anchors in the NATS KV bucket, and the reading and claiming of others'."""

    def __init__(self, shared: SharedKeyValues, history: History, node: str, window_s: float) -> None:
        self._shared = shared
        self.history = history  # the events the anchors' positions point into
        self.node = node
        # Each shard is written at least this often, so one not written for a resume window
        # belongs to a gateway that is gone, and so are the sessions in it.
        self._rewrite_s = min(BUCKET_TTL_S / 3, window_s / 2)
        self._kv: Any = None
        # shard → session id → (user, anchors, oldest first)
        self._shards: dict[str, dict[str, tuple[str, list[Anchor]]]] = {shard: {} for shard in SHARDS}
        self._dirty: set[str] = set(SHARDS)
        self._written: dict[str, float] = {}
        # One write per shard at a time, its value taken once the previous one landed: a sync
        # anchor can never be overwritten by an older value still on its way.
        self._locks = {shard: asyncio.Lock() for shard in SHARDS}

    async def start(self) -> None:
        self._kv = await self._shared.key_value(BUCKET, ttl=BUCKET_TTL_S)

    # ---- this gateway's anchors --------------------------------------------------------------

    def _add(self, session: Session, anchor: Anchor) -> None:
        _, anchors = self._shards[session.id[-1]].setdefault(session.id, (session.user_id, []))
        anchors.append(anchor)
        del anchors[:-KEEP]
        self._dirty.add(session.id[-1])

    async def sync(self, session: Session, position: int) -> None:
        """Record that the next frame, `session.seq + 1`, is not from the stream; written before
        it is sent (the caller holds the session's live dispatches meanwhile)."""
        self._add(session, Anchor(session.seq + 1, position, True))
        await self._write(session.id[-1])

    def forget(self, session_id: str) -> None:
        """The session ended: nobody may resume it."""
        if self._shards[session_id[-1]].pop(session_id, None) is not None:
            self._dirty.add(session_id[-1])

    async def checkpoint(self, sessions: Iterable[Session], position: int, *, final: bool = False) -> None:
        """A periodic anchor for each session whose `s` moved, then write what changed. `final`
        (a gateway stopping): every anchor is brought up to `position`."""
        self.note(sessions, position, final=final)
        now = time.time()
        stale = {s for s, at in self._written.items() if now - at > self._rewrite_s}
        for shard in sorted(self._dirty | stale):
            await self._write(shard)

    def note(self, sessions: Iterable[Session], position: int, *, final: bool = False) -> None:
        """Anchor each session whose `s` moved at `position`, every event up to it routed (written
        with the next checkpoint). Also called right after an event that changes who sees what:
        a resume never needs to start before it, which would mean 4007, once the client has
        read what it sent."""
        for session in sessions:
            if session.holding is not None:  # building READY or a sync anchor: its `s` lags
                continue
            anchors = self._shards[session.id[-1]].get(session.id, ("", []))[1]
            last = anchors[-1] if anchors else None
            if last is None or session.seq != last.seq:
                self._add(session, Anchor(session.seq, position, False))
            elif position > last.position and (final or position - last.position >= REFRESH_POSITIONS):
                if last.sync:
                    self._add(session, Anchor(session.seq, position, False))
                else:  # nothing sent since: the same point, further on
                    anchors[-1] = Anchor(session.seq, position, False)
                    self._dirty.add(session.id[-1])

    async def _write(self, shard: str) -> None:
        async with self._locks[shard]:
            self._dirty.discard(shard)
            sessions = {sid: [user, _flat(anchors)] for sid, (user, anchors) in self._shards[shard].items()}
            body = {"node": self.node, "at": time.time(), "sessions": sessions}
            try:
                await self._kv.put(f"node.{self.node}.{shard}", orjson.dumps(body))
                self._written[shard] = time.time()
            except Exception:
                self._dirty.add(shard)  # written with the next checkpoint
                raise

    # ---- other gateways' sessions ------------------------------------------------------------

    async def owner(self, session_id: str) -> tuple[str, int]:
        """The node that owns the session now, and the revision of that record (0: its first)."""
        try:
            entry = await self._kv.get(f"owner.{session_id}")
        except KeyNotFoundError:
            return session_id[:NODE_ID_LEN], 0
        return (entry.value or b"").decode(), int(entry.revision)

    async def find(self, session_id: str) -> Found | None:
        if len(session_id) != 2 * NODE_ID_LEN or any(c not in SHARDS for c in session_id):
            return None  # not one of ours: KV keys are tokens, and ids are lowercase hex
        owner, revision = await self.owner(session_id)
        try:
            entry = await self._kv.get(f"node.{owner}.{session_id[-1]}")
        except KeyNotFoundError:
            return None
        body = orjson.loads(entry.value or b"{}")
        recorded = body.get("sessions", {}).get(session_id)
        if recorded is None:
            return None
        return Found(owner, revision, recorded[0], _anchors(recorded[1]), float(body["at"]))

    async def abandoned(self, window_s: float) -> dict[str, list[tuple[str, str]]]:
        """Sessions left behind: of gateways that wrote nothing for longer than the resume window
        (gone, by a crash or a stop) and not resumed elsewhere. Node → [(session id, user id)]."""
        bodies: dict[str, list[dict[str, Any]]] = {}
        watcher = await self._kv.watch("node.>", ignore_deletes=True)
        try:
            async for entry in watcher:
                if entry is None:  # the current values have all been seen
                    break
                node = entry.key.split(".")[1]
                if entry.value and node != self.node:
                    bodies.setdefault(node, []).append(orjson.loads(entry.value))
        finally:
            await watcher.stop()
        now = time.time()
        out: dict[str, list[tuple[str, str]]] = {}
        for node, shards in bodies.items():
            if now - max(float(b["at"]) for b in shards) <= window_s:
                continue  # written within the window: alive, or its sessions may still resume
            recorded = [(sid, rec[0]) for b in shards for sid, rec in b["sessions"].items()]
            out[node] = [(sid, user) for sid, user in recorded if (await self.owner(sid))[0] == node]
        return out

    async def drop(self, node: str) -> None:
        """Remove a gone gateway's anchors once its left-behind sessions are ended."""
        for shard in SHARDS:
            await self._kv.purge(f"node.{node}.{shard}")

    async def claim(self, session_id: str, found: Found) -> bool:
        """Make this gateway the owner, unless another took the session since `found` was read."""
        try:
            if found.revision:
                await self._kv.update(f"owner.{session_id}", self.node.encode(), last=found.revision)
            else:
                await self._kv.create(f"owner.{session_id}", self.node.encode())
        except KeyWrongLastSequenceError:
            return False
        return True


def handover_store(bus: Bus, node: str, window_s: float) -> Handover | None:
    """A handover store when the bus shares key-value buckets across processes and keeps the
    history to rebuild sessions from (NATS); none for the in-process bus."""
    shared, history = bus.shared(), bus.history()
    if shared is None or history is None:
        return None
    return Handover(shared, history, node, window_s)
