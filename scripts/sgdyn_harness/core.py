"""The shared harness of the end-to-end scripts: a real `sgdyn serve` on temporary folders.

Imported by every end-to-end script (daemon_tests.py and its scenario modules daemon_robustness.py
and daemon_users.py, slurm_tests.py, report_tests.py, the benchmarks); it imports none of them
(scripts/check_scripts.py, run by the cli step, fails on an import loop). It never opens the job
store: state is read through `sgdyn status --json` (`Harness.status`, `Scenario.jobs_by_name`,
`units_of`), result.json through the field names of result_fields.py. Standard library only.

Every wait has a deadline; every process started here (daemons, their workers, reference runs) is
found again by its command line (which names the run's temporary folder) and killed by pid at the
end, and the temporary folder (and any tmpfs mounted in it) is removed. `Harness.check` counts
checks; `Harness.finish(STEP)` prints the step's last line `STEP: N passed, M failed`.
"""

import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import result_fields as R  # result.json's field names, generated from ResultDocument

ACTIVE_STATES = {"queued", "running", "interrupted"}


class Deadline(Exception):
    """The whole run took longer than its step allows (raised from SIGALRM)."""


# --------------------------------------------------------------------------------------------
# Small helpers


def wait_until(predicate, timeout, interval=0.2):
    """Calls `predicate` until it returns something truthy (returned) or `timeout` passes (the
    last falsy value is returned)."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= end:
            return value
        time.sleep(interval)


def job_bytes(name, **keys):
    """A job file with a unique name inside (so no two jobs are byte-identical duplicates)."""
    document = {"name": name, "N": 50, "t_max": 1, "points": 3, "seeds": 1}
    document.update(keys)
    return (json.dumps(document) + "\n").encode()


def drop(inbox, name, data):
    """The drop protocol: write a dot-file, then rename it to NAME.json."""
    temporary = os.path.join(inbox, "." + name + ".json.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.rename(temporary, os.path.join(inbox, name + ".json"))


def bundles(outbox):
    """Visible bundle folders in the outbox."""
    try:
        return sorted(n for n in os.listdir(outbox) if not n.startswith(".") and os.path.isdir(os.path.join(outbox, n)))
    except FileNotFoundError:
        return []


def partial_folders(outbox):
    """Hidden entries of the outbox: unfinished bundle folders or temporary files (the report
    cache of `sgdyn report` is the one hidden file that belongs there)."""
    try:
        return sorted(n for n in os.listdir(outbox) if n.startswith(".sgdyn-partial-"))
    except FileNotFoundError:
        return []


def read_json(path, ordered=False):
    with open(path, "rb") as handle:
        if ordered:
            return json.load(handle, object_pairs_hook=lambda pairs: pairs)
        return json.load(handle)


def result_of(outbox, name):
    try:
        return read_json(os.path.join(outbox, name, "result.json"))
    except (OSError, ValueError):
        return None


def files_under(folder):
    found = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, folder)] = path
    return found


def manifest_problems(folder):
    """The manifest must list every other file of the bundle with its size and SHA-256."""
    try:
        manifest = read_json(os.path.join(folder, "manifest.json"))
    except (OSError, ValueError) as error:
        return [f"{folder}: no readable manifest.json ({error})"]
    problems = []
    listed = {entry["path"]: entry for entry in manifest.get("files", [])}
    present = set(files_under(folder)) - {"manifest.json"}
    if set(listed) != present:
        problems.append(f"{folder}: manifest lists {sorted(listed)}, folder has {sorted(present)}")
    for path, entry in listed.items():
        full = os.path.join(folder, path)
        try:
            with open(full, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if len(data) != entry.get("size") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            problems.append(f"{folder}/{path}: size or SHA-256 differs from the manifest")
    return problems


def without_timing(pairs):
    """result.json's members apart from the timing and the submitter (which a daemon's bundle
    names and a `sgdyn run` bundle has not)."""
    return [(key, value) for key, value in pairs if key not in (R.TIMING, R.SUBMITTER)]


# README.txt's "… SGD steps in 1.2 s, resumed 3 time(s) from checkpoints." is timing.
README_TIMING = re.compile(rb" in [0-9.]+ (?:s|min|h)(?:, resumed [0-9]+ time\(s\) from checkpoints)?\.\n")
# index.html keeps its timing, its log tail and (a daemon's) the submitter between these markers
# (and nothing else differs).
PAGE_TIMING_AND_LOG = re.compile(rb"<!-- sgdyn:(timing|log|submitter) -->.*?<!-- /sgdyn:\1 -->", re.S)


def bundle_differences(got, reference):
    """What differs between a daemon bundle and the `sgdyn run` bundle of the same job, apart
    from result.json's `timing`, the time taken (and resumes) in README.txt, the timing and log
    parts of index.html, and log.txt (and so manifest.json, which hashes them)."""
    problems = []
    got_files, reference_files = files_under(got), files_under(reference)
    if set(got_files) != set(reference_files):
        problems.append(f"files differ: daemon {sorted(got_files)} vs run {sorted(reference_files)}")
    for path in sorted(set(got_files) & set(reference_files)):
        if path in ("result.json", "log.txt", "manifest.json"):
            continue
        with open(got_files[path], "rb") as a, open(reference_files[path], "rb") as b:
            got_bytes, reference_bytes = a.read(), b.read()
        if path == "README.txt":  # its second line says how long the job took and how often it resumed
            got_bytes, reference_bytes = README_TIMING.sub(b"", got_bytes), README_TIMING.sub(b"", reference_bytes)
        if path == "index.html":
            got_bytes, reference_bytes = PAGE_TIMING_AND_LOG.sub(b"", got_bytes), PAGE_TIMING_AND_LOG.sub(b"", reference_bytes)
        if got_bytes != reference_bytes:
            problems.append(f"{path} is not byte-identical" + {"README.txt": " (apart from the time taken and resumes)",
                                                                "index.html": " (apart from its timing and log parts)"}.get(path, ""))
    if "result.json" in got_files and "result.json" in reference_files:
        a = without_timing(read_json(got_files["result.json"], ordered=True))
        b = without_timing(read_json(reference_files["result.json"], ordered=True))
        if a != b:
            keys = sorted({k for k, v in a if (k, v) not in b} | {k for k, v in b if (k, v) not in a})
            problems.append(f"result.json differs outside 'timing' in: {', '.join(keys)}")
    return problems


def pid_alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read()
    except OSError:
        return False
    return text[text.rfind(b")") + 2:][:1] != b"Z"


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                text = handle.read()
        except OSError:
            continue
        fields = text[text.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid and fields[0] != b"Z":
            found.append(int(entry))
    return found


def no_core_dumps():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def clean_environment():
    env = dict(os.environ)
    for key in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "LISTEN_FDS", "LISTEN_PID",
                "LISTEN_FDNAMES", "INVOCATION_ID"):
        env.pop(key, None)
    return env


def indent(text, limit=40):
    lines = str(text).splitlines()
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more lines)"]
    return "\n".join("    " + line for line in lines)


# --------------------------------------------------------------------------------------------
# The harness: counts checks, owns the temporary folder and every process started


class Checks:
    """Counts checks and prints one line per check; `finish` prints the step's last line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=None, logs=()):
        """Counts and prints one check (`ok NAME` or `FAIL NAME` with the detail and the last
        lines of the logs of `logs`, daemons); returns whether it passed."""
        if ok:
            self.passed += 1
            print(f"ok   {name}", flush=True)
            return True
        self.failed += 1
        print(f"FAIL {name}", flush=True)
        if detail:
            print(indent(detail), flush=True)
        for daemon in logs:
            print(f"    --- last lines of {daemon.log_path}:", flush=True)
            print(indent(daemon.log_tail(25), 25), flush=True)
        return False

    def info(self, text):
        print(f"# {text}", flush=True)

    def finish(self, step):
        """Prints the step's last line, `STEP: N passed, M failed` (scripts/test.sh adds them up),
        and returns the exit status: 0 when nothing failed."""
        print(f"{step}: {self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1


class Harness(Checks):
    """Owns the run's temporary folder and every process started in it; runs `sgdyn`."""

    def __init__(self, sgdyn):
        super().__init__()
        self.sgdyn = os.path.abspath(sgdyn)
        self.root = tempfile.mkdtemp(prefix="sgdyn-e2e-")
        self.mounts = []
        self.daemons = []
        seed_text = os.environ.get("DAEMON_TEST_SEED")
        self.seed = int(seed_text) if seed_text else random.SystemRandom().randrange(1, 10**6)
        self.rng = random.Random(self.seed)
        self.work_per_second = None

    # -- job sizes

    def t_max(self, seconds, N, K=2, M=2, batch_size=1):
        """The t_max that makes one run of this shape take about `seconds` on one thread of this
        binary (debug or release) on this machine, so that checks that need a job to be still
        running do not depend on the simulator's speed. The cost of a step is taken as
        proportional to N·(2 + K + M)·batch_size (the sample's normals, then the dot products)."""
        if self.work_per_second is None:
            path = os.path.join(self.root, "calibrate.json")
            probe_t_max = 500
            while True:
                with open(path, "wb") as handle:
                    handle.write(job_bytes("calibrate", N=200, t_max=probe_t_max, points=20))
                started = time.monotonic()
                result = self.run_sgdyn("run", path, "--outbox", os.path.join(self.root, "calibrate"), "--quiet",
                                        "--threads", "1", timeout=300)
                elapsed = time.monotonic() - started
                if result.returncode != 0:
                    raise RuntimeError(f"calibration run failed: {result.stderr.decode(errors='replace')}")
                if elapsed >= 0.7 or probe_t_max >= 10**7:
                    break
                probe_t_max *= 4
            self.work_per_second = probe_t_max * 200 * 200 * 6 / elapsed
            self.info(f"this sgdyn does about {probe_t_max * 200 / elapsed / 1e6:.2f} M steps/s on one thread at N=200, K=M=2 "
                      f"(job sizes of the timing-sensitive checks follow from it)")
        return max(1, round(seconds * self.work_per_second / (N * N * (2 + K + M) * batch_size)))

    # -- folders and processes

    def scenario(self, name):
        return Scenario(self, name)

    def run_sgdyn(self, *args, timeout=60):
        return subprocess.run([self.sgdyn, *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                              cwd=self.root, env=clean_environment(), preexec_fn=no_core_dumps)

    def status(self, state, timeout=30, job=None):
        """`sgdyn status --state S --json` (every job), or with `job` `sgdyn status JOB --state S
        --json` (that job's units), as a list; None when it fails. The one way the scripts read
        the job store (docs/operations.md lists the fields)."""
        try:
            result = self.run_sgdyn("status", *([job] if job else []), "--state", state, "--json", timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        if result.returncode != 0:
            return None
        try:
            return json.loads(result.stdout)
        except ValueError:
            return None

    def references(self, job_files, outbox):
        """Runs `sgdyn run JOB --outbox OUTBOX` for each job file, two at a time; returns
        {job file: bundle folder or an error text}."""
        def one(path):
            try:
                result = self.run_sgdyn("run", path, "--outbox", outbox, "--quiet", "--threads", "1", timeout=300)
            except subprocess.TimeoutExpired:
                return path, "sgdyn run timed out"
            if result.returncode != 0:
                return path, f"sgdyn run failed ({result.returncode}): {result.stderr.decode(errors='replace')}"
            return path, result.stdout.decode().strip()
        with ThreadPoolExecutor(max_workers=2) as pool:
            return dict(pool.map(one, job_files))

    def own_processes(self):
        """Every process whose command line names this run's temporary folder (daemons, their
        workers, reference runs), except this script."""
        marker = (self.root + "/").encode()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if marker in handle.read():
                        found.append(int(entry))
            except OSError:
                pass
        return found

    def kill_own_processes(self):
        for _ in range(20):
            pids = [pid for pid in self.own_processes() if pid_alive(pid)]
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.2)
        for daemon in self.daemons:
            daemon.reap()

    def cleanup(self):
        self.kill_own_processes()
        for mount in reversed(self.mounts):
            if subprocess.run(["umount", mount], capture_output=True, timeout=30).returncode != 0:
                subprocess.run(["umount", "-l", mount], capture_output=True, timeout=30)
        if os.environ.get("DAEMON_TESTS_KEEP"):
            print(f"# kept {self.root} (DAEMON_TESTS_KEEP)", flush=True)
            return
        shutil.rmtree(self.root, ignore_errors=True)


class Scenario:
    """One scenario's folders: ROOT/NAME/{inbox,outbox,state,jobs,reference}."""

    def __init__(self, harness, name, base=None):
        self.harness = harness
        self.name = name
        self.path = os.path.join(base or harness.root, name)
        self.inbox = os.path.join(self.path, "inbox")
        self.outbox = os.path.join(self.path, "outbox")
        self.state = os.path.join(self.path, "state")
        self.jobs = os.path.join(self.path, "jobs")
        self.reference = os.path.join(self.path, "reference")
        for folder in (self.inbox, self.outbox, self.jobs):
            os.makedirs(folder, exist_ok=True)
        self.job_files = {}

    def job(self, name, **keys):
        """Writes the job file jobs/NAME.json (kept for the reference run) and returns its bytes."""
        data = job_bytes(name, **keys)
        path = os.path.join(self.jobs, name + ".json")
        with open(path, "wb") as handle:
            handle.write(data)
        self.job_files[name] = path
        return data

    def drop(self, name, **keys):
        drop(self.inbox, name, self.job(name, **keys))

    def config(self, **keys):
        path = os.path.join(self.path, "config.json")
        with open(path + ".tmp", "w") as handle:
            json.dump(keys, handle)
        os.rename(path + ".tmp", path)
        return path

    def daemon(self, state=None, workers=2, checkpoint=1, config=None, label=None):
        daemon = Daemon(self.harness, label or self.name, self.inbox, self.outbox, state or self.state, workers,
                        checkpoint, config)
        self.harness.daemons.append(daemon)
        return daemon

    def status(self, state=None):
        return self.harness.status(state or self.state)

    def jobs_by_name(self, state=None):
        """{name: the job's object in `sgdyn status --json`}; empty when status fails."""
        listing = self.status(state) or []
        return {job["name"]: job for job in listing}

    def job_state(self, name, state=None):
        """The job's state in `sgdyn status --json` ("queued", "running", …), None if unknown."""
        return (self.jobs_by_name(state).get(name) or {}).get("state")

    def units(self, name, state=None):
        """The job's units as `sgdyn status NAME --json` lists them; [] when status fails."""
        return self.harness.status(state or self.state, job=name) or []

    def drop_json(self, name, document):
        """Drops an arbitrary job document (not job_bytes' small default) by the rename protocol,
        keeping it in jobs/ for the reference run."""
        data = (json.dumps(document) + "\n").encode()
        path = os.path.join(self.jobs, name + ".json")
        with open(path, "wb") as handle:
            handle.write(data)
        self.job_files[name] = path
        drop(self.inbox, name, data)

    def fault(self, switch, on=True):
        """Sets (creates) or clears the debug build's fault switch file STATE/`switch`
        (Sources/SGDynDaemon/State/FaultSwitch.swift lists them)."""
        path = os.path.join(self.state, switch)
        if on:
            open(path, "wb").close()
        elif os.path.exists(path):
            os.unlink(path)

    def compare_with_references(self, names):
        """Runs the references for `names` and returns {name: [differences]}."""
        references = self.harness.references([self.job_files[n] for n in names], self.reference)
        out = {}
        for name in names:
            ref = references[self.job_files[name]]
            if not os.path.isdir(ref):
                out[name] = [f"reference run failed: {ref}"]
            else:
                out[name] = bundle_differences(os.path.join(self.outbox, name), ref)
        return out


class Daemon:
    def __init__(self, harness, label, inbox, outbox, state, workers, checkpoint, config):
        self.harness = harness
        self.label = label
        self.inbox, self.outbox, self.state = inbox, outbox, state
        self.workers, self.checkpoint, self.config = workers, checkpoint, config
        self.proc = None
        self.starts = 0
        self.log_path = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self, wait=True):
        """Starts `sgdyn serve` in its own session; with `wait`, returns whether it logged that it
        serves within 30 s."""
        self.starts += 1
        logs = os.path.join(self.harness.root, "logs")
        os.makedirs(logs, exist_ok=True)
        self.log_path = os.path.join(logs, f"{self.label}-{self.starts}.log")
        args = [self.harness.sgdyn, "serve", "--inbox", self.inbox, "--outbox", self.outbox, "--state", self.state,
                "--workers", str(self.workers), "--checkpoint-interval", str(self.checkpoint)]
        if self.config:
            args += ["--config", self.config]
        with open(self.log_path, "wb") as log:
            self.proc = self.spawn(args, log)
        return self.wait_ready() if wait else True

    def spawn(self, args, log):
        """Starts `args` (sgdyn serve …) in its own session with stdout and stderr to `log`; a
        subclass may run it otherwise (daemon_users.py: as another user)."""
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.harness.root,
                                env=clean_environment(), start_new_session=True, preexec_fn=no_core_dumps)

    def wait_ready(self, timeout=30):
        return bool(wait_until(lambda: self.proc.poll() is not None or "serving inbox" in self.log(), timeout)) \
            and self.proc.poll() is None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, "rb") as handle:
                return handle.read().decode(errors="replace")
        except (OSError, TypeError):
            return ""

    def log_tail(self, lines=25):
        return "\n".join(self.log().splitlines()[-lines:])

    def worker_pids(self):
        return children_of(self.pid) if self.alive() else []

    def signal(self, number):
        if self.alive():
            os.kill(self.pid, number)

    def terminate(self, timeout=30):
        """SIGTERM; returns (exit status or None if it did not exit in time, seconds taken)."""
        if not self.alive():
            return self.proc.returncode if self.proc else None, 0.0
        start = time.monotonic()
        os.kill(self.pid, signal.SIGTERM)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None, time.monotonic() - start
        return status, time.monotonic() - start

    def kill9(self):
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.reap()

    def reap(self):
        if self.proc is not None:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass

    def stop(self):
        """End of a scenario: SIGTERM, and SIGKILL if it does not go."""
        if self.alive():
            status, _ = self.terminate(30)
            return status
        return self.proc.returncode if self.proc else None


def expect_exact_bundles(harness, label, outbox, expected, daemons=()):
    """Every expected job has exactly one bundle and nothing else is in the outbox."""
    present = bundles(outbox)
    missing = sorted(set(expected) - set(present))
    extra = sorted(set(present) - set(expected))
    partial = partial_folders(outbox)
    detail = []
    if missing:
        detail.append(f"missing: {missing[:20]}{' …' if len(missing) > 20 else ''} ({len(missing)})")
    if extra:
        detail.append(f"spurious: {extra[:20]}{' …' if len(extra) > 20 else ''} ({len(extra)})")
    if partial:
        detail.append(f"unfinished folders left: {partial}")
    return harness.check(label, not detail, "\n".join(detail), logs=daemons if detail else ())


def statuses_of(outbox, names):
    found = {}
    for name in names:
        result = result_of(outbox, name)
        found[name] = result.get(R.STATUS) if result else None
    return found


def wait_for_bundles(outbox, names, timeout):
    names = set(names)
    return wait_until(lambda: names <= set(bundles(outbox)), timeout, interval=0.25)



def run_scenarios(harness, scenarios, chosen, call, after_each=None):
    """Runs each (name, scenario) — all, or those in `chosen` — with `call(scenario)`: a scenario
    that raises fails one check and the next one runs; afterwards its daemons are stopped and
    every process it left is killed (and `after_each()` runs)."""
    for name, scenario in scenarios:
        if chosen and name not in chosen:
            continue
        begin = time.monotonic()
        try:
            call(scenario)
        except (Deadline, KeyboardInterrupt) as error:
            harness.check(f"{name}: interrupted: {error}", False)
            break
        except Exception:
            harness.check(f"{name}: the scenario itself raised an exception", False, traceback.format_exc())
        finally:
            for daemon in harness.daemons:
                daemon.stop()
            harness.kill_own_processes()
            harness.daemons = []
            if after_each:
                after_each()
        harness.info(f"{name}: {time.monotonic() - begin:.0f} s")
