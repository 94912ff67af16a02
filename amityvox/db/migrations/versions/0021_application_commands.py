"""application commands: bots' slash commands, their uses, and the answers they post

`application_commands` holds a bot's global and per-guild commands; `interactions` one use
of a command with its token's hash and the state of its answer. A message a bot posts in
answer carries `interaction` (`{id, name, user_id}`).

Revision ID: 0021_application_commands
Revises: 0019_webhooks
"""

import sqlalchemy as sa
from alembic import op

from amityvox.db.schema import U64

revision = "0021_application_commands"
down_revision = "0019_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application_commands",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("application_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("default_member_permissions", U64(), nullable=True),
        sa.Column("version", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["users.id"],
            name=op.f("fk_application_commands_application_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_application_commands_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_commands")),
    )
    op.create_index("ix_application_commands_application_id", "application_commands", ["application_id", "guild_id"])
    op.create_index("ix_application_commands_guild_id", "application_commands", ["guild_id"])
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("application_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("responded_at", sa.String(length=32), nullable=True),
        sa.Column("response_type", sa.Integer(), nullable=True),
        sa.Column("ephemeral", sa.Boolean(), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=True),
        sa.Column("ephemeral_message", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["users.id"], name=op.f("fk_interactions_application_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    op.create_index("ix_interactions_expires_at", "interactions", ["expires_at"])
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interaction", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("interaction")
    op.drop_index("ix_interactions_expires_at", table_name="interactions")
    op.drop_table("interactions")
    op.drop_index("ix_application_commands_guild_id", table_name="application_commands")
    op.drop_index("ix_application_commands_application_id", table_name="application_commands")
    op.drop_table("application_commands")
