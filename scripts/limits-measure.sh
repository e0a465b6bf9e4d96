#!/usr/bin/env bash
# Resource limits against measurement (not run by the test suite): for the largest accepted job
# of each kind at the edge of each limit, what `sgdyn validate` estimates next to the peak
# memory and bundle size really measured; --daemon runs the jobs through `sgdyn serve` and
# samples the worker's and the daemon's peaks. Details in limits_measure.py; figures in README
# ("Limits"). Takes about 15 minutes on two cores.
set -uo pipefail
sgdyn=${1:?usage: limits-measure.sh PATH-TO-SGDYN [--daemon] [NAME...]}
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
exec "$python" -B "$(dirname "$0")/limits_measure.py" "$@"
