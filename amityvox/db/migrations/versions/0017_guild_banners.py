"""guild banners: the `banner` upload a guild shows above its channel list

Revision ID: 0017_guild_banners
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_guild_banners"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("banner_id", sa.String(length=26), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.drop_column("banner_id")
