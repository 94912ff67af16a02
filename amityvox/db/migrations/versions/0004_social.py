"""channel recipients remember when they were added

Group DMs hand ownership to the earliest remaining recipient when the owner
leaves, so each recipient row records when it was added.

Revision ID: 0004_social
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_social"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel_recipients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_at", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel_recipients", schema=None) as batch_op:
        batch_op.drop_column("added_at")
