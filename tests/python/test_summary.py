"""kapstats.describe_two and the summary forms (ttest_summary,
cohens_d_summary, hedges_g_summary, glass_delta_summary) against R 4.2
t.test (tests/reference/ttest.out) and the exact effect-size references
(tests/reference/effect_size.out), and bit for bit against the array
forms (ttest, cohens_d, hedges_g, glass_delta)."""
import dataclasses
import math

import numpy as np
import pytest

import kapstats
from conftest import assert_close, ref

NAN = math.nan
A_X = [5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7]
A_Y = [4.2, 4.9, 5.0, 4.4, 4.8, 5.1, 4.0]
H_X = [-12, -8, -15, -3, -9, -11, -7, -14, -6, -10, -9, NAN, -13]
H_Y = [-4, -6, -2, -7, -5, -3, -8, -1, -5, -6, -4]
TWO = {"A": (A_X, A_Y), "H": (H_X, H_Y), "T": ([2, 2, 2, 3, 3], [1, 1, 2, 2, 2]),
       "N2": ([1, 3], [2, 5]),
       "BIG": ([v * 1e150 for v in A_X], [v * 1e150 for v in A_Y]),
       "TINY": ([v * 1e-150 for v in A_X], [v * 1e-150 for v in A_Y])}


def same(r1, r2):
    """Every field equal, bit for bit (nan equal to nan)."""
    a, b = dataclasses.asdict(r1), dataclasses.asdict(r2)
    assert a.keys() == b.keys()
    for k in a:
        u, v = a[k], b[k]
        if isinstance(u, float) and math.isnan(u):
            assert isinstance(v, float) and math.isnan(v), k
        else:
            assert u == v, (k, u, v)


@pytest.mark.parametrize("name", TWO)
def test_ttest_summary_vs_r(name):
    x, y = TWO[name]
    s = kapstats.describe_two(x, y)
    for equal_var, tag in ((False, "welch"), (True, "student")):
        r = kapstats.ttest_summary(s, equal_var=equal_var)
        for f, nm in [("estimate", "estimate"), ("se", "se"), ("statistic", "t"),
                      ("df", "df"), ("p_value", "p"), ("ci_low", "ci_low"),
                      ("ci_high", "ci_high")]:
            assert_close(getattr(r, f), ref("ttest", "%s_%s_%s" % (name, tag, nm)), 1e-10,
                         what=name + tag + f)
        same(r, kapstats.ttest(x, y, equal_var=equal_var))


@pytest.mark.parametrize("name", ["A", "H"])
def test_hedges_g_summary_vs_reference(name):
    x, y = TWO[name]
    s = kapstats.describe_two(x, y)
    g = kapstats.hedges_g_summary(s)
    for f, nm, rtol in [("estimate", "est", 1e-12), ("ci_low", "lo", 1e-9),
                        ("ci_high", "hi", 1e-9), ("statistic", "t", 1e-12),
                        ("df", "df", 1e-12)]:
        assert_close(getattr(g, f), ref("effect_size", "%s_g_%s" % (name, nm)), rtol,
                     what=name + f)
    same(g, kapstats.hedges_g(x, y))


@pytest.mark.parametrize("pooled_sd", [True, False])
@pytest.mark.parametrize("ci_method", ["ncp", "normal"])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_summary_forms_equal_array_forms(pooled_sd, ci_method, alternative):
    rng = np.random.default_rng(7)
    x = rng.normal(20.3, 4.0, 5000)
    y = rng.normal(20.0, 4.5, 4000)
    x[::97] = np.nan
    s = kapstats.describe_two(x, y)
    assert (s.n1, s.n1_missing, s.n2, s.n2_missing, s.scale) == (4948, 52, 4000, 0, 0)
    kw = dict(mu=0.1, conf_level=0.9, alternative=alternative, ci_method=ci_method)
    same(kapstats.cohens_d_summary(s, pooled_sd=pooled_sd, **kw),
         kapstats.cohens_d(x, y, pooled_sd=pooled_sd, **kw))
    same(kapstats.hedges_g_summary(s, pooled_sd=pooled_sd, **kw),
         kapstats.hedges_g(x, y, pooled_sd=pooled_sd, **kw))
    same(kapstats.glass_delta_summary(s, **kw), kapstats.glass_delta(x, y, **kw))
    same(kapstats.ttest_summary(s, equal_var=pooled_sd, mu=0.1, conf_level=0.9,
                                alternative=alternative),
         kapstats.ttest(x, y, equal_var=pooled_sd, mu=0.1, conf_level=0.9,
                        alternative=alternative))


def test_summary_fields_and_from_stats():
    s = kapstats.describe_two(H_X, H_Y)
    assert (s.n1, s.n1_missing, s.n2, s.n2_missing, s.scale) == (12, 1, 11, 0, 0)
    d = kapstats.describe(H_X)
    assert s.mean1 == d.mean
    assert_close(math.sqrt(s.ss1 / 11), d.sd, 1e-15)
    # from published group statistics
    dy = kapstats.describe(H_Y)
    h = kapstats.TwoSummary.from_stats(12, d.mean, d.sd, 11, dy.mean, dy.sd)
    r, r0 = kapstats.ttest_summary(h), kapstats.ttest(H_X, H_Y)
    assert_close(r.statistic, r0.statistic, 1e-13)
    assert_close(r.p_value, r0.p_value, 1e-12)
    # extreme values are scaled by a power of two
    big = kapstats.describe_two(TWO["BIG"][0], TWO["BIG"][1])
    assert big.scale > 400
    assert_close(math.ldexp(big.mean1, big.scale), np.mean(TWO["BIG"][0]), 1e-15)


def test_summary_errors():
    with pytest.raises(ValueError, match=r"y\[1\] is infinite"):
        kapstats.describe_two([1, 2], [3, math.inf])
    s = kapstats.describe_two(A_X, A_Y)
    with pytest.raises(ValueError, match="ss1 >= 0"):
        kapstats.ttest_summary(dataclasses.replace(s, ss1=-1.0))
    with pytest.raises(ValueError, match="scale"):
        kapstats.hedges_g_summary(dataclasses.replace(s, scale=9999))
    with pytest.raises(ValueError, match="TwoSummary"):
        kapstats.cohens_d_summary((1, 2, 3))
    with pytest.raises(ValueError):
        kapstats.glass_delta_summary(s, conf_level=1.5)
    # too few values: a note, not an error
    r = kapstats.ttest_summary(kapstats.describe_two([1.0], [2.0, 3.0]))
    assert math.isnan(r.statistic) and r.note
