"""Signing in and staying signed in: password checks with rate limits, and server-side sessions.

A session token is 256 random bits handed to the browser once; only its SHA-256 is stored.
Sessions expire after a month without use, are replaced at every sign-in (a token planted before
sign-in is worthless after it) and are revoked at sign-out and when the password changes.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum

from tortoise.expressions import Q

from node import clock
from node.errors import NotAuthenticated, PermissionDenied
from node.ids import new_token
from node.models.accounts import Account
from node.models.web import WebSession
from node.services.accounts import passwords, rate_limits

SESSION_LIFETIME = timedelta(days=30)
# Writing last_seen_at on every page view would turn every read into a write.
_TOUCH_RESOLUTION = timedelta(hours=1)
TOKEN_MAX_LENGTH = 100


class InvalidCredentials(NotAuthenticated):
    """Unknown account or wrong password: deliberately the same error for both."""

    def __init__(self) -> None:
        super().__init__("The username, email address or password is not right.")


class Inactive(StrEnum):
    UNVERIFIED = "unverified"  # the email address is not confirmed yet
    PENDING_APPROVAL = "pending_approval"  # staff have not approved the account yet
    SUSPENDED = "suspended"


class AccountInactive(PermissionDenied):
    """The password was right but the account may not sign in (yet)."""

    def __init__(self, account: Account, reason: Inactive) -> None:
        super().__init__(f"This account cannot sign in: {reason.value}.")
        self.account = account
        self.reason = reason


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def inactive_reason(account: Account) -> Inactive | None:
    """Why ``account`` may not sign in, or None when it may."""
    if account.suspended_at is not None:
        return Inactive.SUSPENDED
    if account.approved_at is None:
        # Accounts created on the web wait for their email (open registrations) or for staff
        # (approval); accounts created by an administrator are approved at once.
        if account.email_verified_at is None:
            return Inactive.UNVERIFIED
        return Inactive.PENDING_APPROVAL
    return None


async def find_account(login: str) -> Account | None:
    """The account with this username or email address (case-insensitive), if any."""
    login = login.strip().lower()
    if not login or len(login) > 254:
        return None
    if "@" in login.lstrip("@"):
        return await Account.get_or_none(email=login)
    return await Account.get_or_none(username=login.lstrip("@"))


async def authenticate(login: str, password: str, *, address: str) -> Account:
    """The account ``login`` names, when ``password`` is right and the account may sign in.

    Unknown accounts and wrong passwords raise the same :class:`InvalidCredentials` after the same
    work (a password hash is checked either way). Failures count against the account and against
    the client ``address``; past the limits every attempt raises ``RateLimited``, even a right one.
    """
    account = await find_account(login)
    account_key = str(account.id) if account else "unknown:" + login.strip().lower()
    # Only failures count, yet the attempt is counted *before* the password is checked and
    # uncounted after a success: counting after the check let parallel guesses all be checked
    # before the first failure was recorded.
    attempt = await rate_limits.take_each(
        (rate_limits.SIGN_IN_PER_ADDRESS, address),
        (rate_limits.SIGN_IN_PER_ACCOUNT, account_key),
    )
    # No stored password is longer than MAX_LENGTH; a longer one is checked against the dummy hash
    # (same work, bounded cost) and fails.
    fits = len(password) <= passwords.MAX_LENGTH
    stored = account.password_hash if account is not None and fits else None
    ok = await passwords.verify_password(stored, password[: passwords.MAX_LENGTH])
    if account is None or not ok:
        raise InvalidCredentials()
    await rate_limits.release(attempt)
    await rate_limits.clear(rate_limits.SIGN_IN_PER_ACCOUNT, account_key)
    reason = inactive_reason(account)
    if reason is not None:
        raise AccountInactive(account, reason)
    return account


async def create_session(account: Account, *, user_agent: str = "") -> tuple[WebSession, str]:
    """A new session for ``account``. Returns the row and the token for the cookie."""
    await forget_old_sessions()
    token = new_token(32)
    now = clock.now()
    session = await WebSession.create(
        account=account,
        token_hash=digest(token),
        user_agent=user_agent[:200],
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    return session, token


async def session_for_token(token: str) -> WebSession | None:
    """The live session behind a cookie token (with its account loaded), or None.

    Expired and revoked sessions, and sessions of accounts that may no longer sign in, are None.
    """
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    now = clock.now()
    session = (
        await WebSession.filter(token_hash=digest(token), revoked_at__isnull=True)
        .select_related("account")
        .first()
    )
    if session is None or session.expires_at <= now:
        return None
    if inactive_reason(session.account) is not None:
        return None
    if now - session.last_seen_at > _TOUCH_RESOLUTION:
        session.last_seen_at = now
        session.expires_at = now + SESSION_LIFETIME
        await WebSession.filter(id=session.id).update(
            last_seen_at=now, expires_at=session.expires_at
        )
    return session


async def revoke_session(token: str) -> None:
    """End the session behind ``token`` (sign-out). Unknown tokens are ignored."""
    if token and len(token) <= TOKEN_MAX_LENGTH:
        await WebSession.filter(token_hash=digest(token), revoked_at__isnull=True).update(
            revoked_at=clock.now()
        )


async def revoke_all_sessions(account: Account) -> int:
    """End every session of ``account`` (password changed or reset). Returns how many."""
    return await WebSession.filter(account=account, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )


async def forget_old_sessions() -> int:
    """Delete sessions that expired or were revoked more than a day ago."""
    horizon = clock.now() - timedelta(days=1)
    return await WebSession.filter(Q(expires_at__lt=horizon) | Q(revoked_at__lt=horizon)).delete()
