"""Reducer vectors for the web client, produced by the Python SDK's stores.

Each vector is a scenario: a READY payload, the events that follow it and the snapshot
the Python `State` reaches after applying them. The web client's Node tests apply the
same READY and events to the JS stores and must reach the same snapshot, so both
clients share one definition of every handler. Every payload is validated against the
catalog on the way. Regenerate after a store change with:

    .venv/bin/python -m tests.web.make_vectors
"""

from __future__ import annotations

import dataclasses
import json
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from amityvox.client.state import State
from amityvox.events import ALIASES, complete
from amityvox.events.payloads import SettingsValues
from tests.client.factories import Tally, reaction_event

JSON = dict[str, Any]
Event = tuple[str, JSON]
VECTOR_DIR = Path(__file__).with_name("vectors")
NOW = "2026-01-01T00:00:00.000000Z"
LATER = "2026-01-01T00:05:00.000000Z"
CLOCK = 1000.0  # typing timestamps; snapshots keep who types, not when


class Ids:
    """Increasing 26-character ids shaped like ULIDs, the same on every run."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"01J{self.n:023d}"


# ---- wire objects ---------------------------------------------------------------------------------


def user(uid: str, username: str, **extra: Any) -> JSON:
    return {"id": uid, "username": username, "status_presence": "online", "flags": 0, "created_at": NOW, **extra}


def guild(gid: str, owner: str, count: int, name: str = "Home") -> JSON:
    return {
        "id": gid, "owner_id": owner, "name": name, "default_permissions": "0", "flags": 0, "nsfw": False,
        "discoverable": False, "member_count": count, "created_at": NOW,
    }  # fmt: skip


def channel(cid: str, gid: str | None, kind: str = "text", name: str = "general", **extra: Any) -> JSON:
    out: JSON = {
        "id": cid, "channel_type": kind, "name": name, "position": 0, "slowmode_seconds": 0, "nsfw": False,
        "permission_overwrites": [], "locked": False, "archived": False, "created_at": NOW, **extra,
    }  # fmt: skip
    if gid is not None:
        out["guild_id"] = gid
    return out


def member(gid: str, who: JSON, roles: list[str] | None = None, **extra: Any) -> JSON:
    return {
        "guild_id": gid, "user_id": who["id"], "user": who, "roles": roles or [], "joined_at": NOW,
        "deaf": False, "mute": False, **extra,
    }  # fmt: skip


def role(rid: str, gid: str, name: str, position: int = 1) -> JSON:
    return {
        "id": rid, "guild_id": gid, "name": name, "hoist": False, "mentionable": True, "position": position,
        "permissions_allow": "0", "permissions_deny": "0", "created_at": NOW,
    }  # fmt: skip


def message(mid: str, cid: str, author: JSON, gid: str | None, content: str = "hi", **extra: Any) -> JSON:
    author = {k: v for k, v in author.items() if k != "email"}
    out: JSON = {
        "id": mid, "channel_id": cid, "author_id": author["id"], "author": author, "content": content,
        "message_type": "default", "flags": 0, "mention_user_ids": [], "mention_role_ids": [],
        "mention_here": False, "attachments": [], "embeds": [], "reactions": [], "pinned": False,
        "created_at": NOW, **extra,
    }  # fmt: skip
    if gid is not None:
        out["guild_id"] = gid
    return out


_TALLY: Tally = {}


def reaction(m: JSON, who: JSON, emoji: str, count: int) -> JSON:
    return reaction_event(_TALLY, m, who, emoji, count)


def voice_state(who: JSON, cid: str | None, gid: str | None, **extra: Any) -> JSON:
    out: JSON = {
        "user_id": who["id"], "session_id": f"vs-{who['username']}", "self_mute": False, "self_deaf": False,
        "mute": False, "deaf": False, "self_stream": False, "self_video": False, "user": who, **extra,
    }  # fmt: skip
    if cid is not None:
        out["channel_id"] = cid
    if gid is not None:
        out["guild_id"] = gid
    return out


def relationship(me: JSON, target: JSON, kind: str) -> JSON:
    return {"user_id": me["id"], "target_id": target["id"], "type": kind, "user": target, "created_at": NOW}


def full_guild(g: JSON, channels: list[JSON], roles: list[JSON], own: JSON, emoji: list[JSON] | None = None) -> JSON:
    return {**g, "channels": channels, "roles": roles, "emoji": emoji or [], "member": own}


def user_settings(uid: str, **changes: Any) -> JSON:
    """A whole settings document: the defaults, then `changes`."""
    return {"user_id": uid, **SettingsValues().model_dump(exclude_none=True), **changes}


def saved(owner: JSON, m: JSON, note: str | None = None, at: str = NOW) -> JSON:
    """A SavedMessage of `m` by `owner`."""
    out: JSON = {"user_id": owner["id"], "message_id": m["id"], "channel_id": m["channel_id"], "created_at": at}
    if m.get("guild_id") is not None:
        out["guild_id"] = m["guild_id"]
    if note is not None:
        out["note"] = note
    return out


def ready(me: JSON, guilds: list[JSON], **extra: Any) -> JSON:
    base: JSON = {
        "user": me, "session_id": "session-1", "guild_ids": [g["id"] for g in guilds], "guilds": guilds,
        "dms": [], "relationships": [], "read_state": [], "presences": {}, "voice_states": [],
    }  # fmt: skip
    return {**base, **extra}


# ---- the cast: a self user in one guild with text, voice and category channels --------------------


@dataclasses.dataclass
class World:
    ids: Ids
    me: JSON
    pub: JSON  # the self user as others see it (no e-mail)
    other: JSON
    third: JSON
    gid: str
    text: str
    voice: str
    category: str
    role_id: str
    dm: str

    @classmethod
    def make(cls) -> World:
        ids = Ids()
        me_id = ids()
        me = user(me_id, "me", email="me@example.org", display_name="Me")
        return cls(
            ids=ids, me=me, pub={k: v for k, v in me.items() if k != "email"}, other=user(ids(), "other"),
            third=user(ids(), "third"), gid=ids(), text=ids(), voice=ids(), category=ids(), role_id=ids(), dm=ids(),
        )  # fmt: skip

    def ready(self, **extra: Any) -> JSON:
        channels = [
            channel(self.category, self.gid, "category", "Text"),
            channel(self.text, self.gid, "text", "general", category_id=self.category, position=1),
            channel(self.voice, self.gid, "voice", "Lounge", position=2),
        ]
        own = member(self.gid, self.pub, [self.role_id])
        g = full_guild(guild(self.gid, self.other["id"], 2), channels, [role(self.role_id, self.gid, "crew")], own)
        dm = channel(self.dm, None, "dm", recipients=[self.pub, self.other])
        dm.pop("name")
        base = {
            "dms": [dm],
            "relationships": [relationship(self.me, self.other, "friend")],
            "read_state": [{"channel_id": self.text, "unread_count": 0, "mention_count": 0}],
            "presences": {self.other["id"]: "online", self.third["id"]: "offline"},
            "voice_states": [voice_state(self.other, self.voice, self.gid)],
            "settings": user_settings(self.me["id"]),
            "saved_messages": [saved(self.me, message(self.ids(), self.dm, self.other, None, "kept"), "from READY")],
        }
        return ready(self.me, [g], **{**base, **extra})

    def msg(self, author: JSON, content: str = "hi", **extra: Any) -> JSON:
        return message(self.ids(), self.text, author, self.gid, content, **extra)


# ---- scenarios ------------------------------------------------------------------------------------


def messages_scenario(w: World) -> Iterator[Event]:
    """Unread and mention counting, typing, reactions (count and me), edits, pins, previews, deletes."""
    yield "GUILD_MEMBERS_CHUNK", {"guild_id": w.gid, "members": [member(w.gid, w.other)], "not_found": [w.ids()]}
    yield "TYPING_START", {"channel_id": w.text, "guild_id": w.gid, "user_id": w.other["id"], "timestamp": NOW}
    yield "TYPING_START", {"channel_id": w.text, "guild_id": w.gid, "user_id": w.me["id"], "timestamp": NOW}
    first = w.msg(w.other, "hello @me", mention_user_ids=[w.me["id"]])
    yield "MESSAGE_CREATE", first  # clears other's typing, counts a mention
    by_role = w.msg(w.other, "hey crew", mention_role_ids=[w.role_id])
    yield "MESSAGE_CREATE", by_role
    plain = w.msg(w.other, "plain")
    yield "MESSAGE_CREATE", plain
    yield "TYPING_START", {"channel_id": w.text, "guild_id": w.gid, "user_id": w.third["id"], "timestamp": NOW}
    yield "MESSAGE_REACTION_ADD", reaction(first, w.other, "👍", 1)
    yield "MESSAGE_REACTION_ADD", reaction(first, w.me, "👍", 2)  # mine: me true
    yield "MESSAGE_REACTION_ADD", reaction(first, w.other, "🎉", 1)
    counts = [{"emoji": "👍", "count": 2, "me": False}, {"emoji": "🎉", "count": 1, "me": False}]
    edited = {**first, "content": "hello again @me", "edited_at": LATER, "reactions": counts}
    yield "MESSAGE_UPDATE", edited  # keeps my own `me` on 👍
    yield "MESSAGE_REACTION_REMOVE", reaction(first, w.me, "👍", 1)  # me false, count from the event
    yield "MESSAGE_REACTION_REMOVE", reaction(first, w.other, "🎉", 0)  # count 0: gone
    yield "MESSAGE_REACTION_ADD", reaction({**first, "id": w.ids()}, w.other, "👀", 1)  # unknown message
    yield "MESSAGE_REACTION_ADD", reaction(plain, w.other, "❤️", 1)  # another's: me stays false
    yield "MESSAGE_REACTION_ADD", reaction(plain, w.me, "😀", 1)
    yield "MESSAGE_REACTION_ADD", reaction(plain, w.other, "😀", 2)
    yield "MESSAGE_REACTION_REMOVE", reaction(plain, w.other, "😀", 1)  # another's removal: me stays true
    yield "MESSAGE_REACTION_ADD", reaction(by_role, w.other, "🔥", 3)
    yield "MESSAGE_REACTION_ADD", reaction(by_role, w.other, "✅", 1)
    yield (
        "MESSAGE_REACTION_CLEAR",
        {"message_id": by_role["id"], "channel_id": w.text, "guild_id": w.gid, "emoji": "🔥"},
    )
    yield "MESSAGE_EMBED_UPDATE", {
        "message_id": first["id"], "channel_id": w.text, "guild_id": w.gid,
        "embeds": [{"url": "https://example.org", "type": "website", "title": "Example"}],
    }  # fmt: skip
    yield "CHANNEL_PINS_UPDATE", {
        "channel_id": w.text, "guild_id": w.gid, "message_id": first["id"], "pinned": True, "last_pin_at": LATER,
    }  # fmt: skip
    yield "MESSAGE_EFFECT_CREATE", {
        "id": w.ids(), "message_id": first["id"], "channel_id": w.text, "user_id": w.other["id"],
        "effect_type": "confetti", "config": {"colors": ["red"]},
    }  # fmt: skip
    yield "SUPER_REACTION_ADD", {
        "id": w.ids(), "message_id": first["id"], "channel_id": w.text, "user_id": w.other["id"],
        "emoji": "🚀", "intensity": 3,
    }  # fmt: skip
    yield "MESSAGE_DELETE", {"id": by_role["id"], "channel_id": w.text, "guild_id": w.gid}  # unread mention gone
    mine = w.msg(w.me, "my own")
    yield "MESSAGE_CREATE", mine  # posting reads everything
    late = w.msg(w.other, "after mine @here", mention_here=True)
    yield "MESSAGE_CREATE", late
    yield "CHANNEL_ACK", {"channel_id": w.text, "message_id": first["id"], "user_id": w.me["id"]}  # back: recount
    yield "CHANNEL_ACK", {"channel_id": w.text, "message_id": late["id"], "user_id": w.other["id"]}  # not mine
    yield "MESSAGE_DELETE_BULK", {"message_ids": [late["id"], w.ids()], "channel_id": w.text, "guild_id": w.gid}
    # A webhook's messages keep the author each was sent as; WEBHOOKS_UPDATE counts per known channel.
    hook = w.ids()
    shown = {"id": hook, "username": "Deploys", "status_presence": "offline", "flags": 2, "created_at": NOW}
    rich = {"type": "rich", "title": "v1", "color": 255, "fields": [{"name": "tests", "value": "ok", "inline": True}]}
    yield "MESSAGE_CREATE", w.msg({**shown, "avatar_url": "https://example.org/a.png"}, "shipped", webhook_id=hook,
                                  embeds=[rich])  # fmt: skip
    yield "MESSAGE_CREATE", w.msg({**shown, "username": "Release train"}, "again", webhook_id=hook)
    yield "WEBHOOKS_UPDATE", {"guild_id": w.gid, "channel_id": w.text}
    yield "WEBHOOKS_UPDATE", {"guild_id": w.gid, "channel_id": w.ids()}  # a channel not in the cache: ignored
    yield "MESSAGE_CREATE", message(w.ids(), w.dm, w.other, None, "in the dm")
    yield "MESSAGE_CREATE", message(w.ids(), w.ids(), w.other, None, "unknown channel")


def channels_scenario(w: World) -> Iterator[Event]:
    """Threads, whole-channel updates, and a channel delete that takes everything about it along."""
    thread = w.ids()
    yield "THREAD_CREATE", channel(thread, w.gid, "text", "a thread", parent_channel_id=w.text)
    yield "MESSAGE_CREATE", message(w.ids(), thread, w.other, w.gid, "in the thread")
    first = w.msg(w.other, "to be deleted with the channel")
    yield "MESSAGE_CREATE", first
    yield "MESSAGE_EFFECT_CREATE", {
        "id": w.ids(), "message_id": first["id"], "channel_id": w.text, "user_id": w.other["id"],
        "effect_type": "confetti", "config": {},
    }  # fmt: skip
    poll = {
        "id": w.ids(), "channel_id": w.text, "author_id": w.other["id"], "question": "lunch?", "multi_vote": False,
        "anonymous": False, "closed": False, "total_votes": 0,
        "options": [{"id": w.ids(), "text": "yes", "position": 0, "vote_count": 0}],
    }  # fmt: skip
    yield "POLL_CREATE", poll
    yield "POLL_VOTE", {
        "poll_id": poll["id"], "channel_id": w.text, "user_id": w.me["id"], "option_ids": [poll["options"][0]["id"]],
        "options": [{"id": poll["options"][0]["id"], "vote_count": 1}], "total_votes": 1,
    }  # fmt: skip
    yield "TYPING_START", {"channel_id": w.text, "guild_id": w.gid, "user_id": w.other["id"], "timestamp": NOW}
    yield "LOCATION_SHARE_CREATE", {
        "id": w.ids(), "user_id": w.other["id"], "channel_id": w.text, "latitude": 1.5, "longitude": 2.5, "live": True,
    }  # fmt: skip
    game = w.ids()
    yield (
        "GAME_SESSION_CREATE",
        {"id": game, "channel_id": w.text, "game_type": "tictactoe", "state": {}, "status": "waiting"},
    )
    yield "GAME_PLAYER_JOIN", {"game_id": game, "user_id": w.other["id"], "player_index": 0, "channel_id": w.text}
    renamed = channel(w.voice, w.gid, "voice", "Big lounge", position=2, topic="talk")
    yield "CHANNEL_UPDATE", renamed
    yield "CHANNEL_CREATE", channel(w.ids(), w.gid, "announcement", "news", position=3)
    yield "CHANNEL_CREATE", channel(w.ids(), w.ids(), "text", "in a guild we are not in")
    yield "CHANNEL_DELETE", {"id": w.text, "guild_id": w.gid}
    yield "CHANNEL_DELETE", {"id": w.ids(), "guild_id": w.gid}  # unknown: nothing happens


def guilds_scenario(w: World) -> Iterator[Event]:
    """Members, roles, emoji, bans, onboarding, events, raid, automod, groups; leaving and deletion."""
    yield "GUILD_UPDATE", {**guild(w.gid, w.other["id"], 2, "Renamed"), "description": "a place"}
    yield "GUILD_UPDATE", guild(w.ids(), w.other["id"], 1, "not ours")
    yield "GUILD_MEMBER_ADD", member(w.gid, w.third)
    yield "GUILD_MEMBER_ADD", member(w.gid, w.third)  # a repeat does not count twice
    yield "GUILD_MEMBER_UPDATE", member(w.gid, {**w.third, "display_name": "Third"}, nickname="3rd")
    yield "GUILD_MEMBER_UPDATE", member(w.ids(), {**w.other, "display_name": "Other"})  # other guild: profile only
    new_role = w.ids()
    yield "GUILD_ROLE_CREATE", role(new_role, w.gid, "mods", 2)
    yield "GUILD_ROLE_UPDATE", {**role(new_role, w.gid, "moderators", 2), "color": "#ff0000"}
    yield "GUILD_MEMBER_UPDATE", member(w.gid, w.pub, [w.role_id, new_role])
    yield "GUILD_ROLE_DELETE", {"guild_id": w.gid, "role_id": w.role_id}  # taken from members too
    emoji_id = w.ids()
    emoji = {"id": emoji_id, "guild_id": w.gid, "name": "party", "animated": False, "created_at": NOW}
    yield "GUILD_EMOJI_UPDATE", emoji
    yield "GUILD_EMOJI_UPDATE", {**emoji, "name": "partyparrot"}
    yield "GUILD_EMOJI_UPDATE", {**emoji, "id": w.ids(), "name": "spare"}
    yield "GUILD_EMOJI_DELETE", {"id": emoji_id, "guild_id": w.gid}
    yield "GUILD_BAN_ADD", {"guild_id": w.gid, "user_id": w.third["id"], "reason": "spam"}
    yield "GUILD_MEMBER_REMOVE", {"guild_id": w.gid, "user_id": w.third["id"]}
    yield "GUILD_BAN_ADD", {"guild_id": w.gid, "user_id": w.ids()}
    yield "GUILD_BAN_REMOVE", {"guild_id": w.gid, "user_id": w.third["id"]}
    yield "GUILD_ONBOARDING_UPDATE", {
        "guild_id": w.gid, "enabled": True, "welcome_message": "hi", "rules": ["be kind"],
        "default_channel_ids": [w.text], "updated_at": NOW,
        "prompts": [{"id": w.ids(), "title": "Pick", "required": False, "single_select": True, "position": 0,
                     "options": [{"id": w.ids(), "label": "Games", "role_ids": [], "channel_ids": []}]}],
    }  # fmt: skip
    event_id = w.ids()
    event = {
        "id": event_id, "guild_id": w.gid, "creator_id": w.other["id"], "name": "Game night",
        "scheduled_start": LATER, "status": "scheduled", "interested_count": 0,
    }  # fmt: skip
    yield "GUILD_EVENT_CREATE", event
    yield "GUILD_EVENT_UPDATE", {**event, "interested_count": 1}
    yield "GUILD_EVENT_CREATE", {**event, "id": w.ids(), "name": "cancelled later"}
    yield "GUILD_EVENT_DELETE", {"id": event_id, "guild_id": w.gid}
    yield "RAID_LOCKDOWN", {"guild_id": w.gid, "active": True, "reason": "join flood", "started_at": NOW}
    yield "AUTOMOD_ACTION", {
        "guild_id": w.gid, "channel_id": w.text, "message_id": w.ids(), "user_id": w.me["id"], "rule_id": w.ids(),
        "rule_name": "no links", "action": "delete", "reason": "links are not allowed",
    }  # fmt: skip
    entry = {
        "id": w.ids(), "guild_id": w.gid, "actor_id": w.other["id"], "action": "ROLE_UPDATE", "target_type": "role",
        "target_id": new_role, "changes": [{"key": "name", "old": "mods", "new": "moderators"}],
        "reason": "clearer", "created_at": NOW,
    }  # fmt: skip
    yield "GUILD_AUDIT_LOG_ENTRY_CREATE", entry
    yield "GUILD_AUDIT_LOG_ENTRY_CREATE", {**entry, "id": w.ids(), "guild_id": w.ids()}  # not ours: dropped
    report = {
        "id": w.ids(), "guild_id": w.gid, "reporter_id": w.other["id"], "user_id": w.me["id"], "message_id": w.ids(),
        "channel_id": w.text, "reason": "rude", "status": "open", "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip
    yield "GUILD_REPORT_CREATE", report
    yield "GUILD_REPORT_UPDATE", {**report, "status": "resolved", "resolution": "talked", "handled_by": w.me["id"]}
    yield "GUILD_REPORT_CREATE", {**report, "id": w.ids(), "guild_id": w.ids()}  # not ours: dropped
    yield "GUILD_MEMBER_WARNING_CREATE", {
        "id": w.ids(), "guild_id": w.gid, "user_id": w.me["id"], "reason": "calm down", "created_at": NOW,
    }  # fmt: skip
    group_id = w.ids()
    group = {"id": group_id, "guild_id": w.gid, "name": "Fav", "position": 0, "channel_ids": [], "created_at": NOW}
    yield "CHANNEL_GROUP_CREATE", group
    yield "CHANNEL_GROUP_UPDATE", {**group, "name": "Favourites"}
    yield "CHANNEL_GROUP_ITEMS_UPDATE", {"group_id": group_id, "guild_id": w.gid, "channel_ids": [w.text, w.voice]}
    yield "CHANNEL_GROUP_CREATE", {**group, "id": w.ids(), "name": "gone"}
    yield "CHANNEL_GROUP_DELETE", {"id": group["id"], "guild_id": w.gid}
    # A second guild joined and then pruned from; the first one left (self removal drops it all).
    second, second_text = w.ids(), w.ids()
    yield (
        "GUILD_CREATE",
        full_guild(
            guild(second, w.other["id"], 3, "Second"), [channel(second_text, second)], [], member(second, w.pub)
        ),
    )
    yield "GUILD_MEMBER_ADD", member(second, w.other)
    yield "GUILD_MEMBERS_PRUNE", {"guild_id": second, "pruned": 1, "user_ids": [w.other["id"]]}
    yield "MESSAGE_CREATE", message(w.ids(), second_text, w.other, second, "still here")
    yield "GUILD_MEMBER_REMOVE", {"guild_id": w.gid, "user_id": w.me["id"]}
    yield "GUILD_MEMBER_ADD", member(w.gid, w.third)  # a guild we left: ignored
    third_guild = w.ids()
    yield "GUILD_CREATE", full_guild(guild(third_guild, w.me["id"], 1, "Third"), [], [], member(third_guild, w.pub))
    yield "GUILD_MEMBERS_PRUNE", {"guild_id": third_guild, "pruned": 1, "user_ids": [w.me["id"]]}
    yield "GUILD_DELETE", {"id": second}


def social_scenario(w: World) -> Iterator[Event]:
    """Profiles, presence, relationships, DMs, notifications, announcements and bots."""
    yield "USER_UPDATE", {**w.pub, "display_name": "Me Renamed", "bio": "hello"}  # keeps my e-mail
    yield "USER_UPDATE", {**w.other, "display_name": "Other One"}
    yield "USER_SETTINGS_UPDATE", user_settings(w.me["id"], theme="light", locale="de-DE", dm_privacy="friends")
    yield "USER_SETTINGS_UPDATE", user_settings(w.other["id"], theme="midnight")  # not mine: ignored
    yield (
        "PRESENCE_UPDATE",
        {"user_id": w.third["id"], "status": "busy", "activity": {"type": "playing", "name": "chess"}},
    )
    yield "PRESENCE_UPDATE", {"user_id": w.other["id"], "status": "offline"}
    yield "RELATIONSHIP_ADD", relationship(w.me, w.third, "pending_incoming")
    yield "RELATIONSHIP_UPDATE", relationship(w.me, w.third, "friend")
    yield "RELATIONSHIP_ADD", relationship(w.other, w.third, "friend")  # someone else's view: ignored
    yield "RELATIONSHIP_REMOVE", {"user_id": w.me["id"], "target_id": w.other["id"]}
    group_dm = w.ids()
    yield "CHANNEL_CREATE", {**channel(group_dm, None, "group", "friends", owner_id=w.me["id"]),
                             "recipients": [w.pub, w.other, w.third]}  # fmt: skip
    note = {
        "id": w.ids(), "user_id": w.me["id"], "type": "mention", "guild_id": w.gid, "channel_id": w.text,
        "actor_id": w.other["id"], "content": "hello @me", "read": False, "created_at": NOW,
    }  # fmt: skip
    yield "NOTIFICATION_CREATE", note
    second = {**note, "id": w.ids(), "type": "friend_request", "content": None}
    second.pop("content")
    yield "NOTIFICATION_CREATE", second
    yield "NOTIFICATION_CREATE", {**note, "id": w.ids(), "user_id": w.other["id"]}  # not mine
    yield "NOTIFICATION_UPDATE", {**note, "read": True}
    yield "NOTIFICATION_MARK_ALL_READ", {"updated": 1, "user_id": w.me["id"]}
    yield "NOTIFICATION_DELETE", {"id": note["id"], "user_id": w.me["id"]}
    yield "NOTIFICATION_CLEAR_ALL", {"user_id": w.other["id"]}  # not mine
    yield "NOTIFICATION_CLEAR_ALL", {"user_id": w.me["id"]}
    yield "NOTIFICATION_CREATE", {**note, "id": w.ids()}
    announcement = {"id": w.ids(), "title": "Maintenance", "content": "tonight", "severity": "warning", "active": True}
    yield "ANNOUNCEMENT_CREATE", announcement
    yield "ANNOUNCEMENT_CREATE", {**announcement, "id": w.ids(), "title": "gone soon"}
    yield "ANNOUNCEMENT_UPDATE", {**announcement, "content": "tonight at 22:00", "expires_at": LATER}
    yield "ANNOUNCEMENT_DELETE", {"id": w.ids()}
    bot = w.ids()
    yield "BOT_PRESENCE_UPDATE", {"bot_id": bot, "status": "online", "activity": {"type": "watching", "name": "logs"}}
    interaction = {
        "message_id": w.ids(), "channel_id": w.text, "user_id": w.other["id"], "custom_id": "ok",
        "component_type": "button", "values": [],
    }  # fmt: skip
    yield "COMPONENT_INTERACTION", {**interaction, "bot_id": bot}  # not my bot
    yield "COMPONENT_INTERACTION", {**interaction, "bot_id": w.me["id"]}
    use = {
        "id": w.ids(), "type": 2, "token": "ix.t", "guild_id": w.gid, "channel_id": w.text, "user_id": w.other["id"],
        "user": w.other, "created_at": NOW,
        "data": {"id": w.ids(), "name": "roll", "type": 1, "options": [{"name": "sides", "type": 4, "value": 20}]},
    }  # fmt: skip
    yield "INTERACTION_CREATE", {**use, "application_id": bot}  # not my bot
    yield "INTERACTION_CREATE", {**use, "application_id": w.me["id"]}
    choices = [{"name": "Initiative", "value": "initiative"}]
    yield "APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE", {"interaction_id": w.ids(), "user_id": w.other["id"],
                                                        "choices": choices}  # not mine  # fmt: skip
    yield "APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE", {"interaction_id": w.ids(), "user_id": w.me["id"],
                                                        "choices": choices}  # fmt: skip
    text_input = {"type": 4, "custom_id": "title", "style": 1, "label": "Title", "required": True}
    modal = {"id": use["id"], "application_id": bot, "guild_id": w.gid, "channel_id": w.text, "name": "note",
             "custom_id": "note", "title": "A note", "components": [{"type": 1,
                                                                     "components": [text_input]}]}  # fmt: skip
    yield "INTERACTION_MODAL_CREATE", {**modal, "user_id": w.other["id"]}  # not mine
    yield "INTERACTION_MODAL_CREATE", {**modal, "user_id": w.me["id"]}
    late = {"application_id": bot, "channel_id": w.text, "name": "roll"}
    yield "INTERACTION_TIMEOUT", {**late, "interaction_id": w.ids(), "user_id": w.other["id"]}  # not mine
    yield "INTERACTION_TIMEOUT", {**late, "interaction_id": w.ids(), "user_id": w.me["id"]}
    answer = w.msg(user(bot, "dice-bot"), "", flags=64 | 128,
                   interaction={"id": use["id"], "name": "roll", "user_id": w.me["id"]})  # fmt: skip
    yield "EPHEMERAL_MESSAGE_CREATE", answer  # the bot is thinking…
    yield "EPHEMERAL_MESSAGE_CREATE", {**answer, "content": "You rolled 17", "flags": 64}  # … and answers
    yield "EPHEMERAL_MESSAGE_CREATE", {**answer, "id": w.ids(), "channel_id": w.ids()}  # a channel not cached
    sides = {"type": 4, "name": "sides", "description": "Sides", "required": True, "min_value": 2}
    roll = {"id": w.ids(), "type": 1, "application_id": bot, "name": "roll", "description": "Roll a die",
            "options": [sides], "default_member_permissions": None, "version": w.ids()}  # fmt: skip
    flip = {**roll, "id": w.ids(), "guild_id": w.gid, "name": "flip", "description": "Flip a coin", "options": []}
    yield "APPLICATION_COMMAND_CREATE", {"guild_id": w.gid, "command": roll}  # a global command, for this guild
    yield "APPLICATION_COMMAND_CREATE", {"guild_id": w.gid, "command": flip}
    yield (
        "APPLICATION_COMMAND_UPDATE",
        {"guild_id": w.gid, "command": {**roll, "description": "Roll", "version": w.ids()}},
    )
    yield "APPLICATION_COMMAND_DELETE", {"guild_id": w.gid, "command": flip}
    yield "APPLICATION_COMMAND_CREATE", {"guild_id": w.ids(), "command": roll}  # a guild not cached: ignored
    yield "APPLICATION_COMMAND_DELETE", {"guild_id": w.ids(), "command": roll}


def voice_scenario(w: World) -> Iterator[Event]:
    """Voice moves, calls, the voice connection, broadcasts, screen shares and the soundboard."""
    yield "VOICE_STATE_UPDATE", voice_state(w.pub, w.voice, w.gid, self_mute=True)
    yield "VOICE_SERVER_UPDATE", {
        "user_id": w.me["id"], "guild_id": w.gid, "channel_id": w.voice, "endpoint": "wss://sfu", "token": "t",
        "ice_servers": [{"urls": ["stun:stun.example.org"]}], "max_peers": 4,
    }  # fmt: skip
    yield (
        "VOICE_SERVER_UPDATE",
        {"user_id": w.other["id"], "channel_id": w.voice, "endpoint": "wss://sfu", "token": "x"},
    )
    # Signalling changes no store: the voice mesh consumes it.
    yield "VOICE_SIGNAL", {
        "channel_id": w.voice, "from_user_id": w.other["id"], "to_user_id": w.me["id"], "kind": "offer", "sdp": "v=0",
    }  # fmt: skip
    share = {"session_id": "share-1", "channel_id": w.voice, "guild_id": w.gid, "user_id": w.other["id"]}
    yield "SCREEN_SHARE_START", {**share, "resolution": "1280x720", "framerate": 30}
    yield "SCREEN_SHARE_UPDATE", {**share, "framerate": 60, "audio_enabled": True}
    yield "SCREEN_SHARE_UPDATE", {**share, "session_id": "unknown", "framerate": 5}
    yield "SCREEN_SHARE_START", {**share, "session_id": "share-2", "user_id": w.me["id"]}
    yield "SCREEN_SHARE_END", {**share, "session_id": "share-2", "user_id": w.me["id"]}
    broadcast = {"broadcast_id": w.ids(), "channel_id": w.voice, "guild_id": w.gid, "broadcaster_id": w.other["id"]}
    yield "VOICE_BROADCAST_START", {**broadcast, "title": "live"}
    yield "VOICE_BROADCAST_START", {**broadcast, "broadcast_id": w.ids()}
    yield "VOICE_BROADCAST_END", broadcast
    sound = {"id": w.ids(), "guild_id": w.gid, "name": "airhorn", "volume": 0.8, "creator_id": w.other["id"],
             "created_at": NOW}  # fmt: skip
    yield "SOUNDBOARD_SOUND_CREATE", {"guild_id": w.gid, "sound": sound}
    yield "SOUNDBOARD_SOUND_CREATE", {"guild_id": w.gid, "sound": {**sound, "id": w.ids(), "name": "drum"}}
    yield "SOUNDBOARD_PLAY", {"guild_id": w.gid, "channel_id": w.voice, "sound_id": sound["id"],
                              "user_id": w.other["id"], "volume": 1.0}  # fmt: skip
    yield "SOUNDBOARD_SOUND_DELETE", {"guild_id": w.gid, "sound_id": sound["id"]}
    # The other user moves to the DM call; their screen share in the guild channel ends with it.
    yield "CALL_RING", {"channel_id": w.dm, "caller_id": w.other["id"], "caller": w.other, "channel_type": "dm"}
    yield "VOICE_STATE_UPDATE", voice_state(w.other, w.dm, None)
    yield "CALL_RING", {"channel_id": w.dm, "caller_id": w.me["id"], "caller": w.pub, "channel_type": "dm"}
    yield "VOICE_STATE_UPDATE", voice_state(w.pub, w.dm, None)  # answered
    yield "VOICE_STATE_UPDATE", voice_state(w.pub, None, None)  # left: no voice connection
    yield "VOICE_STATE_UPDATE", voice_state(w.other, None, None)


def features_scenario(w: World) -> Iterator[Event]:
    """Polls (votes merge into a known poll), whiteboards (versions), snippets, kanban, widgets, locations."""
    opts = [w.ids(), w.ids(), w.ids()]
    poll = {
        "id": w.ids(), "channel_id": w.text, "author_id": w.other["id"], "question": "Where?", "multi_vote": True,
        "anonymous": False, "closed": False, "total_votes": 0, "expires_at": LATER,
        "options": [{"id": o, "text": t, "position": i, "vote_count": 0} for i, (o, t) in enumerate(zip(opts, "abc", strict=True))],  # noqa: E501
    }  # fmt: skip
    yield "POLL_CREATE", poll
    yield "POLL_VOTE", {
        "poll_id": poll["id"], "channel_id": w.text, "user_id": w.other["id"], "option_ids": [opts[0]],
        "options": [{"id": opts[0], "vote_count": 1}], "total_votes": 1,
    }  # fmt: skip
    yield "POLL_VOTE", {
        "poll_id": poll["id"], "channel_id": w.text, "user_id": w.me["id"], "option_ids": [opts[0], opts[2]],
        "options": [{"id": opts[0], "vote_count": 2}, {"id": opts[2], "vote_count": 1}], "total_votes": 3,
    }  # fmt: skip
    yield "POLL_VOTE", {
        "poll_id": w.ids(), "channel_id": w.text, "option_ids": [opts[1]],
        "options": [{"id": opts[1], "vote_count": 9}], "total_votes": 9,
    }  # fmt: skip
    anonymous = {**poll, "id": w.ids(), "anonymous": True, "multi_vote": False}
    yield "POLL_CREATE", anonymous
    yield "POLL_VOTE", {
        "poll_id": anonymous["id"], "channel_id": w.text, "option_ids": [opts[1]],
        "options": [{"id": opts[1], "vote_count": 1}], "total_votes": 1,
    }  # fmt: skip
    yield "POLL_CLOSE", {"poll_id": poll["id"], "channel_id": w.text, "closed_by": w.other["id"]}
    yield "POLL_CLOSE", {"poll_id": w.ids(), "channel_id": w.text}
    share = {"id": w.ids(), "user_id": w.other["id"], "channel_id": w.text, "latitude": 52.5, "longitude": 13.4,
             "live": True, "label": "office"}  # fmt: skip
    yield "LOCATION_SHARE_CREATE", share
    yield "LOCATION_SHARE_UPDATE", {**share, "latitude": 52.6, "accuracy": 5.0}
    yield "LOCATION_SHARE_CREATE", {**share, "id": w.ids(), "live": False, "expires_at": LATER}
    stop = {"id": share["id"], "user_id": w.other["id"], "channel_id": w.text}
    yield "LOCATION_SHARE_STOP", stop
    yield "LOCATION_SHARE_END", stop  # the same event under the original client's name: skipped
    board = {"whiteboard_id": w.ids(), "channel_id": w.text, "user_id": w.other["id"]}
    yield "WHITEBOARD_UPDATE", {**board, "state": {"shapes": [1]}, "version": 2}
    yield "WHITEBOARD_UPDATE", {**board, "state": {"shapes": []}, "version": 1}  # stale
    yield "WHITEBOARD_UPDATE", {**board, "state": {"shapes": [1, 2]}, "version": 3}
    yield "CODE_SNIPPET_CREATE", {
        "id": w.ids(), "channel_id": w.text, "author_id": w.other["id"], "title": "hello", "language": "python",
        "code": "print('hi')",
    }  # fmt: skip
    board_id, todo, done = w.ids(), w.ids(), w.ids()
    card = {"id": w.ids(), "board_id": board_id, "column_id": todo, "channel_id": w.text, "title": "Ship it",
            "position": 0, "creator_id": w.other["id"], "created_at": NOW}  # fmt: skip
    yield "KANBAN_CARD_CREATE", card
    yield "KANBAN_CARD_CREATE", {**card, "id": w.ids(), "title": "Test it", "position": 1, "description": "all"}
    review = {**card, "id": w.ids(), "title": "Review it", "position": 2}
    yield "KANBAN_CARD_CREATE", review
    yield "KANBAN_CARD_CREATE", {**card, "id": w.ids(), "column_id": done, "title": "Plan it", "position": 0}
    # A move renumbers both columns 0..n-1, as the server does: out of todo, in front of "Plan it".
    yield "KANBAN_CARD_MOVE", {"card_id": card["id"], "board_id": board_id, "column_id": done, "position": 0,
                               "channel_id": w.text}  # fmt: skip
    yield "KANBAN_CARD_MOVE", {"card_id": review["id"], "board_id": board_id, "column_id": todo, "position": 0,
                               "channel_id": w.text}  # fmt: skip
    yield "KANBAN_CARD_MOVE", {"card_id": w.ids(), "board_id": board_id, "column_id": done, "position": 1,
                               "channel_id": w.text}  # fmt: skip
    widget = {"id": w.ids(), "channel_id": w.text, "guild_id": w.gid, "widget_type": "notes", "title": "Notes",
              "config": {"text": "a"}, "position": 0, "creator_id": w.other["id"], "created_at": NOW}  # fmt: skip
    yield "CHANNEL_WIDGET_CREATE", widget
    yield "CHANNEL_WIDGET_UPDATE", {**widget, "config": {"text": "b"}}
    yield "CHANNEL_WIDGET_CREATE", {**widget, "id": w.ids(), "title": "gone"}
    yield "CHANNEL_WIDGET_DELETE", {"widget_id": widget["id"], "channel_id": w.text}


def activities_scenario(w: World) -> Iterator[Event]:
    """Activity sessions, games (tic-tac-toe), watch-together and music parties."""
    session = {
        "id": w.ids(), "activity_id": w.ids(), "channel_id": w.voice, "guild_id": w.gid, "host_id": w.other["id"],
        "participants": [w.other["id"]], "state": {}, "status": "active", "started_at": NOW,
    }  # fmt: skip
    yield "ACTIVITY_SESSION_START", session
    yield "ACTIVITY_PARTICIPANT_JOIN", {"session_id": session["id"], "user_id": w.me["id"], "channel_id": w.voice}
    yield "ACTIVITY_PARTICIPANT_JOIN", {"session_id": session["id"], "user_id": w.me["id"], "channel_id": w.voice}
    yield "ACTIVITY_STATE_UPDATE", {"session_id": session["id"], "state": {"round": 2}, "channel_id": w.voice}
    yield "ACTIVITY_PARTICIPANT_LEAVE", {"session_id": session["id"], "user_id": w.other["id"], "channel_id": w.voice}
    yield "ACTIVITY_PARTICIPANT_JOIN", {"session_id": w.ids(), "user_id": w.me["id"], "channel_id": w.voice}
    ended = {**session, "id": w.ids(), "status": "ended"}
    yield "ACTIVITY_SESSION_START", {**ended, "status": "active"}
    yield "ACTIVITY_SESSION_END", ended
    game = w.ids()
    yield "GAME_SESSION_CREATE", {"id": game, "channel_id": w.text, "game_type": "tictactoe",
                                  "state": {"board": [None] * 9}, "status": "waiting"}  # fmt: skip
    yield "GAME_PLAYER_JOIN", {"game_id": game, "user_id": w.other["id"], "player_index": 0, "channel_id": w.text}
    yield "GAME_PLAYER_JOIN", {"game_id": game, "user_id": w.me["id"], "player_index": 1, "channel_id": w.text}
    yield "GAME_PLAYER_JOIN", {"game_id": w.ids(), "user_id": w.me["id"], "player_index": 1, "channel_id": w.text}
    board = ["X", None, None, None, None, None, None, None, None]
    yield "GAME_MOVE", {"game_id": game, "user_id": w.other["id"], "move": {"cell": 0}, "state": {"board": board},
                        "status": "active", "next_turn": w.me["id"], "channel_id": w.text}  # fmt: skip
    yield "GAME_MOVE", {"game_id": game, "user_id": w.me["id"], "move": {"cell": 4},
                        "state": {"board": ["X", None, None, None, "O", None, None, None, None], "winner": None},
                        "status": "finished", "channel_id": w.text}  # fmt: skip
    watch = {"id": w.ids(), "channel_id": w.text, "guild_id": w.gid, "host_id": w.other["id"],
             "video_url": "https://video.example/v", "current_time_ms": 0, "playing": False, "playback_rate": 1.0,
             "started_at": NOW}  # fmt: skip
    yield "WATCH_TOGETHER_START", watch
    yield "WATCH_TOGETHER_SYNC", {"session_id": watch["id"], "current_time_ms": 42000, "playing": True,
                                  "playback_rate": 1.5, "channel_id": w.text}  # fmt: skip
    yield "WATCH_TOGETHER_SYNC", {"session_id": w.ids(), "current_time_ms": 1, "playing": True,
                                  "playback_rate": 1.0, "channel_id": w.text}  # fmt: skip
    party = {"id": w.ids(), "channel_id": w.voice, "guild_id": w.gid, "host_id": w.other["id"], "queue": [],
             "current_index": 0, "playing": True, "started_at": NOW}  # fmt: skip
    yield "MUSIC_PARTY_START", party
    track = {"url": "https://music.example/1", "title": "Song", "added_by": w.me["id"], "duration_ms": 180000}
    yield "MUSIC_PARTY_QUEUE_ADD", {"session_id": party["id"], "track": track, "queue_size": 1, "channel_id": w.voice}
    yield "MUSIC_PARTY_QUEUE_ADD", {"session_id": w.ids(), "track": track, "queue_size": 1, "channel_id": w.voice}


def saved_scenario(w: World) -> Iterator[Event]:
    """Saved messages: add, note change, remove, others' ignored; deletion and a lost channel drop saves."""
    first = w.msg(w.other, "worth keeping")
    yield "MESSAGE_CREATE", first
    yield "SAVED_MESSAGE_ADD", saved(w.me, first)
    yield "SAVED_MESSAGE_ADD", saved(w.other, first, "theirs")  # not mine: ignored
    yield "SAVED_MESSAGE_ADD", saved(w.me, first, "read later")  # the note changes
    in_dm = message(w.ids(), w.dm, w.other, None, "in the dm")
    yield "MESSAGE_CREATE", in_dm
    yield "SAVED_MESSAGE_ADD", saved(w.me, in_dm, at=LATER)
    yield "SAVED_MESSAGE_REMOVE", {"user_id": w.me["id"], "message_id": in_dm["id"], "channel_id": w.dm}
    yield "SAVED_MESSAGE_REMOVE", {"user_id": w.other["id"], "message_id": first["id"], "channel_id": w.text}
    yield "MESSAGE_DELETE", {"id": first["id"], "channel_id": w.text, "guild_id": w.gid}  # its save goes too
    second = w.msg(w.other, "saved, then the channel goes")
    yield "MESSAGE_CREATE", second
    yield "SAVED_MESSAGE_ADD", saved(w.me, second)
    third = w.msg(w.other, "saved, then bulk-deleted")
    yield "MESSAGE_CREATE", third
    yield "SAVED_MESSAGE_ADD", saved(w.me, third)
    yield "MESSAGE_DELETE_BULK", {"message_ids": [third["id"]], "channel_id": w.text, "guild_id": w.gid}
    yield "CHANNEL_DELETE", {"id": w.text, "guild_id": w.gid}


def connection_scenario(w: World) -> Iterator[Event]:
    """Disconnects, resumes, running out of attempts, a fresh READY, and a revoked token."""
    yield "GATEWAY_DISCONNECTED", {"code": 4009, "reason": "session timed out"}
    yield "RESUMED", {"replayed": 3}
    yield "GATEWAY_DISCONNECTED", {}
    yield "GATEWAY_EXHAUSTED", {"attempts": 10}
    yield "PRESENCE_UPDATE", {"user_id": w.third["id"], "status": "idle"}
    yield "READY", {**w.ready(), "session_id": "session-2"}  # starts every store again
    yield "GATEWAY_DISCONNECTED", {"code": 4004, "reason": "authentication failed"}
    yield "GATEWAY_AUTH_FAILED", {"code": 4004}


SCENARIOS: dict[str, Callable[[World], Iterator[Event]]] = {
    "messages": messages_scenario,
    "channels": channels_scenario,
    "guilds": guilds_scenario,
    "social": social_scenario,
    "voice": voice_scenario,
    "features": features_scenario,
    "activities": activities_scenario,
    "connection": connection_scenario,
    "saved": saved_scenario,
}


# ---- the snapshot -----------------------------------------------------------------------------------

_SETTINGS = frozenset({"clock", "max_messages"})


def _plain(value: Any) -> Any:
    if isinstance(value, deque | list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    return value


def snapshot(state: State) -> JSON:
    """Every store as plain JSON, in the shape the JS `snapshot(state)` builds."""
    out: JSON = {}
    for f in dataclasses.fields(state):
        if f.name in _SETTINGS or f.name in ("strict", "validate"):
            continue
        out[f.name] = _plain(getattr(state, f.name))
    out["typing"] = {c: sorted(seen) for c, seen in state.typing.items()}
    result: JSON = json.loads(json.dumps(out))
    return result


def build(name: str) -> JSON:
    """One vector: run the scenario through the Python stores (validating every payload)."""
    world = World.make()
    _TALLY.clear()
    state = State(strict=True, validate=True, clock=lambda: CLOCK)
    first = world.ready()
    state.apply("READY", first)
    # Payloads as published: with the fields the catalog derives for the original clients.
    events = [(n, d if n in ALIASES else complete(n, d)) for n, d in SCENARIOS[name](world)]
    for event_name, d in events:
        state.apply(event_name, d)
    return {
        "name": name,
        "doc": (SCENARIOS[name].__doc__ or "").strip(),
        "ready": first,
        "events": [[n, d] for n, d in events],
        "expected": snapshot(state),
    }


def render(vector: JSON) -> str:
    return json.dumps(vector, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main() -> None:
    VECTOR_DIR.mkdir(exist_ok=True)
    for name in SCENARIOS:
        path = VECTOR_DIR / f"{name}.json"
        path.write_text(render(build(name)), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
