"""``/api/v1/notes/{id}/like`` and ``/announce``: liking and sharing, idempotent.

Liking twice keeps one like and answers 200 with the current state, as does undoing what was
never done; a note the caller may not see is a 404.
"""

from __future__ import annotations

from aiohttp import web

from node.services.social import reactions
from web.api.routing import Operation, respond
from web.api.social.notes import NoteOut, note_out
from web.api.viewer import current_actor, publisher


async def like_note(request: web.Request) -> web.Response:
    actor = await current_actor(request)
    note = await reactions.like(publisher(request), actor, request.match_info["id"])
    return respond(await note_out(note, actor))


async def unlike_note(request: web.Request) -> web.Response:
    actor = await current_actor(request)
    note = await reactions.unlike(publisher(request), actor, request.match_info["id"])
    return respond(await note_out(note, actor))


async def announce_note(request: web.Request) -> web.Response:
    actor = await current_actor(request)
    note = await reactions.announce(publisher(request), actor, request.match_info["id"])
    return respond(await note_out(note, actor))


async def unannounce_note(request: web.Request) -> web.Response:
    actor = await current_actor(request)
    note = await reactions.unannounce(publisher(request), actor, request.match_info["id"])
    return respond(await note_out(note, actor))


_ID = {"id": "The note's id (a string)."}

OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/notes/{id}/like",
        like_note,
        "Like a note",
        "reactions",
        description="Idempotent: answers the note with `liked: true` and its counters.",
        response=NoteOut,
        errors=(404,),
        path_params=_ID,
    ),
    Operation(
        "DELETE",
        "/api/v1/notes/{id}/like",
        unlike_note,
        "Withdraw a like",
        "reactions",
        response=NoteOut,
        errors=(404,),
        path_params=_ID,
    ),
    Operation(
        "POST",
        "/api/v1/notes/{id}/announce",
        announce_note,
        "Share (boost) a note with your followers",
        "reactions",
        description="Only public and unlisted notes can be shared (403 otherwise). Idempotent.",
        response=NoteOut,
        errors=(403, 404),
        path_params=_ID,
    ),
    Operation(
        "DELETE",
        "/api/v1/notes/{id}/announce",
        unannounce_note,
        "Withdraw a share",
        "reactions",
        response=NoteOut,
        errors=(404,),
        path_params=_ID,
    ),
]
