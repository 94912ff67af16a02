"""Account e-mail over SMTP, off the request path and durable.

A mail is a row of `outgoing_mail`, written in the transaction that decides to send it (so a
verification link is mailed exactly when its token exists), then sent by the worker here: at
once when this process wrote it (`wake`), else at the next poll. Each process's worker claims
a row before sending it, so several never send one mail twice; a failed send is logged and
retried with a growing wait, and given up after `MAX_ATTEMPTS`.

Without `smtp_host` the instance sends no mail: the e-mail routes answer 503
`mail_not_configured` (`require`) and everything else works.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.config import Settings
from amityvox.context import Context
from amityvox.db.schema import outgoing_mail
from amityvox.errors import ApiError
from amityvox.ids import iso, utcnow
from amityvox.waiting import wait_set

log = logging.getLogger("amityvox.mail")

POLL_SECONDS = 10.0  # mail written by another process, or due for a retry, waits at most this long
CLAIM_SECONDS = 120.0  # a claimed mail another process may take over after this (its sender died)
RETRY_BASE_SECONDS = 30.0
MAX_ATTEMPTS = 8  # about two hours of retries
SEND_TIMEOUT_SECONDS = 30.0

_wakeups: dict[int, asyncio.Event] = {}  # per Context: this process's worker, when it runs


def require(settings: Settings) -> None:
    """Refuse an e-mail feature on an instance that has no mail configured."""
    if not settings.mail_configured:
        raise ApiError(
            503, "mail_not_configured", "this server has no e-mail configured; ask its administrator to set up SMTP"
        )


async def enqueue(conn: AsyncConnection, recipient: str, subject: str, body: str) -> None:
    """Queue a plain-text mail in the caller's transaction; call `wake` once it has committed."""
    now = iso(utcnow())
    await conn.execute(
        insert(outgoing_mail).values(
            recipient=recipient, subject=subject[:200], body=body, attempts=0, next_attempt_at=now, created_at=now
        )
    )


def wake(ctx: Context) -> None:
    """Have this process's worker look for mail now (after the enqueuing transaction committed)."""
    event = _wakeups.get(id(ctx))
    if event is not None:
        event.set()


def _message(settings: Settings, recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2].strip("> ") or None)
    message.set_content(body)
    return message


async def deliver(settings: Settings, message: EmailMessage) -> None:
    """Send one message with the configured server and TLS mode; raises on failure."""
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        timeout=SEND_TIMEOUT_SECONDS,
    )


async def send_due(ctx: Context) -> int:
    """Send every mail that is due and unclaimed; the number sent."""
    now = utcnow()
    free = or_(outgoing_mail.c.claimed_until.is_(None), outgoing_mail.c.claimed_until <= iso(now))
    async with ctx.db.read() as conn:
        due = list(
            await conn.scalars(
                select(outgoing_mail.c.id)
                .where(outgoing_mail.c.next_attempt_at <= iso(now), free)
                .order_by(outgoing_mail.c.id)
                .limit(50)
            )
        )
    sent = 0
    for mail_id in due:
        async with ctx.db.begin() as conn:
            claimed = await conn.execute(
                update(outgoing_mail)
                .where(outgoing_mail.c.id == mail_id, free)
                .values(claimed_until=iso(now + timedelta(seconds=CLAIM_SECONDS)))
                .returning(
                    outgoing_mail.c.recipient, outgoing_mail.c.subject, outgoing_mail.c.body, outgoing_mail.c.attempts
                )
            )
            row = claimed.first()
        if row is None:  # another process took it
            continue
        try:
            await deliver(ctx.settings, _message(ctx.settings, row.recipient, row.subject, row.body))
        except (aiosmtplib.SMTPException, OSError, ValueError) as exc:
            await _failed(ctx, mail_id, row.attempts + 1, row.recipient, exc)
            continue
        async with ctx.db.begin() as conn:
            await conn.execute(delete(outgoing_mail).where(outgoing_mail.c.id == mail_id))
        sent += 1
    return sent


async def _failed(ctx: Context, mail_id: int, attempts: int, recipient: str, exc: Exception) -> None:
    async with ctx.db.begin() as conn:
        if attempts >= MAX_ATTEMPTS:
            log.error("giving up mail %s to %s after %s attempts: %s", mail_id, recipient, attempts, exc)
            await conn.execute(delete(outgoing_mail).where(outgoing_mail.c.id == mail_id))
            return
        wait = RETRY_BASE_SECONDS * 2 ** (attempts - 1)
        log.warning("mail %s to %s failed (attempt %s, next in %ss): %s", mail_id, recipient, attempts, wait, exc)
        await conn.execute(
            update(outgoing_mail)
            .where(outgoing_mail.c.id == mail_id)
            .values(
                attempts=attempts,
                claimed_until=None,
                last_error=str(exc)[:512],
                next_attempt_at=iso(utcnow() + timedelta(seconds=wait)),
            )
        )


async def _run(ctx: Context, event: asyncio.Event) -> None:
    while True:
        await wait_set(event, POLL_SECONDS)
        event.clear()
        try:
            await send_due(ctx)
        except Exception:  # a database hiccup: the next round retries
            log.exception("sending mail failed")


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    """The sender, when this instance has mail configured."""
    if not ctx.settings.mail_configured:
        return []
    event = _wakeups[id(ctx)] = asyncio.Event()
    event.set()  # whatever waited while no process ran
    return [asyncio.create_task(_run(ctx, event))]
