"""full-text search over messages, built for the messages already stored

SQLite: an FTS5 table `message_search` (the content, and the message's scope as tokens, so
that filters are index lookups too) and `message_search_keys`, which gives each
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

# Each message's scope as tokens beside its words, so that every filter is a lookup in the
# inverted index rather than a read of each matching row: g<guild> c<channel> a<author>,
# m<user> per mention, h<kind> per `has`, and `pinned`. Ids end in "0" so that the Porter
# stemmer, which only strips letter suffixes, leaves them whole.
_SCOPE = """'g' || coalesce(new.guild_id, '') || '0 c' || new.channel_id || '0 a' || new.author_id || '0'
    || CASE WHEN new.content LIKE '%http://%' OR new.content LIKE '%https://%' THEN ' hlink0' ELSE '' END
    || CASE WHEN json_array_length(new.embeds) > 0 THEN ' hembed0' ELSE '' END
    || CASE WHEN json_array_length(new.attachments) > 0 THEN ' hfile0' ELSE '' END
    || CASE WHEN EXISTS (SELECT 1 FROM json_each(new.attachments)
                         WHERE json_extract(value, '$.content_type') LIKE 'image/%') THEN ' himage0' ELSE '' END
    || CASE WHEN new.pinned THEN ' pinned0' ELSE '' END
    || coalesce((SELECT ' ' || group_concat('m' || value || '0', ' ') FROM json_each(new.mention_user_ids)), '')"""

SQLITE_UP = [
    "CREATE TABLE message_search_keys (doc INTEGER PRIMARY KEY, message_id VARCHAR(26) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE message_search USING fts5("
    " content, scope, message_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
        INSERT INTO message_search_keys (message_id) VALUES (new.id);
        INSERT INTO message_search (rowid, content, scope, message_id)
        VALUES ((SELECT doc FROM message_search_keys WHERE message_id = new.id), new.content, {_SCOPE}, new.id);
    END""",
    f"""CREATE TRIGGER message_search_update
    AFTER UPDATE OF content, embeds, attachments, pinned, mention_user_ids ON messages BEGIN
        UPDATE message_search SET content = new.content, scope = {_SCOPE}
        WHERE rowid = (SELECT doc FROM message_search_keys WHERE message_id = new.id);
    END""",
    """CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_search
        WHERE rowid = (SELECT doc FROM message_search_keys WHERE message_id = old.id);
        DELETE FROM message_search_keys WHERE message_id = old.id;
    END""",
    # Existing messages, oldest first, so document numbers follow message order.
    "INSERT INTO message_search_keys (message_id) SELECT id FROM messages ORDER BY id",
    "INSERT INTO message_search (rowid, content, scope, message_id)"
    f" SELECT k.doc, new.content, {_SCOPE}, new.id"
    " FROM message_search_keys k JOIN messages new ON new.id = k.message_id",
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
