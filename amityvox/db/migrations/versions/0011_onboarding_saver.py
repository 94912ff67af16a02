"""who saved a guild's onboarding

Completing onboarding grants roles on the authority of whoever saved the configuration,
so that member's permissions are checked again at grant time. Configurations saved
before this was recorded grant no roles until they are saved again.

Revision ID: 0011_onboarding_saver
Revises: 0005_community
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_onboarding_saver"
down_revision = "0005_community"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("guild_onboarding") as batch:
        batch.add_column(sa.Column("updated_by", sa.String(length=26), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guild_onboarding") as batch:
        batch.drop_column("updated_by")
