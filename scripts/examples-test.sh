#!/usr/bin/env bash
# Runs every quick example (examples/quick/*.json) with `sgdyn run` and checks its qualitative
# claim (scripts/examples_check.py). Prints `examples: N passed, M failed`.
# Usage: scripts/examples-test.sh [SGDYN_BINARY] [--keep-plots DIR]
#   --keep-plots DIR copies each bundle's SVGs to DIR/NAME/ (how docs/plots/ was made).
set -uo pipefail
cd "$(dirname "$0")/.."
binary=".build/debug/sgdyn"
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --keep-plots) mkdir -p "$2" && keep=$(cd "$2" && pwd); shift 2 ;;
        *) binary="$1"; shift ;;
    esac
done
passed=0
failed=0
work=$(mktemp -d /tmp/sgdyn-examples.XXXXXX)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
for job in examples/quick/*.json; do
    name=$(basename "$job" .json)
    # Two threads: the machine is shared, and the quick examples are sized for it.
    if ! bundle=$("$binary" run "$job" --outbox "$work/outbox" --threads 2 --quiet 2>"$work/$name.err"); then
        echo "FAIL: $name: sgdyn run failed: $(head -3 "$work/$name.err")"
        failed=$((failed + 1))
        continue
    fi
    if python3 scripts/examples_check.py "$name" "$bundle"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    if [ -n "$keep" ]; then
        (cd "$bundle" && find . -name '*.svg' | while read -r svg; do
            mkdir -p "$keep/$name/$(dirname "$svg")" && cp "$svg" "$keep/$name/$svg"; done)
    fi
done
echo "examples took $(( $(date +%s) - start )) s"
echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
