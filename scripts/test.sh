#!/usr/bin/env bash
# The whole test suite: Swift Testing suites, then the command-line checks.
# Run through `make test` (which installs what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build --build-tests
mkdir -p .build
status=0
swift test --skip-build 2>&1 | tee .build/test-output.txt || status=$?
./scripts/cli-tests.sh .build/debug/sgdyn | tee .build/cli-output.txt || status=$?

# One closing line with the totals (Swift Testing's own summary, plus the CLI checks).
swift_line=$(grep -E '^. Test run with [0-9]+ tests? ' .build/test-output.txt | tail -1 || true)
swift_tests=$(echo "$swift_line" | sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/')
swift_failed=0
echo "$swift_line" | grep -q 'passed' || swift_failed=${swift_tests:-1}
cli_passed=$(sed -nE 's/^cli: ([0-9]+) passed, ([0-9]+) failed$/\1/p' .build/cli-output.txt)
cli_failed=$(sed -nE 's/^cli: ([0-9]+) passed, ([0-9]+) failed$/\2/p' .build/cli-output.txt)
passed=$(( ${swift_tests:-0} - swift_failed + ${cli_passed:-0} ))
failed=$(( swift_failed + ${cli_failed:-1} ))
echo "sgdyn: $passed passed, $failed failed"
exit $status
