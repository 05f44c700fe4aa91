"""``/api/v1/notes``: writing, reading, editing and deleting posts, and their threads.

A note the caller may not see answers 404 exactly like one that does not exist; editing or
deleting someone else's visible note answers 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, Field

from node.appkeys import SETTINGS, URLS
from node.models.actors import Actor
from node.models.social import Note, Visibility
from node.services.social import media_uploads, notes, reactions, timelines
from web.api.accounts import ActorOut, actor_out
from web.api.routing import Operation, read_json, respond
from web.api.viewer import current_actor, optional_actor, publisher, resolver

VisibilityName = Literal["public", "unlisted", "followers", "direct"]


class NoteIn(BaseModel):
    content: str = Field(
        max_length=20_000,
        description="Markdown (no raw HTML, no images); at most 5000 characters once trimmed. "
        "`@user@host` mentions and `#hashtags` are linked.",
    )
    language: str = Field(max_length=16, description="es, pt, en, fr or ar.")
    visibility: VisibilityName = Field(
        "public",
        description="public: everyone and public timelines; unlisted: everyone with the link; "
        "followers: your followers and those mentioned; direct: only those mentioned or in `to`.",
    )
    in_reply_to: str | None = Field(
        None, max_length=2048, description="The id or URI of the note this answers."
    )
    to: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="More addressees: `@user@host` handles or actor URLs.",
    )
    summary: str | None = Field(
        None,
        max_length=2000,
        description="A content warning (plain text, at most 500 characters): the text is shown "
        "folded behind it, as Mastodon's CW. Federated as `summary` with `sensitive: true`.",
    )
    sensitive: bool = Field(False, description="Mark the post sensitive without a warning text.")
    media_ids: list[str] = Field(
        default_factory=list,
        max_length=4,
        description="Up to 4 pictures uploaded with `POST /api/v1/media`, in order; only your "
        "own uploads not in a post yet (otherwise 422).",
    )


class MediaAttribute(BaseModel):
    id: str = Field(max_length=20, description="A media id of the post (or in `media_ids`).")
    description: str = Field(max_length=1500, description="The picture's new alt text.")


class NotePatch(BaseModel):
    content: str = Field(max_length=20_000, description="The new markdown text.")
    language: str | None = Field(None, max_length=16, description="A new language, if it changed.")
    summary: str | None = Field(
        None,
        max_length=2000,
        description='A new content warning; `""` removes it, absent keeps it.',
    )
    sensitive: bool | None = Field(None, description="Change the sensitive mark; absent keeps it.")
    media_ids: list[str] | None = Field(
        None,
        max_length=4,
        description="The post's pictures after the edit, in order: ids of its current pictures "
        "(`attachments[].id`) to keep and of your uploads (`POST /api/v1/media`) to add; a "
        "current picture left out is removed, its file deleted. Absent keeps the pictures.",
    )
    media_attributes: list[MediaAttribute] | None = Field(
        None,
        max_length=4,
        description="New alt texts for pictures the post has after the edit, as Mastodon's "
        "`media_attributes[]` (only `id` and `description` are used).",
    )


class TagOut(BaseModel):
    type: str = Field(description="Mention or Hashtag.")
    name: str
    href: str


class NoteOut(BaseModel):
    id: str
    uri: str = Field(description="The ActivityPub id.")
    url: str | None = Field(description="The HTML page.")
    author: ActorOut
    content: str = Field(description="Sanitised HTML.")
    source: str | None = Field(description="The markdown, shown to its author only.")
    language: str | None
    visibility: VisibilityName
    summary: str | None = Field(description="Content warning (plain text).")
    sensitive: bool
    in_reply_to_id: str | None
    in_reply_to_uri: str | None
    published: datetime
    edited_at: datetime | None
    reply_count: int
    like_count: int
    announce_count: int
    liked: bool = Field(description="Whether the caller liked it.")
    announced: bool = Field(description="Whether the caller shared it.")
    tags: list[TagOut]
    attachments: list[dict[str, Any]]


class ThreadOut(BaseModel):
    ancestors: list[NoteOut] = Field(description="The notes it answers, oldest first.")
    note: NoteOut
    descendants: list[NoteOut] = Field(description="The answers, in reading order.")


async def notes_out(items: list[Note], viewer: Actor | None) -> list[NoteOut]:
    """Notes as the API shows them to ``viewer`` (its likes and shares looked up at once)."""
    mine = await reactions.reactions_of(viewer, {n.id for n in items})
    return [_note_out(n, viewer, n.id in mine.liked, n.id in mine.announced) for n in items]


async def note_out(note: Note, viewer: Actor | None) -> NoteOut:
    return (await notes_out([note], viewer))[0]


def _note_out(note: Note, viewer: Actor | None, liked: bool, announced: bool) -> NoteOut:
    parent_id = note.in_reply_to_id  # type: ignore[attr-defined]
    return NoteOut(
        id=str(note.id),
        uri=note.uri,
        url=note.url,
        author=actor_out(note.author),
        content=note.content_html,
        source=note.content_source if viewer and viewer.id == note.author.id else None,
        language=note.language,
        visibility=note.visibility.value,
        summary=note.summary,
        sensitive=note.sensitive,
        in_reply_to_id=str(parent_id) if parent_id is not None else None,
        in_reply_to_uri=note.in_reply_to_uri,
        published=note.published,
        edited_at=note.edited_at,
        reply_count=note.reply_count,
        like_count=note.like_count,
        announce_count=note.announce_count,
        liked=liked,
        announced=announced,
        tags=[TagOut.model_validate(t) for t in note.tags if _is_tag(t)],
        # The file name under the media directory is the node's business, not the reader's.
        attachments=[
            {k: v for k, v in a.items() if k != "file"}
            for a in note.attachments
            if isinstance(a, dict)
        ],
    )


def _is_tag(tag: object) -> bool:
    return isinstance(tag, dict) and all(
        isinstance(tag.get(k), str) for k in ("type", "name", "href")
    )


async def create_note(request: web.Request) -> web.Response:
    author = await current_actor(request)
    body = await read_json(request, NoteIn)
    note = await notes.create_note(
        publisher(request),
        author,
        content=body.content,
        language=body.language,
        visibility=Visibility(body.visibility),
        in_reply_to=body.in_reply_to,
        to=body.to,
        resolver=resolver(request),
        urls=request.app[URLS],
        summary=body.summary,
        sensitive=body.sensitive,
        media_rows=await media_uploads.rows_to_attach(author, body.media_ids),
    )
    return respond(await note_out(note, author), status=201)


async def get_note(request: web.Request) -> web.Response:
    viewer = await optional_actor(request)
    note = await notes.get_visible_note(request.match_info["id"], viewer)
    return respond(await note_out(note, viewer))


async def edit_note(request: web.Request) -> web.Response:
    author = await current_actor(request)
    body = await read_json(request, NotePatch)
    note = await notes.edit_note(
        publisher(request),
        author,
        request.match_info["id"],
        content=body.content,
        language=body.language,
        resolver=resolver(request),
        urls=request.app[URLS],
        summary=body.summary,
        sensitive=body.sensitive,
        media_ids=body.media_ids,
        media_descriptions={a.id: a.description for a in body.media_attributes or []},
        media_dir=request.app[SETTINGS].media_dir,
    )
    return respond(await note_out(note, author))


async def delete_note(request: web.Request) -> web.Response:
    author = await current_actor(request)
    media_dir = request.app[SETTINGS].media_dir
    await notes.delete_note(
        publisher(request), author, request.match_info["id"], media_dir=media_dir
    )
    return web.Response(status=204)


async def note_context(request: web.Request) -> web.Response:
    viewer = await optional_actor(request)
    found = await timelines.thread(request.match_info["id"], viewer)
    shown = await notes_out([*found.ancestors, found.note, *found.descendants], viewer)
    count = len(found.ancestors)
    return respond(
        ThreadOut(ancestors=shown[:count], note=shown[count], descendants=shown[count + 1 :])
    )


_ID = {"id": "The note's id (a string)."}
_OPEN = (
    "Open to everyone for public and unlisted notes; send a token to see followers-only and "
    "direct notes you may see. 404 for notes that do not exist or you may not see."
)

OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/notes",
        create_note,
        "Publish a note",
        "notes",
        description="Renders the markdown, links mentions and hashtags, and federates a "
        "`Create` to every recipient server.",
        request=NoteIn,
        response=NoteOut,
        status=201,
    ),
    Operation(
        "GET",
        "/api/v1/notes/{id}",
        get_note,
        "A note",
        "notes",
        description=_OPEN,
        auth=False,
        response=NoteOut,
        errors=(401, 404),
        path_params=_ID,
    ),
    Operation(
        "PATCH",
        "/api/v1/notes/{id}",
        edit_note,
        "Edit one's own note",
        "notes",
        description="Federates an `Update` with a new `updated` time. 403 for others' notes; "
        "422 for a `media_ids` entry that is neither a picture of this note nor your upload.",
        request=NotePatch,
        response=NoteOut,
        errors=(403, 404, 422),
        path_params=_ID,
    ),
    Operation(
        "DELETE",
        "/api/v1/notes/{id}",
        delete_note,
        "Delete one's own note",
        "notes",
        description="Federates `Delete{Tombstone}`; the id is never used again. 403 for "
        "others' notes.",
        status=204,
        errors=(403, 404),
        path_params=_ID,
    ),
    Operation(
        "GET",
        "/api/v1/notes/{id}/context",
        note_context,
        "The thread around a note",
        "notes",
        description=_OPEN,
        auth=False,
        response=ThreadOut,
        errors=(401, 404),
        path_params=_ID,
    ),
]
