#!/usr/bin/env bash
# The daemon's, the store's and the job code's test suites under ThreadSanitizer and under
# AddressSanitizer (docs/operations.md, "Fuzzing and sanitizers"; `make sanitize`, and the last step of `make test`).
# Each sanitizer has its own build folder (.build-tsan, .build-asan: a few minutes each from
# clean). A run passes when its tests pass and the sanitizer reported nothing; suppressions, each
# with its reason, are in scripts/tsan-suppressions.txt. Ends with `sanitize: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
suites='SGDynDaemonTests|SGDynStoreTests|SGDynJobsTests'
mkdir -p .build
passed=0
failed=0
for sanitizer in thread address; do
    [ "$sanitizer" = address ] && scratch=.build-asan
    [ "$sanitizer" = thread ] && scratch=.build-tsan
    log=.build/sanitize-$sanitizer.txt
    start=$(date +%s)
    if ! swift build --build-tests --sanitize=$sanitizer --scratch-path $scratch > "$log" 2>&1; then
        tail -20 "$log"
        echo "sanitize: $sanitizer: the build failed (see $log)"
        failed=$((failed + 1))
        continue
    fi
    built=$(( $(date +%s) - start ))
    # Swift's backtracer is off: after a crash it reads the process's memory, which the sanitizers
    # report instead of the crash. Leak detection is off: the Swift runtime keeps caches for the
    # life of the process, which LeakSanitizer reports by the hundred.
    SWIFT_BACKTRACE=enable=no TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt" ASAN_OPTIONS=detect_leaks=0 \
        swift test --skip-build --sanitize=$sanitizer --scratch-path $scratch --filter "$suites" >> "$log" 2>&1
    status=$?
    reports=$(grep -cE '^(WARNING: ThreadSanitizer|==[0-9]+==ERROR: AddressSanitizer)' "$log")
    summary=$(grep -E '^. Test run with ' "$log" | tail -1)
    echo "sanitize: $sanitizer: built in $built s, ran in $(( $(date +%s) - start - built )) s; ${summary:-no test summary}; $reports sanitizer report(s)"
    if [ $status -eq 0 ] && [ "$reports" -eq 0 ] && [ -n "$summary" ]; then
        passed=$((passed + 1))
    else
        grep -E '^SUMMARY: ' "$log" | sort | uniq -c | head -10
        failed=$((failed + 1))
    fi
done
echo "sanitize: $passed passed, $failed failed"
[ $failed -eq 0 ]
