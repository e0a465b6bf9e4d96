#!/usr/bin/env bash
# End-to-end checks of the daemon: start the real `sgdyn serve` (the binary given as $1) on
# temporary folders and check it against the acceptance criteria of the daemon issue (bulk drops,
# slow writers, drops while stopped, two claimers, kill -9 soak, SIGTERM, hostile files, full
# disks, cancel, crash quarantine). Prints one line per check and ends with
# `daemon: N passed, M failed`; exits non-zero on any failure.
#
# The checks live in daemon_tests.py (Python 3 standard library only: process supervision with
# deadlines, JSON and SHA-256 are much clearer there than in bash).
#   DAEMON_TESTS=bulk,kill9        run only these scenarios (names: see daemon_tests.py)
#   DAEMON_TEST_SEED=123           repeat the random kill moments of an earlier run
#   DAEMON_KILL9_ITERATIONS=100    a longer kill -9 soak (default 20)
#   DAEMON_TESTS_KEEP=1            keep the temporary folder (logs, state, bundles) for a look
set -uo pipefail
sgdyn=${1:?usage: daemon-tests.sh PATH-TO-SGDYN}
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
exec "$python" -B "$(dirname "$0")/daemon_tests.py" "$sgdyn"
