"""Guilds and what hangs off them: members, roles, emoji, bans, onboarding, events, moderation, groups."""

from __future__ import annotations

from amityvox.client.stores.base import JSON, StoreBase


class GuildStore(StoreBase):
    """Guild-scoped events. Events for a guild the cache does not hold are ignored: the user is not
    (or no longer) a member, and a lone member or role would be a guild with no guild."""

    # ---- guilds ------------------------------------------------------------------------------

    def on_guild_create(self, d: JSON) -> None:
        self._load_full_guild(d)

    def on_guild_update(self, d: JSON) -> None:
        if d["id"] in self.guilds:
            self.guilds[d["id"]] = dict(d)

    def on_guild_delete(self, d: JSON) -> None:
        self._forget_guild(d["id"])

    # ---- members -----------------------------------------------------------------------------

    def _count_members(self, guild_id: str, delta: int) -> None:
        guild = self.guilds[guild_id]
        guild["member_count"] = max(0, guild["member_count"] + delta)

    def on_guild_member_add(self, d: JSON) -> None:
        guild_id = d["guild_id"]
        if guild_id not in self.guilds:
            return  # the joiner's own GUILD_CREATE follows, already counting them
        if d["user_id"] not in self.members.get(guild_id, {}):
            self._count_members(guild_id, +1)
        self._store_member(d)

    def on_guild_member_update(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self._store_member(d)
        else:
            self._remember_user(d["user"])

    def on_guild_member_remove(self, d: JSON) -> None:
        guild_id, user_id = d["guild_id"], d["user_id"]
        if guild_id not in self.guilds:
            return
        if user_id == self.user_id:
            self._forget_guild(guild_id)
            return
        self._count_members(guild_id, -1)
        self.members.get(guild_id, {}).pop(user_id, None)
        self._leave_guild_voice(guild_id, user_id)

    def on_guild_members_prune(self, d: JSON) -> None:
        guild_id = d["guild_id"]
        if guild_id not in self.guilds:
            return
        if self.user_id in d["user_ids"]:
            self._forget_guild(guild_id)
            return
        self._count_members(guild_id, -d["pruned"])
        for user_id in d["user_ids"]:
            self.members.get(guild_id, {}).pop(user_id, None)
            self._leave_guild_voice(guild_id, user_id)

    def _leave_guild_voice(self, guild_id: str, user_id: str) -> None:
        for channel_id, states in self.voice_states.items():
            if self.channels.get(channel_id, {}).get("guild_id") == guild_id:
                states.pop(user_id, None)

    # ---- roles, emoji, bans ------------------------------------------------------------------

    def on_guild_role_create(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.roles.setdefault(d["guild_id"], {})[d["id"]] = dict(d)

    def on_guild_role_update(self, d: JSON) -> None:
        self.on_guild_role_create(d)

    def on_guild_role_delete(self, d: JSON) -> None:
        guild_id, role_id = d["guild_id"], d["role_id"]
        self.roles.get(guild_id, {}).pop(role_id, None)
        for member in self.members.get(guild_id, {}).values():
            if role_id in member["roles"]:
                member["roles"] = [r for r in member["roles"] if r != role_id]

    def on_guild_emoji_update(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.emoji.setdefault(d["guild_id"], {})[d["id"]] = dict(d)

    def on_guild_emoji_delete(self, d: JSON) -> None:
        self.emoji.get(d["guild_id"], {}).pop(d["id"], None)

    def on_guild_ban_add(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.bans.setdefault(d["guild_id"], {})[d["user_id"]] = dict(d)

    def on_guild_ban_remove(self, d: JSON) -> None:
        self.bans.get(d["guild_id"], {}).pop(d["user_id"], None)

    # ---- onboarding, scheduled events, moderation --------------------------------------------

    def on_guild_onboarding_update(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.onboarding[d["guild_id"]] = dict(d)

    def on_guild_event_create(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.guild_events.setdefault(d["guild_id"], {})[d["id"]] = dict(d)

    def on_guild_event_update(self, d: JSON) -> None:
        self.on_guild_event_create(d)

    def on_guild_event_delete(self, d: JSON) -> None:
        self.guild_events.get(d["guild_id"], {}).pop(d["id"], None)

    def on_raid_lockdown(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.raid[d["guild_id"]] = dict(d)

    def on_automod_action(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.automod.append(dict(d))

    def on_guild_audit_log_entry_create(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.audit_log.append(dict(d))

    def on_guild_report_create(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.reports.setdefault(d["guild_id"], {})[d["id"]] = dict(d)

    def on_guild_report_update(self, d: JSON) -> None:
        self.on_guild_report_create(d)

    def on_guild_member_warning_create(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.warnings.append(dict(d))

    # ---- channel groups ----------------------------------------------------------------------

    def on_channel_group_create(self, d: JSON) -> None:
        if d["guild_id"] in self.guilds:
            self.channel_groups.setdefault(d["guild_id"], {})[d["id"]] = dict(d)

    def on_channel_group_update(self, d: JSON) -> None:
        self.on_channel_group_create(d)

    def on_channel_group_delete(self, d: JSON) -> None:
        self.channel_groups.get(d["guild_id"], {}).pop(d["id"], None)

    def on_channel_group_items_update(self, d: JSON) -> None:
        group = self.channel_groups.get(d["guild_id"], {}).get(d["group_id"])
        if group is not None:
            group["channel_ids"] = list(d["channel_ids"])
