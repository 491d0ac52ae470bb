#!/usr/bin/env bash
# The wheel a user installs: build it from this checkout, check it carries the web UI's templates and static files,
# install it into a fresh virtualenv (locks/base.txt, then the wheel with --no-deps), and run the examples with the
# installed `newsfuse` from outside the checkout. Fails unless the seed brief is printed.
# PYTHON: an interpreter with `build` (default ./.venv/bin/python, the dev install). KEEP=1 keeps the temp folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd -P)"
python="${PYTHON:-$root/.venv/bin/python}"
if ! "$python" -m build --version >/dev/null 2>&1; then
    echo "check-wheel: $python has no build package (python -m build): run 'make install-dev' first, or set PYTHON" >&2
    exit 1
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/newsfuse-wheel.XXXXXX")"
if [ "${KEEP:-0}" = 1 ]; then echo "check-wheel: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
unset VIRTUAL_ENV PYTHONPATH
quiet() {  # run a command with its output in a log; show the log's end (without pip's find-links noise) on failure
    local log="$work/$1.log"; shift
    if ! "$@" >"$log" 2>&1; then
        echo "check-wheel: failed: $*" >&2
        grep -v "^WARNING: Location 'file://" "$log" | tail -n 40 >&2
        exit 1
    fi
}

start=$SECONDS
# The checkout's files (tracked and new, as they are now), without what .gitignore lists: a build/ folder left
# by an earlier build would put modules deleted since into the wheel.
mkdir "$work/checkout"
(cd "$root" && git ls-files -z --cached --others --exclude-standard \
    | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$work/checkout"
quiet build "$python" -m build --wheel --outdir "$work/dist" "$work/checkout"
wheel="$(ls "$work"/dist/newsfuse-*.whl)"
echo "check-wheel: built $(basename "$wheel")"

# Every file of the web UI's templates/ and static/ must be in the wheel.
unzip -Z1 "$wheel" >"$work/wheel-files.txt"
missing=0
while IFS= read -r file; do
    if ! grep -qxF "newsfuse/${file#"$work/checkout/src/newsfuse/"}" "$work/wheel-files.txt"; then
        echo "check-wheel: the wheel lacks newsfuse/${file#"$work/checkout/src/newsfuse/"}" >&2
        missing=1
    fi
done < <(find "$work/checkout/src/newsfuse/web/templates" "$work/checkout/src/newsfuse/web/static" -type f)
[ "$missing" -eq 0 ] || exit 1

python3 -m venv "$work/venv"
quiet base-install "$work/venv/bin/pip" install -r "$root/locks/base.txt"
quiet wheel-install "$work/venv/bin/pip" install --no-deps "$wheel"
quiet pip-check "$work/venv/bin/pip" check  # the lock satisfies what the wheel declares

# From outside the checkout, so only the installed package can be imported.
mkdir "$work/run" && cd "$work/run"
{ "$work/venv/bin/newsfuse" run "$root/examples" --db "$work/run/news.db" 2>&1 \
  && "$work/venv/bin/newsfuse" brief --all --db "$work/run/news.db" 2>&1; } >"$work/output.log" || {
    echo "check-wheel: the installed newsfuse failed; its output:" >&2; tail -n 40 "$work/output.log" >&2; exit 1; }
"$work/venv/bin/python" - "$root" <<'PY'
import sys, newsfuse
if newsfuse.__file__.startswith(sys.argv[1] + "/"):
    sys.exit(f"check-wheel: newsfuse was imported from the checkout ({newsfuse.__file__}), not the wheel")
PY
"$root/scripts/expect-seed-brief.sh" "$work/output.log"
echo "check-wheel: ok in $((SECONDS - start))s"
