"""Generate the next Alembic revision from the schema: `python tools/new_migration.py "message" 0002`.

Upgrades a scratch SQLite database to head, then autogenerates the difference to
`amityvox/db/schema.py`. Review the generated file before committing it.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

from amityvox.db.engine import _MIGRATIONS, Database


def _config(conn: Any) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


async def main(message: str, rev_id: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'scratch.db'}")
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(_config(c), "head"))
            await conn.run_sync(
                lambda c: command.revision(_config(c), message=message, autogenerate=True, rev_id=rev_id)
            )
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
