"""Descriptive statistics (descriptive.h), t tests (ttest.h) and
standardized mean differences (effect_size.h)."""
import ctypes
import dataclasses

from . import _errors, _ffi
from ._ffi import KapResult, call, lib
from ._types import Result, _ReprMixin, as_strided, cstr, enum_value, same_length


@dataclasses.dataclass(frozen=True, repr=False)
class Describe(_ReprMixin):
    """Summary of one sample (C: kap_describe_result): n used, n_missing
    (NaN dropped), mean, sd (n - 1), se, median, q1, q3 (R type 7), min,
    max, t-based CI of the mean (ci_low, ci_high, conf_level); note says
    why a field is nan."""
    n: int
    n_missing: int
    mean: float
    sd: float
    se: float
    median: float
    q1: float
    q3: float
    min: float
    max: float
    ci_low: float
    ci_high: float
    conf_level: float
    note: str = ""

    @classmethod
    def from_c(cls, r):
        return cls(int(r.n), int(r.n_missing), r.mean, r.sd, r.se, r.median, r.q1, r.q3,
                   r.min, r.max, r.ci_low, r.ci_high, r.conf_level, cstr(r.note))


def describe(x, conf_level=0.95):
    """Mean, SD, SE, median, quartiles (R type 7), range and the t-based CI
    of the mean (C: kap_describe; matches R mean, sd, quantile, t.test).
    NaN values are dropped and counted in n_missing; infinite values raise
    ValueError.  A float64 array (also a strided column) is read in place."""
    a, p, s = as_strided(x, "x")
    r = _ffi.KapDescribeResult()
    call(lib.kap_describe, ctypes.byref(r), p, s, len(a), conf_level)
    return Describe.from_c(r)


@dataclasses.dataclass(frozen=True, repr=False)
class TwoSummary(_ReprMixin):
    """Summary of two independent samples (C: kap_two_summary): n used and
    NaN dropped per group, means and sums of squared deviations (ss) of
    the values times 2**-scale (scale is 0 unless the values are extreme,
    beyond 2**±400).  Made by describe_two(), or from group statistics by
    TwoSummary.from_stats(); passed to ttest_summary(), cohens_d_summary(),
    hedges_g_summary() and glass_delta_summary(), which then read no data
    and give exactly what ttest(), cohens_d()... give on the arrays."""
    n1: int
    n2: int
    n1_missing: int
    n2_missing: int
    mean1: float
    mean2: float
    ss1: float
    ss2: float
    scale: int = 0

    @classmethod
    def from_c(cls, s):
        return cls(int(s.n1), int(s.n2), int(s.n1_missing), int(s.n2_missing), s.mean1,
                   s.mean2, s.ss1, s.ss2, int(s.scale))

    @classmethod
    def from_stats(cls, n1, mean1, sd1, n2, mean2, sd2):
        """From published group statistics: ss = sd² (n - 1), scale 0."""
        return cls(int(n1), int(n2), 0, 0, float(mean1), float(mean2),
                   float(sd1) ** 2 * (int(n1) - 1), float(sd2) ** 2 * (int(n2) - 1), 0)

    def to_c(self):
        """The C struct (kap_two_summary)."""
        return _ffi.KapTwoSummary(self.n1, self.n2, self.n1_missing, self.n2_missing,
                                  self.mean1, self.mean2, self.ss1, self.ss2, self.scale)


def describe_two(x, y):
    """Summary of two independent samples (C: kap_describe_two): corrected
    two-pass means and sums of squares, reading each array twice.  NaN
    values are dropped and counted; infinite values raise ValueError.
    Compute it once, then use the *_summary functions for as many tests
    and effect sizes as needed."""
    a, pa, sa = as_strided(x, "x")
    b, pb, sb = as_strided(y, "y")
    s = _ffi.KapTwoSummary()
    call(lib.kap_describe_two, ctypes.byref(s), pa, sa, len(a), pb, sb, len(b))
    return TwoSummary.from_c(s)


def _summary_arg(summary):
    if not isinstance(summary, TwoSummary):
        raise _errors.InvalidArgumentError("summary must be a TwoSummary", -1)
    return summary.to_c()


def ttest_summary(summary, equal_var=False, mu=0.0, conf_level=0.95,
                  alternative="two-sided"):
    """Two-sample t test (Welch, or Student with equal_var=True) from a
    TwoSummary (C: kap_ttest_two_summary): the same result, bit for bit,
    as ttest(x, y) on the arrays the summary was made from."""
    o = _ffi.ttest_options_init()
    o.alternative = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    o.mu = mu
    o.conf_level = conf_level
    o.var_equal = 1 if equal_var else 0
    c = _summary_arg(summary)
    r = KapResult()
    call(lib.kap_ttest_two_summary, ctypes.byref(r), ctypes.byref(c), ctypes.byref(o))
    return Result.from_c(r)


def ttest(x, y=None, paired=False, equal_var=False, mu=0.0, conf_level=0.95,
          alternative="two-sided"):
    """t test as R's t.test (C: kap_ttest_one, kap_ttest_two,
    kap_ttest_paired).

    y=None: one-sample test of mean(x) = mu.  Two samples: Welch's test of
    mean(x) - mean(y) = mu (equal_var=False, the default) or Student's
    pooled-variance test (equal_var=True).  paired=True: the one-sample
    test of x - y over complete pairs.  alternative: "two-sided"
    (default), "less", "greater" (one-sided CIs as t.test).
    estimate, se, statistic (t), df, p_value, CI; n1, n2 = values used.
    Where R stops (too few values, constant data) the undefined fields
    are nan with a note."""
    o = _ffi.ttest_options_init()
    o.alternative = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    o.mu = mu
    o.conf_level = conf_level
    o.var_equal = 1 if equal_var else 0
    a, pa, sa = as_strided(x, "x")
    r = KapResult()
    if y is None:
        if paired:
            raise _errors.InvalidArgumentError("paired=True needs y", -1)
        call(lib.kap_ttest_one, ctypes.byref(r), pa, sa, len(a), ctypes.byref(o))
    else:
        b, pb, sb = as_strided(y, "y")
        if paired:
            n = same_length(("x", a), ("y", b))
            call(lib.kap_ttest_paired, ctypes.byref(r), pa, sa, pb, sb, n, ctypes.byref(o))
        else:
            call(lib.kap_ttest_two, ctypes.byref(r), pa, sa, len(a), pb, sb, len(b),
                 ctypes.byref(o))
    return Result.from_c(r)


def _es_options(conf_level, alternative, mu, pooled_sd, ci_method):
    o = _ffi.effect_size_options_init()
    o.conf_level = conf_level
    o.alternative = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    o.mu = mu
    o.pooled_sd = 1 if pooled_sd else 0
    o.ci_method = enum_value(_ffi.ES_CI_METHODS, ci_method, "CI method")
    return o


def _two(fn, x, y, o, y_required=False):
    a, pa, sa = as_strided(x, "x")
    if y is None:
        if y_required:
            raise _errors.InvalidArgumentError("y (the control group) is required", -1)
        pb, sb, nb = None, 1, 0
    else:
        b, pb, sb = as_strided(y, "y")
        nb = len(b)
    r = KapResult()
    call(fn, ctypes.byref(r), pa, sa, len(a), pb, sb, nb, ctypes.byref(o))
    return Result.from_c(r)


def cohens_d(x, y=None, pooled_sd=True, mu=0.0, conf_level=0.95, alternative="two-sided",
             ci_method="ncp"):
    """Cohen's d = (mean(x) - mean(y) - mu) / s, y the control, as
    effectsize::cohens_d 0.8.3 (C: kap_effect_size_cohens_d).
    pooled_sd=True (default): pooled SD; False: sqrt((s1² + s2²)/2) with
    Welch df.  y=None: one sample, (mean(x) - mu) / sd(x).  CI:
    "ncp" (default; noncentral t inversion) or "normal" (large-sample SE,
    se set).  statistic = the pivot t, df its df."""
    return _two(lib.kap_effect_size_cohens_d, x, y,
                _es_options(conf_level, alternative, mu, pooled_sd, ci_method))


def hedges_g(x, y=None, pooled_sd=True, mu=0.0, conf_level=0.95, alternative="two-sided",
             ci_method="ncp"):
    """Hedges' g = J(df) d with the exact small-sample factor, as
    effectsize::hedges_g 0.8.3 (C: kap_effect_size_hedges_g); options as
    cohens_d()."""
    return _two(lib.kap_effect_size_hedges_g, x, y,
                _es_options(conf_level, alternative, mu, pooled_sd, ci_method))


def glass_delta(x, y, mu=0.0, conf_level=0.95, alternative="two-sided", ci_method="ncp"):
    """Glass's delta = (mean(x) - mean(y) - mu) / sd(y), standardized by the
    control group y, as effectsize::glass_delta 0.8.3 (C:
    kap_effect_size_glass_delta)."""
    return _two(lib.kap_effect_size_glass_delta, x, y,
                _es_options(conf_level, alternative, mu, True, ci_method), y_required=True)


def _es_summary(fn, summary, o):
    c = _summary_arg(summary)
    r = KapResult()
    call(fn, ctypes.byref(r), ctypes.byref(c), ctypes.byref(o))
    return Result.from_c(r)


def cohens_d_summary(summary, pooled_sd=True, mu=0.0, conf_level=0.95,
                     alternative="two-sided", ci_method="ncp"):
    """cohens_d() from a TwoSummary (C: kap_effect_size_cohens_d_summary):
    the same result, bit for bit, as cohens_d(x, y) on the arrays."""
    return _es_summary(lib.kap_effect_size_cohens_d_summary, summary,
                       _es_options(conf_level, alternative, mu, pooled_sd, ci_method))


def hedges_g_summary(summary, pooled_sd=True, mu=0.0, conf_level=0.95,
                     alternative="two-sided", ci_method="ncp"):
    """hedges_g() from a TwoSummary (C: kap_effect_size_hedges_g_summary):
    the same result, bit for bit, as hedges_g(x, y); the noncentral-t CI
    works on the summary and reads no data."""
    return _es_summary(lib.kap_effect_size_hedges_g_summary, summary,
                       _es_options(conf_level, alternative, mu, pooled_sd, ci_method))


def glass_delta_summary(summary, mu=0.0, conf_level=0.95, alternative="two-sided",
                        ci_method="ncp"):
    """glass_delta() from a TwoSummary (C:
    kap_effect_size_glass_delta_summary), y being the control group."""
    return _es_summary(lib.kap_effect_size_glass_delta_summary, summary,
                       _es_options(conf_level, alternative, mu, True, ci_method))


def _paired(fn, before, after, method, mu, conf_level, alternative, ci_method):
    kind = enum_value(_ffi.PAIRED_D, method, "paired standardizer")
    o = _es_options(conf_level, alternative, mu, True, ci_method)
    a, pa, sa = as_strided(after, "after")
    b, pb, sb = as_strided(before, "before")
    n = same_length(("before", b), ("after", a))
    r = KapResult()
    call(fn, ctypes.byref(r), pa, sa, pb, sb, n, kind, ctypes.byref(o))
    return Result.from_c(r)


def paired_d(before, after, method="z", mu=0.0, conf_level=0.95, alternative="two-sided",
             ci_method="ncp"):
    """Standardized mean difference of paired data, the effect of
    after - before (C: kap_effect_size_paired_d).  method (standardizer):
    "z" (default; SD of the differences, effectsize cohens_d(paired =
    TRUE), noncentral-t CI), "rm" (repeated measures, Lakens 2013), "av"
    (root mean square of the two SDs), "b" (Becker: SD of before).
    "rm", "av", "b" always use their normal-approximation CI."""
    return _paired(lib.kap_effect_size_paired_d, before, after, method, mu, conf_level,
                   alternative, ci_method)


def paired_g(before, after, method="z", mu=0.0, conf_level=0.95, alternative="two-sided",
             ci_method="ncp"):
    """J(n - 1) times paired_d() (effectsize hedges_g(paired = TRUE) for
    "z") (C: kap_effect_size_paired_g)."""
    return _paired(lib.kap_effect_size_paired_g, before, after, method, mu, conf_level,
                   alternative, ci_method)


def hedges_j(df):
    """Hedges' exact small-sample factor J(df) (nan for df <= 1) (C:
    kap_effect_size_hedges_j)."""
    return float(lib.kap_effect_size_hedges_j(float(df)))
