#!/usr/bin/env bash
# Renders every SVG of a small bundle in a real browser (Debian's chromium, headless) and checks
# that each renders without an XML error and is not blank. Prints `plots: N passed, M failed`.
# Usage: scripts/plot-render-test.sh [SGDYN_BINARY]   (default .build/debug/sgdyn)
set -uo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/sgdyn}"
passed=0
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

if ! command -v chromium >/dev/null 2>&1; then
    # install-deps.sh lists chromium; install it here too so the script also runs on its own.
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
if ! command -v chromium >/dev/null 2>&1; then
    fail "chromium is not installed and could not be installed"
    echo "plots: $passed passed, $failed failed"
    exit 1
fi

work=$(mktemp -d /tmp/sgdyn-plots.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Small but complete: a compare job (simulation and ODE), a sweep of two keys, both layers trained.
cat > "$work/render.json" <<'JOB'
{"name": "render", "kind": "compare", "N": 100, "M": 2, "K": 2, "lr": 0.5, "sigma": 0.01, "t_max": 20,
 "points": 30, "seeds": 4, "train_second_layer": true, "sweep": {"K": [2, 3], "lr": [0.2, 0.5]}}
JOB
bundle=$("$binary" run "$work/render.json" --outbox "$work/outbox" --threads 2 --quiet) || fail "sgdyn run failed"

svgs=$(cd "$bundle" 2>/dev/null && find . -name '*.svg' | sort)
[ -n "$svgs" ] || fail "the bundle holds no SVG"
for svg in $svgs; do
    file="$bundle/${svg#./}"
    png="$work/$(echo "${svg#./}" | tr '/=' '__').png"
    width=$(sed -nE 's/^<svg [^>]*width="([0-9]+)".*/\1/p' "$file")
    height=$(sed -nE 's/^<svg [^>]*height="([0-9]+)".*/\1/p' "$file")
    # Chromium shows a <parsererror> instead of the drawing when the XML is broken.
    dom=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" \
        --dump-dom "file://$file" 2>"$work/dom.err") || { fail "$svg: chromium --dump-dom failed"; continue; }
    if echo "$dom" | grep -qi 'parsererror'; then fail "$svg: XML error in the browser"; continue; fi
    timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
        --window-size="${width:-860},${height:-456}" --screenshot="$png" "file://$file" >/dev/null 2>"$work/shot.err" \
        || { fail "$svg: chromium --screenshot failed"; continue; }
    [ -s "$png" ] || { fail "$svg: no PNG written"; continue; }
    if verdict=$(python3 scripts/png_check.py "$png"); then
        echo "ok: $svg ($verdict)"
        passed=$((passed + 1))
    else
        fail "$svg: blank or unreadable PNG ($verdict)"
    fi
    [ -n "${SGDYN_PLOTS_KEEP:-}" ] && mkdir -p "$SGDYN_PLOTS_KEEP" && cp "$png" "$SGDYN_PLOTS_KEEP/"
done
echo "plots: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
