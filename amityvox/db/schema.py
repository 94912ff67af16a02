"""SQLAlchemy Core schema. Timestamps are fixed-width RFC 3339 strings (they sort as text)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
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
    Column("password_hash", String(256)),
    Column("is_admin", Boolean, nullable=False, default=False),
    _ts("created_at"),
    _ts("deleted_at", nullable=True),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    _ref("user_id", "users.id"),
    _ts("created_at"),
    _ts("expires_at"),
    Index("ix_auth_sessions_user", "user_id"),
)

guilds = Table(
    "guilds",
    metadata,
    _id(),
    _ref("owner_id", "users.id", ondelete="RESTRICT"),
    Column("name", String(100), nullable=False),
    Column("description", String(1000)),
    Column("icon_id", String(26)),
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
    Index("ix_roles_guild", "guild_id"),
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
    Index("ix_messages_channel_id", "channel_id", "id"),
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
