"""Account mails rendered from ``templates/mail/<name>.txt`` in the recipient's language.

A mail template's first line is the subject; the body follows after one blank line. Mails are
plain text: every phone shows them, links stay clickable, and nothing in them can be a script.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from node.services.mail import ComposedMail
from web import i18n
from web.rendering import translator_for

COMPOSER: web.AppKey[TemplateMailComposer] = web.AppKey("web_mail_composer")


class TemplateMailComposer:
    """Implements ``node.services.mail.MailComposer`` with the app's templates and catalogs."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    def compose(self, template: str, language: str, context: Mapping[str, Any]) -> ComposedMail:
        translator = translator_for(self._app, language)
        env = self._app[aiohttp_jinja2.APP_KEY]
        with i18n.activate(translator):
            text = env.get_template(f"mail/{template}.txt").render(dict(context))
        subject, _, body = text.strip().partition("\n")
        return ComposedMail(
            subject=subject.strip(), text=body.strip() + "\n", language=translator.language
        )
