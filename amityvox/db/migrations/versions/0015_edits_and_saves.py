"""earlier versions of edited messages, and messages users saved

Revision ID: 0015_edits_and_saves
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_edits_and_saves"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_edits",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("replaced_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_edits_message_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_edits")),
    )
    with op.batch_alter_table("message_edits", schema=None) as batch_op:
        batch_op.create_index("ix_message_edits_message", ["message_id", "id"], unique=False)
    op.create_table(
        "saved_messages",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_messages_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_saved_messages_message_id_messages"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("user_id", "message_id", name="uq_saved_messages_pair"),
    )
    with op.batch_alter_table("saved_messages", schema=None) as batch_op:
        batch_op.create_index("ix_saved_messages_user", ["user_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saved_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_messages_user")
    op.drop_table("saved_messages")
    with op.batch_alter_table("message_edits", schema=None) as batch_op:
        batch_op.drop_index("ix_message_edits_message")
    op.drop_table("message_edits")
