"""An account's life on the web: signing up, confirming the email address, staff approval,
language preference (deletion: ``node.services.account_deletion``).

Registrations (``RUTA_REGISTRATIONS``): ``open`` accounts become active when their email address
is confirmed; ``approval`` accounts confirm their address and then wait for staff; ``closed`` takes
no sign-ups. Accounts an administrator creates with the CLI are active at once.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from node import clock
from node.config import LANGUAGES, Settings
from node.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.web import TokenPurpose
from node.services import account_tokens, accounts, rate_limits
from node.services.mail import MailComposer, queue_mail
from node.urls import Urls

# Paths of the links in account mails; the web adapter serves them.
VERIFY_EMAIL_PATH = "/verify-email/"
RESET_PASSWORD_PATH = "/password/reset/"  # noqa: S105 - a path

USERNAME_TAKEN = "This username is taken."
LANGUAGE_UNKNOWN = "Choose one of the offered languages."


class RegistrationsClosed(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("This node does not take new accounts at the moment.")


def _mail_context(settings: Settings, account: Account, **extra: Any) -> dict[str, Any]:
    return {
        "city_name": settings.city_name,
        "username": account.username,
        "display_name": account.display_name or account.username,
        "handle": f"@{account.username}@{settings.domain}",
        "base_url": settings.base_url,
        **extra,
    }


def mail_language(settings: Settings, account: Account) -> str:
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
    address: str,
) -> None:
    """Sign up: create an account waiting for its email confirmation and mail the link.

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
    if errors:
        raise ValidationFailed(errors[0].message, errors)

    await rate_limits.check(rate_limits.SIGN_UP_PER_ADDRESS, address)
    await rate_limits.hit(rate_limits.SIGN_UP_PER_ADDRESS, address)
    existing = await Account.get_or_none(email=accounts.validate_email(email))
    if existing is not None:
        await queue_mail(
            composer,
            to=existing.email,
            template="account_exists",
            language=mail_language(settings, existing),
            context=_mail_context(
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
            context=_mail_context(
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
    """
    email = email.strip().lower()
    await rate_limits.check(rate_limits.MAIL_PER_ADDRESS, address)
    await rate_limits.check(rate_limits.MAIL_PER_ACCOUNT, email)
    await rate_limits.hit(rate_limits.MAIL_PER_ADDRESS, address)
    await rate_limits.hit(rate_limits.MAIL_PER_ACCOUNT, email)
    account = await Account.get_or_none(email=email)
    if account is not None and account.email_verified_at is None and account.approved_at is None:
        await _send_verification(settings, urls, composer, account)


async def verify_email(settings: Settings, token: str) -> Account:
    """Confirm the address a link was mailed to. With open registrations the account is active
    from now on; otherwise it now waits for staff approval."""
    now = clock.now()
    async with in_transaction() as tx:
        account = await account_tokens.consume(token, TokenPurpose.VERIFY_EMAIL, using_db=tx)
        changes: dict[str, Any] = {"email_verified_at": account.email_verified_at or now}
        if settings.registrations == "open" and account.approved_at is None:
            changes["approved_at"] = now
        await Account.filter(id=account.id).using_db(tx).update(**changes)
    await account.refresh_from_db()
    return account


async def pending_approval() -> list[Account]:
    """Accounts that confirmed their address and wait for staff, oldest first."""
    return (
        await Account.filter(approved_at__isnull=True, email_verified_at__isnull=False)
        .filter(suspended_at__isnull=True)
        .order_by("created_at")
    )


async def approve_account(
    settings: Settings, urls: Urls, composer: MailComposer, *, account_id: int, staff: Account
) -> Account:
    """Staff let a waiting account in; its owner gets a mail. Approving twice changes nothing."""
    if not staff.role.moderates:
        raise PermissionDenied("Only staff can approve accounts.")
    async with in_transaction() as tx:
        account = await Account.filter(id=account_id).using_db(tx).first()
        if account is None:
            raise PermissionDenied("There is no such account waiting for approval.")
        if account.approved_at is not None:
            return account
        if account.email_verified_at is None:
            raise Conflict("This account has not confirmed its email address yet.")
        account.approved_at = clock.now()
        await account.save(using_db=tx, update_fields=["approved_at", "updated_at"])
        await queue_mail(
            composer,
            to=account.email,
            template="account_approved",
            language=mail_language(settings, account),
            context=_mail_context(settings, account, sign_in_url=urls.absolute("/sign-in")),
            using_db=tx,
        )
    return account


async def set_language(account: Account, language: str) -> Account:
    """The language of the account's pages and mails."""
    if language not in LANGUAGES:
        raise ValidationFailed.on("language", LANGUAGE_UNKNOWN)
    account.language = language
    await account.save(update_fields=["language", "updated_at"])
    return account
