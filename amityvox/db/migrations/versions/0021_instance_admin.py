"""instance administration: suspended accounts, runtime settings, the instance audit log and reports

Revision ID: 0021_instance_admin
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_instance_admin"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", sa.String(length=32), nullable=True))
    op.create_table(
        "instance_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_instance_settings")),
    )
    op.create_table(
        "instance_audit_log",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("actor_id", sa.String(length=26), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_audit_log")),
    )
    op.create_table(
        "instance_reports",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("reporter_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("message_id", sa.String(length=26), nullable=True),
        sa.Column("reason", sa.String(length=512), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=512), nullable=True),
        sa.Column("handled_by", sa.String(length=26), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_reports")),
    )
    op.create_index("ix_instance_reports_status", "instance_reports", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_instance_reports_status", table_name="instance_reports")
    op.drop_table("instance_reports")
    op.drop_table("instance_audit_log")
    op.drop_table("instance_settings")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("suspended_at")
