"""Reading forms and turning the services' errors into translated messages next to the fields.

Services speak English (``node.errors``). A page shows every error in the visitor's language: known
messages have their own translation, any other error on a field gets that field's general advice.
"""

from __future__ import annotations

import math

from aiohttp import web

from node.errors import RateLimited, ValidationFailed
from node.services.accounts.account_lifecycle import (
    LANGUAGE_UNKNOWN,
    REASON_MISSING,
    REASON_TOO_LONG,
    USERNAME_TAKEN,
)
from node.services.accounts.password_changes import CURRENT_PASSWORD_WRONG
from web.i18n import N_, Translator

# Field names longer than this, or forms with more fields, are not ours.
_MAX_FIELD = 10_000

_KNOWN = {
    USERNAME_TAKEN: N_("This username is taken. Try another one."),
    CURRENT_PASSWORD_WRONG: N_("The current password is not right."),
    LANGUAGE_UNKNOWN: N_("Choose one of the offered languages."),
    REASON_MISSING: N_("Tell the city team in a few words why you want to join."),
    REASON_TOO_LONG: N_("Use at most 500 characters."),
}
_FIELD_ADVICE = {
    "username": N_("Use 1 to 30 characters: letters a–z, digits and _. Some names are reserved."),
    "email": N_("Enter an email address such as ana@example.org."),
    "password": N_("Use at least 8 characters."),
    "new_password": N_("Use at least 8 characters."),
    "current_password": N_("The current password is not right."),
    "display_name": N_("Use at most 100 characters."),
    "language": N_("Choose one of the offered languages."),
}
WRONG_CREDENTIALS = N_("The username, email address or password is not right.")
PASSWORD_WRONG = N_("The password is not right.")
JUST_TAKEN = N_("This username or email address was just taken. Try another one.")


async def read_form(request: web.Request) -> dict[str, str]:
    """The submitted text fields (files and oversized values are left out)."""
    form = await request.post()
    return {
        key: value
        for key, value in form.items()
        if isinstance(value, str) and len(value) <= _MAX_FIELD
    }


def field_errors(exc: ValidationFailed, t: Translator) -> dict[str, str]:
    """``{field: translated message}`` for a form; the first message per field wins."""
    errors: dict[str, str] = {}
    for error in exc.errors or []:
        if error.field in errors:
            continue
        message = _KNOWN.get(error.message) or _FIELD_ADVICE.get(error.field)
        errors[error.field] = t.gettext(message or N_("Check this field."))
    if not errors:
        errors["form"] = t.gettext(N_("Check what you entered and try again."))
    return errors


def see_other(location: str) -> web.Response:
    """The 303 redirect after a form, as a response that can carry cookies."""
    return web.Response(status=303, headers={"Location": location})


def rate_limit_message(exc: RateLimited, t: Translator) -> str:
    minutes = max(1, math.ceil(exc.retry_after / 60))
    return t.ngettext(
        "Too many attempts. Try again in %(num)d minute.",
        "Too many attempts. Try again in %(num)d minutes.",
        minutes,
    )
