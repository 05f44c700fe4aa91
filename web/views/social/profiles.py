"""Profiles, local and remote: ``/@ana`` and ``/@joao@faro.example`` with their posts, followers
and following lists, follow and unfollow buttons, finding ``@user@host`` anywhere, and a person
editing their own profile (name, bio, fields, avatar and header pictures)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.appkeys import SETTINGS, URLS
from node.errors import NotFound, PermissionDenied, RutaError, ValidationFailed
from node.models.actors import Actor
from node.models.social import FollowState
from node.services.images import MAX_UPLOAD_BYTES, ImagePurpose
from node.services.social import follows, profiles
from web.i18n import N_, Translator
from web.rendering import render, translator_for_request
from web.views.forms import read_form, see_other
from web.views.social.timelines import note_list_context, page_helpers
from web.views.viewer import cursor, optional_actor, publisher, resolver, signed_in

PAGE = 20
BADGE_LABELS = {
    "mentor": N_("Mentor"),
    "provider": N_("Adviser"),
    "staff": N_("City staff"),
}
_FIELD_ADVICE = {
    "display_name": N_("Use at most 100 characters."),
    "bio": N_("The bio can have at most 1000 characters."),
    "fields": N_("A profile has at most 4 fields."),
}
_PICTURE_ADVICE = {
    "empty": N_("Choose a picture to upload."),
    "type": N_("This file is not a picture we can use: send a JPEG, PNG, WebP or GIF image."),
    "size": N_("The picture is larger than 8 MB."),
    "pixels": N_("The picture has too many pixels: send a smaller one."),
}
_SEARCH_ADVICE = {
    NotFound: N_("Nobody answers to this address. Check it, such as @ana@city.example."),
    ValidationFailed: N_("Enter an address such as @ana@city.example."),
    PermissionDenied: N_("This server is blocked on our city's node."),
}


async def _actor(request: web.Request) -> Actor:
    return await profiles.find_actor(request.match_info["handle"], request.app[SETTINGS].domain)


async def profile(request: web.Request) -> web.Response:
    actor = await _actor(request)
    viewer = await optional_actor(request)
    about = await profiles.profile(actor, viewer)
    shown = await profiles.author_notes(actor, viewer, max_id=cursor(request), limit=PAGE)
    context = {
        "profile": about,
        "badge_label": BADGE_LABELS.get(about.badge or ""),
        "notes": shown,
        "older": shown[-1].id if len(shown) >= PAGE else None,
        **await note_list_context(request, viewer, shown),
    }
    return await render(request, "social/profile.html", context)


async def _follow_list(request: web.Request, direction: str) -> web.Response:
    actor = await _actor(request)
    viewer = await optional_actor(request)
    about = await profiles.profile(actor, viewer)
    max_id = cursor(request)
    if direction == "followers":
        rows = await follows.followers(actor, max_id=max_id, limit=PAGE)
        people = [row.follower for row in rows]
    else:
        rows = await follows.following(actor, state=FollowState.ACCEPTED, max_id=max_id,
                                       limit=PAGE)  # fmt: skip
        people = [row.target for row in rows]
    people = [p for p in people if p.gone_at is None and p.suspended_at is None]
    context = {
        "profile": about,
        "badge_label": BADGE_LABELS.get(about.badge or ""),
        "direction": direction,
        "people": people,
        "older": rows[-1].id if len(rows) >= PAGE else None,
        **page_helpers(request),
    }
    return await render(request, "social/follows.html", context)


async def followers(request: web.Request) -> web.Response:
    return await _follow_list(request, "followers")


async def following(request: web.Request) -> web.Response:
    return await _follow_list(request, "following")


async def follow(request: web.Request) -> web.Response:
    _, viewer = await signed_in(request)
    actor = await _actor(request)
    await follows.follow_actor(publisher(request), viewer, actor)
    return see_other(profiles.profile_path(actor))


async def unfollow(request: web.Request) -> web.Response:
    _, viewer = await signed_in(request)
    actor = await _actor(request)
    await follows.unfollow(publisher(request), viewer, actor)
    return see_other(profiles.profile_path(actor))


async def search(request: web.Request) -> web.Response:
    """Open a profile by its address: ``@ana`` here, ``@joao@faro.example`` anywhere."""
    await signed_in(request)
    query = request.query.get("q", "").strip()[:600]
    error = None
    if query:
        try:
            found = await resolver(request).resolve(query)
        except RutaError as exc:
            t = await translator_for_request(request)
            advice = next((m for cls, m in _SEARCH_ADVICE.items() if isinstance(exc, cls)), None)
            error = t.gettext(advice or N_("We could not reach this server. Try again later."))
        else:
            return see_other(profiles.profile_path(found))
    return await render(request, "social/search.html", {"query": query, "error": error},
                        status=422 if error else 200)  # fmt: skip


# --- editing one's own profile ----------------------------------------------------------


def _edit_context(
    request: web.Request, actor: Actor, values: dict[str, Any] | None, errors: dict[str, str]
) -> dict[str, Any]:
    pairs = profiles.field_sources(actor)
    if values is None:
        values = {
            "display_name": actor.display_name,
            "bio": actor.summary_source or "",
            "manually_approves_followers": actor.manually_approves_followers,
        }
    else:
        pairs = values.pop("pairs")
    pairs = (pairs + [("", "")] * profiles.MAX_FIELDS)[: profiles.MAX_FIELDS]
    return {"me": actor, "values": values, "pairs": pairs, "errors": errors,
            "max_fields": profiles.MAX_FIELDS, **page_helpers(request)}  # fmt: skip


def _profile_errors(exc: ValidationFailed, t: Translator) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors or []:
        if error.field.startswith("field_"):
            message = N_(
                "Each field needs a label (at most 100 characters) and a value (at most 255)."
            )
        else:
            message = _FIELD_ADVICE.get(error.field, N_("Check this field."))
        errors.setdefault(error.field, t.gettext(message))
    return errors or {"form": t.gettext(N_("Check what you entered and try again."))}


async def edit_form(request: web.Request) -> web.Response:
    _, actor = await signed_in(request)
    return await render(
        request, "social/edit_profile.html", _edit_context(request, actor, None, {})
    )


async def save(request: web.Request) -> web.Response:
    account, actor = await signed_in(request)
    form = await read_form(request)
    pairs = [(form.get(f"field_name_{i}", ""), form.get(f"field_value_{i}", ""))
             for i in range(profiles.MAX_FIELDS)]  # fmt: skip
    display_name, bio = form.get("display_name", ""), form.get("bio", "")
    # An unticked checkbox sends nothing: absent means "no".
    approves = form.get("manually_approves_followers") == "1"
    values: dict[str, Any] = {
        "display_name": display_name,
        "bio": bio,
        "manually_approves_followers": approves,
    }
    try:
        await profiles.update_profile(
            publisher(request),
            account,
            request.app[URLS],
            display_name=display_name,
            bio=bio,
            fields=pairs,
            manually_approves_followers=approves,
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        context = _edit_context(request, actor, {**values, "pairs": pairs}, _profile_errors(exc, t))
        return await render(request, "social/edit_profile.html", context, status=422)
    return see_other(profiles.profile_path(actor))


def _picture_error(exc: ValidationFailed, t: Translator) -> str:
    message = exc.errors[0].message if exc.errors else ""
    if "larger than" in message:
        key = "size"
    elif "pixels" in message:
        key = "pixels"
    elif "Choose" in message:
        key = "empty"
    else:
        key = "type"
    return t.gettext(_PICTURE_ADVICE[key])


async def _upload(request: web.Request, purpose: ImagePurpose) -> web.Response:
    account, actor = await signed_in(request)
    form = await request.post()
    upload = form.get("picture")
    data = upload.file.read() if isinstance(upload, web.FileField) else b""
    settings = request.app[SETTINGS]
    try:
        await profiles.set_picture(publisher(request), account, request.app[URLS],
                                   settings.media_dir, purpose, data)  # fmt: skip
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        errors = {purpose.value: _picture_error(exc, t)}
        status = 413 if "larger than" in exc.message else 422
        return await render(request, "social/edit_profile.html",
                            _edit_context(request, actor, None, errors), status=status)  # fmt: skip
    return see_other("/settings/profile#pictures")


async def upload_avatar(request: web.Request) -> web.Response:
    return await _upload(request, ImagePurpose.AVATAR)


async def upload_header(request: web.Request) -> web.Response:
    return await _upload(request, ImagePurpose.HEADER)


async def remove_picture(request: web.Request) -> web.Response:
    account, _ = await signed_in(request)
    form = await read_form(request)
    try:
        purpose = ImagePurpose(form.get("picture", ""))
    except ValueError:
        raise web.HTTPBadRequest(text="Say which picture to remove.") from None
    await profiles.remove_picture(publisher(request), account, request.app[URLS],
                                  request.app[SETTINGS].media_dir, purpose)  # fmt: skip
    return see_other("/settings/profile#pictures")


# Uploads are bigger than the node's 1 MiB body cap: these paths get the image cap (plus room
# for the form around the file) before the CSRF check reads the form.
UPLOAD_PATHS = frozenset({"/settings/profile/avatar", "/settings/profile/header"})


@web.middleware
async def upload_size_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.method == "POST" and request.path in UPLOAD_PATHS:
        request = request.clone(client_max_size=MAX_UPLOAD_BYTES + 64 * 1024)
    response: web.StreamResponse = await handler(request)
    return response


def setup(app: web.Application) -> None:
    router = app.router
    router.add_get("/search", search)
    router.add_get("/settings/profile", edit_form)
    router.add_post("/settings/profile", save)
    router.add_post("/settings/profile/avatar", upload_avatar)
    router.add_post("/settings/profile/header", upload_header)
    router.add_post("/settings/profile/remove-picture", remove_picture)
    router.add_get(r"/@{handle:[^/]{1,600}}", profile)
    router.add_get(r"/@{handle:[^/]{1,600}}/followers", followers)
    router.add_get(r"/@{handle:[^/]{1,600}}/following", following)
    router.add_post(r"/@{handle:[^/]{1,600}}/follow", follow)
    router.add_post(r"/@{handle:[^/]{1,600}}/unfollow", unfollow)
