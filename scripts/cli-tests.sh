#!/usr/bin/env bash
# Command-line checks of the sgdyn binary given as $1: exit codes, messages, bundle layout.
set -uo pipefail
sgdyn=${1:?usage: cli-tests.sh PATH-TO-SGDYN}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {  # check DESCRIPTION COMMAND...: the command must succeed
    local description=$1
    shift
    if "$@" >"$work/out" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $description"
        sed 's/^/    /' "$work/out"
    fi
}

# Every example validates.
for example in examples/*.json examples/*/*.json; do
    [ -e "$example" ] || continue
    check "validate $example" "$sgdyn" validate "$example"
done

# A bad job exits 65 and names the key.
printf '{"learning_rate": 0.1}' >"$work/bad.json"
check "bad job exits 65" bash -c "'$sgdyn' validate '$work/bad.json'; test \$? -eq 65"
check "bad job names the key" bash -c "'$sgdyn' validate '$work/bad.json' 2>&1 | grep -q \"key 'learning_rate': unknown key; did you mean 'lr'\""
printf '{\n "N": 500,\n}' >"$work/syntax.json"
check "syntax error has line and column" bash -c "'$sgdyn' run '$work/syntax.json' --outbox '$work/rejected-box' 2>&1 | grep -q 'line 3, column 1'"
check "a rejected run writes no bundle" bash -c "test ! -e '$work/rejected-box'"

# A small run writes a complete bundle and prints its path.
printf '{"name": "smoke", "N": 50, "t_max": 2, "points": 5, "seeds": 2}' >"$work/smoke.json"
check "run writes a bundle" bash -c "'$sgdyn' run '$work/smoke.json' --outbox '$work/box' --quiet | grep -q '$work/box/smoke\$'"
for file in result.json job.json seed-0.csv seed-1.csv summary.csv log.txt index.html manifest.json; do
    check "bundle has $file" test -s "$work/box/smoke/$file"
done
check "result says done" grep -q '"status": "done"' "$work/box/smoke/result.json"
check "second run goes to smoke-2" bash -c "'$sgdyn' run '$work/smoke.json' --outbox '$work/box' --quiet | grep -q 'smoke-2\$'"
check "same job, same CSV bytes" cmp "$work/box/smoke/seed-1.csv" "$work/box/smoke-2/seed-1.csv"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
