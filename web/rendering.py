"""Pages: the Jinja environment (autoescaped, translated), the base context every page gets,
Babel filters for dates, numbers and money, static files, and translated error pages."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import Translations
from markupsafe import Markup, escape

from node import clock
from node.appkeys import SETTINGS
from node.config import LANGUAGES, Settings
from node.models.accounts import Account
from node.services.accounts import account_approvals
from web import csrf, i18n
from web.i18n import N_, Translator
from web.sessions import LANGUAGE_COOKIE, current_account

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class NavItem:
    """A link in the header. ``label`` is an English msgid; ``signed_in`` None shows it to all."""

    path: str
    label: str
    signed_in: bool | None = None
    order: int = 100
    # A number shown next to the link for a signed-in account (unread notifications), if any.
    badge: Callable[[Account], Awaitable[int]] | None = None
    # What the number counts, read by screen readers after it ("3 unread", "2 waiting for you").
    badge_label: str = N_("unread")


TRANSLATIONS: web.AppKey[dict[str, Translations]] = web.AppKey("web_translations")
STATIC_VERSIONS: web.AppKey[dict[str, str]] = web.AppKey("web_static_versions")
NAV_ITEMS: web.AppKey[list[NavItem]] = web.AppKey("web_nav_items")


def register_nav_item(app: web.Application, item: NavItem) -> None:
    """Add a header link (areas call this from their setup)."""
    app[NAV_ITEMS].append(item)
    app[NAV_ITEMS].sort(key=lambda i: i.order)


# --- the environment -----------------------------------------------------------------------------


def _gettext(message: str) -> str:
    return i18n.active().translations.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.active().translations.ngettext(singular, plural, n)


def _moment(value: datetime | date) -> datetime | date:
    if isinstance(value, datetime):
        return value.astimezone(i18n.active().timezone)
    return value


# One date format per language, the same on every page and in every mail: mixing CLDR lengths
# showed both 07/12/26 and 07/12/2026 to the same reader. CLDR's "medium" (``7 dic 2026``,
# ``07/12/2026``, ``7 Dec 2026``, ``7 déc. 2026``), except Arabic, whose medium is all digits
# and separators that a right-to-left line can scramble: there the month is named.
DATE_LENGTHS: dict[str, Literal["medium", "long"]] = {"ar": "long"}


def date_length(language: str) -> Literal["medium", "long"]:
    """The CLDR length of the one date format of ``language`` (pages, mails, tests)."""
    return DATE_LENGTHS.get(language, "medium")


def format_datetime(value: datetime | None) -> str:
    """Date and time in the active language and the node's timezone: ``7 dic 2026, 10:00``."""
    if value is None:
        return ""
    translator = i18n.active()
    moment = value.astimezone(translator.timezone)
    day = format_date(moment)
    time = babel_dates.format_time(moment, "short", locale=translator.locale)
    pattern = babel_dates.get_datetime_format(
        date_length(translator.language), locale=translator.locale
    )
    return str(pattern).replace("{1}", day).replace("{0}", time)


def format_date(value: datetime | date | None) -> str:
    """A date in the active language (a moment is first put in the node's timezone)."""
    if value is None:
        return ""
    translator = i18n.active()
    moment = _moment(value)
    return babel_dates.format_date(
        moment, date_length(translator.language), locale=translator.locale
    )


def format_number(value: int | float | Decimal) -> str:
    return babel_numbers.format_decimal(value, locale=i18n.active().locale)


def format_currency(value: int | float | Decimal, currency: str = "EUR") -> str:
    return babel_numbers.format_currency(value, currency, locale=i18n.active().locale)


def list_separator() -> str:
    """What separates the items of an inline list in the active language (``، `` in Arabic)."""
    return i18n.active().list_separator


def format_list(items: Iterable[Any]) -> Markup:
    """``["Pan", "Miel"]`` → ``Pan, Miel`` (``Pan، Miel`` in Arabic); items are escaped."""
    return escape(list_separator()).join(items)  # Markup.join escapes each item


def format_timeago(value: datetime) -> str:
    """``3 hours ago`` / ``hace 3 horas``."""
    return babel_dates.format_timedelta(
        value - clock.now(), add_direction=True, locale=i18n.active().locale
    )


def create_environment(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """Configure an environment (the app's, or a standalone one for mails)."""
    env = jinja2.Environment(
        loader=loader or jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    configure_environment(env)
    return env


def configure_environment(env: jinja2.Environment) -> None:
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    env.filters.update(
        datetime=format_datetime,
        date=format_date,
        number=format_number,
        currency=format_currency,
        timeago=format_timeago,
        join_list=format_list,
    )
    env.globals["list_separator"] = list_separator


def translator_for(app: web.Application, language: str) -> Translator:
    settings = app[SETTINGS]
    translations = app[TRANSLATIONS]
    if language not in translations:
        language = settings.default_language
    return Translator(language, translations[language], ZoneInfo(settings.timezone))


async def language_for(request: web.Request, account: Account | None) -> str:
    settings = request.app[SETTINGS]
    return i18n.negotiate(
        account_language=account.language if account else None,
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("Accept-Language", ""),
        default=settings.default_language,
    )


# --- static files ----------------------------------------------------------------------------


def _static_versions() -> dict[str, str]:
    versions = {}
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            rel = path.relative_to(STATIC_DIR).as_posix()
            versions[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return versions


def static_url(app: web.Application, name: str) -> str:
    """``/static/<name>?v=<content hash>``: cached for a year, refreshed when the file changes."""
    version = app[STATIC_VERSIONS].get(name)
    if version is None:
        raise KeyError(f"no static file {name!r}")
    return f"/static/{name}?v={version}"


async def _cache_static(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith("/static/") and response.status == 200:
        if "v" in request.query:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers.setdefault("Cache-Control", "public, max-age=3600")


# --- pages -----------------------------------------------------------------------------------

_NOTICES = {
    "signed_out": N_("You are signed out."),
    "password_changed": N_("Your password is changed. Your other devices were signed out."),
    "password_reset": N_("Your new password is set. Sign in with it."),
    "language_saved": N_("Language saved."),
    "posted": N_("Your post is published."),
    "post_edited": N_("Your post is updated."),
    "post_deleted": N_("Your post is deleted."),
    "account_deleted": N_("Your account is deleted. Thank you for being here."),
    "email_verified": N_("Your email address is confirmed. You can sign in now."),
    "email_verified_pending": N_(
        "Your email address is confirmed. The city team will review your account and write to you."
    ),
    "report_sent": N_("Thank you. The city team will look at your report."),
    "report_closed": N_("The report is closed."),
    "account_suspended": N_("The account is suspended."),
    "account_unsuspended": N_("The suspension is lifted."),
    "account_approved": N_("The account is approved. Its owner gets an email."),
    "account_rejected": N_("The account is rejected and deleted. Its owner gets an email."),
    "domain_blocked": N_("The server is blocked."),
    "domain_unblocked": N_("The server is no longer blocked."),
    "texts_saved": N_("The about page and the rules are saved."),
    "shop_verified": N_("The shop is marked as verified."),
    "shop_unverified": N_("The shop is no longer marked as verified."),
}


async def base_context(
    request: web.Request, account: Account | None, translator: Translator
) -> dict[str, Any]:
    app = request.app
    settings: Settings = app[SETTINGS]
    notice_key = request.query.get("notice", "")
    nav_items = [
        item
        for item in app[NAV_ITEMS]
        if item.signed_in is None or item.signed_in == (account is not None)
    ]
    nav_badges = {
        item.path: await item.badge(account)
        for item in nav_items
        if item.badge is not None and account is not None
    }
    return {
        "request": request,
        "settings": settings,
        "city_name": settings.city_name,
        "lang": translator.language,
        "dir": translator.direction,
        "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "account": account,
        "handle": f"@{account.username}@{settings.domain}" if account else None,
        "csrf_token": csrf.csrf_token(request),
        "current_path": request.path_qs,
        "nav_items": nav_items,
        "nav_badges": nav_badges,
        "notice": translator.gettext(_NOTICES[notice_key]) if notice_key in _NOTICES else None,
        "static": lambda name: static_url(app, name),
        "og_locale": i18n.OG_LOCALES[translator.language],
        "og_image": settings.base_url + static_url(app, "icons/og-card.png"),
        "page_url": settings.base_url + request.path,
        "registrations": settings.registrations,
        # Staff see how many new accounts wait for them (header and moderation tabs).
        "accounts_waiting": (
            await account_approvals.pending_count() if account and account.role.moderates else 0
        ),
    }


def _respond(request: web.Request, text: str, status: int, language: str) -> web.Response:
    response = web.Response(text=text, status=status, content_type="text/html", charset="utf-8")
    # Pages carry per-visitor form tokens and the visitor's language: never cache them shared.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Cookie, Accept-Language"
    csrf.attach_cookie(request, response)
    return response


async def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    """Render a page in the visitor's language with the base context."""
    account = await current_account(request)
    translator = translator_for(request.app, await language_for(request, account))
    page = await base_context(request, account, translator)
    page.update(context or {})
    with i18n.activate(translator):
        text = aiohttp_jinja2.render_string(template, request, page)
    return _respond(request, text, status, translator.language)


def render_text(
    app: web.Application, template: str, translator: Translator, context: Mapping[str, Any]
) -> str:
    """A plain-text template (a README, not a page) in ``translator``'s language."""
    with i18n.activate(translator):
        return aiohttp_jinja2.get_env(app).get_template(template).render(dict(context))


async def translator_for_request(request: web.Request) -> Translator:
    account = await current_account(request)
    return translator_for(request.app, await language_for(request, account))


# --- error pages -----------------------------------------------------------------------------

_ERRORS: dict[int, tuple[str, str]] = {
    400: (N_("Something is wrong with this request"), N_("Check what you entered and try again.")),
    401: (N_("Please sign in"), N_("You need to sign in to see this page.")),
    403: (N_("Not allowed"), N_("You cannot do this here.")),
    404: (N_("Page not found"), N_("This page does not exist, or it was removed.")),
    405: (N_("Not allowed"), N_("This page cannot be used this way.")),
    410: (N_("Gone"), N_("This was deleted.")),
    413: (N_("Too large"), N_("What you sent is too large.")),
    422: (N_("Something is wrong with this request"), N_("Check what you entered and try again.")),
    429: (N_("Too many attempts"), N_("Please wait a little and try again.")),
    500: (N_("Something went wrong"), N_("It is our fault, not yours. Please try again later.")),
    503: (N_("The site is busy"), N_("Please try again in a few seconds.")),
}
# Details that deserve their own explanation, keyed by the English text of the error.
_DETAILS = {
    csrf.REFUSED: N_(
        "This form has expired or did not come from this site. Go back, reload the page and "
        "try again."
    ),
    csrf.CROSS_SITE: N_(
        "This request came from another site, so it was refused to protect your account. Open "
        "this site yourself and try again."
    ),
}


async def render_error(
    request: web.Request, status: int, title: str, detail: str
) -> web.StreamResponse:
    """The HTML error page (registered as node.middleware's HTML error renderer)."""
    account = None
    if status != 503:  # the database may be the problem: don't ask it again
        try:
            account = await current_account(request)
        except Exception:
            log.warning("error page rendered without the visitor's session", exc_info=True)
    translator = translator_for(request.app, await language_for(request, account))
    heading, explanation = _ERRORS.get(status, (N_("Something went wrong"), ""))
    context = {
        "status": status,
        "heading": translator.gettext(heading),
        "explanation": translator.gettext(_DETAILS.get(detail, explanation))
        if explanation or detail in _DETAILS
        else "",
        # The reference of a 500 helps the city's admin find the log line.
        "technical_detail": detail if status >= 500 and detail != title else "",
    }
    try:
        page = await base_context(request, account, translator)
        page.update(context)
        with i18n.activate(translator):
            text = aiohttp_jinja2.render_string("pages/error.html", request, page)
    except Exception:
        log.exception("the error page itself failed to render")
        return web.Response(status=status, text=f"{status} {title}\n{detail}\n")
    return _respond(request, text, status, translator.language)


def setup(app: web.Application) -> None:
    """The environment, the catalogs, static files and the error renderer."""
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        default_helpers=False,
    )
    configure_environment(env)
    app[TRANSLATIONS] = i18n.load_translations()
    app[STATIC_VERSIONS] = _static_versions()
    app[NAV_ITEMS] = []
    app.router.add_static("/static/", STATIC_DIR, name="static", follow_symlinks=False)
    app.on_response_prepare.append(_cache_static)
