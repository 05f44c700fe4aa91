"""Creating and managing local accounts."""

from __future__ import annotations

import re
import unicodedata

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from node import clock
from node.errors import Conflict, NotFound, ValidationFailed
from node.models.accounts import Account, Role
from node.models.actors import Actor, ActorKind
from node.services.accounts import passwords
from node.services.social.actors import create_local_actor
from node.urls import Urls

USERNAME_RE = re.compile(r"^[a-z0-9_]{1,30}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
DISPLAY_NAME_MAX = 100

# Names the node keeps for its own actors, pages and well-known addresses.
RESERVED_USERNAMES = frozenset(
    {
        "about", "abuse", "actor", "admin_", "api", "empleo", "eventos", "formacion", "foro",
        "groups", "inbox", "instance", "mercado", "media", "nodeinfo", "outbox", "postmaster",
        "root", "ruta", "settings", "static", "support", "tags", "users", "webmaster", "www",
    }
)  # fmt: skip


def normalise_username(raw: str) -> str:
    return raw.strip().lstrip("@").lower()


def validate_username(raw: str) -> str:
    username = normalise_username(raw)
    if not USERNAME_RE.match(username):
        raise ValidationFailed.on(
            "username",
            "Usernames are 1 to 30 characters: letters a-z, digits and underscores.",
        )
    if username in RESERVED_USERNAMES:
        raise ValidationFailed.on("username", f"The username {username!r} is reserved.")
    return username


# The longest address SMTP carries (RFC 5321), and the column's length.
MAX_EMAIL = 254
EMAIL_INVALID = "Enter an email address such as ana@example.org."


def validate_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL or not EMAIL_RE.match(email):
        raise ValidationFailed.on("email", EMAIL_INVALID)
    return email


def validate_password(password: str) -> str:
    if len(password) < passwords.MIN_LENGTH:
        raise ValidationFailed.on(
            "password", f"Passwords need at least {passwords.MIN_LENGTH} characters."
        )
    if len(password) > passwords.MAX_LENGTH:
        raise ValidationFailed.on(
            "password", f"Passwords can have at most {passwords.MAX_LENGTH} characters."
        )
    return password


def validate_display_name(raw: str) -> str:
    # Control characters (including bidi overrides) would let a name spoof the text around it.
    name = "".join(ch for ch in raw.strip() if unicodedata.category(ch)[0] != "C")
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationFailed.on(
            "display_name", f"Display names can have at most {DISPLAY_NAME_MAX} characters."
        )
    return name


def parse_role(raw: str) -> Role:
    try:
        return Role(raw.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValidationFailed.on("role", f"Role must be one of {choices}.") from None


async def create_account(
    urls: Urls,
    *,
    username: str,
    email: str,
    password: str,
    role: Role = Role.MEMBER,
    display_name: str = "",
    language: str | None = None,
    approved: bool = True,
    sign_up_reason: str = "",
) -> Account:
    """Create an account and its public ``Person`` actor (with keys), all or nothing."""
    username = validate_username(username)
    email = validate_email(email)
    validate_password(password)
    display_name = validate_display_name(display_name)
    if (
        await Account.filter(username=username).exists()
        or await Actor.filter(local_username=username).exists()
    ):
        raise Conflict(f"The username {username!r} is already taken.")
    if await Account.filter(email=email).exists():
        raise Conflict("An account with this email address already exists.")
    password_hash = await passwords.hash_password(password)

    try:
        async with in_transaction() as tx:
            account = await Account.create(
                using_db=tx,
                username=username,
                email=email,
                display_name=display_name,
                role=role,
                password_hash=password_hash,
                language=language,
                approved_at=clock.now() if approved else None,
                sign_up_reason=sign_up_reason,
            )
            await create_local_actor(
                urls,
                kind=ActorKind.PERSON,
                username=username,
                display_name=display_name,
                account=account,
                using_db=tx,
            )
    except IntegrityError:
        # Lost a race with another request creating the same name or address.
        raise Conflict("This username or email address was just taken.") from None
    return account


async def get_account(username: str) -> Account:
    account = await Account.get_or_none(username=normalise_username(username))
    if account is None:
        raise NotFound(f"No account named {normalise_username(username)!r}.")
    return account


async def list_accounts() -> list[Account]:
    return await Account.all().order_by("id")


async def set_role(username: str, role: Role) -> Account:
    account = await get_account(username)
    account.role = role
    await account.save(update_fields=["role", "updated_at"])
    return account


async def person_actor(account: Account) -> Actor:
    """The account's public ``Person`` actor."""
    return await Actor.get(account=account, kind=ActorKind.PERSON)
