#!/usr/bin/env bash
# Installs the Debian packages sgdyn needs to build and test, only where missing.
# Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

# chromium: scripts/plot-render-test.sh and scripts/report-tests.sh render plots and pages in a
# real browser; tidy: scripts/report-tests.sh validates the HTML pages.
packages=(libsqlite3-dev libinotifytools0-dev sqlite3 make gcc python3 python3-numpy systemd systemd-container chromium tidy)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "install-deps: add /opt/swift/usr/bin to PATH" >&2
    else
        echo "install-deps: a Swift 6 toolchain is required (swift not found on PATH)" >&2
    fi
    exit 1
fi
