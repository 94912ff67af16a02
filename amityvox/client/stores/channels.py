"""Channels (guild channels, threads, DMs, groups), typing indicators and read state."""

from __future__ import annotations

from amityvox.client.stores.base import JSON, TYPING_SECONDS, StoreBase


class ChannelStore(StoreBase):
    """CHANNEL_UPDATE always carries the whole channel, so it replaces what the cache holds."""

    def _guild_known(self, channel: JSON) -> bool:
        guild_id = channel.get("guild_id")
        return guild_id is None or guild_id in self.guilds

    def on_channel_create(self, d: JSON) -> None:
        if self._guild_known(d):
            self._store_channel(dict(d))

    def on_channel_update(self, d: JSON) -> None:
        if self._guild_known(d):
            self._store_channel(dict(d))

    def on_thread_create(self, d: JSON) -> None:
        if self._guild_known(d):
            self._store_channel(dict(d))

    def on_channel_delete(self, d: JSON) -> None:
        self._forget_channel(d["id"])

    def on_channel_pins_update(self, d: JSON) -> None:
        message = self.messages.get(d["channel_id"], {}).get(d["message_id"])
        if message is not None:
            message["pinned"] = d["pinned"]
        if d.get("last_pin_at"):
            self.last_pin_at[d["channel_id"]] = d["last_pin_at"]
        else:
            self.last_pin_at.pop(d["channel_id"], None)

    def on_webhooks_update(self, d: JSON) -> None:
        """Clients keep no webhooks (only those who manage them may list them); they count the changes."""
        if d["channel_id"] in self.channels:
            self.webhook_changes[d["channel_id"]] = self.webhook_changes.get(d["channel_id"], 0) + 1

    # ---- typing ------------------------------------------------------------------------------

    def on_typing_start(self, d: JSON) -> None:
        if d["channel_id"] in self.channels and d["user_id"] != self.user_id:
            self.typing.setdefault(d["channel_id"], {})[d["user_id"]] = self.clock()

    def typing_in(self, channel_id: str) -> list[str]:
        """Users typing in a channel now: seen within the last 10 s and not posted since."""
        seen = self.typing.get(channel_id, {})
        cutoff = self.clock() - TYPING_SECONDS
        for user_id in [u for u, at in seen.items() if at < cutoff]:
            del seen[user_id]
        return sorted(seen)

    # ---- read state --------------------------------------------------------------------------

    def _mentions_self(self, message: JSON) -> bool:
        """As the server counts mentions: @here/@everyone, the user, or a role the user holds."""
        me = self.user_id
        if message["mention_here"] or me in message["mention_user_ids"]:
            return True
        guild_id = message.get("guild_id") or self.channels.get(message["channel_id"], {}).get("guild_id")
        member = self.members.get(guild_id or "", {}).get(me or "")
        return member is not None and bool(set(member["roles"]) & set(message["mention_role_ids"]))

    def _read_state(self, channel_id: str) -> JSON:
        return self.read_state.setdefault(channel_id, {"channel_id": channel_id, "unread_count": 0, "mention_count": 0})

    def _is_unread(self, message: JSON) -> bool:
        state = self.read_state.get(message["channel_id"], {})
        position = state.get("last_message_id")
        return message["author_id"] != self.user_id and (position is None or message["id"] > position)

    def _count_new_message(self, message: JSON) -> None:
        state = self._read_state(message["channel_id"])
        if message["author_id"] == self.user_id:
            # Posting reads everything up to one's own message.
            state.update(last_message_id=message["id"], unread_count=0, mention_count=0)
            return
        state["unread_count"] += 1
        if self._mentions_self(message):
            state["mention_count"] += 1

    def _uncount_message(self, message: JSON) -> None:
        if message["channel_id"] not in self.read_state or not self._is_unread(message):
            return
        state = self.read_state[message["channel_id"]]
        state["unread_count"] = max(0, state["unread_count"] - 1)
        if self._mentions_self(message):
            state["mention_count"] = max(0, state["mention_count"] - 1)

    def on_channel_ack(self, d: JSON) -> None:
        if d["user_id"] != self.user_id:
            return
        channel_id, position = d["channel_id"], d["message_id"]
        state = self._read_state(channel_id)
        state["last_message_id"] = position
        # An ack may move the position back (mark unread): count what the cache holds after it.
        later = [m for m in self.messages.get(channel_id, {}).values() if self._is_unread(m)]
        state["unread_count"] = len(later)
        state["mention_count"] = sum(1 for m in later if self._mentions_self(m))
