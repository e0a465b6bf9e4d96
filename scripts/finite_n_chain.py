#!/usr/bin/env python3
"""The exact finite-N dynamics of a He3 student learning a He3 teacher, K = M = 1, v = v* = 1,
B = 1 (docs/measurements.md, "General pairs"): a measurement aid, independent of sgdyn's code,
not run by the tests (it needs numpy and scipy).

x is isotropic, so given (Q, R, T) one SGD step (science.md §2) needs only the two fields
(λ, ρ), jointly Gaussian with covariance [[Q, R], [R, T]], and ‖x‖² = z1² + z2² + χ²(N − 2):

    a = η g'(λ) Δ,  Δ = g(ρ) + σζ − g(λ),  Q ← Q + 2aλ/N + a²‖x‖²/N²,  R ← R + aρ/N,

which is the law of (Q, R) under the simulation, exactly, at any N, with no N-vectors. Thousands
of runs take seconds; the ODE (exact Gauss-Hermite averages) is integrated beside them.

    scripts/finite_n_chain.py table ETA N1,N2,... RUNS
        relative ε_g deviation from the ODE at t = 1 and 3, from Q = T = 1, R = 0.01
    scripts/finite_n_chain.py calibrate BUNDLE REPLICAS
        a `compare` bundle of he3/he3, K = M = 1: its simulations against REPLICAS chains
        started from each seed's own initial (Q, R, T)
"""

import csv
import json
import sys

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

SQRT6 = np.sqrt(6.0)
NODES, WEIGHTS = np.polynomial.hermite_e.hermegauss(40)
WEIGHTS = WEIGHTS / np.sqrt(2 * np.pi)
Z1, Z2 = np.meshgrid(NODES, NODES, indexing="ij")
W2 = np.outer(WEIGHTS, WEIGHTS)


def g(x):
    return (x**3 - 3 * x) / SQRT6


def gp(x):
    return (3 * x**2 - 3) / SQRT6


def fields(Q, R, T):
    rho = np.sqrt(T) * Z1
    return R / np.sqrt(T) * Z1 + np.sqrt(max(Q - R * R / T, 0)) * Z2, rho


def rhs(Q, R, T, eta, sigma):
    """(dQ/dt, dR/dt): exact for polynomials (40 points, degree ≤ 10 integrands)."""
    lam, rho = fields(Q, R, T)
    d = g(rho) - g(lam)
    dR = eta * np.sum(W2 * gp(lam) * rho * d)
    dQ = 2 * eta * np.sum(W2 * gp(lam) * lam * d) + eta**2 * np.sum(W2 * gp(lam) ** 2 * (d * d + sigma**2))
    return dQ, dR


def eg(Q, R, T):
    if not np.isfinite(Q):
        return np.inf
    lam, rho = fields(Q, R, T)
    return 0.5 * np.sum(W2 * (g(lam) - g(rho)) ** 2)


def ode(Q0, R0, T, eta, sigma, times):
    sol = solve_ivp(lambda t, y: rhs(y[0], y[1], T, eta, sigma), (0, times[-1]), [Q0, R0], t_eval=times,
                    rtol=1e-11, atol=1e-13, method="DOP853")
    return sol.y


def chain(N, Q, R, T, eta, sigma, times, seed):
    """The runs' (Q, R) at `times`; a run past Q = 50 counts as diverged (Q = inf)."""
    rng = np.random.default_rng(seed)
    Q, R, T = Q.astype(float).copy(), R.astype(float).copy(), np.asarray(T, float)
    S = len(Q)
    marks = {int(round(t * N)): t for t in times}
    out = {}
    for step in range(1, max(marks) + 1):
        z1, z2, zeta = rng.standard_normal(S), rng.standard_normal(S), rng.standard_normal(S)
        chi = rng.chisquare(N - 2, S)
        with np.errstate(all="ignore"):
            rho = np.sqrt(T) * z1
            lam = R / np.sqrt(T) * z1 + np.sqrt(np.maximum(Q - R * R / T, 0)) * z2
            a = eta * gp(lam) * (g(rho) + sigma * zeta - g(lam))
            Q = Q + 2 * a * lam / N + a * a * (z1 * z1 + z2 * z2 + chi) / (N * N)
            R = R + a * rho / N
        bad = ~np.isfinite(Q) | (Q > 50)
        Q[bad], R[bad] = np.inf, 0
        if step in marks:
            out[marks[step]] = (Q.copy(), R.copy())
    return out


def describe(r):
    ok = np.isfinite(r)
    f = r[ok]
    return (f"diverged {1 - ok.mean():.3f}, median {np.median(f):+.4f}, mean {f.mean():+.4f} ± {f.std() / np.sqrt(len(f)):.4f}, "
            f"|dev| median {np.percentile(np.abs(f), 50):.4f}, 90 % {np.percentile(np.abs(f), 90):.4f}")


def table(eta, sizes, runs, sigma=0.01):
    Q0, R0, T = 1.0, 0.01, 1.0
    times = [1.0, 3.0]
    y = ode(Q0, R0, T, eta, sigma, times)
    for N in sizes:
        out = chain(N, np.full(runs, Q0), np.full(runs, R0), T, eta, sigma, times, seed=N)
        for i, t in enumerate(times):
            Q, R = out[t]
            e0 = eg(y[0][i], y[1][i], T)
            r = (np.array([eg(q, rr, T) for q, rr in zip(Q, R)]) - e0) / e0
            q25, q75 = np.percentile(Q[np.isfinite(Q)], [25, 75])
            print(f"η = {eta}, N = {N}, t = {t}: ε_g/ε_ode − 1 {describe(r)}; IQR(Q)·√N {(q75 - q25) * np.sqrt(N):.2f}", flush=True)


def calibrate(bundle, replicas):
    job = json.load(open(f"{bundle}/job.json"))
    N, eta, sigma = job["N"], job["lr"], job["sigma"]
    seeds = json.load(open(f"{bundle}/result.json"))["job"]["seeds"]
    sims, odes, start = [], [], []
    for s in seeds:
        sim = list(csv.DictReader(open(f"{bundle}/seed-{s}.csv")))
        Q0, R0, e0 = float(sim[0]["Q11"]), float(sim[0]["R11"]), float(sim[0]["eg"])
        start.append((Q0, R0, brentq(lambda T: eg(Q0, R0, T) - e0, 0.5, 2)))  # T from ε_g(0)
        sims.append({float(r["t"]): float(r["eg"]) for r in sim})
        odes.append({float(r["t"]): float(r["eg"]) for r in csv.DictReader(open(f"{bundle}/ode-seed-{s}.csv"))})
    times = sorted(odes[0])[1:]
    Q0, R0, T = (np.repeat([p[i] for p in start], replicas) for i in range(3))
    out = chain(N, Q0, R0, T, eta, sigma, times, seed=7)
    print(f"N = {N}: {len(seeds)} simulations; {replicas} chains per seed")
    for t in [times[len(times) // 3], times[2 * len(times) // 3], times[-1]]:
        e0 = np.array([o[t] for o in odes])
        simulated = (np.array([x.get(t, np.inf) for x in sims]) - e0) / e0
        Q, R = out[t]
        chained = (np.array([eg(q, r, tt) for q, r, tt in zip(Q, R, T)]) - np.repeat(e0, replicas)) / np.repeat(e0, replicas)
        print(f"t = {t}: sgdyn {describe(simulated)}\n          chain {describe(chained)}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "table":
        table(float(sys.argv[2]), [int(n) for n in sys.argv[3].split(",")], int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "calibrate":
        calibrate(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
