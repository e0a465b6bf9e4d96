#!/usr/bin/env python3
"""End-to-end checks of `sgdyn serve`: the real daemon process on temporary folders.

Run through scripts/daemon-tests.sh PATH-TO-SGDYN. Standard library and the harness library
scripts/sgdyn_harness/ (docs/daemon.md, "The end-to-end scripts") only. Every wait has a
deadline; every process started here (daemons, their workers, reference runs) is found again by
its command line (which names this run's temporary folder) and killed by pid at the end, and the
temporary folder (and a tmpfs mounted for the full-disk check) is removed.

Each scenario starts its own daemon(s) with its own inbox, outbox and state folder. The last line
is `daemon: N passed, M failed`.
"""

import errno
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

import result_fields as R  # result.json's field names, generated from ResultDocument
from sgdyn_harness import (ACTIVE_STATES, Deadline, Harness, Scenario, bundle_differences, bundles, drop, expect_exact_bundles, job_bytes,
                           manifest_problems, pid_alive, result_of, run_scenarios, statuses_of, wait_for_bundles,
                           wait_until)
# The scenario modules of this step; like this file, they import only the harness library.
from daemon_robustness import ROBUSTNESS_SCENARIOS
from daemon_users import USERS_SCENARIOS

# The whole run may not take longer than this (it normally takes four to five minutes); a longer
# kill -9 soak gets more.
TOTAL_DEADLINE_SECONDS = 30 * 60 + 5 * max(0, int(os.environ.get("DAEMON_KILL9_ITERATIONS", "20")) - 20)


# --------------------------------------------------------------------------------------------
# Scenarios


def scenario_bulk(h):
    """200 jobs dropped by rename while the daemon runs → 200 bundles, nothing else."""
    s = h.scenario("bulk")
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("bulk: daemon starts", d.start(), logs=[d]):
        return
    names = [f"bulk-{i:03d}" for i in range(200)]
    started = time.monotonic()
    for i, name in enumerate(names):
        s.drop(name, lr=round(0.2 + 0.1 * (i % 7), 1), seeds=[i % 4])
        if h.rng.random() < 0.3:
            time.sleep(h.rng.uniform(0, 0.04))
    dropped = time.monotonic() - started
    complete = wait_for_bundles(s.outbox, names, 300)
    elapsed = time.monotonic() - started
    h.check(f"bulk: 200 jobs dropped by rename ({dropped:.1f} s) while it runs → 200 bundles ({elapsed:.0f} s)",
            complete, f"{len(set(bundles(s.outbox)) & set(names))} of 200 bundles after 300 s", logs=[d])
    time.sleep(1.5)  # a spurious late bundle would appear now
    expect_exact_bundles(h, "bulk: no spurious bundles (no NAME-2, no rejected-*, no unfinished folders)", s.outbox, names, [d])
    states = statuses_of(s.outbox, names)
    bad = {n: v for n, v in states.items() if v != "done" and n in bundles(s.outbox)}
    h.check("bulk: every result.json says done", not bad, str(dict(list(bad.items())[:10])))
    problems = [p for n in bundles(s.outbox) for p in manifest_problems(os.path.join(s.outbox, n))]
    h.check("bulk: every manifest matches its files (sizes, SHA-256)", not problems, "\n".join(problems[:10]))
    listing = s.status() or []
    wrong = [j for j in listing if j["state"] != "done" or j["attempts"] != 1]
    h.check("bulk: status --json lists exactly the 200 jobs, all done after one attempt",
            sorted(j["name"] for j in listing) == names and not wrong,
            f"{len(listing)} jobs listed; not done or attempts ≠ 1: {[(j['name'], j['state'], j['attempts']) for j in wrong[:10]]}")
    left = os.listdir(s.inbox)
    h.check("bulk: inbox is empty afterwards", not left, str(left[:10]))
    index = os.path.join(s.outbox, "index.html")
    listed = wait_until(lambda: os.path.exists(index) and all(f'href="{n}/index.html"' in open(index, errors="replace").read()
                                                              for n in names), 60)
    h.check("bulk: the daemon keeps outbox/index.html up to date: it links every bundle's page", listed,
            f"index.html exists: {os.path.exists(index)}", logs=[d])
    sample = h.rng.sample(names, 3)
    differences = s.compare_with_references(sample)
    bad = {n: p for n, p in differences.items() if p}
    h.check(f"bulk: sample bundles {', '.join(sample)} identical to `sgdyn run` apart from timing", not bad, json.dumps(bad, indent=1))
    status, seconds = d.terminate()
    h.check(f"bulk: SIGTERM → exit 0 ({seconds:.1f} s)", status == 0, f"exit status {status}", logs=[d])


def scenario_slow_writer(h):
    """A file written in place in pieces over several seconds is not taken before it is complete."""
    s = h.scenario("slow")
    d = s.daemon(config=s.config(quiet_period=2))
    if not h.check("slow-writer: daemon starts (quiet period 2 s)", d.start(), logs=[d]):
        return
    data = s.job("slow", N=60, t_max=2, points=4)
    pieces = [data[i * len(data) // 7:(i + 1) * len(data) // 7] for i in range(7)]
    path = os.path.join(s.inbox, "slow.json")
    taken_at = None
    started = time.monotonic()
    with open(path, "wb") as handle:
        for i, piece in enumerate(pieces):
            handle.write(piece)
            handle.flush()
            time.sleep(0.8)
            if not os.path.exists(path) or bundles(s.outbox):
                taken_at = i
                break
    written = time.monotonic() - started
    h.check(f"slow-writer: a file written in place in 7 pieces over {written:.1f} s (0.8 s apart) stays in the inbox until complete",
            taken_at is None, f"taken after piece {taken_at}; outbox: {bundles(s.outbox)}", logs=[d])
    wait_for_bundles(s.outbox, ["slow"], 30)
    time.sleep(0.5)
    result = result_of(s.outbox, "slow")
    h.check("slow-writer: then taken and run → bundle 'slow' done, no rejection bundle",
            bundles(s.outbox) == ["slow"] and result and result.get(R.STATUS) == "done",
            f"outbox: {bundles(s.outbox)}; status {result and result.get('status')}", logs=[d])
    status, _ = d.terminate()
    h.check("slow-writer: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_stopped(h):
    """Files dropped while the daemon is stopped are found when it starts."""
    s = h.scenario("stopped")
    d = s.daemon()
    ok = d.start()
    status, _ = d.terminate()
    if not h.check("stopped: daemon starts once and stops with exit 0 (empty inbox)", ok and status == 0, logs=[d]):
        return
    names = [f"offline-{i}" for i in range(5)]
    for name in names[:4]:
        s.drop(name, seeds=2)
    s.job(names[4], seeds=2)
    shutil.copyfile(s.job_files[names[4]], os.path.join(s.inbox, names[4] + ".json"))  # in place, like cp
    started = time.monotonic()
    h.check("stopped: daemon restarts", d.start(), logs=[d])
    complete = wait_for_bundles(s.outbox, names, 60)
    h.check(f"stopped: 5 files dropped while it was stopped (4 renamed, 1 copied in place) are run at start ({time.monotonic() - started:.1f} s)",
            complete, f"outbox: {bundles(s.outbox)}", logs=[d])
    time.sleep(1)
    expect_exact_bundles(h, "stopped: exactly those 5 bundles, all done", s.outbox, names, [d])
    bad = {n: v for n, v in statuses_of(s.outbox, names).items() if v != "done"}
    h.check("stopped: every result.json says done", not bad, str(bad))
    status, _ = d.terminate()
    h.check("stopped: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_claimers(h):
    """Two daemons, each with its own state folder, race for one inbox: no job runs twice."""
    s = h.scenario("claimers")
    state_a, state_b = os.path.join(s.path, "state-a"), os.path.join(s.path, "state-b")
    a = s.daemon(state=state_a, workers=1, label="claimers-a")
    b = s.daemon(state=state_b, workers=1, label="claimers-b")
    if not h.check("claimers: two daemons start on one inbox and one outbox (state folders apart, same filesystem)",
                   a.start() and b.start(), logs=[a, b]):
        return
    first = [f"race-{i:02d}" for i in range(40)]
    for name in first:
        s.drop(name, seeds=[1 + len(name)], lr=0.4)
    done_first = wait_for_bundles(s.outbox, first, 120)
    h.check("claimers: 40 jobs dropped while both run → 40 bundles", done_first,
            f"{len(set(bundles(s.outbox)) & set(first))} of 40", logs=[a, b])
    status_a, _ = a.terminate()
    status_b, _ = b.terminate()
    h.check("claimers: both stop with exit 0", status_a == 0 and status_b == 0, f"exit status {status_a}, {status_b}", logs=[a, b])
    second = [f"race-{i:02d}" for i in range(40, 80)]
    for name in second:
        s.drop(name, seeds=[2], lr=0.6)
    a.start(wait=False)
    b.start(wait=False)
    started = a.wait_ready() and b.wait_ready()
    done_second = started and wait_for_bundles(s.outbox, second, 120)
    h.check("claimers: 40 jobs dropped while both were stopped, then both started together → 40 bundles",
            done_second, f"{len(set(bundles(s.outbox)) & set(second))} of 40", logs=[a, b])
    names = first + second
    time.sleep(1.5)
    expect_exact_bundles(h, "claimers: every job in exactly one bundle overall (no NAME-2, no rejections)", s.outbox, names, [a, b])
    jobs_a, jobs_b = s.jobs_by_name(state_a), s.jobs_by_name(state_b)
    both = sorted(set(jobs_a) & set(jobs_b))
    neither = sorted(set(names) - set(jobs_a) - set(jobs_b))
    h.check("claimers: each job is in exactly one daemon's job store",
            not both and not neither and len(jobs_a) + len(jobs_b) == len(names),
            f"in both: {both[:10]}; in neither: {neither[:10]}; {len(jobs_a)} + {len(jobs_b)} jobs")
    claimed = {}
    for folder in (state_a, state_b):
        for entry in os.listdir(os.path.join(folder, "claimed")):
            stem = entry.split("-", 1)[1] if "-" in entry else entry
            claimed.setdefault(stem.removesuffix(".json"), []).append(folder)
    twice = {n: v for n, v in claimed.items() if len(v) != 1}
    h.check("claimers: each job file was claimed exactly once (claimed folders)",
            not twice and set(claimed) == set(names), f"claimed more than once: {list(twice)[:10]}; {len(claimed)} claimed")
    not_done = [n for n, j in {**jobs_a, **jobs_b}.items() if j["state"] != "done"]
    h.check("claimers: all done", not not_done, str(not_done[:10]))
    h.info(f"claimers: daemon A ran {len(jobs_a)} jobs, daemon B {len(jobs_b)}")
    status_a, _ = a.terminate()
    status_b, _ = b.terminate()
    h.check("claimers: both stop with exit 0 again", status_a == 0 and status_b == 0, f"exit status {status_a}, {status_b}", logs=[a, b])


def scenario_kill9(h):
    """kill -9 of the daemon (alone, or with its workers; once a worker alone) at random moments,
    restarting each time: every job ends in exactly one bundle, identical to an uninterrupted run."""
    iterations = int(os.environ.get("DAEMON_KILL9_ITERATIONS", "20"))
    rng = random.Random(h.seed * 7 + 1)
    s = h.scenario("kill9")
    # Long jobs, two units each, about 3 s per unit (h.t_max sizes them); different code paths.
    long_jobs = {
        "k9-online": dict(N=200, t_max=h.t_max(3.5, 200), points=40, seeds=2),
        "k9-batch": dict(N=150, t_max=h.t_max(3, 150, batch_size=3), points=30, seeds=2, batch_size=3, sigma=0.1),
        "k9-second-layer": dict(N=200, t_max=h.t_max(3.5, 200), points=30, seeds=[3, 5], train_second_layer=True, lr=0.3),
        "k9-finite": dict(N=150, t_max=h.t_max(3, 150), points=30, seeds=1, training_set=2.0, sweep={"lr": [0.3, 0.6]}),
        "k9-relu": dict(N=200, t_max=h.t_max(3, 200, K=3), points=30, seeds=2, activation="relu", lr=0.2, K=3),
    }
    for name, keys in long_jobs.items():
        s.drop(name, **keys)
    names = list(long_jobs)
    d = s.daemon(workers=2, checkpoint=0.5)  # checkpoints often, so that short lives leave some
    counts = {"daemon": 0, "daemon+workers": 0, "worker": 0}
    unexpected_exits, survivors, failed_starts = [], [], []
    small = 0
    during_runs = 0
    rejected = []
    started = time.monotonic()

    def drop_small():
        nonlocal small
        name = f"k9-small-{small:02d}"
        small += 1
        s.drop(name, N=60, t_max=30, points=8, seeds=2)
        names.append(name)
        if rng.random() < 0.3:  # and now and then a bad file, for the rejection path
            bad_name = f"k9-bad-{small:02d}"
            drop(s.inbox, bad_name, b'{"N": 60, "lr": "fast"}')
            rejected.append("rejected-" + bad_name)

    for iteration in range(iterations):
        if iteration and iteration % 20 == 0:  # longer soaks: keep simulations running throughout
            for name, keys in long_jobs.items():
                s.drop(f"{name}-r{iteration // 20}", **keys)
                names.append(f"{name}-r{iteration // 20}")
        if rng.random() < 0.3:
            drop_small()  # dropped while the daemon is down
        d.start(wait=False)
        delay = rng.uniform(0.05, 0.5) if rng.random() < 0.25 else rng.uniform(0.5, 3.5)
        drop_at = rng.uniform(0, delay) if rng.random() < 0.4 else None
        begin = time.monotonic()
        if drop_at is not None:
            time.sleep(drop_at)
            drop_small()
        time.sleep(max(0.0, delay - (time.monotonic() - begin)))
        if iteration == 0:
            # Once, a worker alone (as an OOM kill would): the live daemon requeues its job.
            workers = wait_until(d.worker_pids, 10, interval=0.05)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                counts["worker"] += 1
                time.sleep(rng.uniform(0.5, 1.5))
        if not d.alive():
            unexpected_exits.append(f"iteration {iteration}: daemon exited by itself with {d.proc.returncode}")
            failed_starts.append(d.log_tail(15))
            d.reap()
            continue
        workers = d.worker_pids()
        os.kill(d.pid, signal.SIGKILL)
        if workers:
            during_runs += 1
        if rng.random() < 0.5:
            mode = "daemon+workers"
            for pid in workers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        else:
            mode = "daemon"
        counts[mode] += 1
        d.reap()
        if not wait_until(lambda: not any(pid_alive(p) for p in workers), 5, interval=0.05):
            survivors.append(f"iteration {iteration}: workers {[p for p in workers if pid_alive(p)]} outlived the daemon")
            for pid in workers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
    soak = time.monotonic() - started
    h.check(f"kill9: {iterations} kill -9 at random moments in {soak:.0f} s (seed {h.seed}; {counts['daemon']} daemon alone, "
            f"{counts['daemon+workers']} daemon and workers, {counts['worker']} worker alone; {during_runs} while workers ran): "
            f"the daemon never exited by itself",
            iterations >= 20 and not unexpected_exits, "\n".join(unexpected_exits + failed_starts))
    h.check("kill9: worker processes never outlive a daemon killed with kill -9", not survivors, "\n".join(survivors))
    h.check("kill9: restarted daemon comes up", d.start(), logs=[d])
    finished = wait_until(lambda: set(names + rejected) <= set(bundles(s.outbox)) and not any(
        j["state"] in ACTIVE_STATES for j in (s.status() or [{"state": "queued"}])), 300, interval=0.5)
    h.check(f"kill9: after the last restart every job finishes ({time.monotonic() - started:.0f} s in all)", finished,
            f"outbox: {bundles(s.outbox)}", logs=[d])
    time.sleep(1)
    status, _ = d.terminate()
    h.check("kill9: final SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])
    expect_exact_bundles(h, f"kill9: every job ({len(names)}, and {len(rejected)} bad files) ends in exactly one bundle, nothing else",
                         s.outbox, names + rejected, [d])
    not_rejected = {n: v for n, v in statuses_of(s.outbox, rejected).items() if v != "rejected"}
    h.check("kill9: the bad files' bundles say rejected", not not_rejected, str(not_rejected))
    everything = s.status() or []
    # Bad files are in the store too, as rejections (their bundles are written by the same path).
    listing = [j for j in everything if j["state"] != "rejected"]
    stored_rejections = sorted(j["name"] for j in everything if j["state"] == "rejected")
    h.check("kill9: each bad file is in the store once, as a rejection", stored_rejections == sorted(rejected),
            f"stored: {stored_rejections}; dropped: {sorted(rejected)}")
    bad = [(j["name"], j["state"], j["attempts"], j["error"]) for j in listing if j["state"] != "done"]
    result_states = {n: v for n, v in statuses_of(s.outbox, names).items() if v != "done"}
    h.check("kill9: every job done (none failed, quarantined or rejected)",
            not bad and not result_states and len(listing) == len(names),
            f"store: {bad}\nresult.json: {result_states}\n{len(listing)} jobs in the store for {len(names)} dropped")
    problems = [p for n in bundles(s.outbox) for p in manifest_problems(os.path.join(s.outbox, n))]
    h.check("kill9: every manifest matches its files", not problems, "\n".join(problems[:10]))
    differences = s.compare_with_references([n for n in names if os.path.isdir(os.path.join(s.outbox, n))])
    bad = {n: p for n, p in differences.items() if p}
    resumed = sorted(n for n in names if ((result_of(s.outbox, n) or {}).get(R.TIMING) or {}).get(R.RESUMES, 0) > 0)
    h.check(f"kill9: all bundles identical to an uninterrupted `sgdyn run` apart from timing ({len(resumed)} resumed from checkpoints)",
            not bad, json.dumps(bad, indent=1))
    h.check("kill9: the long jobs were really resumed from checkpoints (timing.resumes > 0)",
            len([n for n in resumed if not n.startswith("k9-small-")]) >= 3, f"resumed: {resumed}")
    attempts = {j["name"]: j["attempts"] for j in listing if j["name"] in long_jobs}
    h.info(f"kill9: attempts of the long jobs: {attempts}")


def scenario_sigterm(h):
    """SIGTERM while two units run: checkpoint, exit 0 within 30 s; the restart resumes."""
    s = h.scenario("sigterm")
    d = s.daemon(workers=2, checkpoint=1000)  # only the shutdown writes a checkpoint
    if not h.check("sigterm: daemon starts (--checkpoint-interval 1000)", d.start(), logs=[d]):
        return
    s.drop("term", N=200, t_max=h.t_max(6, 200), points=40, seeds=2)
    running = wait_until(lambda: (s.jobs_by_name().get("term") or {}).get("state") == "running", 30)
    time.sleep(2.5)
    workers = d.worker_pids()
    status, seconds = d.terminate(30)
    h.check(f"sigterm: exit 0 within 30 s while 2 units run ({seconds:.1f} s)", running and status == 0 and seconds <= 30,
            f"running: {bool(running)}; exit status {status} after {seconds:.1f} s", logs=[d])
    left = [p for p in workers if pid_alive(p)]
    h.check(f"sigterm: its {len(workers)} worker process(es) ended before it exited", workers and not left,
            f"workers before: {workers}; still alive: {left}")
    job = s.jobs_by_name().get("term") or {}
    h.check("sigterm: the job is 'interrupted' with its progress checkpointed at shutdown (steps_done > 0)",
            job.get("state") == "interrupted" and job.get("steps_done", 0) > 0 and not bundles(s.outbox),
            f"status: {job}; outbox {bundles(s.outbox)}")
    units = s.units("term")
    h.check("sigterm: `sgdyn status term --json` gives each unit checkpoint_sequence 1 (the shutdown's checkpoint only)",
            len(units) == 2 and all(unit.get("checkpoint_sequence") == 1 for unit in units), f"units: {units}")
    h.check("sigterm: restart", d.start(), logs=[d])
    wait_for_bundles(s.outbox, ["term"], 120)
    status, _ = d.terminate()
    result = result_of(s.outbox, "term") or {}
    differences = s.compare_with_references(["term"])["term"] if result else ["no bundle"]
    h.check(f"sigterm: the restart resumes it → done, resumes = {result.get('timing', {}).get('resumes')}, identical to `sgdyn run`",
            result.get(R.STATUS) == "done" and result.get(R.TIMING, {}).get(R.RESUMES, 0) >= 1 and not differences,
            "\n".join(differences), logs=[d])
    h.check("sigterm: second SIGTERM (idle) → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_options(h):
    """Jobs with the options of the authors' simulator (classification, a sparse teacher, early
    stop, stored weights, full-batch descent) through the daemon's workers, interrupted by SIGTERM
    and resumed from their checkpoints: identical to `sgdyn run`, and the .npy files numpy reads
    give the CSV's overlaps."""
    s = h.scenario("options")
    d = s.daemon(workers=2, checkpoint=1000)  # only the shutdown writes a checkpoint
    if not h.check("options: daemon starts", d.start(), logs=[d]):
        return
    s.drop("opt-classify", N=200, t_max=h.t_max(6, 150), points=40, seeds=2, task="classify", label_flip=0.1,
           teacher_sparsity=0.5, training_set=2, mc_test_set=300, stop_below=0.2, store_weights=True)
    s.drop("opt-full", N=60, t_max=h.t_max(4, 60, batch_size=180), points=30, seeds=2, training_set=3, batch_size="full", sigma=0.1,
           store_weights=True)
    names = ["opt-classify", "opt-full"]
    wait_until(lambda: any((s.jobs_by_name().get(n) or {}).get("state") == "running" for n in names), 30)
    time.sleep(2.0)
    status, _ = d.terminate(30)
    h.check("options: SIGTERM while they run → exit 0", status == 0, f"exit status {status}", logs=[d])
    h.check("options: restart", d.start(), logs=[d])
    complete = wait_for_bundles(s.outbox, names, 180)
    status, _ = d.terminate()
    h.check("options: both bundles written", complete, f"outbox: {bundles(s.outbox)}", logs=[d])
    differences = s.compare_with_references(names)
    bad = {n: p for n, p in differences.items() if p}
    resumes = {n: ((result_of(s.outbox, n) or {}).get(R.TIMING) or {}).get(R.RESUMES) for n in names}
    h.check(f"options: done, identical to `sgdyn run` apart from timing (resumes {resumes})",
            all((result_of(s.outbox, n) or {}).get(R.STATUS) == "done" for n in names) and not bad, json.dumps(bad, indent=1))
    for name in names:
        check = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy_check.py"),
                                os.path.join(s.outbox, name)], capture_output=True, text=True, timeout=120)
        h.check(f"options: {name}: numpy reads the stored weights, W Wᵀ/N = Q and W Bᵀ/N = R at the first and last rows",
                check.returncode == 0, check.stdout + check.stderr)


def scenario_reuse(h):
    """teacher_from / student_from (issue 21, item 5) through the daemon: a job takes the teacher
    of an earlier bundle's run and repeats that run exactly, also when SIGTERM interrupts it and
    it resumes from its checkpoint (the unit carries the teacher read at intake); a job starts
    from a run's final student; bad sources are rejection bundles naming the key."""
    s = h.scenario("reuse")
    d = s.daemon(workers=2, checkpoint=1000)  # only the shutdown writes a checkpoint
    if not h.check("reuse: daemon starts", d.start(), logs=[d]):
        return
    shape = dict(N=200, M=2, K=3, points=30, seeds=2, store_weights=True)
    s.drop("ru-src", t_max=3, **shape)
    if not h.check("reuse: the source bundle is written", wait_for_bundles(s.outbox, ["ru-src"], 120), f"outbox: {bundles(s.outbox)}"):
        return
    os.symlink("ru-src", os.path.join(s.outbox, "ru-linked"))
    # ru-teacher is ru-src again with seed 0's teacher, long enough to be interrupted.
    long_t_max = h.t_max(6, 200, K=3)
    s.drop("ru-src-long", t_max=long_t_max, **shape)
    names = ["ru-src-long"]
    if not h.check("reuse: the long source bundle is written", wait_for_bundles(s.outbox, names, 180), f"outbox: {bundles(s.outbox)}"):
        return
    s.drop("ru-teacher", t_max=long_t_max, teacher_from="ru-src-long/seed-0", **shape)
    s.drop("ru-start", t_max=1, teacher_from="ru-src/seed-1", student_from="ru-src/seed-1/final", **shape)
    bad = {"ru-missing": dict(teacher_from="nothing/seed-0"), "ru-link": dict(teacher_from="ru-linked/seed-0"),
           "ru-dotdot": dict(teacher_from="../outbox/ru-src/seed-0"), "ru-shape": dict(teacher_from="ru-src/seed-0", N=201),
           "ru-student-shape": dict(student_from="ru-src/seed-0", K=4)}
    for name, keys in bad.items():
        s.drop(name, **{**shape, "t_max": 1, **keys})
    wait_until(lambda: (s.jobs_by_name().get("ru-teacher") or {}).get("state") == "running", 30)
    time.sleep(2.0)
    status, _ = d.terminate(30)
    h.check("reuse: SIGTERM while ru-teacher runs → exit 0", status == 0, f"exit status {status}", logs=[d])
    h.check("reuse: restart", d.start(), logs=[d])
    good = ["ru-teacher", "ru-start"]
    complete = wait_for_bundles(s.outbox, good + ["rejected-" + n for n in bad], 240)
    status, _ = d.terminate()
    h.check("reuse: every bundle written", complete, f"outbox: {bundles(s.outbox)}", logs=[d])

    def same(a, b):
        try:
            with open(os.path.join(s.outbox, a), "rb") as x, open(os.path.join(s.outbox, b), "rb") as y:
                return x.read() == y.read()
        except OSError:
            return False
    result = result_of(s.outbox, "ru-teacher") or {}
    resumes = (result.get(R.TIMING) or {}).get(R.RESUMES)
    h.check(f"reuse: ru-teacher done after resuming ({resumes} resume(s)), seed 0 the source run's CSV byte for byte",
            result.get(R.STATUS) == "done" and (resumes or 0) >= 1 and same("ru-teacher/seed-0.csv", "ru-src-long/seed-0.csv"),
            json.dumps(result.get(R.ERROR)))
    h.check("reuse: ru-teacher's seed 1 learnt seed 0's teacher (its B.npy is the source's seed-0 B.npy)",
            same("ru-teacher/weights/seed-1/B.npy", "ru-src-long/weights/seed-0/B.npy")
            and not same("ru-teacher/weights/seed-1/B.npy", "ru-src-long/weights/seed-1/B.npy"))
    sources = [entry.get("path") for entry in result.get(R.WEIGHTS_FROM) or []]
    h.check("reuse: result.json's weights_from names the files read",
            sources == ["ru-src-long/weights/seed-0/B.npy", "ru-src-long/weights/seed-0/vstar.npy"], json.dumps(sources))
    start = result_of(s.outbox, "ru-start") or {}
    h.check("reuse: ru-start starts from the source's final student (W-initial.npy = the source's W-final.npy) and its teacher",
            start.get(R.STATUS) == "done" and same("ru-start/weights/seed-0/W-initial.npy", "ru-src/weights/seed-1/W-final.npy")
            and same("ru-start/weights/seed-1/B.npy", "ru-src/weights/seed-1/B.npy"), json.dumps(start.get(R.ERROR)))
    check = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy_check.py"),
                            os.path.join(s.outbox, "ru-start")], capture_output=True, text=True, timeout=120)
    h.check("reuse: numpy reads ru-start's weights and they give its CSV's Q and R", check.returncode == 0, check.stdout + check.stderr)
    for name, keys in bad.items():
        rejected = result_of(s.outbox, "rejected-" + name) or {}
        error = rejected.get(R.ERROR) or {}
        key = "student_from" if "student_from" in keys else "teacher_from"
        h.check(f"reuse: {name} ({json.dumps(keys)}) is rejected naming {key}",
                rejected.get(R.STATUS) == "rejected" and error.get("key") == key, json.dumps(error))


def scenario_hostile(h):
    """A hostile corpus: exactly one rejection bundle each, the daemon stays up and serves on."""
    s = h.scenario("hostile")
    outside = os.path.join(s.path, "outside")
    os.makedirs(outside)
    target = os.path.join(outside, "target.json")
    target_bytes = job_bytes("target")
    with open(target, "wb") as handle:
        handle.write(target_bytes)
    linked = os.path.join(outside, "linked.json")
    with open(linked, "wb") as handle:
        handle.write(job_bytes("linked"))
    inbox = s.inbox
    garbage = random.Random(4).randbytes(4096)
    # Placed as dot-files first where content matters, then renamed, so nothing is half-written.
    contents = {
        "bad_json": b'{"N": 50,\n "t_max": 1,,\n}',
        "unknown_key": b'{"learning_rate": 0.1}',
        "wrong_type": b'{"N": "fifty"}',
        "bad_value": b'{"N": 0}',
        "not_object": b"[1, 2, 3]",
        "garbage": garbage,
        "nul_bytes": b'{"N": 50\x00, "t_max": 1}',
        "deep_nesting": b"[" * 300000,
        "huge": b'{"description": "' + b"x" * (2 << 20) + b'"}',
    }
    for stem, data in contents.items():
        with open(os.path.join(inbox, f".{stem}.tmp"), "wb") as handle:
            handle.write(data)
    # Each entry: how to find its bundle (by name, or by a text in the message) and what to expect.
    expected = {
        "bad_json": ("rejected-bad_json", lambda r: R.LINE in r[R.ERROR] and R.COLUMN in r[R.ERROR]),
        "unknown_key": ("rejected-unknown_key", lambda r: r[R.ERROR].get(R.KEY) == "learning_rate"),
        "wrong_type": ("rejected-wrong_type", lambda r: r[R.ERROR].get(R.KEY) == "N"),
        "bad_value": ("rejected-bad_value", lambda r: r[R.ERROR].get(R.KEY) == "N"),
        "not_object": ("rejected-not_object", lambda r: True),
        "garbage": ("rejected-garbage", lambda r: True),
        "nul_bytes": ("rejected-nul_bytes", lambda r: True),
        "deep_nesting": ("rejected-deep_nesting", lambda r: True),
        "huge": ("rejected-huge", lambda r: "at most" in r[R.ERROR][R.MESSAGE]),
        "symlink": ("rejected-symlink", lambda r: "symbolic link" in r[R.ERROR][R.MESSAGE]),
        "fifo": ("rejected-fifo", lambda r: "FIFO" in r[R.ERROR][R.MESSAGE]),
        "socket": ("rejected-socket", lambda r: "socket" in r[R.ERROR][R.MESSAGE]),
        "hard_link": ("rejected-hard_link", lambda r: "hard link" in r[R.ERROR][R.MESSAGE]),
        "directory": ("rejected-directory", lambda r: "directory" in r[R.ERROR][R.MESSAGE]),
        "empty": ("rejected-empty", lambda r: "empty" in r[R.ERROR][R.MESSAGE]),
        "fifo_cancel": ("rejected-fifo_cancel.cancel", lambda r: "FIFO" in r[R.ERROR][R.MESSAGE]),
        "unsafe: semi;colon.json": ("semi;colon.json", lambda r: "unsafe file name" in r[R.ERROR][R.MESSAGE]),
        "unsafe: \\xff\\xfe-bad.json": ("\\xff\\xfe-bad.json", lambda r: "unsafe file name" in r[R.ERROR][R.MESSAGE]),
        "unsafe: 70-character name": ("a" * 70 + ".json", lambda r: "unsafe file name" in r[R.ERROR][R.MESSAGE]),
    }
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("hostile: daemon starts", d.start(), logs=[d]):
        return
    for stem in contents:
        os.rename(os.path.join(inbox, f".{stem}.tmp"), os.path.join(inbox, f"{stem}.json"))
    os.symlink(target, os.path.join(inbox, "symlink.json"))
    os.mkfifo(os.path.join(inbox, "fifo.json"))
    os.mkfifo(os.path.join(inbox, "fifo_cancel.cancel"))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(os.path.join(inbox, "socket.json"))
    server.close()
    os.link(linked, os.path.join(inbox, "hard_link.json"))
    os.mkdir(os.path.join(inbox, "directory.json"))
    with open(os.path.join(inbox, "directory.json", "inner.json"), "wb") as handle:
        handle.write(job_bytes("inner"))
    open(os.path.join(inbox, "empty.json"), "wb").close()
    with open(os.path.join(inbox, "semi;colon.json"), "wb") as handle:
        handle.write(job_bytes("semicolon"))
    with open(os.path.join(inbox.encode(), b"\xff\xfe-bad.json"), "wb") as handle:
        handle.write(job_bytes("badbytes"))
    with open(os.path.join(inbox, "a" * 70 + ".json"), "wb") as handle:
        handle.write(job_bytes("long"))
    # Entries the daemon must leave alone (the drop protocol's temporary names, other files).
    ignored = {".hidden.json": job_bytes("hidden"), "draft.json.tmp": job_bytes("draft"),
               "upload.json.part": job_bytes("upload"), "edit.json.swp": job_bytes("edit"), "notes.txt": b"notes\n"}
    for entry, data in ignored.items():
        with open(os.path.join(inbox, entry), "wb") as handle:
            handle.write(data)
    corpus = len(expected)
    settled = wait_until(lambda: len([b for b in bundles(s.outbox) if b.startswith("rejected-")]) >= corpus
                         and set(os.listdir(inbox)) == set(ignored), 60)
    time.sleep(3)  # a repeated rejection would show up now
    h.check(f"hostile: all {corpus} entries leave the inbox and get bundles", settled,
            f"inbox: {os.listdir(inbox)!r}\noutbox: {bundles(s.outbox)}", logs=[d])
    intact = all(open(os.path.join(inbox, e), "rb").read() == data for e, data in ignored.items()
                 if os.path.exists(os.path.join(inbox, e)))
    h.check("hostile: dot-files, *.tmp, *.part, *.swp and other names are left alone in the inbox",
            set(os.listdir(inbox)) == set(ignored) and intact, f"inbox: {os.listdir(inbox)!r}")
    results = {name: result_of(s.outbox, name) for name in bundles(s.outbox)}
    used = set()
    for label, (key, verdict) in expected.items():
        if label.startswith("unsafe: "):
            matches = [n for n, r in results.items() if r and key in ((r.get(R.ERROR) or {}).get(R.MESSAGE) or "")]
        else:
            matches = [n for n in results if n == key or n.startswith(key + "-")]
        used.update(matches)
        result = results.get(matches[0]) if len(matches) == 1 else None
        good = bool(result) and result.get(R.STATUS) == "rejected" and isinstance(result.get(R.ERROR), dict) and verdict(result)
        h.check(f"hostile: {label} → exactly one rejection bundle with the right reason", len(matches) == 1 and good,
                f"bundles: {matches}; result: {json.dumps(result)[:600] if result else None}")
    extra = sorted(set(results) - used)
    h.check("hostile: no other bundles", not extra, str(extra))
    kept = []
    for stem, data in contents.items():
        if stem == "huge":
            continue
        try:
            with open(os.path.join(s.outbox, f"rejected-{stem}", "job.json"), "rb") as handle:
                if handle.read() != data:
                    kept.append(stem)
        except OSError:
            kept.append(stem)
    h.check("hostile: each readable rejected file's bytes are kept as job.json", not kept, f"not kept: {kept}")
    with open(target, "rb") as a, open(linked, "rb") as b:
        untouched = a.read() == target_bytes and b.read() == job_bytes("linked")
    h.check("hostile: the symlink's target and the hard link's other name are untouched", untouched)
    h.check("hostile: daemon still running", d.alive(), f"exit status {d.proc.returncode}", logs=[d])
    rejections_logged = d.log().count("rejected ")
    h.check(f"hostile: an error line logged per entry ({rejections_logged} 'rejected' lines)", rejections_logged >= corpus, logs=[d])
    s.drop("after-hostile")
    ok = wait_for_bundles(s.outbox, ["after-hostile"], 30) and (result_of(s.outbox, "after-hostile") or {}).get(R.STATUS) == "done"
    h.check("hostile: a good job dropped afterwards is done", ok, logs=[d])
    # A byte-identical copy of a job that is still queued or running is a duplicate (README). The
    # original is long; it is cancelled once the copy has been judged.
    original = s.job("dup-original", N=200, t_max=h.t_max(120, 200), points=20, seeds=2)
    drop(inbox, "dup-original", original)
    active = wait_until(lambda: (s.jobs_by_name().get("dup-original") or {}).get("state") in ("queued", "running"), 20)
    drop(inbox, "dup-copy", original)
    wait_for_bundles(s.outbox, ["rejected-dup-copy"], 30)
    result = result_of(s.outbox, "rejected-dup-copy") or {}
    h.run_sgdyn("cancel", "dup-original", "--state", s.state, timeout=30)
    cancelled = wait_for_bundles(s.outbox, ["dup-original"], 30)
    h.check("hostile: a byte-identical copy of a running job → rejected as a duplicate, nothing else",
            active and result.get(R.STATUS) == "rejected" and "duplicate" in (result.get(R.ERROR) or {}).get(R.MESSAGE, "")
            and cancelled and not [b for b in bundles(s.outbox) if b.startswith("dup-original-")],
            f"duplicate bundle: {result}; outbox {bundles(s.outbox)}", logs=[d])
    status, _ = d.terminate()
    h.check("hostile: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_disk_threshold(h):
    """Free space below min_free_mb (raised in the config file, then SIGHUP or restart): intake
    and new runs pause, nothing fails, queued jobs stay queued; all resumes when it is lowered."""
    s = h.scenario("disk-threshold")
    low, high = 1, 1 << 30  # MiB; nobody has 1 EiB free
    config = s.config(min_free_mb=low, quiet_period=1)
    d = s.daemon(workers=1, checkpoint=1, config=config)
    if not h.check("disk-threshold: daemon starts", d.start(), logs=[d]):
        return
    s.drop("dt-long", N=200, t_max=h.t_max(10, 200), points=30, seeds=1)
    running = wait_until(lambda: (s.jobs_by_name().get("dt-long") or {}).get("state") == "running", 30)
    s.drop("dt-queued-1", seeds=2)
    s.drop("dt-queued-2", seeds=2)
    queued = wait_until(lambda: all((s.jobs_by_name().get(n) or {}).get("state") == "queued"
                                    for n in ("dt-queued-1", "dt-queued-2")), 20)
    s.config(min_free_mb=high, quiet_period=1)
    d.signal(signal.SIGHUP)
    paused = wait_until(lambda: "intake and new runs paused" in d.log(), 10)
    critical = [line for line in d.log().splitlines() if "intake and new runs paused" in line]
    h.check("disk-threshold: min_free_mb raised + SIGHUP → intake paused, logged at critical",
            running and queued and paused and critical and "critical" in critical[0],
            f"running {bool(running)}, queued {bool(queued)}, lines: {critical}", logs=[d])
    s.drop("dt-while-low")
    time.sleep(6)  # well over the quiet period
    jobs = s.jobs_by_name()
    still = {n: (jobs.get(n) or {}).get("state") for n in ("dt-queued-1", "dt-queued-2")}
    in_inbox = os.path.exists(os.path.join(s.inbox, "dt-while-low.json"))
    failed = [(n, j["state"]) for n, j in jobs.items() if j["state"] in ("failed", "quarantined", "cancelled")]
    h.check("disk-threshold: while low, queued jobs stay queued, a new drop stays in the inbox, nothing failed",
            all(v == "queued" for v in still.values()) and in_inbox and not failed and d.alive()
            and not set(bundles(s.outbox)) - {"dt-long"},
            f"queued jobs: {still}; new drop still in the inbox: {in_inbox}; failed: {failed}; outbox {bundles(s.outbox)}", logs=[d])
    s.config(min_free_mb=low, quiet_period=1)
    d.signal(signal.SIGHUP)
    names = ["dt-long", "dt-queued-1", "dt-queued-2", "dt-while-low"]
    ok = wait_for_bundles(s.outbox, names, 90)
    bad = {n: v for n, v in statuses_of(s.outbox, names).items() if v != "done"}
    h.check("disk-threshold: min_free_mb lowered + SIGHUP → resumes by itself, all 4 jobs done",
            ok and not bad and "free space is back" in d.log(), f"statuses: {bad}; outbox {bundles(s.outbox)}", logs=[d])
    status, _ = d.terminate()
    h.check("disk-threshold: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])
    # The same across a restart: started while space is low, it must not take or start anything.
    s.config(min_free_mb=high, quiet_period=1)
    s.drop("dt-at-start")
    h.check("disk-threshold: restarts with min_free_mb still high", d.start(), logs=[d])
    time.sleep(4)
    jobs = s.jobs_by_name()
    in_inbox = os.path.exists(os.path.join(s.inbox, "dt-at-start.json"))
    h.check("disk-threshold: started while space is low → intake paused from the start (a file dropped while stopped stays in the inbox)",
            in_inbox and "dt-at-start" not in jobs and "dt-at-start" not in bundles(s.outbox) and "intake and new runs paused" in d.log(),
            f"still in the inbox: {in_inbox}; store: {(jobs.get('dt-at-start') or {}).get('state')}; outbox {bundles(s.outbox)}", logs=[d])
    s.config(min_free_mb=low, quiet_period=1)
    d.signal(signal.SIGHUP)
    ok = wait_for_bundles(s.outbox, ["dt-at-start"], 30)
    h.check("disk-threshold: … and takes it once lowered", ok and (result_of(s.outbox, "dt-at-start") or {}).get(R.STATUS) == "done", logs=[d])
    expect_exact_bundles(h, "disk-threshold: exactly one bundle per job", s.outbox, names + ["dt-at-start"], [d])
    status, _ = d.terminate()
    h.check("disk-threshold: SIGTERM → exit 0 again", status == 0, f"exit status {status}", logs=[d])


def scenario_disk_full(h):
    """A real full disk: inbox, state and outbox on a small tmpfs filled to ENOSPC while a job runs."""
    if os.geteuid() != 0:
        h.info("disk-full: skipped (needs root to mount a tmpfs)")
        return
    base = os.path.join(h.root, "disk-full")
    mount = os.path.join(base, "mnt")
    os.makedirs(mount)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m,mode=0755", "tmpfs", mount], capture_output=True, timeout=30)
    if mounted.returncode != 0:
        h.info(f"disk-full: skipped (cannot mount a tmpfs: {mounted.stderr.decode(errors='replace').strip()})")
        return
    h.mounts.append(mount)
    s = Scenario(h, "fs", base=mount)
    s.jobs = os.path.join(base, "jobs")  # job copies and references off the small filesystem
    s.reference = os.path.join(base, "reference")
    os.makedirs(s.jobs)
    config = os.path.join(base, "config.json")
    with open(config, "w") as handle:
        json.dump({"min_free_mb": 4, "quiet_period": 1}, handle)
    d = s.daemon(workers=1, checkpoint=1, config=config, label="disk-full")
    if not h.check("disk-full: daemon starts on a 24 MiB tmpfs (min_free_mb 4)", d.start(), logs=[d]):
        return
    s.drop("df-long", N=200, t_max=h.t_max(7, 200), points=40, seeds=1)
    s.drop("df-queued", seeds=2)
    late = s.job("df-late")
    with open(os.path.join(s.inbox, ".df-late.json.tmp"), "wb") as handle:
        handle.write(late)
    progress = wait_until(lambda: (s.jobs_by_name().get("df-long") or {}).get("steps_done", 0) > 0, 30)
    filler = os.path.join(mount, "filler")
    chunk = 1 << 20
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while chunk >= 512:
            try:
                os.write(fd, b"\0" * chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                chunk //= 2
    finally:
        os.close(fd)
    stat = os.statvfs(mount)
    free = stat.f_bavail * stat.f_frsize
    try:
        os.rename(os.path.join(s.inbox, ".df-late.json.tmp"), os.path.join(s.inbox, "df-late.json"))
        renamed = True
    except OSError:
        renamed = False
    workers = d.worker_pids()
    h.check(f"disk-full: filled to ENOSPC ({free} bytes free) while df-long runs", progress and workers and free < (1 << 20),
            f"progress: {bool(progress)}; workers {workers}", logs=[d])
    # Full for at least 8 s, and until df-long's worker has ended (its unit reached t_max, or it
    # gave up) while the disk is still full.
    full_since = time.monotonic()
    worker_ended = wait_until(lambda: not any(pid_alive(p) for p in workers), 90, interval=0.2)
    time.sleep(max(0.0, 8 - (time.monotonic() - full_since)) + 2)
    h.info(f"disk-full: the disk stayed full {time.monotonic() - full_since:.0f} s; df-long's worker ended meanwhile: {bool(worker_ended)}")
    jobs = s.jobs_by_name()
    failed = [(n, j["state"], j["error"]) for n, j in jobs.items() if j["state"] in ("failed", "quarantined", "cancelled")]
    failed_bundles = [n for n in bundles(s.outbox) if (result_of(s.outbox, n) or {}).get(R.STATUS) != "done"]
    queued = (jobs.get("df-queued") or {}).get("state")
    late_waiting = not renamed or os.path.exists(os.path.join(s.inbox, "df-late.json"))
    h.check("disk-full: while full, the daemon stays up, logs at critical, nothing fails, the queued job stays queued, the new drop stays in the inbox",
            d.alive() and not failed and not failed_bundles and queued in ("queued", "interrupted") and late_waiting
            and any("critical" in line for line in d.log().splitlines()),
            f"alive {d.alive()}; failed: {failed}; bad bundles: {failed_bundles}; df-queued: {queued}; df-late waiting: {late_waiting}",
            logs=[d])
    long_state = (jobs.get("df-long") or {}).get("state")
    h.check("disk-full: once df-long's worker has ended, the store no longer says it is running (queued or interrupted, to resume)",
            not worker_ended or (long_state in ("queued", "interrupted", "done") and not d.worker_pids()),
            f"df-long: {jobs.get('df-long')}; worker processes now: {d.worker_pids()}")
    os.unlink(filler)
    if not renamed:
        os.rename(os.path.join(s.inbox, ".df-late.json.tmp"), os.path.join(s.inbox, "df-late.json"))
    names = ["df-long", "df-queued", "df-late"]
    ok = wait_for_bundles(s.outbox, names, 60)
    bad = {n: v for n, v in statuses_of(s.outbox, names).items() if v != "done"}
    h.check("disk-full: space freed → resumes by itself, all 3 jobs done", ok and not bad,
            f"result.json statuses: {bad}; store: {[j for j in s.status() or [] if j['state'] != 'done']}", logs=[d])
    time.sleep(1)
    expect_exact_bundles(h, "disk-full: exactly one bundle per job", s.outbox, names, [d])
    differences = s.compare_with_references(["df-long"])["df-long"] if ok else ["no bundle"]
    h.check("disk-full: df-long identical to `sgdyn run` apart from timing", not differences, "\n".join(differences))
    status, _ = d.terminate()
    h.check("disk-full: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_cancel(h):
    """NAME.cancel for a queued job and `sgdyn cancel` for a running one → bundles say cancelled
    and keep what finished."""
    s = h.scenario("cancel")
    d = s.daemon(workers=1, checkpoint=1)
    if not h.check("cancel: daemon starts (1 simulation thread)", d.start(), logs=[d]):
        return
    s.drop("cx-running", N=200, t_max=h.t_max(4, 200), points=30, seeds=3)
    running = wait_until(lambda: (s.jobs_by_name().get("cx-running") or {}).get("state") == "running", 30)
    s.drop("cx-queued", seeds=2)
    queued = wait_until(lambda: (s.jobs_by_name().get("cx-queued") or {}).get("state") == "queued", 20)
    open(os.path.join(s.inbox, "cx-queued.cancel"), "wb").close()
    ok = wait_for_bundles(s.outbox, ["cx-queued"], 20)
    result = result_of(s.outbox, "cx-queued") or {}
    h.check("cancel: dropping NAME.cancel for a queued job → bundle status cancelled",
            running and queued and ok and result.get(R.STATUS) == "cancelled"
            and (s.jobs_by_name().get("cx-queued") or {}).get("state") == "cancelled",
            f"running {bool(running)}, queued {bool(queued)}, result status {result.get('status')}", logs=[d])
    one_done = wait_until(lambda: (s.jobs_by_name().get("cx-running") or {}).get("units_done", 0) >= 1, 60)
    asked = h.run_sgdyn("cancel", "cx-running", "--state", s.state, timeout=30)
    asked_at = time.monotonic()
    ok = wait_for_bundles(s.outbox, ["cx-running"], 30)
    took = time.monotonic() - asked_at
    result = result_of(s.outbox, "cx-running") or {}
    h.check(f"cancel: `sgdyn cancel NAME` of a running job → bundle status cancelled ({took:.1f} s)",
            one_done and asked.returncode == 0 and ok and result.get(R.STATUS) == "cancelled" and took < 15
            and (s.jobs_by_name().get("cx-running") or {}).get("state") == "cancelled",
            f"a unit done first: {bool(one_done)}; cancel exit {asked.returncode} {asked.stderr.decode(errors='replace')}; "
            f"result status {result.get('status')}", logs=[d])
    complete = [run[R.CSV] for point in result.get(R.POINTS, []) for run in point[R.RUNS] if run.get(R.COMPLETE)]
    references = h.references([s.job_files["cx-running"]], s.reference)
    reference = references[s.job_files["cx-running"]]
    same = all(os.path.isdir(reference) and open(os.path.join(s.outbox, "cx-running", c), "rb").read()
               == open(os.path.join(reference, c), "rb").read() for c in complete)
    h.check(f"cancel: the bundle keeps what finished ({', '.join(complete) or 'nothing'} complete, identical to `sgdyn run`)",
            bool(complete) and len(complete) < 3 and same, f"complete runs: {complete}; reference: {reference}")
    status, _ = d.terminate()
    h.check("cancel: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_crash(h):
    """The crash switch: a job whose worker crashes 3 times is quarantined with a failed bundle,
    while a job already running goes on; the daemon then serves new jobs."""
    s = h.scenario("crash")
    d = s.daemon(workers=2, checkpoint=1)
    if not h.check("crash: daemon starts", d.start(), logs=[d]):
        return
    s.drop("cr-steady", N=200, t_max=h.t_max(8, 200), points=30, seeds=1)
    steady = wait_until(lambda: (s.jobs_by_name().get("cr-steady") or {}).get("steps_done", 0) > 0, 30)
    switch = os.path.join(s.state, "spool", ".fault-crash-worker")
    open(switch, "wb").close()
    s.drop("cr-doomed", seeds=2)
    quarantined = wait_until(lambda: (s.jobs_by_name().get("cr-doomed") or {}).get("state") == "quarantined", 60)
    os.unlink(switch)
    job = s.jobs_by_name().get("cr-doomed") or {}
    wait_for_bundles(s.outbox, ["cr-doomed"], 10)
    result = result_of(s.outbox, "cr-doomed") or {}
    h.check("crash: with the crash switch set, the job is quarantined after 3 attempts with a 'failed' bundle",
            steady and quarantined and job.get("attempts") == 3 and result.get(R.STATUS) == "failed",
            f"steady running: {bool(steady)}; store: {job}; bundle status {result.get('status')}", logs=[d])
    error = result.get(R.ERROR)
    h.check("crash: the failed bundle's result.json has \"error\": {\"message\"} saying why (jobs.md)",
            isinstance(error, dict) and R.MESSAGE in error,
            f"result.json keys: {list(result)}; error.txt: "
            f"{open(os.path.join(s.outbox, 'cr-doomed', 'error.txt')).read().strip() if os.path.exists(os.path.join(s.outbox, 'cr-doomed', 'error.txt')) else None}")
    damage = os.path.join(s.state, "spool", ".fault-damage-outcome")
    open(damage, "wb").close()
    s.drop("cr-damaged", N=100, t_max=2, points=5, seeds=1)
    damaged = wait_until(lambda: (s.jobs_by_name().get("cr-damaged") or {}).get("state") == "quarantined", 60)
    os.unlink(damage)
    job = s.jobs_by_name().get("cr-damaged") or {}
    h.check("crash: a worker that exits 0 leaving a damaged outcome counts a crash each time: quarantined after 3 attempts, "
            "not restarted for ever",
            damaged and job.get("attempts") == 3 and "readable outcome" in (job.get("error") or ""), str(job), logs=[d])
    steady_job = s.jobs_by_name().get("cr-steady") or {}
    h.check("crash: meanwhile the job already running was not disturbed (running or done, 1 attempt)",
            steady_job.get("state") in ("running", "done") and steady_job.get("attempts") == 1, str(steady_job))
    s.drop("cr-after")
    ok = wait_for_bundles(s.outbox, ["cr-after", "cr-steady"], 60)
    bad = {n: v for n, v in statuses_of(s.outbox, ["cr-after", "cr-steady"]).items() if v != "done"}
    differences = s.compare_with_references(["cr-steady"])["cr-steady"] if ok else ["no bundle"]
    h.check("crash: the same daemon process serves on: cr-steady and a job dropped after the switch is removed are done",
            ok and not bad and d.alive() and not differences, f"statuses {bad}; {differences}", logs=[d])
    expect_exact_bundles(h, "crash: exactly one bundle per job", s.outbox, ["cr-steady", "cr-doomed", "cr-damaged", "cr-after"], [d])
    status, _ = d.terminate()
    h.check("crash: SIGTERM → exit 0", status == 0, f"exit status {status}", logs=[d])


def scenario_dataset(h):
    """A job on a real data set (job key `data`, .npy files NumPy wrote beneath the configured
    `data_folder`): interrupted by SIGTERM and resumed from its checkpoints, its bundle equals
    `sgdyn run --data`'s; a path leaving the folder, a symbolic link and an ODE job on data are
    rejected naming their keys; a data set with a NaN fails its units naming the key; a job whose
    files change while the daemon is stopped fails rather than resuming on other data."""
    import numpy as np
    s = h.scenario("dataset")
    data = os.path.join(s.path, "data")
    os.makedirs(os.path.join(data, "set"), exist_ok=True)
    rng = np.random.default_rng(7)
    teacher = rng.standard_normal(20)
    for name, rows in (("train", 300), ("test", 200)):
        x = rng.standard_normal((rows, 20))
        np.save(os.path.join(data, "set", f"{name}_x.npy"), x)
        np.save(os.path.join(data, "set", f"{name}_y.npy"), np.where(x @ teacher >= 0, 1.0, -1.0))
    bad = np.load(os.path.join(data, "set", "train_x.npy"))
    bad[7, 3] = np.nan
    np.save(os.path.join(data, "set", "nan_x.npy"), bad)
    os.symlink(os.path.join(data, "set", "train_x.npy"), os.path.join(data, "set", "link_x.npy"))
    shutil.copytree(os.path.join(data, "set"), os.path.join(data, "set2"), symlinks=True)
    files = {"train_inputs": "set/train_x.npy", "train_labels": "set/train_y.npy",
             "test_inputs": "set/test_x.npy", "test_labels": "set/test_y.npy"}
    files2 = {key: path.replace("set/", "set2/") for key, path in files.items()}
    d = s.daemon(workers=3, checkpoint=1000, config=s.config(data_folder=data))
    if not h.check("dataset: daemon starts with data_folder", d.start(), logs=[d]):
        return
    s.drop("ds-run", N=20, K=2, task="classify", lr=0.3, points=40, seeds=2, train_second_layer=True,
           t_max=h.t_max(6, 20, K=2, M=0), data=files)
    s.drop("ds-change", N=20, K=2, points=40, seeds=1, t_max=h.t_max(6, 20, K=2, M=0), data=files2)
    wait_until(lambda: all((s.jobs_by_name().get(n) or {}).get("state") == "running" for n in ("ds-run", "ds-change")), 30)
    time.sleep(2.0)
    status, _ = d.terminate(30)
    h.check("dataset: SIGTERM while they run → exit 0", status == 0, f"exit status {status}", logs=[d])
    # ds-change's data change while it is stopped: its checkpoint must not continue on them.
    labels = os.path.join(data, "set2", "test_y.npy")
    np.save(labels, -np.load(labels))
    h.check("dataset: restart", d.start(), logs=[d])
    s.drop("ds-escape", N=20, data=dict(files, train_inputs="../data/set/train_x.npy"))
    s.drop("ds-link", N=20, data=dict(files, train_inputs="set/link_x.npy"))
    s.drop("ds-ode", N=20, kind="ode", data=files)
    s.drop("ds-nan", N=20, data=dict(files, train_inputs="set/nan_x.npy"))
    names = ["ds-run", "ds-change", "rejected-ds-escape", "rejected-ds-link", "rejected-ds-ode", "ds-nan"]
    complete = wait_for_bundles(s.outbox, names, 180)
    status, _ = d.terminate()
    h.check("dataset: every bundle written", complete, f"outbox: {bundles(s.outbox)}", logs=[d])
    result = result_of(s.outbox, "ds-run") or {}
    reference = os.path.join(s.path, "reference")
    run = h.run_sgdyn("run", s.job_files["ds-run"], "--outbox", reference, "--quiet", "--threads", "1", "--data", data, timeout=300)
    differences = bundle_differences(os.path.join(s.outbox, "ds-run"), os.path.join(reference, "ds-run")) \
        if run.returncode == 0 else [run.stderr.decode(errors="replace")]
    resumes = (result.get(R.TIMING) or {}).get(R.RESUMES)
    h.check(f"dataset: done, identical to `sgdyn run --data` apart from timing (resumes {resumes})",
            result.get(R.STATUS) == "done" and not differences, json.dumps(differences, indent=1))
    with open(os.path.join(s.outbox, "ds-run", "seed-0.csv")) as handle:
        header = handle.readline().strip()
    h.check("dataset: the CSV has Q, v, et, cerr and no R", header == "t,eg,Q11,Q12,Q22,v1,v2,et,cerr,cerr_train,step", header)
    for name, key in (("ds-escape", "data.train_inputs"), ("ds-link", "data.train_inputs"), ("ds-ode", "kind")):
        error = (result_of(s.outbox, "rejected-" + name) or {}).get(R.ERROR) or {}
        h.check(f"dataset: {name} is rejected naming {key}", error.get(R.KEY) == key, json.dumps(error))
    changed = result_of(s.outbox, "ds-change") or {}
    h.check("dataset: a job whose data changed while it was stopped fails instead of resuming on them",
            changed.get(R.STATUS) == "failed" and "changed since the run started" in json.dumps(changed), json.dumps(changed.get(R.ERROR)))
    failed = result_of(s.outbox, "ds-nan") or {}
    h.check("dataset: NaN in the inputs fails the job naming data.train_inputs and the row",
            failed.get(R.STATUS) == "failed" and "data.train_inputs: row 8" in json.dumps(failed), json.dumps(failed.get(R.ERROR)))


SCENARIOS = [
    ("bulk", scenario_bulk),
    ("slow", scenario_slow_writer),
    ("stopped", scenario_stopped),
    ("claimers", scenario_claimers),
    ("kill9", scenario_kill9),
    ("sigterm", scenario_sigterm),
    ("options", scenario_options),
    ("reuse", scenario_reuse),
    ("dataset", scenario_dataset),
    ("hostile", scenario_hostile),
    ("disk-threshold", scenario_disk_threshold),
    ("disk-full", scenario_disk_full),
    ("cancel", scenario_cancel),
    ("crash", scenario_crash),
]


def main():
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: daemon-tests.sh PATH-TO-SGDYN (an executable)", file=sys.stderr)
        return 2
    scenarios = SCENARIOS + ROBUSTNESS_SCENARIOS + USERS_SCENARIOS
    harness = Harness(sys.argv[1])
    chosen = [n.strip() for n in os.environ.get("DAEMON_TESTS", "").split(",") if n.strip()]
    unknown = set(chosen) - {name for name, _ in scenarios}
    if unknown:
        print(f"unknown scenarios {sorted(unknown)}; known: {[name for name, _ in scenarios]}", file=sys.stderr)
        return 2

    def on_deadline(signum, frame):
        raise Deadline(f"the whole run took longer than {TOTAL_DEADLINE_SECONDS} s")

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGALRM, on_deadline)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.alarm(TOTAL_DEADLINE_SECONDS)
    started = time.monotonic()
    harness.info(f"sgdyn {harness.sgdyn}; temporary folder {harness.root}; random seed {harness.seed} (DAEMON_TEST_SEED)")
    try:
        run_scenarios(harness, scenarios, chosen, lambda scenario: scenario(harness))
    finally:
        signal.alarm(0)
        harness.cleanup()
    harness.info(f"total {time.monotonic() - started:.0f} s")
    return harness.finish("daemon")


if __name__ == "__main__":
    sys.exit(main())
