#!/usr/bin/env bash
# Fails unless FILE (what `make run` or `newsfuse run` + `newsfuse brief --all` printed) holds the brief of the
# bundled examples: the run's summary line, one story's headline, a summary sentence that cites both seed pages,
# the people the pages name, and the numbered sources.
set -euo pipefail
file="$1"
fail=0
expect() {  # expect WHAT EXTENDED-REGEX
    if ! grep -Eq -- "$2" "$file"; then
        echo "expect-seed-brief: no $1 in the output (pattern: $2)" >&2
        fail=1
    fi
}
expect "run summary line" '2 documents read, 2 articles stored'
expect "brief headline" '^# .*(Putin|Kim|North Korea|Russia)'
expect "summary sentence citing both seed pages" '[A-Za-z].*\[1\]\[2\]'
expect "entity from the seeds" 'Kim Jong Un'
expect "sources section" '^## Sources'
expect "second source" '^2\. '
if [ "$fail" -ne 0 ]; then
    echo "expect-seed-brief: the seed brief is missing from $file; its last lines:" >&2
    tail -n 40 "$file" >&2
    exit 1
fi
echo "seed brief found: $(grep -Em1 '^# ' "$file")"
