"""managed roles: the role a bot's install creates names the bot it belongs to

Revision ID: 0023_managed_roles
Revises: 0021_application_commands
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_managed_roles"
down_revision = "0021_application_commands"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("managed_by", sa.String(length=26), nullable=True))
        batch_op.create_foreign_key("fk_roles_managed_by_users", "users", ["managed_by"], ["id"], ondelete="CASCADE")
        batch_op.create_index("ix_roles_managed_by", ["managed_by"])


def downgrade() -> None:
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_index("ix_roles_managed_by")
        batch_op.drop_constraint("fk_roles_managed_by_users", type_="foreignkey")
        batch_op.drop_column("managed_by")
