"""Code snippets: titled, language-tagged code shared in a channel, for display only.

The server stores and shows snippets; it never runs them. `language` names the
syntax highlighting and must be one of LANGUAGES; `plaintext` means none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import code_snippets
from amityvox.errors import ApiError, bad_request, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services.access import channel_access
from amityvox.services.messages import require_message_channel, require_unlocked
from amityvox.services.serialize import Row

MAX_TITLE = 100
MAX_CODE_BYTES = 64 * 1024
PAGE_MAX = 100

LANGUAGES: tuple[str, ...] = (
    "plaintext", "bash", "c", "clojure", "cpp", "csharp", "css", "dart", "diff", "dockerfile",
    "elixir", "erlang", "go", "graphql", "haskell", "html", "ini", "java", "javascript", "json",
    "julia", "kotlin", "lua", "makefile", "markdown", "nim", "nix", "objectivec", "ocaml", "perl",
    "php", "powershell", "python", "r", "ruby", "rust", "scala", "scss", "shell", "sql", "swift",
    "toml", "typescript", "xml", "yaml", "zig",
)  # fmt: skip
_KNOWN = frozenset(LANGUAGES)


def snippet_out(row: Row) -> dict[str, Any]:
    """The CodeSnippet object (REST and CODE_SNIPPET_CREATE)."""
    return {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "author_id": row["author_id"],
        "title": row["title"],
        "language": row["language"],
        "code": row["code"],
    }


def check_snippet(title: str, language: str, code: str) -> tuple[str, str, str]:
    title = title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise bad_request(f"title must be 1-{MAX_TITLE} characters")
    language = language.strip().lower()
    if language not in _KNOWN:
        raise bad_request(f"language must be one of {', '.join(LANGUAGES)}", code="unknown_language")
    size = len(code.encode("utf-8"))
    if size > MAX_CODE_BYTES:
        raise ApiError(413, "payload_too_large", f"code is {size} bytes; at most {MAX_CODE_BYTES} are allowed")
    if not code.strip():
        raise bad_request("code must not be empty")
    return title, language, code


async def _load(conn: AsyncConnection, channel_id: str, snippet_id: str) -> Row:
    q = select(code_snippets).where(code_snippets.c.id == snippet_id, code_snippets.c.channel_id == channel_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("code snippet")
    return row


async def create_snippet(
    ctx: Context, channel_id: str, user_id: str, title: str, language: str, code: str
) -> dict[str, Any]:
    """POST …/experimental/code-snippets (SendMessages) → CODE_SNIPPET_CREATE."""
    title, language, code = check_snippet(title, language, code)
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id, need=P.Perm.SendMessages)
        require_message_channel(ca)
        require_unlocked(ca)
        row = {
            "id": new_id(),
            "channel_id": channel_id,
            "author_id": user_id,
            "title": title,
            "language": language,
            "code": code,
        }
        await tx.conn.execute(code_snippets.insert().values(**row, created_at=now_iso()))
        snippet = snippet_out(row)
        tx.emit("CODE_SNIPPET_CREATE", snippet)
        return snippet


async def get_snippet(ctx: Context, channel_id: str, snippet_id: str, user_id: str) -> dict[str, Any]:
    """GET …/experimental/code-snippets/{id} (ViewChannel)."""
    async with ctx.db.read() as conn:
        await channel_access(conn, channel_id, user_id)
        return snippet_out(await _load(conn, channel_id, snippet_id))


async def list_snippets(
    ctx: Context, channel_id: str, user_id: str, *, before: str | None = None, limit: int = PAGE_MAX
) -> list[dict[str, Any]]:
    """GET …/experimental/code-snippets (ViewChannel): newest first; `before` pages back."""
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, channel_id, user_id)
        require_message_channel(ca)
        q = select(code_snippets).where(code_snippets.c.channel_id == channel_id)
        if before is not None:
            q = q.where(code_snippets.c.id < before)
        q = q.order_by(code_snippets.c.id.desc()).limit(limit)
        return [snippet_out(r) for r in (await conn.execute(q)).mappings()]
