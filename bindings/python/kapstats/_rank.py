"""Rank-based tests and effect sizes (rank.h)."""
import ctypes

import numpy as np

from . import _errors, _ffi
from ._ffi import KapResult, call, lib
from ._types import Result, as_array, as_codes, enum_value, same_length


def _options(method, alternative, mu, correct, conf_int, conf_level):
    o = _ffi.rank_options_init()
    o.method = enum_value(_ffi.RANK_METHODS, method, "method")
    o.alternative = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    o.mu = mu
    o.correct = 1 if correct else 0
    o.conf_int = 1 if conf_int else 0
    o.conf_level = conf_level
    return o


def mann_whitney(x, y, method="auto", alternative="two-sided", mu=0.0, correct=True,
                 conf_int=False, conf_level=0.95):
    """Wilcoxon-Mann-Whitney rank-sum test of x against y (y = control),
    as R's wilcox.test(x, y) (C: kap_rank_mann_whitney).

    method: "auto" (default, R's rule: exact when both n < 50 and no
    ties), "exact", "asymptotic" (normal approximation with tie
    correction).  alternative: "two-sided" (default), "less", "greater".
    mu: null shift (0).  correct: continuity correction in the normal
    approximation (True, as R).  conf_int=True adds the Hodges-Lehmann
    shift (estimate) and its CI at conf_level (0.95).
    statistic = W; NaN values are dropped (n1, n2 = counts used)."""
    a, pa = as_array(x, "x")
    b, pb = as_array(y, "y")
    o = _options(method, alternative, mu, correct, conf_int, conf_level)
    r = KapResult()
    call(lib.kap_rank_mann_whitney, ctypes.byref(r), pa, len(a), pb, len(b), ctypes.byref(o))
    return Result.from_c(r)


def wilcoxon(before, after=None, method="auto", alternative="two-sided", mu=0.0,
             correct=True, conf_int=False, conf_level=0.95):
    """Wilcoxon signed-rank test of the paired differences after - before,
    as R's wilcox.test(after, before, paired = TRUE); with after=None the
    one-sample test of `before` against mu (C: kap_rank_signed_rank).

    Options as mann_whitney(); statistic = V (sum of the ranks of the
    positive differences, zeros dropped); with conf_int the
    Hodges-Lehmann pseudomedian and its CI.  A pair with a NaN is
    dropped; n1 = complete pairs used."""
    b, pb = as_array(before, "before")
    if after is None:
        x, px, py = b, pb, None
    else:
        x, px = as_array(after, "after")
        same_length(("before", b), ("after", x))
        py = pb
    o = _options(method, alternative, mu, correct, conf_int, conf_level)
    r = KapResult()
    call(lib.kap_rank_signed_rank, ctypes.byref(r), px, py, len(x), ctypes.byref(o))
    return Result.from_c(r)


def kruskal(values, groups):
    """Kruskal-Wallis rank-sum test of values across groups, as R's
    kruskal.test(x, g) (C: kap_rank_kruskal_wallis): statistic H (tie
    corrected), df = k - 1, chi-square p-value.  groups: labels (strings
    or ints); a missing label (None/NaN) or a NaN value drops the
    observation.  n1 = observations used."""
    v, _ = as_array(values, "values")
    codes, _, _ = as_codes(groups, "groups")
    n = same_length(("values", v), ("groups", codes))
    if (codes < 0).any():
        # the C function treats every code as a group: mark rows without a
        # group as missing values instead
        v = v.copy()
        v[codes < 0] = np.nan
    g = np.ascontiguousarray(codes, dtype=np.intc)
    r = KapResult()
    call(lib.kap_rank_kruskal_wallis, ctypes.byref(r), v.ctypes.data_as(_ffi.c_double_p),
         g.ctypes.data_as(_ffi.c_int_p), n)
    return Result.from_c(r)


def _two_sample_es(fn, fn_paired, x, y, mu, conf_level, alternative, paired):
    alt = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    a, pa = as_array(x, "x")
    r = KapResult()
    if paired:
        if y is None:
            pb = None
        else:
            b, pb = as_array(y, "y")
            same_length(("x", a), ("y", b))
        call(fn_paired, ctypes.byref(r), pa, pb, len(a), mu, conf_level, alt)
    else:
        if y is None:
            raise _errors.InvalidArgumentError("y is required unless paired=True", -1)
        b, pb = as_array(y, "y")
        call(fn, ctypes.byref(r), pa, len(a), pb, len(b), mu, conf_level, alt)
    return Result.from_c(r)


def rank_biserial(x, y=None, paired=False, mu=0.0, conf_level=0.95,
                  alternative="two-sided"):
    """Rank-biserial correlation, as effectsize::rank_biserial 0.8.3
    (C: kap_rank_biserial, kap_rank_biserial_paired).

    Independent samples (default): r = P(X > Y) - P(X < Y) (y = control),
    CI by the Fisher z.  paired=True: the matched-pairs r of the
    differences x - y (x = after, y = before; y=None: x itself against
    mu).  One-sided alternatives give [lower, 1] / [-1, upper]."""
    return _two_sample_es(lib.kap_rank_biserial, lib.kap_rank_biserial_paired, x, y, mu,
                          conf_level, alternative, paired)


def cliffs_delta(x, y, mu=0.0, conf_level=0.95, alternative="two-sided"):
    """Cliff's delta P(X > Y) - P(X < Y) (y = control) with the
    rank-biserial CI, as effectsize::cliffs_delta 0.8.3 (C:
    kap_rank_cliffs_delta)."""
    return _two_sample_es(lib.kap_rank_cliffs_delta, None, x, y, mu, conf_level,
                          alternative, False)


def p_superiority(x, y=None, paired=False, mu=0.0, conf_level=0.95,
                  alternative="two-sided"):
    """Probability of superiority P(X > Y) + P(X = Y) / 2 (non-parametric),
    as effectsize::p_superiority(parametric = FALSE) 0.8.3; paired=True
    for the differences x - y (C: kap_rank_p_superiority,
    kap_rank_p_superiority_paired)."""
    return _two_sample_es(lib.kap_rank_p_superiority, lib.kap_rank_p_superiority_paired,
                          x, y, mu, conf_level, alternative, paired)
