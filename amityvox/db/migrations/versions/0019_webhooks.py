"""webhooks: incoming webhooks per channel, and the messages they post

`webhooks` holds one row per webhook (its secret token only as a hash). A message posted
through one carries `webhook_id` and the name and avatar it was shown with (`webhook_author`).

Revision ID: 0019_webhooks
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_webhooks"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("creator_id", sa.String(length=26), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("avatar_url", sa.String(length=2048), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_webhooks_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_webhooks_channel_id_channels"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index("ix_webhooks_channel_id", "webhooks", ["channel_id"])
    op.create_index("ix_webhooks_guild_id", "webhooks", ["guild_id"])
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_id", sa.String(length=26), nullable=True))
        batch_op.add_column(sa.Column("webhook_author", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("webhook_author")
        batch_op.drop_column("webhook_id")
    op.drop_index("ix_webhooks_guild_id", table_name="webhooks")
    op.drop_index("ix_webhooks_channel_id", table_name="webhooks")
    op.drop_table("webhooks")
