"""People: profiles, presence, relationships, notifications, announcements and bots."""

from __future__ import annotations

from amityvox.client.stores.base import FEED_SIZE, JSON, StoreBase


class SocialStore(StoreBase):
    """User-scoped events. Relationship and notification events name their owner; only the self
    user's are kept (another user's would be routed here only by a server bug)."""

    def on_user_update(self, d: JSON) -> None:
        self._remember_user(d)

    def on_user_settings_update(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.user_settings = dict(d)

    def on_presence_update(self, d: JSON) -> None:
        if d["status"] == "offline":
            self.presences.pop(d["user_id"], None)
        else:
            self.presences[d["user_id"]] = dict(d)

    def presence_of(self, user_id: str) -> str:
        """A user's visible status; "offline" when none is known."""
        return str(self.presences.get(user_id, {}).get("status", "offline"))

    # ---- relationships -----------------------------------------------------------------------

    def on_relationship_add(self, d: JSON) -> None:
        if d["user_id"] != self.user_id:
            return
        self._remember_user(d["user"])
        self.relationships[d["target_id"]] = {k: v for k, v in d.items() if k != "user"}

    def on_relationship_update(self, d: JSON) -> None:
        self.on_relationship_add(d)

    def on_relationship_remove(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.relationships.pop(d["target_id"], None)

    # ---- notifications and announcements -----------------------------------------------------

    def on_notification_create(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.notifications[d["id"]] = dict(d)

    def on_notification_update(self, d: JSON) -> None:
        self.on_notification_create(d)

    def on_notification_delete(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.notifications.pop(d["id"], None)

    def on_notification_mark_all_read(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            for notification in self.notifications.values():
                notification["read"] = True

    def on_notification_clear_all(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.notifications.clear()

    def on_announcement_create(self, d: JSON) -> None:
        self.announcements[d["id"]] = dict(d)

    def on_announcement_update(self, d: JSON) -> None:
        self.announcements[d["id"]] = dict(d)

    def on_announcement_delete(self, d: JSON) -> None:
        self.announcements.pop(d["id"], None)

    # ---- bots --------------------------------------------------------------------------------

    def on_bot_presence_update(self, d: JSON) -> None:
        self.bot_presences[d["bot_id"]] = dict(d)

    def on_component_interaction(self, d: JSON) -> None:
        if d["bot_id"] == self.user_id:
            self.interactions.append(dict(d))

    def on_interaction_create(self, d: JSON) -> None:
        if d["application_id"] == self.user_id:
            self.interactions.append(dict(d))

    def on_interaction_modal_create(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.modal = dict(d)

    def on_interaction_timeout(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.timed_out[d["interaction_id"]] = dict(d)
            while len(self.timed_out) > FEED_SIZE:  # the oldest go first
                del self.timed_out[next(iter(self.timed_out))]

    def on_application_command_autocomplete_response(self, d: JSON) -> None:
        if d["user_id"] == self.user_id:
            self.autocomplete = dict(d)

    def on_application_command_create(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.application_commands.setdefault(d["guild_id"], {})[d["command"]["id"]] = dict(d["command"])

    def on_application_command_update(self, d: JSON) -> None:
        self.on_application_command_create(d)

    def on_application_command_delete(self, d: JSON) -> None:
        self.application_commands.get(d["guild_id"], {}).pop(d["command"]["id"], None)

    def load_commands(self, guild_id: str, listing: JSON) -> None:
        """Take `GET /channels/{c}/commands` of a channel of `guild_id` as the guild's commands."""
        if guild_id in self.guilds:
            self.application_commands[guild_id] = {c["id"]: dict(c) for c in listing["application_commands"]}
            for app in listing["applications"]:
                self._remember_user(app)
