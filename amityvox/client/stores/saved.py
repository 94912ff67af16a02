"""The self user's saved messages: where each is and its note (the messages come over REST)."""

from __future__ import annotations

from amityvox.client.stores.base import JSON, StoreBase


class SavedStore(StoreBase):
    """Kept from READY's `saved_messages` and the SAVED_MESSAGE_* events; a message's deletion, or
    its channel or guild going out of sight, takes it out (see `_drop_messages`, `_forget_channel`)."""

    def on_saved_message_add(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.saved_messages[d["message_id"]] = dict(d)

    def on_saved_message_remove(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.saved_messages.pop(d["message_id"], None)

    def saved(self) -> list[JSON]:
        """Saved messages, newest save first."""
        return sorted(self.saved_messages.values(), key=lambda s: (s["created_at"], s["message_id"]), reverse=True)
