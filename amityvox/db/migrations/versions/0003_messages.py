"""message mentions and slowmode marks

Mentions get their own rows so a user's unread mention count is one indexed
query; slowmode remembers each member's last post per channel across restarts.

Revision ID: 0003_messages
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_messages"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_mentions",
        sa.Column("message_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("target_id", sa.String(length=26), nullable=False),
        sa.Column("target_type", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_mentions_message_id_messages"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("message_id", "target_id", name="uq_message_mentions_target"),
    )
    with op.batch_alter_table("message_mentions", schema=None) as batch_op:
        batch_op.create_index("ix_message_mentions_lookup", ["target_id", "channel_id", "message_id"], unique=False)
    op.create_table(
        "slowmode_marks",
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("posted_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_slowmode_marks_channel_id_channels"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_slowmode_marks_user_id_users"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("channel_id", "user_id", name="uq_slowmode_marks_pair"),
    )


def downgrade() -> None:
    op.drop_table("slowmode_marks")
    with op.batch_alter_table("message_mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_message_mentions_lookup")
    op.drop_table("message_mentions")
