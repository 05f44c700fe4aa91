"""The ``ruta`` command as a person uses it: real subprocesses, real databases."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.nodes import RUTA, make_node

COMMANDS = [
    [],
    ["serve"],
    ["worker"],
    ["migrate"],
    ["check"],
    ["user"],
    ["user", "create"],
    ["user", "list"],
    ["user", "set-role"],
    ["user", "approve"],
    ["user", "reject"],
    ["token"],
    ["token", "create"],
    ["token", "list"],
    ["token", "revoke"],
    ["jobs"],
    ["jobs", "status"],
    ["jobs", "failed"],
    ["jobs", "retry"],
    ["makemigrations"],
]


def run(
    args: list[str], env: dict[str, str], input: str | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("RUTA_")}
    return subprocess.run(
        [RUTA, *args], env={**base, **env}, input=input, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "ruta")
def test_every_command_has_help(command: list[str], tmp_path: Path) -> None:
    result = run([*command, "--help"], {"RUTA_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert "usage: ruta" in result.stdout


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"RUTA_DATABASE_URL": "nonsense://x"}, "RUTA_DATABASE_URL"),
        ({"RUTA_DOMAIN": "https://x.example"}, "RUTA_DOMAIN"),
        ({"RUTA_DEFAULT_LANGUAGE": "klingon"}, "RUTA_DEFAULT_LANGUAGE"),
    ],
)
@pytest.mark.parametrize("command", [["serve"], ["migrate"], ["check"], ["user", "list"]])
def test_a_bad_setting_is_one_line_exit_2_and_creates_nothing(
    tmp_path: Path, env: dict[str, str], variable: str, command: list[str]
) -> None:
    data_dir = tmp_path / "var"
    result = run(command, {"RUTA_DATA_DIR": str(data_dir), **env})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"ruta: error: {variable}: expected ")
    assert not data_dir.exists()


def test_user_and_token_lifecycle(tmp_path: Path) -> None:
    env = {"RUTA_DATA_DIR": str(tmp_path / "var")}
    created = run(
        [
            "user",
            "create",
            "Marta",
            "--email",
            "marta@example.org",
            "--role",
            "staff",
            "--display-name",
            "Marta Ruiz",
        ],
        env,
        input="a long password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created marta (staff)" in created.stdout
    # Password from the environment also works; argv never carries it.
    other = run(
        ["user", "create", "luis", "--email", "luis@example.org"],
        {**env, "RUTA_PASSWORD": "another long one"},
    )
    assert other.returncode == 0, other.stderr
    listing = run(["user", "list"], env)
    assert "marta" in listing.stdout and "staff" in listing.stdout and "luis" in listing.stdout
    assert run(["user", "set-role", "luis", "mentor"], env).stdout.strip() == "luis is now mentor"

    token = run(["token", "create", "marta", "--name", "phone"], env)
    assert token.returncode == 0
    assert token.stdout.strip().startswith("ruta_")
    assert len(token.stdout.strip().splitlines()) == 1  # only the secret on stdout
    tokens = run(["token", "list", "marta"], env).stdout
    assert "phone" in tokens and "active" in tokens
    token_id = tokens.splitlines()[1].split()[0]
    assert run(["token", "revoke", token_id], env).returncode == 0
    assert "revoked" in run(["token", "list", "marta"], env).stdout


def _as_if_signed_up(data_dir: Path, username: str, *, confirmed: bool = True) -> None:
    """Turn an account `ruta user create` made into one a sign-up leaves waiting for staff."""
    import sqlite3

    with sqlite3.connect(data_dir / "ruta.sqlite3") as connection:
        connection.execute(
            "UPDATE account SET approved_at = NULL, sign_up_reason = 'Vendo pan',"
            " email_verified_at = CASE WHEN ? THEN CURRENT_TIMESTAMP END WHERE username = ?",
            (confirmed, username),
        )


def test_staff_approve_and_reject_waiting_accounts_from_the_command_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = {"RUTA_DATA_DIR": str(data_dir), "RUTA_PASSWORD": "a long password"}
    no_admin = ["user", "create", "ana", "--email", "ana@example.org"]
    assert run(no_admin, env).returncode == 0
    _as_if_signed_up(data_dir, "ana")
    refused = run(["user", "approve", "ana"], env)
    assert refused.returncode == 1
    assert "no administrator account" in refused.stderr
    for name, role in (("marta", "admin"), ("luis", "member"), ("eva", "member")):
        assert run(["user", "create", name, "--email", f"{name}@example.org", "--role", role],
                   env).returncode == 0  # fmt: skip
    _as_if_signed_up(data_dir, "luis")
    _as_if_signed_up(data_dir, "eva", confirmed=False)
    listing = run(["user", "list"], env).stdout
    rows = {line.split()[0]: line.split()[2] for line in listing.splitlines()[1:]}
    assert rows == {"ana": "pending", "marta": "active", "luis": "pending", "eva": "unconfirmed"}

    approved = run(["user", "approve", "ana"], env)
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.strip() == "ana is approved; a mail tells ana@example.org"
    early = run(["user", "approve", "eva"], env)
    assert early.returncode == 1
    assert "has not confirmed its email address" in early.stderr
    rejected = run(["user", "reject", "luis", "--reason", "Solo negocios locales"], env)
    assert rejected.returncode == 0, rejected.stderr
    assert "luis is rejected and deleted" in rejected.stdout
    by_member = run(["user", "approve", "eva", "--by", "ana"], env)
    assert by_member.returncode == 1 and "Only the city's staff" in by_member.stderr
    rows = {
        line.split()[0]: line.split()[2]
        for line in run(["user", "list"], env).stdout.splitlines()[1:]
    }
    assert rows == {"ana": "active", "marta": "active", "eva": "unconfirmed"}
    # The mails wait in the queue for the node's worker.
    jobs = run(["jobs", "status"], env).stdout
    assert "mail" in jobs


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["user", "create", "ana", "--email", "ana@example.org"],
            "short\n",
            "at least 8 characters",
        ),
        (["user", "create", "ana", "--email", "ana@example.org"], "", "no password"),
        (
            ["user", "create", "bad name", "--email", "ana@example.org"],
            "a long password\n",
            "Usernames are",
        ),
        (["user", "create", "ana", "--email", "nope"], "a long password\n", "email address"),
        (
            ["user", "create", "ana", "--email", "a@example.org", "--role", "king"],
            "a long password\n",
            "Role must be",
        ),
        (["user", "set-role", "nobody", "staff"], None, "No account named 'nobody'"),
        (["token", "create", "nobody"], None, "No account named 'nobody'"),
        (["token", "revoke", "12345"], None, "No token with id 12345"),
    ],
)
def test_command_errors_are_one_clear_line_and_exit_1(
    tmp_path: Path, args: list[str], stdin: str | None, message: str
) -> None:
    result = run(args, {"RUTA_DATA_DIR": str(tmp_path / "var")}, input=stdin)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def test_migrate_is_idempotent_and_check_reports_the_state(tmp_path: Path) -> None:
    env = {"RUTA_DATA_DIR": str(tmp_path / "var")}
    before = run(["check"], env)
    assert before.returncode == 1
    assert "ruta migrate" in before.stdout
    first = run(["migrate"], env)
    assert first.returncode == 0 and "applied" in first.stdout
    again = run(["migrate"], env)
    assert again.returncode == 0 and "up to date" in again.stdout
    after = run(["check"], env)
    assert after.returncode == 0, after.stdout
    for line in ("config", "secret key", "database", "migrations", "keys"):
        assert any(row.startswith(line) and " ok " in row for row in after.stdout.splitlines()), (
            after.stdout
        )
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_check_fails_clearly_when_postgresql_is_unreachable(tmp_path: Path) -> None:
    result = run(
        ["check"],
        {
            "RUTA_DATA_DIR": str(tmp_path),
            "RUTA_DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        },
    )
    assert result.returncode == 1
    assert "database    FAIL  unreachable" in result.stdout


def test_a_database_created_for_one_domain_refuses_another(tmp_path: Path) -> None:
    env = {"RUTA_DATA_DIR": str(tmp_path / "var"), "RUTA_DOMAIN": "lapalma.example"}
    assert run(["migrate"], env).returncode == 0
    moved = run(["migrate"], {**env, "RUTA_DOMAIN": "other.example"})
    assert moved.returncode == 1
    assert "RUTA_DOMAIN is 'other.example' but this database belongs to " in moved.stderr
    assert "https://lapalma.example; a node's address can never change" in moved.stderr
    assert "Set RUTA_DOMAIN=lapalma.example" in moved.stderr
    # The same host over the other scheme is another address too, and the message says which.
    plain = run(["migrate"], {**env, "RUTA_SCHEME": "http"})
    assert plain.returncode == 1
    assert "RUTA_SCHEME is 'http'" in plain.stderr and "Set RUTA_SCHEME=https" in plain.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_cli_works_against_both_databases(tmp_path: Path, backend: str) -> None:
    node = make_node(tmp_path, "n", backend=backend)
    try:
        node.cli("migrate")
        node.create_user("ana")
        assert "ana" in node.cli("user", "list").stdout
        assert node.cli("check").returncode == 0
    finally:
        node.cleanup()
