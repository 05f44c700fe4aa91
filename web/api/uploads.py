"""Reading a picture sent as ``multipart/form-data`` (a ``file`` part and an optional
``description`` part, as Mastodon apps send them), for post media and listing photos alike.

The file is streamed with its own cap (10 MB; the app's 1 MiB body limit is for JSON and
inboxes); what it is, is decided later by the domain's image pipeline, never by its name or
declared type.
"""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from node.errors import ValidationFailed
from node.services.images import MAX_PHOTO_BYTES

_CHUNK = 64 * 1024
_MAX_DESCRIPTION_BYTES = 6000  # 1500 characters of up to four bytes each


async def read_picture(request: web.Request, noun: str = "picture") -> tuple[bytes, str]:
    """The ``file`` part's bytes and the ``description`` (alt text); ``noun`` names the thing
    in the messages ("picture", "photo"). 415 for another body, 413 over the cap, 422 for no
    file or a description over 1500 characters."""
    if request.content_type != "multipart/form-data":
        raise web.HTTPUnsupportedMediaType(
            text=f"Send the {noun} as multipart/form-data with a `file` part."
        )
    reader = await request.multipart()
    data = b""
    description = ""
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            buffer = bytearray()
            while chunk := await part.read_chunk(_CHUNK):
                buffer += chunk
                if len(buffer) > MAX_PHOTO_BYTES:
                    raise web.HTTPRequestEntityTooLarge(
                        max_size=MAX_PHOTO_BYTES, actual_size=len(buffer),
                        text=f"{noun.capitalize()}s can be at most 10 MB: send a smaller one.",
                    )  # fmt: skip
            data = bytes(buffer)
        elif part.name == "description":
            raw = await part.read(decode=True)
            if len(raw) > _MAX_DESCRIPTION_BYTES:
                raise ValidationFailed.on(
                    "description", "Alt text can have at most 1500 characters."
                )
            description = raw.decode("utf-8", errors="replace")
    if not data:
        raise ValidationFailed.on("file", f"Attach the {noun} as the `file` part.")
    return data, description
