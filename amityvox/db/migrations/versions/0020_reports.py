"""members' reports to moderators, and moderators' warnings to members

Revision ID: 0020_reports
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_reports"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("reporter_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=True),
        sa.Column("channel_id", sa.String(length=26), nullable=True),
        sa.Column("reason", sa.String(length=512), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=512), nullable=True),
        sa.Column("handled_by", sa.String(length=26), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["guild_id"], ["guilds.id"], name=op.f("fk_reports_guild_id_guilds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index("ix_reports_guild_status", "reports", ["guild_id", "status", "id"])
    op.create_table(
        "member_warnings",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("moderator_id", sa.String(length=26), nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_member_warnings_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_warnings")),
    )
    op.create_index("ix_member_warnings_member", "member_warnings", ["guild_id", "user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_member_warnings_member", table_name="member_warnings")
    op.drop_table("member_warnings")
    op.drop_index("ix_reports_guild_status", table_name="reports")
    op.drop_table("reports")
