#!/usr/bin/env bash
# The results contract (docs/measurements.md, "Versions"): runs the same job files with two sgdyn
# binaries and compares every bundle file by file (scripts/compare_bundles.py: timing parts and
# logs left out). A refactor must show no difference; a deliberate numerical change shows where.
#   scripts/bundle-contract.sh OLD_BINARY NEW_BINARY [OUT_DIR] [-- compare_bundles options]
# Jobs: examples/quickstart.json, every examples/quick/*.json and Tests/Fixtures/contract-jobs/*.json
# (every kind, activation, integrator and option of 0.2.0 at small sizes; about a minute per binary).
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 out=${3:-$(mktemp -d /tmp/sgdyn-contract.XXXXXX)}
shift $(( $# >= 3 ? 3 : 2 ))
[ "${1:-}" = "--" ] && shift
jobs=(examples/quickstart.json examples/quick/*.json Tests/Fixtures/contract-jobs/*.json)
for side in old new; do
    binary=$old; [ "$side" = new ] && binary=$new
    rm -rf "$out/$side"; mkdir -p "$out/$side"
    for job in "${jobs[@]}"; do
        "$binary" run "$job" --outbox "$out/$side" --quiet >/dev/null
    done
done
python3 scripts/compare_bundles.py "$out/old" "$out/new" "$@"
