"""Alembic environment: runs on the connection handed over by `Database.migrate()`."""

from alembic import context

from amityvox.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - alembic CLI use is not supported
    raise RuntimeError("run migrations with `amityvox migrate`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
