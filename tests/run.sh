#!/usr/bin/env bash
# The one test command (README.md): installs what the tests need, then runs every check a change
# must pass — ruff, mypy, import-linter and the whole pytest suite on SQLite and PostgreSQL.
# Extra arguments go to pytest, e.g. `bash tests/run.sh tests/unit -x`.
# Environment: RUTA_TEST_BACKENDS=sqlite (skip PostgreSQL), RUTA_TEST_PG_ADMIN_URL (default
# postgres://postgres@127.0.0.1:5432/test), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. The project and its test tools, pinned by constraints.txt, in .venv.
if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]' 2>&1 \
  | grep -v "Location 'file:" || true

# Browser tests (tests/browser) drive Debian's Chromium through Playwright; Playwright's own
# browser download is never used. Install it and the fonts the pages need (Arabic included).
if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-core fonts-dejavu-core >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-core fonts-dejavu-core >/dev/null
fi

# 2. Static checks.
echo "== ruff";          .venv/bin/ruff format --check . && .venv/bin/ruff check .
echo "== mypy";          .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports --no-cache | tail -n 5

# 3. The suite (every database test runs on SQLite and on PostgreSQL).
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
