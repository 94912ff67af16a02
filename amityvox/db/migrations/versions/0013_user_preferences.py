"""user settings and channel notification preferences

`user_settings` holds each user's own settings document (theme, locale, notification
defaults, privacy); `channel_notification_prefs` how loudly each channel notifies a user.

Revision ID: 0013_user_preferences
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_user_preferences"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_settings")),
    )
    op.create_table(
        "channel_notification_prefs",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("muted_until", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_channel_notification_prefs_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_channel_notification_prefs_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("user_id", "channel_id", name="uq_channel_notification_prefs_pair"),
    )
    op.create_index("ix_channel_notification_prefs_channel", "channel_notification_prefs", ["channel_id"])


def downgrade() -> None:
    op.drop_table("channel_notification_prefs")
    op.drop_table("user_settings")
