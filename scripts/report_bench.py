#!/usr/bin/env python3
"""Benchmark of `sgdyn report`: an outbox of 2,000 bundles — time to write index.html with an
empty cache (every result.json read), with the cache (none read), and after one new bundle; and
the page's size. Prints a table; times are the median of several runs, wall clock, the whole
process (start-up included).

Usage: report_bench.py PATH-TO-SGDYN [BUNDLES]   (`make bench-report` uses the release build)

The outbox is made from real bundles of `sgdyn run` — small simulate, compare-sweep and ode
jobs, and one sweep of 10,000 runs whose result.json is about 2 MB — copied with hard links
(`cp -al`) under 2,000 names; 1 in 200 is the big sweep, and some are edited into failed and
rejected bundles. Standard library only; everything lives in a temporary folder, removed at the
end.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import result_fields as R  # result.json's field names, generated from ResultDocument


def run(sgdyn, *args):
    started = time.monotonic()
    result = subprocess.run([sgdyn, *args], capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"sgdyn {' '.join(args)} failed: {result.stderr}")
    return elapsed, result.stderr.strip()


def main():
    sgdyn = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    root = tempfile.mkdtemp(prefix="sgdyn-report-bench-")
    try:
        templates_box = os.path.join(root, "templates")
        jobs = {
            "small": {"N": 100, "t_max": 5, "points": 20, "seeds": 3, "description": "a small simulation"},
            "compare-sweep": {"kind": "compare", "N": 200, "t_max": 5, "points": 20, "seeds": 2, "sweep": {"lr": [0.2, 0.5, 1.0]}},
            "ode": {"kind": "ode", "t_max": 50, "points": 50},
            "big-sweep": {"N": 10, "t_max": 0.5, "points": 2, "seeds": 100,
                          "sweep": {"lr": [round(0.01 * (i + 1), 2) for i in range(100)]}},
        }
        for name, document in jobs.items():
            path = os.path.join(root, name + ".json")
            with open(path, "w") as handle:
                json.dump(dict(document, name=name), handle)
            run(sgdyn, "run", path, "--outbox", templates_box, "--quiet")
        for name, status, error in (("failed", "failed", {R.MESSAGE: "the worker was killed (signal 9)"}),
                                    ("rejected", "rejected", {R.MESSAGE: "key 'lr': must be a number > 0, got -1", R.KEY: "lr"})):
            shutil.copytree(os.path.join(templates_box, "small"), os.path.join(templates_box, name), copy_function=os.link)
            result = os.path.join(templates_box, name, "result.json")
            with open(result) as handle:
                document = json.load(handle)
            document.update({R.STATUS: status, R.ERROR: error})
            os.unlink(result)  # a hard link: write a file of its own
            with open(result, "w") as handle:
                json.dump(document, handle)
        with open(os.path.join(templates_box, "big-sweep", "result.json"), "rb") as handle:
            big_bytes = len(handle.read())

        outbox = os.path.join(root, "outbox")
        os.makedirs(outbox)
        rotation = ["small", "compare-sweep", "ode", "small", "compare-sweep", "small", "failed", "small", "rejected", "compare-sweep"]
        for i in range(count):
            template = "big-sweep" if i % 200 == 0 else rotation[i % len(rotation)]
            subprocess.run(["cp", "-al", os.path.join(templates_box, template), os.path.join(outbox, f"{template}-{i:04d}")], check=True)
        time.sleep(2.1)  # result.json files changed in the last 2 s are read but not cached

        cache = os.path.join(outbox, ".sgdyn-report-cache.json")
        cold = []
        for _ in range(3):
            if os.path.exists(cache):
                os.unlink(cache)
            elapsed, note = run(sgdyn, "report", outbox)
            cold.append(elapsed)
        warm = [run(sgdyn, "report", outbox)[0] for _ in range(5)]
        warm_note = run(sgdyn, "report", outbox)[1]
        added = []
        for k in range(3):
            # a real copy: new links to the template would change the change time of every copy
            subprocess.run(["cp", "-r", os.path.join(templates_box, "small"), os.path.join(outbox, f"new-{k}")], check=True)
            added.append(run(sgdyn, "report", outbox)[0])
        size = os.path.getsize(os.path.join(outbox, "index.html"))
        cache_size = os.path.getsize(cache)

        print(f"outbox: {count} bundles ({count // 200} sweeps of 10,000 runs with a {big_bytes / 1e6:.1f} MB result.json), binary {sgdyn}")
        print(f"  empty cache (every result.json read): {statistics.median(cold):.3f} s   [{note}]")
        print(f"  with the cache (none read):           {statistics.median(warm):.3f} s   [{warm_note}]")
        print(f"  one new bundle (one read):            {statistics.median(added):.3f} s")
        print(f"  index.html: {size / 1e6:.2f} MB ({size // (count + 3)} bytes per row); cache: {cache_size / 1e6:.2f} MB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
