"""Mail to people: composed in the recipient's language, queued durably, sent by a worker.

A mail is queued as a job (queue ``mail``) in the same transaction as the change that needs it (a
new account, a reset link), so a crash never loses it and a rolled-back change never sends it.
Composing needs the web's templates and translations: the web adapter passes a
:class:`MailComposer` in, so this module knows no templates.

Backends (``RUTA_MAIL_BACKEND``): ``file`` writes one ``.eml`` per message under
``<data dir>/mail`` (development; the tests read them), ``console`` logs the message, ``smtp``
sends it with aiosmtplib (``smtps://`` implicit TLS; ``smtp://`` STARTTLS, required whenever the
URL holds credentials). A refused recipient or a 5xx answer fails the job for good; anything
else is retried with backoff for two days.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from tortoise.backends.base.client import BaseDBAsyncClient

from node import clock
from node.config import Settings
from node.jobs import queue
from node.jobs.registry import PermanentFailure, QueueSpec
from node.models.jobs import Job

log = logging.getLogger(__name__)

QUEUE = "mail"
MAIL_DIR = "mail"
_SMTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class ComposedMail:
    """A rendered mail: the subject line and the plain-text body, in ``language``."""

    subject: str
    text: str
    language: str


class MailComposer(Protocol):
    """Renders the mail called ``template`` in ``language`` (the web adapter implements it)."""

    def compose(self, template: str, language: str, context: Mapping[str, Any]) -> ComposedMail: ...


async def queue_mail(
    composer: MailComposer,
    *,
    to: str,
    template: str,
    language: str,
    context: Mapping[str, Any],
    using_db: BaseDBAsyncClient | None = None,
) -> Job:
    """Compose a mail and queue it for sending. Call it inside the transaction of the change."""
    mail = composer.compose(template, language, context)
    payload = {"to": to, "subject": mail.subject, "text": mail.text, "language": mail.language}
    return await queue.enqueue(QUEUE, payload, using_db=using_db)


def sender_address(settings: Settings) -> str:
    return settings.mail_from or formataddr((settings.city_name, f"noreply@{settings.host}"))


def build_message(settings: Settings, payload: Mapping[str, Any]) -> EmailMessage:
    """The RFC 5322 message for a queued mail."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender_address(settings)
    message["To"] = str(payload["to"])
    message["Subject"] = str(payload["subject"])
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=settings.host)
    # RFC 3834: out-of-office robots must not answer account mails.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(str(payload["text"]))
    # After set_content, which drops every Content-* header.
    message["Content-Language"] = str(payload.get("language") or settings.default_language)
    return message


async def _write_file(settings: Settings, job: Job, message: EmailMessage) -> Path:
    directory = settings.data_dir / MAIL_DIR
    # The job id names the file: a retried job rewrites its own file instead of adding a copy.
    name = f"{clock.now():%Y%m%dT%H%M%S}-{job.id}.eml"

    def write() -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob(f"*-{job.id}.eml"):
            old.unlink()
        tmp = directory / f".{name}.tmp"
        tmp.write_bytes(message.as_bytes())
        os.replace(tmp, directory / name)
        return directory / name

    return await asyncio.to_thread(write)


async def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    parts = urlsplit(settings.smtp_url)
    implicit_tls = parts.scheme == "smtps"
    try:
        await aiosmtplib.send(
            message,
            hostname=parts.hostname,
            port=parts.port or (465 if implicit_tls else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit_tls,
            # With a password, STARTTLS is required (never send it in the clear); without one,
            # TLS is used when the server offers it (a relay on the same machine may not).
            start_tls=False if implicit_tls else (True if parts.username else None),
            timeout=_SMTP_TIMEOUT,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"the mail server refused the recipient: {exc}") from exc
    except aiosmtplib.SMTPResponseException as exc:
        if 500 <= exc.code < 600:
            raise PermanentFailure(f"the mail server answered {exc.code}: {exc.message}") from exc
        raise


async def deliver(settings: Settings, job: Job) -> None:
    """Send one queued mail through the configured backend (the ``mail`` queue's handler)."""
    message = build_message(settings, job.payload)
    if settings.mail_backend == "file":
        path = await _write_file(settings, job, message)
        log.info("mail to %s written to %s", message["To"], path)
    elif settings.mail_backend == "console":
        # Readable, not transfer-encoded: a developer copies the link from the terminal.
        log.info(
            "mail (console backend)\nTo: %s\nSubject: %s\n\n%s",
            message["To"], message["Subject"], job.payload["text"],
        )  # fmt: skip
    else:
        await _send_smtp(settings, message)
        log.info("mail to %s sent", message["To"])


def queue_spec(settings: Settings) -> QueueSpec:
    """The ``mail`` queue: retried with backoff for two days (a mail server may be down)."""

    async def handler(job: Job) -> None:
        await deliver(settings, job)

    return QueueSpec(name=QUEUE, handler=handler, give_up_after=timedelta(days=2), max_attempts=20)
