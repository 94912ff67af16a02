"""guild system channel: where a guild's join messages are posted (none when null)

Revision ID: 0022_guild_system_channel
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_guild_system_channel"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("system_channel_id", sa.String(length=26), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.drop_column("system_channel_id")
