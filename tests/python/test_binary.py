"""kapstats.proportion_ci, binom_test, risk_difference, risk_ratio,
odds_ratio, fisher_exact, chisq_test, nnt against R 4.2 and the published
formulas (tests/reference/binary.out, the values tests/test_binary.c
uses), and scipy.stats."""
import math

import numpy as np
import pytest

import kapstats
from conftest import assert_close, ref

TOL, TOL_IT = 1e-9, 1e-6
PROPS = [(7, 20), (0, 15), (15, 15), (1, 1), (0, 1), (83, 250), (3, 1000), (1, 2),
         (3, 10**7), (499123, 10**6), (4999123, 10**7)]
METHODS = {"wilson": "wilson", "cp": "clopper-pearson", "ac": "agresti-coull",
           "jeffreys": "jeffreys"}
TABS = {"t1": (15, 40, 6, 38), "t2": (0, 20, 0, 22), "t3": (0, 20, 5, 22), "t4": (20, 20, 22, 22),
        "t5": (45, 120, 30, 118), "t6": (1, 1, 0, 1), "t7": (3, 50, 9, 48),
        "t8": (480, 1000, 450, 1000), "t9": (12, 30, 12, 30), "t10": (2, 3, 0, 4)}


def b(name):
    return ref("binary", name)


@pytest.mark.parametrize("k,n", PROPS)
@pytest.mark.parametrize("tag,method", METHODS.items())
def test_proportion_ci(k, n, tag, method):
    p = "p_%d_%d_%s" % (k, n, tag)
    r = kapstats.proportion_ci(k, n, method)
    assert_close(r.ci_low, b(p + "_lo"), TOL, atol=1e-300)
    assert_close(r.ci_high, b(p + "_hi"), TOL)
    assert r.estimate == k / n and r.n1 == n
    r = kapstats.proportion_ci(k, n, method, 0.9, "less")
    assert_close(r.ci_high, b(p + "_less_hi"), TOL)
    r = kapstats.proportion_ci(k, n, method, 0.9, "greater")
    assert_close(r.ci_low, b(p + "_greater_lo"), TOL)


def test_binom_test():
    cases = [(7, 20, 0.5), (7, 20, 0.2), (0, 15, 0.1), (83, 250, 0.3), (2, 9, 0.6),
             (300712, 10**6, 0.3)]
    for k, n, p0 in cases:
        for alt in ("two.sided", "less", "greater"):
            r = kapstats.binom_test(k, n, p0, alternative=alt.replace(".", "-"))
            assert_close(r.p_value, b("bt_%d_%d_%g_%s" % (k, n, p0, alt)), TOL)
    assert kapstats.binom_test(7, 20).statistic == 7


@pytest.mark.parametrize("tag", TABS)
def test_two_groups(tag):
    k1, n1, k2, n2 = TABS[tag]
    r = kapstats.risk_difference(k1, n1, k2, n2)
    assert_close(r.estimate, b(tag + "_rd"), TOL, atol=1e-15)
    assert_close(r.ci_low, b(tag + "_newc_lo"), TOL)
    assert_close(r.ci_high, b(tag + "_newc_hi"), TOL)
    r = kapstats.risk_difference(k1, n1, k2, n2, conf_level=0.9)
    assert_close(r.ci_low, b(tag + "_newc90_lo"), TOL)
    r = kapstats.risk_difference(k1, n1, k2, n2, method="wald")
    assert_close(r.ci_low, b(tag + "_wald_lo"), TOL, atol=1e-15)
    assert_close(r.ci_high, b(tag + "_wald_hi"), TOL, atol=1e-15)
    assert_close(r.se, b(tag + "_wald_se"), TOL)
    for f, nm in [(kapstats.risk_ratio, "rr"), (kapstats.odds_ratio, "or")]:
        r = f(k1, n1, k2, n2)
        want = b(tag + "_" + nm)
        if math.isfinite(want) and math.isfinite(b(tag + "_%s_se" % nm)):
            assert_close(r.estimate, want, TOL)
            assert_close(r.se, b(tag + "_%s_se" % nm), TOL)
            assert_close(r.ci_low, b(tag + "_%s_lo" % nm), TOL)
            assert_close(r.ci_high, b(tag + "_%s_hi" % nm), TOL)
        else:
            assert math.isnan(r.se) and r.note
    for alt, conf in [("two.sided", 0.95), ("less", 0.9), ("greater", 0.9)]:
        p = "%s_fisher_%s" % (tag, alt)
        r = kapstats.fisher_exact(k1, n1, k2, n2, alt.replace(".", "-"), conf)
        assert_close(r.p_value, b(p + "_p"), TOL)
        if k1 + k2 == 0 or (k1 == n1 and k2 == n2):
            assert math.isnan(r.estimate) and r.note  # documented deviation from R
        else:
            assert_close(r.estimate, b(p + "_est"), TOL_IT)
        assert_close(r.ci_low, b(p + "_lo"), TOL_IT)
        assert_close(r.ci_high, b(p + "_hi"), TOL_IT)
    for cc, nm in [(True, "_yates"), (False, "")]:
        r = kapstats.chisq_test(k1, n1, k2, n2, correct=cc)
        assert_close(r.statistic, b("%s_chisq%s_stat" % (tag, nm)), TOL)
        assert_close(r.p_value, b("%s_chisq%s_p" % (tag, nm)), TOL)


def test_nnt():
    o = kapstats.nnt(15, 40, 6, 38)
    rd, lo, hi = b("t1_rd"), b("t1_newc_lo"), b("t1_newc_hi")
    assert o.kind == "benefit" and o.ci_kind == "benefit"
    assert_close(o.nnt, 1 / rd, TOL)
    assert_close(o.nntb_low, 1 / hi, TOL)
    assert_close(o.nntb_high, 1 / lo, TOL)
    assert o.text.startswith("NNTB ") and "95% CI" in str(o)
    o = kapstats.nnt(15, 40, 6, 38, event="harmful")
    assert o.kind == "harm" and o.ci_kind == "harm"
    o = kapstats.nnt(3, 50, 9, 48)   # t7: CI crosses 0
    assert o.ci_kind == "crosses" and "infinity" in o.text
    o = kapstats.nnt_from_rd(0.2, 0.05, 0.35)
    assert_close(o.nnt, 5.0, 1e-15) and o.nntb_low == pytest.approx(1 / 0.35)
    assert kapstats.nnt_from_rd(math.nan, math.nan, math.nan).kind == "undefined"
    with pytest.raises(ValueError):
        kapstats.nnt_from_rd(0.2, 0.3, 0.1)


def test_vs_scipy():
    stats = pytest.importorskip("scipy.stats")
    for k1, n1, k2, n2 in TABS.values():
        table = [[k1, n1 - k1], [k2, n2 - k2]]
        for alt in ("two-sided", "less", "greater"):
            s = stats.fisher_exact(table, alternative=alt)
            assert_close(kapstats.fisher_exact(k1, n1, k2, n2, alt).p_value, s[1], 1e-9)
    r = kapstats.binom_test(7, 20, 0.2)
    assert_close(r.p_value, stats.binomtest(7, 20, 0.2).pvalue, 1e-9)


def test_counts_and_errors():
    assert kapstats.risk_ratio(np.int64(15), 40.0, 6, np.uint8(38)).estimate == \
        kapstats.risk_ratio(15, 40, 6, 38).estimate
    for bad in (-1, 2.5, "3", None, True):
        with pytest.raises(ValueError):
            kapstats.risk_difference(bad, 40, 6, 38)
    with pytest.raises(kapstats.InvalidArgumentError):
        kapstats.proportion_ci(5, 3)
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.proportion_ci(0, 0)
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.fisher_exact(0, 0, 0, 1)
    with pytest.raises(ValueError, match="method"):
        kapstats.proportion_ci(1, 2, "exact")
    with pytest.raises(ValueError, match="method"):
        kapstats.risk_difference(1, 2, 1, 2, method="score")
    with pytest.raises(ValueError, match="event"):
        kapstats.nnt(1, 2, 1, 2, event="good")
    with pytest.raises(ValueError):
        kapstats.odds_ratio(1, 2, 1, 2, conf_level=2)
