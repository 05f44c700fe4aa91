"""``/api/v1/timelines``: the home timeline and the node's public timeline, paged by id.

Pages go backwards with ``max_id`` (older than) and forwards with ``min_id`` (just newer than);
the ``Link`` header carries the next (older) and previous (newer) page, as on Mastodon.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web
from pydantic import BaseModel, Field, RootModel

from node.appkeys import URLS
from node.errors import ValidationFailed
from node.ids import parse_id
from node.models.actors import Actor
from node.services.social import timelines
from node.services.social.tag_timeline import tagged_notes
from web.api.accounts import ActorOut, actor_out
from web.api.routing import Operation, read_query, respond
from web.api.social.notes import NoteOut, notes_out
from web.api.viewer import current_actor, optional_actor

_ID_PATTERN = r"^[0-9]{1,19}$"


class PageQuery(BaseModel):
    max_id: str | None = Field(
        None, pattern=_ID_PATTERN, description="Only entries older than this id."
    )
    min_id: str | None = Field(
        None, pattern=_ID_PATTERN, description="Only entries just newer than this id."
    )
    limit: int = Field(20, ge=1, le=40, description="How many entries, at most 40.")

    def cursors(self) -> tuple[int | None, int | None]:
        return _cursor(self.max_id, "max_id"), _cursor(self.min_id, "min_id")


def _cursor(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    number = parse_id(value)
    if number is None:
        raise ValidationFailed.on(name, "Not an id of this node.")
    return number


def link_header(request: web.Request, ids: Sequence[int], limit: int) -> str | None:
    """``Link: <…?max_id=oldest>; rel="next", <…?min_id=newest>; rel="prev"``."""
    if not ids:
        return None
    base = request.app[URLS].absolute(request.path)
    older = urlencode({"max_id": str(ids[-1]), "limit": str(limit)})
    newer = urlencode({"min_id": str(ids[0]), "limit": str(limit)})
    return f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'


def paged(
    request: web.Request, response: web.Response, ids: Sequence[int], limit: int
) -> web.Response:
    link = link_header(request, ids, limit)
    if link is not None:
        response.headers["Link"] = link
    return response


class TagPageQuery(PageQuery):
    local: bool = Field(False, description="Only notes written on this node (as Mastodon).")
    remote: bool = Field(False, description="Only notes received from other servers.")


class TimelineEntryOut(BaseModel):
    id: str = Field(description="The entry's cursor for `max_id`/`min_id`.")
    note: NoteOut
    announced_by: ActorOut | None = Field(description="Who shared the note, for a boost.")
    announced_at: datetime | None


class Timeline(RootModel[list[TimelineEntryOut]]):
    pass


async def _timeline_out(entries: list[timelines.TimelineEntry], viewer: Actor | None) -> Timeline:
    shown = await notes_out([e.note for e in entries], viewer)
    return Timeline(
        [
            TimelineEntryOut(
                id=str(entry.id),
                note=note,
                announced_by=actor_out(entry.announced_by) if entry.announced_by else None,
                announced_at=entry.announced_at,
            )
            for entry, note in zip(entries, shown, strict=True)
        ]
    )


async def home_timeline(request: web.Request) -> web.Response:
    viewer = await current_actor(request)
    page = read_query(request, PageQuery)
    max_id, min_id = page.cursors()
    entries = await timelines.home(viewer, max_id=max_id, min_id=min_id, limit=page.limit)
    response = respond(await _timeline_out(entries, viewer))
    return paged(request, response, [e.id for e in entries], page.limit)


async def public_timeline(request: web.Request) -> web.Response:
    viewer = await optional_actor(request)
    page = read_query(request, PageQuery)
    max_id, min_id = page.cursors()
    entries = await timelines.public_local(viewer, max_id=max_id, min_id=min_id, limit=page.limit)
    response = respond(await _timeline_out(entries, viewer))
    return paged(request, response, [e.id for e in entries], page.limit)


async def tag_timeline(request: web.Request) -> web.Response:
    viewer = await optional_actor(request)
    page = read_query(request, TagPageQuery)
    max_id, min_id = page.cursors()
    # Both or neither: every note; otherwise only local (True) or only received (False) ones.
    where = None if page.local == page.remote else page.local
    entries = await tagged_notes(
        request.match_info["tag"], viewer, max_id=max_id, min_id=min_id, limit=page.limit,
        local=where,
    )  # fmt: skip
    response = respond(await _timeline_out(entries, viewer))
    return paged(request, response, [e.id for e in entries], page.limit)


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/timelines/home",
        home_timeline,
        "Your notes, notes of those you follow, and what they shared",
        "timelines",
        description="Newest first. Page with `max_id`/`min_id` (see the `Link` header).",
        query=PageQuery,
        response=Timeline,
    ),
    Operation(
        "GET",
        "/api/v1/timelines/public",
        public_timeline,
        "Public notes written on this node",
        "timelines",
        description="Newest first; open to everyone.",
        auth=False,
        query=PageQuery,
        response=Timeline,
        errors=(401,),
    ),
    Operation(
        "GET",
        "/api/v1/timelines/tag/{tag}",
        tag_timeline,
        "Public notes carrying a hashtag, from here and federated",
        "timelines",
        description="Newest first; open to everyone. The hashtag matches without regard to case "
        "or accents (`Artesanía` = `artesania`), as on Mastodon.",
        auth=False,
        query=TagPageQuery,
        response=Timeline,
        errors=(401,),
        path_params={"tag": "The hashtag, with or without `#`."},
    ),
]
