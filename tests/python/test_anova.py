"""kapstats.anova_oneway against R 4.2.2 anova/oneway.test and effectsize
0.8.3 (tests/reference/anova.out, the values tests/test_anova.c uses), and
scipy.stats.f_oneway."""
import math

import pytest

import kapstats
from conftest import assert_close, read_csv_columns, ref

NAN = math.nan
RTOL = 1e-9
CI_RTOL = 1e-6
YA = [23.1, 25.4, 21.8, 24.9, NAN, 22.7, 28.3, 27.1, 30.2, 26.8, 29.5, 24.0, 25.2, 23.3, 26.1, 19.9]
GA = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, None]
YB = [5.1, 4.8, 6.2, 5.5, 5.9, 7.4, 6.8, 7.9, 7.1]
GB = [0, 0, 0, 0, 0, 1, 1, 1, 1]
YC = [10.2, 9.8, 11.1, 10.5, 9.9, 10.4, 10.0, 10.9, 10.1, 9.7, 10.6, 10.3]
GC = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]


def data(prefix):
    if prefix == "d":
        d = read_csv_columns("anova_sim.csv")
        return d["y"], d["g"].astype(int)
    return {"a": (YA, GA), "b": (YB, GB), "c": (YC, GC)}[prefix]


def r(prefix, name):
    return ref("anova", "%s_%s" % (prefix, name))


@pytest.mark.parametrize("prefix", ["a", "b", "c", "d"])
def test_oneway_vs_r(prefix):
    y, g = data(prefix)
    o = kapstats.anova_oneway(y, g)
    assert o.n == r(prefix, "n")
    for field, name in [("ss_between", "ssb"), ("ss_within", "ssw"), ("ms_between", "msb"),
                        ("ms_within", "msw"), ("statistic", "F"), ("p_value", "p")]:
        assert_close(getattr(o, field), r(prefix, name), RTOL, what=prefix + name)
    assert o.df == r(prefix, "dfb") and o.df2 == r(prefix, "dfw")
    assert o.statistic == o.f.statistic
    w = kapstats.anova_oneway(y, g, welch=True)
    assert_close(w.statistic, r(prefix, "welch_F"), RTOL)
    assert_close(w.df2, r(prefix, "welch_df2"), RTOL)
    assert_close(w.p_value, r(prefix, "welch_p"), RTOL)
    assert w.welch.statistic == o.welch.statistic and "Welch" in w.method
    for alt, a in [("greater", "g"), ("two-sided", "t"), ("less", "l")]:
        for conf in (0.95, 0.90):
            tag = "%s_%s%02d" % (prefix, a, round(conf * 100))
            e = kapstats.anova_oneway(y, g, conf_level=conf, es_alternative=alt)
            assert_close(e.eta_squared.estimate, ref("anova", tag + "_eta"), RTOL)
            assert_close(e.omega_squared.estimate, ref("anova", tag + "_omega"), RTOL, atol=1e-15)
            for res, nm in [(e.eta_squared, "eta"), (e.omega_squared, "omega")]:
                assert_close(res.ci_low, ref("anova", "%s_%s_lo" % (tag, nm)), CI_RTOL, atol=1e-15)
                assert_close(res.ci_high, ref("anova", "%s_%s_hi" % (tag, nm)), CI_RTOL, atol=1e-15)


def test_labels_of_any_kind():
    y, g = data("a")
    want = kapstats.anova_oneway(y, g)
    names = [None if v is None else "grp%d" % v for v in g]
    got = kapstats.anova_oneway(y, names)
    assert got.statistic == want.statistic and got.levels == ["grp0", "grp1", "grp2"]
    pd = pytest.importorskip("pandas")
    got = kapstats.anova_oneway(pd.Series(y), pd.Series(g, dtype="Int64"))
    assert got.statistic == want.statistic and got.levels == [0, 1, 2]
    got = kapstats.anova_oneway(y, [NAN if v is None else float(v) for v in g])
    assert got.statistic == want.statistic


def test_vs_scipy():
    stats = pytest.importorskip("scipy.stats")
    y, g = data("d")
    o = kapstats.anova_oneway(y, g)
    s = stats.f_oneway(*(y[g == k] for k in range(4)))
    assert_close(o.statistic, s.statistic, 1e-10)
    assert_close(o.p_value, s.pvalue, 1e-8)


def test_errors():
    with pytest.raises(ValueError, match="same length"):
        kapstats.anova_oneway([1, 2, 3], [0, 1])
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.anova_oneway([1.0, 2, 3], [0, 0, 0])
    with pytest.raises(ValueError):
        kapstats.anova_oneway([], [])
    with pytest.raises(ValueError, match="alternative"):
        kapstats.anova_oneway(YB, GB, es_alternative="two.sided")
    with pytest.raises(ValueError):
        kapstats.anova_oneway(YB, GB, conf_level=2)
    with pytest.raises(ValueError, match="mixed types"):
        kapstats.anova_oneway([1, 2, 3, 4], ["a", 1, "a", 1])
