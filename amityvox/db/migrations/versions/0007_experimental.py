"""experimental channel features: location shares, effects, whiteboards, snippets, kanban, widgets

Location shares (live ones expire), message effects and super reactions, versioned
whiteboards, code snippets, kanban boards with ordered columns and cards, and
channel widgets. Every row belongs to a channel and is removed with it.

Revision ID: 0007_experimental
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_experimental"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(length=26), nullable=False)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=32), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def upgrade() -> None:
    op.create_table(
        "location_shares",
        _id(),
        _str("channel_id", 26),
        _str("user_id", 26),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=True),
        _str("label", 100, nullable=True),
        sa.Column("live", sa.Boolean(), nullable=False),
        _ts("expires_at", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _fk("location_shares", "channel_id", "channels"),
        _pk("location_shares"),
    )
    op.create_index("ix_location_shares_channel", "location_shares", ["channel_id", "id"])
    op.create_index("ix_location_shares_expiry", "location_shares", ["live", "expires_at"])

    op.create_table(
        "message_effects",
        _id(),
        _str("message_id", 26),
        _str("channel_id", 26),
        _str("user_id", 26),
        _str("effect_type", 16),
        sa.Column("config", sa.JSON(), nullable=False),
        _ts("created_at"),
        _fk("message_effects", "message_id", "messages"),
        _pk("message_effects"),
    )
    op.create_index("ix_message_effects_message", "message_effects", ["message_id"])

    op.create_table(
        "super_reactions",
        _id(),
        _str("message_id", 26),
        _str("channel_id", 26),
        _str("user_id", 26),
        _str("emoji", 128),
        sa.Column("intensity", sa.Integer(), nullable=False),
        _ts("created_at"),
        _fk("super_reactions", "message_id", "messages"),
        _pk("super_reactions"),
    )
    op.create_index("ix_super_reactions_message", "super_reactions", ["message_id"])

    op.create_table(
        "whiteboards",
        _id(),
        _str("channel_id", 26),
        _str("name", 100),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _str("creator_id", 26),
        _str("updated_by", 26, nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _fk("whiteboards", "channel_id", "channels"),
        _pk("whiteboards"),
    )
    op.create_index("ix_whiteboards_channel", "whiteboards", ["channel_id", "id"])

    op.create_table(
        "code_snippets",
        _id(),
        _str("channel_id", 26),
        _str("author_id", 26),
        _str("title", 100),
        _str("language", 32),
        sa.Column("code", sa.Text(), nullable=False),
        _ts("created_at"),
        _fk("code_snippets", "channel_id", "channels"),
        _pk("code_snippets"),
    )
    op.create_index("ix_code_snippets_channel", "code_snippets", ["channel_id", "id"])

    op.create_table(
        "kanban_boards",
        _id(),
        _str("channel_id", 26),
        _str("name", 100),
        _str("creator_id", 26),
        _ts("created_at"),
        _fk("kanban_boards", "channel_id", "channels"),
        _pk("kanban_boards"),
    )
    op.create_index("ix_kanban_boards_channel", "kanban_boards", ["channel_id", "id"])

    op.create_table(
        "kanban_columns",
        _id(),
        _str("board_id", 26),
        _str("name", 100),
        sa.Column("position", sa.Integer(), nullable=False),
        _ts("created_at"),
        _fk("kanban_columns", "board_id", "kanban_boards"),
        _pk("kanban_columns"),
    )
    op.create_index("ix_kanban_columns_board", "kanban_columns", ["board_id", "position"])

    op.create_table(
        "kanban_cards",
        _id(),
        _str("board_id", 26),
        _str("column_id", 26),
        _str("channel_id", 26),
        _str("title", 200),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        _str("creator_id", 26),
        _ts("created_at"),
        _fk("kanban_cards", "board_id", "kanban_boards"),
        _fk("kanban_cards", "column_id", "kanban_columns"),
        _pk("kanban_cards"),
    )
    op.create_index("ix_kanban_cards_column", "kanban_cards", ["column_id", "position"])

    op.create_table(
        "channel_widgets",
        _id(),
        _str("channel_id", 26),
        _str("guild_id", 26, nullable=True),
        _str("widget_type", 16),
        _str("title", 100),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _str("creator_id", 26),
        _ts("created_at"),
        _fk("channel_widgets", "channel_id", "channels"),
        _pk("channel_widgets"),
    )
    op.create_index("ix_channel_widgets_channel", "channel_widgets", ["channel_id", "position"])


def downgrade() -> None:
    for index, table in (
        ("ix_channel_widgets_channel", "channel_widgets"),
        ("ix_kanban_cards_column", "kanban_cards"),
        ("ix_kanban_columns_board", "kanban_columns"),
        ("ix_kanban_boards_channel", "kanban_boards"),
        ("ix_code_snippets_channel", "code_snippets"),
        ("ix_whiteboards_channel", "whiteboards"),
        ("ix_super_reactions_message", "super_reactions"),
        ("ix_message_effects_message", "message_effects"),
        ("ix_location_shares_expiry", "location_shares"),
        ("ix_location_shares_channel", "location_shares"),
    ):
        op.drop_index(index, table_name=table)
        op.drop_table(table)
