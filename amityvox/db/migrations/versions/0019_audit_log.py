"""the guild audit log: one row per moderation or configuration change

Revision ID: 0019_audit_log
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_audit_log"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log_entries",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("actor_id", sa.String(length=26), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_audit_log_entries_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log_entries")),
    )
    op.create_index("ix_audit_log_entries_guild", "audit_log_entries", ["guild_id", "id"])
    op.create_index("ix_audit_log_entries_guild_actor", "audit_log_entries", ["guild_id", "actor_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_entries_guild_actor", table_name="audit_log_entries")
    op.drop_index("ix_audit_log_entries_guild", table_name="audit_log_entries")
    op.drop_table("audit_log_entries")
