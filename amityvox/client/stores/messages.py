"""Messages per channel: creation, edits, deletion, reactions and link previews."""

from __future__ import annotations

from amityvox.client.stores.base import JSON
from amityvox.client.stores.channels import ChannelStore


class MessageStore(ChannelStore):
    """The cache holds the messages seen since READY. Events about a message it does not hold are
    ignored: without the message there is nothing to update, and half a message is worse than none."""

    def _message(self, channel_id: str, message_id: str) -> JSON | None:
        return self.messages.get(channel_id, {}).get(message_id)

    def on_message_create(self, d: JSON) -> None:
        channel = self.channels.get(d["channel_id"])
        if channel is None:
            return
        self._store_message(d)
        channel["last_message_id"] = d["id"]
        self.typing.get(d["channel_id"], {}).pop(d["author_id"], None)
        self._count_new_message(d)

    def on_ephemeral_message_create(self, d: JSON) -> None:
        # Only this user sees it and history never holds it: kept beside the channel's messages.
        if d["channel_id"] in self.channels:
            self.ephemeral_messages.setdefault(d["channel_id"], {})[d["id"]] = dict(d)

    def on_message_update(self, d: JSON) -> None:
        old = self._message(d["channel_id"], d["id"])
        if old is None:
            return
        # Events carry `me: false`; the viewer's own reactions are what the cache already knows.
        mine = {r["emoji"] for r in old["reactions"] if r["me"]}
        self._store_message({**d, "reactions": [{**r, "me": r["emoji"] in mine} for r in d["reactions"]]})

    def on_message_delete(self, d: JSON) -> None:
        self._drop_messages(d["channel_id"], [d["id"]])

    def on_message_delete_bulk(self, d: JSON) -> None:
        self._drop_messages(d["channel_id"], d["message_ids"])

    def _drop_messages(self, channel_id: str, message_ids: list[str]) -> None:
        box = self.messages.get(channel_id, {})
        for message_id in message_ids:
            message = box.pop(message_id, None)
            if message is not None:
                self._uncount_message(message)
            self.effects.pop(message_id, None)
            self.super_reactions.pop(message_id, None)
            self.saved_messages.pop(message_id, None)  # its saves went with it

    # ---- reactions: `count` is the server's total, `me` follows the self user's own adds ------

    def _set_reaction(self, d: JSON, added: bool) -> None:
        message = self._message(d["channel_id"], d["message_id"])
        if message is None:
            return
        reactions: list[JSON] = message["reactions"]
        entry = next((r for r in reactions if r["emoji"] == d["emoji"]), None)
        if entry is None:
            if d["count"] <= 0:
                return
            entry = {"emoji": d["emoji"], "count": d["count"], "me": False}
            reactions.append(entry)
        entry["count"] = d["count"]
        if d["user_id"] == self.user_id:
            entry["me"] = added
        if entry["count"] <= 0:
            reactions.remove(entry)

    def on_message_reaction_add(self, d: JSON) -> None:
        self._set_reaction(d, added=True)

    def on_message_reaction_remove(self, d: JSON) -> None:
        self._set_reaction(d, added=False)

    def on_message_reaction_clear(self, d: JSON) -> None:
        message = self._message(d["channel_id"], d["message_id"])
        if message is None:
            return
        emoji = d.get("emoji")
        message["reactions"] = [] if emoji is None else [r for r in message["reactions"] if r["emoji"] != emoji]

    def on_message_embed_update(self, d: JSON) -> None:
        message = self._message(d["channel_id"], d["message_id"])
        if message is not None:
            message["embeds"] = list(d["embeds"])
