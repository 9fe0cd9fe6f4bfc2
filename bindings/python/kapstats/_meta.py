"""Multiplicity (multiplicity.h), meta-analysis / heterogeneity and
stratified analyses (meta.h)."""
import ctypes
import dataclasses

import numpy as np

from . import _errors, _ffi
from ._ffi import lib, call
from ._types import (Result, _ReprMixin, as_array, cstr, enum_value,
                     same_length)


# ---- multiplicity.h ---------------------------------------------------------
def p_adjust(p, method="holm"):
    """Adjusted p-values, identical to R's p.adjust(p, method) (C:
    kap_p_adjust).

    method: "holm" (default, as R), "hochberg", "hommel", "bonferroni",
    "BH" (or "fdr"), "BY", "none" (exact, case-sensitive, as R).
    NaN entries stay NaN and are not counted in the number of tests.
    Returns a new float64 array.  Raises ValueError for an unknown method
    or a p-value outside [0, 1]."""
    a, pa = as_array(p, "p")
    m = ctypes.c_int()
    if not isinstance(method, str):
        raise _errors.InvalidArgumentError(
            "method must be a string, got %r" % (method,), -1)
    call(lib.kap_padjust_method_parse, ctypes.byref(m), method.encode())
    out = np.empty_like(a)
    call(lib.kap_p_adjust, out.ctypes.data_as(_ffi.c_double_p), pa, len(a), m.value)
    return out


# ---- meta.h: heterogeneity ------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class MetaResult(_ReprMixin):
    """Result of heterogeneity() / the stratified analyses (C:
    kap_meta_result).

    pooled, se, ci_low, ci_high, conf_level: the pooled estimate;
    statistic (z, or t for Knapp-Hartung), df (nan for z), p_value;
    tau2, se_tau2, tau2_ci_low, tau2_ci_high (Q-profile);
    q, q_df, q_p: Cochran's Q; i2 (percent), h2 and their CIs; vt: the
    typical within-level variance; k: levels used; n_dropped: levels
    dropped for NaN; iterations; method ("FE", "DL", "REML", "PM"),
    test ("z", "knha": the one actually used), pooled_method: the C method
    string of the pooled estimate; note, het_note: why a field is nan."""
    pooled: float
    se: float
    ci_low: float
    ci_high: float
    conf_level: float
    statistic: float
    df: float
    p_value: float
    tau2: float
    se_tau2: float
    tau2_ci_low: float
    tau2_ci_high: float
    q: float
    q_df: float
    q_p: float
    i2: float
    i2_ci_low: float
    i2_ci_high: float
    h2: float
    h2_ci_low: float
    h2_ci_high: float
    vt: float
    k: int
    n_dropped: int
    iterations: int
    method: str
    test: str
    pooled_method: str = ""
    note: str = ""
    het_note: str = ""

    @classmethod
    def from_c(cls, r):
        p = r.pooled
        return cls(p.estimate, p.se, p.ci_low, p.ci_high, p.conf_level,
                   p.statistic, p.df, p.p_value,
                   r.tau2, r.se_tau2, r.tau2_ci_low, r.tau2_ci_high,
                   r.Q, r.Q_df, r.Q_p, r.I2, r.I2_ci_low, r.I2_ci_high,
                   r.H2, r.H2_ci_low, r.H2_ci_high, r.vt,
                   int(r.k), int(r.n_dropped), int(r.iterations),
                   cstr(lib.kap_meta_method_name(r.method)),
                   {v: k for k, v in _ffi.META_TESTS.items()}.get(r.test, "?"),
                   cstr(p.method), cstr(p.note), cstr(r.het_note))

    def pooled_result(self):
        """The pooled estimate as a Result."""
        return Result(self.pooled, self.se, self.ci_low, self.ci_high,
                      self.conf_level, self.statistic, self.df, float("nan"),
                      self.p_value, self.k, 0, self.pooled_method, self.note)


def _meta_options(method, test, conf_level, tau2_ci, threshold, tol, maxiter,
                  ci_maxiter):
    o = _ffi.meta_options_init()
    o.method = enum_value(_ffi.META_METHODS, method, "meta-analysis method")
    o.test = enum_value(_ffi.META_TESTS, test, "test")
    o.conf_level = conf_level
    o.tau2_ci = 1 if tau2_ci else 0
    if threshold is not None:
        o.threshold = threshold
    if tol is not None:
        o.tol = tol
    if maxiter is not None:
        o.maxiter = maxiter
    if ci_maxiter is not None:
        o.ci_maxiter = ci_maxiter
    return o


def heterogeneity(estimates, variances, method="REML", test="z", conf_level=0.95,
                  *, tau2_ci=True, threshold=None, tol=None, maxiter=None,
                  ci_maxiter=None):
    """Meta-analysis / heterogeneity of k per-level estimates with sampling
    variances, as metafor::rma(yi, vi, method, test) for an intercept-only
    model plus confint() (C: kap_meta_fit).

    method: "REML" (default, as metafor), "DL", "PM" or "FE".
    test: "z" (default, Wald) or "knha" (Knapp-Hartung, t with k-1 df).
    conf_level: 0.95.  tau2_ci: compute the Q-profile CI of tau2 (and of
    I2, H2) for random-effects methods (default True).
    threshold (REML convergence, default 1e-5), tol (root finding, default
    2**-13), maxiter (default 100), ci_maxiter (default 1000): metafor's
    control values; None keeps the C default.
    A level whose estimate or variance is NaN is dropped (n_dropped).
    Returns MetaResult: pooled, se, ci_low, ci_high, tau2, q, q_df, q_p,
    i2 (percent), h2 and more.  Raises ValueError for mismatched lengths,
    vi <= 0, no level left; ConvergenceError if REML does not converge."""
    y, py = as_array(estimates, "estimates")
    v, pv = as_array(variances, "variances")
    k = same_length(("estimates", y), ("variances", v))
    o = _meta_options(method, test, conf_level, tau2_ci, threshold, tol, maxiter,
                      ci_maxiter)
    r = _ffi.KapMetaResult()
    call(lib.kap_meta_fit, ctypes.byref(r), py, pv, k, ctypes.byref(o))
    return MetaResult.from_c(r)


# ---- meta.h: stratified analyses ----------------------------------------------
def strat_md(md, se, conf_level=0.95):
    """Inverse-variance (fixed-effect) stratified mean difference of
    per-stratum differences md with standard errors se, with Cochran's Q
    across strata (C: kap_strat_md).  A stratum with NaN md or se is
    dropped.  Returns MetaResult."""
    m, pm = as_array(md, "md")
    s, ps = as_array(se, "se")
    k = same_length(("md", m), ("se", s))
    r = _ffi.KapMetaResult()
    call(lib.kap_strat_md, ctypes.byref(r), pm, ps, k, conf_level)
    return MetaResult.from_c(r)


def strat_md_summary(n1, mean1, sd1, n2, mean2, sd2, pooled_variance=False,
                     conf_level=0.95):
    """As strat_md() from per-stratum summaries (group 1 minus group 2);
    variance of each difference as metafor::escalc("MD"): vtype "LS"
    (pooled_variance=False, default) or "HO" (True) (C:
    kap_strat_md_summary).  A stratum with any NaN field is dropped."""
    cols = [as_array(c, nm)[0] for c, nm in
            zip((n1, mean1, sd1, n2, mean2, sd2),
                ("n1", "mean1", "sd1", "n2", "mean2", "sd2"))]
    k = same_length(*zip(("n1", "mean1", "sd1", "n2", "mean2", "sd2"), cols))
    strata = (_ffi.KapStratSummary * max(k, 1))()
    for i in range(k):
        strata[i] = _ffi.KapStratSummary(*(float(c[i]) for c in cols))
    r = _ffi.KapMetaResult()
    call(lib.kap_strat_md_summary, ctypes.byref(r), strata, k,
         1 if pooled_variance else 0, conf_level)
    return MetaResult.from_c(r)


@dataclasses.dataclass(frozen=True, repr=False)
class CmhResult(_ReprMixin):
    """Result of cmh() (C: kap_cmh_result): Mantel-Haenszel odds ratio
    (mh_or) and risk ratio (mh_rr), CMH test with and without continuity
    correction, Breslow-Day test (plain and Tarone-corrected), each a
    Result; k tables used, n_dropped."""
    mh_or: Result
    mh_rr: Result
    cmh: Result
    cmh_uncorrected: Result
    breslow_day: Result
    breslow_day_tarone: Result
    k: int
    n_dropped: int


def _tables(a, b, c, d):
    arrs = [as_array(x, nm) for x, nm in zip((a, b, c, d), "abcd")]
    k = same_length(*((nm, x[0]) for nm, x in zip("abcd", arrs)))
    return arrs, k


def cmh(a, b, c, d, alternative="two-sided", conf_level=0.95):
    """Cochran-Mantel-Haenszel analysis of K 2x2 tables a, b (group 1:
    outcome +, -), c, d (group 2: outcome +, -), as R's mantelhaen.test()
    and metafor::rma.mh() (C: kap_strat_cmh).  alternative: "two-sided"
    (default), "less", "greater".  A table with a NaN cell or a total < 2
    is dropped.  Returns CmhResult."""
    arrs, k = _tables(a, b, c, d)
    alt = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    r = _ffi.KapCmhResult()
    call(lib.kap_strat_cmh, ctypes.byref(r), *(p for _, p in arrs), k, alt,
         conf_level)
    return CmhResult(*(Result.from_c(getattr(r, f)) for f in
                       ("mh_or", "mh_rr", "cmh", "cmh_uncorrected", "breslow_day",
                        "breslow_day_tarone")), int(r.k), int(r.n_dropped))


def woolf(a, b, c, d, method="FE", test="z", conf_level=0.95):
    """Woolf's inverse-variance analysis of per-stratum log odds ratios
    (0.5 added to the cells of a table with a zero cell, as
    metafor::escalc("OR")), pooled by heterogeneity()'s method (default
    "FE": then q, q_p are Woolf's homogeneity test) (C: kap_strat_woolf).
    pooled is the log odds ratio."""
    arrs, k = _tables(a, b, c, d)
    o = _meta_options(method, test, conf_level, True, None, None, None, None)
    r = _ffi.KapMetaResult()
    call(lib.kap_strat_woolf, ctypes.byref(r), *(p for _, p in arrs), k,
         ctypes.byref(o))
    return MetaResult.from_c(r)
