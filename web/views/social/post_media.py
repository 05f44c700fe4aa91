"""Reading the composer's form: its text fields, content warning and up to four pictures.

The composer (and the edit page, which can add pictures) posts ``multipart/form-data``. Each
picture has its own file input (``media``) and its own alt text input (``alt``), in the same
order, so the n-th alt text belongs to the n-th picture without JavaScript; empty file inputs
(no picture chosen) are skipped.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from node.errors import ValidationFailed
from node.services.images import MAX_PHOTO_BYTES
from node.services.social.note_media import FIELD, MAX_NOTE_MEDIA, TOO_MANY, MediaUpload
from web.i18n import N_, Translator

# Room for every picture at its cap, plus the text fields around them.
COMPOSE_BODY_LIMIT = MAX_NOTE_MEDIA * MAX_PHOTO_BYTES + 64 * 1024
_TEXT_FIELDS = ("content", "language", "visibility", "in_reply_to", "summary")
_MAX_TEXT = 20_000
# A crafted form may carry more inputs than the page has; reading them all would cost memory
# for nothing: one more than allowed is enough to refuse the post.
_MAX_READ = MAX_NOTE_MEDIA + 1


# The forms that carry a post's pictures: the composer and a post's edit page.
_PICTURE_FORMS = re.compile(r"/compose|/notes/\d{1,19}/edit")


@web.middleware
async def upload_size_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Pictures are larger than the node's 1 MiB body cap of other forms; only the forms that
    carry them get the pictures' cap, before the CSRF check reads the form."""
    if request.method == "POST" and _PICTURE_FORMS.fullmatch(request.path):
        request = request.clone(client_max_size=COMPOSE_BODY_LIMIT)
    response: web.StreamResponse = await handler(request)
    return response


async def read_post_form(request: web.Request) -> tuple[dict[str, str], list[MediaUpload]]:
    """The composer's text fields (``""`` when absent) and its chosen pictures, in order."""
    form = await request.post()
    values = {}
    for name in _TEXT_FIELDS:
        value = form.get(name, "")
        values[name] = value[:_MAX_TEXT] if isinstance(value, str) else ""
    return values, uploads_in(form)


def uploads_in(form: Any) -> list[MediaUpload]:
    """The pictures chosen in a read form (``request.post()``), each with its alt text."""
    files = form.getall("media", [])
    alts = [a if isinstance(a, str) else "" for a in form.getall("alt", [])]
    uploads: list[MediaUpload] = []
    for index, field in enumerate(files):
        if not isinstance(field, web.FileField) or not field.filename:
            continue  # an input left empty
        if len(uploads) >= _MAX_READ:
            break
        data: bytes = field.file.read(MAX_PHOTO_BYTES + 1)
        alt = alts[index][:_MAX_TEXT] if index < len(alts) else ""
        uploads.append(MediaUpload(data, alt))
    return uploads


_MEDIA_ADVICE = {
    "count": N_("A post can have at most 4 pictures."),
    "size": N_("Each picture can be at most 10 MB."),
    "pixels": N_("The picture has too many pixels: send a smaller one."),
    "alt": N_("Alt text can have at most 1500 characters."),
    "empty": N_("Choose a picture to upload."),
    "type": N_("This file is not a picture we can use: send a JPEG, PNG, WebP or GIF image."),
}


def media_error(message: str, t: Translator) -> str:
    """The service's English message about the pictures → advice in the visitor's language."""
    if message == TOO_MANY:
        key = "count"
    elif "larger than" in message:
        key = "size"
    elif "pixels" in message:
        key = "pixels"
    elif "Alt text" in message:
        key = "alt"
    elif "Choose" in message:
        key = "empty"
    else:
        key = "type"
    return t.gettext(_MEDIA_ADVICE[key])


def refused_status(exc: ValidationFailed) -> int:
    """413 for a picture over the size cap (as the profile pictures answer), else 422."""
    too_large = any(e.field == FIELD and "larger than" in e.message for e in exc.errors)
    return 413 if too_large else 422
