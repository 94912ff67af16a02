"""Shared activities in channels: activity sessions, games, watch-together and music parties."""

from __future__ import annotations

from amityvox.client.stores.base import JSON, StoreBase


class ActivityStore(StoreBase):
    """Start events carry the whole session; joins, moves, syncs and queue additions update a known
    session and are ignored for an unknown one."""

    def on_activity_session_start(self, d: JSON) -> None:
        self.activities[d["id"]] = dict(d)

    def on_activity_session_end(self, d: JSON) -> None:
        self.activities.pop(d["id"], None)

    def on_activity_participant_join(self, d: JSON) -> None:
        session = self.activities.get(d["session_id"])
        if session is not None and d["user_id"] not in session["participants"]:
            session["participants"] = [*session["participants"], d["user_id"]]

    def on_activity_participant_leave(self, d: JSON) -> None:
        session = self.activities.get(d["session_id"])
        if session is not None:
            session["participants"] = [u for u in session["participants"] if u != d["user_id"]]

    def on_activity_state_update(self, d: JSON) -> None:
        session = self.activities.get(d["session_id"])
        if session is not None:
            session["state"] = d["state"]

    # ---- games -------------------------------------------------------------------------------

    def on_game_session_create(self, d: JSON) -> None:
        self.games[d["id"]] = dict(d)
        self.game_players[d["id"]] = {}

    def on_game_player_join(self, d: JSON) -> None:
        if d["game_id"] in self.games:
            self.game_players.setdefault(d["game_id"], {})[d["user_id"]] = d["player_index"]

    def on_game_move(self, d: JSON) -> None:
        game = self.games.get(d["game_id"])
        if game is None:
            return
        game.update(state=d["state"], status=d["status"])
        self.game_turns[d["game_id"]] = d.get("next_turn")

    # ---- watch-together and music parties ----------------------------------------------------

    def on_watch_together_start(self, d: JSON) -> None:
        self.watch_together[d["id"]] = dict(d)

    def on_watch_together_sync(self, d: JSON) -> None:
        session = self.watch_together.get(d["session_id"])
        if session is not None:
            session.update(current_time_ms=d["current_time_ms"], playing=d["playing"], playback_rate=d["playback_rate"])

    def on_music_party_start(self, d: JSON) -> None:
        self.music_parties[d["id"]] = dict(d)

    def on_music_party_queue_add(self, d: JSON) -> None:
        party = self.music_parties.get(d["session_id"])
        if party is not None:
            party["queue"] = [*party["queue"], dict(d["track"])]
