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
from typing import TYPE_CHECKING, Any

from amityvox.client.errors import ApiError
from amityvox.client.rest import JSON, RestClient

if TYPE_CHECKING:
    from amityvox.client.state import State

MESSAGE_LIMIT = 100  # messages compared per channel: the newest, as one REST page holds them

# Fields REST and events legitimately disagree on, dropped from both sides before comparing.
VOLATILE_FIELDS: dict[str, frozenset[str]] = {
    # MESSAGE_CREATE echoes the sender's `nonce` so the sender can match its pending message;
    # stored messages have no nonce, so REST never shows one.
    "message": frozenset({"nonce"}),
}

# Lists whose order carries no meaning, sorted so that order never counts as a difference.
_SET_LISTS: dict[str, dict[str, str | None]] = {
    "channel": {"permission_overwrites": "id", "recipients": "id"},
    "member": {"roles": None},
    "message": {"mention_user_ids": None, "mention_role_ids": None, "reactions": "emoji"},
    "read_state": {},
    "guild": {},
    "role": {},
    "emoji": {},
    "user": {},
    "relationship": {},
}


def normalise(kind: str, obj: JSON) -> JSON:
    """One object as compared: volatile fields dropped, unordered lists sorted."""
    out = {k: v for k, v in obj.items() if k not in VOLATILE_FIELDS.get(kind, ())}
    for name, key in _SET_LISTS.get(kind, {}).items():
        value = out.get(name)
        if isinstance(value, list):
            out[name] = sorted(value, key=(lambda item, k=key: item[k]) if key else None)
    if kind == "channel" and isinstance(out.get("recipients"), list):
        out["recipients"] = [normalise("user", u) for u in out["recipients"]]
    if kind in ("member", "relationship") and isinstance(out.get("user"), dict):
        out["user"] = normalise("user", out["user"])
    if kind == "message" and isinstance(out.get("author"), dict):
        out["author"] = normalise("user", out["author"])
    if kind == "message" and isinstance(out.get("attachments"), list):
        out["attachments"] = [_unsigned(a) for a in out["attachments"]]
    return out


def _unsigned(attachment: JSON) -> JSON:
    """File URLs are signed with an expiry that moves on once a day: two fetches either side of
    that moment name the same file with different URLs, so only the part before `ex=` counts."""

    def cut(url: Any) -> Any:
        return url.split("ex=", 1)[0] if isinstance(url, str) else url

    out = {**attachment, "url": cut(attachment.get("url"))}
    if isinstance(out.get("thumbnails"), list):
        out["thumbnails"] = [{**t, "url": cut(t.get("url"))} for t in out["thumbnails"]]
    return out


def _keyed(kind: str, items: Iterable[JSON], key: str = "id") -> dict[str, JSON]:
    return {item[key]: normalise(kind, item) for item in items}


def _read_states(items: Iterable[JSON]) -> dict[str, JSON]:
    """Channels never read with nothing unread are the same as channels with no entry at all."""
    return {
        rs["channel_id"]: normalise("read_state", rs)
        for rs in items
        if rs.get("last_message_id") is not None or rs["unread_count"] or rs["mention_count"]
    }


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
                    entry[part] = _keyed(kind, items, key)
            members = await f.members(gid)
            if members is not None:
                entry["members"] = _keyed("member", members, "user_id")
            guilds[gid] = entry
        snap["guilds"] = guilds
    dms = await f.get("/users/@me/dms", "/users/@me/dms")
    if dms is not None:
        snap["dms"] = _keyed("channel", dms)
    settings = await f.get("/users/@me/settings", "/users/@me/settings")
    if settings is not None:
        snap["settings"] = settings
    saved = await f.saved()
    if saved is not None:
        snap["saved_messages"] = {s["message_id"]: {k: v for k, v in s.items() if k != "message"} for s in saved}
    rels = await f.get("/users/@me/relationships", "/users/@me/relationships")
    if rels is not None:
        snap["relationships"] = _keyed("relationship", rels, "target_id")
    read_state = await f.get("/users/@me/read-state", "/users/@me/read-state")
    if read_state is not None:
        snap["read_state"] = _read_states(read_state)
    messages: dict[str, Any] = {}
    for cid in channel_ids:
        path = f"/channels/{cid}/messages"
        page = await f.get(path, path, {"limit": MESSAGE_LIMIT})  # 404: a channel the user cannot view
        if page is not None:
            messages[cid] = _keyed("message", page)
    snap["messages"] = messages
    snap["skipped"] = sorted(f.skipped)
    return snap


# ---- from the cache --------------------------------------------------------------------------


def state_snapshot(state: State, channel_ids: Iterable[str] = ()) -> dict[str, Any]:
    """The cache in the same normalised shape as `fetch_state`."""
    snap: dict[str, Any] = {}
    if state.self_user is not None:
        snap["self"] = normalise("user", state.self_user)
    snap["guilds"] = {
        gid: {
            "guild": normalise("guild", guild),
            "channels": _keyed(
                "channel", (c for c in (state.channel(c["id"]) for c in state.guild_channels(gid)) if c)
            ),
            "roles": _keyed("role", state.roles.get(gid, {}).values()),
            "emoji": _keyed("emoji", state.emoji.get(gid, {}).values()),
            "members": _keyed("member", state.guild_members(gid), "user_id"),
        }
        for gid, guild in state.guilds.items()
    }
    if state.user_settings is not None:
        snap["settings"] = state.user_settings
    snap["saved_messages"] = dict(state.saved_messages)
    snap["dms"] = _keyed("channel", state.dms())
    snap["relationships"] = _keyed(
        "relationship", (r for r in (state.relationship(t) for t in state.relationships) if r), "target_id"
    )
    snap["read_state"] = _read_states(state.read_state.values())
    snap["messages"] = {
        cid: _keyed("message", state.messages_in(cid, MESSAGE_LIMIT)) for cid in channel_ids if cid in state.channels
    }
    snap["skipped"] = []
    return snap


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
