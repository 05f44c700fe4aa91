"""Account mail: queued durably, rendered in the recipient's language, sent by each backend."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from aiohttp import web

from node.appkeys import JOBS, SETTINGS
from node.config import ConfigError, Settings, load_settings
from node.jobs.worker import drain
from node.models.jobs import Job, JobState
from node.services.mail import QUEUE, queue_mail
from tests.integration.web.conftest import Mails
from web.mail_composer import COMPOSER

pytestmark = pytest.mark.usefixtures("orm")


@dataclass
class LoopbackSmtp:
    """A minimal SMTP server on 127.0.0.1: enough of RFC 5321 for one client, recording what
    arrives. ``refuse_rcpt`` answers RCPT with 550 (a mailbox that does not exist)."""

    refuse_rcpt: bool = False
    received: list[bytes] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 loopback ESMTP\r\n")
        data: list[bytes] = []
        in_data = False
        while line := await reader.readline():
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.received.append(b"".join(data))
                    writer.write(b"250 queued\r\n")
                else:
                    data.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-loopback\r\n250 8BITMIME\r\n")
            elif verb == b"RCPT" and self.refuse_rcpt:
                writer.write(b"550 no such mailbox\r\n")
            elif verb == b"DATA":
                in_data = True
                writer.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()


@pytest.fixture
async def smtp_server() -> AsyncIterator[LoopbackSmtp]:
    smtp = LoopbackSmtp()
    server = await asyncio.start_server(smtp.handle, "127.0.0.1", 0)
    smtp.port = server.sockets[0].getsockname()[1]
    yield smtp
    server.close()
    await server.wait_closed()


async def _queue(app: web.Application, language: str = "fr") -> Job:
    return await queue_mail(
        app[COMPOSER],
        to="ana@example.org",
        template="reset_password",
        language=language,
        context={"city_name": "Faro", "display_name": "Ana", "link": "https://x.example/r/1"},
    )


@pytest.mark.usefixtures("browser")
async def test_the_file_backend_writes_one_eml_per_mail_in_the_recipients_language(
    app: web.Application, sent_mails: Mails
) -> None:
    await _queue(app, "fr")
    await _queue(app, "ar")
    french, arabic = await sent_mails()
    assert french["Subject"] == "Choisissez un nouveau mot de passe pour Faro"
    assert "Bonjour Ana," in french.get_body(("plain",)).get_content()
    assert arabic["Subject"] == "اختر كلمة مرور جديدة في Faro"
    assert arabic["Content-Language"] == "ar"
    for mail in (french, arabic):
        assert mail["From"] == "Ruta <noreply@test.example>"
        assert mail["Auto-Submitted"] == "auto-generated"
        assert mail["Message-ID"].endswith("@test.example>")
        assert "https://x.example/r/1" in mail.get_body(("plain",)).get_content()
    assert await Job.filter(queue=QUEUE).count() == 0


async def _app_with(
    settings: Settings, aiohttp_client: object, **changes: object
) -> web.Application:
    from node.main import create_app

    app = create_app(settings.with_overrides(**changes), run_workers=False)
    await aiohttp_client(app)  # type: ignore[operator]
    return app


async def test_the_console_backend_logs_the_mail(
    settings: Settings, aiohttp_client: object, caplog: pytest.LogCaptureFixture
) -> None:
    app = await _app_with(settings, aiohttp_client, mail_backend="console")
    await _queue(app, "es")
    with caplog.at_level(logging.INFO, logger="node.services.mail"):
        await drain(app[JOBS], app[SETTINGS], queues=[QUEUE])
    assert "Elige una contraseña nueva para Faro" in caplog.text
    assert not (settings.data_dir / "mail").exists()


async def test_the_smtp_backend_delivers_to_the_mail_server(
    settings: Settings, aiohttp_client: object, smtp_server: LoopbackSmtp
) -> None:
    app = await _app_with(
        settings, aiohttp_client, mail_backend="smtp",
        smtp_url=f"smtp://127.0.0.1:{smtp_server.port}",
    )  # fmt: skip
    await _queue(app, "pt")
    await drain(app[JOBS], app[SETTINGS], queues=[QUEUE])
    (raw,) = smtp_server.received
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "ana@example.org"
    assert mail["Subject"] == "Escolha uma nova palavra-passe para Faro"
    assert await Job.filter(queue=QUEUE).count() == 0


async def test_a_refused_recipient_fails_the_mail_for_good_and_keeps_the_reason(
    settings: Settings, aiohttp_client: object, smtp_server: LoopbackSmtp
) -> None:
    smtp_server.refuse_rcpt = True
    app = await _app_with(
        settings, aiohttp_client, mail_backend="smtp",
        smtp_url=f"smtp://127.0.0.1:{smtp_server.port}",
    )  # fmt: skip
    job = await _queue(app)
    await drain(app[JOBS], app[SETTINGS], queues=[QUEUE])
    failed = await Job.get(id=job.id)
    assert failed.state == JobState.FAILED
    assert "refused the recipient" in (failed.last_error or "")


async def test_an_unreachable_mail_server_is_retried_later(
    settings: Settings, aiohttp_client: object
) -> None:
    from tests.support.ports import free_port

    app = await _app_with(
        settings, aiohttp_client, mail_backend="smtp", smtp_url=f"smtp://127.0.0.1:{free_port()}",
        retry_base_seconds=3600.0,
    )  # fmt: skip
    job = await _queue(app)
    await drain(app[JOBS], app[SETTINGS], queues=[QUEUE])
    waiting = await Job.get(id=job.id)
    assert waiting.state == JobState.PENDING
    assert waiting.attempts == 1
    assert waiting.last_error


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"RUTA_MAIL_BACKEND": "smtp"}, "RUTA_SMTP_URL"),
        ({"RUTA_MAIL_BACKEND": "pigeon"}, "RUTA_MAIL_BACKEND"),
        ({"RUTA_SMTP_URL": "http://user:hunter2@mail.example"}, "RUTA_SMTP_URL"),
        ({"RUTA_MAIL_FROM": "not an address"}, "RUTA_MAIL_FROM"),
        ({"RUTA_TIMEZONE": "Europe/Atlantis"}, "RUTA_TIMEZONE"),
    ],
)
def test_mail_and_timezone_settings_are_validated(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert str(err.value).startswith(variable)
    assert "hunter2" not in str(err.value)


def test_mail_and_timezone_settings_have_working_defaults() -> None:
    settings = load_settings({})
    assert settings.mail_backend == "file"
    assert settings.timezone == "Europe/Madrid"
    custom = load_settings(
        {"RUTA_TIMEZONE": "Europe/Lisbon", "RUTA_MAIL_FROM": "Faro <ola@faro.example>"}
    )
    assert custom.timezone == "Europe/Lisbon"
    assert custom.mail_from == "Faro <ola@faro.example>"
