#!/usr/bin/env python3
"""Compares two folders of result bundles (outboxes) file by file, byte for byte, except timing.

Usage: compare_bundles.py BEFORE_OUTBOX AFTER_OUTBOX -> one line per bundle; exit 0 when all match.
Results are a contract (docs/developers.md): a change that keeps numbers must keep every bundle
byte-identical apart from the fields that record when and how long. Those are dropped before
comparing: JSON keys whose name mentions time (seconds, elapsed, started, finished, created, cpu,
wall, duration, date), the log's timestamps and durations, the manifest's sizes and hashes of
the files compared this way, and in the HTML page its timing paragraph, timestamps and durations.
"""
import json
import os
import re
import sys

TIMING_KEY = re.compile(r"(second|elapsed|start|finish|created|cpu|wall|duration|date|time_|_time|timestamp)", re.I)
LOOSE = {"log.txt", "manifest.json", "result.json", "index.html", "README.txt"}


def drop_timing(value):
    if isinstance(value, dict):
        return {k: drop_timing(v) for k, v in value.items() if not TIMING_KEY.search(k)}
    if isinstance(value, list):
        return [drop_timing(v) for v in value]
    return value


def normalise_text(text):
    text = re.sub(r"<!-- sgdyn:timing -->.*?<!-- /sgdyn:timing -->", "<timing>", text, flags=re.S)
    text = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?( ?Z| UTC)?", "<time>", text)
    text = re.sub(r"\b\d+(\.\d+)?(e-?\d+)? ?(s|ms|µs|min|h)\b", "<duration>", text)
    return text


def compare_file(a, b, name):
    with open(a, "rb") as f:
        x = f.read()
    with open(b, "rb") as f:
        y = f.read()
    if x == y:
        return None
    if name not in LOOSE:
        return "bytes differ"
    if name == "manifest.json":
        mx, my = json.loads(x), json.loads(y)
        strip = lambda m: [f for f in m.get("files", []) if f["path"] not in LOOSE]
        return None if strip(mx) == strip(my) else "manifest differs in a strictly compared file"
    if name == "result.json":
        return None if drop_timing(json.loads(x)) == drop_timing(json.loads(y)) else "result.json differs beyond timing"
    return None if normalise_text(x.decode()) == normalise_text(y.decode()) else f"{name} differs beyond timing"


def compare_bundle(a, b):
    problems = []
    files_a = sorted(os.path.relpath(os.path.join(r, f), a) for r, _, fs in os.walk(a) for f in fs)
    files_b = sorted(os.path.relpath(os.path.join(r, f), b) for r, _, fs in os.walk(b) for f in fs)
    if files_a != files_b:
        problems.append(f"file lists differ: {sorted(set(files_a) ^ set(files_b))}")
    for rel in sorted(set(files_a) & set(files_b)):
        problem = compare_file(os.path.join(a, rel), os.path.join(b, rel), os.path.basename(rel))
        if problem:
            problems.append(f"{rel}: {problem}")
    return problems


def main():
    before, after = sys.argv[1], sys.argv[2]
    failed = 0
    names = sorted(n for n in os.listdir(before) if os.path.isdir(os.path.join(before, n)))
    for name in names:
        if not os.path.isdir(os.path.join(after, name)):
            print(f"MISSING {name}")
            failed += 1
            continue
        problems = compare_bundle(os.path.join(before, name), os.path.join(after, name))
        if problems:
            failed += 1
            print(f"DIFFER {name}: " + "; ".join(problems[:5]))
        else:
            print(f"same   {name}")
    print(f"compare_bundles: {len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
