"""What every ``ruta`` command shares: exit codes, the one-line error, opening the database."""

from __future__ import annotations

from node import db
from node.config import Settings

EXIT_FAILURE = 1
EXIT_CONFIG = 2


class CommandFailed(Exception):
    """A command cannot do its work; the message is the one line shown to the person."""


def short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def safe_url(settings: Settings) -> str:
    """The database URL with any password masked, fit for logs and messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(settings.database_url)
    if parts.password:
        return settings.database_url.replace(f":{parts.password}@", ":***@")
    return settings.database_url


def prepare(settings: Settings) -> Settings:
    """Create the data directory and fill in the secret key (after the settings validated)."""
    from node import datadir

    return datadir.prepare(settings)


async def open_migrated(settings: Settings) -> None:
    """Open the ORM and bring the schema up to date (an embedded node needs no separate step)."""
    from node.services.social.actors import ensure_instance_actor
    from node.urls import Urls

    await db.init(settings)
    try:
        await db.migrate()
        await ensure_instance_actor(Urls(settings))
    except BaseException:
        await db.close()
        raise
