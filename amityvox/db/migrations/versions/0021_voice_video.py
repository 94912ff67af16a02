"""voice states say whether the camera is on

Revision ID: 0021_voice_video
Revises: 0006_voice
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_voice_video"
down_revision = "0006_voice"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("voice_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_video", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("voice_states", schema=None) as batch_op:
        batch_op.drop_column("self_video")
