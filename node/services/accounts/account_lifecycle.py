"""An account's life on the web: signing up, confirming the email address, staff approval,
language preference (deletion: ``node.services.accounts.account_deletion``).

Registrations (``RUTA_REGISTRATIONS``): ``open`` accounts become active when their email address
is confirmed; ``approval`` accounts say why they join, confirm their address and then wait for
staff, who are notified (their decision: ``node.services.accounts.account_approvals``);
``closed`` takes no sign-ups. Accounts an administrator creates with the CLI are active at once.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from node import clock
from node.config import LANGUAGES, Settings
from node.errors import FieldError, PermissionDenied, ValidationFailed
from node.models.accounts import Account, Role
from node.models.actors import Actor, ActorKind
from node.models.web import TokenPurpose
from node.services.accounts import account_tokens, accounts, rate_limits
from node.services.mail import MailComposer, queue_mail
from node.services.notifications import NotificationKind, notify
from node.urls import Urls

# Paths of the links in account mails; the web adapter serves them.
VERIFY_EMAIL_PATH = "/verify-email/"
RESET_PASSWORD_PATH = "/password/reset/"  # noqa: S105 - a path

USERNAME_TAKEN = "This username is taken."
LANGUAGE_UNKNOWN = "Choose one of the offered languages."
# What a person writes for staff at sign-up when they approve accounts (Mastodon asks the same).
MAX_REASON = 500
REASON_MISSING = "Tell the city team in a few words why you want to join."
REASON_TOO_LONG = f"Use at most {MAX_REASON} characters."


class RegistrationsClosed(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("This node does not take new accounts at the moment.")


def mail_context(settings: Settings, account: Account, **extra: Any) -> dict[str, Any]:
    """What every account mail template may use: the city, the person's names and handle."""
    return {
        "city_name": settings.city_name,
        "username": account.username,
        "display_name": account.display_name or account.username,
        "handle": f"@{account.username}@{settings.domain}",
        "base_url": settings.base_url,
        **extra,
    }


def mail_language(settings: Settings, account: Account) -> str:
    """The language of the account's mails: its own, else the node's default."""
    return account.language if account.language in LANGUAGES else settings.default_language


async def register(
    settings: Settings,
    urls: Urls,
    composer: MailComposer,
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    language: str | None = None,
    reason: str = "",
    address: str,
) -> None:
    """Sign up: create an account waiting for its email confirmation and mail the link.

    When staff approve accounts, ``reason`` (why the person wants to join, for the staff who
    decide) is required and at most ``MAX_REASON`` characters; otherwise it is not kept.

    Every field is checked and every mistake reported at once. An email address that already has
    an account gets a mail saying so instead of a second account, and the caller sees the same
    answer as for a new one: the form never tells who has an account here.
    """
    if settings.registrations == "closed":
        raise RegistrationsClosed()
    errors: list[FieldError] = []
    for check, raw in (
        (accounts.validate_username, username),
        (accounts.validate_email, email),
        (accounts.validate_password, password),
        (accounts.validate_display_name, display_name),
    ):
        try:
            check(raw)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    name = accounts.normalise_username(username)
    if not errors and (
        await Account.filter(username=name).exists()
        or await Actor.filter(local_username=name).exists()
    ):
        errors.append(FieldError("username", USERNAME_TAKEN))
    if language is not None and language not in LANGUAGES:
        errors.append(FieldError("language", LANGUAGE_UNKNOWN))
    reason = reason.replace("\r\n", "\n").strip() if settings.registrations == "approval" else ""
    if settings.registrations == "approval" and not reason:
        errors.append(FieldError("reason", REASON_MISSING))
    elif len(reason) > MAX_REASON:
        errors.append(FieldError("reason", REASON_TOO_LONG))
    if errors:
        raise ValidationFailed(errors[0].message, errors)

    await rate_limits.take(rate_limits.SIGN_UP_PER_ADDRESS, address)
    existing = await Account.get_or_none(email=accounts.validate_email(email))
    if existing is not None:
        await queue_mail(
            composer,
            to=existing.email,
            template="account_exists",
            language=mail_language(settings, existing),
            context=mail_context(
                settings, existing, sign_in_url=urls.absolute("/sign-in"),
                reset_url=urls.absolute("/password/reset"),
            ),
        )  # fmt: skip
        return
    account = await accounts.create_account(
        urls,
        username=username,
        email=email,
        password=password,
        display_name=display_name,
        language=language,
        approved=False,
        sign_up_reason=reason,
    )
    await _send_verification(settings, urls, composer, account)


async def _send_verification(
    settings: Settings, urls: Urls, composer: MailComposer, account: Account
) -> None:
    async with in_transaction() as tx:
        token = await account_tokens.issue(account, TokenPurpose.VERIFY_EMAIL, using_db=tx)
        await queue_mail(
            composer,
            to=account.email,
            template="verify_email",
            language=mail_language(settings, account),
            context=mail_context(
                settings, account, link=urls.absolute(VERIFY_EMAIL_PATH + token),
                approval=settings.registrations != "open",
            ),
            using_db=tx,
        )  # fmt: skip


async def resend_verification(
    settings: Settings, urls: Urls, composer: MailComposer, *, email: str, address: str
) -> None:
    """Mail a new confirmation link to an account whose address is not confirmed yet.

    The answer is the same whether or not such an account exists; attempts are rate-limited.
    An address longer than any account's raises ``ValidationFailed`` on ``email``.
    """
    email = email.strip().lower()
    # Longer than any stored address: the lookup below would fail on the column's length.
    if len(email) > accounts.MAX_EMAIL:
        raise ValidationFailed.on("email", accounts.EMAIL_INVALID)
    await rate_limits.take_each(
        (rate_limits.MAIL_PER_ADDRESS, address), (rate_limits.MAIL_PER_ACCOUNT, email)
    )
    account = await Account.get_or_none(email=email)
    if account is not None and account.email_verified_at is None and account.approved_at is None:
        await _send_verification(settings, urls, composer, account)


async def verify_email(settings: Settings, token: str) -> Account:
    """Confirm the address a link was mailed to. With open registrations the account is active
    from now on; otherwise it now waits for staff approval."""
    now = clock.now()
    async with in_transaction() as tx:
        account = await account_tokens.consume(token, TokenPurpose.VERIFY_EMAIL, using_db=tx)
        first_time = account.email_verified_at is None
        changes: dict[str, Any] = {"email_verified_at": account.email_verified_at or now}
        if settings.registrations == "open" and account.approved_at is None:
            changes["approved_at"] = now
        await Account.filter(id=account.id).using_db(tx).update(**changes)
        if first_time and "approved_at" not in changes and account.approved_at is None:
            await _notify_staff_of_waiting(account, using_db=tx)
    await account.refresh_from_db()
    return account


async def _notify_staff_of_waiting(account: Account, *, using_db: BaseDBAsyncClient) -> None:
    """Tell every staff member and administrator that ``account`` now waits for them (the
    notification links the approval queue); only once, when the address is first confirmed."""
    actor = await Actor.get_or_none(account_id=account.id, kind=ActorKind.PERSON, local=True)
    if actor is None:
        return
    staff = Account.filter(role__in=[Role.STAFF, Role.ADMIN], suspended_at__isnull=True)
    for member in await staff.using_db(using_db).exclude(id=account.id):
        await notify(member, NotificationKind.ACCOUNT_PENDING, actor)


async def set_language(account: Account, language: str) -> Account:
    """The language of the account's pages and mails."""
    if language not in LANGUAGES:
        raise ValidationFailed.on("language", LANGUAGE_UNKNOWN)
    account.language = language
    await account.save(update_fields=["language", "updated_at"])
    return account
