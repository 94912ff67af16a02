"""background worker cursors

`worker_cursors` records, per background worker of the in-process bus, the last position of
`event_outbox` it has handled, so a restarted process replays what came after it. The workers
look up what they did for a message (notifications, automod actions) so that handling an
event twice does nothing more: those lookups get an index.

Revision ID: 0012_worker_cursors
Revises: 0009_outbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_worker_cursors"
down_revision = "0009_outbox"
branch_labels = None
depends_on = ("0005_community", "0006_voice")  # automod_actions, notifications


def upgrade() -> None:
    op.create_table(
        "worker_cursors",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_cursors")),
    )
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.create_index("ix_notifications_message", ["message_id"], unique=False)
    with op.batch_alter_table("automod_actions") as batch_op:
        batch_op.create_index("ix_automod_actions_message", ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("automod_actions") as batch_op:
        batch_op.drop_index("ix_automod_actions_message")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_index("ix_notifications_message")
    op.drop_table("worker_cursors")
