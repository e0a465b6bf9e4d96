"""End-to-end checks of what "no job can take the daemon down" asks for: limits that bound real
resources, ODE integrations in worker processes (counted against --workers, cancellable), no
finished result lost to an outbox that refuses bundles, a store known by identity rather than by
path text, hung workers noticed and resumed, in-place writes with long pauses, diverging runs,
a state folder of sgdyn 0.1.0, and the rename fast path.

Scenarios take the harness of daemon_tests.py (`h`) and use its helpers; they are listed in
ROBUSTNESS_SCENARIOS, which daemon_tests.py runs after its own.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import result_fields as R  # result.json's field names, generated from ResultDocument

from sgdyn_harness import (StoreLockHolder, bundles, drop, job_bytes, pid_alive, result_of, statuses_of, store_write_locked,
                           wait_for_bundles, wait_until)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")


# The debug build's fault switch that makes every job's stored form unreadable to the bundle writer
# (Sources/SGDynDaemon/State/FaultSwitch.swift).
UNREADABLE_JOB = ".fault-unreadable-job"


def scenario_limits(h):
    """The jobs that crashed or exhausted the daemon before are rejected at intake, naming the key,
    and the daemon serves on; the ODE part of a valid job runs in a worker process."""
    s = h.scenario("limits")
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("limits: daemon starts", d.start(), logs=[d]):
        return
    offenders = {
        "ode-k500": ({"kind": "ode", "K": 500, "M": 2, "t_max": 20, "points": 10}, "K"),
        "compare-k500": ({"kind": "compare", "N": 100, "K": 500, "M": 2, "t_max": 1, "points": 10}, "K"),
        "huge-n": ({"N": 8000000, "K": 16, "M": 1, "t_max": 1, "points": 10}, "N"),
        "wide-records": ({"N": 1, "K": 512, "M": 512, "t_max": 100, "points": 200}, None),
    }
    for name, (document, _) in offenders.items():
        s.drop_json(name, document)
    expected = ["rejected-" + name for name in offenders]
    settled = wait_for_bundles(s.outbox, expected, 30)
    reasons = {}
    for name, (_, key) in offenders.items():
        result = result_of(s.outbox, "rejected-" + name) or {}
        error = result.get(R.ERROR) or {}
        reasons[name] = error
        h.check(f"limits: {name} is rejected with the numbers" + (f", naming key {key}" if key else ""),
                settled and result.get(R.STATUS) == "rejected" and (key is None or error.get(R.KEY) == key)
                and any(ch.isdigit() for ch in error.get(R.MESSAGE, "")),
                json.dumps(error)[:500], logs=[d])
    s.drop_json("small-ode", {"kind": "compare", "N": 300, "K": 3, "M": 2, "t_max": 5, "points": 10, "seeds": 2})
    ok = wait_for_bundles(s.outbox, ["small-ode"], 60)
    worker_lines = [line for line in d.log().splitlines() if "small-ode" in line and "starting attempt" in line]
    h.check("limits: a compare job's ODE integrations run as units of a worker (4 units: 2 simulations + 2 ODEs), done",
            ok and (result_of(s.outbox, "small-ode") or {}).get(R.STATUS) == "done"
            and any("of 4 unit(s)" in line for line in worker_lines), "\n".join(worker_lines), logs=[d])
    h.check("limits: the daemon is still up", d.alive(), logs=[d])
    status, _ = d.terminate()
    h.check("limits: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_odes(h):
    """ODE jobs are units like simulations: with --workers 1 one runs at a time; a cancelled one is
    cancelled, not done."""
    s = h.scenario("odes")
    d = s.daemon(workers=1, checkpoint=1)
    if not h.check("odes: daemon starts (1 worker thread)", d.start(), logs=[d]):
        return
    # Euler with a small step: a few seconds of right-hand sides each (K = 8: about 20 µs per step).
    long_ode = {"kind": "ode", "K": 8, "M": 2, "t_max": 3000, "points": 20, "ode": {"method": "euler", "dt": 0.01}}
    names = ["ode-a", "ode-b", "ode-c"]
    for name in names:
        s.drop_json(name, dict(long_ode, name=name, description=name))
    most = 0
    seen_running = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(seen_running) < 2:
        jobs = s.jobs_by_name()
        running = [n for n in names if (jobs.get(n) or {}).get("state") == "running"]
        most = max(most, len(running))
        seen_running.update(running)
        time.sleep(0.2)
    h.check(f"odes: three ODE jobs with --workers 1 never run at once (at most {most} running seen)",
            most == 1 and seen_running, f"seen running: {sorted(seen_running)}", logs=[d])
    running = next((n for n in names if s.job_state(n) == "running"), None)
    cancelled = None
    if running:
        asked = h.run_sgdyn("cancel", running, "--state", s.state, timeout=30)
        cancelled = running if asked.returncode == 0 else None
    ok = cancelled and wait_for_bundles(s.outbox, [cancelled], 30)
    result = result_of(s.outbox, cancelled) if cancelled else {}
    h.check(f"odes: a running ODE job cancelled → its bundle says cancelled ({cancelled})",
            bool(ok) and (result or {}).get(R.STATUS) == "cancelled" and s.job_state(cancelled) == "cancelled",
            f"result: {json.dumps(result)[:300]}", logs=[d])
    rest = [n for n in names if n != cancelled]
    done = wait_for_bundles(s.outbox, rest, 120)
    h.check("odes: the other two finish done", done and all(v == "done" for v in statuses_of(s.outbox, rest).values()),
            str(statuses_of(s.outbox, rest)), logs=[d])
    status, _ = d.terminate()
    h.check("odes: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_outbox(h):
    """An outbox that refuses bundles (read-only) does not lose results: publishing retries with
    backoff, status says so, and the bundles appear once it is writable; a bundle name taken
    10,000 times still finds a free one; a bundle that cannot be written at all leaves the job
    unpublished until `sgdyn publish`."""
    if os.geteuid() != 0:
        h.check("outbox: needs root to make the outbox read-only with a bind mount", False)
        return
    s = h.scenario("outbox")
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("outbox: daemon starts", d.start(), logs=[d]):
        return
    mounted = subprocess.run(["mount", "--bind", s.outbox, s.outbox], capture_output=True, timeout=30).returncode == 0 and \
        subprocess.run(["mount", "-o", "remount,bind,ro", s.outbox], capture_output=True, timeout=30).returncode == 0
    if mounted:
        h.mounts.append(s.outbox)
    if not h.check("outbox: the outbox is made read-only (bind mount)", mounted):
        return
    s.drop("ro-job", seeds=2)
    drop(s.inbox, "ro-bad", b'{"N": "many"}')
    retried = wait_until(lambda: (s.jobs_by_name().get("ro-job") or {}).get("publish_attempts", 0) >= 2, 60)
    job = s.jobs_by_name().get("ro-job") or {}
    listing = h.run_sgdyn("status", "--state", s.state, timeout=30).stdout.decode(errors="replace")
    h.check("outbox: the finished job waits in 'publishing', retried with backoff; status and log say why",
            retried and job.get("state") == "publishing" and "Read-only" in (job.get("error") or "")
            and "writing the bundle failed" in listing and "retrying in" in d.log(),
            f"store: {job}\nstatus:\n{listing}", logs=[d])
    subprocess.run(["umount", s.outbox], capture_output=True, timeout=30)
    h.mounts.remove(s.outbox)
    ok = wait_for_bundles(s.outbox, ["ro-job", "rejected-ro-bad"], 120)
    # The bundle folder appears when the writer renames it into place; the daemon records the job
    # done when the writer's exit reaches it, a moment later.
    recorded = wait_until(lambda: s.job_state("ro-job") == "done", 30)
    h.check("outbox: writable again → the job's bundle and the rejection are written, without a restart",
            ok and (result_of(s.outbox, "ro-job") or {}).get(R.STATUS) == "done"
            and (result_of(s.outbox, "rejected-ro-bad") or {}).get(R.STATUS) == "rejected"
            and recorded, f"outbox: {bundles(s.outbox)}, state: {s.job_state('ro-job')}", logs=[d])
    for number in range(1, 10001):
        os.mkdir(os.path.join(s.outbox, "crowded" if number == 1 else f"crowded-{number}"))
    s.drop("crowded", seeds=1)
    ok = wait_for_bundles(s.outbox, ["crowded-10001"], 60)
    h.check("outbox: with crowded … crowded-10000 taken, the bundle is crowded-10001",
            ok and (result_of(s.outbox, "crowded-10001") or {}).get(R.STATUS) == "done", logs=[d])
    # A bundle that cannot be written at all: the job's stored form reads as damaged (the debug
    # build's fault switch, so that this check does not depend on the store's schema) while it runs.
    s.drop("unreadable", N=200, t_max=h.t_max(3, 200), points=20, seeds=1)
    running = wait_until(lambda: s.job_state("unreadable") == "running", 30)
    s.fault(UNREADABLE_JOB)
    unpublished = wait_until(lambda: s.job_state("unreadable") == "unpublished", 60)
    listing = h.run_sgdyn("status", "--state", s.state, timeout=30).stdout.decode(errors="replace")
    h.check("outbox: a bundle that cannot be written → 'unpublished' (not lost, not failed), status names `sgdyn publish`",
            running and unpublished and "sgdyn publish unreadable" in listing and "sgdyn publish unreadable" in d.log(),
            f"status:\n{listing}", logs=[d])
    s.fault(UNREADABLE_JOB, on=False)
    asked = h.run_sgdyn("publish", "unreadable", "--state", s.state, "--wait", "60", timeout=90)
    differences = s.compare_with_references(["unreadable"])["unreadable"] if asked.returncode == 0 else ["no bundle"]
    h.check("outbox: after the cause is fixed, `sgdyn publish NAME` (daemon running) writes the bundle, identical to `sgdyn run`",
            asked.returncode == 0 and asked.stdout.decode().strip().endswith("/unreadable") and not differences
            and s.job_state("unreadable") == "done",
            f"exit {asked.returncode}: {asked.stderr.decode(errors='replace')}\n{differences}", logs=[d])
    h.check("outbox: the daemon stayed up throughout", d.alive(), logs=[d])
    status, _ = d.terminate()
    h.check("outbox: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_identity(h):
    """The store is known by its identity, not by the path text of the state folder: the same
    folder through a symlink re-runs nothing; a lost write-ahead log or an emptied database is
    refused with a clear message instead of starting afresh."""
    s = h.scenario("identity")
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("identity: daemon starts", d.start(), logs=[d]):
        return
    names = [f"id-{i}" for i in range(5)]
    for name in names:
        s.drop(name, seeds=1)
    ok = wait_for_bundles(s.outbox, names, 60)
    status, _ = d.terminate()
    h.check("identity: 5 jobs done, then stopped", ok and status == 0, logs=[d])
    link = os.path.join(s.path, "state-link")
    os.symlink(s.state, link)
    via_link = s.daemon(state=link, label="identity-link")
    started = via_link.start()
    time.sleep(3)
    via_link.terminate()
    h.check("identity: the same state folder through a symlink → nothing re-run (no new bundles, no new jobs)",
            started and bundles(s.outbox) == sorted(names) and len(s.status() or []) == len(names),
            f"outbox: {bundles(s.outbox)}", logs=[via_link])
    wal = os.path.join(s.state, "sgdyn.sqlite-wal")
    h.check("identity: the write-ahead log is kept beside the database after a clean stop", os.path.exists(wal))
    os.rename(wal, wal + ".saved")
    refused = s.daemon(label="identity-nowal")
    refused.start(wait=False)
    exited = wait_until(lambda: refused.proc.poll() is not None, 30)
    h.check("identity: a deleted -wal → the daemon refuses to start, saying why (exit non-zero, no jobs re-run)",
            exited and refused.proc.returncode != 0 and "write-ahead log" in refused.log() and bundles(s.outbox) == sorted(names),
            f"exit {refused.proc.returncode}", logs=[refused])
    os.rename(wal + ".saved", wal)
    database = os.path.join(s.state, "sgdyn.sqlite")
    shutil.copyfile(database, database + ".saved")
    open(database, "wb").close()
    emptied = s.daemon(label="identity-empty")
    emptied.start(wait=False)
    exited = wait_until(lambda: emptied.proc.poll() is not None, 30)
    h.check("identity: an emptied database → refused, saying why",
            exited and emptied.proc.returncode != 0 and "missing or empty" in emptied.log() and bundles(s.outbox) == sorted(names),
            f"exit {emptied.proc.returncode}", logs=[emptied])
    shutil.copyfile(database + ".saved", database)
    again = s.daemon(label="identity-restored")
    ok = again.start()
    time.sleep(2)
    again.terminate()
    h.check("identity: restored → starts again, and still nothing re-run", ok and bundles(s.outbox) == sorted(names), logs=[again])


def scenario_stall(h):
    """A worker that stops reporting (SIGSTOP) is warned about, shown in status, then killed and its
    units resumed from their checkpoints; the result is identical to an uninterrupted run."""
    s = h.scenario("stall")
    d = s.daemon(workers=1, checkpoint=1, config=s.config(stall_warning=3, stall_kill=8))
    if not h.check("stall: daemon starts (stall_warning 3 s, stall_kill 8 s)", d.start(), logs=[d]):
        return
    s.drop("hung", N=200, t_max=h.t_max(8, 200), points=30, seeds=1)
    progressing = wait_until(lambda: (s.jobs_by_name().get("hung") or {}).get("steps_done", 0) > 0, 30)
    workers = d.worker_pids()
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    warned = wait_until(lambda: "has reported nothing" in d.log(), 15)
    shown = wait_until(lambda: ((s.jobs_by_name().get("hung") or {}).get("executor_states") or {}).get("STALLED"), 10)
    h.check(f"stall: a stopped worker is warned about after ~3 s ({time.monotonic() - stopped_at:.1f} s) and status shows the unit STALLED",
            progressing and workers and warned and shown, f"workers {workers}; status {s.jobs_by_name().get('hung')}", logs=[d])
    killed = wait_until(lambda: not any(pid_alive(p) for p in workers), 20)
    h.check(f"stall: … then killed after ~8 s ({time.monotonic() - stopped_at:.1f} s)", killed and "no progress for 8 s" in d.log(), logs=[d])
    crash_lines = wait_until(lambda: [line for line in d.log().splitlines() if "ended without finishing" in line], 10) or []
    h.check("stall: the kill is logged as a stall kill, not as a signal (out of memory, or killed)",
            crash_lines and all("stall kill" in line and "signal" not in line for line in crash_lines), "\n".join(crash_lines), logs=[d])
    ok = wait_for_bundles(s.outbox, ["hung"], 120)
    result = result_of(s.outbox, "hung") or {}
    differences = s.compare_with_references(["hung"])["hung"] if ok else ["no bundle"]
    h.check("stall: resumed from its checkpoint → done, identical to `sgdyn run` apart from timing",
            ok and result.get(R.STATUS) == "done" and not differences, "\n".join(differences), logs=[d])
    status, _ = d.terminate()
    h.check("stall: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_inplace(h):
    """A file written in place with pauses longer than the quiet period is not rejected while it is
    incomplete; a file that never parses is rejected once unchanged for incomplete_wait."""
    s = h.scenario("inplace")
    d = s.daemon(workers=1, checkpoint=1, config=s.config(quiet_period=1, incomplete_wait=6))
    if not h.check("inplace: daemon starts (quiet period 1 s, incomplete_wait 6 s)", d.start(), logs=[d]):
        return
    data = s.job("slow-pieces", N=60, t_max=2, points=4)
    path = os.path.join(s.inbox, "slow-pieces.json")
    pieces = [data[i * len(data) // 3:(i + 1) * len(data) // 3] for i in range(3)]
    with open(path, "wb") as handle:
        for piece in pieces:
            handle.write(piece)
            handle.flush()
            time.sleep(2.5)  # longer than the quiet period
    ok = wait_for_bundles(s.outbox, ["slow-pieces"], 30)
    h.check("inplace: written in 3 pieces 2.5 s apart (quiet period 1 s) → taken when complete, run, no rejection",
            ok and (result_of(s.outbox, "slow-pieces") or {}).get(R.STATUS) == "done"
            and not [b for b in bundles(s.outbox) if b.startswith("rejected-")], f"outbox: {bundles(s.outbox)}", logs=[d])
    with open(os.path.join(s.inbox, "abandoned.json"), "wb") as handle:
        handle.write(b'{"N": 60, "t_max"')
    written = time.monotonic()
    ok = wait_for_bundles(s.outbox, ["rejected-abandoned"], 30)
    took = time.monotonic() - written
    h.check(f"inplace: a file left unparsable is rejected once unchanged for incomplete_wait ({took:.1f} s ≥ 6 s)",
            ok and took >= 6 and (result_of(s.outbox, "rejected-abandoned") or {}).get(R.STATUS) == "rejected", logs=[d])
    status, _ = d.terminate()
    h.check("inplace: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_diverge(h):
    """A diverging run ends 'diverged' with the time, its CSV holding finite numbers only."""
    s = h.scenario("diverge")
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("diverge: daemon starts", d.start(), logs=[d]):
        return
    s.drop_json("boom", {"N": 100, "lr": 1e308, "t_max": 5, "points": 10, "seeds": 2})
    s.drop_json("boom-ode", {"kind": "compare", "N": 100, "activation": "linear", "lr": 1.5, "K": 2, "t_max": 400,
                              "points": 20, "seeds": 1})
    ok = wait_for_bundles(s.outbox, ["boom", "boom-ode"], 60)
    boom = result_of(s.outbox, "boom") or {}
    runs = [run for point in boom.get(R.POINTS, []) for run in point[R.RUNS]]
    finite = True
    for name in ("boom", "boom-ode"):
        for folder, _, files in os.walk(os.path.join(s.outbox, name)):
            for file in files:
                if file.endswith(".csv"):
                    text = open(os.path.join(folder, file)).read().lower()
                    finite = finite and "nan" not in text and "inf" not in text
    with open(os.path.join(s.outbox, "boom", "README.txt")) as handle:
        readme = handle.read()
    # The bundle is in place a moment before the daemon records it published: wait for the store.
    recorded = wait_until(lambda: s.job_state("boom") == "diverged", 15)
    h.check("diverge: lr 1e308 → status diverged, every run has diverged_at {t, step} and no final_eg; README says so",
            ok and boom.get(R.STATUS) == "diverged" and runs and all(R.DIVERGED_AT in r and r[R.FINAL_EG] is None for r in runs)
            and "diverged" in readme.splitlines()[0] and recorded,
            json.dumps(runs)[:600], logs=[d])
    boom_ode = result_of(s.outbox, "boom-ode") or {}
    h.check("diverge: a linear compare job with lr·K = 3 → diverged (simulation and ODE), CSVs finite",
            boom_ode.get(R.STATUS) == "diverged" and finite, json.dumps(boom_ode.get(R.POINTS))[:600], logs=[d])
    # Issue 17, item 6: its ODE used to stay finite for an hour (ε_g 5·10¹⁹, a covariance that is
    # no longer positive semi-definite); it now ends diverged in seconds, as its simulation does.
    started = time.monotonic()
    s.drop_json("relu-k8", {"kind": "ode", "activation": "relu", "K": 8, "M": 2, "lr": 0.5, "sigma": 0.01, "t_max": 1000,
                             "points": 100})
    ok = wait_for_bundles(s.outbox, ["relu-k8"], 90)
    relu = result_of(s.outbox, "relu-k8") or {}
    h.check(f"diverge: the ODE of ReLU K=8 M=2 η=0.5 σ=0.01 ends diverged ({time.monotonic() - started:.0f} s)",
            ok and relu.get(R.STATUS) == "diverged", json.dumps(relu.get(R.POINTS))[:400], logs=[d])
    status, _ = d.terminate()
    h.check("diverge: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_upgrade(h):
    """A state folder of sgdyn 0.1.0 (Tests/Fixtures/state-0.1.0: one job killed mid-run with its
    checkpoints, one queued) is taken over: both finish, nothing is lost."""
    s = h.scenario("upgrade")
    fixture = os.path.join(FIXTURES, "state-0.1.0")
    shutil.copytree(fixture, s.state)
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("upgrade: daemon starts on a state folder of sgdyn 0.1.0", d.start(), logs=[d]):
        return
    ok = wait_for_bundles(s.outbox, ["legacy-queued", "legacy-sweep"], 240)
    states = statuses_of(s.outbox, ["legacy-queued", "legacy-sweep"])
    sweep = result_of(s.outbox, "legacy-sweep") or {}
    h.check("upgrade: both jobs finish done, the interrupted one resumed from its 0.1.0 checkpoints",
            ok and all(v == "done" for v in states.values()) and sweep.get(R.TIMING, {}).get(R.RESUMES, 0) >= 1
            and "converted job legacy-sweep" in d.log(), f"{states}; timing {sweep.get('timing')}", logs=[d])
    with open(os.path.join(fixture, "claimed", sorted(os.listdir(os.path.join(fixture, "claimed")))[0]), "rb") as handle:
        queued = handle.read()
    s.job_files["legacy-queued"] = os.path.join(s.jobs, "legacy-queued.json")
    with open(s.job_files["legacy-queued"], "wb") as handle:
        handle.write(queued)
    differences = s.compare_with_references(["legacy-queued"])["legacy-queued"] if ok else ["no bundle"]
    h.check("upgrade: the queued 0.1.0 job's bundle is identical to `sgdyn run` of its file", not differences, "\n".join(differences))
    status, _ = d.terminate()
    h.check("upgrade: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_pickup(h):
    """A file renamed into the inbox is taken at once, without the quiet period; one copied in place
    waits for it."""
    s = h.scenario("pickup")
    d = s.daemon(workers=1, checkpoint=1, config=s.config(quiet_period=5))
    if not h.check("pickup: daemon starts (quiet period 5 s)", d.start(), logs=[d]):
        return
    time.sleep(1)
    data = job_bytes("renamed")
    started = time.monotonic()
    drop(s.inbox, "renamed", data)
    taken = wait_until(lambda: not os.path.exists(os.path.join(s.inbox, "renamed.json")), 10, interval=0.01)
    renamed_took = time.monotonic() - started
    with open(os.path.join(s.inbox, "copied.json"), "wb") as handle:
        handle.write(job_bytes("copied"))
    started = time.monotonic()
    copied = wait_until(lambda: not os.path.exists(os.path.join(s.inbox, "copied.json")), 15, interval=0.05)
    copied_took = time.monotonic() - started
    h.check(f"pickup: renamed in → claimed in {1000 * renamed_took:.0f} ms (well under the 5 s quiet period); "
            f"written in place → {copied_took:.1f} s (after it)",
            taken and copied and renamed_took < 2 and copied_took >= 5, logs=[d])
    ok = wait_for_bundles(s.outbox, ["renamed", "copied"], 30)
    h.check("pickup: both run", ok, logs=[d])
    status, _ = d.terminate()
    h.check("pickup: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_queued_units(h):
    """Units waiting in their worker's queue behind the job's other units are not silent (issue 17,
    item 1, scaled down): 20 units of ~3 s on 2 threads with stall_warning 2 s and stall_kill 6 s
    run to `done` with no warning and no kill."""
    s = h.scenario("queued-units")
    d = s.daemon(workers=2, checkpoint=1, config=s.config(stall_warning=2, stall_kill=6))
    if not h.check("queued-units: daemon starts (stall_warning 2 s, stall_kill 6 s, 2 threads)", d.start(), logs=[d]):
        return
    s.drop("long-queue", N=200, t_max=h.t_max(3, 200), points=10, seeds=20)
    ok = wait_for_bundles(s.outbox, ["long-queue"], 180)
    result = result_of(s.outbox, "long-queue") or {}
    job = s.jobs_by_name().get("long-queue") or {}
    stalls = [line for line in d.log().splitlines() if "has reported nothing" in line or "stall kill" in line]
    h.check("queued-units: 20 units of ~3 s on 2 threads → done in one attempt, no stall warning or kill",
            ok and result.get(R.STATUS) == "done" and job.get("attempts") == 1 and not stalls,
            f"status {result.get('status')}; store {job}; stall lines: {stalls[:5]}", logs=[d])
    status, _ = d.terminate()
    h.check("queued-units: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_config_bounds(h):
    """Config values that used to pass and then trap (issue 17, item 4): refused at start naming the
    key; on SIGHUP the reload is refused, named, and the old settings kept (the daemon serves on);
    a key removed from the file goes back to its default; the command line is bounded too."""
    s = h.scenario("config-bounds")
    bad = s.config(stall_kill=1e300)
    result = h.run_sgdyn("serve", "--inbox", s.inbox, "--outbox", s.outbox, "--state", s.state, "--config", bad, timeout=30)
    h.check("config-bounds: stall_kill 1e300 in the file → the daemon does not start, naming the key",
            result.returncode != 0 and b"'stall_kill'" in result.stderr, result.stderr.decode(errors="replace")[-500:])
    result = h.run_sgdyn("serve", "--inbox", s.inbox, "--outbox", s.outbox, "--state", s.state, "--checkpoint-interval", "1e300", timeout=30)
    h.check("config-bounds: --checkpoint-interval 1e300 → refused, naming the option",
            result.returncode != 0 and b"--checkpoint-interval" in result.stderr, result.stderr.decode(errors="replace")[-500:])
    config = s.config(stall_warning=30, stall_kill=60, quiet_period=1)
    d = s.daemon(workers=2, checkpoint=1, config=config)
    if not h.check("config-bounds: daemon starts with a valid file", d.start(), logs=[d]):
        return
    s.config(stall_warning=30, stall_kill=1e300, quiet_period=1)
    d.signal(signal.SIGHUP)
    refused = wait_until(lambda: "cannot reload" in d.log() and "'stall_kill'" in d.log(), 10)
    s.drop("after-bad-reload", N=50, t_max=2, points=3, seeds=2)
    ok = wait_for_bundles(s.outbox, ["after-bad-reload"], 60)
    h.check("config-bounds: SIGHUP with stall_kill 1e300 → refused naming the key, old settings kept, jobs still run",
            refused and ok and d.alive() and (result_of(s.outbox, "after-bad-reload") or {}).get(R.STATUS) == "done", logs=[d])
    s.config(quiet_period=1)
    d.signal(signal.SIGHUP)
    reloaded = wait_until(lambda: [line for line in d.log().splitlines() if "SIGHUP: reloaded" in line], 10)
    h.check("config-bounds: SIGHUP with the stall keys removed → reloaded, the defaults apply (stall_kill 1800 s)",
            reloaded and "stall_kill 1800 s" in reloaded[-1], "\n".join(reloaded or []), logs=[d])
    status, _ = d.terminate()
    h.check("config-bounds: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_spool_damage(h):
    """A queued unit's work file overwritten with 300 random bytes and another's deleted while the
    job runs (issue 17, item 5): written again from the store, the job is done and identical to
    `sgdyn run` (it used to fail: "not an sgdyn work unit")."""
    s = h.scenario("spool-damage")
    d = s.daemon(workers=1, checkpoint=1)
    if not h.check("spool-damage: daemon starts (1 thread)", d.start(), logs=[d]):
        return
    s.drop("damaged-spool", N=200, t_max=h.t_max(4, 200), points=10, seeds=4)
    spool = os.path.join(s.state, "spool", "job-1")

    def first_started():
        try:
            return any(os.path.exists(os.path.join(spool, unit, "attempt-1", "progress")) for unit in os.listdir(spool))
        except OSError:
            return False
    started = wait_until(first_started, 30, interval=0.05)
    waiting = []
    for unit in sorted(os.listdir(spool)) if os.path.isdir(spool) else []:
        folder = os.path.join(spool, unit, "attempt-1")
        if os.path.isdir(folder) and not os.path.exists(os.path.join(folder, "progress")):
            waiting.append(folder)
    if len(waiting) >= 2:
        with open(os.path.join(waiting[-1], "work.unit"), "wb") as handle:
            handle.write(os.urandom(300))
        os.unlink(os.path.join(waiting[-2], "work.unit"))
    ok = wait_for_bundles(s.outbox, ["damaged-spool"], 120)
    result = result_of(s.outbox, "damaged-spool") or {}
    rewritten = [line for line in d.log().splitlines() if "written again from the job store" in line]
    differences = s.compare_with_references(["damaged-spool"])["damaged-spool"] if ok else ["no bundle"]
    h.check("spool-damage: a damaged and a missing work file of waiting units are written again from the store → done, "
            "identical to `sgdyn run`",
            started and len(waiting) >= 2 and ok and result.get(R.STATUS) == "done" and len(rewritten) >= 2 and not differences,
            f"waiting units {len(waiting)}; status {result.get('status')}; rewritten {rewritten}; {differences}", logs=[d])
    status, _ = d.terminate()
    h.check("spool-damage: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_burst(h):
    """A burst of tiny jobs renamed into the inbox at once (issue 17, item 7): the first bundles
    come out within seconds, while the rest are still being taken, and every job has exactly one
    bundle. DAEMON_BURST_JOBS (default 150) sets the burst's size (1,000 for the measurement)."""
    s = h.scenario("burst")
    count = int(os.environ.get("DAEMON_BURST_JOBS", "150"))
    d = s.daemon(workers=2, checkpoint=60)
    if not h.check("burst: daemon starts", d.start(), logs=[d]):
        return
    names = [f"burst-{i:04d}" for i in range(count)]
    for name in names:
        data = job_bytes(name, N=20, t_max=0.5, points=2, seeds=1)
        with open(os.path.join(s.inbox, "." + name + ".json.tmp"), "wb") as handle:
            handle.write(data)
    started = time.monotonic()
    for name in names:
        os.rename(os.path.join(s.inbox, "." + name + ".json.tmp"), os.path.join(s.inbox, name + ".json"))
    first = wait_until(lambda: bundles(s.outbox), 120, interval=0.1)
    first_at = time.monotonic() - started
    left_in_inbox = len([n for n in os.listdir(s.inbox) if n.endswith(".json")])
    complete = wait_for_bundles(s.outbox, names, 900)
    total = time.monotonic() - started
    h.info(f"burst: {count} jobs: first bundle after {first_at:.1f} s ({left_in_inbox} files still in the inbox then), "
           f"all {count} after {total:.1f} s")
    h.check(f"burst: the first bundle of {count} jobs dropped at once comes out within 20 s ({first_at:.1f} s), "
            "before the burst has been taken", first and first_at < 20 and left_in_inbox > 0,
            f"first after {first_at:.1f} s, {left_in_inbox} still in the inbox", logs=[d])
    h.check(f"burst: all {count} bundles, exactly one each ({total:.0f} s)", complete and sorted(bundles(s.outbox)) == names,
            f"{len(bundles(s.outbox))} bundles", logs=[d])
    status, _ = d.terminate()
    h.check("burst: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_small_things(h):
    """Issue 17, item 8: files that are not job files are left alone and logged once; validate and
    submit apply the daemon's name rule; the log names a cancel file once; `sgdyn cancel` of a job
    that has finished says so; status counts units computing apart from those waiting for a
    thread; `sgdyn publish` writes again a bundle deleted by hand."""
    s = h.scenario("small-things")
    d = s.daemon(workers=1, checkpoint=1)
    if not h.check("small-things: daemon starts (1 thread)", d.start(), logs=[d]):
        return
    others = ["x.JSON", "x.txt", "noext", "x.json.bak"]
    for name in others:
        with open(os.path.join(s.inbox, name), "wb") as handle:
            handle.write(b"{}")
    logged = wait_until(lambda: all(f"{n} in the inbox is not a job file" in d.log() for n in others), 10)
    time.sleep(2.5)
    counts = {n: d.log().count(f"{n} in the inbox is not a job file") for n in others}
    h.check("small-things: x.JSON, x.txt, noext, x.json.bak are logged once each and left in the inbox",
            logged and all(c == 1 for c in counts.values()) and all(os.path.exists(os.path.join(s.inbox, n)) for n in others),
            f"log counts {counts}", logs=[d])
    for name in others:
        os.unlink(os.path.join(s.inbox, name))
    bad_names = []
    for name in ["ä", "with space"]:
        path = os.path.join(s.jobs, name + ".json")
        with open(path, "wb") as handle:
            handle.write(job_bytes("fine"))
        validate = h.run_sgdyn("validate", path)
        submit = h.run_sgdyn("submit", path, "--inbox", s.inbox)
        if validate.returncode != 65 or submit.returncode != 65 or b"would reject" not in validate.stderr:
            bad_names.append((name, validate.returncode, submit.returncode, validate.stderr.decode(errors="replace")[-200:]))
    h.check("small-things: validate and submit refuse 'ä.json' and 'with space.json' as the daemon would (exit 65), nothing submitted",
            not bad_names and not [n for n in os.listdir(s.inbox) if n.endswith(".json")], str(bad_names))
    open(os.path.join(s.inbox, "nosuch.cancel"), "wb").close()
    named = wait_until(lambda: "nosuch.cancel in the inbox" in d.log(), 10)
    h.check("small-things: a cancel file for no job is logged as 'nosuch.cancel in the inbox' (not .cancel.cancel)",
            named and ".cancel.cancel" not in d.log(), logs=[d])
    s.drop("waiting-units", N=200, t_max=h.t_max(1.5, 200), points=10, seeds=6)
    counted = wait_until(lambda: ((s.jobs_by_name().get("waiting-units") or {}).get("units_running") == 1
                                  and ((s.jobs_by_name().get("waiting-units") or {}).get("executor_states") or {}).get("WAITING", 0) >= 1),
                         30, interval=0.3)
    job = s.jobs_by_name().get("waiting-units") or {}
    h.check("small-things: status counts 1 unit running (1 thread) and the others WAITING, not 6 running",
            counted, f"units_running {job.get('units_running')}, executor_states {job.get('executor_states')}", logs=[d])
    ok = wait_for_bundles(s.outbox, ["waiting-units"], 120)
    cancel = h.run_sgdyn("cancel", "waiting-units", "--state", s.state)
    text = cancel.stderr.decode(errors="replace")
    h.check("small-things: `sgdyn cancel` of a finished job says what it is doing, without usage text",
            ok and cancel.returncode != 0 and "nothing left to cancel" in text and "Usage" not in text and "USAGE" not in text, text)
    bundle = os.path.join(s.outbox, "waiting-units")
    before = result_of(s.outbox, "waiting-units") or {}
    shutil.rmtree(bundle, ignore_errors=True)
    publish = h.run_sgdyn("publish", "waiting-units", "--state", s.state, "--outbox", s.outbox, timeout=120)
    after = result_of(s.outbox, "waiting-units") or {}
    same = {k: v for k, v in before.items() if k != "timing"} == {k: v for k, v in after.items() if k != "timing"}
    h.check("small-things: a bundle deleted by hand is written again by `sgdyn publish NAME` (same result.json apart from timing)",
            publish.returncode == 0 and after.get(R.STATUS) == "done" and same,
            f"exit {publish.returncode}: {publish.stderr.decode(errors='replace')[-300:]}", logs=[d])
    status, _ = d.terminate()
    h.check("small-things: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_store_lock(h):
    """A worker that ends while an operator's `sqlite3` holds BEGIN EXCLUSIVE on the store: its
    end is retried until it is recorded, and the job is done (issue 17, item 3: it used to stay
    `running` without a worker until a restart). The daemon's writes wait at most 0.5 s for the lock
    while it serves, then it leaves the store alone and probes it (`StoreOutage`, logged once)."""
    s = h.scenario("store-lock")
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("store-lock: daemon starts", d.start(), logs=[d]):
        return
    s.drop("locked", N=200, t_max=h.t_max(6, 200), points=10, seeds=2)
    running = wait_until(lambda: (s.jobs_by_name().get("locked") or {}).get("steps_done", 0) > 0, 30)
    database = os.path.join(s.state, "sgdyn.sqlite")
    holder = StoreLockHolder(database)
    locked = wait_until(lambda: store_write_locked(database), 15)
    workers = d.worker_pids()
    # The workers (~6 s of work) end while it is held. The first write that meets the lock (a
    # checkpoint, the end) opens an outage, logged once; the end is recorded after the lock is gone.
    ended_while_locked = wait_until(lambda: workers and not any(pid_alive(p) for p in workers), 60)
    outage_logged = wait_until(lambda: "leaves the store alone" in d.log(), 30)
    # A job dropped while the store is locked stays in the inbox (it is claimed only when it can be
    # recorded), and runs once the lock is gone — without a restart.
    s.drop("late", N=100, t_max=h.t_max(1, 50), points=4, seeds=1)
    time.sleep(3)
    stayed_in_inbox = os.path.exists(os.path.join(s.inbox, "late.json"))
    holder.release(30)
    released = time.monotonic()
    h.check("store-lock: a real sqlite3 held BEGIN EXCLUSIVE while the job's worker ended; the daemon logged the outage once",
            running and locked and workers and ended_while_locked and outage_logged and d.log().count("leaves the store alone") == 1,
            f"running {bool(running)}, locked {locked}, workers {workers}, ended {bool(ended_while_locked)}, "
            f"outage lines {d.log().count('leaves the store alone')}", logs=[d])
    ok = wait_for_bundles(s.outbox, ["locked"], 90)
    result = result_of(s.outbox, "locked") or {}
    answered = [line for line in d.log().splitlines() if "answers again" in line]
    h.check("store-lock: once the lock is gone the store answers again (logged) and the worker's end is recorded: the job is done",
            ok and result.get(R.STATUS) == "done" and len(answered) == 1,
            f"status {result.get('status')}; store {s.jobs_by_name().get('locked')}; lines {answered[:3]}", logs=[d])
    late_ok = wait_for_bundles(s.outbox, ["late"], 120)
    late = result_of(s.outbox, "late") or {}
    h.check("store-lock: a job dropped while the store was locked waits in the inbox, and runs to its bundle once the lock "
            f"is gone (no restart; {time.monotonic() - released:.1f} s after the release)",
            stayed_in_inbox and late_ok and late.get(R.STATUS) == "done" and d.alive(),
            f"in the inbox while locked {stayed_in_inbox}, bundle {late_ok}, status {late.get(R.STATUS)}; "
            f"store {s.jobs_by_name().get('late')}", logs=[d])
    status, took = d.terminate()
    h.check(f"store-lock: SIGTERM → exit 0 ({took:.1f} s)", status == 0, f"exit status {status}", logs=[d])


def scenario_slow_spool(h):
    """A submission's spool written on a hung file system (the debug build's fault switch
    `SPOOL/.fault-slow-spool` holds the writing, as a stuck NFS scratch would) does not hold the
    daemon's loop: a bad job file dropped meanwhile gets its rejection bundle, `sgdyn cancel` of the
    waiting job works, and the job ends cancelled without a worker once the disk answers; SIGTERM
    while a spool is being written exits 0, and the next start runs that job to its bundle."""
    s = h.scenario("slow-spool")
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("slow-spool: daemon starts", d.start(), logs=[d]):
        return
    switch = os.path.join(s.state, "spool", ".fault-slow-spool")
    os.makedirs(os.path.dirname(switch), exist_ok=True)
    open(switch, "w").close()
    s.drop("stuck", N=100, t_max=h.t_max(2, 100), points=4, seeds=3)
    preparing = wait_until(lambda: "writing the spool" in d.log() or "starting attempt" in d.log(), 30)
    dropped = time.monotonic()
    drop(s.inbox, "bad", b"{ not json")
    rejected = wait_for_bundles(s.outbox, ["rejected-bad"], 30)
    took = time.monotonic() - dropped
    h.check(f"slow-spool: while a spool cannot be written, the loop goes on: a bad job file gets its rejection bundle ({took:.1f} s)",
            preparing and rejected and os.path.exists(switch),
            f"preparing {bool(preparing)}, rejection bundle {rejected}, switch still set {os.path.exists(switch)}", logs=[d])
    cancel = h.run_sgdyn("cancel", "stuck", "--state", s.state)
    # The daemon takes the request at its next pass (while the spool is still held), then the disk answers.
    seen = wait_until(lambda: "cancel requested" in d.log(), 30)
    os.unlink(switch)
    ok = wait_for_bundles(s.outbox, ["stuck"], 60)
    result = result_of(s.outbox, "stuck") or {}
    h.check("slow-spool: the job cancelled while its spool was being written ends cancelled without a worker, once the disk answers",
            cancel.returncode == 0 and seen and ok and result.get(R.STATUS) == "cancelled" and "worker running" not in d.log(),
            f"cancel exit {cancel.returncode}: {cancel.stderr.decode(errors='replace')[-200:]}; status {result.get(R.STATUS)}", logs=[d])
    open(switch, "w").close()
    s.drop("resumed", N=100, t_max=h.t_max(2, 100), points=4, seeds=2)
    wait_until(lambda: (s.jobs_by_name().get("resumed") or {}).get("state") == "running", 30)
    status, took = d.terminate()
    h.check(f"slow-spool: SIGTERM while a spool is being written → exit 0 ({took:.1f} s)", status == 0, f"exit status {status}", logs=[d])
    os.unlink(switch)
    d2 = s.daemon(workers=2, checkpoint=1, label="slow-spool-2")
    started = d2.start()
    ok = started and wait_for_bundles(s.outbox, ["resumed"], 90)
    result = result_of(s.outbox, "resumed") or {}
    h.check("slow-spool: the next start runs that job to its bundle (done)", ok and result.get(R.STATUS) == "done",
            f"started {started}, status {result.get(R.STATUS)}; store {s.jobs_by_name().get('resumed')}", logs=[d2])
    status, _ = d2.terminate()
    h.check("slow-spool: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d2])


CHURN_SCRIPT = r"""
import os, sys, time
inbox, rate, seconds, report = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
paths = [os.path.join(inbox, ".churn-%d.tmp" % i) for i in range(64)]
start = time.monotonic(); done = 0
while time.monotonic() - start < seconds:
    # create/delete pairs in bursts of 50, paced to `rate` a second overall
    for i in range(50):
        path = paths[done % 64]
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
        os.unlink(path)
        done += 1
    ahead = done / rate - (time.monotonic() - start)
    if ahead > 0:
        time.sleep(ahead)
with open(report, "w") as handle:
    handle.write("%d %.3f" % (done, time.monotonic() - start))
"""


def daemon_cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def scenario_churn(h):
    """Inotify churn (thousands of ignored files created and deleted a second in the inbox) cannot
    push out the daemon's own events: every job dropped meanwhile finishes, and SIGTERM during the
    churn stops the daemon in its usual time. DAEMON_CHURN_SECONDS (default 15) sets the churn's
    length, DAEMON_CHURN_RATE (default 3000) its create/delete pairs a second."""
    s = h.scenario("churn")
    seconds = float(os.environ.get("DAEMON_CHURN_SECONDS", "15"))
    rate = float(os.environ.get("DAEMON_CHURN_RATE", "3000"))
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("churn: daemon starts", d.start(), logs=[d]):
        return
    report = os.path.join(s.path, "churn-report")
    churn = subprocess.Popen([sys.executable, "-c", CHURN_SCRIPT, s.inbox, str(rate), str(seconds), report])
    started = time.monotonic()
    time.sleep(min(3, seconds / 4))
    names = [f"churn-{i}" for i in range(10)]
    for name in names:
        s.drop(name, N=50, t_max=2, points=3, seeds=2)
    # Every job must finish while the churn still goes on.
    finished = wait_for_bundles(s.outbox, names, max(5, seconds - (time.monotonic() - started) - 2))
    finished_at = time.monotonic() - started
    still_churning = churn.poll() is None
    jobs = s.jobs_by_name()
    h.check(f"churn: all 10 jobs dropped during the churn are done while it goes on ({finished_at:.1f} s into it)",
            finished and still_churning and all(statuses_of(s.outbox, names)[n] == "done" for n in names),
            f"churn running: {still_churning}; store: { {n: (jobs.get(n) or {}).get('state') for n in names} }", logs=[d])
    # SIGTERM late in the churn, after the daemon has had most of it.
    time.sleep(max(0.0, seconds - (time.monotonic() - started) - 3))
    cpu = daemon_cpu_seconds(d.pid)
    sigterm_at = time.monotonic() - started
    status, took = d.terminate(30)
    churning_at_stop = churn.poll() is None
    h.check(f"churn: SIGTERM during the churn → exit 0 in {took:.1f} s (as without churn: under 10 s)",
            status == 0 and took < 10 and churning_at_stop, f"exit status {status}; churn still running: {churning_at_stop}", logs=[d])
    churn.wait(seconds + 60)
    try:
        with open(report) as handle:
            done, elapsed = handle.read().split()
        h.info(f"churn: {int(done)} create/delete pairs in {float(elapsed):.1f} s ({int(done) / float(elapsed):.0f} a second); "
               f"jobs done {finished_at:.1f} s into it; SIGTERM {sigterm_at:.1f} s into it took {took:.1f} s; "
               f"the daemon used {cpu:.1f} s of CPU until then")
    except (OSError, ValueError):
        h.check("churn: the churn process reported its rate", False)


ROBUSTNESS_SCENARIOS = [
    ("limits", scenario_limits),
    ("odes", scenario_odes),
    ("outbox", scenario_outbox),
    ("identity", scenario_identity),
    ("stall", scenario_stall),
    ("inplace", scenario_inplace),
    ("diverge", scenario_diverge),
    ("upgrade", scenario_upgrade),
    ("pickup", scenario_pickup),
    ("churn", scenario_churn),
    ("queued-units", scenario_queued_units),
    ("store-lock", scenario_store_lock),
    ("slow-spool", scenario_slow_spool),
    ("config-bounds", scenario_config_bounds),
    ("spool-damage", scenario_spool_damage),
    ("burst", scenario_burst),
    ("small-things", scenario_small_things),
]
