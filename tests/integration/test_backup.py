"""``ruta backup`` / ``ruta restore``: everything comes back, across database kinds."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from node import backup, clock, db
from node.config import Settings, load_settings
from node.models.accounts import Account, Role
from node.models.actors import Actor, ActorKey
from node.models.social import Follow, FollowState, Note, Visibility
from node.services.accounts import accounts
from node.services.social.actors import ensure_instance_actor
from node.urls import Urls
from tests.support.databases import create_pg_database, drop_pg_database


async def _fill(settings: Settings) -> dict[str, object]:
    urls = Urls(settings)
    await ensure_instance_actor(urls)
    ana = await accounts.create_account(
        urls, username="ana", email="ana@example.org", password="a long password", role=Role.MENTOR
    )
    luis = await accounts.create_account(
        urls, username="luis", email="luis@example.org", password="a long password"
    )
    ana_actor = await Actor.get(account=ana)
    luis_actor = await Actor.get(account=luis)
    await Follow.create(
        follower=luis_actor,
        target=ana_actor,
        state=FollowState.ACCEPTED,
        uri="https://test.example/f/1",
    )
    # A reply stored before its parent exists in id order: the restore must still link it.
    reply = await Note.create(
        uri="https://test.example/notes/2",
        author=luis_actor,
        content_html="<p>¡Gracias!</p>",
        published=clock.now(),
        visibility=Visibility.PUBLIC,
    )
    parent = await Note.create(
        uri="https://test.example/notes/1",
        author=ana_actor,
        content_html="<p>Hola 👋</p>",
        published=clock.now(),
        language="es",
        tags=[{"type": "Hashtag", "name": "#pan"}],
    )
    reply.in_reply_to = parent
    await reply.save()
    keys = await ActorKey.get(actor=ana_actor)
    return {"rsa": keys.rsa_private_pem, "parent": parent.id, "reply": reply.id}


async def _target_settings(kind: str, tmp_path: Path) -> tuple[Settings, str | None]:
    env = {"RUTA_DOMAIN": "test.example", "RUTA_DATA_DIR": str(tmp_path / "restored")}
    if kind == "postgres":
        url = await create_pg_database("ruta_restore")
        return load_settings({**env, "RUTA_DATABASE_URL": url}), url
    return load_settings(env), None


@pytest.mark.parametrize("target", ["sqlite", "postgres"])
async def test_backup_restores_everything_into_either_database(
    settings: Settings, tmp_path: Path, target: str
) -> None:
    archive = tmp_path / "backup.tar.gz"
    (settings.media_dir / "ab").mkdir(parents=True)
    (settings.media_dir / "ab" / "photo.webp").write_bytes(b"RIFF....WEBP")
    async with db.opened(settings):
        expected = await _fill(settings)
        manifest = await backup.write_backup(settings, archive)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert manifest["tables"]["account"] == 2

    target_settings, pg_url = await _target_settings(target, tmp_path)
    try:
        async with db.opened(target_settings):
            await db.migrate()
            await backup.restore_backup(target_settings, archive)
            assert {a.username: a.role for a in await Account.all()} == {
                "ana": Role.MENTOR,
                "luis": Role.MEMBER,
            }
            ana = await Actor.get(local_username="ana")
            assert (await ActorKey.get(actor=ana)).rsa_private_pem == expected["rsa"]
            reply = await Note.get(id=expected["reply"]).prefetch_related("in_reply_to")
            assert reply.in_reply_to is not None
            assert reply.in_reply_to.id == expected["parent"]
            parent = await Note.get(id=expected["parent"])
            assert parent.content_html == "<p>Hola 👋</p>"
            assert parent.tags == [{"type": "Hashtag", "name": "#pan"}]
            assert parent.published.tzinfo is not None
            assert await Follow.filter(state=FollowState.ACCEPTED).count() == 1
            # The restored node starts with the restored instance actor, not a new one.
            instance = await ensure_instance_actor(Urls(target_settings))
            assert await Actor.filter(uri=instance.uri).count() == 1
        assert (target_settings.media_dir / "ab" / "photo.webp").read_bytes() == b"RIFF....WEBP"
        assert (target_settings.data_dir / "secret_key").read_text().strip() == settings.secret_key
    finally:
        if pg_url:
            await drop_pg_database(pg_url)


async def test_restore_refuses_a_database_that_is_not_empty(
    settings: Settings, tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar.gz"
    async with db.opened(settings):
        await _fill(settings)
        await backup.write_backup(settings, archive)
        with pytest.raises(backup.BackupError, match="not empty"):
            await backup.restore_backup(settings, archive)


async def test_restore_refuses_another_domain(settings: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    async with db.opened(settings):
        await _fill(settings)
        await backup.write_backup(settings, archive)
    other = load_settings({"RUTA_DOMAIN": "other.example", "RUTA_DATA_DIR": str(tmp_path / "o")})
    async with db.opened(other):
        await db.migrate()
        with pytest.raises(backup.BackupError, match=r"RUTA_DOMAIN=test\.example"):
            await backup.restore_backup(other, archive)


@pytest.mark.parametrize("content", [b"not an archive", b""])
async def test_restore_refuses_a_file_that_is_not_a_backup(
    settings: Settings, tmp_path: Path, content: bytes
) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(content)
    async with db.opened(settings):
        with pytest.raises(backup.BackupError, match="not a readable Ruta backup"):
            await backup.restore_backup(settings, bogus)


async def test_restore_refuses_paths_that_escape_the_data_directory(
    settings: Settings, tmp_path: Path
) -> None:
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        data = b'{"format": 1}'
        info = tarfile.TarInfo("../../etc/evil")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    async with db.opened(settings):
        with pytest.raises(backup.BackupError, match="unsafe path"):
            await backup.restore_backup(settings, evil)
