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
./scripts/daemon-tests.sh .build/debug/sgdyn | tee .build/daemon-output.txt || status=$?
./scripts/systemd-tests.sh .build/debug/sgdyn | tee .build/systemd-output.txt || status=$?
./scripts/plot-render-test.sh .build/debug/sgdyn | tee .build/plots-output.txt || status=$?
./scripts/examples-test.sh .build/debug/sgdyn | tee .build/examples-output.txt || status=$?
./scripts/report-tests.sh .build/debug/sgdyn | tee .build/report-output.txt || status=$?
# A short fuzzing run of every decoder (README, "Fuzzing"; `make fuzz` is the long one).
./scripts/fuzz.sh --seconds "${SGDYN_FUZZ_SECONDS:-10}" | tee .build/fuzz-output.txt || status=$?

# One closing line with the totals (Swift Testing's own summary, plus the CLI, daemon, systemd, plot, example, report and fuzz checks).
swift_line=$(grep -E '^. Test run with [0-9]+ tests? ' .build/test-output.txt | tail -1 || true)
swift_tests=$(echo "$swift_line" | sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/')
# Failed tests are the "✘ Test NAME failed after …" lines (not the run's own summary line); a run
# that ended without its summary line (a crash) counts as at least one failure.
swift_failed=$(grep -E '^. Test .* failed after ' .build/test-output.txt | grep -vcE '^. Test run with ' || true)
if [ -z "$swift_line" ]; then
    swift_failed=$(( swift_failed > 0 ? swift_failed : 1 ))
    swift_tests=$swift_failed
fi
cli_passed=$(sed -nE 's/^cli: ([0-9]+) passed, ([0-9]+) failed$/\1/p' .build/cli-output.txt)
cli_failed=$(sed -nE 's/^cli: ([0-9]+) passed, ([0-9]+) failed$/\2/p' .build/cli-output.txt)
daemon_passed=$(sed -nE 's/^daemon: ([0-9]+) passed, ([0-9]+) failed$/\1/p' .build/daemon-output.txt)
daemon_failed=$(sed -nE 's/^daemon: ([0-9]+) passed, ([0-9]+) failed$/\2/p' .build/daemon-output.txt)
plots_passed=$(sed -nE 's/^plots: ([0-9]+) passed, ([0-9]+) failed$/\1/p' .build/plots-output.txt)
plots_failed=$(sed -nE 's/^plots: ([0-9]+) passed, ([0-9]+) failed$/\2/p' .build/plots-output.txt)
examples_passed=$(sed -nE 's/^examples: ([0-9]+) passed, ([0-9]+) failed$/\1/p' .build/examples-output.txt)
examples_failed=$(sed -nE 's/^examples: ([0-9]+) passed, ([0-9]+) failed$/\2/p' .build/examples-output.txt)
report_passed=$(sed -nE 's/^report: ([0-9]+) passed, ([0-9]+) failed$/\1/p' .build/report-output.txt)
report_failed=$(sed -nE 's/^report: ([0-9]+) passed, ([0-9]+) failed$/\2/p' .build/report-output.txt)
systemd_passed=$(sed -nE 's/^systemd: ([0-9]+) passed, ([0-9]+) failed.*$/\1/p' .build/systemd-output.txt)
systemd_failed=$(sed -nE 's/^systemd: ([0-9]+) passed, ([0-9]+) failed.*$/\2/p' .build/systemd-output.txt)
fuzz_passed=$(sed -nE 's/^fuzz: ([0-9]+) passed, ([0-9]+) failed$/\1/p' .build/fuzz-output.txt)
fuzz_failed=$(sed -nE 's/^fuzz: ([0-9]+) passed, ([0-9]+) failed$/\2/p' .build/fuzz-output.txt)
passed=$(( ${swift_tests:-0} - swift_failed + ${cli_passed:-0} + ${daemon_passed:-0} + ${systemd_passed:-0} + ${plots_passed:-0} + ${examples_passed:-0} + ${report_passed:-0} + ${fuzz_passed:-0} ))
failed=$(( swift_failed + ${cli_failed:-1} + ${daemon_failed:-1} + ${systemd_failed:-1} + ${plots_failed:-1} + ${examples_failed:-1} + ${report_failed:-1} + ${fuzz_failed:-1} ))
echo "sgdyn: $passed passed, $failed failed"
exit $status
