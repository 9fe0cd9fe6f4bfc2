"""Binary outcomes (binary.h): one proportion, two groups, NNT."""
import ctypes
import dataclasses
import numbers

from . import _errors, _ffi
from ._ffi import KapResult, call, lib
from ._types import Result, _ReprMixin, cstr, enum_value


def _count(v, name):
    """A non-negative integer count (ints, integral floats, numpy ints)."""
    if isinstance(v, bool):
        raise _errors.InvalidArgumentError("%s must be a count, got %r" % (name, v), -1)
    if isinstance(v, numbers.Integral):
        iv = int(v)
    elif isinstance(v, numbers.Real) and float(v).is_integer():
        iv = int(v)
    else:
        raise _errors.InvalidArgumentError(
            "%s must be a non-negative integer count, got %r" % (name, v), -1)
    if iv < 0:
        raise _errors.InvalidArgumentError(
            "%s must be a non-negative integer count, got %r" % (name, v), -1)
    return iv


def _counts(k1, n1, k2, n2):
    return (_count(k1, "k1"), _count(n1, "n1"), _count(k2, "k2"), _count(n2, "n2"))


def proportion_ci(k, n, method="wilson", conf_level=0.95, alternative="two-sided"):
    """Confidence interval for the proportion k/n (C: kap_binary_prop_ci).
    method: "wilson" (default; R prop.test(correct = FALSE)),
    "clopper-pearson" (exact; R binom.test), "agresti-coull", "jeffreys".
    One-sided alternatives give [0, upper] ("less") or [lower, 1]
    ("greater") at level conf_level.  estimate = k/n, n1 = n."""
    m = enum_value(_ffi.PROP_CI_METHODS, method, "method")
    alt = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    r = KapResult()
    call(lib.kap_binary_prop_ci, ctypes.byref(r), _count(k, "k"), _count(n, "n"), m,
         conf_level, alt)
    return Result.from_c(r)


def binom_test(k, n, p=0.5, alternative="two-sided", conf_level=0.95):
    """Exact binomial test of H0: proportion = p (default 0.5), as R's
    binom.test (C: kap_binary_binom_test); Clopper-Pearson CI."""
    alt = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    r = KapResult()
    call(lib.kap_binary_binom_test, ctypes.byref(r), _count(k, "k"), _count(n, "n"), p, alt,
         conf_level)
    return Result.from_c(r)


def risk_difference(k1, n1, k2, n2, method="newcombe", conf_level=0.95):
    """Risk difference k1/n1 - k2/n2 (group 2 = control) with a two-sided
    CI: "newcombe" (default; hybrid score, Newcombe 1998 method 10) or
    "wald" (R prop.test(correct = FALSE); se set) (C:
    kap_binary_risk_difference)."""
    m = enum_value(_ffi.RD_CI_METHODS, method, "method")
    r = KapResult()
    call(lib.kap_binary_risk_difference, ctypes.byref(r), *_counts(k1, n1, k2, n2), m,
         conf_level)
    return Result.from_c(r)


def risk_ratio(k1, n1, k2, n2, conf_level=0.95):
    """Risk ratio (k1/n1) / (k2/n2) with the log (Katz 1978) CI; se on the
    log scale (C: kap_binary_risk_ratio)."""
    r = KapResult()
    call(lib.kap_binary_risk_ratio, ctypes.byref(r), *_counts(k1, n1, k2, n2), conf_level)
    return Result.from_c(r)


def odds_ratio(k1, n1, k2, n2, conf_level=0.95):
    """Odds ratio with Woolf's logit CI; se on the log scale; a zero cell
    gives NaN se/CI with a note (C: kap_binary_odds_ratio)."""
    r = KapResult()
    call(lib.kap_binary_odds_ratio, ctypes.byref(r), *_counts(k1, n1, k2, n2), conf_level)
    return Result.from_c(r)


def fisher_exact(k1, n1, k2, n2, alternative="two-sided", conf_level=0.95):
    """Fisher's exact test of the 2x2 table [[k1, n1-k1], [k2, n2-k2]], as
    R's fisher.test: p-value, conditional MLE odds ratio (estimate) and
    exact conditional CI (C: kap_binary_fisher)."""
    alt = enum_value(_ffi.ALTERNATIVES, alternative, "alternative")
    r = KapResult()
    call(lib.kap_binary_fisher, ctypes.byref(r), *_counts(k1, n1, k2, n2), alt, conf_level)
    return Result.from_c(r)


def chisq_test(k1, n1, k2, n2, correct=True):
    """Pearson's chi-square test of the 2x2 table, with Yates' correction
    by default, as R's chisq.test (C: kap_binary_chisq)."""
    r = KapResult()
    call(lib.kap_binary_chisq, ctypes.byref(r), *_counts(k1, n1, k2, n2),
         1 if correct else 0)
    return Result.from_c(r)


@dataclasses.dataclass(frozen=True, repr=False)
class NntResult(_ReprMixin):
    """Number needed to treat (C: kap_nnt; Altman 1998).  kind: "benefit"
    (NNTB), "harm" (NNTH), "none" (difference 0: infinite), "undefined";
    nnt = 1 / |difference|; ci_kind: "benefit", "harm", "crosses" (the RD
    CI contains 0: NNTH a to infinity to NNTB b), "none", "undefined";
    nntb_low/high and nnth_low/high: the benefit and harm parts of the CI
    (nan when absent, inf when it reaches no effect); rd, rd_low, rd_high:
    the risk difference used; text: Altman's notation."""
    kind: str
    nnt: float
    ci_kind: str
    nntb_low: float
    nntb_high: float
    nnth_low: float
    nnth_high: float
    rd: float
    rd_low: float
    rd_high: float
    conf_level: float
    method: str
    text: str
    note: str = ""

    @classmethod
    def from_c(cls, r, digits):
        buf = ctypes.create_string_buffer(256)
        call(lib.kap_binary_nnt_format, buf, len(buf), ctypes.byref(r), digits)
        return cls(_ffi.NNT_KINDS[r.kind], r.nnt, _ffi.NNT_CI_KINDS[r.ci_kind], r.nntb_low,
                   r.nntb_high, r.nnth_low, r.nnth_high, r.rd, r.rd_low, r.rd_high,
                   r.conf_level, cstr(r.method), buf.value.decode(), cstr(r.note))

    def __str__(self):
        return self.text


def nnt(k1, n1, k2, n2, event="beneficial", method="newcombe", conf_level=0.95, digits=1):
    """Number needed to treat from counts (group 1 = treatment, group 2 =
    control): the risk difference and its CI (method "newcombe" or
    "wald"), inverted as Altman (1998) (C: kap_binary_nnt).  event:
    "beneficial" (response, remission: more is better; default) or
    "harmful" (relapse, adverse event).  digits: decimals of `text`."""
    ev = enum_value(_ffi.EVENT_KINDS, event, "event kind")
    m = enum_value(_ffi.RD_CI_METHODS, method, "method")
    r = _ffi.KapNnt()
    call(lib.kap_binary_nnt, ctypes.byref(r), *_counts(k1, n1, k2, n2), ev, m, conf_level)
    return NntResult.from_c(r, digits)


def nnt_from_rd(rd, rd_low, rd_high, conf_level=0.95, event="beneficial", digits=1):
    """NNT from any risk difference (treatment - control) and its CI, e.g.
    a covariate-adjusted one (C: kap_binary_nnt_from_rd)."""
    ev = enum_value(_ffi.EVENT_KINDS, event, "event kind")
    r = _ffi.KapNnt()
    call(lib.kap_binary_nnt_from_rd, ctypes.byref(r), rd, rd_low, rd_high, conf_level, ev)
    return NntResult.from_c(r, digits)
