"""The ``ruta`` command: run, migrate and administer a node.

Every error is one clear line on stderr and a non-zero exit: 2 for configuration and usage
mistakes, 1 when the command could not do its work (database unreachable, unknown user...).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, NoReturn

from node import __version__
from node.cli.accounts import (
    cmd_token_create,
    cmd_token_list,
    cmd_token_revoke,
    cmd_user_approve,
    cmd_user_create,
    cmd_user_list,
    cmd_user_reject,
    cmd_user_set_role,
)
from node.cli.common import EXIT_CONFIG, EXIT_FAILURE, CommandFailed, safe_url, short
from node.cli.database import cmd_backup, cmd_check, cmd_makemigrations, cmd_migrate, cmd_restore
from node.cli.jobs import cmd_jobs_failed, cmd_jobs_retry, cmd_jobs_status
from node.cli.peers import cmd_peers_list, cmd_peers_sync
from node.cli.run import cmd_serve, cmd_worker
from node.config import ConfigError, Settings, load_settings
from node.errors import RutaError

__all__ = ["CommandFailed", "build_parser", "main"]


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> NoReturn:
    parser = build_parser()
    args = parser.parse_args(argv)
    env = os.environ if environ is None else environ
    try:
        settings = load_settings(env)
    except ConfigError as exc:
        _die(str(exc), EXIT_CONFIG)
    from node import logs

    if args.func not in (cmd_serve, cmd_worker) and "log_level" not in settings.explicit:
        # Administrative commands speak through their output; logs only for trouble.
        settings = settings.with_overrides(log_level="WARNING")
    logs.configure(settings)
    command: Callable[[argparse.Namespace, Settings, Mapping[str, str]], Coroutine[Any, Any, int]]
    command = args.func
    code: int
    try:
        code = asyncio.run(command(args, settings, env))
    except (CommandFailed, RutaError) as exc:
        _die(str(exc), EXIT_FAILURE)
    except ConfigError as exc:
        _die(str(exc), EXIT_CONFIG)
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:
        if _database_error(exc):
            _die(f"cannot use the database at {safe_url(settings)}: {short(exc)}", EXIT_FAILURE)
        raise
    sys.exit(code)


def _die(message: str, code: int) -> NoReturn:
    print(f"ruta: error: {message}", file=sys.stderr)
    sys.exit(code)


def _database_error(exc: BaseException) -> bool:
    from tortoise.exceptions import BaseORMException

    module = type(exc).__module__
    return isinstance(exc, (BaseORMException, OSError)) or module.startswith(("asyncpg", "sqlite3"))


# --- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ruta",
        description="Run and administer a Ruta city node. Configuration comes from RUTA_* "
        "environment variables (see README.md); RUTA_CONFIG may name a TOML file.",
    )
    parser.add_argument("--version", action="version", version=f"ruta {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the web server and background workers")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    serve.add_argument(
        "--no-workers",
        action="store_true",
        help="serve HTTP only; run `ruta worker` separately (PostgreSQL, several processes)",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run only the background workers (no web server)")
    worker.set_defaults(func=cmd_worker)

    migrate = sub.add_parser("migrate", help="create or upgrade the database (safe to repeat)")
    migrate.set_defaults(func=cmd_migrate)

    check = sub.add_parser(
        "check", help="check configuration, database, migrations and keys; exit 1 if any fails"
    )
    check.set_defaults(func=cmd_check)

    user = sub.add_parser("user", help="manage accounts").add_subparsers(
        dest="user_command", required=True, metavar="ACTION"
    )
    create = user.add_parser(
        "create",
        help="create an account; the password is read from standard input or RUTA_PASSWORD",
    )
    create.add_argument("username")
    create.add_argument("--email", required=True)
    create.add_argument(
        "--role", default="member", help="member, mentor, provider, staff or admin (default member)"
    )
    create.add_argument("--display-name", default="")
    create.set_defaults(func=cmd_user_create)
    listing = user.add_parser("list", help="list accounts")
    listing.set_defaults(func=cmd_user_list)
    set_role = user.add_parser("set-role", help="change an account's role")
    set_role.add_argument("username")
    set_role.add_argument("role", help="member, mentor, provider, staff or admin")
    set_role.set_defaults(func=cmd_user_set_role)
    approve = user.add_parser(
        "approve", help="let in an account waiting for approval; its owner gets a mail"
    )
    approve.add_argument("username")
    approve.add_argument(
        "--by", metavar="STAFF", help="staff username for the audit log (default: first admin)"
    )
    approve.set_defaults(func=cmd_user_approve)
    reject = user.add_parser(
        "reject",
        help="turn down an account waiting for approval: mail its owner, then delete it",
    )
    reject.add_argument("username")
    reject.add_argument("--reason", default="", help="why; it is in the mail to the person")
    reject.add_argument(
        "--by", metavar="STAFF", help="staff username for the audit log (default: first admin)"
    )
    reject.set_defaults(func=cmd_user_reject)

    token = sub.add_parser("token", help="manage API tokens").add_subparsers(
        dest="token_command", required=True, metavar="ACTION"
    )
    tcreate = token.add_parser("create", help="create an API token and print it once")
    tcreate.add_argument("username")
    tcreate.add_argument("--name", default="", help="a label to recognise the token by")
    tcreate.set_defaults(func=cmd_token_create)
    tlist = token.add_parser("list", help="list an account's tokens (not their secrets)")
    tlist.add_argument("username")
    tlist.set_defaults(func=cmd_token_list)
    trevoke = token.add_parser("revoke", help="revoke a token by its id (see `ruta token list`)")
    trevoke.add_argument("token_id", type=int)
    trevoke.set_defaults(func=cmd_token_revoke)

    jobs = sub.add_parser("jobs", help="inspect and run background jobs").add_subparsers(
        dest="jobs_command", required=True, metavar="ACTION"
    )
    jstatus = jobs.add_parser("status", help="count jobs by queue and state")
    jstatus.set_defaults(func=cmd_jobs_status)
    jfailed = jobs.add_parser("failed", help="list failed jobs with their last error")
    jfailed.add_argument("--limit", type=int, default=20)
    jfailed.set_defaults(func=cmd_jobs_failed)
    jretry = jobs.add_parser("retry", help="run failed jobs again (all, or the ids given)")
    jretry.add_argument("job_ids", nargs="*", type=int)
    jretry.set_defaults(func=cmd_jobs_retry)

    peers = sub.add_parser(
        "peers", help="the network's other nodes (RUTA_NETWORK_PEERS) and their market groups"
    ).add_subparsers(dest="peers_command", required=True, metavar="ACTION")
    plist = peers.add_parser("list", help="each peer and the state of its market group follow")
    plist.set_defaults(func=cmd_peers_list)
    psync = peers.add_parser(
        "sync", help="follow new peers, retry failed ones and unfollow removed ones now"
    )
    psync.set_defaults(func=cmd_peers_sync)

    backup = sub.add_parser(
        "backup", help="write the database, keys and media to one .tar.gz file (mode 0600)"
    )
    backup.add_argument(
        "path", nargs="?", help="archive to write (default ruta-backup-<domain>-<time>.tar.gz)"
    )
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore", help="load a backup into a new, empty node (SQLite or PostgreSQL)"
    )
    restore.add_argument("path", help="archive written by `ruta backup`")
    restore.set_defaults(func=cmd_restore)

    mk = sub.add_parser("makemigrations", help="(developers) write a migration for changed models")
    mk.add_argument("--name", default=None)
    mk.set_defaults(func=cmd_makemigrations)
    return parser
