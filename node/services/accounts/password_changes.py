"""Changing a password, and resetting a forgotten one with a link sent by mail.

Both end every session of the account: whoever knew the old password (or held a session opened
with it) is signed out everywhere.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from node import clock
from node.config import Settings
from node.errors import ValidationFailed
from node.models.accounts import Account
from node.models.web import TokenPurpose
from node.services.accounts import account_tokens, accounts, passwords, rate_limits
from node.services.accounts.account_lifecycle import RESET_PASSWORD_PATH, mail_language
from node.services.accounts.sessions import revoke_all_sessions
from node.services.mail import MailComposer, queue_mail
from node.urls import Urls

CURRENT_PASSWORD_WRONG = "The current password is not right."  # noqa: S105 - a message


async def change_password(account: Account, *, current: str, new: str) -> None:
    """Replace the password after checking the current one; ends every session of the account
    (the caller opens a fresh one for the browser that made the change) and every reset link
    mailed before."""
    accounts.validate_password(new)
    if not await passwords.verify_password(account.password_hash, current):
        raise ValidationFailed.on("current_password", CURRENT_PASSWORD_WRONG)
    password_hash = await passwords.hash_password(new)
    async with in_transaction() as tx:
        await Account.filter(id=account.id).using_db(tx).update(password_hash=password_hash)
        await revoke_all_sessions(account)
        # A reset link mailed before (to the owner, or by someone who only knows the address)
        # must not overrule the password the owner just chose.
        await account_tokens.revoke(account, TokenPurpose.RESET_PASSWORD, using_db=tx)
    account.password_hash = password_hash


async def request_password_reset(
    settings: Settings, urls: Urls, composer: MailComposer, *, email: str, address: str
) -> None:
    """Mail a reset link (valid one hour, single use) when an account has this address.

    The caller's answer never says whether it has; attempts are rate-limited per address of the
    client and per email address, so nobody can flood an inbox.
    """
    email = email.strip().lower()
    if not email or len(email) > 254:
        raise ValidationFailed.on("email", "Enter an email address such as ana@example.org.")
    await rate_limits.take_each(
        (rate_limits.MAIL_PER_ADDRESS, address), (rate_limits.MAIL_PER_ACCOUNT, email)
    )
    account = await Account.get_or_none(email=email)
    if account is None or account.suspended_at is not None:
        return
    async with in_transaction() as tx:
        token = await account_tokens.issue(account, TokenPurpose.RESET_PASSWORD, using_db=tx)
        await queue_mail(
            composer,
            to=account.email,
            template="reset_password",
            language=mail_language(settings, account),
            context={
                "city_name": settings.city_name,
                "username": account.username,
                "display_name": account.display_name or account.username,
                "link": urls.absolute(RESET_PASSWORD_PATH + token),
            },
            using_db=tx,
        )


async def reset_password(token: str, *, new: str) -> Account:
    """Set a new password with a reset link; the link is used up and every session ends.

    Receiving the link proves the mailbox, so an unconfirmed address counts as confirmed.
    """
    accounts.validate_password(new)
    await account_tokens.peek(token, TokenPurpose.RESET_PASSWORD)
    password_hash = await passwords.hash_password(new)
    async with in_transaction() as tx:
        account = await account_tokens.consume(token, TokenPurpose.RESET_PASSWORD, using_db=tx)
        await (
            Account.filter(id=account.id)
            .using_db(tx)
            .update(
                password_hash=password_hash,
                email_verified_at=account.email_verified_at or clock.now(),
            )
        )
        await revoke_all_sessions(account)
    await account.refresh_from_db()
    return account
