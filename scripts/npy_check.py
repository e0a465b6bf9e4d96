#!/usr/bin/env python3
"""Reads a store_weights bundle's .npy files with numpy and checks them against its CSVs.

Usage: npy_check.py BUNDLE_FOLDER -> exit 0 when, for every run, numpy.load reads B, vstar,
W-initial, v-initial, W-final and v-final with the job's shapes, and W Wᵀ/N = Q, W Bᵀ/N = R and
v equal the CSV's first row (initial weights) and last row (final weights). Tolerance 1e-12
absolute: the CSV holds the simulator's doubles exactly, and numpy sums the N products of
entries of order 1 in another order.
"""
import csv
import json
import os
import sys

import numpy as np

import result_fields as RF  # result.json's field names, generated from ResultDocument (R is the overlap here)

bundle = sys.argv[1]
with open(os.path.join(bundle, "result.json")) as f:
    result = json.load(f)
job = result[RF.JOB]
N, M, K = job["N"], job["M"], job["K"]
problems = []
checked = 0
for point in result[RF.POINTS]:
    for run in point[RF.RUNS]:
        folder = os.path.join(bundle, point[RF.FOLDER], "weights", "seed-%s" % run[RF.SEED])
        B = np.load(os.path.join(folder, "B.npy"))
        vstar = np.load(os.path.join(folder, "vstar.npy"))
        if B.shape != (M, N) or vstar.shape != (M,) or B.dtype != np.float64:
            problems.append("%s: teacher shapes %s %s" % (folder, B.shape, vstar.shape))
        with open(os.path.join(bundle, run[RF.CSV])) as f:
            rows = list(csv.DictReader(f))
        for which, row in (("initial", rows[0]), ("final", rows[-1])):
            W = np.load(os.path.join(folder, "W-%s.npy" % which))
            v = np.load(os.path.join(folder, "v-%s.npy" % which))
            if W.shape != (K, N) or v.shape != (K,):
                problems.append("%s: %s shapes %s %s" % (folder, which, W.shape, v.shape))
                continue
            Q, R = W @ W.T / N, W @ B.T / N
            for i in range(K):
                for k in range(i, K):
                    if abs(Q[i, k] - float(row["Q%d%d" % (i + 1, k + 1)])) > 1e-12:
                        problems.append("%s %s: Q%d%d %r vs %s" % (folder, which, i + 1, k + 1, Q[i, k], row["Q%d%d" % (i + 1, k + 1)]))
                for n in range(M):
                    if abs(R[i, n] - float(row["R%d%d" % (i + 1, n + 1)])) > 1e-12:
                        problems.append("%s %s: R%d%d" % (folder, which, i + 1, n + 1))
                if v[i] != float(row["v%d" % (i + 1)]):
                    problems.append("%s %s: v%d" % (folder, which, i + 1))
            checked += 1
if problems or checked == 0:
    print("FAIL: " + ("; ".join(problems[:5]) if problems else "no runs checked"))
    sys.exit(1)
print("ok: %d weight sets read by numpy match Q, R and v of their CSV rows" % checked)
