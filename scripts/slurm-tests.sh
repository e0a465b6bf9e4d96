#!/usr/bin/env bash
# End-to-end checks of the Slurm executor against a real single-node Slurm cluster (Debian's
# slurmctld, slurmd and munge, installed if missing and started by scripts/slurm-cluster.sh by pid,
# stopped at the end): a sweep equal to `sgdyn run`, scancel of a task, slurmctld restarted, a node
# failure, the daemon killed right after sbatch, a restart re-attaching, cancel, a time limit.
# Ends with `slurm: N passed, M failed`; exits non-zero on any failure. A cluster that cannot
# start is a failure, never a skip.
#   SLURM_TESTS=basic,scancel   run only these scenarios (names: see slurm_tests.py)
set -uo pipefail
sgdyn=${1:?usage: slurm-tests.sh PATH-TO-SGDYN}
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
exec "$python" -B "$(dirname "$0")/slurm_tests.py" "$sgdyn"
