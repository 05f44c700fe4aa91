"""The node's data directory: the SQLite file, media and the generated secret key.

This is the only module that creates files at start-up. It runs after the settings validated, so a
bad configuration creates nothing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from node.config import Settings

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def prepare(settings: Settings) -> Settings:
    """Create the data directory layout and return settings with the secret key filled in.

    The key is generated once (``secret_key`` file, mode 0600) and read back on every later start;
    changing it signs every user out, so it is kept with the backups.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.media_dir.mkdir(exist_ok=True)
    if settings.secret_key:
        return settings
    return settings.with_overrides(secret_key=_load_or_create_secret(settings.data_dir))


def read_secret(settings: Settings) -> str | None:
    """The secret key if it is configured or already generated; never creates one."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / SECRET_KEY_FILE
    return path.read_text().strip() if path.is_file() else None


def _load_or_create_secret(data_dir: Path) -> str:
    path = data_dir / SECRET_KEY_FILE
    if path.is_file():
        return path.read_text().strip()
    # Write a private temporary file, then hard-link it into place: link() fails if another process
    # won the race, and nobody ever reads a half-written key.
    tmp = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()
