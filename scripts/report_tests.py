#!/usr/bin/env python3
"""End-to-end checks of the morning view: `sgdyn report` and the bundles' index.html pages.

Run through scripts/report-tests.sh PATH-TO-SGDYN. Standard library only, plus Debian's
headless Chromium (rendering, DOM, screenshots) and `tidy` (HTML validation).

It builds an outbox from real bundles — small `sgdyn run` jobs (one with a hostile
description), and from a real daemon a rejected and a cancelled bundle while another job runs
and one waits — plus copies edited to be failed, diverged and of an unknown status, and
folders it cannot read (no result.json, broken JSON, no status, a hostile folder name, a
symbolic link). Then it runs `sgdyn report`, validates the pages, renders them in Chromium and
checks the DOM: one row per bundle with the right status, every link and image pointing to an
existing file, hostile text shown as text. The last line is `report: N passed, M failed`.
"""

import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgdyn_harness import Checks, wait_until  # noqa: E402
import urllib.parse

import result_fields as R  # result.json's field names, generated from ResultDocument

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTILE_DESCRIPTION = "<script>alert(1)</script> \"double\" & 'single' <img src=x onerror=alert(2)> </textarea><b>not bold</b>"
HOSTILE_FOLDER = "evil\"><img src=x onerror=alert(3)>"
HOSTILE_REASON = "worker crashed: <script>alert(4)</script> & \"quotes\""
MARKERS = re.compile(rb"<!-- sgdyn:(timing|log) -->.*?<!-- /sgdyn:\1 -->", re.S)


class Page(html.parser.HTMLParser):
    """The parts of a (dumped) page the checks look at: elements with their attributes, the
    bundle rows with their text, and the whole text."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.rows = []
        self.jobs = []
        self.text = []
        self._row = None
        self._row_depth = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        if tag == "tr" and self._row is None and ("bundle" in classes or "job" in classes):
            self._row = {"group": attributes.get("data-group"), "text": [], "kind": "bundle" if "bundle" in classes else "job",
                         "links": []}
            self._row_depth = 0
        if self._row is not None:
            if tag == "tr":
                self._row_depth += 1
            if tag == "a" and "href" in attributes:
                self._row["links"].append(attributes["href"])
            if tag == "progress":
                self._row["progress"] = attributes.get("value")

    def handle_endtag(self, tag):
        if self._row is not None and tag == "tr":
            self._row_depth -= 1
            if self._row_depth == 0:
                self._row["text"] = "".join(self._row["text"])
                (self.rows if self._row["kind"] == "bundle" else self.jobs).append(self._row)
                self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._row is not None:
            self._row["text"].append(data)

    @property
    def all_text(self):
        return "".join(self.text)

    def references(self):
        """(attribute, value) of every href and src."""
        return [(name, attributes[name]) for _, attributes in self.elements for name in ("href", "src") if name in attributes]


class Harness(Checks):
    """The report step's folders, Chromium and tidy, and its one daemon (counting is the library's)."""

    def __init__(self, sgdyn):
        super().__init__()
        self.sgdyn = os.path.abspath(sgdyn)
        self.root = tempfile.mkdtemp(prefix="sgdyn-report-")
        self.outbox = os.path.join(self.root, "outbox")
        self.profile = os.path.join(self.root, "chromium-profile")
        self.daemon = None

    def sgdyn_run(self, *args, timeout=120):
        return subprocess.run([self.sgdyn, *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, cwd=self.root)

    def write_job(self, name, document):
        path = os.path.join(self.root, name + ".json")
        with open(path, "w") as handle:
            json.dump(document, handle)
        return path

    # -- Chromium and tidy

    def chromium(self, *args, timeout=90):
        return subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                               f"--user-data-dir={self.profile}", *args],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)

    def dom(self, path):
        result = self.chromium("--dump-dom", "file://" + urllib.parse.quote(path))
        if result.returncode != 0:
            raise RuntimeError(f"chromium --dump-dom {path} failed: {result.stderr.decode(errors='replace')[-800:]}")
        return result.stdout.decode("utf-8", errors="replace")

    def screenshot(self, path, png, size):
        result = self.chromium(f"--window-size={size}", f"--screenshot={png}", "file://" + urllib.parse.quote(path))
        if result.returncode != 0 or not os.path.exists(png):
            return False, f"chromium --screenshot failed: {result.stderr.decode(errors='replace')[-800:]}"
        verdict = subprocess.run([sys.executable, os.path.join(HERE, "png_check.py"), png], capture_output=True, text=True)
        return verdict.returncode == 0, verdict.stdout.strip()

    def tidy(self, path):
        # tidy 5.6 (Debian 12) predates the `loading` attribute of <img>, so it would call it
        # proprietary; every other warning and every error fails the check.
        result = subprocess.run(["tidy", "-e", "-q", "--warn-proprietary-attributes", "no", path],
                                capture_output=True, text=True)
        return result.returncode == 0, (result.stdout + result.stderr).strip()

    # -- the daemon, for real rejected and cancelled bundles and a store with running jobs

    def start_daemon(self, inbox, state):
        log = open(os.path.join(self.root, "daemon.log"), "wb")
        self.daemon = subprocess.Popen([self.sgdyn, "serve", "--inbox", inbox, "--outbox", self.outbox, "--state", state,
                                        "--workers", "1", "--checkpoint-interval", "1"],
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.root, start_new_session=True)
        # Drops must follow its start: a file renamed in while it watches is taken at once, one
        # found at start-up only after the quiet period, which would reorder the jobs.
        path = os.path.join(self.root, "daemon.log")
        wait_until(lambda: self.daemon.poll() is not None or "serving inbox" in open(path, errors="replace").read(), 30)

    def stop_daemon(self):
        if self.daemon is None or self.daemon.poll() is not None:
            return
        self.daemon.send_signal(signal.SIGTERM)
        try:
            self.daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.daemon.pid, signal.SIGKILL)
            self.daemon.wait(timeout=10)

    def status(self, state):
        result = self.sgdyn_run("status", "--state", state, "--json", timeout=30)
        try:
            return {job["name"]: job for job in json.loads(result.stdout)}
        except ValueError:
            return {}


def drop(inbox, name, document=None, raw=None):
    temporary = os.path.join(inbox, "." + name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(raw if raw is not None else json.dumps(document).encode())
    os.rename(temporary, os.path.join(inbox, name + ".json"))


def edited_copy(outbox, source, folder, change):
    """A copy of bundle `source` as `folder` whose result.json is changed by `change(document)`."""
    shutil.copytree(os.path.join(outbox, source), os.path.join(outbox, folder))
    path = os.path.join(outbox, folder, "result.json")
    with open(path) as handle:
        document = json.load(handle)
    change(document)
    with open(path, "w") as handle:
        json.dump(document, handle, indent=2)


def unreadable_folder(outbox, folder, result_bytes=None):
    os.makedirs(os.path.join(outbox, folder))
    if result_bytes is not None:
        with open(os.path.join(outbox, folder, "result.json"), "wb") as handle:
            handle.write(result_bytes)


def broken_references(page, base):
    """Links and images of `page` (at folder `base`) that do not name an existing file."""
    missing = []
    for attribute, value in page.references():
        parsed = urllib.parse.urlsplit(value)
        if parsed.scheme or parsed.netloc:
            missing.append(f"{attribute}={value} (not a relative link)")
            continue
        if not parsed.path:
            continue  # a fragment on the same page
        target = os.path.normpath(os.path.join(base, urllib.parse.unquote(parsed.path)))
        if not os.path.exists(target):
            missing.append(f"{attribute}={value}")
    return missing


def injected(page, allowed_scripts):
    """Elements or attributes that hostile text would have injected."""
    problems = []
    scripts = sum(1 for tag, _ in page.elements if tag == "script")
    if scripts != allowed_scripts:
        problems.append(f"{scripts} <script> elements (expected {allowed_scripts})")
    for tag, attributes in page.elements:
        for name in attributes:
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…>")
        if tag in ("textarea", "b", "iframe", "object", "embed"):
            problems.append(f"a <{tag}> element")
        if tag == "img" and attributes.get("src") == "x":
            problems.append("an <img src=x>")
    return problems


def main():
    h = Harness(sys.argv[1])
    try:
        run_checks(h)
    except Exception as error:  # a crash of the harness is a failure, with its reason
        import traceback
        h.check("the checks ran to the end", False, traceback.format_exc() or str(error))
    finally:
        h.stop_daemon()
        if os.environ.get("SGDYN_REPORT_KEEP"):
            print(f"# kept {h.root}")
        else:
            shutil.rmtree(h.root, ignore_errors=True)
    return h.finish("report")


def run_checks(h):
    outbox = h.outbox
    os.makedirs(outbox)
    # Real bundles of `sgdyn run`.
    jobs = {
        "plain": {"name": "plain", "N": 50, "t_max": 2, "points": 6, "seeds": 2},
        "sweep": {"name": "sweep", "kind": "compare", "N": 100, "K": 2, "t_max": 4, "points": 10, "seeds": 2,
                  "sweep": {"lr": [0.2, 0.5], "K": [2, 3]}, "description": "A compare sweep, two keys."},
        "ode-only": {"name": "ode-only", "kind": "ode", "K": 2, "M": 2, "t_max": 20, "points": 20, "seeds": 1},
        "hostile": {"name": "hostile", "N": 50, "t_max": 1, "points": 4, "seeds": 1, "description": HOSTILE_DESCRIPTION},
    }
    for name, document in jobs.items():
        result = h.sgdyn_run("run", h.write_job(name, document), "--outbox", outbox, "--quiet", "--threads", "2")
        h.check(f"sgdyn run {name} writes its bundle", result.returncode == 0 and os.path.isdir(os.path.join(outbox, name)),
                result.stderr.decode(errors="replace"))
    result = h.sgdyn_run("run", h.write_job("plain", jobs["plain"]), "--outbox", outbox, "--quiet", "--threads", "1")
    h.check("a second run of the same job goes to plain-2", result.returncode == 0 and os.path.isdir(os.path.join(outbox, "plain-2")))
    h.check("sgdyn run also wrote the outbox's index.html", os.path.isfile(os.path.join(outbox, "index.html")))

    # The same job, the same page apart from timing and log.
    pages = []
    for folder in ("plain", "plain-2"):
        with open(os.path.join(outbox, folder, "index.html"), "rb") as handle:
            pages.append(handle.read())
    h.check("two runs of one job give the same index.html apart from the timing and log markers",
            MARKERS.sub(b"", pages[0]) == MARKERS.sub(b"", pages[1]) and pages[0].count(b"<!-- sgdyn:") == 2)
    with open(os.path.join(outbox, "plain", "manifest.json")) as handle:
        listed = {entry["path"] for entry in json.load(handle)["files"]}
    with open(os.path.join(outbox, "plain", "result.json")) as handle:
        files = json.load(handle)[R.FILES]
    h.check("index.html is in the manifest and in result.json's files", "index.html" in listed and files.get(R.PAGE) == "index.html")

    # A real daemon: a rejected job, a cancelled one, one running and one waiting.
    inbox, state = os.path.join(h.root, "inbox"), os.path.join(h.root, "state")
    os.makedirs(inbox)
    h.start_daemon(inbox, state)
    drop(inbox, "bad", raw=b'{"name": "bad", "lr": -1}')
    drop(inbox, "long-running", {"name": "long-running", "N": 1000, "t_max": 100000, "points": 20, "seeds": 1,
                                 "description": "runs while the index is written"})
    time.sleep(1.5)
    drop(inbox, "waiting", {"name": "waiting", "N": 100, "t_max": 5, "points": 5, "seeds": 1})
    drop(inbox, "to-cancel", {"name": "to-cancel", "N": 100, "t_max": 5, "points": 5, "seeds": 1})
    h.check("the daemon rejects a bad job with a bundle", bool(wait_until(
        lambda: os.path.isfile(os.path.join(outbox, "rejected-bad", "manifest.json")), 60)))
    progressing = wait_until(lambda: (h.status(state).get("long-running") or {}).get("steps_done", 0) > 0
                             and "to-cancel" in h.status(state), 90)
    h.check("a long job runs (progress at a checkpoint) and others are queued", bool(progressing),
            json.dumps(h.status(state), indent=1)[:2000])
    cancel = h.sgdyn_run("cancel", "to-cancel", "--state", state)
    h.check("a queued job is cancelled into a bundle", cancel.returncode == 0 and bool(wait_until(
        lambda: os.path.isfile(os.path.join(outbox, "to-cancel", "manifest.json")), 60)), cancel.stderr.decode(errors="replace"))

    result = h.sgdyn_run("report", outbox, "--state", state)
    h.check("sgdyn report --state runs while the daemon does", result.returncode == 0, result.stderr.decode(errors="replace"))
    page = Page(h.dom(os.path.join(outbox, "index.html")))
    jobs_shown = {name: row for row in page.jobs for name in ("long-running", "waiting") if row["text"].startswith(name)}
    running = jobs_shown.get("long-running")
    h.check("the index shows the running job with its progress and the waiting one",
            running is not None and "running" in running["text"] and running.get("progress") not in (None, "0")
            and "waiting" in jobs_shown and "queued" in jobs_shown["waiting"]["text"],
            "\n".join(row["text"] for row in page.jobs) or page.all_text[:1500])
    h.stop_daemon()
    h.check("the daemon stopped cleanly", h.daemon.returncode == 0, f"exit status {h.daemon.returncode}")

    # Bundles the daemon would write in other circumstances, made from copies; and unreadable ones.
    def failed(document):
        document[R.STATUS] = "failed"
        document[R.ERROR] = {R.MESSAGE: HOSTILE_REASON}

    def diverged(document):
        document[R.STATUS] = "diverged"
        document[R.POINTS][0][R.RUNS][0][R.DIVERGED_AT] = {R.T: 12.5, R.STEP: 625}

    def unknown(document):
        document[R.STATUS] = "exploded"

    edited_copy(outbox, "plain", "failed-copy", failed)
    edited_copy(outbox, "plain", "diverged-copy", diverged)
    edited_copy(outbox, "plain", "unknown-status", unknown)
    unreadable_folder(outbox, "no-result")
    unreadable_folder(outbox, "broken-json", b'{"status": "done", "points": [1, 2')
    unreadable_folder(outbox, "no-status", b'{"name": "no-status"}')
    unreadable_folder(outbox, HOSTILE_FOLDER, b"<html>not json</html>")
    os.symlink("plain", os.path.join(outbox, "link-to-plain"))
    expected = {
        "plain": "done", "plain-2": "done", "sweep": "done", "ode-only": "done", "hostile": "done", "rejected-bad": "rejected",
        "to-cancel": "cancelled", "failed-copy": "failed", "diverged-copy": "diverged", "unknown-status": "other",
        "no-result": "unreadable", "broken-json": "unreadable", "no-status": "unreadable", HOSTILE_FOLDER: "unreadable",
        "link-to-plain": "unreadable", "long-running": None, "waiting": None,
    }
    # Jobs stopped by SIGTERM have no bundle (they resume); any other bundle folder is a surprise.
    present = sorted(n for n in os.listdir(outbox) if not n.startswith(".") and (os.path.isdir(os.path.join(outbox, n))
                                                                                  or os.path.islink(os.path.join(outbox, n))))
    expected = {k: v for k, v in expected.items() if v is not None}
    h.check("the outbox holds exactly the bundles of this test", present == sorted(expected), f"{present}")

    result = h.sgdyn_run("report", outbox, "--state", state)
    h.check("sgdyn report exits 0 with unreadable bundles and prints the index's path",
            result.returncode == 0 and result.stdout.decode().strip() == os.path.join(outbox, "index.html"),
            result.stderr.decode(errors="replace"))
    index = os.path.join(outbox, "index.html")
    h.check("no temporary file is left in the outbox", not [n for n in os.listdir(outbox) if n.endswith(".tmp")])

    # Validation.
    for path in [index] + [os.path.join(outbox, f, "index.html") for f in ("plain", "sweep", "ode-only", "hostile", "rejected-bad", "to-cancel")]:
        ok, output = h.tidy(path)
        h.check(f"tidy -e finds nothing in {os.path.relpath(path, outbox)}", ok, output)

    # The index in a browser.
    page = Page(h.dom(index))
    groups = {}
    for row in page.rows:
        for folder in expected:
            if row["links"] and urllib.parse.unquote(row["links"][0]).split("/")[0] == folder:
                groups[folder] = row["group"]
    unlinked = [row for row in page.rows if not row["links"]]
    h.check(f"the DOM has one row per bundle ({len(expected)})", len(page.rows) == len(expected),
            f"{len(page.rows)} rows: " + "; ".join(row["text"][:60] for row in page.rows))
    h.check("every row has its status group", all(groups.get(f) == g for f, g in expected.items() if f != "link-to-plain")
            and len(unlinked) == 1 and unlinked[0]["group"] == "unreadable",
            json.dumps({f: (groups.get(f), g) for f, g in expected.items()}, indent=1))
    missing = broken_references(page, outbox)
    h.check("every link and image of the index names an existing file", not missing, "\n".join(missing[:20]))
    h.check("the thumbnails are lazy images with alt text and a title",
            all(a.get("loading") == "lazy" and a.get("alt") and a.get("title") for t, a in page.elements if t == "img")
            and sum(1 for t, _ in page.elements if t == "img") >= 8)
    problems = injected(page, allowed_scripts=1)
    h.check("hostile descriptions, reasons and folder names inject nothing into the index", not problems, "\n".join(problems))
    text = page.all_text
    h.check("they are shown as text", HOSTILE_DESCRIPTION in text and HOSTILE_FOLDER in text and HOSTILE_REASON in text, text[:2000])
    rows = {row["links"][0].split("/")[0] if row["links"] else "": row["text"] for row in page.rows}
    h.check("failed and rejected rows show their reason",
            HOSTILE_REASON in rows.get("failed-copy", "") and "lr" in rows.get("rejected-bad", "")
            and "run(s) diverged" in rows.get("diverged-copy", ""), json.dumps(rows, indent=1)[:3000])
    order = [urllib.parse.unquote(row["links"][0]).split("/")[0] for row in page.rows if row["links"]]
    h.check("bundles are listed newest first (plain-2 after the daemon's, before plain)",
            order.index("to-cancel") < order.index("plain-2") < order.index("plain"), f"{order}")
    filters = [a for t, a in page.elements if a.get("id") == "filters"]
    h.check("the filter script ran: its bar is shown and counts the rows",
            filters and "hidden" not in filters[0] and f"{len(expected)} of {len(expected)} shown" in text)
    ok, verdict = h.screenshot(index, os.path.join(h.root, "index.png"), "1280,1400")
    h.check(f"the index renders, not blank, on a laptop ({verdict})", ok)
    ok, verdict = h.screenshot(index, os.path.join(h.root, "index-phone.png"), "390,844")
    h.check(f"and on a phone ({verdict})", ok)

    # Bundle pages in a browser.
    for folder, scripts in (("sweep", 0), ("hostile", 0), ("rejected-bad", 0), ("to-cancel", 0)):
        path = os.path.join(outbox, folder, "index.html")
        bundle_page = Page(h.dom(path))
        missing = broken_references(bundle_page, os.path.dirname(path))
        h.check(f"every link and image of {folder}/index.html names an existing file", not missing, "\n".join(missing[:20]))
        h.check(f"{folder}/index.html has no script and nothing injected", not injected(bundle_page, scripts),
                "\n".join(injected(bundle_page, scripts)))
    sweep = Page(h.dom(os.path.join(outbox, "sweep", "index.html")))
    images = [a["src"] for t, a in sweep.elements if t == "img"]
    h.check("the sweep's page shows every plot (sweep.svg and each point's two)", len(images) == 9 and "sweep.svg" in images, f"{images}")
    csvs = [a["href"] for t, a in sweep.elements if t == "a" and a.get("href", "").endswith(".csv")]
    h.check("and links every CSV file (summary and 16 trajectories)", len(set(csvs)) == 17, f"{sorted(set(csvs))}")
    hostile = Page(h.dom(os.path.join(outbox, "hostile", "index.html")))
    h.check("the hostile description shows as text on its page", HOSTILE_DESCRIPTION in hostile.all_text)
    rejected = Page(h.dom(os.path.join(outbox, "rejected-bad", "index.html")))
    h.check("the rejected page says why, naming the key", "Rejected" in rejected.all_text and "key 'lr'" in rejected.all_text,
            rejected.all_text[:1500])
    ok, verdict = h.screenshot(os.path.join(outbox, "sweep", "index.html"), os.path.join(h.root, "sweep.png"), "1280,1400")
    h.check(f"a bundle page renders, not blank ({verdict})", ok)

    # The cache: a refresh reads nothing again; a changed result.json is read again. (Files
    # changed less than 2 s before a report are read but not cached yet; these are settled now.)
    time.sleep(2.1)
    h.sgdyn_run("report", outbox)
    result = h.sgdyn_run("report", outbox)
    h.check("a second report reads no result.json again (cache)", result.returncode == 0
            and ", 0 result.json read" in result.stderr.decode(), result.stderr.decode(errors="replace"))
    edited = os.path.join(outbox, "unknown-status", "result.json")
    with open(edited) as handle:
        document = json.load(handle)
    document[R.STATUS] = "cancelled"
    with open(edited, "w") as handle:
        json.dump(document, handle)
    result = h.sgdyn_run("report", outbox)
    page = Page(h.dom(index))
    groups = {urllib.parse.unquote(row["links"][0]).split("/")[0]: row["group"] for row in page.rows if row["links"]}
    h.check("an edited result.json is read again and shown as it is now",
            ", 1 result.json read" in result.stderr.decode() and groups.get("unknown-status") == "cancelled",
            result.stderr.decode(errors="replace") + f" {groups.get('unknown-status')}")
    with open(os.path.join(outbox, ".sgdyn-report-cache.json"), "w") as handle:
        handle.write("{ garbage")
    result = h.sgdyn_run("report", outbox)
    h.check("a corrupt cache is ignored and replaced", result.returncode == 0 and f", {len(expected) - 2} result.json read"
            in result.stderr.decode(), result.stderr.decode(errors="replace"))

    # Failing only when index.html cannot be written.
    result = h.sgdyn_run("report", os.path.join(h.root, "no-such-outbox"))
    h.check("a missing outbox exits non-zero with a clear message", result.returncode != 0
            and b"no outbox folder at" in result.stderr, result.stderr.decode(errors="replace"))
    blocked = os.path.join(h.root, "blocked")
    os.makedirs(os.path.join(blocked, "index.html"))
    result = h.sgdyn_run("report", blocked)
    h.check("an index.html that cannot be replaced exits non-zero with a clear message", result.returncode != 0
            and b"cannot write" in result.stderr and b"index.html" in result.stderr, result.stderr.decode(errors="replace"))
    result = h.sgdyn_run("report", outbox, "--state", os.path.join(h.root, "no-such-state"))
    page = Page(h.dom(index))
    h.check("an unreadable job store is said on the page, not fatal", result.returncode == 0
            and "job store could not be read" in page.all_text, result.stderr.decode(errors="replace"))


if __name__ == "__main__":
    sys.exit(main())
