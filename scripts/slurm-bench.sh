#!/usr/bin/env bash
# The Slurm executor's overhead and throughput against the local executor on a real single-node
# cluster (scripts/slurm_bench.py; `make bench-slurm` runs it on a release build).
set -uo pipefail
sgdyn=${1:?usage: slurm-bench.sh PATH-TO-SGDYN}
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
exec "$python" -B "$(dirname "$0")/slurm_bench.py" "$sgdyn"
