"""community and moderation: automod, raid protection, polls, guild events, onboarding, channel groups

AutoMod rules and the log of what they did; one raid-protection configuration per
guild; polls with their options and votes; scheduled guild events with RSVPs; one
onboarding configuration per guild; channel groups and the channels in them.

Revision ID: 0005_community
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_community"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "automod_actions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("rule_id", sa.String(length=26), nullable=False),
        sa.Column("rule_name", sa.String(length=100), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_automod_actions_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automod_actions")),
    )
    with op.batch_alter_table("automod_actions", schema=None) as batch_op:
        batch_op.create_index("ix_automod_actions_guild", ["guild_id", "id"], unique=False)

    op.create_table(
        "automod_rules",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("rule_type", sa.String(length=16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("timeout_seconds", sa.Integer(), nullable=True),
        sa.Column("exempt_role_ids", sa.JSON(), nullable=False),
        sa.Column("exempt_channel_ids", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("creator_id", sa.String(length=26), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_automod_rules_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automod_rules")),
    )
    with op.batch_alter_table("automod_rules", schema=None) as batch_op:
        batch_op.create_index("ix_automod_rules_guild", ["guild_id"], unique=False)

    op.create_table(
        "channel_groups",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_channel_groups_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_groups")),
    )
    with op.batch_alter_table("channel_groups", schema=None) as batch_op:
        batch_op.create_index("ix_channel_groups_guild", ["guild_id"], unique=False)

    op.create_table(
        "guild_events",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("creator_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("location", sa.String(length=256), nullable=True),
        sa.Column("channel_id", sa.String(length=26), nullable=True),
        sa.Column("scheduled_start", sa.String(length=32), nullable=False),
        sa.Column("scheduled_end", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_guild_events_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guild_events")),
    )
    with op.batch_alter_table("guild_events", schema=None) as batch_op:
        batch_op.create_index("ix_guild_events_guild", ["guild_id", "scheduled_start"], unique=False)
        batch_op.create_index("ix_guild_events_status", ["status", "scheduled_start"], unique=False)

    op.create_table(
        "guild_onboarding",
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("welcome_message", sa.String(length=2000), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("default_channel_ids", sa.JSON(), nullable=False),
        sa.Column("prompts", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_guild_onboarding_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_onboarding")),
    )
    op.create_table(
        "raid_configs",
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("join_threshold", sa.Integer(), nullable=False),
        sa.Column("window_seconds", sa.Integer(), nullable=False),
        sa.Column("lockdown_duration_seconds", sa.Integer(), nullable=False),
        sa.Column("lockdown_active", sa.Boolean(), nullable=False),
        sa.Column("lockdown_started_at", sa.String(length=32), nullable=True),
        sa.Column("lockdown_ends_at", sa.String(length=32), nullable=True),
        sa.Column("lockdown_reason", sa.String(length=512), nullable=True),
        sa.Column("lockdown_triggered_by", sa.String(length=26), nullable=True),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_raid_configs_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_raid_configs")),
    )
    with op.batch_alter_table("raid_configs", schema=None) as batch_op:
        batch_op.create_index("ix_raid_configs_active", ["lockdown_active", "lockdown_ends_at"], unique=False)

    op.create_table(
        "channel_group_items",
        sa.Column("group_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_channel_group_items_channel_id_channels"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["channel_groups.id"],
            name=op.f("fk_channel_group_items_group_id_channel_groups"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("group_id", "channel_id", name="uq_channel_group_items_pair"),
    )
    with op.batch_alter_table("channel_group_items", schema=None) as batch_op:
        batch_op.create_index("ix_channel_group_items_channel", ["channel_id"], unique=False)

    op.create_table(
        "guild_event_rsvps",
        sa.Column("event_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["guild_events.id"],
            name=op.f("fk_guild_event_rsvps_event_id_guild_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_guild_event_rsvps_user_id_users"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("event_id", "user_id", name="uq_guild_event_rsvps_pair"),
    )
    op.create_table(
        "polls",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("message_id", sa.String(length=26), nullable=True),
        sa.Column("author_id", sa.String(length=26), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("multi_vote", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("closed_by", sa.String(length=26), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_polls_channel_id_channels"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index("ix_polls_open", ["closed", "expires_at"], unique=False)

    op.create_table(
        "poll_options",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("poll_id", sa.String(length=26), nullable=False),
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_options_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_options")),
    )
    with op.batch_alter_table("poll_options", schema=None) as batch_op:
        batch_op.create_index("ix_poll_options_poll", ["poll_id"], unique=False)

    op.create_table(
        "poll_votes",
        sa.Column("poll_id", sa.String(length=26), nullable=False),
        sa.Column("option_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["option_id"], ["poll_options.id"], name=op.f("fk_poll_votes_option_id_poll_options"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_votes_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_poll_votes_user_id_users"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("poll_id", "option_id", "user_id", name="uq_poll_votes_once"),
    )
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.create_index("ix_poll_votes_voter", ["poll_id", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.drop_index("ix_poll_votes_voter")

    op.drop_table("poll_votes")
    with op.batch_alter_table("poll_options", schema=None) as batch_op:
        batch_op.drop_index("ix_poll_options_poll")

    op.drop_table("poll_options")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_index("ix_polls_open")

    op.drop_table("polls")
    op.drop_table("guild_event_rsvps")
    with op.batch_alter_table("channel_group_items", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_group_items_channel")

    op.drop_table("channel_group_items")
    with op.batch_alter_table("raid_configs", schema=None) as batch_op:
        batch_op.drop_index("ix_raid_configs_active")

    op.drop_table("raid_configs")
    op.drop_table("guild_onboarding")
    with op.batch_alter_table("guild_events", schema=None) as batch_op:
        batch_op.drop_index("ix_guild_events_status")
        batch_op.drop_index("ix_guild_events_guild")

    op.drop_table("guild_events")
    with op.batch_alter_table("channel_groups", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_groups_guild")

    op.drop_table("channel_groups")
    with op.batch_alter_table("automod_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_automod_rules_guild")

    op.drop_table("automod_rules")
    with op.batch_alter_table("automod_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_automod_actions_guild")

    op.drop_table("automod_actions")
