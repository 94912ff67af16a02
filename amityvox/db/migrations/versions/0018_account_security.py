"""account security: named sessions, TOTP two-factor, backup codes, login tickets

`auth_sessions` gains a public `id` (existing rows get one here), the user agent and address
of the login, and when the token was last seen. `user_totp`, `totp_backup_codes` and
`login_tickets` hold two-factor state.

Revision ID: 0018_account_security
Revises: 0001
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0018_account_security"
down_revision = "0001"
branch_labels = None
depends_on = None

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id", sa.String(length=26), nullable=True))
        batch_op.add_column(sa.Column("user_agent", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", sa.String(length=32), nullable=True))
    sessions = sa.table("auth_sessions", sa.column("token_hash", sa.String), sa.column("id", sa.String))
    bind = op.get_bind()
    for (token_hash,) in bind.execute(sa.select(sessions.c.token_hash)).all():
        # Any unique 26-character id will do for sessions that predate ids.
        session_id = "".join(secrets.choice(_CROCKFORD) for _ in range(26))
        bind.execute(sa.update(sessions).where(sessions.c.token_hash == token_hash).values(id=session_id))
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.alter_column("id", existing_type=sa.String(length=26), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_auth_sessions_id"), ["id"])
    op.create_table(
        "user_totp",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("enabled_at", sa.String(length=32), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_totp_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_totp")),
    )
    op.create_table(
        "totp_backup_codes",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_totp_backup_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "code_hash", name=op.f("pk_totp_backup_codes")),
    )
    op.create_table(
        "login_tickets",
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_tickets_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ticket_hash", name=op.f("pk_login_tickets")),
    )


def downgrade() -> None:
    op.drop_table("login_tickets")
    op.drop_table("totp_backup_codes")
    op.drop_table("user_totp")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_auth_sessions_id"), type_="unique")
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("address")
        batch_op.drop_column("user_agent")
        batch_op.drop_column("id")
