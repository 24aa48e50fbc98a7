#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/map/peer_scipy.py — a scipy peer of bench_map's compartmental MAP problem.

    peer_scipy.py PROBLEM.json N_CLOSED N_ODE

PROBLEM.json is what bench_map writes: the vancomycin card's Omega and residual error, the
regimen (1000 mg over 1 h every 12 h, 4 doses), the level times, and per virtual patient the
typical values (prior means), the 4 levels and medtwin's MAP estimates. The same problem as
medtwin's (src/fit/fit.c with the problem of src/fit/mipd.c):

    u = log(CL, V1, Q, V2),  prior N(log typical, Omega)
    obj(u) = sum_k [(y_k - f_k)^2 / s_k^2 + log(2 pi s_k^2)] + (u - mu)' Omega^-1 (u - mu)
    s_k^2 = add^2 + (prop f_k)^2   (fixed: the card's 1.6 mg/L and 15%)

minimised by scipy.optimize.minimize (BFGS, gradient by central differences, gtol 1e-6, from
the prior mean), then the Laplace covariance 2 H^-1 with H by central differences of the
gradient (as medtwin does: each fit returns estimates and their covariance). Two predictions:

    closed  the 2-compartment infusion solution (sum of exponentials, superposition): exact;
    ode     scipy.integrate.solve_ivp (LSODA, rtol 1e-10, atol 1e-12: medtwin's fit
            tolerances) on the amounts, restarted at every infusion start and end.

Every fit is timed alone (time.perf_counter, the call to the optimiser and the Hessian), after
one untimed fit. Prints per route the median/IQR (ms/fit), the agreement with medtwin's
estimates (max |u_peer - u_medtwin| and of the objective), and a last line
    peer_scipy: closed=<ms> ode=<ms> closed_maxdu=<..> ode_maxdu=<..>
                medtwin_closed_set=<ms> medtwin_ode_set=<ms>
(the last two: medtwin's sens median over the same patients as each peer route, for the ratios).
"""
import json
import math
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import minimize


def conc_closed(theta, doses, times):
    """Cc at times (mg/L) of the 2-compartment model with zero-order infusions."""
    cl, v1, q, v2 = theta
    k10, k12, k21 = cl / v1, q / v1, q / v2
    a = k10 + k12 + k21
    disc = math.sqrt(max(a * a - 4 * k10 * k21, 0.0))
    lam = np.array([(a + disc) / 2, (a - disc) / 2])  # alpha > beta
    # unit impulse response of Cc: (1/V1) sum c_i exp(-lam_i t)
    c = np.array([(lam[0] - k21) / (lam[0] - lam[1]), (k21 - lam[1]) / (lam[0] - lam[1])]) / v1
    t = np.asarray(times, dtype=float)[:, None]
    out = np.zeros(len(times))
    for t0, amt, dur in doses:
        if dur > 0:
            r = amt / dur
            te = np.minimum(t, t0 + dur)
            on = t > t0
            # R/V1 * sum c_i/lam_i (exp(-lam (t - te)) - exp(-lam (t - t0)))
            val = r * (c / lam) * (np.exp(-lam * (t - te)) - np.exp(-lam * (t - t0)))
            out += np.where(on[:, 0], val.sum(axis=1), 0.0)
        else:
            on = t > t0
            val = amt * c * np.exp(-lam * np.where(on, t - t0, 0.0))
            out += np.where(on[:, 0], val.sum(axis=1), 0.0)
    return out


def conc_ode(theta, doses, times, rtol=1e-10, atol=1e-12):
    """Cc at times by solve_ivp (LSODA) on the amounts, segment by segment."""
    cl, v1, q, v2 = theta
    k10, k12, k21 = cl / v1, q / v1, q / v2
    events = sorted({0.0, *[d[0] for d in doses], *[d[0] + d[2] for d in doses]})
    t_end = max(times)
    bounds = [e for e in events if e < t_end] + [t_end]

    def rate(t):
        return sum(a / d for t0, a, d in doses if d > 0 and t0 <= t < t0 + d)

    def rhs(t, x, r):
        return [r - (k10 + k12) * x[0] + k21 * x[1], k12 * x[0] - k21 * x[1]]

    def jac(t, x, r):
        return [[-(k10 + k12), k21], [k12, -k21]]

    x = np.zeros(2)
    out = np.empty(len(times))
    times = np.asarray(times, dtype=float)
    for a, b in zip(bounds[:-1], bounds[1:]):
        for t0, amt, dur in doses:  # boluses at a
            if dur == 0 and t0 == a:
                x[0] += amt
        r = rate(a)
        sel = (times > a) & (times <= b)
        sol = solve_ivp(rhs, (a, b), x, method="LSODA", t_eval=times[sel] if sel.any() else None,
                        args=(r,), rtol=rtol, atol=atol, jac=jac)
        if not sol.success:
            raise RuntimeError(sol.message)
        if sel.any():
            out[sel] = sol.y[0] / v1
        # the state at b (sol.y ends at the last t_eval; integrate on when it is not b)
        if sel.any() and sol.t[-1] != b:
            sol = solve_ivp(rhs, (sol.t[-1], b), sol.y[:, -1], method="LSODA", args=(r,),
                            rtol=rtol, atol=atol, jac=jac)
        x = sol.y[:, -1].copy()
    return out


def make_objective(prob, subj, predict):
    omega = np.array(prob["omega"]).reshape(4, 4)
    oinv = np.linalg.inv(omega)
    mu = np.log(np.array(subj["typ"]))
    y = np.array(subj["y"])
    add, prop = prob["sigma_add"], prob["sigma_prop"]
    doses, times = prob["doses"], prob["times"]

    def obj(u):
        f = predict(np.exp(u), doses, times)
        s2 = add * add + (prop * f) ** 2
        d = u - mu
        return float(np.sum((y - f) ** 2 / s2 + np.log(2 * np.pi * s2)) + d @ oinv @ d)

    return obj, mu


def grad_cd(fun, u, h_rel=1e-5):
    g = np.empty_like(u)
    for i in range(len(u)):
        h = h_rel * (1 + abs(u[i]))
        e = np.zeros_like(u)
        e[i] = h
        g[i] = (fun(u + e) - fun(u - e)) / (2 * h)
    return g


def fit(prob, subj, predict):
    obj, mu = make_objective(prob, subj, predict)
    res = minimize(obj, mu.copy(), method="BFGS", jac=lambda u: grad_cd(obj, u),
                   options={"gtol": 1e-6, "maxiter": 1000})
    u = res.x
    n = len(u)
    hess = np.empty((n, n))
    for j in range(n):
        h = 1e-4 * (1 + abs(u[j]))
        e = np.zeros(n)
        e[j] = h
        hess[:, j] = (grad_cd(obj, u + e) - grad_cd(obj, u - e)) / (2 * h)
    hess = 0.5 * (hess + hess.T)
    cov = 2 * np.linalg.inv(hess)
    return u, res.fun, cov, res


def run(prob, predict, n, label):
    subjects = prob["subjects"][:n]
    fit(prob, subjects[0], predict)  # untimed
    ms, dus, dobjs, conv = [], [], [], 0
    for s in subjects:
        t0 = time.perf_counter()
        u, f, cov, res = fit(prob, s, predict)
        ms.append(1e3 * (time.perf_counter() - t0))
        conv += bool(res.success) or np.max(np.abs(res.jac)) < 1e-3
        dus.append(np.max(np.abs(u - np.array(s["u_sens"]))))
        dobjs.append(abs(f - s["obj_sens"]))
    ms = np.array(ms)
    q1, med, q3 = np.percentile(ms, [25, 50, 75])
    mt = float(np.median([s["ms_sens"] for s in subjects]))
    print(f"peer-scipy {label:6s} N={len(ms)} median={med:.3f} ms IQR=[{q1:.3f}, {q3:.3f}] ms "
          f"mean={ms.mean():.3f} ms converged={conv}/{len(ms)}; vs medtwin (sens): "
          f"max|du| {max(dus):.3g}, max|dobj| {max(dobjs):.3g}; medtwin (sens) on the same "
          f"{len(ms)} patients: median {mt:.3f} ms")
    return med, max(dus), mt


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: peer_scipy.py PROBLEM.json N_CLOSED N_ODE")
    prob = json.load(open(sys.argv[1]))
    n_closed, n_ode = int(sys.argv[2]), int(sys.argv[3])
    # the two predictions agree (the ODE route is checked against the exact solution)
    s0 = prob["subjects"][0]
    th = np.exp(np.array(s0["u_sens"]))
    d = np.max(np.abs(conc_ode(th, prob["doses"], prob["times"]) /
                      conc_closed(th, prob["doses"], prob["times"]) - 1))
    print(f"peer-scipy: closed form vs solve_ivp at patient 0's estimate: max rel. diff {d:.2g}")
    mc, dc, mtc = run(prob, conc_closed, n_closed, "closed")
    mo, do, mto = run(prob, conc_ode, n_ode, "ode")
    print(f"peer_scipy: closed={mc:.3f} ode={mo:.3f} closed_maxdu={dc:.3g} ode_maxdu={do:.3g} "
          f"medtwin_closed_set={mtc:.3f} medtwin_ode_set={mto:.3f}")


if __name__ == "__main__":
    main()
