#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder of untrusted bytes (docs/operations.md, "Fuzzing and sanitizers"): builds the fuzz
# package Fuzz/ (release, libFuzzer and AddressSanitizer) and runs each target for a while from
# its committed seed corpus. `make test` runs it briefly, `make fuzz` for long.
#
#   scripts/fuzz.sh [--seconds N] [--write-seeds] [TARGET...]
#
# TARGET is a name from Fuzz/Package.swift (job-parser, ode-snapshot, …); default all of them.
# --seconds: how long each target runs (default 60). --write-seeds: write the seed corpora
# Fuzz/Corpus/ again (from Fuzz/Sources/fuzz-seeds) before running.
#
# A target passes when it ran its time without a crash, a trap, a sanitizer report, a timeout
# (one input over 30 s) or running out of memory (3 GiB: a decoder may allocate what a valid job
# uses, up to 1 GiB at once, and AddressSanitizer keeps freed memory for a while). The corpus a run grows is kept in
# Fuzz/.build/corpus/TARGET (later runs start from it too; the committed seeds are never
# touched), each finding in Fuzz/.build/findings/TARGET/, libFuzzer's output in
# Fuzz/.build/logs/TARGET.log. Ends with one line `fuzz: N passed, M failed`. With CI=true a
# package that cannot be built, or a target that cannot start, is a failure; elsewhere a
# failed build is reported and skipped (a toolchain without libFuzzer).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

seconds=60
write_seeds=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --write-seeds) write_seeds=1; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        -*) echo "fuzz: unknown option $1" >&2; exit 64 ;;
        *) targets+=("$1"); shift ;;
    esac
done
all=(job-parser stored-form simulation-snapshot records-snapshot ode-snapshot work-unit unit-report submission-tasks daemon-config)
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

build=Fuzz/.build
mkdir -p "$build/logs"
start=$(date +%s)
if ! swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address > "$build/logs/build.log" 2>&1; then
    tail -30 "$build/logs/build.log"
    if [ "${CI:-}" = "true" ]; then
        echo "fuzz: the fuzz package did not build (see $build/logs/build.log)"
        echo "fuzz: 0 passed, ${#targets[@]} failed"
        exit 1
    fi
    echo "fuzz: the fuzz package did not build (see $build/logs/build.log); skipped (with CI=true this fails)"
    echo "fuzz: 0 passed, 0 failed"
    exit 0
fi
echo "fuzz: built in $(( $(date +%s) - start )) s"
bin=$(swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address --show-bin-path)

if [ $write_seeds = 1 ]; then
    # The generator is built with the same flags as the targets; ASan stays quiet about leaks.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$bin/fuzz-seeds" . Fuzz/Corpus || exit 1
fi

passed=0
failed=0
for target in "${targets[@]}"; do
    exe="$bin/fuzz-$target"
    log="$build/logs/$target.log"
    work="$build/corpus/$target"
    findings="$build/findings/$target"
    mkdir -p "$work" "$findings"
    if [ ! -x "$exe" ] || [ ! -d "Fuzz/Corpus/$target" ]; then
        echo "fuzz-$target: no such target (or no seed corpus Fuzz/Corpus/$target)"
        failed=$((failed + 1))
        continue
    fi
    # Leak detection is off: the Swift runtime keeps metadata caches for the life of the process,
    # which LeakSanitizer would report on every exit. Swift's own backtracer is off too: after a
    # trap it reads the crashed process's memory, which AddressSanitizer reports instead of the trap.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
        "$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=3072 -use_value_profile=1 \
        -print_final_stats=1 -artifact_prefix="$findings/" "$work" "Fuzz/Corpus/$target" > "$log" 2>&1
    status=$?
    runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
    ft=$(echo "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
    corp=$(echo "$last" | sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p')

    summary="fuzz-$target: ${runs:-0} runs in $seconds s, coverage ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?} inputs"
    if [ $status -eq 0 ] && [ -n "$runs" ]; then
        echo "$summary — passed"
        passed=$((passed + 1))
    else
        echo "$summary — FAILED (exit $status; $log)"
        grep -E '^(==[0-9]+==ERROR|Fatal error|.*fuzz property violated|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -8 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "fuzz: $(( $(date +%s) - start )) s in all, the build included"
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
