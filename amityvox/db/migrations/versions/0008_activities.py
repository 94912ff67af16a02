"""activities, games, watch-together, music parties and bot presence

Activity sessions with their participants, two-player board games, synchronised
video sessions, music parties with their queues, admin-added activities, and the
presence bot owners set for their bots.

Revision ID: 0008_activities
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_activities"
down_revision = "0001"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("max_participants", sa.Integer(), nullable=False),
        sa.Column("state_updates", sa.String(length=16), nullable=False),
        sa.Column("creator_id", sa.String(length=26), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_table(
        "activity_sessions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("activity_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("host_id", sa.String(length=26), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("ended_at", sa.String(length=32), nullable=True),
        _fk("activity_sessions", "channel_id", "channels"),
        _fk("activity_sessions", "host_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_sessions")),
    )
    op.create_index("ix_activity_sessions_channel", "activity_sessions", ["channel_id"])
    op.create_table(
        "activity_participants",
        sa.Column("session_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("joined_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["activity_sessions.id"],
            name=op.f("fk_activity_participants_session_id_activity_sessions"),
            ondelete="CASCADE",
        ),
        _fk("activity_participants", "user_id", "users"),
        sa.UniqueConstraint("session_id", "user_id", name="uq_activity_participants_pair"),
    )
    op.create_table(
        "games",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("game_type", sa.String(length=32), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        _fk("games", "channel_id", "channels"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_games")),
    )
    op.create_index("ix_games_channel", "games", ["channel_id"])
    op.create_table(
        "watch_sessions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("host_id", sa.String(length=26), nullable=False),
        sa.Column("video_url", sa.String(length=2048), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("current_time_ms", sa.BigInteger(), nullable=False),
        sa.Column("playing", sa.Boolean(), nullable=False),
        sa.Column("playback_rate", sa.Float(), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("synced_at", sa.String(length=32), nullable=False),
        _fk("watch_sessions", "channel_id", "channels"),
        _fk("watch_sessions", "host_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_sessions")),
    )
    op.create_index("ix_watch_sessions_channel", "watch_sessions", ["channel_id"])
    op.create_table(
        "music_parties",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("guild_id", sa.String(length=26), nullable=True),
        sa.Column("host_id", sa.String(length=26), nullable=False),
        sa.Column("current_index", sa.Integer(), nullable=False),
        sa.Column("playing", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        _fk("music_parties", "channel_id", "channels"),
        _fk("music_parties", "host_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_music_parties")),
    )
    op.create_index("ix_music_parties_channel", "music_parties", ["channel_id"])
    op.create_table(
        "music_party_tracks",
        sa.Column("party_id", sa.String(length=26), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("artist", sa.String(length=200), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("added_by", sa.String(length=26), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["music_parties.id"],
            name=op.f("fk_music_party_tracks_party_id_music_parties"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("party_id", "position", name="uq_music_party_tracks_position"),
    )
    op.create_table(
        "bot_presences",
        sa.Column("bot_id", sa.String(length=26), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("activity", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        _fk("bot_presences", "bot_id", "users"),
        sa.PrimaryKeyConstraint("bot_id", name=op.f("pk_bot_presences")),
    )


def downgrade() -> None:
    op.drop_table("bot_presences")
    op.drop_table("music_party_tracks")
    op.drop_index("ix_music_parties_channel", table_name="music_parties")
    op.drop_table("music_parties")
    op.drop_index("ix_watch_sessions_channel", table_name="watch_sessions")
    op.drop_table("watch_sessions")
    op.drop_index("ix_games_channel", table_name="games")
    op.drop_table("games")
    op.drop_table("activity_participants")
    op.drop_index("ix_activity_sessions_channel", table_name="activity_sessions")
    op.drop_table("activity_sessions")
    op.drop_table("activities")
