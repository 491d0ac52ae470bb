#!/usr/bin/env bash
# The newcomer's path, as CI proves it: a fresh clone of the committed HEAD with ../shared beside it, and
# `make run` there. The clone builds its own ./.venv from locks/base.txt (the base install only) and reuses
# nothing of this checkout's virtualenv. Fails if `make run` fails or does not print the seed brief.
# KEEP=1 keeps the temporary folder (its path is printed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd -P)"
if ! shared="$(cd "$root/../shared" 2>/dev/null && pwd -P)"; then
    echo "check-fresh-clone: no ../shared beside $root (the examples' tests and gates read it)" >&2
    exit 1
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/newsfuse-fresh-clone.XXXXXX")"
if [ "${KEEP:-0}" = 1 ]; then echo "check-fresh-clone: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

git clone -q "$root" "$work/newsfuse"
ln -s "$shared" "$work/shared"
echo "check-fresh-clone: $(git -C "$work/newsfuse" log -1 --format='%h %s' | cut -c1-100)"

start=$SECONDS
# Nothing of the caller's environment leaks in: no active virtualenv, no PYTHONPATH, no outer make's flags.
if ! (cd "$work/newsfuse" && env -u VIRTUAL_ENV -u PYTHONPATH -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make run) \
        >"$work/make-run.log" 2>&1; then
    echo "check-fresh-clone: make run failed in a fresh clone; its last lines:" >&2
    grep -v "^WARNING: Location 'file://" "$work/make-run.log" | tail -n 60 >&2
    exit 1
fi
elapsed=$((SECONDS - start))
"$root/scripts/expect-seed-brief.sh" "$work/make-run.log"
venv="$work/newsfuse/.venv"
if [ -e "$venv/.installed-dev" ] || "$venv/bin/python" -c "import pytest" 2>/dev/null; then
    echo "check-fresh-clone: make run made a dev install; it must install locks/base.txt only" >&2
    exit 1
fi
echo "check-fresh-clone: ok, fresh make run took ${elapsed}s"
