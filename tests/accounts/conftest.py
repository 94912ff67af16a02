from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.accounts.mailbox import Mailbox, mail_settings, smtp_server
from tests.conftest import Server, _serve, make_settings


@dataclass
class MailServer:
    server: Server
    mailbox: Mailbox


@pytest.fixture
async def mailed(tmp_path: Path) -> AsyncIterator[MailServer]:
    """A server with SMTP pointed at a real local mail server."""
    async for port, box in smtp_server():
        async for s in _serve(make_settings(tmp_path, **mail_settings(port))):
            yield MailServer(s, box)


@pytest.fixture
async def mailed_any_db(tmp_path: Path, database_url: str) -> AsyncIterator[MailServer]:
    async for port, box in smtp_server():
        async for s in _serve(make_settings(tmp_path, database_url=database_url, **mail_settings(port))):
            yield MailServer(s, box)
