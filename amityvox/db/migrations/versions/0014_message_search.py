"""full-text search over messages, built for the messages already stored

SQLite: an FTS5 table `message_search` (content, plus the message, channel and author ids
unindexed so the common filters need no join) and `message_search_keys`, which gives each
message a stable integer document number. The messages table's own rowids would not do:
VACUUM may renumber them. Triggers on `messages` keep both current in the writer's own
transaction, so the service code that posts, edits and deletes messages knows nothing of them.

PostgreSQL: a GIN index on `to_tsvector('english', content)`, which PostgreSQL maintains in
the same transaction by itself. `services/search.py` rebuilds it at start when the
`search_language` setting names another text search configuration.

Revision ID: 0014_message_search
Revises: 0001
"""

from alembic import op

revision = "0014_message_search"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE TABLE message_search_keys ( doc INTEGER PRIMARY KEY, message_id VARCHAR(26) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE message_search USING fts5("
    " content, message_id UNINDEXED, channel_id UNINDEXED, author_id UNINDEXED,"
    " tokenize = 'porter unicode61 remove_diacritics 2')",
    """CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
        INSERT INTO message_search_keys (message_id) VALUES (new.id);
        INSERT INTO message_search (rowid, content, message_id, channel_id, author_id)
        VALUES ((SELECT doc FROM message_search_keys WHERE message_id = new.id),
                new.content, new.id, new.channel_id, new.author_id);
    END""",
    """CREATE TRIGGER message_search_update AFTER UPDATE OF content ON messages
    WHEN old.content IS NOT new.content BEGIN
        UPDATE message_search SET content = new.content
        WHERE rowid = (SELECT doc FROM message_search_keys WHERE message_id = new.id);
    END""",
    """CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_search
        WHERE rowid = (SELECT doc FROM message_search_keys WHERE message_id = old.id);
        DELETE FROM message_search_keys WHERE message_id = old.id;
    END""",
    # Existing messages, oldest first, so document numbers follow message order.
    "INSERT INTO message_search_keys (message_id) SELECT id FROM messages ORDER BY id",
    "INSERT INTO message_search (rowid, content, message_id, channel_id, author_id)"
    " SELECT k.doc, m.content, m.id, m.channel_id, m.author_id"
    " FROM message_search_keys k JOIN messages m ON m.id = k.message_id",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS message_search_delete",
    "DROP TRIGGER IF EXISTS message_search_update",
    "DROP TRIGGER IF EXISTS message_search_insert",
    "DROP TABLE IF EXISTS message_search",
    "DROP TABLE IF EXISTS message_search_keys",
]

POSTGRES_UP = [
    "CREATE INDEX ix_messages_search ON messages USING gin (to_tsvector('english'::regconfig, content))",
]

POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_messages_search"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN)
