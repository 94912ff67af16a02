"""data exports: the address their ready mail links to

Revision ID: 0022_data_export_links
Revises: 0021_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_data_export_links"
down_revision = "0021_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_base", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_column("link_base")
