#!/usr/bin/env bash
# Daemon benchmark (not run by the test suite; `make bench-daemon` runs it on the release build):
# pickup latency after a drop (rename into the inbox → queued in `sgdyn status --json`, median
# of 10) and checkpoint overhead as a fraction of run time (--checkpoint-interval 1 vs 1000, and
# 0.001 to price one checkpoint). Details in daemon_bench.py. BENCH_UNIT_SECONDS (default 15) sets
# the length of the overhead runs, BENCH_ROUNDS (default 3) their number.
set -uo pipefail
sgdyn=${1:?usage: daemon-bench.sh PATH-TO-SGDYN}
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
exec "$python" -B "$(dirname "$0")/daemon_bench.py" "$sgdyn"
