"""Convergence: the cache built from READY plus events must equal what REST answers now.

`fetch_state` builds a normalised snapshot from REST, `State.snapshot` builds the same shape
from the cache, and `assert_converged` compares them and names every difference. The
shape (every collection keyed by id, so order never matters):

    {"self": SelfUser, "settings": UserSettings,
     "guilds": {guild_id: {"guild": Guild, "channels": {id: Channel}, "roles": {id: Role},
                           "emoji": {id: CustomEmoji}, "members": {user_id: GuildMember}}},
     "dms": {id: Channel}, "relationships": {target_id: Relationship},
     "saved_messages": {message_id: SavedMessage}, "read_state": {channel_id: ReadState},
     "messages": {channel_id: {id: Message}},
     "skipped": [REST routes that answered 404/405, and channels whose messages did]}

A route that answers 404 or 405 is skipped and listed under "skipped" (a server without
that area yet); the cache's side of a skipped section is left out of the comparison.
Members converge once the cache holds the member list: `Client` requests it (op 7) for
every guild it learns of; READY itself carries only the user's own membership.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from amityvox.client.errors import ApiError
from amityvox.client.normal_form import MESSAGE_LIMIT, keyed, normalise, read_states
from amityvox.client.rest import JSON, RestClient
from amityvox.client.state import State

# ---- from REST -------------------------------------------------------------------------------


class _Fetcher:
    def __init__(self, rest: RestClient) -> None:
        self.rest = rest
        self.skipped: set[str] = set()

    async def get(self, route: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET `path`; None (and `route` recorded as skipped) when it answers 404 or 405."""
        try:
            return await self.rest.request("GET", path, params=params)
        except ApiError as exc:
            if exc.status in (404, 405):
                self.skipped.add(route)
                return None
            raise

    async def members(self, guild_id: str) -> list[JSON] | None:
        out: list[JSON] = []
        after: str | None = None
        while True:
            page = await self.get("/guilds/{g}/members", f"/guilds/{guild_id}/members", {"after": after, "limit": 1000})
            if page is None:
                return None
            out.extend(page)
            if len(page) < 1000:
                return out
            after = page[-1]["user_id"]

    async def saved(self) -> list[JSON] | None:
        out: list[JSON] = []
        before: str | None = None
        while True:
            route = "/users/@me/saved-messages"
            page = await self.get(route, route, {"before": before, "limit": 100})
            if page is None:
                return None
            out.extend(page)
            if len(page) < 100:
                return out
            before = page[-1]["message_id"]


_GUILD_PARTS = (("channels", "channel", "id"), ("roles", "role", "id"), ("emoji", "emoji", "id"))


async def fetch_state(rest: RestClient, channel_ids: Iterable[str] = ()) -> dict[str, Any]:
    """The normalised snapshot of what REST answers now (the shape is in the module docstring)."""
    f = _Fetcher(rest)
    snap: dict[str, Any] = {}
    me = await f.get("/users/@me", "/users/@me")
    if me is not None:
        snap["self"] = normalise("user", me)
    guild_list = await f.get("/users/@me/guilds", "/users/@me/guilds")
    if guild_list is not None:
        guilds: dict[str, Any] = {}
        for listed in guild_list:
            gid = listed["id"]
            guild = await f.get("/guilds/{g}", f"/guilds/{gid}")
            entry: dict[str, Any] = {"guild": normalise("guild", guild if guild is not None else listed)}
            for part, kind, key in _GUILD_PARTS:
                items = await f.get(f"/guilds/{{g}}/{part}", f"/guilds/{gid}/{part}")
                if items is not None:
                    entry[part] = keyed(kind, items, key)
            members = await f.members(gid)
            if members is not None:
                entry["members"] = keyed("member", members, "user_id")
            guilds[gid] = entry
        snap["guilds"] = guilds
    dms = await f.get("/users/@me/dms", "/users/@me/dms")
    if dms is not None:
        snap["dms"] = keyed("channel", dms)
    settings = await f.get("/users/@me/settings", "/users/@me/settings")
    if settings is not None:
        snap["settings"] = settings
    saved = await f.saved()
    if saved is not None:
        snap["saved_messages"] = {s["message_id"]: {k: v for k, v in s.items() if k != "message"} for s in saved}
    rels = await f.get("/users/@me/relationships", "/users/@me/relationships")
    if rels is not None:
        snap["relationships"] = keyed("relationship", rels, "target_id")
    read_state = await f.get("/users/@me/read-state", "/users/@me/read-state")
    if read_state is not None:
        snap["read_state"] = read_states(read_state)
    messages: dict[str, Any] = {}
    for cid in channel_ids:
        path = f"/channels/{cid}/messages"
        page = await f.get(path, path, {"limit": MESSAGE_LIMIT})  # 404: a channel the user cannot view
        if page is not None:
            messages[cid] = keyed("message", page)
    snap["messages"] = messages
    snap["skipped"] = sorted(f.skipped)
    return snap


# ---- from the cache --------------------------------------------------------------------------


# ---- comparing -------------------------------------------------------------------------------


def _prune_like(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """`ours` without the sections `theirs` (REST) had to skip."""
    out = {k: v for k, v in ours.items() if k in theirs}
    if "guilds" in out and "guilds" in theirs:
        out["guilds"] = {
            gid: {part: v for part, v in entry.items() if gid not in theirs["guilds"] or part in theirs["guilds"][gid]}
            for gid, entry in out["guilds"].items()
        }
    if "messages" in out:
        # A channel whose messages REST could not list (skipped) is not compared.
        out["messages"] = {c: v for c, v in out["messages"].items() if c in theirs["messages"]}
    out["skipped"] = theirs.get("skipped", [])
    return out


def diff(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Every difference between two snapshots, one line each, by path."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines: list[str] = []
        for key in sorted(set(expected) | set(actual), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                lines.append(f"{where}: missing from the cache (REST has {expected[key]!r})")
            elif key not in expected:
                lines.append(f"{where}: only in the cache ({actual[key]!r}); REST has none")
            else:
                lines.extend(diff(expected[key], actual[key], where))
        return lines
    if expected != actual:
        return [f"{path}: REST has {expected!r}, the cache has {actual!r}"]
    return []


async def assert_converged(state: State, rest: RestClient, channel_ids: Iterable[str] = ()) -> dict[str, Any]:
    """Raise AssertionError naming every difference between the cache and REST; returns REST's snapshot."""
    ids = list(channel_ids)
    expected = await fetch_state(rest, ids)
    actual = _prune_like(state.snapshot(ids), expected)
    lines = diff(expected, actual)
    if lines:
        shown = "\n  ".join(lines[:40])
        more = f"\n  … and {len(lines) - 40} more" if len(lines) > 40 else ""
        raise AssertionError(f"the client cache differs from REST in {len(lines)} place(s):\n  {shown}{more}")
    return expected
