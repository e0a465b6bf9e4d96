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
import stat
import subprocess
import sys
import time

import result_fields as R  # result.json's field names, generated from ResultDocument

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgdyn_harness import Cluster, Harness, bundles, result_of, run_scenarios, slurm_config, wait_for_bundles, wait_until  # noqa: E402

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


def scenario_sweep_10k(h, cluster):
    """A sweep of 10,000 tiny units, more tasks than one array may hold on this cluster
    (MaxArraySize 40) and more than its room (MaxJobCount 120, of which sgdyn fills half): split
    into several arrays, never more than the budget in the queue, grouping kept, every unit done."""
    s = h.scenario("sl-10k")
    d = s.daemon(checkpoint=60, config=slurm_config(s, units_per_task=None, poll_interval=1))
    if not h.check("slurm-10k: daemon starts", d.start(), logs=[d]):
        return
    lrs = [round(0.1 + 0.01 * i, 3) for i in range(100)]
    s.drop("big", N=10, t_max=0.5, points=2, seeds=100, sweep={"lr": lrs})
    most_in_queue, arrays_seen, largest_array = 0, set(), 0
    deadline = time.monotonic() + 480
    while time.monotonic() < deadline and "big" not in bundles(s.outbox):
        out = cluster.slurm("squeue", "-h", "-r", "-o", "%F|%K|%j").stdout.decode()
        tasks = [line.split("|") for line in out.splitlines() if line.endswith("|sgdyn-big")]
        most_in_queue = max(most_in_queue, len(tasks))
        for array, index, _ in tasks:
            arrays_seen.add(array)
            largest_array = max(largest_array, int(index) + 1 if index.isdigit() else 0)
        time.sleep(0.5)
    ok = "big" in bundles(s.outbox)
    result = result_of(s.outbox, "big") or {}
    submitted = re.findall(r"job big: submitted to Slurm as job \d+ \((\d+) array task\(s\)\)", d.log())
    total_tasks = sum(int(n) for n in submitted)
    h.check(f"slurm-10k: 10,000 units in {total_tasks} tasks over {len(submitted)} arrays (≤ {Cluster.MAX_ARRAY_SIZE} tasks each, "
            f"largest index seen {largest_array}), at most {most_in_queue} tasks in the queue (budget {Cluster.MAX_JOB_COUNT // 2}) → done",
            ok and result.get(R.STATUS) == "done" and len(submitted) >= 3 and largest_array <= Cluster.MAX_ARRAY_SIZE
            and all(int(n) <= Cluster.MAX_ARRAY_SIZE for n in submitted) and most_in_queue <= Cluster.MAX_JOB_COUNT // 2
            and "Slurm allows 40 tasks per array and 120 jobs" in d.log(),
            f"result {json.dumps(result)[:400]}", logs=[d])
    # Grouping keeps its target: units of ~ms each go 64 to a task, not one per task.
    h.check(f"slurm-10k: short units are grouped ({total_tasks} tasks for 10,000 units, 64 a task at most)",
            ok and 10000 / 64 <= total_tasks <= 10000 / 32, logs=[d])
    # Not compared with `sgdyn run` as a whole (writing 10,000 CSVs twice would cost a minute and
    # more; the smaller scenarios compare every number): every run's CSV is there.
    csvs = sum(len([f for f in files if f.startswith("seed-") and f.endswith(".csv")])
               for _, _, files in os.walk(os.path.join(s.outbox, "big"))) if ok else 0
    h.check(f"slurm-10k: the bundle holds a CSV for each of the 10,000 runs ({csvs})", csvs == 10000, logs=[d])
    d.terminate()


def scenario_hung_controller(h, cluster):
    """slurmctld stopped (SIGSTOP) while a job is being submitted: sbatch hangs, but intake,
    rejections and status go on; once it resumes, exactly one array runs the job and nothing is
    lost. Tasks' own duplicates, if Slurm took any, are cancelled."""
    hang = float(os.environ.get("SLURM_HANG_SECONDS", "60"))
    s = h.scenario("sl-hang")
    d = s.daemon(checkpoint=1, config=slurm_config(s, command_timeout=8))
    if not h.check("slurm-hang: daemon starts", d.start(), logs=[d]):
        return
    pid = cluster.pid("slurmctld")
    os.kill(pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        s.drop("patient", N=200, t_max=h.t_max(2, 200), points=10, seeds=2)
        time.sleep(3)
        drop_at = time.monotonic()
        # Valid JSON, invalid job: rejected as soon as it is read (a file that does not parse would
        # be waited for, as a writer may still be at it).
        with open(os.path.join(s.inbox, "broken.json"), "w") as handle:
            handle.write('{"name": "broken", "N": 0}\n')
        rejected = wait_until(lambda: "rejected-broken" in bundles(s.outbox), 20, interval=0.1)
        rejection_seconds = time.monotonic() - drop_at
        slowest_status = 0.0
        while time.monotonic() - stopped_at < hang:
            t = time.monotonic()
            listing = s.status()
            slowest_status = max(slowest_status, time.monotonic() - t)
            if listing is None:
                slowest_status = 99
            time.sleep(2)
        h.check(f"slurm-hang: with slurmctld stopped for {hang:.0f} s a broken job file is rejected in {rejection_seconds:.1f} s "
                f"and `sgdyn status` answers in at most {slowest_status:.2f} s",
                bool(rejected) and rejection_seconds < 5 and slowest_status < 5, logs=[d])
    finally:
        os.kill(pid, signal.SIGCONT)
    arrays_seen = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and "patient" not in bundles(s.outbox):
        arrays_seen.update(cluster.arrays("sgdyn-patient"))
        time.sleep(0.5)
    ok = "patient" in bundles(s.outbox)
    differences = identical_to_run(h, s, "patient") if ok else ["no bundle"]
    unanswered = len(re.findall(r"submission \d+: sbatch gave no clear answer", d.log()))
    submitted = d.log().count("job patient: submitted to Slurm as job")
    cancelled = len(re.findall(r"cancelled Slurm job \d+ \(sgdyn-[^)]*-j\d+-[^)]*\): a second array", d.log()))
    h.check(f"slurm-hang: resumed → one array followed ({submitted} followed, arrays seen {sorted(arrays_seen)}, {cancelled} duplicate(s) "
            f"cancelled, {unanswered} sbatch without an answer), no unit lost → identical to `sgdyn run`",
            ok and submitted == 1 and len(arrays_seen) - cancelled == 1 and not differences,
            "\n".join(differences), logs=[d])
    # An array of this store that no submission follows (as a duplicate accepted late would be)
    # is cancelled at the next look at the queue.
    store = re.search(r"\(store ([0-9a-f]{8})", d.log())
    stray = cluster.slurm("sbatch", "--parsable", f"--comment=sgdyn-{store.group(1) if store else 'x'}-j99-stray",
                          "--job-name=sgdyn-stray", "--output=/dev/null", "--wrap", "sleep 120").stdout.decode().strip()
    gone = wait_until(lambda: not cluster.arrays("sgdyn-stray"), 30)
    h.check(f"slurm-hang: an array with this store's token prefix that no submission follows ({stray}) is cancelled",
            bool(store) and stray.isdigit() and gone and f"cancelled Slurm job {stray} (sgdyn-" in d.log(), logs=[d])
    d.terminate()


def scenario_fast_failure(h, cluster):
    """A wrong `worker` path: every task fails at once. Looked up even after Slurm forgot it (poll
    interval longer than MinJobAge), counted as crashes, quarantined with the shell's own words."""
    s = h.scenario("sl-fastfail")
    d = s.daemon(checkpoint=1, config=slurm_config(s, worker="/nonexistent/sgdyn", poll_interval=12))
    if not h.check("slurm-fastfail: daemon starts (worker path wrong, poll interval 12 s > MinJobAge 10 s)", d.start(), logs=[d]):
        return
    s.drop("doomed", N=50, t_max=1, points=3, seeds=1)
    ok = wait_for_bundles(s.outbox, ["doomed"], 150)
    result = result_of(s.outbox, "doomed") or {}
    log_file = os.path.join(s.outbox, "doomed", "log.txt")
    bundle_log = open(log_file, errors="replace").read() if os.path.exists(log_file) else ""
    h.check("slurm-fastfail: quarantined after 3 crashes, the reason quoting the task's output (\"not found\")",
            ok and result.get(R.STATUS) == "failed" and "quarantined" in json.dumps(result) and "not found" in json.dumps(result)
            and d.log().count("submitted to Slurm as job") == 3 and "the job is quarantined" in d.log(),
            f"result {json.dumps(result)[:600]}", logs=[d])
    h.check("slurm-fastfail: the task's output is kept in the job's log in the bundle",
            "/nonexistent/sgdyn" in bundle_log and "not found" in bundle_log, bundle_log[-1500:], logs=[d])
    d.terminate()


def spool_modes(root):
    """Paths under `root` that others than the owner may read or write, or that are symlinks."""
    loose = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode) or info.st_mode & 0o077:
                loose.append(f"{path} {oct(info.st_mode)}")
    return loose


def scenario_spool_trust(h, cluster):
    """The spool is trusted only as far as it can be: a root others may write to is refused; a
    symlinked job folder is refused, not followed; everything is private; an outcome copied from
    another job into a unit's folder is refused and logged, and the unit's own result wins."""
    s = h.scenario("sl-spool")
    open_root = os.path.join(s.path, "scratch")
    os.makedirs(open_root)
    os.chmod(open_root, 0o1777)
    d = s.daemon(config=slurm_config(s, spool=open_root), label="sl-spool-open")
    started = d.start(wait=False)
    exited = wait_until(lambda: not d.alive(), 20)
    h.check("slurm-spool: a spool root writable by others (1777, as scratch folders are) is refused at start, naming the fix",
            started and exited and d.proc.returncode != 0 and "cannot be trusted" in d.log() and "others may write" in d.log(), logs=[d])
    spool = os.path.join(s.path, "spool")
    d = s.daemon(checkpoint=1, config=slurm_config(s, units_per_task=2))
    if not h.check("slurm-spool: daemon starts with a private spool", d.start(), logs=[d]):
        return
    elsewhere = os.path.join(s.path, "elsewhere")
    os.makedirs(elsewhere)
    os.symlink(elsewhere, os.path.join(spool, "job-1"))
    s.drop("planted", N=200, t_max=h.t_max(1, 200), points=10, seeds=1)
    refused = wait_until(lambda: "(a symlink there is refused)" in d.log(), 30)
    h.check("slurm-spool: a job folder planted as a symlink is refused and nothing is written through it",
            refused and os.listdir(elsewhere) == [], f"elsewhere: {os.listdir(elsewhere)}", logs=[d])
    os.unlink(os.path.join(spool, "job-1"))
    # The donor's two units share one task (units_per_task 2) and run one after the other: the
    # first (N = 100) is done in about a second, the second (N = 400) runs some 16 s longer, so the
    # first's outcome stays in the spool long enough to be copied.
    s.drop("donor", N=100, t_max=h.t_max(1, 100), points=10, seeds=1, sweep={"N": [100, 400]})
    s.drop("victim", N=200, t_max=h.t_max(12, 200), points=10, seeds=1)
    donor_outcome, victim_folder, loose = None, None, []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not (donor_outcome and victim_folder):
        for folder, _, files in os.walk(spool):
            try:
                if folder.startswith(os.path.join(spool, "job-2")) and "outcome" in files and not donor_outcome:
                    donor_outcome = open(os.path.join(folder, "outcome"), "rb").read()
                if folder.startswith(os.path.join(spool, "job-3")) and "progress" in files:
                    victim_folder = folder
                    loose = spool_modes(spool)
            except OSError:
                pass
        time.sleep(0.1)
    if donor_outcome and victim_folder:
        with open(os.path.join(victim_folder, ".planted"), "wb") as handle:
            handle.write(donor_outcome)
        os.rename(os.path.join(victim_folder, ".planted"), os.path.join(victim_folder, "outcome"))
    refused = wait_until(lambda: "job victim: unit 0: refusing" in d.log(), 30)
    h.check("slurm-spool: spool folders are 0700 and files 0600 while units run",
            victim_folder is not None and not loose, "\n".join(loose[:10]), logs=[d])
    h.check("slurm-spool: an outcome copied from another job into a running unit's folder is refused and logged as an error",
            bool(donor_outcome) and bool(victim_folder) and refused and "error    [sgdyn] job victim: unit 0: refusing" in d.log(), logs=[d])
    ok = wait_for_bundles(s.outbox, ["planted", "donor", "victim"], 150)
    differences = identical_to_run(h, s, "victim") if ok else ["no bundle"]
    h.check("slurm-spool: the victim ends with its own result (identical to `sgdyn run`), not the donor's",
            ok and (result_of(s.outbox, "victim") or {}).get(R.STATUS) == "done" and not differences, "\n".join(differences), logs=[d])
    d.terminate()


def scenario_files_on_nodes(h, cluster):
    """Jobs that name files run on Slurm without the nodes reading the daemon's folders: a teacher
    taken from an earlier bundle travels in the work units (through the spool), and a data set is
    read by the tasks from `slurm.data_folder`, the path the nodes see — here a copy, and the
    daemon's own data folder is removed once the job is queued, so only the nodes' path can serve."""
    s = h.scenario("sl-files")
    ours, nodes = os.path.join(s.path, "data"), os.path.join(s.path, "nodes-data")
    import random
    rng = random.Random(7)
    w = [rng.gauss(0, 1) for _ in range(10)]
    for folder in (ours, nodes):
        os.makedirs(folder)
    for name, rows in (("train", 200), ("test", 100)):
        xs = [[rng.gauss(0, 1) for _ in range(10)] for _ in range(rows)]
        for folder in (ours, nodes):
            with open(os.path.join(folder, f"{name}_x.csv"), "w") as f:
                f.write("".join(",".join(repr(v) for v in x) + "\n" for x in xs))
            with open(os.path.join(folder, f"{name}_y.csv"), "w") as f:
                f.write("".join(("1" if sum(a * b for a, b in zip(x, w)) >= 0 else "-1") + "\n" for x in xs))
    config = slurm_config(s, data_folder=nodes)
    with open(config) as handle:
        keys = json.load(handle)
    keys["data_folder"] = ours
    config = s.config(**keys)
    d = s.daemon(config=config)
    if not h.check("slurm-files: daemon starts with a data folder and the nodes' path", d.start(), logs=[d]):
        return
    s.drop("source", N=60, M=2, K=2, t_max=2, points=5, store_weights=True)
    ok = wait_for_bundles(s.outbox, ["source"], 120)
    s.drop("again", N=60, M=2, K=2, t_max=2, points=5, teacher_from="source/seed-0")
    data = {"train_inputs": "train_x.csv", "train_labels": "train_y.csv", "test_inputs": "test_x.csv", "test_labels": "test_y.csv"}
    s.drop("dataset", N=10, K=2, task="classify", t_max=3, points=4, data=data)
    queued = wait_until(lambda: {"again", "dataset"} <= set(s.jobs_by_name()), 60, interval=0.2)
    # The daemon has read what it needs (headers; the teacher's arrays): its data folder may go.
    if queued:
        os.rename(ours, ours + "-gone")
    ok = wait_for_bundles(s.outbox, ["again", "dataset"], 180) and ok
    same = False
    try:
        with open(os.path.join(s.outbox, "source", "seed-0.csv"), "rb") as a, open(os.path.join(s.outbox, "again", "seed-0.csv"), "rb") as b:
            same = a.read() == b.read()
    except OSError:
        pass
    h.check("slurm-files: teacher_from on Slurm repeats the source run (the same CSV bytes; the arrays came through the spool)",
            ok and same and (result_of(s.outbox, "again") or {}).get(R.STATUS) == "done", logs=[d])
    header = ""
    try:
        with open(os.path.join(s.outbox, "dataset", "seed-0.csv")) as handle:
            header = handle.readline().strip()
    except OSError:
        pass
    h.check("slurm-files: a data-set job runs on Slurm from slurm.data_folder after the daemon's own folder is gone",
            bool(queued) and (result_of(s.outbox, "dataset") or {}).get(R.STATUS) == "done" and "cerr" in header and "R11" not in header,
            f"header {header!r}", logs=[d])
    status, _ = d.terminate()
    h.check("slurm-files: SIGTERM → exit 0", status == 0, logs=[d])


def scenario_config_change(h, cluster):
    """A restart with a changed config: the spool moved, then Slurm switched off. The old arrays
    are followed to their end by token: no crash charged, no unit computed twice."""
    s = h.scenario("sl-config")
    d = s.daemon(checkpoint=1, config=slurm_config(s))
    if not h.check("slurm-config: daemon starts", d.start(), logs=[d]):
        return
    s.drop("moved", N=200, t_max=h.t_max(8, 200), points=20, seeds=2)
    going = wait_until(lambda: running_with_progress(s, "moved", 2), 60)
    arrays = cluster.arrays("sgdyn-moved")
    d.terminate()
    d.config = slurm_config(s, spool=os.path.join(s.path, "spool-new"))
    restarted = d.start()
    ok = wait_for_bundles(s.outbox, ["moved"], 120)
    job = s.jobs_by_name().get("moved") or {}
    differences = identical_to_run(h, s, "moved") if ok else ["no bundle"]
    h.check(f"slurm-config: spool moved across a restart → the old array ({arrays}) is followed in the old spool: one attempt, "
            f"no crash, identical to `sgdyn run`",
            going and restarted and ok and job.get("attempts") == 1 and "ended without finishing" not in d.log()
            and len(arrays) == 1 and not differences, "\n".join(differences), logs=[d])
    s.drop("switched", N=200, t_max=h.t_max(8, 200), points=20, seeds=2)
    going = wait_until(lambda: running_with_progress(s, "switched", 2), 60)
    arrays = cluster.arrays("sgdyn-switched")
    d.terminate()
    d.config = s.config(executor="local", quiet_period=0.5)
    restarted = d.start()
    ok = wait_for_bundles(s.outbox, ["switched"], 120)
    job = s.jobs_by_name().get("switched") or {}
    differences = identical_to_run(h, s, "switched") if ok else ["no bundle"]
    h.check(f"slurm-config: Slurm switched off across a restart → its array ({arrays}) is followed to its end: one attempt, no crash, "
            f"no local rerun, identical to `sgdyn run`",
            going and restarted and ok and job.get("attempts") == 1 and "ended without finishing" not in d.log()
            and "following them to their end" in d.log() and "job switched: starting attempt" not in d.log() and not differences,
            "\n".join(differences), logs=[d])
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
    ("sweep10k", scenario_sweep_10k),
    ("hang", scenario_hung_controller),
    ("fastfail", scenario_fast_failure),
    ("spool", scenario_spool_trust),
    ("config", scenario_config_change),
    ("files", scenario_files_on_nodes),
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
    return harness.finish("slurm")


if __name__ == "__main__":
    sys.exit(main())
