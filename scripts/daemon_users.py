"""End-to-end checks of several users on one daemon, with real users: the set-up creates (useradd)
a daemon user and three submitters — alice and bob in the submitters' group, carol also in the
admin group — and removes them again (userdel -r, groupdel) afterwards, also when a check fails or
the run is interrupted. The daemon runs as its own unprivileged user (setpriv) on the folder modes
docs/daemon.md ("Several users") documents: a setgid, sticky, group-writable inbox owned by the
daemon's user, a setgid group-readable outbox, a private state folder. Submitters drop jobs and
cancel files as themselves (runuser).

Checked: the submitter is recorded (status, result.json, the bundle page, the outbox index); a
cancel file from another submitter is refused (logged, removed, the job runs on) while the
submitter's own and an administrator's are honoured; a name another submitter used gives
NAME~USER, never NAME-2 of their series, and manifest.json names the folder; priorities above
max_priority are lowered for non-administrators; and fair share: a tiny job of bob behind alice's
burst of 20 jobs of 10,000 runs each is delayed by at most a few unit lengths.

Listed in USERS_SCENARIOS, which daemon_tests.py runs after its own (step `daemon`).
"""

import datetime
import grp
import json
import os
import pwd
import signal
import subprocess
import time

import result_fields as R  # result.json's field names, generated from ResultDocument

from sgdyn_harness import Daemon, bundles, read_json, result_of, wait_for_bundles, wait_until

PREFIX = "sgdt"
DAEMON_USER = f"{PREFIX}-daemon"
SUBMITTERS = [f"{PREFIX}-alice", f"{PREFIX}-bob", f"{PREFIX}-carol"]
SUBMIT_GROUP = f"{PREFIX}-submit"
ADMIN_GROUP = f"{PREFIX}-admin"
ALICE, BOB, CAROL = SUBMITTERS


def run(*args, input=None, timeout=60):
    return subprocess.run(list(args), input=input, capture_output=True, timeout=timeout)


def processes_of(uid):
    """The pids of the processes running as `uid` (real uid, from /proc/PID/status)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                for line in handle:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            found.append(int(entry))
                        break
        except (OSError, ValueError):
            pass
    return found


def remove_users():
    """userdel -r every test user and groupdel the test groups; quiet about those not there."""
    for user in [DAEMON_USER] + SUBMITTERS:
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        # Processes of the user (a daemon, its workers) would keep userdel from working: each is
        # killed by its pid.
        uid = pwd.getpwnam(user).pw_uid
        for pid in processes_of(uid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        wait_until(lambda: not processes_of(uid), 10)
        run("userdel", "-r", user)
    for group in (SUBMIT_GROUP, ADMIN_GROUP):
        try:
            grp.getgrnam(group)
        except KeyError:
            continue
        run("groupdel", group)


def add_users():
    """The groups and users; returns a list of problems (empty when all went well)."""
    problems = []
    for group in (SUBMIT_GROUP, ADMIN_GROUP):
        result = run("groupadd", group)
        if result.returncode != 0:
            problems.append(f"groupadd {group}: {result.stderr.decode(errors='replace')}")
    specs = [(DAEMON_USER, [SUBMIT_GROUP]), (ALICE, [SUBMIT_GROUP]), (BOB, [SUBMIT_GROUP]), (CAROL, [SUBMIT_GROUP, ADMIN_GROUP])]
    for user, groups in specs:
        result = run("useradd", "--create-home", "--user-group", "--shell", "/bin/sh", "--groups", ",".join(groups), user)
        if result.returncode != 0:
            problems.append(f"useradd {user}: {result.stderr.decode(errors='replace')}")
    return problems


def as_user(user, script, *args, input=None):
    """Runs `sh -c script` as `user` (runuser, with the user's groups) with umask 022."""
    return run("runuser", "-u", user, "--", "sh", "-c", "umask 022; " + script, "sh", *args, input=input)


def drop_as(user, inbox, name, document):
    """The drop protocol as `user`: a dot-file, then a rename to NAME.json."""
    data = (json.dumps(document) + "\n").encode()
    result = as_user(user, 'cat > "$1/.$2.json.tmp" && mv "$1/.$2.json.tmp" "$1/$2.json"', inbox, name, input=data)
    return result.returncode == 0


def cancel_as(user, inbox, name):
    return as_user(user, ': > "$1/$2.cancel"', inbox, name).returncode == 0


class UserDaemon(Daemon):
    """`sgdyn serve` as the daemon's own user (setpriv keeps the pid, so signals reach it)."""

    def spawn(self, args, log):
        entry = pwd.getpwnam(DAEMON_USER)
        args = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", "--", *args]
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd="/",
                                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": entry.pw_dir},
                                start_new_session=True)


def wait_to_start(log, name):
    """Seconds from the daemon's "job NAME: queued" line to its "job NAME: starting attempt" line
    (its log's own timestamps), or None."""
    def when(fragment):
        for line in log.splitlines():
            if fragment in line:
                try:
                    return datetime.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")).timestamp()
                except ValueError:
                    return None
        return None
    queued, started = when(f"job {name}: queued from"), when(f"job {name}: starting attempt")
    return started - queued if queued is not None and started is not None else None


def quick(name, **keys):
    document = {"name": name, "N": 50, "t_max": 1, "points": 3, "seeds": 1}
    document.update(keys)
    return document


def scenario_users(h):
    if os.geteuid() != 0:
        h.check("users: the test runs as root (it creates real users with useradd)", False, f"euid {os.geteuid()}")
        return
    remove_users()  # what an interrupted earlier run may have left
    try:
        problems = add_users()
        if not h.check(f"users: useradd {DAEMON_USER}, {', '.join(SUBMITTERS)}; groups {SUBMIT_GROUP}, {ADMIN_GROUP} (carol)",
                       not problems, "\n".join(problems)):
            return
        users_checks(h)
    finally:
        for daemon in h.daemons:
            daemon.stop()
        h.kill_own_processes()
        remove_users()
        left = [u for u in [DAEMON_USER] + SUBMITTERS if any(e.pw_name == u for e in pwd.getpwall())]
        homes = [u for u in [DAEMON_USER] + SUBMITTERS if os.path.exists(f"/home/{u}")]
        h.check("users: userdel -r removed every test user and home, groupdel the groups", not left and not homes
                and not any(g.gr_name in (SUBMIT_GROUP, ADMIN_GROUP) for g in grp.getgrall()),
                f"users left {left}, homes left {homes}")


def users_checks(h):
    daemon_entry = pwd.getpwnam(DAEMON_USER)
    submit_gid = grp.getgrnam(SUBMIT_GROUP).gr_gid
    # The test's folders: traversable by the users (not listable), as /var/lib/sgdyn is.
    os.chmod(h.root, 0o711)
    s = h.scenario("users")
    os.chmod(s.path, 0o711)
    os.chown(s.inbox, daemon_entry.pw_uid, submit_gid)
    os.chmod(s.inbox, 0o3770)  # setgid + sticky, group-writable
    os.chown(s.outbox, daemon_entry.pw_uid, submit_gid)
    os.chmod(s.outbox, 0o2750)  # setgid, group-readable
    os.makedirs(s.state, exist_ok=True)
    os.chown(s.state, daemon_entry.pw_uid, daemon_entry.pw_gid)
    os.chmod(s.state, 0o700)
    config = s.config(admin_group=ADMIN_GROUP, max_priority=0, quiet_period=0.2)
    d = UserDaemon(h, "users", s.inbox, s.outbox, s.state, 2, 1, config)
    h.daemons.append(d)
    if not h.check(f"users: the daemon starts as {DAEMON_USER} on a 3770 inbox and a 2750 outbox", d.start(), logs=[d]):
        return

    def status():
        return s.jobs_by_name()

    # -- who submitted, and names
    drop_as(ALICE, s.inbox, "shared", quick("shared"))
    ok = wait_for_bundles(s.outbox, ["shared"], 60)
    result = result_of(s.outbox, "shared") or {}
    listed = status().get("shared") or {}
    h.check("users: a job dropped by alice records her as submitter (status --json, result.json)",
            ok and result.get(R.SUBMITTER) == ALICE and listed.get("submitter") == ALICE
            and listed.get("submitter_uid") == pwd.getpwnam(ALICE).pw_uid,
            f"bundle {bool(ok)}, result.json submitter {result.get(R.SUBMITTER)}, status {listed.get('submitter')}", logs=[d])
    drop_as(BOB, s.inbox, "shared", quick("shared", description="bob's"))
    ok_bob = wait_for_bundles(s.outbox, [f"shared~{BOB}"], 60)
    drop_as(ALICE, s.inbox, "shared", quick("shared", description="alice's second"))
    ok_alice = wait_for_bundles(s.outbox, ["shared-2"], 60)
    manifests = {}
    for folder in ("shared", f"shared~{BOB}", "shared-2"):
        try:
            manifests[folder] = read_json(os.path.join(s.outbox, folder, "manifest.json"))
        except (OSError, ValueError):
            manifests[folder] = {}
    h.check(f"users: bob's job named like alice's bundle → shared~{BOB}; alice's next → shared-2 (never each other's series)",
            ok_bob and ok_alice and sorted(b for b in bundles(s.outbox) if b.startswith("shared")) == ["shared", "shared-2", f"shared~{BOB}"]
            and (result_of(s.outbox, f"shared~{BOB}") or {}).get(R.SUBMITTER) == BOB,
            f"bundles {bundles(s.outbox)}", logs=[d])
    h.check("users: manifest.json's bundle is the folder's name, with the submitter",
            all(m.get("bundle") == folder for folder, m in manifests.items())
            and manifests["shared-2"].get("submitter") == ALICE and manifests[f"shared~{BOB}"].get("submitter") == BOB,
            json.dumps({f: (m.get("bundle"), m.get("submitter")) for f, m in manifests.items()}))
    h.check("users: the daemon's log tells bob his name is someone else's",
            f"already used by {ALICE}" in d.log() and f"shared~{BOB}" in d.log(), logs=[d])
    page = as_user(BOB, 'cat "$1/shared~$2/index.html"', s.outbox, BOB)
    index = wait_until(lambda: f"by {BOB}".encode() in (open(os.path.join(s.outbox, "index.html"), "rb").read()
                                                    if os.path.exists(os.path.join(s.outbox, "index.html")) else b""), 30)
    h.check("users: bob reads his bundle page (group-readable outbox), which names him; the outbox index names each submitter",
            page.returncode == 0 and f"submitted by {BOB}".encode() in page.stdout and bool(index),
            f"cat as bob: {page.returncode} {page.stderr.decode(errors='replace')}; index names bob: {bool(index)}")

    # -- priority cap
    drop_as(BOB, s.inbox, "greedy", quick("greedy", priority=1_000_000, t_max=2))
    drop_as(CAROL, s.inbox, "urgent", quick("urgent", priority=5, t_max=2))
    seen = wait_until(lambda: {"greedy", "urgent"} <= set(status()), 30)
    jobs = status()
    h.check("users: bob's priority 1000000 is lowered to max_priority 0 (logged); carol (admin group) keeps 5",
            seen and jobs["greedy"].get("priority") == 0 and jobs["urgent"].get("priority") == 5
            and "priority 1000000 lowered to 0" in d.log(),
            f"priorities: greedy {jobs.get('greedy', {}).get('priority')}, urgent {jobs.get('urgent', {}).get('priority')}", logs=[d])
    wait_for_bundles(s.outbox, ["greedy", "urgent"], 60)

    # -- cancel
    long_run = h.t_max(60, 200)
    drop_as(ALICE, s.inbox, "long-a", quick("long-a", N=200, t_max=long_run, points=20))
    drop_as(BOB, s.inbox, "long-b", quick("long-b", N=200, t_max=long_run, points=20))
    running = wait_until(lambda: all((status().get(n) or {}).get("state") == "running" for n in ("long-a", "long-b")), 60)
    cancel_as(BOB, s.inbox, "long-a")
    gone = wait_until(lambda: not os.path.exists(os.path.join(s.inbox, "long-a.cancel")), 20)
    refused = wait_until(lambda: "from sgdt-bob refused" in d.log(), 20)
    time.sleep(2)
    job = status().get("long-a") or {}
    h.check("users: bob's long-a.cancel for alice's job is refused: logged, the file removed, the job runs on",
            running and gone and refused and job.get("state") == "running" and not job.get("cancel_requested"),
            f"running {bool(running)}, file gone {bool(gone)}, refusal logged {bool(refused)}, job {job.get('state')} "
            f"cancel_requested {job.get('cancel_requested')}", logs=[d])
    cancel_as(ALICE, s.inbox, "long-a")
    cancel_as(CAROL, s.inbox, "long-b")
    ok = wait_for_bundles(s.outbox, ["long-a", "long-b"], 60)
    h.check("users: alice's own cancel and carol's (admin group) cancel of bob's job are honoured",
            ok and (result_of(s.outbox, "long-a") or {}).get(R.STATUS) == "cancelled"
            and (result_of(s.outbox, "long-b") or {}).get(R.STATUS) == "cancelled",
            f"long-a {(result_of(s.outbox, 'long-a') or {}).get(R.STATUS)}, long-b {(result_of(s.outbox, 'long-b') or {}).get(R.STATUS)}",
            logs=[d])

    # -- fair share: bob's tiny job alone, then behind alice's burst of 20 × 10,000 runs
    unit_seconds = 2.0
    unit = dict(N=100, t_max=h.t_max(unit_seconds, 100), points=4)
    started = time.monotonic()
    drop_as(BOB, s.inbox, "tiny-alone", quick("tiny-alone", **unit))
    wait_for_bundles(s.outbox, ["tiny-alone"], 120)
    alone = time.monotonic() - started
    # One unit's length as it ran here (the machine may be busy): its steps over its steps per second.
    measured = status().get("tiny-alone") or {}
    unit_length = (float(measured.get("steps_done") or 0) / measured["steps_per_second"]
                   if measured.get("steps_per_second") else unit_seconds)
    for index in range(1, 21):
        drop_as(ALICE, s.inbox, f"burst-{index:02}", quick(f"burst-{index:02}", seeds=10_000, **unit))
    # Admitting a 10,000-unit job takes the daemon seconds (much longer on a busy machine).
    queued = wait_until(lambda: sum(1 for n, j in status().items() if n.startswith("burst-") and j["state"] in ("queued", "running")) == 20,
                        600, interval=2)
    busy = wait_until(lambda: (status().get("burst-01") or {}).get("units_done", 0) >= 4, 120, interval=1)
    started = time.monotonic()
    drop_as(BOB, s.inbox, "tiny", quick("tiny", **unit))
    ok = wait_for_bundles(s.outbox, ["tiny"], 300)
    behind = time.monotonic() - started
    # What fair share decides is how long the job waits for a thread: from its "queued" to its
    # "starting" line, against the same wait on the idle daemon. (The unit's own run time varies
    # with the machine's load, which the scheduler does not decide.)
    waited, waited_alone = wait_to_start(d.log(), "tiny"), wait_to_start(d.log(), "tiny-alone")
    delay = (waited - waited_alone) if waited is not None and waited_alone is not None else float("inf")
    jobs = status()
    burst_units = sum(j.get("units", 0) for n, j in jobs.items() if n.startswith("burst-"))
    h.info(f"fair share: bob's one-unit job (a unit of {unit_length:.1f} s here) waited {waited_alone or 0:.2f} s for a thread on the idle "
           f"daemon and {waited or 0:.2f} s behind alice's {burst_units} queued runs: delayed {delay:.1f} s = {delay / unit_length:.1f} unit "
           f"lengths (drop to bundle: {alone:.1f} s alone, {behind:.1f} s behind the burst)")
    h.check(f"users: fair share — behind alice's 20 × 10,000 runs bob's tiny job is delayed by at most 3 unit lengths "
            f"({delay:.1f} s, {delay / unit_length:.1f} units of {unit_length:.1f} s)",
            bool(queued) and bool(busy) and ok and burst_units == 200_000 and delay <= 3 * unit_length
            and (result_of(s.outbox, "tiny") or {}).get(R.STATUS) == "done",
            f"burst queued {bool(queued)}, running {bool(busy)}, tiny bundle {bool(ok)}, burst units {burst_units}", logs=[d])
    h.check("users: the burst's run was paused for bob's job and goes on",
            "fair share: pausing job burst-01" in d.log() or "fair share: pausing job burst-" in d.log(), logs=[d])
    status_, _ = d.terminate(60)
    h.check("users: SIGTERM → exit 0 with 200,000 runs queued", status_ == 0, f"exit status {status_}", logs=[d])


USERS_SCENARIOS = [("users", scenario_users)]
