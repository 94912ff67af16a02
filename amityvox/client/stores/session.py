"""The session's own events: READY's starting state, RESUMED, member chunks, and connection status."""

from __future__ import annotations

from dataclasses import fields

from amityvox.client.stores.base import JSON, StoreBase

# Settings, not cached data: READY keeps them.
_KEEP_ON_READY = frozenset({"clock", "max_messages", "connection"})


class SessionStore(StoreBase):
    """READY replaces the whole cache: after a fresh IDENTIFY nothing older can be trusted."""

    def on_ready(self, d: JSON) -> None:
        fresh = StoreBase()
        for f in fields(StoreBase):
            if f.name not in _KEEP_ON_READY:
                setattr(self, f.name, getattr(fresh, f.name))
        self.self_user = dict(d["user"])
        self.user_settings = dict(d["settings"]) if d.get("settings") is not None else None
        self.saved_messages = {s["message_id"]: dict(s) for s in d.get("saved_messages", ())}
        self._remember_user(d["user"])
        for guild in d["guilds"]:
            self._load_full_guild(guild)
        for channel in d["dms"]:
            self._store_channel(channel)
        for rel in d["relationships"]:
            self._remember_user(rel["user"])
            self.relationships[rel["target_id"]] = {k: v for k, v in rel.items() if k != "user"}
        for rs in d["read_state"]:
            self.read_state[rs["channel_id"]] = dict(rs)
        for user_id, status in d["presences"].items():
            if status != "offline":
                self.presences[user_id] = {"user_id": user_id, "status": status}
        for vs in d["voice_states"]:
            if vs.get("channel_id"):
                self._remember_user(vs["user"])
                self.voice_states.setdefault(vs["channel_id"], {})[vs["user_id"]] = vs
        self.connection.connected = True
        self.connection.session_id = d["session_id"]
        self.connection.auth_failed = self.connection.exhausted = False

    def on_resumed(self, d: JSON) -> None:
        self.connection.connected = True
        self.connection.resumes += 1
        self.connection.replayed = d["replayed"]

    def on_guild_members_chunk(self, d: JSON) -> None:
        if d["guild_id"] not in self.guilds:
            return
        for member in d["members"]:
            self._store_member(member)

    def on_gateway_disconnected(self, d: JSON) -> None:
        self.connection.connected = False
        self.connection.last_disconnect = dict(d)

    def on_gateway_auth_failed(self, d: JSON) -> None:
        # The token no longer works: the account is signed out until a new login.
        self.connection.connected = False
        self.connection.auth_failed = True
        self.connection.session_id = None
        self.self_user = None

    def on_gateway_exhausted(self, d: JSON) -> None:
        self.connection.connected = False
        self.connection.exhausted = True
        self.connection.attempts = d["attempts"]
