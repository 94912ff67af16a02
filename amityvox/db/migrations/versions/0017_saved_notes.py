"""a note on each saved message

Revision ID: 0017_saved_notes
Revises: 0015_edits_and_saves
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_saved_notes"
down_revision = "0015_edits_and_saves"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("saved_messages", schema=None) as batch_op:
        batch_op.drop_column("note")
