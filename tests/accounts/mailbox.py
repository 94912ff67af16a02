"""A real SMTP server on a free loopback port (aiosmtpd) whose mails the tests read and follow."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

MAIL_FROM = "AmityVox <chat@example.test>"


class Mailbox:
    """Every mail the server accepted, in order; `next` waits for the next one to an address."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self._arrived = asyncio.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        message = message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        async with self._arrived:
            self.received.append(message)
            self._arrived.notify_all()
        return "250 OK"

    async def next(self, to: str, timeout: float = 30) -> EmailMessage:
        """The first mail to `to` not returned before (waiting for it to arrive)."""

        async def found() -> EmailMessage:
            async with self._arrived:
                while True:
                    for message in list(self.received):
                        if to in str(message["To"]):
                            self.received.remove(message)
                            return message
                    await self._arrived.wait()

        return await asyncio.wait_for(found(), timeout)


def text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


def link_token(message: EmailMessage, path: str) -> str:
    """The token of the `/{path}?token=…` link in a mail."""
    found = re.search(rf"/{path}\?token=([A-Za-z0-9_\-]+)", text(message))
    assert found, text(message)
    return found.group(1)


async def smtp_server() -> AsyncIterator[tuple[int, Mailbox]]:
    """Serve SMTP on 127.0.0.1 on the running loop; yields its port and mailbox."""
    box = Mailbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(box, hostname="mail.example.test"), "127.0.0.1", 0)
    port: Any = server.sockets[0].getsockname()[1]
    try:
        yield int(port), box
    finally:
        server.close()
        await server.wait_closed()


def mail_settings(port: int) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none", "mail_from": MAIL_FROM}
