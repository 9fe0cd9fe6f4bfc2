"""The same results from 8 threads at once (ctypes releases the GIL; the
library is re-entrant)."""
import concurrent.futures
import threading

import numpy as np

import kapstats

N_THREADS = 8
ROUNDS = 60


def workload(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=12)
    v = rng.uniform(0.01, 0.2, size=12)
    X = rng.normal(size=(40, 2))
    z = X @ [1.0, -0.5] + rng.normal(size=40)
    g = rng.integers(0, 3, size=40)
    p = rng.uniform(size=25)
    out = []
    r = kapstats.heterogeneity(y, v)
    out += [r.pooled, r.se, r.tau2, r.tau2_ci_high, r.i2]
    m = kapstats.lm(z, X)
    out += list(m.coef) + list(m.se) + [m.r_squared]
    a = kapstats.anova_oneway(z, g)
    out += [a.statistic, a.p_value, a.eta_squared.ci_low]
    out += list(kapstats.p_adjust(p, "hommel"))
    c = kapstats.ancova(z, X[:, 0], g, 0)
    out += [c.diffs[0].estimate, c.lsmeans[2].se]
    w = kapstats.mann_whitney(z[g == 0], z[g == 1], conf_int=True)
    out += [w.p_value, w.ci_low, kapstats.wilcoxon(X[:, 0], X[:, 1]).p_value]
    f = kapstats.fisher_exact(int(seed) + 3, 30, 7, 31)
    out += [f.estimate, f.ci_high, kapstats.kruskal(z, g).statistic]
    out += [kapstats.describe(z).q3, kapstats.ttest(z[g == 0], z[g == 2]).p_value]
    h = kapstats.hedges_g(z[g == 0], z[g == 2])
    out += [h.estimate, h.ci_low, kapstats.paired_d(X[:, 0], X[:, 1], "av").ci_high]
    return np.array(out)


def test_eight_threads_same_results():
    seeds = list(range(16))
    want = {s: workload(s) for s in seeds}
    start = threading.Barrier(N_THREADS)

    def worker(t):
        start.wait()
        bad = 0
        for i in range(ROUNDS):
            s = seeds[(t + i) % len(seeds)]
            if not np.array_equal(workload(s), want[s], equal_nan=True):
                bad += 1
        return bad

    with concurrent.futures.ThreadPoolExecutor(N_THREADS) as ex:
        bad = list(ex.map(worker, range(N_THREADS)))
    assert bad == [0] * N_THREADS


def test_threads_errors_do_not_mix():
    """Each thread gets its own kap_error: messages never cross."""
    def worker(t):
        for _ in range(200):
            try:
                kapstats.p_adjust([0.1, 1.0 + t], "holm")
            except ValueError as e:
                if "%g" % (1.0 + t) not in str(e) and str(1.0 + t) not in str(e):
                    return str(e)
            try:
                kapstats.heterogeneity([1.0] * (t + 2), [1.0] * (t + 1))
            except ValueError as e:
                if "(%d != %d)" % (t + 2, t + 1) not in str(e):
                    return str(e)
        return None

    with concurrent.futures.ThreadPoolExecutor(N_THREADS) as ex:
        res = list(ex.map(worker, range(N_THREADS)))
    assert res == [None] * N_THREADS


def test_shared_trial_in_threads():
    """One opened Trial (read-only) used by 8 threads at once."""
    import os
    from conftest import ROOT
    t = kapstats.ingest(os.path.join(ROOT, "datasets", "kap_trial_wide.csv"))
    arm = t.arm()

    def analysis(visit, missing):
        chg = t.change("madrs", visit, missing=missing)
        base = t.scores("madrs", "baseline")
        d = kapstats.ancova(chg, base, arm, "active_placebo").diff("ketamine")
        c = t.compare("madrs", visit, missing=missing).arm("ketamine")
        sg = t.subgroups("madrs", visit, "format", missing=missing)
        return (d.estimate, d.se, d.p_value, c.hedges_g.ci_low, c.welch.p_value,
                c.response_vs_control.fisher.p_value, sg.interaction["f"].p_value,
                sg.heterogeneity["REML"].tau2, t.safety().any_ae.fisher.p_value)

    jobs = [(v, m) for v in ("week1", "week2", "week4", "week8")
            for m in ("complete_case", "locf", "bocf")]
    want = {j: analysis(*j) for j in jobs}
    start = threading.Barrier(N_THREADS)

    def worker(k):
        start.wait()
        return sum(analysis(*jobs[(k + i) % len(jobs)]) != want[jobs[(k + i) % len(jobs)]]
                   for i in range(3 * len(jobs)))

    with concurrent.futures.ThreadPoolExecutor(N_THREADS) as ex:
        assert list(ex.map(worker, range(N_THREADS))) == [0] * N_THREADS
    t.close()


def test_calls_release_the_gil():
    """While one thread is inside a long C call (an exact Mann-Whitney
    distribution, ~0.3 s), Python code keeps running in another thread:
    ctypes drops the GIL for the duration of the foreign call."""
    import time
    x = np.arange(150.0)
    y = x + 0.5
    done = threading.Event()
    inside = {}

    def work():
        t0 = time.perf_counter()
        kapstats.mann_whitney(x, y, method="exact")
        inside["seconds"] = time.perf_counter() - t0
        done.set()

    th = threading.Thread(target=work)
    ticks = 0
    th.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    th.join()
    # with the GIL held by the C call, the loop could not have run at all
    assert inside["seconds"] > 0.05
    assert ticks > 100
