#!/usr/bin/env python3
"""Resource limits against measurement (not part of the test suite): run through
scripts/limits-measure.sh PATH-TO-SGDYN [--daemon] [NAME...].

For the largest accepted job of each kind at the edge of each limit (README, "Limits"), prints
what `sgdyn validate` estimates (per-run memory, checkpoint, ODE workspace and time per
right-hand side, all records, bundle) next to what was measured: the peak resident memory of
`sgdyn run` (wait4's ru_maxrss), the bundle's size on disk and the wall time (the ODE edges
integrate 100 Euler steps, one right-hand side each). With --daemon the job is run by `sgdyn
serve --workers 1 --checkpoint-interval 5` instead: then the peaks of the daemon, of its worker
processes (which run the units and make the checkpoints) and of the `sgdyn write-bundle` child
(which publishes the bundle) are sampled from /proc/PID/status (VmHWM) every 0.1 s. Each job first checks that the next larger job is rejected,
so the table really is at the edge.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import result_fields as R  # result.json's field names, generated from ResultDocument

# name: (the job at the edge, the key that makes it larger, the next value, which is rejected)
JOBS = {
    "simulate-run-memory": ({"N": 1000000, "batch_size": 127, "t_max": 0.00001, "points": 2}, "batch_size", 128),
    "simulate-checkpoint": ({"N": 16772460, "K": 2, "M": 1, "t_max": 0.00001, "points": 2}, "N", 16784667),
    "simulate-records": ({"N": 5000, "t_max": 1, "points": 200, "seeds": 5961}, "seeds", 5966),
    "simulate-bundle": ({"N": 1000, "K": 200, "M": 200, "t_max": 10, "points": 100, "seeds": 6}, "seeds", 7),
    "ode-cost": ({"kind": "ode", "K": 139, "M": 2, "t_max": 1, "points": 2,
                  "ode": {"method": "euler", "dt": 0.01}}, "K", 140),
    "ode-drawing": ({"kind": "ode", "N": 29809570, "t_max": 0.01, "points": 2}, "N", 29833984),
    "ode-checkpoint": ({"kind": "ode", "K": 20, "M": 2, "t_max": 100, "points": 72001}, "points", 72002),
    "ode-records": ({"kind": "ode", "K": 20, "M": 2, "t_max": 100, "points": 30000, "seeds": 4}, "seeds", 5),
    "compare-run-memory": ({"kind": "compare", "N": 1000000, "batch_size": 127, "t_max": 0.00001, "points": 2},
                           "batch_size", 128),
    "compare-cost": ({"kind": "compare", "N": 100, "K": 139, "M": 2, "t_max": 1, "points": 2,
                      "ode": {"method": "euler", "dt": 0.01}}, "K", 140),
}


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def validate(sgdyn, path):
    result = subprocess.run([sgdyn, "validate", path], capture_output=True, text=True)
    needs = [line.split(": ", 2)[2] for line in result.stdout.splitlines() if line.startswith("needs: ")]
    return result.returncode == 0, needs[0] if needs else (result.stdout + result.stderr).strip()


def bundle_bytes(folder):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(folder) for f in files)


def run_foreground(sgdyn, path, outbox):
    start = time.monotonic()
    process = subprocess.Popen([sgdyn, "run", path, "--outbox", outbox, "--quiet"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    out = process.stdout.read().decode().strip()
    err = process.stderr.read().decode().strip()
    if process.returncode != 0:
        raise RuntimeError(f"sgdyn run failed ({process.returncode}): {err[-2000:]}")
    return {"peak": usage.ru_maxrss, "bundle": bundle_bytes(out), "seconds": time.monotonic() - start}


def high_water_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    """Child processes of every thread of `pid` (the daemon starts workers from any of its threads)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    return found


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().split(b"\0")
    except OSError:
        return []


def run_daemon(sgdyn, path, name, root):
    inbox, outbox, state = (os.path.join(root, d) for d in ("inbox", "outbox", "state"))
    for d in (inbox, outbox, state):
        os.makedirs(d, exist_ok=True)
    start = time.monotonic()
    daemon = subprocess.Popen([sgdyn, "serve", "--inbox", inbox, "--outbox", outbox, "--state", state, "--workers", "1",
                               "--checkpoint-interval", "5"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    worker_peak = daemon_peak = publisher_peak = 0
    try:
        shutil.copyfile(path, os.path.join(inbox, "." + name + ".tmp"))
        os.rename(os.path.join(inbox, "." + name + ".tmp"), os.path.join(inbox, name + ".json"))
        bundle = os.path.join(outbox, name)
        while not os.path.exists(os.path.join(bundle, "manifest.json")):
            if daemon.poll() is not None:
                raise RuntimeError(f"the daemon stopped: {daemon.stderr.read().decode()[-2000:]}")
            daemon_peak = max(daemon_peak, high_water_kib(daemon.pid))
            for child in children(daemon.pid):
                if b"write-bundle" in command_line(child):
                    publisher_peak = max(publisher_peak, high_water_kib(child))
                else:
                    worker_peak = max(worker_peak, high_water_kib(child))
            time.sleep(0.1)
        daemon_peak = max(daemon_peak, high_water_kib(daemon.pid))
        with open(os.path.join(bundle, "result.json")) as handle:
            status = json.load(handle)[R.STATUS]
        if status != "done":
            raise RuntimeError(f"the job ended {status}")
        return {"worker": worker_peak, "daemon": daemon_peak, "publisher": publisher_peak, "bundle": bundle_bytes(bundle),
                "seconds": time.monotonic() - start}
    finally:
        daemon.terminate()
        daemon.wait()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    daemon = "--daemon" in sys.argv
    sgdyn, names = os.path.abspath(args[0]), args[1:] or list(JOBS)
    root = tempfile.mkdtemp(prefix="sgdyn-limits-")
    try:
        for name in names:
            job, key, larger = JOBS[name]
            path = os.path.join(root, name + ".json")
            with open(path, "w") as handle:
                json.dump(job, handle)
            bigger = dict(job, **{key: larger})
            with open(path + ".next", "w") as handle:
                json.dump(bigger, handle)
            accepted, needs = validate(sgdyn, path)
            rejected = not validate(sgdyn, path + ".next")[0]
            if not accepted or not rejected:
                print(f"{name}: not at the edge (accepted {accepted}, next rejected {rejected}): {needs}")
                continue
            if daemon:
                m = run_daemon(sgdyn, path, name, os.path.join(root, name))
                measured = (f"worker peak {mib(m['worker'])}, write-bundle peak {mib(m['publisher'])}, "
                            f"daemon peak {mib(m['daemon'])}")
            else:
                m = run_foreground(sgdyn, path, os.path.join(root, "outbox"))
                measured = f"sgdyn run peak {mib(m['peak'])}"
            print(f"{name}: {json.dumps(job)} (next: {key} = {larger}, rejected)\n"
                  f"    estimated: {needs}\n"
                  f"    measured:  {measured}, bundle {m['bundle'] / 2**20:.1f} MiB, {m['seconds']:.0f} s", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
