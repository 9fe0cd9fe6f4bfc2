#!/usr/bin/python3
"""One-off cross-check of libkapstats' Mann-Whitney, signed-rank and Fisher
kernels against SciPy (independent of R).  Not part of `make test`.

Run from the worktree root after `make`:
    /usr/bin/python3 tests/reference/scipy_crosscheck.py [build/libkapstats.so]
"""
import ctypes as C
import math
import sys

import numpy as np
from scipy import stats
from scipy.stats.contingency import odds_ratio

lib = C.CDLL(sys.argv[1] if len(sys.argv) > 1 else "build/libkapstats.so")


class Result(C.Structure):
    _fields_ = [(n, C.c_double) for n in ("estimate", "se", "ci_low", "ci_high", "conf_level",
                                           "statistic", "df", "df2", "p_value")] + \
               [("n1", C.c_size_t), ("n2", C.c_size_t), ("method", C.c_char_p), ("note", C.c_char_p)]


class RankOpts(C.Structure):
    _fields_ = [("version", C.c_uint), ("alternative", C.c_int), ("method", C.c_int),
                ("correct", C.c_int), ("mu", C.c_double), ("conf_int", C.c_int),
                ("conf_level", C.c_double)]


ALT = {"two-sided": 0, "less": 1, "greater": 2}
D = C.POINTER(C.c_double)
worst = {}


def arr(v):
    a = np.ascontiguousarray(v, dtype=float)
    return a, a.ctypes.data_as(D)


def close(tag, a, b, rtol):
    err = 0.0 if a == b else abs(a - b) / max(abs(b), 1e-300)
    worst[tag] = max(worst.get(tag, 0.0), err)
    if not err <= rtol:
        print(f"MISMATCH {tag}: kapstats {a!r} scipy {b!r} (rel {err:.2e})")
        return False
    return True


ok = True
rng = np.random.default_rng(20240611)
for trial in range(300):
    n1, n2 = rng.integers(1, 50, size=2)
    tied = trial % 2 == 1
    x = rng.normal(0.3, 1, n1)
    y = rng.normal(0, 1, n2)
    if tied:
        x, y = np.round(x * 2), np.round(y * 2)
    xa, xp = arr(x)
    ya, yp = arr(y)
    for alt in ALT:
        for method, cont in (("exact", False), ("asymptotic", True), ("asymptotic", False)):
            if method == "exact" and tied:
                continue
            o = RankOpts(1, ALT[alt], 1 if method == "exact" else 2, int(cont), 0.0, 0, 0.95)
            r = Result()
            rc = lib.kap_rank_mann_whitney(C.byref(r), xp, C.c_size_t(n1), yp, C.c_size_t(n2),
                                           C.byref(o), None)
            assert rc == 0, rc
            s = stats.mannwhitneyu(x, y, alternative=alt, method=method, use_continuity=cont)
            ok &= close("MW U", r.statistic, s.statistic, 1e-12)
            if not (math.isnan(r.p_value) and math.isnan(s.pvalue)):
                ok &= close(f"MW p {method}", r.p_value, min(1.0, s.pvalue), 1e-9)
    # signed rank on the paired differences x[:m] - y[:m]
    m = min(n1, n2)
    d = x[:m] - y[:m]
    if np.all(d == 0):
        continue
    da, dp = arr(d)
    for alt in ALT:
        for method, cont in (("exact", False), ("approx", True), ("approx", False)):
            nz = d[d != 0]
            if method == "exact" and (len(np.unique(np.abs(nz))) != len(nz) or len(nz) != len(d)):
                continue
            o = RankOpts(1, ALT[alt], 1 if method == "exact" else 2, int(cont), 0.0, 0, 0.95)
            r = Result()
            assert lib.kap_rank_signed_rank(C.byref(r), dp, None, C.c_size_t(m), C.byref(o), None) == 0
            s = stats.wilcoxon(d, zero_method="wilcox", correction=cont, alternative=alt,
                               mode=method)
            # scipy reports min(V+, V-) for two-sided; compare p-values
            if method == "approx" and len(d[d != 0]) == 0:
                continue
            ok &= close(f"SR p {method}", r.p_value, min(1.0, s.pvalue), 1e-9)

# Fisher: p-value, conditional MLE and exact CI
for trial in range(300):
    n1, n2 = rng.integers(1, 80, size=2)
    e1, e2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    tab = [[e1, n1 - e1], [e2, n2 - e2]]
    for alt in ALT:
        r = Result()
        assert lib.kap_binary_fisher(C.byref(r), C.c_size_t(e1), C.c_size_t(n1), C.c_size_t(e2),
                                     C.c_size_t(n2), ALT[alt], C.c_double(0.95), None) == 0
        _, p = stats.fisher_exact(tab, alternative=alt)
        ok &= close("Fisher p", r.p_value, p, 1e-9)
        if e1 + e2 in (0, n1 + n2):
            continue  # single-table support: documented NaN estimate
        res = odds_ratio(tab, kind="conditional")
        ci = res.confidence_interval(0.95, alternative=alt)
        ok &= close("Fisher cond. MLE", r.estimate, res.statistic, 1e-6)
        for a, b in ((r.ci_low, ci.low), (r.ci_high, ci.high)):
            if b == 0 or math.isinf(b):
                ok &= a == b
            else:
                ok &= close("Fisher exact CI", a, b, 1e-6)

for k, v in sorted(worst.items()):
    print(f"{k:22s} worst relative difference {v:.2e}")
print("scipy cross-check:", "OK" if ok else "MISMATCHES")
sys.exit(0 if ok else 1)
