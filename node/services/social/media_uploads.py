"""Pictures uploaded before their post, as Mastodon's ``/api/v1/media`` does for phone apps.

An upload goes through the composer's pipeline (``note_media.check_media`` / ``store_media``:
decoded, re-encoded as WebP without EXIF, size-capped) and waits in a ``NoteMedia`` row that
only its uploader may attach or describe (``media_descriptions``).
``notes.create_note(media_rows=...)`` copies the rows' entries into the note's ``attachments``
(the one stored shape) and links them in the note's transaction. Rows left unattached for a day
are removed, files included, by the ``media_cleanup`` queue, which runs once an hour and plans
its own next run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from node import clock, db
from node.errors import NotFound, ValidationFailed
from node.ids import parse_id
from node.jobs import queue
from node.jobs.registry import QueueSpec
from node.models.actors import Actor
from node.models.jobs import Job, JobState
from node.models.media import NoteMedia
from node.models.social import Note
from node.services.social import note_media
from node.services.social.note_media import MAX_NOTE_MEDIA, MediaUpload
from node.urls import Urls

QUEUE = "media_cleanup"
KEEP_UNATTACHED = timedelta(days=1)
CLEANUP_EVERY = timedelta(hours=1)
MEDIA_IDS = "media_ids"
MEDIA_ATTRIBUTES = "media_attributes"
# Uploads waiting for a post hold disk space for a day: enough for several posts being written,
# not a free file store.
MAX_WAITING = 20
TOO_MANY_WAITING = (
    "You have {max} pictures waiting for a post: publish them, or wait a day "
    "until unused ones are removed, before uploading more."
)
NOT_YOURS = (
    "Media {id} cannot be attached: it is not one of your uploads waiting for a post "
    "(it may belong to someone else, be attached already, or have expired after a day)."
)


async def upload(
    owner: Actor, data: bytes, description: str, *, media_dir: Path, urls: Urls
) -> NoteMedia:
    """Check, re-encode and store one picture for a post to come; ``ValidationFailed`` on
    ``file`` (not a picture, too large, too many waiting) or ``description`` (alt text too
    long); nothing is kept."""
    # Checked before the costly decoding too, so a full queue refuses at once; the check that
    # holds under parallel uploads is the one made with the row below.
    if await _waiting(owner) >= MAX_WAITING:
        raise ValidationFailed.on("file", TOO_MANY_WAITING.format(max=MAX_WAITING))
    try:
        checked = await note_media.check_media([MediaUpload(data, description)])
    except ValidationFailed as exc:
        field = "description" if "Alt text" in exc.message else "file"
        raise ValidationFailed.on(field, exc.message) from None
    [entry] = await note_media.store_media(media_dir, checked, urls.media)
    row = NoteMedia(owner=owner, file=entry["file"], entry=entry)
    row.entry = {**entry, "id": str(row.id)}
    try:
        # Insert, then count with the row in, one owner at a time (db.serialised): counting
        # first let parallel uploads all see room and all be kept. Over the cap, the insert is
        # rolled back.
        async with db.serialised(f"media-waiting:{owner.id}") as tx:
            await row.save(force_create=True, using_db=tx)
            if await _waiting(owner, using_db=tx) > MAX_WAITING:
                raise ValidationFailed.on("file", TOO_MANY_WAITING.format(max=MAX_WAITING))
    except BaseException:
        note_media.remove_media(media_dir, [entry])
        raise
    return row


async def _waiting(owner: Actor, using_db: BaseDBAsyncClient | None = None) -> int:
    """How many of ``owner``'s uploads wait for a post."""
    return (
        await NoteMedia.filter(owner_id=owner.id, note_id__isnull=True).using_db(using_db).count()
    )


async def own_media(owner: Actor, media_id: int | None) -> NoteMedia:
    row = await NoteMedia.get_or_none(id=media_id, owner_id=owner.id) if media_id else None
    if row is None:
        raise NotFound("No such media among your uploads.")
    return row


def current_entry(row: NoteMedia, note: Note | None) -> dict[str, Any]:
    """The entry as shown now: the note's copy once attached (it may have been edited there)."""
    if note is not None:
        for item in note.attachments or []:
            if isinstance(item, dict) and item.get("id") == str(row.id):
                return dict(item)
    return dict(row.entry)


def described(attachments: Sequence[Any], media_id: str, description: str) -> list[Any]:
    """``attachments`` with the entry of ``media_id`` given a new description."""
    return [
        {**item, "description": description}
        if isinstance(item, dict) and item.get("id") == media_id
        else item
        for item in attachments
    ]


async def rows_to_attach(owner: Actor, media_ids: Sequence[int | str]) -> list[NoteMedia]:
    """The owner's waiting uploads in the order given; 422 on ``media_ids`` for more than four,
    repeats, or any id that is not one of them."""
    if len(media_ids) > MAX_NOTE_MEDIA:
        raise ValidationFailed.on(MEDIA_IDS, note_media.TOO_MANY)
    if len({str(i) for i in media_ids}) != len(media_ids):
        raise ValidationFailed.on(MEDIA_IDS, "The same media is listed twice.")
    numbers = [n for n in map(parse_id, media_ids) if n is not None]
    rows = {
        r.id: r
        for r in await NoteMedia.filter(id__in=numbers, owner_id=owner.id, note_id__isnull=True)
    }
    for media_id in media_ids:
        if parse_id(media_id) not in rows:
            raise ValidationFailed.on(MEDIA_IDS, NOT_YOURS.format(id=media_id))
    return [rows[n] for n in numbers]


def new_rows(owner: Actor, entries: Sequence[dict[str, Any]]) -> list[NoteMedia]:
    """Rows (not saved yet) for pictures stored with the post itself, from the composer or the
    edit page: every picture of a local post then has a media id, so an app can keep, reorder
    or describe it later as it does its own uploads. Their entries carry the id."""
    rows = []
    for entry in entries:
        row = NoteMedia(owner=owner, file=entry["file"], entry=entry)
        row.entry = {**entry, "id": str(row.id)}
        rows.append(row)
    return rows


async def store_new(
    owner: Actor, uploads: Sequence[MediaUpload], media_dir: Path | None, urls: Urls
) -> list[NoteMedia]:
    """Pictures sent with a post (the composer, the edit page): checked, re-encoded and written
    under ``media_dir``; their rows, saved by :func:`link` in the post's transaction. When the
    post is then refused, the caller removes their files (``note_media.remove_media``)."""
    checked = await note_media.check_media(uploads)
    if not checked:
        return []
    if media_dir is None:
        raise ValueError("pictures need the media directory to be stored in")
    return new_rows(owner, await note_media.store_media(media_dir, checked, urls.media))


async def link(note: Note, rows: Sequence[NoteMedia], created: Sequence[NoteMedia] = ()) -> None:
    """Inside the note's transaction: the waiting ``rows`` and the ``created`` ones (from
    :func:`new_rows`) now belong to it. Two posts racing for the same upload cannot both take
    it: the loser's transaction is refused and rolled back."""
    if created:
        for row in created:
            row.note = note
        await NoteMedia.bulk_create(list(created))
    if not rows:
        return
    taken = await NoteMedia.filter(id__in=[r.id for r in rows], note_id__isnull=True).update(
        note_id=note.id
    )
    if taken != len(rows):
        raise ValidationFailed.on(MEDIA_IDS, "A picture was attached to another post meanwhile.")


def entry_id(item: Any) -> str | None:
    return str(item["id"]) if isinstance(item, dict) and item.get("id") else None


async def plan_edit(
    owner: Actor,
    note: Note,
    media_ids: Sequence[int | str] | None,
    descriptions: Mapping[str, str] | None = None,
) -> tuple[list[Any], list[NoteMedia]]:
    """An API edit of a post's pictures, as Mastodon's: ``media_ids`` the pictures afterwards,
    in order (None keeps them), ``descriptions`` new alt texts by media id. The pictures kept
    and the waiting uploads to attach, with their new descriptions. 422 on ``media_ids`` for
    more than four, repeats, or an id that is neither a picture of this post nor one's waiting
    upload; on ``media_attributes`` for a description of a picture the post will not have."""
    current = {entry_id(item): item for item in note.attachments or [] if entry_id(item)}
    if media_ids is None:
        kept, rows = list(note.attachments or []), []
    else:
        if len(media_ids) > MAX_NOTE_MEDIA:
            raise ValidationFailed.on(MEDIA_IDS, note_media.TOO_MANY)
        wanted = [str(i) for i in media_ids]
        if len(set(wanted)) != len(wanted):
            raise ValidationFailed.on(MEDIA_IDS, "The same media is listed twice.")
        kept = [current[i] for i in wanted if i in current]
        rows = await rows_to_attach(owner, [i for i in wanted if i not in current])
    if descriptions:
        present = {entry_id(item) for item in kept} | {str(row.id) for row in rows}
        for media_id, raw in descriptions.items():
            if media_id not in present:
                raise ValidationFailed.on(
                    MEDIA_ATTRIBUTES,
                    f"Media {media_id} is not a picture of this post after the edit: list it "
                    "in media_ids to describe it.",
                )
            text = note_media.clean_description(raw)
            kept = described(kept, media_id, text)
            # A waiting upload's entry is copied into the note when attached: described there.
            for row in rows:
                if str(row.id) == media_id:
                    row.entry = {**row.entry, "description": text}
    return kept, rows


def in_order(attachments: Sequence[Any], order: Sequence[str]) -> list[Any]:
    """``attachments`` sorted as the media ids in ``order`` (entries without one stay last)."""
    rank = {media_id: n for n, media_id in enumerate(order)}
    return sorted(attachments, key=lambda item: rank.get(entry_id(item) or "", len(rank)))


async def shown(owner: Actor, media_id: int | None) -> tuple[NoteMedia, dict[str, Any]]:
    """One's upload as it is now (the post's copy once attached); 404 for anyone else's."""
    row = await own_media(owner, media_id)
    note = await Note.get_or_none(id=row.note_id) if row.note_id else None  # type: ignore[attr-defined]
    return row, current_entry(row, note)


async def forget_removed(media_dir: Path, note: Note, removed: Sequence[Any]) -> None:
    """After an edit committed: the removed pictures' rows and files go (``removed``: the
    entries the post had before and has no more)."""
    names = note_media.local_files(removed)
    if names:
        await NoteMedia.filter(note_id=note.id, file__in=names).delete()
    note_media.remove_media(media_dir, removed)


async def purge_unattached(media_dir: Path, *, older_than: timedelta = KEEP_UNATTACHED) -> int:
    """Remove uploads never attached to a post: each row, then its file. How many."""
    cutoff = clock.now() - older_than
    removed = 0
    for row in await NoteMedia.filter(note_id__isnull=True, created_at__lt=cutoff):
        # A post may take the upload between the query and here: its file must then stay.
        if await NoteMedia.filter(id=row.id, note_id__isnull=True).delete():
            note_media.remove_media(media_dir, [row.entry])
            removed += 1
    return removed


async def plan_cleanup() -> None:
    """At start-up: make sure one cleanup run is queued (each run queues the next)."""
    waiting = await Job.filter(queue=QUEUE, state__in=[JobState.PENDING, JobState.RUNNING]).exists()
    if not waiting:
        await queue.enqueue(QUEUE, {})


def queue_spec(media_dir: Path) -> QueueSpec:
    async def handler(job: Job) -> None:
        await purge_unattached(media_dir)
        await queue.enqueue(QUEUE, {}, run_at=clock.now() + CLEANUP_EVERY)

    return QueueSpec(QUEUE, handler, transactional=True)
