"""SQLAlchemy Core schema. Timestamps are fixed-width RFC 3339 strings (they sort as text)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class U64(TypeDecorator[int]):
    """Unsigned 64-bit permission bits in a signed BIGINT (Administrator is bit 63)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Any) -> int | None:
        if value is None:
            return None
        return value - (1 << 64) if value >= 1 << 63 else value

    def process_result_value(self, value: int | None, dialect: Any) -> int | None:
        if value is None:
            return None
        return value + (1 << 64) if value < 0 else value


def _id(name: str = "id", **kw: Any) -> Column[str]:
    return Column(name, String(26), primary_key=True, **kw)


def _ref(name: str, target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column[str]:
    return Column(name, String(26), ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _ts(name: str, nullable: bool = False) -> Column[str]:
    return Column(name, String(32), nullable=nullable)


users = Table(
    "users",
    metadata,
    _id(),
    Column("username", String(32), nullable=False),
    Column("username_key", String(32), nullable=False, unique=True),
    Column("display_name", String(64)),
    Column("avatar_id", String(26)),
    Column("status_text", String(128)),
    Column("status_presence", String(16), nullable=False, default="online"),
    Column("bio", String(2000)),
    Column("bot_owner_id", String(26)),
    Column("flags", Integer, nullable=False, default=0),
    Column("email", String(254)),
    Column("email_key", String(254), unique=True),
    Column("email_verified", Boolean, nullable=False, default=False),
    Column("password_hash", String(256)),
    Column("is_admin", Boolean, nullable=False, default=False),
    _ts("created_at"),
    _ts("deleted_at", nullable=True),
    # Set by an instance administrator: the account cannot log in and has no live token.
    _ts("suspended_at", nullable=True),
)

# One row per bearer token (a login, a registration or a bot token). `id` names the session to
# its owner (GET /users/@me/sessions) without revealing anything about the token; `last_seen_at`
# is refreshed at most once a minute (services/auth.py), not on every request.
auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    _ref("user_id", "users.id"),
    _ts("created_at"),
    _ts("expires_at"),
    Column("id", String(26), nullable=False, unique=True),
    Column("user_agent", String(512)),
    Column("address", String(64)),
    _ts("last_seen_at", nullable=True),
    Index("ix_auth_sessions_user", "user_id"),
)

# TOTP two-factor (services/two_factor.py): a secret is pending until confirmed with a code
# (`enabled_at` null); `last_step` is the 30-second step of the last accepted code, so a code
# cannot be used twice.
user_totp = Table(
    "user_totp",
    metadata,
    Column("user_id", String(26), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("secret", String(64), nullable=False),
    _ts("enabled_at", nullable=True),
    Column("last_step", BigInteger, nullable=False, default=0),
)

# One-time backup codes, stored as SHA-256 hashes (they are random, so a fast hash suffices).
totp_backup_codes = Table(
    "totp_backup_codes",
    metadata,
    Column("user_id", String(26), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("code_hash", String(64), primary_key=True),
)

# The first step of a two-factor login: a short-lived ticket the second step redeems.
login_tickets = Table(
    "login_tickets",
    metadata,
    Column("ticket_hash", String(64), primary_key=True),
    _ref("user_id", "users.id"),
    _ts("expires_at"),
    Column("user_agent", String(512)),
    Column("address", String(64)),
)

# Passkeys (WebAuthn credentials, services/passkeys.py): the credential's id and COSE public
# key as the authenticator made them, and the signature counter it last reported.
passkeys = Table(
    "passkeys",
    metadata,
    _id(),
    _ref("user_id", "users.id"),
    Column("credential_id", String(1024), nullable=False, unique=True),
    Column("public_key", Text, nullable=False),
    Column("sign_count", BigInteger, nullable=False, default=0),
    Column("name", String(64), nullable=False),
    Column("transports", String(128)),
    _ts("created_at"),
    _ts("last_used_at", nullable=True),
    Index("ix_passkeys_user", "user_id"),
)

# Outstanding WebAuthn challenges: `purpose` is register (for `user_id`) or login (nobody yet).
# Each is used once and lives a few minutes.
webauthn_challenges = Table(
    "webauthn_challenges",
    metadata,
    Column("challenge", String(128), primary_key=True),
    Column("purpose", String(16), nullable=False),
    _ref("user_id", "users.id", nullable=True),
    _ts("expires_at"),
)

guilds = Table(
    "guilds",
    metadata,
    _id(),
    _ref("owner_id", "users.id", ondelete="RESTRICT"),
    Column("name", String(100), nullable=False),
    Column("description", String(1000)),
    Column("icon_id", String(26)),
    Column("banner_id", String(26)),
    Column("system_channel_id", String(26)),  # where join messages go; none when null
    Column("default_permissions", U64, nullable=False),
    Column("flags", Integer, nullable=False, default=0),
    Column("nsfw", Boolean, nullable=False, default=False),
    Column("discoverable", Boolean, nullable=False, default=False),
    Column("member_count", Integer, nullable=False, default=0),
    _ts("created_at"),
)

guild_members = Table(
    "guild_members",
    metadata,
    _ref("guild_id", "guilds.id"),
    _ref("user_id", "users.id"),
    Column("nickname", String(32)),
    _ts("joined_at"),
    _ts("timeout_until", nullable=True),
    Column("deaf", Boolean, nullable=False, default=False),
    Column("mute", Boolean, nullable=False, default=False),
    _ts("last_active_at"),
    Column("onboarding_completed", Boolean, nullable=False, default=False),
    UniqueConstraint("guild_id", "user_id", name="uq_guild_members_guild_user"),
    Index("ix_guild_members_user", "user_id"),
)

roles = Table(
    "roles",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("name", String(100), nullable=False),
    Column("color", Integer),
    Column("hoist", Boolean, nullable=False, default=False),
    Column("mentionable", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False, default=0),
    Column("permissions_allow", U64, nullable=False, default=0),
    Column("permissions_deny", U64, nullable=False, default=0),
    _ts("created_at"),
    # The bot whose install created the role (services/bot_install.py); only that bot holds it.
    _ref("managed_by", "users.id", nullable=True),
    Index("ix_roles_guild", "guild_id"),
    Index("ix_roles_managed_by", "managed_by"),
)

member_roles = Table(
    "member_roles",
    metadata,
    _ref("guild_id", "guilds.id"),
    _ref("user_id", "users.id"),
    _ref("role_id", "roles.id"),
    UniqueConstraint("guild_id", "user_id", "role_id", name="uq_member_roles_all"),
    Index("ix_member_roles_role", "role_id"),
)

channels = Table(
    "channels",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id", nullable=True),
    Column("category_id", String(26)),
    Column("channel_type", String(16), nullable=False),
    Column("name", String(100)),
    Column("topic", String(1024)),
    Column("position", Integer, nullable=False, default=0),
    Column("slowmode_seconds", Integer, nullable=False, default=0),
    Column("nsfw", Boolean, nullable=False, default=False),
    Column("last_message_id", String(26)),
    Column("owner_id", String(26)),
    Column("parent_channel_id", String(26)),
    Column("locked", Boolean, nullable=False, default=False),
    Column("archived", Boolean, nullable=False, default=False),
    _ts("created_at"),
    Index("ix_channels_guild", "guild_id"),
)

channel_recipients = Table(
    "channel_recipients",
    metadata,
    _ref("channel_id", "channels.id"),
    _ref("user_id", "users.id"),
    _ts("added_at", nullable=True),  # when the user was added to the DM/group (orders group ownership)
    UniqueConstraint("channel_id", "user_id", name="uq_channel_recipients_pair"),
    Index("ix_channel_recipients_user", "user_id"),
)

permission_overwrites = Table(
    "permission_overwrites",
    metadata,
    _ref("channel_id", "channels.id"),
    Column("target_id", String(26), nullable=False),
    Column("target_type", String(8), nullable=False),
    Column("allow", U64, nullable=False, default=0),
    Column("deny", U64, nullable=False, default=0),
    UniqueConstraint("channel_id", "target_id", name="uq_permission_overwrites_target"),
)

messages = Table(
    "messages",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("guild_id", String(26)),
    Column("author_id", String(26), nullable=False),
    Column("content", Text, nullable=False, default=""),
    Column("message_type", String(32), nullable=False, default="default"),
    _ts("edited_at", nullable=True),
    Column("flags", Integer, nullable=False, default=0),
    Column("reply_to_ids", JSON),
    Column("mention_user_ids", JSON, nullable=False),
    Column("mention_role_ids", JSON, nullable=False),
    Column("mention_here", Boolean, nullable=False, default=False),
    Column("thread_id", String(26)),
    Column("attachments", JSON, nullable=False),
    Column("embeds", JSON, nullable=False),
    Column("pinned", Boolean, nullable=False, default=False),
    _ts("pinned_at", nullable=True),
    _ts("created_at"),
    # Posted through a webhook (services/webhooks.py): which one, and the {username, avatar_url?}
    # it was shown with (each execution may override the webhook's own name and avatar).
    Column("webhook_id", String(26)),
    Column("webhook_author", JSON(none_as_null=True)),
    # A bot's answer to a slash command (services/interactions.py): `{id, name, user_id}`, so
    # clients show who used which command.
    Column("interaction", JSON(none_as_null=True)),
    Index("ix_messages_channel_id", "channel_id", "id"),
)

# Incoming webhooks (services/webhooks.py, migration 0019_webhooks): a URL with a secret token
# that posts into one channel. Only the token's hash is kept.
webhooks = Table(
    "webhooks",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    _ref("channel_id", "channels.id"),
    Column("creator_id", String(26)),
    Column("name", String(80), nullable=False),
    Column("avatar_url", String(2048)),
    Column("token_hash", String(64), nullable=False),
    _ts("created_at"),
    Index("ix_webhooks_channel_id", "channel_id"),
    Index("ix_webhooks_guild_id", "guild_id"),
)

# Application (slash) commands (services/commands.py, migration 0021_application_commands): a
# bot's global commands (`guild_id` NULL) and its commands in one guild. `options` is the checked
# list of Discord's option objects.
application_commands = Table(
    "application_commands",
    metadata,
    _id(),
    _ref("application_id", "users.id"),
    _ref("guild_id", "guilds.id", nullable=True),
    Column("name", String(32), nullable=False),
    Column("description", String(100), nullable=False),
    Column("options", JSON, nullable=False),
    Column("default_member_permissions", U64),
    Column("version", String(26), nullable=False),
    _ts("created_at"),
    Index("ix_application_commands_application_id", "application_id", "guild_id"),
    Index("ix_application_commands_guild_id", "guild_id"),
)

# One use of a command (services/interactions.py): who used which, where, and the answer so far.
# The token (its hash) lets the bot answer once (`responded_at`) and follow up until `expires_at`.
interactions = Table(
    "interactions",
    metadata,
    _id(),
    _ref("application_id", "users.id"),
    Column("user_id", String(26), nullable=False),
    Column("guild_id", String(26)),
    Column("channel_id", String(26), nullable=False),
    Column("type", Integer, nullable=False),
    Column("name", String(32), nullable=False),
    Column("token_hash", String(64), nullable=False),
    _ts("created_at"),
    _ts("expires_at"),
    _ts("responded_at", nullable=True),
    Column("response_type", Integer),
    Column("ephemeral", Boolean, nullable=False, default=False),
    Column("message_id", String(26)),  # the original answer, once there is one in history
    Column("ephemeral_message", JSON(none_as_null=True)),  # the original answer, when only the user sees it
    # The initial answer is due by `respond_by` (services/interactions.py tells the member
    # when it is not); a modal answer (callback 9) is kept to check its one submission against.
    _ts("respond_by", nullable=True),
    Column("modal", JSON(none_as_null=True)),
    _ts("modal_submitted_at", nullable=True),
    Index("ix_interactions_expires_at", "expires_at"),
    Index("ix_interactions_respond_by", "respond_by"),
)

# A bot installed in a guild with `applications.commands` alone (services/bot_install.py): its
# commands are usable there though it is not a member.
application_installs = Table(
    "application_installs",
    metadata,
    Column("guild_id", String(26), ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True),
    Column("application_id", String(26), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("installed_by", String(26), nullable=False),
    _ts("created_at"),
    Index("ix_application_installs_application_id", "application_id"),
)

# Outgoing event webhooks (services/event_webhooks.py, migration 0020_event_webhooks): an https
# endpoint a guild manager subscribed to some of the guild's events. `secret` signs deliveries,
# so it is kept as it is (shown to the manager once).
event_webhooks = Table(
    "event_webhooks",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("creator_id", String(26), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("events", JSON, nullable=False),
    Column("secret", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    _ts("created_at"),
    Index("ix_event_webhooks_guild_id", "guild_id"),
)

# One event for one endpoint: the durable queue the delivery timer works through (pending, then
# delivered or failed), and the delivery log its manager reads. `body` is the exact JSON signed.
event_webhook_deliveries = Table(
    "event_webhook_deliveries",
    metadata,
    _id(),
    _ref("webhook_id", "event_webhooks.id"),
    Column("event_id", String(26), nullable=False),
    Column("event", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    _ts("next_attempt_at", nullable=True),
    Column("response_status", Integer),
    Column("error", String(500)),
    _ts("created_at"),
    _ts("delivered_at", nullable=True),
    UniqueConstraint("webhook_id", "event_id", name="uq_event_webhook_deliveries_once"),
    Index("ix_event_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_event_webhook_deliveries_log", "webhook_id", "id"),
)

reactions = Table(
    "reactions",
    metadata,
    _ref("message_id", "messages.id"),
    _ref("user_id", "users.id"),
    Column("emoji", String(128), nullable=False),
    _ts("created_at"),
    UniqueConstraint("message_id", "emoji", "user_id", name="uq_reactions_once"),
)

# Uploaded files (services/media.py): message attachments, avatars, guild icons and banners,
# emoji images. An attachment is the uploader's alone until a message takes it (message_id,
# attached_at); when that message goes, message_id turns NULL and the sweeper deletes the
# bytes. `thumbnails`: [{size, width, height}] once the worker made them.
uploads = Table(
    "uploads",
    metadata,
    _id(),
    _ref("uploader_id", "users.id"),
    Column("kind", String(16), nullable=False),  # attachment | avatar | icon | banner | emoji
    Column("guild_id", String(26)),
    Column("channel_id", String(26)),
    _ref("message_id", "messages.id", nullable=True, ondelete="SET NULL"),
    Column("position", Integer, nullable=False, default=0),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("width", Integer),
    Column("height", Integer),
    Column("blurhash", String(64)),
    Column("thumbnails", JSON(none_as_null=True)),
    Column("storage_key", String(200), nullable=False),
    _ts("created_at"),
    _ts("attached_at", nullable=True),
    Index("ix_uploads_message_id", "message_id"),
    Index("ix_uploads_uploader_id", "uploader_id"),
    Index("ix_uploads_guild_id", "guild_id"),
    Index("ix_uploads_created_at", "created_at"),
)

# Secrets the processes share: "media-urls" signs file URLs (media/urls.py).
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("secret", String(128), nullable=False),
    _ts("created_at"),
)

custom_emoji = Table(
    "custom_emoji",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("name", String(32), nullable=False),
    Column("creator_id", String(26)),
    Column("animated", Boolean, nullable=False, default=False),
    _ts("created_at"),
    UniqueConstraint("guild_id", "name", name="uq_custom_emoji_name"),
)

bans = Table(
    "bans",
    metadata,
    _ref("guild_id", "guilds.id"),
    _ref("user_id", "users.id"),
    Column("reason", String(512)),
    Column("banned_by", String(26)),
    _ts("created_at"),
    _ts("expires_at", nullable=True),
    UniqueConstraint("guild_id", "user_id", name="uq_bans_pair"),
)

invites = Table(
    "invites",
    metadata,
    Column("code", String(16), primary_key=True),
    _ref("guild_id", "guilds.id"),
    Column("channel_id", String(26)),
    Column("inviter_id", String(26), nullable=False),
    Column("max_uses", Integer, nullable=False, default=0),
    Column("uses", Integer, nullable=False, default=0),
    _ts("expires_at", nullable=True),
    _ts("created_at"),
)

relationships = Table(
    "relationships",
    metadata,
    _ref("user_id", "users.id"),
    _ref("target_id", "users.id"),
    Column("type", String(20), nullable=False),
    _ts("created_at"),
    UniqueConstraint("user_id", "target_id", name="uq_relationships_pair"),
)

read_states = Table(
    "read_states",
    metadata,
    _ref("user_id", "users.id"),
    _ref("channel_id", "channels.id"),
    Column("last_message_id", String(26)),
    Column("mention_count", Integer, nullable=False, default=0),
    UniqueConstraint("user_id", "channel_id", name="uq_read_states_pair"),
)

# Who a message mentions, one row per user or role, so unread mention counts are one indexed query.
message_mentions = Table(
    "message_mentions",
    metadata,
    _ref("message_id", "messages.id"),
    Column("channel_id", String(26), nullable=False),
    Column("target_id", String(26), nullable=False),
    Column("target_type", String(8), nullable=False),  # "user" | "role"
    UniqueConstraint("message_id", "target_id", name="uq_message_mentions_target"),
    Index("ix_message_mentions_lookup", "target_id", "channel_id", "message_id"),
)

# When each member last posted in a slowmode channel; kept in the database so restarts do not reset it.
slowmode_marks = Table(
    "slowmode_marks",
    metadata,
    _ref("channel_id", "channels.id"),
    _ref("user_id", "users.id"),
    _ts("posted_at"),
    UniqueConstraint("channel_id", "user_id", name="uq_slowmode_marks_pair"),
)

# ---- community and moderation (migration 0005_community) ------------------------------------
# AutoMod rules and the actions they took, raid protection, polls, scheduled guild events,
# onboarding and channel groups.

automod_rules = Table(
    "automod_rules",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("name", String(100), nullable=False),
    Column("rule_type", String(16), nullable=False),  # word | regex | spam | links
    Column("config", JSON, nullable=False),
    Column("actions", JSON, nullable=False),  # subset of log, warn, delete, timeout
    Column("timeout_seconds", Integer),
    Column("exempt_role_ids", JSON, nullable=False),
    Column("exempt_channel_ids", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("creator_id", String(26)),
    _ts("created_at"),
    Index("ix_automod_rules_guild", "guild_id"),
)

# One row per action a rule took; rule_id and rule_name stay readable after the rule is deleted.
automod_actions = Table(
    "automod_actions",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("rule_id", String(26), nullable=False),
    Column("rule_name", String(100), nullable=False),
    Column("channel_id", String(26), nullable=False),
    Column("message_id", String(26), nullable=False),
    Column("user_id", String(26), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reason", String(512), nullable=False),
    _ts("created_at"),
    Index("ix_automod_actions_guild", "guild_id", "id"),
    Index("ix_automod_actions_message", "message_id"),
)

raid_configs = Table(
    "raid_configs",
    metadata,
    Column("guild_id", String(26), ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True),
    Column("join_threshold", Integer, nullable=False),  # 0: automatic lockdown off
    Column("window_seconds", Integer, nullable=False),
    Column("lockdown_duration_seconds", Integer, nullable=False),  # 0: until lifted by hand
    Column("lockdown_active", Boolean, nullable=False, default=False),
    _ts("lockdown_started_at", nullable=True),
    _ts("lockdown_ends_at", nullable=True),
    Column("lockdown_reason", String(512)),
    Column("lockdown_triggered_by", String(26)),
    Index("ix_raid_configs_active", "lockdown_active", "lockdown_ends_at"),
)

polls = Table(
    "polls",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("guild_id", String(26)),
    Column("message_id", String(26)),
    Column("author_id", String(26), nullable=False),
    Column("question", String(300), nullable=False),
    Column("multi_vote", Boolean, nullable=False, default=False),
    Column("anonymous", Boolean, nullable=False, default=False),
    _ts("expires_at", nullable=True),
    Column("closed", Boolean, nullable=False, default=False),
    Column("closed_by", String(26)),
    _ts("created_at"),
    Index("ix_polls_open", "closed", "expires_at"),
)

poll_options = Table(
    "poll_options",
    metadata,
    _id(),
    _ref("poll_id", "polls.id"),
    Column("text", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_poll_options_poll", "poll_id"),
)

poll_votes = Table(
    "poll_votes",
    metadata,
    _ref("poll_id", "polls.id"),
    _ref("option_id", "poll_options.id"),
    _ref("user_id", "users.id"),
    _ts("created_at"),
    UniqueConstraint("poll_id", "option_id", "user_id", name="uq_poll_votes_once"),
    Index("ix_poll_votes_voter", "poll_id", "user_id"),
)

guild_events = Table(
    "guild_events",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("creator_id", String(26), nullable=False),
    Column("name", String(100), nullable=False),
    Column("description", String(1000)),
    Column("location", String(256)),
    Column("channel_id", String(26)),
    _ts("scheduled_start"),
    _ts("scheduled_end", nullable=True),
    Column("status", String(16), nullable=False),  # scheduled | active | completed | cancelled
    _ts("created_at"),
    Index("ix_guild_events_guild", "guild_id", "scheduled_start"),
    Index("ix_guild_events_status", "status", "scheduled_start"),
)

guild_event_rsvps = Table(
    "guild_event_rsvps",
    metadata,
    _ref("event_id", "guild_events.id"),
    _ref("user_id", "users.id"),
    _ts("created_at"),
    UniqueConstraint("event_id", "user_id", name="uq_guild_event_rsvps_pair"),
)

# One configuration per guild; prompts (with their options) are one JSON document.
guild_onboarding = Table(
    "guild_onboarding",
    metadata,
    Column("guild_id", String(26), ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True),
    Column("enabled", Boolean, nullable=False, default=False),
    Column("welcome_message", String(2000), nullable=False, default=""),
    Column("rules", JSON, nullable=False),
    Column("default_channel_ids", JSON, nullable=False),
    Column("prompts", JSON, nullable=False),
    _ts("updated_at"),
    # Who saved it: completing onboarding grants roles on their authority, checked again then.
    Column("updated_by", String(26), nullable=True),
)

channel_groups = Table(
    "channel_groups",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("name", String(100), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    _ts("created_at"),
    Index("ix_channel_groups_guild", "guild_id"),
)

channel_group_items = Table(
    "channel_group_items",
    metadata,
    _ref("group_id", "channel_groups.id"),
    _ref("channel_id", "channels.id"),
    Column("position", Integer, nullable=False),
    UniqueConstraint("group_id", "channel_id", name="uq_channel_group_items_pair"),
    Index("ix_channel_group_items_channel", "channel_id"),
)

# --- activities, games, watch-together, music parties and bots (migration 0008_activities) ---

# Activities added by instance admins; the built-in catalog lives in code (services/activities.py).
activities = Table(
    "activities",
    metadata,
    _id(),
    Column("name", String(100), nullable=False),
    Column("description", String(500)),
    Column("max_participants", Integer, nullable=False),
    Column("state_updates", String(16), nullable=False),  # "host" | "participants"
    Column("creator_id", String(26)),
    _ts("created_at"),
)

activity_sessions = Table(
    "activity_sessions",
    metadata,
    _id(),
    Column("activity_id", String(26), nullable=False),  # built-in or `activities.id`
    _ref("channel_id", "channels.id"),
    Column("guild_id", String(26)),
    _ref("host_id", "users.id"),
    Column("state", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # "active" | "ended"
    _ts("started_at"),
    _ts("ended_at", nullable=True),
    Index("ix_activity_sessions_channel", "channel_id"),
)

activity_participants = Table(
    "activity_participants",
    metadata,
    _ref("session_id", "activity_sessions.id"),
    _ref("user_id", "users.id"),
    _ts("joined_at"),
    UniqueConstraint("session_id", "user_id", name="uq_activity_participants_pair"),
)

games = Table(
    "games",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("guild_id", String(26)),
    Column("game_type", String(32), nullable=False),
    Column("state", JSON, nullable=False),  # board, players in seat order, turn, winner
    Column("status", String(16), nullable=False),  # "waiting" | "active" | "won" | "draw"
    _ts("created_at"),
    _ts("updated_at"),
    Index("ix_games_channel", "channel_id"),
)

watch_sessions = Table(
    "watch_sessions",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("guild_id", String(26)),
    _ref("host_id", "users.id"),
    Column("video_url", String(2048), nullable=False),
    Column("title", String(200)),
    Column("current_time_ms", BigInteger, nullable=False, default=0),
    Column("playing", Boolean, nullable=False, default=False),
    Column("playback_rate", Float, nullable=False, default=1.0),
    _ts("started_at"),
    _ts("synced_at"),
    Index("ix_watch_sessions_channel", "channel_id"),
)

music_parties = Table(
    "music_parties",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("guild_id", String(26)),
    _ref("host_id", "users.id"),
    Column("current_index", Integer, nullable=False, default=0),
    Column("playing", Boolean, nullable=False, default=False),
    _ts("started_at"),
    Index("ix_music_parties_channel", "channel_id"),
)

music_party_tracks = Table(
    "music_party_tracks",
    metadata,
    _ref("party_id", "music_parties.id"),
    Column("position", Integer, nullable=False),
    Column("url", String(2048), nullable=False),
    Column("title", String(200), nullable=False),
    Column("artist", String(200)),
    Column("duration_ms", BigInteger),
    Column("added_by", String(26), nullable=False),
    _ts("added_at"),
    UniqueConstraint("party_id", "position", name="uq_music_party_tracks_position"),
)

# The presence a bot's owner (or the bot) last set; bots have no row until then.
bot_presences = Table(
    "bot_presences",
    metadata,
    Column("bot_id", String(26), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("activity", JSON),
    _ts("updated_at"),
)

# ---- voice, calls, soundboard, notifications, announcements (migration 0006_voice) ----------

# Who is in which voice channel or DM/group call: one row per user, so every process sees it.
# `session_id` is the gateway session holding the state (it is removed when that session ends).
voice_states = Table(
    "voice_states",
    metadata,
    Column("user_id", String(26), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    _ref("channel_id", "channels.id"),
    Column("guild_id", String(26)),
    Column("session_id", String(64), nullable=False),
    Column("self_mute", Boolean, nullable=False, default=False),
    Column("self_deaf", Boolean, nullable=False, default=False),
    Column("mute", Boolean, nullable=False, default=False),
    Column("deaf", Boolean, nullable=False, default=False),
    Column("self_stream", Boolean, nullable=False, default=False),
    Column("self_video", Boolean, nullable=False, default=False),  # the camera is on
    Column("stream_resolution", String(16)),  # the screen share's settings while self_stream is on
    Column("stream_framerate", Integer),
    Column("stream_audio", Boolean),
    _ts("updated_at"),
    Index("ix_voice_states_channel", "channel_id"),
    Index("ix_voice_states_session", "session_id"),
)

# At most one broadcast per voice channel or call at a time.
voice_broadcasts = Table(
    "voice_broadcasts",
    metadata,
    _id(),
    Column("channel_id", String(26), ForeignKey("channels.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("guild_id", String(26)),
    _ref("broadcaster_id", "users.id"),
    Column("title", String(100)),
    _ts("started_at"),
)

# Soundboard sounds belong to a guild; only their metadata is stored (volume in thousandths).
soundboard_sounds = Table(
    "soundboard_sounds",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("name", String(32), nullable=False),
    Column("volume", Integer, nullable=False, default=1000),
    Column("emoji", String(64)),
    Column("creator_id", String(26), nullable=False),
    _ts("created_at"),
    UniqueConstraint("guild_id", "name", name="uq_soundboard_sounds_name"),
)

notifications = Table(
    "notifications",
    metadata,
    _id(),
    _ref("user_id", "users.id"),
    Column("type", String(32), nullable=False),
    Column("guild_id", String(26)),
    Column("channel_id", String(26)),
    Column("message_id", String(26)),
    Column("actor_id", String(26)),
    Column("content", String(256)),
    Column("read", Boolean, nullable=False, default=False),
    _ts("created_at"),
    Index("ix_notifications_user", "user_id", "id"),
    Index("ix_notifications_message", "message_id"),
)

# Instance-wide announcements published by administrators.
announcements = Table(
    "announcements",
    metadata,
    _id(),
    Column("title", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    _ts("expires_at", nullable=True),
    Column("author_id", String(26), nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
)

# ---- experimental channel features (migration 0007_experimental) ----------------------------
# Location shares, message effects and super reactions, whiteboards, code snippets, kanban
# boards and channel widgets. Each belongs to one channel and goes with it.

# A share lives until it is stopped; live shares also end at `expires_at` (a sweep stops them).
location_shares = Table(
    "location_shares",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("user_id", String(26), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("accuracy", Float),  # metres
    Column("label", String(100)),
    Column("live", Boolean, nullable=False, default=False),
    _ts("expires_at", nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    Index("ix_location_shares_channel", "channel_id", "id"),
    Index("ix_location_shares_expiry", "live", "expires_at"),
)

message_effects = Table(
    "message_effects",
    metadata,
    _id(),
    _ref("message_id", "messages.id"),
    Column("channel_id", String(26), nullable=False),
    Column("user_id", String(26), nullable=False),
    Column("effect_type", String(16), nullable=False),
    Column("config", JSON, nullable=False),
    _ts("created_at"),
    Index("ix_message_effects_message", "message_id"),
)

super_reactions = Table(
    "super_reactions",
    metadata,
    _id(),
    _ref("message_id", "messages.id"),
    Column("channel_id", String(26), nullable=False),
    Column("user_id", String(26), nullable=False),
    Column("emoji", String(128), nullable=False),
    Column("intensity", Integer, nullable=False),
    _ts("created_at"),
    Index("ix_super_reactions_message", "message_id"),
)

# `version` rises by one with every accepted edit; an edit names the version it was based on.
whiteboards = Table(
    "whiteboards",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("name", String(100), nullable=False),
    Column("state", JSON, nullable=False),
    Column("version", Integer, nullable=False, default=0),
    Column("creator_id", String(26), nullable=False),
    Column("updated_by", String(26)),
    _ts("created_at"),
    _ts("updated_at"),
    Index("ix_whiteboards_channel", "channel_id", "id"),
)

code_snippets = Table(
    "code_snippets",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("author_id", String(26), nullable=False),
    Column("title", String(100), nullable=False),
    Column("language", String(32), nullable=False),
    Column("code", Text, nullable=False),
    _ts("created_at"),
    Index("ix_code_snippets_channel", "channel_id", "id"),
)

kanban_boards = Table(
    "kanban_boards",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("name", String(100), nullable=False),
    Column("creator_id", String(26), nullable=False),
    _ts("created_at"),
    Index("ix_kanban_boards_channel", "channel_id", "id"),
)

# Column and card positions are kept contiguous (0..n-1) by every change.
kanban_columns = Table(
    "kanban_columns",
    metadata,
    _id(),
    _ref("board_id", "kanban_boards.id"),
    Column("name", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    _ts("created_at"),
    Index("ix_kanban_columns_board", "board_id", "position"),
)

kanban_cards = Table(
    "kanban_cards",
    metadata,
    _id(),
    _ref("board_id", "kanban_boards.id"),
    _ref("column_id", "kanban_columns.id"),
    Column("channel_id", String(26), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text),
    Column("position", Integer, nullable=False),
    Column("creator_id", String(26), nullable=False),
    _ts("created_at"),
    Index("ix_kanban_cards_column", "column_id", "position"),
)

channel_widgets = Table(
    "channel_widgets",
    metadata,
    _id(),
    _ref("channel_id", "channels.id"),
    Column("guild_id", String(26)),
    Column("widget_type", String(16), nullable=False),
    Column("title", String(100), nullable=False),
    Column("config", JSON, nullable=False),
    Column("position", Integer, nullable=False, default=0),
    Column("creator_id", String(26), nullable=False),
    _ts("created_at"),
    Index("ix_channel_widgets_channel", "channel_id", "position"),
)

# Events written in the transaction that caused them (bus/outbox.py): deleted once published
# on NATS; on the in-process bus kept until every background worker has passed them.
event_outbox = Table(
    "event_outbox",
    metadata,
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", String(26), nullable=False),
    Column("name", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    _ts("ts"),
    _ts("created_at"),
)

# How far each background worker of the in-process bus got in event_outbox: a restarted
# process replays the events after it (bus/memory.py).
worker_cursors = Table(
    "worker_cursors",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("position", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    _ts("updated_at"),
)

# Failed logins within the rate-limit window, per "account:<name>" and "client:<address>" key:
# counted in the database so every API process enforces the same limit (services/auth.py).
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False),
    _ts("at"),
    Index("ix_login_failures_key_at", "key", "at"),
    Index("ix_login_failures_at", "at"),
)

# Which process runs each periodic timer, and until when (services/leases.py).
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(100), nullable=False),
    _ts("expires_at"),
)

# A user's own settings (theme, locale, notification defaults, privacy): one validated JSON
# document per user; a user without a row has the defaults (services/user_settings.py).
user_settings = Table(
    "user_settings",
    metadata,
    Column("user_id", String(26), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("settings", JSON, nullable=False),
    _ts("updated_at"),
)

# How loudly a channel notifies one user (services/notification_prefs.py); no row: the default.
channel_notification_prefs = Table(
    "channel_notification_prefs",
    metadata,
    _ref("user_id", "users.id"),
    _ref("channel_id", "channels.id"),
    Column("level", String(16), nullable=False),  # all | mentions | none
    _ts("muted_until", nullable=True),
    _ts("updated_at"),
    UniqueConstraint("user_id", "channel_id", name="uq_channel_notification_prefs_pair"),
    Index("ix_channel_notification_prefs_channel", "channel_id"),
)

# ---- search and navigation (migration 0015_edits_and_saves) ----------------------------------
# Message search itself needs no table here: it is an FTS5 table or a GIN index built by
# migration 0014_message_search.

# Earlier versions of edited messages (services/history.py), one row per replaced version.
message_edits = Table(
    "message_edits",
    metadata,
    _id(),
    _ref("message_id", "messages.id"),
    Column("content", Text, nullable=False),
    _ts("created_at"),  # when this version was written (the message's creation or an earlier edit)
    _ts("replaced_at"),  # when the edit that replaced it happened
    Index("ix_message_edits_message", "message_id", "id"),
)

# Messages a user saved for later, with an optional note (services/saved_messages.py).
saved_messages = Table(
    "saved_messages",
    metadata,
    _ref("user_id", "users.id"),
    _ref("message_id", "messages.id"),
    Column("channel_id", String(26), nullable=False),
    _ts("created_at"),
    Column("note", Text, nullable=True),
    UniqueConstraint("user_id", "message_id", name="uq_saved_messages_pair"),
    Index("ix_saved_messages_user", "user_id", "created_at"),
)

# One row per moderation or configuration change in a guild, written in the transaction of the
# change itself (services/audit_log.py). `changes` is a list of {key, old, new}; `target_id` is
# an id or an invite code. No foreign key on the actor or target: entries outlive them.
audit_log_entries = Table(
    "audit_log_entries",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("actor_id", String(26), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target_type", String(20), nullable=True),
    Column("target_id", String(64), nullable=True),
    Column("changes", JSON, nullable=False),
    Column("reason", String(512), nullable=True),
    _ts("created_at"),
    Index("ix_audit_log_entries_guild", "guild_id", "id"),
    Index("ix_audit_log_entries_guild_actor", "guild_id", "actor_id", "id"),
)

# Members' reports of a message or a member to the guild's moderators (services/reports.py).
# `user_id` is the member reported (a message's author for a message report).
reports = Table(
    "reports",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("reporter_id", String(26), nullable=False),
    Column("user_id", String(26), nullable=False),
    Column("message_id", String(26), nullable=True),
    Column("channel_id", String(26), nullable=True),
    Column("reason", String(512), nullable=False),
    Column("status", String(16), nullable=False),  # open | resolved | dismissed
    Column("resolution", String(512), nullable=True),
    Column("handled_by", String(26), nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    Index("ix_reports_guild_status", "guild_id", "status", "id"),
)

# Warnings moderators give members (services/warnings.py).
member_warnings = Table(
    "member_warnings",
    metadata,
    _id(),
    _ref("guild_id", "guilds.id"),
    Column("user_id", String(26), nullable=False),
    Column("moderator_id", String(26), nullable=False),
    Column("reason", String(512), nullable=False),
    _ts("created_at"),
    Index("ix_member_warnings_member", "guild_id", "user_id", "id"),
)


# ---- accounts: e-mail, data exports, scheduled deletion (services/accounts.py) -----------------

# Single-use links mailed to a user (services/account_tokens.py): only the SHA-256 of the token is
# kept. `purpose` is verify_email or password_reset; `email` is the address a verification
# link confirms (the new one, for an e-mail change).
account_tokens = Table(
    "account_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    _ref("user_id", "users.id"),
    Column("purpose", String(16), nullable=False),
    Column("email", String(254)),
    _ts("expires_at"),
    Index("ix_account_tokens_user", "user_id", "purpose"),
)

# Mail waiting to be sent (services/mail.py): written in the transaction that decides to send
# it, sent by a worker; `claimed_until` keeps two processes from sending one mail twice.
outgoing_mail = Table(
    "outgoing_mail",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    _ts("next_attempt_at"),
    _ts("claimed_until", nullable=True),
    Column("last_error", String(512)),
    _ts("created_at"),
    Index("ix_outgoing_mail_due", "next_attempt_at"),
)

# A user's data exports (services/data_export.py): pending until the worker has stored the zip.
data_exports = Table(
    "data_exports",
    metadata,
    _id(),
    _ref("user_id", "users.id"),
    Column("status", String(16), nullable=False),  # pending | ready | failed | expired
    Column("storage_key", String(128)),
    Column("size_bytes", BigInteger),
    # The instance's address as the request came to it, for the link in the "ready" mail.
    Column("link_base", String(255)),
    _ts("claimed_until", nullable=True),
    _ts("created_at"),
    _ts("finished_at", nullable=True),
    Index("ix_data_exports_user", "user_id", "created_at"),
)

# Accounts whose owner asked for deletion: erased at `erase_at` unless they log in before.
account_deletions = Table(
    "account_deletions",
    metadata,
    Column("user_id", String(26), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    _ts("requested_at"),
    _ts("erase_at"),
    Index("ix_account_deletions_due", "erase_at"),
)


# ---- instance administration (services/instance.py, services/admin.py) ----------------------------

# Instance settings editable at runtime, one row per setting; an absent row means the default
# from the configuration (services/instance.py).
instance_settings = Table(
    "instance_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
)

# What instance administrators did (services/audit_log.record_instance); actor_id null: the
# `amityvox admin` command on the server's own console.
instance_audit_log = Table(
    "instance_audit_log",
    metadata,
    _id(),
    Column("actor_id", String(26), nullable=True),
    Column("action", String(40), nullable=False),
    Column("target_type", String(20), nullable=True),
    Column("target_id", String(64), nullable=True),
    Column("changes", JSON, nullable=False),
    Column("reason", String(512), nullable=True),
    _ts("created_at"),
)

# Reports addressed to the instance's administrators rather than to a guild's moderators.
instance_reports = Table(
    "instance_reports",
    metadata,
    _id(),
    Column("reporter_id", String(26), nullable=False),
    Column("user_id", String(26), nullable=False),
    Column("guild_id", String(26), nullable=True),
    Column("message_id", String(26), nullable=True),
    Column("reason", String(512), nullable=False),
    Column("status", String(16), nullable=False),  # open | resolved | dismissed
    Column("resolution", String(512), nullable=True),
    Column("handled_by", String(26), nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    Index("ix_instance_reports_status", "status", "id"),
)
