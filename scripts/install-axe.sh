#!/usr/bin/env bash
# Install axe-core (the accessibility checker the browser tests inject into Chromium: tests/web/test_accessibility.py)
# into .cache/axe, a project-local folder that git ignores. Pinned; needs node's npm. Idempotent.
set -euo pipefail
VERSION="4.14.1"
PREFIX="$(cd "$(dirname "$0")/.." && pwd)/.cache/axe"
SCRIPT="$PREFIX/node_modules/axe-core/axe.min.js"
if [ -f "$SCRIPT" ] && grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/axe-core/package.json"; then
    echo "axe-core $VERSION already installed in $PREFIX"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install-axe: npm not found; install Node.js (the accessibility tests fail without axe-core)" >&2
    exit 1
fi
mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
    "axe-core@$VERSION"
test -f "$SCRIPT"
echo "axe-core $VERSION installed: $SCRIPT"
