#!/usr/bin/env python3
"""Compares two result bundles (or two outboxes of bundles) file by file, as the results contract
requires: a refactor changes no bundle byte. The parts that legitimately differ between two runs
of the same job are left out: `timing` in result.json, README.txt's timing line, the marked timing
and log parts of index.html, log.txt (timestamps) and the manifest's hashes of those files.
`--ignore-version` also ignores `sgdyn_version` (for comparing across a deliberate version bump,
where the numbers are then compared with a relative tolerance by --rtol).

Usage: compare_bundles.py OLD NEW [--ignore-version] [--rtol X]
Exits 1 and lists every difference when the bundles differ; prints one summary line either way.
"""
import json, os, re, sys

import result_fields as R  # result.json's field names, generated from ResultDocument

TIMING_LINE = re.compile(rb" in [0-9.]+ (?:s|min|h)(?:, resumed [0-9]+ time\(s\) from checkpoints)?\.\n")
MARKED = re.compile(rb"<!-- sgdyn:(timing|log) -->.*?<!-- /sgdyn:\1 -->", re.S)
VOLATILE = {"log.txt", "result.json", "README.txt", "index.html", "manifest.json"}


def files(root):
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            out[os.path.relpath(path, root)] = path
    return out


def normalise_json(value, ignore_version):
    if isinstance(value, dict):
        return {k: normalise_json(v, ignore_version) for k, v in value.items()
                if k != R.TIMING and not (ignore_version and k == R.SGDYN_VERSION)}
    if isinstance(value, list):
        return [normalise_json(v, ignore_version) for v in value]
    return value


def close(a, b, rtol):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= rtol * max(abs(a), abs(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rtol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, rtol) for x, y in zip(a, b))
    return a == b


def same(rel, old, new, ignore_version, rtol):
    name = os.path.basename(rel)
    a, b = open(old, "rb").read(), open(new, "rb").read()
    if name == "log.txt":
        return True
    if name == "result.json":
        return close(normalise_json(json.loads(a), ignore_version), normalise_json(json.loads(b), ignore_version), rtol)
    if name == "manifest.json":
        def entries(data):
            doc = json.loads(data)
            keep = {}
            for entry in doc.get("files", []):
                if os.path.basename(entry.get("path", "")) not in VOLATILE:
                    keep[entry["path"]] = entry
            return keep, {k: v for k, v in doc.items() if k != "files" and not (ignore_version and k == "sgdyn_version")}
        ea, ra = entries(a)
        eb, rb = entries(b)
        return (ra == rb or rtol > 0 and close(ra, rb, rtol)) and (ea == eb or rtol > 0 and ea.keys() == eb.keys())
    if name == "README.txt":
        a, b = TIMING_LINE.sub(b"", a), TIMING_LINE.sub(b"", b)
    if name == "index.html":
        a, b = MARKED.sub(b"", a), MARKED.sub(b"", b)
    if ignore_version:
        a = re.sub(rb"sgdyn [0-9]+\.[0-9]+\.[0-9]+", b"sgdyn X", a)
        b = re.sub(rb"sgdyn [0-9]+\.[0-9]+\.[0-9]+", b"sgdyn X", b)
    if a == b:
        return True
    if rtol > 0 and name.endswith(".csv"):
        ra, rb = a.decode().splitlines(), b.decode().splitlines()
        if len(ra) != len(rb) or ra[:1] != rb[:1]:
            return False
        for la, lb in zip(ra[1:], rb[1:]):
            fa, fb = la.split(","), lb.split(",")
            if len(fa) != len(fb) or not all(close_field(x, y, rtol) for x, y in zip(fa, fb)):
                return False
        return True
    return False


def close_field(x, y, rtol):
    """Two CSV fields: equal text (also empty or non-numeric ones), or numbers within rtol."""
    if x == y:
        return True
    try:
        return close(float(x), float(y), rtol)
    except ValueError:
        return False


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    ignore_version = "--ignore-version" in sys.argv
    rtol = 0.0
    if "--rtol" in sys.argv:
        rtol = float(sys.argv[sys.argv.index("--rtol") + 1])
        args = [a for a in args if a != sys.argv[sys.argv.index("--rtol") + 1]]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    old, new = files(args[0]), files(args[1])
    problems = []
    for rel in sorted(old.keys() | new.keys()):
        if rel.endswith(".sgdyn-report-cache.json") or os.path.basename(rel) == "index.html" and os.sep not in rel:
            continue  # the outbox's own index and cache list modification times
        if rel not in old or rel not in new:
            problems.append(f"{rel}: only in {'new' if rel in new else 'old'}")
        elif not same(rel, old[rel], new[rel], ignore_version, rtol):
            problems.append(f"{rel}: differs")
    for p in problems:
        print(p)
    print(f"compare_bundles: {len(old.keys() & new.keys())} files in both, {len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
