"""kapstats.mann_whitney, wilcoxon, kruskal, rank_biserial, cliffs_delta,
p_superiority against R 4.2 wilcox.test / kruskal.test and effectsize
0.8.3 (tests/reference/rank.out, the values tests/test_rank.c uses), and
scipy.stats."""
import math

import numpy as np
import pytest

import kapstats
from conftest import assert_close, ref

TOL, TOL_IT = 1e-9, 1e-6
MW1X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
MW1Y = [1.15, 0.88, 0.90, 0.74, 1.21]
MW2X = [-12, -8, -15, -3, -8, -20, -11, -5, -9, -14, -8, -2]
MW2Y = [-4, -6, -1, -8, 0, -3, -7, -5, -2, -9, -3]
MW4X = np.round(10 * np.sin(np.arange(1, 61) * 1.3) + 2)
MW4Y = np.round(10 * np.cos(np.arange(1, 71) * 0.7))
SR1X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]   # after
SR1Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]  # before
SR2X = [30, 25, 28, 33, 21, 27, 30, 35, 24, 26, 31, 29]
SR2Y = [34, 25, 35, 33, 29, 30, 36, 35, 30, 31, 30, 34]


def r(name):
    return ref("rank", name)


def root(got, want, rtol):
    if math.isfinite(want) and abs(want) < 1e-9:
        assert abs(got - want) <= 1e-9
    else:
        assert_close(got, want, rtol)


def check_w(prefix, res, ci=False, est_unique=True):
    assert_close(res.statistic, r(prefix + "_stat"), TOL, what=prefix)
    assert_close(res.p_value, r(prefix + "_p"), TOL, what=prefix)
    if ci:
        if est_unique:
            assert_close(res.estimate, r(prefix + "_est"), TOL_IT)
        root(res.ci_low, r(prefix + "_lo"), TOL_IT)
        root(res.ci_high, r(prefix + "_hi"), TOL_IT)
        assert_close(res.conf_level, r(prefix + "_level"), TOL)


def test_mann_whitney_exact():
    check_w("mw1_exact", kapstats.mann_whitney(MW1X, MW1Y, conf_int=True), True)
    check_w("mw1_exact_less", kapstats.mann_whitney(MW1X, MW1Y, alternative="less",
                                                    conf_int=True), True)
    check_w("mw1_exact_greater", kapstats.mann_whitney(MW1X, MW1Y, alternative="greater",
                                                       conf_int=True), True)
    check_w("mw1_exact_mu", kapstats.mann_whitney(MW1X, MW1Y, mu=0.33, conf_int=True,
                                                  conf_level=0.9), True)
    res = kapstats.mann_whitney([1.5, 2.5], [0.1, 0.7, 1.1], conf_int=True)
    check_w("mw_small", res, True)  # achieved level reported
    res = kapstats.mann_whitney(MW1X, MW1Y)
    assert math.isnan(res.estimate) and (res.n1, res.n2) == (10, 5)


def test_mann_whitney_asymptotic():
    res = kapstats.mann_whitney(MW1X, MW1Y, method="asymptotic", conf_int=True)
    check_w("mw1_cc", res, True, est_unique=False)
    assert_close(res.estimate, r("mw1_hl_median"), TOL)
    check_w("mw1_nocc", kapstats.mann_whitney(MW1X, MW1Y, method="asymptotic", correct=False,
                                              conf_int=True), True, False)
    res = kapstats.mann_whitney(MW2X, MW2Y, conf_int=True)  # ties -> normal
    check_w("mw2_cc", res, True, est_unique=False)
    check_w("mw2_cc_greater", kapstats.mann_whitney(MW2X, MW2Y, alternative="greater",
                                                    conf_level=0.9, conf_int=True), True, False)
    check_w("mw4_cc", kapstats.mann_whitney(MW4X, MW4Y, conf_int=True), True, False)
    # n = 50: auto is asymptotic, exact on request
    x50 = np.sin(np.arange(1, 51)) * 10 + 0.1 * np.arange(1, 51)
    y48 = np.cos(np.arange(1, 49)) * 10 + 0.5
    check_w("mw3_50", kapstats.mann_whitney(x50, y48, conf_int=True), True, False)
    check_w("mw3_50_exact", kapstats.mann_whitney(x50, y48, method="exact"))
    check_w("mw3_exact", kapstats.mann_whitney(x50[:49], y48, conf_int=True), True)


def test_mann_whitney_edges():
    assert math.isnan(kapstats.mann_whitney([3, 3, 3], [3, 3]).p_value)
    check_w("mw_n11", kapstats.mann_whitney([2], [1]))
    check_w("mw_inf", kapstats.mann_whitney([math.inf, 1e300, -1e300],
                                            [-math.inf, 0, 1e-300, 5]))
    res = kapstats.mann_whitney(MW1X + [math.nan], MW1Y)
    assert res.n1 == 10 and res.statistic == r("mw1_exact_stat")


def test_wilcoxon():
    check_w("sr1_exact", kapstats.wilcoxon(SR1Y, SR1X, conf_int=True), True)
    check_w("sr1_exact_greater", kapstats.wilcoxon(SR1Y, SR1X, alternative="greater",
                                                   conf_int=True), True)
    check_w("sr1_exact_less", kapstats.wilcoxon(SR1Y, SR1X, alternative="less",
                                                conf_int=True, conf_level=0.9), True)
    check_w("sr1_cc", kapstats.wilcoxon(SR1Y, SR1X, method="asymptotic", conf_int=True),
            True, False)
    check_w("sr1_mu", kapstats.wilcoxon(SR1X, mu=1.5, conf_int=True), True)
    res = kapstats.wilcoxon(SR2Y, SR2X, conf_int=True)
    check_w("sr2_cc", res, True, False)
    assert_close(res.estimate, r("sr2_hl_median"), TOL)
    check_w("sr2_nocc", kapstats.wilcoxon(SR2Y, SR2X, correct=False, conf_int=True), True, False)
    d49 = np.sin(np.arange(1, 50)) * 5 + 1
    check_w("sr3_exact", kapstats.wilcoxon(d49, conf_int=True), True)
    d60 = np.sin(np.arange(1, 61)) * 5 + 1
    check_w("sr3_60_exact", kapstats.wilcoxon(d60, method="exact", conf_int=True), True)
    assert math.isnan(kapstats.wilcoxon([0.0, 0, 0]).p_value)
    res = kapstats.wilcoxon(SR1Y + [1.0], SR1X + [math.nan])
    assert res.n1 == 9 and res.statistic == r("sr1_exact_stat")


def test_kruskal():
    x = [2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0]
    g = [1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3]
    res = kapstats.kruskal(x, g)
    assert_close(res.statistic, r("kw1_stat"), TOL)
    assert res.df == r("kw1_df")
    assert_close(res.p_value, r("kw1_p"), TOL)
    x2 = [12, 15, 12, 9, 20, 15, 15, 8, 7, 12, 30, 22, 25, 22, 9, 11, 12]
    g2 = [-5, -5, -5, -5, 7, 7, 7, 100, 100, 100, 0, 0, 0, 0, 7, -5, 100]
    res = kapstats.kruskal(x2, ["g%d" % v for v in g2])
    assert_close(res.statistic, r("kw2_stat"), TOL)
    assert_close(res.p_value, r("kw2_p"), TOL)
    # a missing group label drops the observation (not a group of its own)
    res2 = kapstats.kruskal(x2 + [99.0], ["g%d" % v for v in g2] + [None])
    assert res2.statistic == res.statistic and res2.n1 == 17
    assert math.isnan(kapstats.kruskal([1, 1, 1, 1], [1, 1, 2, 2]).statistic)


def pute(prefix, res, rtol=TOL):
    assert_close(res.estimate, r(prefix + "_est"), rtol, what=prefix)
    assert_close(res.ci_low, r(prefix + "_lo"), rtol, what=prefix)
    assert_close(res.ci_high, r(prefix + "_hi"), rtol, what=prefix)


def test_effect_sizes():
    pute("rb1", kapstats.rank_biserial(MW1X, MW1Y))
    pute("rb1_mu", kapstats.rank_biserial(MW1X, MW1Y, mu=0.3, conf_level=0.9))
    pute("rb1_less", kapstats.rank_biserial(MW1X, MW1Y, alternative="less"))
    pute("rb1_greater", kapstats.rank_biserial(MW1X, MW1Y, alternative="greater"))
    pute("rb2", kapstats.rank_biserial(MW2X, MW2Y))
    pute("cd2", kapstats.cliffs_delta(MW2X, MW2Y))
    pute("ps2", kapstats.p_superiority(MW2X, MW2Y))
    pute("cd4", kapstats.cliffs_delta(MW4X, MW4Y, conf_level=0.99))
    pute("rb_sep", kapstats.rank_biserial([10, 11, 12, 13], [1, 2, 3]))
    pute("rbp1", kapstats.rank_biserial(SR1X, SR1Y, paired=True))
    pute("rbp2", kapstats.rank_biserial(SR2X, SR2Y, paired=True))
    pute("rbp2_greater", kapstats.rank_biserial(SR2X, SR2Y, paired=True, alternative="greater"))
    pute("rbp1_mu", kapstats.rank_biserial(SR1X, paired=True, mu=1.5, conf_level=0.8))
    pute("psp2", kapstats.p_superiority(SR2X, SR2Y, paired=True))


def test_vs_scipy():
    stats = pytest.importorskip("scipy.stats")
    s = stats.mannwhitneyu(MW1X, MW1Y, method="exact")
    res = kapstats.mann_whitney(MW1X, MW1Y)
    assert res.statistic == s.statistic
    assert_close(res.p_value, s.pvalue, 1e-12)
    s = stats.mannwhitneyu(MW2X, MW2Y, method="asymptotic", use_continuity=True)
    res = kapstats.mann_whitney(MW2X, MW2Y)
    assert res.statistic == s.statistic
    assert_close(res.p_value, s.pvalue, 1e-10)
    for alt in ("less", "greater"):
        s = stats.mannwhitneyu(MW4X, MW4Y, alternative=alt, method="asymptotic")
        assert_close(kapstats.mann_whitney(MW4X, MW4Y, alternative=alt).p_value, s.pvalue, 1e-10)
    d = np.array(SR1X) - np.array(SR1Y)
    s = stats.wilcoxon(d, method="exact")
    res = kapstats.wilcoxon(SR1Y, SR1X)
    assert_close(res.p_value, s.pvalue, 1e-12)
    x = [2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0]
    s = stats.kruskal(x[:5], x[5:9], x[9:])
    res = kapstats.kruskal(x, [1] * 5 + [2] * 4 + [3] * 5)
    assert_close(res.statistic, s.statistic, 1e-12)
    assert_close(res.p_value, s.pvalue, 1e-10)


def test_errors():
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.mann_whitney([], [1, 2])
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.mann_whitney([math.nan], [1, 2])
    with pytest.raises(ValueError, match="method"):
        kapstats.mann_whitney([1, 2], [3, 4], method="permutation")
    with pytest.raises(ValueError, match="alternative"):
        kapstats.wilcoxon([1, 2], [3, 4], alternative="two.sided")
    with pytest.raises(ValueError, match="same length"):
        kapstats.wilcoxon([1, 2, 3], [3, 4])
    with pytest.raises(ValueError):
        kapstats.mann_whitney([1, 2], [3, 4], conf_int=True, conf_level=1.0)
    with pytest.raises(kapstats.InvalidArgumentError):  # exact distribution too large
        kapstats.mann_whitney(np.arange(5000.0), np.arange(5000.0) + 0.5, method="exact")
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.kruskal([1.0, 2.0], ["a", "a"])
    with pytest.raises(ValueError, match="same length"):
        kapstats.kruskal([1.0, 2.0], ["a"])
    with pytest.raises(ValueError, match="y is required"):
        kapstats.rank_biserial([1.0, 2.0])
