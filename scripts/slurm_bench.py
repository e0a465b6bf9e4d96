#!/usr/bin/env python3
"""Slurm executor benchmark (not part of the test suite): run through scripts/slurm-bench.sh
PATH-TO-SGDYN (a release build). Starts the single-node test cluster (2 CPUs here) and runs the
same sweep — 4 units of about BENCH_UNIT_SECONDS (default 30) seconds each on one thread — once with
the local executor (--workers 2) and once with the Slurm executor (one unit per task, one CPU per
task), and prints:
- per-unit start overhead: from the drop to the unit's first reported progress (its heartbeat
  imported into the store), for both executors;
- throughput: the Slurm executor's wall time from drop to bundle against the local executor's.
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgdyn_harness import Cluster, Harness, slurm_config, wait_for_bundles  # noqa: E402


def run_sweep(h, label, config, workers):
    s = h.scenario(label)
    d = s.daemon(workers=workers, checkpoint=5, config=config(s) if config else None, label=label)
    if not d.start():
        raise RuntimeError(f"the daemon did not start:\n{d.log_tail()}")
    seconds = float(os.environ.get("BENCH_UNIT_SECONDS", "30"))
    try:
        dropped = time.monotonic()
        s.drop("sweep", N=500, t_max=h.t_max(seconds, 500), points=50, seeds=2, sweep={"lr": [0.3, 0.5]})
        first_progress = {}
        while len(first_progress) < 4 and time.monotonic() - dropped < 600:
            for unit in s.units("sweep"):
                if int(unit["steps_done"]) > 0 and unit["index"] not in first_progress:
                    first_progress[unit["index"]] = time.monotonic() - dropped
            time.sleep(0.1)
        if not wait_for_bundles(s.outbox, ["sweep"], 1800):
            raise RuntimeError("the sweep did not finish in 30 minutes")
        return time.monotonic() - dropped, sorted(first_progress.values())
    finally:
        d.stop()


def main():
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: slurm-bench.sh PATH-TO-SGDYN", file=sys.stderr)
        return 2
    h = Harness(sys.argv[1])
    cluster = Cluster()
    try:
        started = cluster.start()
        if started.returncode != 0:
            print(started.stderr.decode(errors="replace"), file=sys.stderr)
            return 1
        print(f"sgdyn Slurm executor benchmark: {h.sgdyn}, {os.cpu_count()} core(s), load {os.getloadavg()[0]:.1f}", flush=True)
        local_wall, local_starts = run_sweep(h, "bench-local", None, workers=2)
        slurm_wall, slurm_starts = run_sweep(h, "bench-slurm", lambda s: slurm_config(s, poll_interval=2), workers=2)
        print(f"per-unit start (drop → first progress in the store), 4 units: local median {statistics.median(local_starts):.2f} s "
              f"(all {', '.join(f'{t:.1f}' for t in local_starts)}), Slurm median {statistics.median(slurm_starts):.2f} s "
              f"(all {', '.join(f'{t:.1f}' for t in slurm_starts)}); the later local units wait for a free thread", flush=True)
        print(f"throughput, 4 units of ~{os.environ.get('BENCH_UNIT_SECONDS', '30')} s on 2 cores: local {local_wall:.1f} s, "
              f"Slurm {slurm_wall:.1f} s → Slurm at {local_wall / slurm_wall:.2f}× the local executor's throughput", flush=True)
    finally:
        cluster.stop()
        h.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
