"""Voice: who is in which channel, the self user's voice connection, calls, streams and soundboard."""

from __future__ import annotations

from amityvox.client.stores.base import JSON, StoreBase


class VoiceStore(StoreBase):
    """VOICE_STATE_UPDATE moves a user: out of wherever they were, into `channel_id` (null: left)."""

    def on_voice_state_update(self, d: JSON) -> None:
        user_id, channel_id = d["user_id"], d.get("channel_id")
        for cid, states in list(self.voice_states.items()):
            if cid != channel_id and states.pop(user_id, None) is not None and not states:
                del self.voice_states[cid]
                self.calls.pop(cid, None)  # the call ended with its last participant
        self._remember_user(d["user"])
        if channel_id:
            self.voice_states.setdefault(channel_id, {})[user_id] = dict(d)
        if user_id == self.user_id:
            if channel_id:
                self.calls.pop(channel_id, None)  # answered
            else:
                self.voice_connection = None
        for channel_shares in self.screen_shares.values():
            for session_id in [s for s, v in channel_shares.items() if v["user_id"] == user_id]:
                if channel_shares[session_id]["channel_id"] != channel_id:
                    del channel_shares[session_id]

    def voice_in(self, channel_id: str) -> list[JSON]:
        """The voice states of a channel's participants, by user id."""
        states = self.voice_states.get(channel_id, {})
        return [states[u] for u in sorted(states)]

    def on_voice_server_update(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.voice_connection = dict(d)

    def on_voice_signal(self, d: JSON) -> None:
        """WebRTC signalling is not state: it belongs to whoever holds the peer connections, which
        listen for it on the gateway client (the web client's voice mesh does, in voice.js)."""

    def on_call_ring(self, d: JSON) -> None:
        if d["caller_id"] != self.user_id:
            self._remember_user(d["caller"])
            self.calls[d["channel_id"]] = dict(d)

    # ---- broadcasts and screen shares --------------------------------------------------------

    def on_voice_broadcast_start(self, d: JSON) -> None:
        self.broadcasts.setdefault(d["channel_id"], {})[d["broadcast_id"]] = dict(d)

    def on_voice_broadcast_end(self, d: JSON) -> None:
        self.broadcasts.get(d["channel_id"], {}).pop(d["broadcast_id"], None)

    def on_screen_share_start(self, d: JSON) -> None:
        self.screen_shares.setdefault(d["channel_id"], {})[d["session_id"]] = dict(d)

    def on_screen_share_update(self, d: JSON) -> None:
        share = self.screen_shares.get(d["channel_id"], {}).get(d["session_id"])
        if share is not None:
            share.update({k: v for k, v in d.items() if v is not None})

    def on_screen_share_end(self, d: JSON) -> None:
        self.screen_shares.get(d["channel_id"], {}).pop(d["session_id"], None)

    # ---- soundboard --------------------------------------------------------------------------

    def on_soundboard_sound_create(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.soundboard.setdefault(d["guild_id"], {})[d["sound"]["id"]] = dict(d["sound"])

    def on_soundboard_sound_delete(self, d: JSON) -> None:
        self.soundboard.get(d["guild_id"], {}).pop(d["sound_id"], None)

    def on_soundboard_play(self, d: JSON) -> None:
        self.soundboard_plays[d["channel_id"]] = dict(d)
