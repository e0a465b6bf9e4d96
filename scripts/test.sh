#!/usr/bin/env bash
# The whole test suite: Swift Testing suites, then the checks of the real binary (command line,
# daemon end to end, systemd in nspawn, plots and pages in Chromium, the paper's examples, a real
# Slurm cluster), a short fuzzing run and the sanitizers. Run through `make test` (which installs what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build --build-tests
mkdir -p .build
status=0
swift test --skip-build 2>&1 | tee .build/test-output.txt || status=$?

# Each step prints a last line "NAME: N passed, M failed" (systemd may add a note after it).
steps=(cli daemon systemd plots examples report slurm)
scripts=(cli-tests.sh daemon-tests.sh systemd-tests.sh plot-render-test.sh examples-test.sh report-tests.sh slurm-tests.sh)
for i in "${!steps[@]}"; do
    "./scripts/${scripts[$i]}" .build/debug/sgdyn | tee ".build/${steps[$i]}-output.txt" || status=$?
done
# A short fuzzing run of every decoder (docs/operations.md, "Fuzzing and sanitizers"; `make fuzz` is the long one).
./scripts/fuzz.sh --seconds "${SGDYN_FUZZ_SECONDS:-10}" | tee .build/fuzz-output.txt || status=$?
steps+=(fuzz)
# The daemon's, store's and job code's suites under ThreadSanitizer and AddressSanitizer (each its
# own build folder; docs/operations.md, "Fuzzing and sanitizers"): a data race or a memory error
# fails the suite like a failing test.
./scripts/sanitize.sh | tee .build/sanitize-output.txt || status=$?
steps+=(sanitize)

# One closing line with the totals: Swift Testing's tests, plus every step's checks.
swift_line=$(grep -E '^. Test run with [0-9]+ tests? ' .build/test-output.txt | tail -1 || true)
swift_tests=$(echo "$swift_line" | sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/')
# Failed tests are the "✘ Test NAME failed after …" lines (not the run's own summary line); a run
# that ended without its summary line (a crash) counts as at least one failure.
swift_failed=$(grep -E '^. Test .* failed after ' .build/test-output.txt | grep -vcE '^. Test run with ' || true)
if [ -z "$swift_line" ]; then
    swift_failed=$(( swift_failed > 0 ? swift_failed : 1 ))
    swift_tests=$swift_failed
fi
passed=$(( ${swift_tests:-0} - swift_failed ))
failed=$swift_failed
for step in "${steps[@]}"; do
    line=$(grep -E "^$step: [0-9]+ passed, [0-9]+ failed" ".build/$step-output.txt" | tail -1 || true)
    if [ -z "$line" ]; then
        # A step that ended without its totals line failed as a whole.
        failed=$(( failed + 1 ))
        continue
    fi
    passed=$(( passed + $(echo "$line" | sed -E 's/^[a-z]+: ([0-9]+) passed.*/\1/') ))
    failed=$(( failed + $(echo "$line" | sed -E 's/^[a-z]+: [0-9]+ passed, ([0-9]+) failed.*/\1/') ))
done
echo "sgdyn: $passed passed, $failed failed"
exit $status
