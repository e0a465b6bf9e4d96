#!/usr/bin/env bash
# End-to-end checks of the morning view (`sgdyn report` and each bundle's index.html) with the
# binary given as $1: builds an outbox from real bundles (sgdyn run, a real daemon's rejected and
# cancelled bundles while a job runs, edited copies, unreadable folders, hostile text), writes
# the index, validates the pages with tidy and renders them in Debian's headless Chromium.
# Prints one line per check and ends with `report: N passed, M failed`; exits non-zero on any
# failure. Chromium or tidy missing (and not installable) is a failure with CI=true, and a loud
# skip otherwise. SGDYN_REPORT_KEEP=1 keeps the temporary folder for a look.
set -uo pipefail
cd "$(dirname "$0")/.."
sgdyn=${1:-.build/debug/sgdyn}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v tidy >/dev/null 2>&1 || missing+=(tidy)
if [ ${#missing[@]} -gt 0 ]; then
    # install-deps.sh lists both; install them here too so the script also runs on its own.
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for tool in chromium tidy; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ "${CI:-}" = "true" ]; then
            echo "FAIL $tool is not installed and could not be installed"
            echo "report: 0 passed, 1 failed"
            exit 1
        fi
        echo "SKIPPED: $tool is not installed and could not be installed; the report checks did not run" >&2
        echo "report: 0 passed, 0 failed"
        exit 0
    fi
done
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
exec "$python" -B scripts/report_tests.py "$sgdyn"
