#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine (run as root, or with sudo available):
#   ./dev.sh demo    install what is missing, then run `xinxiang demo` (no servers needed)
#   ./dev.sh test    install what is missing, then lint, type-check, check the import layers
#                    (lint-imports, pyproject.toml) and run the whole test suite
#   ./dev.sh setup   only install
# Everything it installs is idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(python3 python3-venv python3-dev dovecot-imapd dovecot-lmtpd libpango-1.0-0
  libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils chromium)
VENV=.venv
PY=${PYTHON:-python3}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # A Python from pyenv or elsewhere may already provide venv; only ask apt for what is absent.
  if command -v "$PY" >/dev/null && "$PY" -c "import venv, ensurepip" 2>/dev/null; then
    local filtered=()
    for p in "${missing[@]}"; do
      case "$p" in python3|python3-venv|python3-dev) ;; *) filtered+=("$p") ;; esac
    done
    missing=("${filtered[@]}")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "dev.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
      as_root apt-get update -q >/dev/null && as_root apt-get install -y -q "${missing[@]}" >/dev/null
    }
  fi
}

need_venv() {
  if ! "$VENV/bin/python" -c "import sys" >/dev/null 2>&1; then
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  fi
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || ! "$VENV/bin/python" -c "import xinxiang" 2>/dev/null; then
    echo "dev.sh: installing Python packages into $VENV" >&2
    "$VENV/bin/python" -m pip install -q -e '.[test]' 2>&1 | grep -v "^WARNING: Location" >&2 || true
    "$VENV/bin/python" -c "import xinxiang, pytest" && touch "$stamp"
  fi
}

setup() { need_apt; need_venv; }

cmd=${1:-test}
shift || true
case "$cmd" in
  setup) setup ;;
  demo)
    setup
    exec "$VENV/bin/xinxiang" demo "$@" ;;
  test)
    setup
    "$VENV/bin/ruff" check src tests
    "$VENV/bin/mypy" src
    "$VENV/bin/lint-imports"
    export XINXIANG_REQUIRE_SERVERS=1
    set +e
    # Two workers (pytest-xdist), handed a whole test file at a time (the longest first, see
    # tests/conftest.py), so a module's fixtures are made once: `--dist load` splits a module
    # over both workers and makes its module fixtures twice, and `loadgroup` does not group
    # with pytest 9.2 (pytest-xdist issue #1386). The suite waits on servers and subprocesses
    # for much of its time, so on CI's 2 cores two workers cut the wall time by about a third.
    # XINXIANG_TEST_WORKERS=0 runs it in one process.
    "$VENV/bin/pytest" -q -n "${XINXIANG_TEST_WORKERS:-2}" --dist loadfile "$@"
    rc=$?
    set -e
    [ "$rc" = 5 ] && rc=0   # no tests collected is not a failure
    exit "$rc" ;;
  *) echo "usage: ./dev.sh demo|test|setup" >&2; exit 2 ;;
esac
