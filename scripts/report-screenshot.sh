#!/usr/bin/env bash
# Makes docs/morning-view.png, the README's screenshot of the outbox index: runs every quick
# example (examples/quick) with `sgdyn run` into a temporary outbox, adds what a night with the
# daemon leaves (a rejected job file, a job still running, one waiting), writes the index with
# `sgdyn report --state` and takes a screenshot with headless Chromium.
# Usage: scripts/report-screenshot.sh [SGDYN_BINARY] [OUT.png]   (defaults: release build, docs/morning-view.png)
set -euo pipefail
cd "$(dirname "$0")/.."
sgdyn=$(realpath "${1:-.build/release/sgdyn}")
out=$(realpath -m "${2:-docs/morning-view.png}")
work=$(mktemp -d /tmp/sgdyn-screenshot.XXXXXX)
daemon=""
cleanup() {
    if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
for job in examples/quick/*.json; do
    "$sgdyn" run "$job" --outbox "$work/outbox" --threads 2 --quiet >/dev/null
done
mkdir -p "$work/inbox"
"$sgdyn" serve --inbox "$work/inbox" --outbox "$work/outbox" --state "$work/state" --workers 1 --checkpoint-interval 1 \
    >"$work/daemon.log" 2>&1 &
daemon=$!
printf '{"N": 500, "learning_rate": 0.5}' >"$work/inbox/.typo.tmp" && mv "$work/inbox/.typo.tmp" "$work/inbox/typo.json"
printf '{"description": "Overnight: erf, K = M = 2, N = 2000, to t = 20000.", "N": 2000, "t_max": 20000, "points": 200, "seeds": 1}' \
    >"$work/inbox/.a.tmp" && mv "$work/inbox/.a.tmp" "$work/inbox/overnight-plateau.json"
sleep 1
printf '{"N": 1000, "K": 4, "t_max": 5000, "seeds": 4, "sweep": {"lr": [0.1, 0.5]}}' \
    >"$work/inbox/.b.tmp" && mv "$work/inbox/.b.tmp" "$work/inbox/next-sweep.json"
for _ in $(seq 1 60); do
    "$sgdyn" status --state "$work/state" --json 2>/dev/null | grep -q '"steps_done": [1-9]' && break
    sleep 1
done
"$sgdyn" report "$work/outbox" --state "$work/state" --quiet
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1280,1500 --screenshot="$out" "file://$work/outbox/index.html" >/dev/null 2>&1
python3 scripts/png_check.py "$out"
echo "$out"
