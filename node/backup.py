"""Backups: one file holding the database, the keys and the media; one command restores it.

The database is dumped through the ORM as JSON lines, one file per table, so a backup taken from
SQLite restores into PostgreSQL and the other way round (a growing city moves with
``ruta backup`` + ``ruta restore``). Actor keys live in the database, the session secret in the
data directory: both are in the archive. Keys are the node's identity, so the archive is as
sensitive as the server itself (it is written with mode 0600).

Archive layout (``.tar.gz``): ``manifest.json``, ``tables/<table>.jsonl``, ``secret_key``,
``media/...``.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import tarfile
from collections.abc import Iterator
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from tortoise import Tortoise, fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from node import __version__, clock, datadir, db
from node.config import Settings
from node.errors import RutaError

FORMAT = 1
_BATCH = 1000


class BackupError(RutaError):
    """The archive cannot be written or restored; the message says why and what to do."""


def _models() -> list[type[Model]]:
    """Every model, ordered so that a row's foreign keys point at rows restored before it."""
    apps = Tortoise.apps
    assert apps is not None
    models = list(apps[db.APP].values())
    order: list[type[Model]] = []
    seen: set[type[Model]] = set()

    def visit(model: type[Model], path: tuple[type[Model], ...] = ()) -> None:
        if model in seen:
            return
        if model in path:
            raise BackupError(f"circular foreign keys through {model.__name__}")
        for name in (*model._meta.fk_fields, *model._meta.o2o_fields):
            target = model._meta.fields_map[name].related_model  # type: ignore[attr-defined]
            if target is not model:
                visit(target, (*path, model))
        seen.add(model)
        order.append(model)

    for model in sorted(models, key=lambda m: m._meta.db_table):
        visit(model)
    return order


def _self_references(model: type[Model]) -> list[str]:
    """Foreign-key columns pointing at the same table (a reply's parent note)."""
    return [
        model._meta.fields_map[name].source_field or f"{name}_id"
        for name in model._meta.fk_fields
        if model._meta.fields_map[name].related_model is model  # type: ignore[attr-defined]
    ]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _decoder(model: type[Model]) -> dict[str, Any]:
    """Column name -> function turning the JSON value back into the field's Python type."""
    out: dict[str, Any] = {}
    for name, field in model._meta.fields_map.items():
        if isinstance(field, fields.DatetimeField):
            out[field.source_field or name] = datetime.fromisoformat
        elif isinstance(field, fields.data.CharEnumFieldInstance):
            out[field.source_field or name] = field.enum_type
    return out


async def dump_tables() -> Iterator[tuple[str, bytes]]:
    """``(table, jsonl bytes)`` for every table, read in one consistent snapshot."""
    out: list[tuple[str, bytes]] = []
    async with in_transaction() as tx:
        if db.dialect() == "postgres":
            await tx.execute_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in _models():
            buffer = io.BytesIO()
            pk = model._meta.pk_attr
            last: Any = None
            while True:
                query = model.all().using_db(tx).order_by(pk).limit(_BATCH)
                if last is not None:
                    query = query.filter(**{f"{pk}__gt": last})
                rows = await query.values()
                for row in rows:
                    line = json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False)
                    buffer.write(line.encode() + b"\n")
                if len(rows) < _BATCH:
                    break
                last = rows[-1][pk]
            out.append((model._meta.db_table, buffer.getvalue()))
    return iter(out)


async def write_backup(settings: Settings, target: Path) -> dict[str, Any]:
    """Write the archive to ``target``. The ORM must be open. Returns the manifest."""
    status = await db.migration_status()
    if not status.up_to_date:
        raise BackupError("the database needs migrations first: run `ruta migrate`")
    tables = list(await dump_tables())
    manifest = {
        "format": FORMAT,
        "software": f"ruta {__version__}",
        "domain": settings.domain,
        "created_at": clock.isoformat(clock.now()),
        "source_database": db.dialect(),
        "migrations": status.applied,
        "tables": {name: data.count(b"\n") for name, data in tables},
    }
    secret = datadir.read_secret(settings)
    await asyncio.to_thread(_write_archive, target, manifest, tables, secret, settings.media_dir)
    return manifest


def _write_archive(
    target: Path,
    manifest: dict[str, Any],
    tables: list[tuple[str, bytes]],
    secret: str | None,
    media: Path,
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
        for name, data in tables:
            _add_bytes(tar, f"tables/{name}.jsonl", data)
        if secret:
            _add_bytes(tar, "secret_key", (secret + "\n").encode())
        if media.is_dir():
            tar.add(media, arcname="media")
    partial.replace(target)  # never leave a half-written file under the final name


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(clock.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


async def restore_backup(settings: Settings, source: Path) -> dict[str, Any]:
    """Load an archive into this node's empty, migrated database (the ORM must be open)."""
    try:
        archive = await asyncio.to_thread(_read_archive, source)
    except (OSError, tarfile.TarError, ValueError, KeyError) as exc:
        raise BackupError(f"{source} is not a readable Ruta backup ({exc})") from None
    manifest, tables, secret = archive
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} has backup format {manifest.get('format')}, expected {FORMAT}")
    if manifest["domain"] != settings.domain:
        raise BackupError(
            f"the backup belongs to {manifest['domain']!r} but RUTA_DOMAIN is {settings.domain!r}: "
            f"set RUTA_DOMAIN={manifest['domain']} (a node's domain can never change)"
        )
    status = await db.migration_status()
    missing = [m for m in manifest["migrations"] if m not in status.applied]
    if missing:
        raise BackupError(f"this software lacks migrations the backup has: {missing}; upgrade Ruta")
    models = _models()
    for model in models:
        if await model.exists():
            raise BackupError(
                "the database is not empty: restore into a new RUTA_DATA_DIR or database"
            )
    async with in_transaction():
        for model in models:
            data = tables.get(model._meta.db_table, b"")
            await _load_table(model, data)
    await asyncio.to_thread(_restore_files, settings, secret, source)
    return manifest


async def _load_table(model: type[Model], data: bytes) -> None:
    decode = _decoder(model)
    self_refs = _self_references(model)
    pending_links: list[tuple[Any, dict[str, Any]]] = []
    batch: list[Model] = []
    pk = model._meta.pk_attr
    for line in data.splitlines():
        row = json.loads(line)
        for column, convert in decode.items():
            if row.get(column) is not None:
                row[column] = convert(row[column])
        links = {c: row.pop(c) for c in self_refs if row.get(c) is not None}
        if links:
            pending_links.append((row[pk], links))
        batch.append(model(**row))
        if len(batch) >= _BATCH:
            await model.bulk_create(batch)
            batch = []
    if batch:
        await model.bulk_create(batch)
    # Rows pointing at rows of the same table: linked once every row exists.
    for key, links in pending_links:
        await model.filter(**{pk: key}).update(**links)


def _safe_member(member: tarfile.TarInfo) -> bool:
    name = member.name
    if name.startswith("/") or ".." in Path(name).parts:
        raise ValueError(f"unsafe path {name!r} in archive")
    return member.isfile()


def _read_archive(source: Path) -> tuple[dict[str, Any], dict[str, bytes], str | None]:
    """Manifest, tables and secret (media is streamed out later by ``_restore_files``)."""
    tables: dict[str, bytes] = {}
    secret: str | None = None
    manifest: dict[str, Any] | None = None
    with tarfile.open(source, mode="r:gz") as tar:
        for member in tar:
            name = member.name
            if not _safe_member(member) or name.startswith("media/"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            data = handle.read()
            if name == "manifest.json":
                manifest = json.loads(data)
            elif name.startswith("tables/") and name.endswith(".jsonl"):
                tables[name[len("tables/") : -len(".jsonl")]] = data
            elif name == "secret_key":
                secret = data.decode().strip()
    if manifest is None:
        raise ValueError("no manifest.json")
    return manifest, tables, secret


def _restore_files(settings: Settings, secret: str | None, source: Path) -> None:
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source, mode="r:gz") as tar:
        for member in tar:
            if not _safe_member(member) or not member.name.startswith("media/"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            path = settings.media_dir / member.name[len("media/") :]
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as out:
                shutil.copyfileobj(handle, out)
    key_file = settings.data_dir / datadir.SECRET_KEY_FILE
    # Restore the generated key unless the operator sets RUTA_SECRET_KEY explicitly.
    if secret and "secret_key" not in settings.explicit:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret + "\n")
