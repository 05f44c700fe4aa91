"""``GET /notes/{id}`` and ``GET /activities/{id}``: our objects at their ids.

Visibility is the domain's rule (``node.services.visibility.can_see``): public and unlisted notes
to anyone; followers-only and direct ones only to a *signed* GET whose verified signer may see
them. Everyone else gets 404 — never 403, which would confirm the note exists. A deleted id
answers 410 with a ``Tombstone`` (FEDERATION.md §5.0 rule 8).
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiohttp import web

from federation.convert.note import note_to_ap
from federation.http.negotiation import as2_response, dump, html_redirect, wants_html
from federation.remote.actors import key_lookup_for, refetch_key
from federation.signatures import Failure, ResolvedKey, verify_request
from federation.vocab import AS_CONTEXT, Json, addressees, compact, id_of, is_public, type_of
from node import clock
from node.appkeys import SETTINGS, URLS
from node.ids import MAX_ID
from node.models.actors import Actor
from node.models.peers import OutgoingActivity
from node.models.social import Follow, FollowState, Note, Tombstone
from node.services.visibility import can_see

log = logging.getLogger(__name__)

PUBLIC_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, no-store"


async def signed_viewer(request: web.Request) -> Actor | None:
    """The actor that signed this GET, when it carries a signature that verifies; else None.

    An unverifiable signature is not an error here: the request is then simply anonymous, and
    a non-public object answers 404 as it would to anyone. As for inbox POSTs, a signature that
    fails with a stored key gets one verification more after refetching that key (rotation).
    """
    if "Signature" not in request.headers and "Signature-Input" not in request.headers:
        return None
    url = request.app[SETTINGS].base_url + request.raw_path
    lookup = key_lookup_for(request.app)
    found_key = False

    async def recording_lookup(key_id: str) -> ResolvedKey | None:
        nonlocal found_key
        key = await lookup(key_id)
        found_key = found_key or key is not None
        return key

    result = await verify_request(request.method, url, request.headers, None, recording_lookup)
    if (
        isinstance(result, Failure)
        and found_key
        and result.key_id
        and await refetch_key(request.app, result.key_id)
    ):
        result = await verify_request(request.method, url, request.headers, None, lookup)
    if isinstance(result, Failure):
        log.info("signed GET of %s not verified: %s", request.path, result.reason)
        return None
    return await Actor.get_or_none(uri=result.controller)


def tombstone_response(uri: str, former_type: str, deleted: datetime | None = None) -> web.Response:
    """410 with a ``Tombstone`` for ``uri`` (Mastodon refuses to re-create a tombstoned id)."""
    document = compact(
        [
            ("@context", AS_CONTEXT),
            ("id", uri),
            ("type", "Tombstone"),
            ("formerType", former_type),
            ("deleted", clock.isoformat(deleted) if deleted else None),
        ]
    )
    return as2_response(dump(document), status=410, vary=False)


async def _gone(uri: str) -> web.Response | None:
    tombstone = await Tombstone.get_or_none(uri=uri)
    if tombstone is None:
        return None
    return tombstone_response(uri, tombstone.former_type, tombstone.deleted_at)


def _object_id(request: web.Request) -> int:
    value = int(request.match_info["id"])
    if value > MAX_ID:
        raise web.HTTPNotFound(text="No such object.")
    return value


async def get_note(request: web.Request) -> web.StreamResponse:
    urls = request.app[URLS]
    uri = urls.note(_object_id(request))
    note = await Note.get_or_none(uri=uri, local=True).select_related("author")
    if note is None:
        gone = await _gone(uri)
        if gone is not None:
            return gone
        raise web.HTTPNotFound(text="No such note.")
    open_to_all = await can_see(note, None)
    if not open_to_all and not await can_see(note, await signed_viewer(request)):
        raise web.HTTPNotFound(text="No such note.")
    if wants_html(request):
        return html_redirect(note.url or urls.note_page(note.author.username, note.id))
    document = note_to_ap(note, urls, default_language=request.app[SETTINGS].default_language)
    return as2_response(dump(document), cache=PUBLIC_CACHE if open_to_all else PRIVATE_CACHE)


async def may_see_activity(activity: OutgoingActivity, body: Json, viewer: Actor | None) -> bool:
    """Public activities to anyone; others to the actors they address, and to the author's
    accepted followers when they address its followers collection."""
    if is_public(body):
        return True
    if viewer is None:
        return False
    audience = addressees(body)
    if viewer.uri in audience:
        return True
    author = await Actor.get(id=activity.actor_id)  # type: ignore[attr-defined]
    return (
        bool(author.followers_url and author.followers_url in audience)
        and await (
            Follow.filter(follower_id=viewer.id, target_id=author.id, state=FollowState.ACCEPTED)
        ).exists()
    )


async def get_activity(request: web.Request) -> web.StreamResponse:
    urls = request.app[URLS]
    uri = urls.activity(_object_id(request))
    activity = await OutgoingActivity.get_or_none(uri=uri)
    if activity is None or not isinstance(activity.body, dict):
        gone = await _gone(uri)
        if gone is not None:
            return gone
        raise web.HTTPNotFound(text="No such activity.")
    body: Json = activity.body
    open_to_all = is_public(body)
    if not open_to_all and not await may_see_activity(activity, body, await signed_viewer(request)):
        raise web.HTTPNotFound(text="No such activity.")
    # A Create or Update that embeds a since deleted note must not keep serving its content.
    embedded = body.get("object")
    if type_of(body) != "Delete" and isinstance(embedded, dict):
        object_id = id_of(embedded)
        if object_id and await Tombstone.filter(uri=object_id).exists():
            return tombstone_response(uri, type_of(body) or "Activity")
    return as2_response(
        dump(body), vary=False, cache=PUBLIC_CACHE if open_to_all else PRIVATE_CACHE
    )


def setup(app: web.Application) -> None:
    app.router.add_get(r"/notes/{id:\d{1,19}}", get_note)
    app.router.add_get(r"/activities/{id:\d{1,19}}", get_activity)
