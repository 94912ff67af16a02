"""event webhooks: https endpoints subscribed to a guild's events, and their deliveries

Revision ID: 0020_event_webhooks
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_event_webhooks"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_webhooks",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("creator_id", sa.String(length=26), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_event_webhooks_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_webhooks")),
    )
    op.create_index("ix_event_webhooks_guild_id", "event_webhooks", ["guild_id"])
    op.create_table(
        "event_webhook_deliveries",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("webhook_id", sa.String(length=26), nullable=False),
        sa.Column("event_id", sa.String(length=26), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.String(length=32), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("delivered_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["event_webhooks.id"],
            name=op.f("fk_event_webhook_deliveries_webhook_id_event_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_webhook_deliveries")),
        sa.UniqueConstraint("webhook_id", "event_id", name="uq_event_webhook_deliveries_once"),
    )
    op.create_index("ix_event_webhook_deliveries_due", "event_webhook_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_event_webhook_deliveries_log", "event_webhook_deliveries", ["webhook_id", "id"])


def downgrade() -> None:
    op.drop_table("event_webhook_deliveries")
    op.drop_table("event_webhooks")
