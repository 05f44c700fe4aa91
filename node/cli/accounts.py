"""Account and token commands."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Mapping

from node import db
from node.cli.common import CommandFailed, open_migrated, prepare
from node.config import Settings
from node.models.accounts import Account


def _read_password(env: Mapping[str, str]) -> str:
    if env.get("RUTA_PASSWORD"):
        return env["RUTA_PASSWORD"]
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat the password: "):
            raise CommandFailed("the two passwords differ")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise CommandFailed("no password: pipe it on standard input or set RUTA_PASSWORD")
    return line


async def cmd_user_create(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.services.accounts import accounts
    from node.urls import Urls

    role = accounts.parse_role(args.role)
    # Validate what we can before asking for a password.
    accounts.validate_username(args.username)
    accounts.validate_email(args.email)
    password = _read_password(env)
    accounts.validate_password(password)
    settings = prepare(settings)
    await open_migrated(settings)
    try:
        account = await accounts.create_account(
            Urls(settings),
            username=args.username,
            email=args.email,
            password=password,
            role=role,
            display_name=args.display_name,
        )
    finally:
        await db.close()
    print(
        f"created {account.username} ({account.role.value}): @{account.username}@{settings.domain}"
    )
    return 0


async def cmd_user_list(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.services.accounts import accounts

    await open_migrated(prepare(settings))
    try:
        rows = await accounts.list_accounts()
    finally:
        await db.close()
    print(f"{'USERNAME':<30} {'ROLE':<9} {'STATUS':<12} EMAIL")
    for a in rows:
        print(f"{a.username:<30} {a.role.value:<9} {_status(a):<12} {a.email}")
    return 0


def _status(account: Account) -> str:
    """``pending``: confirmed, waiting for staff (``ruta user approve``); ``unconfirmed``: the
    person has not opened the link mailed to them yet."""
    if account.suspended_at:
        return "suspended"
    if account.approved_at:
        return "active"
    return "pending" if account.email_verified_at else "unconfirmed"


async def _acting_staff(username: str | None) -> Account:
    """The staff member the audit log names: ``--by``, else the oldest administrator."""
    from node.models.accounts import Role
    from node.services.accounts import accounts
    from node.services.moderation import moderation

    if username:
        return moderation.require_moderator(await accounts.get_account(username))
    admin = await Account.filter(role=Role.ADMIN, suspended_at=None).order_by("id").first()
    if admin is None:
        raise CommandFailed(
            "no administrator account to record in the audit log: "
            "pass --by STAFF_USERNAME or create one with `ruta user create NAME --role admin`"
        )
    return admin


async def cmd_user_approve(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.main import mail_composer
    from node.services.accounts import account_approvals
    from node.urls import Urls

    settings = prepare(settings)
    composer = mail_composer(settings)
    await open_migrated(settings)
    try:
        staff = await _acting_staff(args.by)
        waiting = await account_approvals.find_account(args.username)
        account = await account_approvals.approve(
            settings, Urls(settings), composer, staff, waiting
        )
    finally:
        await db.close()
    print(f"{account.username} is approved; a mail tells {account.email}")
    return 0


async def cmd_user_reject(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.main import mail_composer
    from node.services.accounts import account_approvals

    settings = prepare(settings)
    composer = mail_composer(settings)
    await open_migrated(settings)
    try:
        staff = await _acting_staff(args.by)
        waiting = await account_approvals.find_account(args.username)
        email = waiting.email
        await account_approvals.reject(settings, composer, staff, waiting, reason=args.reason)
    finally:
        await db.close()
    print(f"{waiting.username} is rejected and deleted; a mail tells {email}")
    return 0


async def cmd_user_set_role(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.services.accounts import accounts

    role = accounts.parse_role(args.role)
    await open_migrated(prepare(settings))
    try:
        account = await accounts.set_role(args.username, role)
    finally:
        await db.close()
    print(f"{account.username} is now {account.role.value}")
    return 0


async def cmd_token_create(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.services.accounts import accounts, tokens

    await open_migrated(prepare(settings))
    try:
        account = await accounts.get_account(args.username)
        token, secret = await tokens.create_token(account, args.name)
    finally:
        await db.close()
    # The secret alone on stdout, so `TOKEN=$(ruta token create alice)` works.
    print(f"token {token.id} for {account.username}; it is shown only now:", file=sys.stderr)
    print(secret)
    return 0


async def cmd_token_list(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.services.accounts import accounts, tokens

    await open_migrated(prepare(settings))
    try:
        account = await accounts.get_account(args.username)
        rows = await tokens.list_tokens(account)
    finally:
        await db.close()
    print(f"{'ID':<20} {'STATUS':<8} {'CREATED':<20} NAME")
    for t in rows:
        status = "revoked" if t.revoked_at else "active"
        print(f"{t.id:<20} {status:<8} {t.created_at:%Y-%m-%d %H:%M}     {t.name}")
    return 0


async def cmd_token_revoke(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.services.accounts import tokens

    await open_migrated(prepare(settings))
    try:
        token = await tokens.revoke_token(args.token_id)
    finally:
        await db.close()
    print(f"token {token.id} is revoked")
    return 0
