#!/usr/bin/env python3
"""End-to-end checks of the Slurm executor: the real `sgdyn serve` with `"executor": "slurm"`
against a real single-node Slurm (Debian's slurmctld, slurmd and munge, started by
scripts/slurm-cluster.sh by pid and stopped at the end).

Run through scripts/slurm-tests.sh PATH-TO-SGDYN. Uses the harness of daemon_tests.py. The last
line is `slurm: N passed, M failed`. A cluster that cannot start is a failure, never a skip.
  SLURM_TESTS=basic,scancel   run only these scenarios
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import result_fields as R  # result.json's field names, generated from ResultDocument

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_tests import Harness, bundles, result_of, run_scenarios, wait_for_bundles, wait_until  # noqa: E402

CLUSTER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slurm-cluster.sh")


class Cluster:
    """The test cluster in a short, world-searchable folder (munged insists)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sgdyn-sl-", dir="/tmp")
        os.chmod(self.dir, 0o755)

    def run(self, *args, timeout=300):
        return subprocess.run([CLUSTER_SCRIPT, *args], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def start(self):
        result = self.run("start", self.dir)
        if result.returncode == 0:
            for line in self.run("env", self.dir).stdout.decode().splitlines():
                match = re.match(r"export (\w+)=(.*)", line)
                if match:
                    os.environ[match.group(1)] = match.group(2)
        return result

    def pid(self, name):
        result = self.run("pid", self.dir, name, timeout=30)
        text = result.stdout.decode().strip()
        return int(text) if text.isdigit() else None

    def slurm(self, *args, timeout=60):
        return subprocess.run(list(args), capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def arrays(self, prefix):
        """Job ids of the arrays in the queue whose name starts with `prefix` (sgdyn-NAME)."""
        out = self.slurm("squeue", "-h", "-r", "-o", "%F|%j").stdout.decode()
        return sorted({line.split("|")[0] for line in out.splitlines() if "|" in line and line.split("|", 1)[1].startswith(prefix)})

    def stop(self):
        result = self.run("stop", self.dir, timeout=120)
        subprocess.run(["rm", "-rf", self.dir])
        return result


def slurm_config(s, **overrides):
    slurm = {"spool": os.path.join(s.path, "spool"), "partition": "debug", "partitions": ["debug", "short"],
             "poll_interval": 1, "signal_seconds": 30, "units_per_task": 1}
    slurm.update(overrides)
    return s.config(executor="slurm", slurm=slurm, quiet_period=0.5)


def running_with_progress(s, name, units=1):
    job = s.jobs_by_name().get(name) or {}
    return job.get("state") == "running" and job.get("steps_done", 0) > 0 and job.get("units_running", 0) >= units


def identical_to_run(h, s, name):
    return s.compare_with_references([name])[name]


def scenario_basic(h, cluster):
    """A sweep goes to Slurm as one array, one task per unit; its bundle equals `sgdyn run`'s. A
    job's own request is checked against the config."""
    s = h.scenario("sl-basic")
    d = s.daemon(config=slurm_config(s))
    if not h.check("slurm-basic: daemon starts with the Slurm executor", d.start(), logs=[d]):
        return
    s.drop("sweep", N=200, t_max=h.t_max(2, 200), points=20, seeds=2, sweep={"lr": [0.3, 0.6]})
    seen = wait_until(lambda: cluster.arrays("sgdyn-sweep"), 30, interval=0.2)
    job = s.jobs_by_name().get("sweep") or {}
    h.check(f"slurm-basic: submitted as one array ({seen}), status names the Slurm job id",
            len(seen or []) == 1 and job.get("executor") == "slurm" and job.get("external_id") == (seen or [None])[0],
            f"status: {job}", logs=[d])
    ok = wait_for_bundles(s.outbox, ["sweep"], 120)
    differences = identical_to_run(h, s, "sweep") if ok else ["no bundle"]
    h.check("slurm-basic: 4 units as 4 array tasks → bundle identical to `sgdyn run` apart from timing",
            ok and not differences and "submitted to Slurm as job" in d.log() and "(4 array task(s))" in d.log(),
            "\n".join(differences), logs=[d])
    s.drop("short-ok", seeds=1, slurm={"partition": "short", "time_limit": "1"})
    s.drop("bad-partition", seeds=1, slurm={"partition": "gpu"})
    ok = wait_for_bundles(s.outbox, ["short-ok", "rejected-bad-partition"], 60)
    rejected = (result_of(s.outbox, "rejected-bad-partition") or {}).get(R.ERROR) or {}
    h.check("slurm-basic: a job may choose an allowed partition; one the config does not allow is rejected naming slurm.partition",
            ok and (result_of(s.outbox, "short-ok") or {}).get(R.STATUS) == "done" and rejected.get(R.KEY) == "slurm.partition",
            json.dumps(rejected), logs=[d])
    status, _ = d.terminate()
    h.check("slurm-basic: SIGTERM → exit 0", status == 0, logs=[d])


def scenario_scancel(h, cluster):
    """scancel of one running task by an administrator: its unit resumes from its checkpoint."""
    s = h.scenario("sl-scancel")
    d = s.daemon(checkpoint=1, config=slurm_config(s))
    if not h.check("slurm-scancel: daemon starts", d.start(), logs=[d]):
        return
    s.drop("victim", N=200, t_max=h.t_max(10, 200), points=30, seeds=2)
    going = wait_until(lambda: running_with_progress(s, "victim", 2), 60)
    arrays = cluster.arrays("sgdyn-victim")
    time.sleep(2)
    cancelled = bool(arrays) and cluster.slurm("scancel", f"{arrays[0]}_0").returncode == 0
    h.check("slurm-scancel: task 0 of the running array cancelled with scancel", going and cancelled, f"arrays {arrays}", logs=[d])
    resumed = wait_until(lambda: "were interrupted" in d.log() or "ended without finishing" in d.log(), 60)
    ok = wait_for_bundles(s.outbox, ["victim"], 180)
    result = result_of(s.outbox, "victim") or {}
    differences = identical_to_run(h, s, "victim") if ok else ["no bundle"]
    submissions = d.log().count("job victim: submitted to Slurm as job")
    h.check(f"slurm-scancel: its unit is resubmitted at once in an array of its own ({submissions} submissions) and resumes "
            f"from its checkpoint → identical result",
            resumed and ok and result.get(R.STATUS) == "done" and result.get(R.TIMING, {}).get(R.RESUMES, 0) >= 1 and not differences
            and submissions == 2,
            "\n".join(differences) + f"\ntiming {result.get('timing')}", logs=[d])
    d.terminate()


def scenario_controller_restart(h, cluster):
    """slurmctld stopped and started again mid-run: the job goes on, nothing lost."""
    s = h.scenario("sl-ctld")
    d = s.daemon(checkpoint=1, config=slurm_config(s))
    if not h.check("slurm-ctld: daemon starts", d.start(), logs=[d]):
        return
    s.drop("steady", N=200, t_max=h.t_max(10, 200), points=30, seeds=2)
    going = wait_until(lambda: running_with_progress(s, "steady", 2), 60)
    pid = cluster.pid("slurmctld")
    if pid:
        os.kill(pid, signal.SIGTERM)
    down = wait_until(lambda: cluster.pid("slurmctld") is None, 30)
    time.sleep(4)
    restarted = cluster.start().returncode == 0
    h.check("slurm-ctld: slurmctld stopped for 4 s while both units ran, then started again",
            going and pid and down and restarted, logs=[d])
    ok = wait_for_bundles(s.outbox, ["steady"], 180)
    differences = identical_to_run(h, s, "steady") if ok else ["no bundle"]
    h.check("slurm-ctld: the job finishes → identical to `sgdyn run`", ok and not differences, "\n".join(differences), logs=[d])
    h.check("slurm-ctld: the daemon said Slurm did not answer, then that it answers again (or never noticed)",
            ("does not answer" in d.log()) == ("answers again" in d.log()), logs=[d])
    d.terminate()


def scenario_node_failure(h, cluster):
    """The node fails (slurmd and its tasks killed, the node marked down) and comes back: Slurm
    requeues the tasks, which resume from the checkpoints in their own spool folders."""
    s = h.scenario("sl-node")
    d = s.daemon(checkpoint=1, config=slurm_config(s))
    if not h.check("slurm-node: daemon starts", d.start(), logs=[d]):
        return
    s.drop("node-victim", N=200, t_max=h.t_max(10, 200), points=30, seeds=2)
    going = wait_until(lambda: running_with_progress(s, "node-victim", 2), 60)
    time.sleep(2)
    killed = cluster.run("kill-node", cluster.dir, timeout=60).returncode == 0
    node = subprocess.run(["hostname", "-s"], capture_output=True).stdout.decode().strip()
    cluster.slurm("scontrol", "update", f"nodename={node}", "state=down", "reason=sgdyn-test-node-failure")
    time.sleep(1)
    back = cluster.start().returncode == 0
    h.check("slurm-node: node failure simulated (slurmd and its tasks killed, node down) and the node brought back",
            going and killed and back, logs=[d])
    ok = wait_for_bundles(s.outbox, ["node-victim"], 240)
    result = result_of(s.outbox, "node-victim") or {}
    differences = identical_to_run(h, s, "node-victim") if ok else ["no bundle"]
    h.check("slurm-node: requeued, resumed from checkpoints → identical to `sgdyn run`",
            ok and result.get(R.STATUS) == "done" and not differences, "\n".join(differences), logs=[d])
    d.terminate()


def scenario_kill_after_submit(h, cluster):
    """The daemon killed right after sbatch, before it recorded the array's id: the restarted
    daemon finds the array by its comment and follows it; no second array."""
    s = h.scenario("sl-orphan")
    d = s.daemon(checkpoint=1, config=slurm_config(s))
    if not h.check("slurm-orphan: daemon starts", d.start(), logs=[d]):
        return
    switch = os.path.join(s.state, ".fault-kill-after-submit")
    open(switch, "wb").close()
    s.drop("orphan", N=200, t_max=h.t_max(5, 200), points=20, seeds=2)
    died = wait_until(lambda: not d.alive(), 30)
    os.unlink(switch)
    arrays_before = cluster.arrays("sgdyn-orphan")
    h.check(f"slurm-orphan: the daemon died right after submitting (array {arrays_before} in the queue)",
            died and len(arrays_before) == 1, logs=[d])
    restarted = d.start()
    arrays_seen = set(arrays_before)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and "orphan" not in bundles(s.outbox):
        arrays_seen.update(cluster.arrays("sgdyn-orphan"))
        time.sleep(0.5)
    ok = "orphan" in bundles(s.outbox)
    differences = identical_to_run(h, s, "orphan") if ok else ["no bundle"]
    job = s.jobs_by_name().get("orphan") or {}
    h.check("slurm-orphan: the restart adopts the array by its comment: no second array, one attempt, identical result",
            restarted and ok and arrays_seen == set(arrays_before) and job.get("attempts") == 1 and not differences
            and "found Slurm job" in d.log(),
            f"arrays seen {sorted(arrays_seen)}; attempts {job.get('attempts')}\n" + "\n".join(differences), logs=[d])
    d.terminate()


def scenario_reattach(h, cluster):
    """The daemon stopped (SIGTERM) while an array runs: the tasks go on, and the restarted daemon
    follows them instead of submitting again."""
    s = h.scenario("sl-reattach")
    d = s.daemon(checkpoint=1, config=slurm_config(s))
    if not h.check("slurm-reattach: daemon starts", d.start(), logs=[d]):
        return
    s.drop("away", N=200, t_max=h.t_max(6, 200), points=20, seeds=2)
    going = wait_until(lambda: running_with_progress(s, "away", 2), 60)
    arrays = cluster.arrays("sgdyn-away")
    status, _ = d.terminate()
    still = cluster.arrays("sgdyn-away")
    h.check("slurm-reattach: the daemon stops (exit 0) and the array keeps running without it",
            going and status == 0 and arrays and still == arrays, f"before {arrays}, after {still}", logs=[d])
    time.sleep(2)
    restarted = d.start()
    ok = wait_for_bundles(s.outbox, ["away"], 180)
    job = s.jobs_by_name().get("away") or {}
    differences = identical_to_run(h, s, "away") if ok else ["no bundle"]
    h.check("slurm-reattach: the restart follows the same array (one attempt) → identical to `sgdyn run`",
            restarted and ok and job.get("attempts") == 1 and not differences, "\n".join(differences), logs=[d])
    d.terminate()


def scenario_cancel(h, cluster):
    """`sgdyn cancel` of a job running on Slurm cancels its array and writes a cancelled bundle."""
    s = h.scenario("sl-cancel")
    d = s.daemon(checkpoint=1, config=slurm_config(s))
    if not h.check("slurm-cancel: daemon starts", d.start(), logs=[d]):
        return
    s.drop("unwanted", N=200, t_max=h.t_max(20, 200), points=20, seeds=3)
    going = wait_until(lambda: running_with_progress(s, "unwanted"), 60)
    asked = h.run_sgdyn("cancel", "unwanted", "--state", s.state, timeout=30)
    ok = wait_for_bundles(s.outbox, ["unwanted"], 60)
    gone = wait_until(lambda: not cluster.arrays("sgdyn-unwanted"), 30)
    h.check("slurm-cancel: `sgdyn cancel NAME` → the array leaves the queue, bundle status cancelled",
            going and asked.returncode == 0 and ok and gone and (result_of(s.outbox, "unwanted") or {}).get(R.STATUS) == "cancelled",
            f"queue: {cluster.arrays('sgdyn-unwanted')}", logs=[d])
    d.terminate()


def scenario_time_limit(h, cluster):
    """A task that reaches its time limit gets SIGUSR1 first, checkpoints and stops; the unit is
    continued in a new task (not counted as a crash) and the result is identical."""
    s = h.scenario("sl-limit")
    d = s.daemon(checkpoint=5, config=slurm_config(s, signal_seconds=30))
    if not h.check("slurm-limit: daemon starts (tasks get SIGUSR1 30 s before their limit)", d.start(), logs=[d]):
        return
    s.drop("marathon", N=200, t_max=h.t_max(70, 200), points=30, seeds=1, slurm={"time_limit": "1"})
    ok = wait_for_bundles(s.outbox, ["marathon"], 420)
    result = result_of(s.outbox, "marathon") or {}
    job = s.jobs_by_name().get("marathon") or {}
    differences = identical_to_run(h, s, "marathon") if ok else ["no bundle"]
    h.check(f"slurm-limit: a 70 s unit with a 1 min time limit is stopped by SIGUSR1 and continued ({job.get('attempts')} attempts, "
            f"{result.get('timing', {}).get('resumes')} resumes, no crash) → identical to `sgdyn run`",
            ok and result.get(R.STATUS) == "done" and job.get("attempts", 0) >= 2 and "ended without finishing" not in d.log()
            and not differences, "\n".join(differences), logs=[d])
    d.terminate()


SCENARIOS = [
    ("basic", scenario_basic),
    ("scancel", scenario_scancel),
    ("ctld", scenario_controller_restart),
    ("node", scenario_node_failure),
    ("orphan", scenario_kill_after_submit),
    ("reattach", scenario_reattach),
    ("cancel", scenario_cancel),
    ("limit", scenario_time_limit),
]


def main():
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: slurm-tests.sh PATH-TO-SGDYN", file=sys.stderr)
        return 2
    chosen = [n.strip() for n in os.environ.get("SLURM_TESTS", "").split(",") if n.strip()]
    harness = Harness(sys.argv[1])
    cluster = Cluster()
    started = time.monotonic()
    try:
        result = cluster.start()
        ok = harness.check(f"slurm: a single-node cluster starts (slurmctld, slurmd, munged) in {time.monotonic() - started:.1f} s",
                           result.returncode == 0, (result.stdout + result.stderr).decode(errors="replace")[-3000:])
        if ok:
            run_scenarios(harness, SCENARIOS, chosen, lambda scenario: scenario(harness, cluster),
                          after_each=lambda: cluster.slurm("scancel", "--user=root"))
    finally:
        stopped = cluster.stop()
        harness.check("slurm: the cluster stops and leaves no process behind", stopped.returncode == 0,
                      (stopped.stdout + stopped.stderr).decode(errors="replace")[-2000:])
        harness.cleanup()
    harness.info(f"total {time.monotonic() - started:.0f} s")
    print(f"slurm: {harness.passed} passed, {harness.failed} failed", flush=True)
    return 0 if harness.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
