"""voice states, broadcasts, soundboard sounds, notifications and announcements

Voice states live in the database (one row per user) so that every API and
gateway process sees who is in which voice channel or call.

Revision ID: 0006_voice
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_voice"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_states",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("self_mute", sa.Boolean(), nullable=False),
        sa.Column("self_deaf", sa.Boolean(), nullable=False),
        sa.Column("mute", sa.Boolean(), nullable=False),
        sa.Column("deaf", sa.Boolean(), nullable=False),
        sa.Column("self_stream", sa.Boolean(), nullable=False),
        sa.Column("stream_resolution", sa.String(length=16), nullable=True),
        sa.Column("stream_framerate", sa.Integer(), nullable=True),
        sa.Column("stream_audio", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_voice_states_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_voice_states_channel_id_channels"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_voice_states")),
    )
    with op.batch_alter_table("voice_states", schema=None) as batch_op:
        batch_op.create_index("ix_voice_states_channel", ["channel_id"], unique=False)
        batch_op.create_index("ix_voice_states_session", ["session_id"], unique=False)

    op.create_table(
        "voice_broadcasts",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("broadcaster_id", sa.String(length=26), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_voice_broadcasts_channel_id_channels"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["broadcaster_id"], ["users.id"], name=op.f("fk_voice_broadcasts_broadcaster_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_broadcasts")),
        sa.UniqueConstraint("channel_id", name=op.f("uq_voice_broadcasts_channel_id")),
    )

    op.create_table(
        "soundboard_sounds",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=True),
        sa.Column("creator_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_soundboard_sounds_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_soundboard_sounds")),
        sa.UniqueConstraint("guild_id", "name", name="uq_soundboard_sounds_name"),
    )

    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("channel_id", sa.String(length=26), nullable=True),
        sa.Column("message_id", sa.String(length=26), nullable=True),
        sa.Column("actor_id", sa.String(length=26), nullable=True),
        sa.Column("content", sa.String(length=256), nullable=True),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user", ["user_id", "id"], unique=False)

    op.create_table(
        "announcements",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=True),
        sa.Column("author_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )


def downgrade() -> None:
    op.drop_table("announcements")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user")
    op.drop_table("notifications")
    op.drop_table("soundboard_sounds")
    op.drop_table("voice_broadcasts")
    with op.batch_alter_table("voice_states", schema=None) as batch_op:
        batch_op.drop_index("ix_voice_states_session")
        batch_op.drop_index("ix_voice_states_channel")
    op.drop_table("voice_states")
