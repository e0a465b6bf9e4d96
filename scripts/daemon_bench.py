#!/usr/bin/env python3
"""Daemon benchmark (not part of the test suite): run through scripts/daemon-bench.sh PATH-TO-SGDYN.

1. Pickup latency, default settings: time from the rename of a job file into the inbox (the drop
   protocol) to its claim (the file leaves the inbox; polled every millisecond), and to the job
   appearing in `sgdyn status --json` (polled every 50 ms), median of 10 drops. A rename is taken at
   once (inotify's IN_MOVED_TO says the file is complete); a file written in place waits for the
   quiet period (2 s), which the second series shows.
2. Checkpoint overhead: the same one-unit job run by the daemon with --checkpoint-interval 1000
   (no checkpoint but the last), 1, and 0.001 (in effect a checkpoint after every chunk of
   steps), in turn, BENCH_ROUNDS (default 3) times; the units' wall time comes from
   `sgdyn status --json` (total steps / steps per second), the number of checkpoints written from
   the job store. A lone run's speed varies by several % on a shared machine, more than one
   checkpoint a second costs, so the cost of one checkpoint is taken from the 0.001 s runs (extra
   time / extra checkpoints) and turned into fractions of run time at 1 s and at the default
   60 s; the direct 1 s vs 1000 s difference is printed too.
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgdyn_harness import Harness, drop, job_bytes, wait_until  # noqa: E402

ACTIVE_OR_DONE = {"queued", "running", "done", "interrupted"}


def pickup_latencies(h, label, in_place, drops=10):
    """(claim latencies, status latencies) of `drops` files dropped by rename (or written in place)."""
    s = h.scenario(f"pickup-{label}")
    d = s.daemon(workers=1, checkpoint=1, label=f"pickup-{label}")
    if not d.start():
        raise RuntimeError(f"the daemon did not start:\n{d.log_tail()}")
    claims, seen_in_status = [], []
    try:
        for i in range(drops):
            name = f"pick-{label}-{i:02d}"
            data = job_bytes(name)
            final = os.path.join(s.inbox, name + ".json")
            temporary = os.path.join(s.inbox, f".{name}.json.tmp")
            with open(temporary, "wb") as handle:
                handle.write(data)
            time.sleep(0.3 + 0.37 * (i % 3))  # drops at different phases of the daemon's one-second tick
            dropped = time.monotonic()
            if in_place:
                with open(final, "wb") as handle:
                    handle.write(data)
                os.unlink(temporary)
            else:
                os.rename(temporary, final)
            if not wait_until(lambda: not os.path.exists(final), 30, interval=0.001):
                raise RuntimeError(f"{name} not claimed within 30 s")
            claims.append(time.monotonic() - dropped)
            seen = wait_until(lambda: any(j["name"] == name and j["state"] in ACTIVE_OR_DONE for j in (s.status() or [])),
                              30, interval=0.05)
            if not seen:
                raise RuntimeError(f"{name} not seen in status within 30 s")
            seen_in_status.append(time.monotonic() - dropped)
            wait_until(lambda: os.path.isdir(os.path.join(s.outbox, name)), 30, interval=0.1)
    finally:
        d.stop()
    return claims, seen_in_status


def unit_seconds_for(h, steps_per_unit_guess_job):
    """Steps per second of one simulation thread for the benchmark job's shape, from `sgdyn run`."""
    s = h.scenario("calibrate")
    path = os.path.join(s.jobs, "calibrate.json")
    with open(path, "wb") as handle:
        handle.write(steps_per_unit_guess_job)
    started = time.monotonic()
    result = h.run_sgdyn("run", path, "--outbox", s.outbox, "--quiet", "--threads", "1", timeout=600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.decode(errors="replace"))
    return time.monotonic() - started


def overhead_run(h, tag, interval, t_max, shape):
    """Runs the job in a daemon with this checkpoint interval; returns (units' wall time,
    checkpoints written, the last one at the end included)."""
    s = h.scenario(f"checkpoint-{tag}")
    d = s.daemon(workers=1, checkpoint=interval, label=f"checkpoint-{tag}")
    if not d.start():
        raise RuntimeError(f"the daemon did not start:\n{d.log_tail()}")
    written = 0
    try:
        drop(s.inbox, "overhead", job_bytes("overhead", t_max=t_max, **shape))
        # Checkpoints are dropped once the bundle is written: count them while the job runs
        # (sequence numbers count on per unit although only the last two are kept).
        deadline = time.monotonic() + 1800
        while not os.path.isdir(os.path.join(s.outbox, "overhead")):
            if time.monotonic() > deadline:
                raise RuntimeError("the benchmark job did not finish in 30 minutes")
            # `checkpoint_sequence`: the sequence number of each unit's newest checkpoint.
            units = h.status(s.state, job="overhead") or []
            written = max([written] + [int(unit.get("checkpoint_sequence") or 0) for unit in units])
            time.sleep(0.2)
        job = next(j for j in s.status() if j["name"] == "overhead")
    finally:
        d.stop()
    return job["total_steps"] / job["steps_per_second"], written


def main():
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: daemon-bench.sh PATH-TO-SGDYN", file=sys.stderr)
        return 2
    h = Harness(sys.argv[1])
    try:
        print(f"sgdyn daemon benchmark: {h.sgdyn} on {os.cpu_count()} core(s), load average {os.getloadavg()[0]:.1f}", flush=True)
        for label, in_place in (("rename", False), ("in-place", True)):
            claims, seen = pickup_latencies(h, label, in_place)
            how = "renamed into the inbox" if not in_place else "written in place (quiet period 2 s)"
            print(f"pickup latency, default settings, {len(claims)} files {how}: claimed after median "
                  f"{1000 * statistics.median(claims):.0f} ms (min {1000 * min(claims):.0f}, max {1000 * max(claims):.0f}); "
                  f"in `sgdyn status` after median {1000 * statistics.median(seen):.0f} ms", flush=True)
        shape = dict(N=500, K=2, M=2, points=200, seeds=1)
        target = float(os.environ.get("BENCH_UNIT_SECONDS", "15"))
        probe_t_max = 50
        while True:  # long enough that process start-up and the bundle do not dominate
            seconds = unit_seconds_for(h, job_bytes("calibrate", t_max=probe_t_max, **shape))
            if seconds >= 1.5 or probe_t_max >= 10**6:
                break
            probe_t_max *= 4
        t_max = max(10, round(probe_t_max * target / seconds))
        rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
        fast = 0.001  # in effect a checkpoint after every chunk of steps (a few ms to tens of ms)
        print(f"checkpoint overhead: one unit N=500 K=2 t_max={t_max} (about {target:.0f} s per run, 1 thread), "
              f"--checkpoint-interval 1000 / 1 / {fast} in turn, {rounds} rounds", flush=True)
        direct, per_checkpoint = [], []
        for index in range(rounds):
            runs = {interval: overhead_run(h, f"{index}-{interval}", interval, t_max, shape) for interval in (1000, 1, fast)}
            (t_none, n_none), (t_one, n_one), (t_fast, n_fast) = runs[1000], runs[1], runs[fast]
            direct.append(t_one / t_none - 1)
            per_checkpoint.append((t_fast - t_none) / max(1, n_fast - n_none))
            print(f"  round {index + 1}: {t_none:.2f} s without checkpoints, {t_one:.2f} s with {n_one - 1} "
                  f"({100 * direct[-1]:+.2f} %), {t_fast:.2f} s with {n_fast - 1} → {1000 * per_checkpoint[-1]:.1f} ms each",
                  flush=True)
        cost = statistics.median(per_checkpoint)
        print(f"checkpoint overhead: {100 * cost:.2f} % of run time at one checkpoint per second and {100 * cost / 60:.3f} % "
              f"at the default 60 s, from {1000 * cost:.1f} ms per checkpoint (median over rounds of the extra time of "
              f"--checkpoint-interval {fast} runs per extra checkpoint); the direct 1 s vs 1000 s comparison gives "
              f"{100 * statistics.median(direct):+.2f} % (spread {100 * min(direct):+.2f} … {100 * max(direct):+.2f} %: "
              f"run-to-run noise on this machine is several %)", flush=True)
    finally:
        h.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
