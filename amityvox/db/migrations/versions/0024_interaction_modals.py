"""interaction modals and deadlines, and commands-only installs

`interactions` gains the deadline of the initial answer (`respond_by`), the modal a command was
answered with and when it was submitted; `application_installs` holds the guilds where a bot's
commands are usable without the bot being a member.

Revision ID: 0024_interaction_modals
Revises: 0023_managed_roles
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_interaction_modals"
down_revision = "0023_managed_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("respond_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("modal", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("modal_submitted_at", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_interactions_respond_by", ["respond_by"])
    op.create_table(
        "application_installs",
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("application_id", sa.String(length=26), nullable=False),
        sa.Column("installed_by", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_application_installs_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["users.id"],
            name=op.f("fk_application_installs_application_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("guild_id", "application_id", name=op.f("pk_application_installs")),
    )
    op.create_index("ix_application_installs_application_id", "application_installs", ["application_id"])


def downgrade() -> None:
    op.drop_index("ix_application_installs_application_id", table_name="application_installs")
    op.drop_table("application_installs")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_respond_by")
        batch_op.drop_column("modal_submitted_at")
        batch_op.drop_column("modal")
        batch_op.drop_column("respond_by")
