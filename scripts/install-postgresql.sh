#!/usr/bin/env bash
# Install PostgreSQL's server binaries (initdb, pg_ctl, postgres) for the PostgreSQL store's tests, which start a
# throwaway cluster of their own (tests/postgres_cluster.py); no server is configured or started here.
# Idempotent: does nothing when initdb is already there. Debian/Ubuntu only (apt-get).
set -euo pipefail
found() {
    for dir in "${PG_BINDIR:-}" /usr/lib/postgresql/*/bin; do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"; return 0
    fi
    return 1
}
if dir="$(found)"; then
    echo "postgresql already installed: $("$dir/initdb" --version)"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-postgresql: apt-get not found; install PostgreSQL's server package yourself" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends postgresql
dir="$(found)"
"$dir/initdb" --version
