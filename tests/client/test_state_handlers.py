"""The cache's handlers follow SPEC §6 semantics (payloads validated against the catalog)."""

from __future__ import annotations

import copy
from dataclasses import fields

from amityvox.client import State
from amityvox.client.stores.base import StoreBase
from amityvox.events import complete
from tests.client import factories as f


def known(obj: f.JSON | None) -> f.JSON:
    assert obj is not None
    return obj


def reactions_of(w: f.World, m: f.JSON) -> list[f.JSON]:
    return list(known(w.state.message(w.channel_id, m["id"]))["reactions"])


def stores_of(state: State) -> dict[str, object]:
    return {fl.name: copy.deepcopy(getattr(state, fl.name)) for fl in fields(StoreBase) if fl.name != "clock"}


# ---- reactions -------------------------------------------------------------------------------


def test_reaction_counts_come_from_the_event_and_me_follows_the_self_users_own_reactions() -> None:
    w = f.World()
    m = w.post()
    w.state.apply("MESSAGE_REACTION_ADD", w.reaction(m, w.other, "👍", 1))
    assert reactions_of(w, m) == [{"emoji": "👍", "count": 1, "me": False}]
    w.state.apply("MESSAGE_REACTION_ADD", w.reaction(m, w.me, "👍", 2))
    assert reactions_of(w, m) == [{"emoji": "👍", "count": 2, "me": True}]
    # The event's count is the total: applying it twice must not count twice.
    w.state.apply("MESSAGE_REACTION_ADD", w.reaction(m, w.me, "👍", 2))
    assert reactions_of(w, m)[0]["count"] == 2
    # Someone else removing theirs leaves ours.
    w.state.apply("MESSAGE_REACTION_REMOVE", w.reaction(m, w.other, "👍", 1))
    assert reactions_of(w, m) == [{"emoji": "👍", "count": 1, "me": True}]
    w.state.apply("MESSAGE_REACTION_REMOVE", w.reaction(m, w.me, "👍", 0))
    assert reactions_of(w, m) == []


def test_a_reaction_count_jump_is_taken_as_is() -> None:
    w = f.World()
    m = w.post()
    w.state.apply("MESSAGE_REACTION_ADD", w.reaction(m, w.other, "🎉", 5))
    assert reactions_of(w, m) == [{"emoji": "🎉", "count": 5, "me": False}]


def test_reaction_clear_drops_one_emoji_or_all() -> None:
    w = f.World()
    m = w.post()
    for emoji in ("a", "b"):
        w.state.apply("MESSAGE_REACTION_ADD", w.reaction(m, w.me, emoji, 1))
    base = {"message_id": m["id"], "channel_id": w.channel_id, "guild_id": w.guild_id}
    w.state.apply("MESSAGE_REACTION_CLEAR", {**base, "emoji": "a"})
    assert [r["emoji"] for r in reactions_of(w, m)] == ["b"]
    w.state.apply("MESSAGE_REACTION_CLEAR", base)
    assert reactions_of(w, m) == []


def test_a_message_edit_keeps_the_self_users_reactions() -> None:
    w = f.World()
    m = w.post()
    w.state.apply("MESSAGE_REACTION_ADD", w.reaction(m, w.me, "👍", 1))
    edited = {**m, "content": "edited", "edited_at": f.NOW, "reactions": [{"emoji": "👍", "count": 1, "me": False}]}
    w.state.apply("MESSAGE_UPDATE", edited)
    cached = known(w.state.message(w.channel_id, m["id"]))
    assert cached["content"] == "edited"
    assert cached["reactions"] == [{"emoji": "👍", "count": 1, "me": True}]


# ---- membership ------------------------------------------------------------------------------


def test_the_self_users_removal_takes_the_whole_guild_with_it() -> None:
    w = f.World()
    w.post()
    w.state.apply("TYPING_START", {"channel_id": w.channel_id, "user_id": w.other["id"], "timestamp": f.NOW})
    w.state.apply("GUILD_MEMBER_REMOVE", {"guild_id": w.guild_id, "user_id": w.me["id"]})
    s = w.state
    assert w.guild_id not in s.guilds
    assert w.channel_id not in s.channels and w.channel_id not in s.messages
    assert w.guild_id not in s.members and w.guild_id not in s.roles and w.guild_id not in s.emoji
    assert s.typing_in(w.channel_id) == []
    assert w.channel_id not in s.read_state


def test_another_members_removal_drops_them_and_counts_down() -> None:
    w = f.World()
    w.state.apply("GUILD_MEMBER_REMOVE", {"guild_id": w.guild_id, "user_id": w.other["id"]})
    assert w.state.member(w.guild_id, w.other["id"]) is None
    assert w.state.guilds[w.guild_id]["member_count"] == 1
    assert w.state.member(w.guild_id, w.me["id"]) is not None


def test_member_add_counts_up_once() -> None:
    w = f.World()
    newcomer = f.user(username="new")
    w.state.apply("GUILD_MEMBER_ADD", f.member(w.guild_id, newcomer))
    w.state.apply("GUILD_MEMBER_ADD", f.member(w.guild_id, newcomer))
    assert w.state.guilds[w.guild_id]["member_count"] == 3
    assert known(w.state.member(w.guild_id, newcomer["id"]))["user"]["username"] == "new"


def test_prune_removes_those_members_and_the_guild_if_self_was_pruned() -> None:
    w = f.World()
    a, b = f.user(), f.user()
    for u in (a, b):
        w.state.apply("GUILD_MEMBER_ADD", f.member(w.guild_id, u))
    w.state.apply("GUILD_MEMBERS_PRUNE", {"guild_id": w.guild_id, "pruned": 2, "user_ids": [a["id"], b["id"]]})
    assert sorted(w.state.members[w.guild_id]) == sorted([w.me["id"], w.other["id"]])
    assert w.state.guilds[w.guild_id]["member_count"] == 2
    w.state.apply("GUILD_MEMBERS_PRUNE", {"guild_id": w.guild_id, "pruned": 1, "user_ids": [w.me["id"]]})
    assert w.guild_id not in w.state.guilds


def test_guild_delete_removes_everything_of_the_guild() -> None:
    w = f.World()
    w.post()
    other_guild = f.guild(f.new_id(), w.me["id"])
    other_channel = f.channel(f.new_id(), other_guild["id"])
    own = f.member(other_guild["id"], w.public_me)
    w.state.apply("GUILD_CREATE", f.full_guild(other_guild, [other_channel], [], own))
    w.state.apply("GUILD_DELETE", {"id": w.guild_id})
    assert list(w.state.guilds) == [other_guild["id"]]
    assert list(w.state.channels) == [other_channel["id"]]
    assert list(w.state.members) == [other_guild["id"]] and list(w.state.roles) == [other_guild["id"]]
    assert w.state.messages == {}


def test_role_delete_takes_the_role_from_members() -> None:
    w = f.World()
    w.state.apply("GUILD_ROLE_DELETE", {"guild_id": w.guild_id, "role_id": w.role_id})
    assert w.state.roles[w.guild_id] == {}
    assert known(w.state.member(w.guild_id, w.me["id"]))["roles"] == []


def test_user_update_reaches_members_authors_and_self_but_keeps_the_email() -> None:
    w = f.World()
    m = w.post()
    w.state.apply("USER_UPDATE", {**w.other, "display_name": "Renamed"})
    assert known(w.state.member(w.guild_id, w.other["id"]))["user"]["display_name"] == "Renamed"
    assert known(w.state.message(w.channel_id, m["id"]))["author"]["display_name"] == "Renamed"
    w.state.apply("USER_UPDATE", {**w.public_me, "bio": "hello"})
    assert known(w.state.self_user)["bio"] == "hello" and known(w.state.self_user)["email"] == "me@example.org"


# ---- channels --------------------------------------------------------------------------------


def test_guild_create_then_channel_create_update_delete() -> None:
    w = f.World()
    gid = f.new_id()
    own = f.member(gid, w.public_me)
    w.state.apply("GUILD_CREATE", f.full_guild(f.guild(gid, w.me["id"]), [], [], own))
    assert w.state.guild_channels(gid) == []
    cid = f.new_id()
    w.state.apply("CHANNEL_CREATE", f.channel(cid, gid, topic="first", name="news"))
    assert known(w.state.channel(cid))["topic"] == "first"
    # CHANNEL_UPDATE is the whole channel: a field it no longer has is gone.
    w.state.apply("CHANNEL_UPDATE", f.channel(cid, gid, name="renamed", locked=True))
    assert w.state.channel(cid) == f.channel(cid, gid, name="renamed", locked=True)
    w.state.apply("CHANNEL_DELETE", {"id": cid, "guild_id": gid})
    assert w.state.channel(cid) is None and w.state.guild_channels(gid) == []


def test_channel_delete_removes_its_messages_threads_typing_and_read_state() -> None:
    w = f.World()
    w.post()
    thread_id = f.new_id()
    w.state.apply("THREAD_CREATE", f.channel(thread_id, w.guild_id, parent_channel_id=w.channel_id))
    w.state.apply("TYPING_START", {"channel_id": w.channel_id, "user_id": w.other["id"], "timestamp": f.NOW})
    assert w.state.read_state[w.channel_id]["unread_count"] == 1
    w.state.apply("CHANNEL_DELETE", {"id": w.channel_id, "guild_id": w.guild_id})
    assert w.channel_id not in w.state.channels and thread_id not in w.state.channels
    assert w.channel_id not in w.state.messages
    assert w.channel_id not in w.state.read_state and w.channel_id not in w.state.typing


def test_a_channel_of_an_unknown_guild_is_not_cached() -> None:
    w = f.World()
    cid = f.new_id()
    w.state.apply("CHANNEL_CREATE", f.channel(cid, f.new_id()))
    assert cid not in w.state.channels


def test_message_create_moves_the_channels_last_message_id() -> None:
    w = f.World()
    m = w.post()
    assert known(w.state.channel(w.channel_id))["last_message_id"] == m["id"]


# ---- typing ----------------------------------------------------------------------------------


def test_typing_expires_after_ten_seconds_and_ends_with_a_message() -> None:
    w = f.World()
    now = [100.0]
    w.state.clock = lambda: now[0]
    third = f.user()
    for who in (w.other, third):
        w.state.apply("TYPING_START", {"channel_id": w.channel_id, "user_id": who["id"], "timestamp": f.NOW})
    assert w.state.typing_in(w.channel_id) == sorted([w.other["id"], third["id"]])
    now[0] += 5
    w.post(w.other)  # posting ends the indicator
    assert w.state.typing_in(w.channel_id) == [third["id"]]
    now[0] += 5.5
    assert w.state.typing_in(w.channel_id) == []


# ---- read state ------------------------------------------------------------------------------


def test_read_state_counts_messages_from_others_and_mentions_of_self() -> None:
    w = f.World()
    me, rs = w.me["id"], w.state.read_state
    w.post()
    assert (rs[w.channel_id]["unread_count"], rs[w.channel_id]["mention_count"]) == (1, 0)
    w.post(mention_user_ids=[me])
    w.post(mention_here=True)
    w.post(mention_role_ids=[w.role_id])
    w.post(mention_role_ids=[f.new_id()])  # a role the self user does not hold
    w.post(mention_user_ids=[w.other["id"]])
    assert (rs[w.channel_id]["unread_count"], rs[w.channel_id]["mention_count"]) == (6, 3)


def test_own_message_and_own_ack_reset_read_state_but_others_acks_do_not() -> None:
    w = f.World()
    w.post(mention_here=True)
    mine = w.post(w.public_me)
    assert w.state.read_state[w.channel_id] == {
        "channel_id": w.channel_id, "last_message_id": mine["id"], "unread_count": 0, "mention_count": 0,
    }  # fmt: skip
    first = w.post(mention_user_ids=[w.me["id"]])
    second = w.post()
    w.state.apply("CHANNEL_ACK", {"channel_id": w.channel_id, "message_id": second["id"], "user_id": w.other["id"]})
    assert w.state.read_state[w.channel_id]["unread_count"] == 2
    w.state.apply("CHANNEL_ACK", {"channel_id": w.channel_id, "message_id": second["id"], "user_id": w.me["id"]})
    assert w.state.read_state[w.channel_id]["unread_count"] == 0
    # Acking an older message marks what follows it unread again.
    w.state.apply("CHANNEL_ACK", {"channel_id": w.channel_id, "message_id": mine["id"], "user_id": w.me["id"]})
    assert (w.state.read_state[w.channel_id]["unread_count"], w.state.read_state[w.channel_id]["mention_count"]) == (
        2,
        1,
    )
    w.state.apply("MESSAGE_DELETE", {"id": first["id"], "channel_id": w.channel_id, "guild_id": w.guild_id})
    assert (w.state.read_state[w.channel_id]["unread_count"], w.state.read_state[w.channel_id]["mention_count"]) == (
        1,
        0,
    )


# ---- partial payloads ------------------------------------------------------------------------


def test_partial_payloads_about_unknown_objects_change_nothing() -> None:
    w = f.World()
    before = stores_of(w.state)
    cid, uid, unknown = w.channel_id, w.other["id"], f.new_id()
    partials: dict[str, f.JSON] = {
        "POLL_VOTE": {"poll_id": unknown, "channel_id": cid, "option_ids": [], "options": [], "total_votes": 1},
        "POLL_CLOSE": {"poll_id": unknown, "channel_id": cid},
        "KANBAN_CARD_MOVE": {
            "card_id": unknown, "board_id": unknown, "column_id": unknown, "position": 1, "channel_id": cid,
        },
        "WATCH_TOGETHER_SYNC": {
            "session_id": unknown, "current_time_ms": 5, "playing": True, "playback_rate": 1.0, "channel_id": cid,
        },
        "MUSIC_PARTY_QUEUE_ADD": {
            "session_id": unknown, "queue_size": 1, "channel_id": cid,
            "track": {"url": "https://x", "title": "t", "added_by": uid},
        },
        "GAME_PLAYER_JOIN": {"game_id": unknown, "user_id": uid, "player_index": 1, "channel_id": cid},
        "GAME_MOVE": {"game_id": unknown, "user_id": uid, "move": {}, "state": {}, "status": "x", "channel_id": cid},
        "ACTIVITY_PARTICIPANT_JOIN": {"session_id": unknown, "user_id": uid, "channel_id": cid},
        "ACTIVITY_STATE_UPDATE": {"session_id": unknown, "state": {"a": 1}, "channel_id": cid},
        "CHANNEL_GROUP_ITEMS_UPDATE": {"group_id": unknown, "guild_id": w.guild_id, "channel_ids": [cid]},
        "SCREEN_SHARE_UPDATE": {"session_id": unknown, "channel_id": cid, "user_id": uid, "framerate": 30},
        "MESSAGE_REACTION_ADD": {
            "message_id": unknown, "channel_id": cid, "user_id": uid, "emoji": "x", "count": 1,
            "reactions": [{"emoji": "x", "count": 1}],
        },
        "MESSAGE_EMBED_UPDATE": {"message_id": unknown, "channel_id": cid, "embeds": []},
        "CHANNEL_PINS_UPDATE": {"channel_id": cid, "message_id": unknown, "pinned": True},
        "MESSAGE_UPDATE": f.message(cid, w.other, w.guild_id),
        "GUILD_MEMBER_ADD": f.member(unknown, f.user()),
        "GUILD_ROLE_CREATE": f.role(f.new_id(), unknown),
    }  # fmt: skip
    for name, d in partials.items():
        w.state.apply(name, d)
    after = stores_of(w.state)
    after["users"] = before["users"]  # member and message payloads carry whole users: those may be kept
    assert after == before


def test_partial_payloads_merge_into_known_objects() -> None:
    w = f.World()
    poll_id, opt_a, opt_b = f.new_id(), f.new_id(), f.new_id()
    w.state.apply(
        "POLL_CREATE",
        {
            "id": poll_id, "channel_id": w.channel_id, "author_id": w.other["id"], "question": "?",
            "multi_vote": False, "anonymous": False, "closed": False, "total_votes": 0,
            "options": [{"id": opt_a, "text": "a", "position": 0, "vote_count": 0},
                        {"id": opt_b, "text": "b", "position": 1, "vote_count": 0}],
        },
    )  # fmt: skip
    w.state.apply(
        "POLL_VOTE",
        {
            "poll_id": poll_id, "channel_id": w.channel_id, "user_id": w.me["id"], "option_ids": [opt_b],
            "options": [{"id": opt_b, "vote_count": 1}], "total_votes": 1,
        },
    )  # fmt: skip
    poll = w.state.polls[poll_id]
    assert [o["vote_count"] for o in poll["options"]] == [0, 1] and poll["total_votes"] == 1
    assert poll["options"][1]["text"] == "b" and w.state.poll_votes[poll_id] == [opt_b]
    w.state.apply("POLL_CLOSE", {"poll_id": poll_id, "channel_id": w.channel_id})
    assert w.state.polls[poll_id]["closed"] is True

    card = {
        "id": f.new_id(), "board_id": f.new_id(), "column_id": f.new_id(), "channel_id": w.channel_id,
        "title": "t", "position": 0, "creator_id": w.me["id"], "created_at": f.NOW,
    }  # fmt: skip
    w.state.apply("KANBAN_CARD_CREATE", card)
    column = f.new_id()
    move = {"card_id": card["id"], "board_id": card["board_id"], "column_id": column, "position": 3}
    w.state.apply("KANBAN_CARD_MOVE", {**move, "channel_id": w.channel_id})
    # Past the end of the (empty) target column means last, as on the server.
    assert w.state.kanban_cards[card["id"]] == {**card, "column_id": column, "position": 0}


def _kanban_columns(state: State, board_id: str) -> dict[str, list[str]]:
    """column → titles in position order, checking positions are 0..n-1."""
    columns: dict[str, list[f.JSON]] = {}
    for card in state.kanban_cards.values():
        if card["board_id"] == board_id:
            columns.setdefault(card["column_id"], []).append(card)
    out = {}
    for column_id, cards in columns.items():
        cards.sort(key=lambda c: c["position"])
        assert [c["position"] for c in cards] == list(range(len(cards)))
        out[column_id] = [c["title"] for c in cards]
    return out


def test_kanban_moves_renumber_both_columns_as_the_server_does() -> None:
    w = f.World()
    board, todo, done = f.new_id(), f.new_id(), f.new_id()
    ids: dict[str, str] = {}
    for column, titles in ((todo, "abc"), (done, "d")):
        for position, title in enumerate(titles):
            ids[title] = f.new_id()
            w.state.apply(
                "KANBAN_CARD_CREATE",
                {
                    "id": ids[title], "board_id": board, "column_id": column, "channel_id": w.channel_id,
                    "title": title, "position": position, "creator_id": w.me["id"], "created_at": f.NOW,
                },
            )  # fmt: skip

    def move(title: str, column: str, position: int) -> None:
        d = {"card_id": ids[title], "board_id": board, "column_id": column, "position": position}
        w.state.apply("KANBAN_CARD_MOVE", {**d, "channel_id": w.channel_id})

    move("a", done, 0)  # out of todo (which closes up), in front of d
    assert _kanban_columns(w.state, board) == {todo: ["b", "c"], done: ["a", "d"]}
    move("c", todo, 0)  # within a column: the others shift down
    assert _kanban_columns(w.state, board) == {todo: ["c", "b"], done: ["a", "d"]}
    move("c", todo, 1)  # and back up
    assert _kanban_columns(w.state, board) == {todo: ["b", "c"], done: ["a", "d"]}
    move("b", done, 9)  # past the end: last
    assert _kanban_columns(w.state, board) == {todo: ["c"], done: ["a", "d", "b"]}


# ---- social, voice, connection ---------------------------------------------------------------


def test_relationships_are_added_updated_and_removed() -> None:
    w = f.World()
    friend = f.user(username="friend")
    rel = {"user_id": w.me["id"], "target_id": friend["id"], "user": friend, "created_at": f.NOW}
    w.state.apply("RELATIONSHIP_ADD", {**rel, "type": "pending_outgoing"})
    w.state.apply("RELATIONSHIP_UPDATE", {**rel, "type": "friend"})
    assert known(w.state.relationship(friend["id"]))["type"] == "friend"
    w.state.apply("RELATIONSHIP_REMOVE", {"user_id": w.me["id"], "target_id": friend["id"]})
    assert w.state.relationships == {}


def test_presence_goes_offline_by_removal() -> None:
    w = f.World()
    w.state.apply("PRESENCE_UPDATE", {"user_id": w.other["id"], "status": "busy"})
    assert w.state.presence_of(w.other["id"]) == "busy"
    w.state.apply("PRESENCE_UPDATE", {"user_id": w.other["id"], "status": "offline"})
    assert w.state.presence_of(w.other["id"]) == "offline" and w.state.presences == {}


def test_voice_state_moves_users_between_channels_and_a_leave_ends_the_connection() -> None:
    w = f.World()
    v1, v2 = f.new_id(), f.new_id()
    for v in (v1, v2):
        w.state.apply("CHANNEL_CREATE", f.channel(v, w.guild_id, "voice"))

    def state(channel_id: str | None) -> dict[str, object]:
        out = {
            "user_id": w.me["id"], "guild_id": w.guild_id, "session_id": "v", "self_mute": False,
            "self_deaf": False, "mute": False, "deaf": False, "self_stream": False, "user": w.public_me,
        }  # fmt: skip
        return complete("VOICE_STATE_UPDATE", out if channel_id is None else {**out, "channel_id": channel_id})

    w.state.apply("VOICE_STATE_UPDATE", state(v1))
    w.state.apply(
        "VOICE_SERVER_UPDATE",
        {"user_id": w.me["id"], "guild_id": w.guild_id, "channel_id": v1, "endpoint": "wss://lk", "token": "t"},
    )
    w.state.apply("VOICE_STATE_UPDATE", state(v2))
    assert v1 not in w.state.voice_states and [s["user_id"] for s in w.state.voice_in(v2)] == [w.me["id"]]
    assert w.state.voice_connection is not None
    w.state.apply("VOICE_STATE_UPDATE", state(None))
    assert w.state.voice_states == {} and w.state.voice_connection is None


def test_connection_events_track_the_gateway() -> None:
    w = f.World()
    assert w.state.connection.connected and w.state.connection.session_id == "s1"
    w.state.apply("GATEWAY_DISCONNECTED", {"code": 4009, "reason": "session timed out"})
    assert not w.state.connection.connected and w.state.connection.last_disconnect == {
        "code": 4009,
        "reason": "session timed out",
    }
    w.state.apply("RESUMED", {"replayed": 3})
    assert w.state.connection.connected and w.state.connection.replayed == 3
    w.state.apply("GATEWAY_EXHAUSTED", {"attempts": 10})
    assert w.state.connection.exhausted and w.state.connection.attempts == 10
    w.state.apply("GATEWAY_AUTH_FAILED", {"code": 4004})
    assert w.state.connection.auth_failed and w.state.self_user is None


def test_ready_replaces_the_whole_cache() -> None:
    w = f.World()
    w.post()
    w.state.apply("READY", f.ready(w.me))
    assert w.state.guilds == {} and w.state.channels == {} and w.state.messages == {}
    assert w.state.self_user == w.me and w.state.connection.connected
