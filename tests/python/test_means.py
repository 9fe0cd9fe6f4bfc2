"""kapstats.describe, ttest and the standardized mean differences against
R 4.2 (tests/reference/descriptive.out, ttest.out: the values
tests/test_descriptive.c and tests/test_ttest.c use; effectsize 0.8.3
hedges_g in antidepressant.out), NIST StRD univariate certified values, and
scipy.stats."""
import math
import os

import numpy as np
import pytest

import kapstats
from conftest import ROOT, assert_close, ref

NAN = math.nan
A = [5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7]
SETS = {
    "a": A,
    "hamd": [-12, -8, -15, -3, -9, -11, -7, -14, -6, -10, -9, NAN, -13],
    "ties": [2, 2, 2, 3, 3, 2, NAN, 3],
    "two": [1, 3],
    "big": [v * 1e150 for v in A],
    "tiny": [v * 1e-150 for v in A],
    "const": [7.25, 7.25, 7.25, 7.25],
    "odd": [3.2, -1.5, 8.25, 0, 2.5, 2.5, 11, -4.75, 6],
}


@pytest.mark.parametrize("name", SETS)
def test_describe_vs_r(name):
    d = kapstats.describe(SETS[name])
    r = lambda f: ref("descriptive", "%s_%s" % (name, f))
    assert d.n == r("n") and d.n_missing == r("n_missing")
    for f in ("mean", "sd", "se", "median", "q1", "q3", "min", "max"):
        assert_close(getattr(d, f), r(f), 1e-12, what=name + f)
    for cl in (0.95, 0.9, 0.99):
        d = kapstats.describe(SETS[name], conf_level=cl)
        tag = "ci%02d" % round(100 * cl)
        assert_close(d.ci_low, r(tag + "_low"), 1e-9)
        assert_close(d.ci_high, r(tag + "_high"), 1e-9)
        assert d.conf_level == cl


def test_describe_edges():
    d = kapstats.describe([])
    assert d.n == 0 and math.isnan(d.mean) and d.note
    d = kapstats.describe([NAN, NAN])
    assert d.n == 0 and d.n_missing == 2
    d = kapstats.describe([4.0])
    assert d.mean == 4.0 and math.isnan(d.sd) and d.note
    with pytest.raises(ValueError):
        kapstats.describe([1.0, math.inf])
    with pytest.raises(ValueError):
        kapstats.describe([1.0, 2.0], conf_level=1.0)
    assert set(d._asdict()) >= {"n", "mean", "sd", "se", "median", "q1", "q3", "min", "max",
                                "ci_low", "ci_high"}


def nist_values(name):
    with open(os.path.join(ROOT, "tests", "data", "nist", name + ".dat")) as f:
        lines = f.read().splitlines()
    cert = {}
    data = []
    for i, line in enumerate(lines):
        s = line.split()
        if line.strip().startswith("Sample Mean"):
            cert["mean"] = float(s[-1])
        elif line.strip().startswith("Sample Standard Deviation"):
            cert["sd"] = float(s[-1])
    start = next(i for i, l in enumerate(lines) if l.strip().startswith("Data: Y")) + 1
    for line in lines[start:]:
        if line.strip() and set(line.strip()) != {"-"}:
            data.append(float(line.split()[0]))
    return np.array(data), cert


def lre(got, want):
    if got == want:
        return 16.0
    return -math.log10(abs(got - want) / abs(want))


@pytest.mark.parametrize("name,n,min_lre", [
    ("Lew", 200, 13), ("Lottery", 218, 13), ("Mavro", 50, 13), ("Michelso", 100, 13),
    ("NumAcc1", 3, 13), ("NumAcc2", 1001, 13), ("NumAcc3", 1001, 9), ("NumAcc4", 1001, 8)])
def test_describe_nist(name, n, min_lre):
    """NIST StRD univariate: log relative error as tests/test_descriptive.c."""
    x, cert = nist_values(name)
    assert len(x) == n
    d = kapstats.describe(x)
    assert lre(d.mean, cert["mean"]) >= min_lre
    assert lre(d.sd, cert["sd"]) >= min_lre


def test_strided_column_no_copy(monkeypatch):
    from kapstats import _ffi
    import ctypes
    m = np.ascontiguousarray(np.column_stack([np.arange(10.0), np.arange(10.0) ** 2]))
    col = m[:, 1]
    seen = {}
    real = _ffi.lib.kap_describe

    def spy(out, p, stride, n, cl, err):
        seen.update(addr=ctypes.addressof(p.contents), stride=stride, n=n)
        return real(out, p, stride, n, cl, err)

    monkeypatch.setattr(_ffi.lib, "kap_describe", spy)
    d = kapstats.describe(col)
    assert seen == {"addr": col.ctypes.data, "stride": 2, "n": 10}
    assert d.mean == np.mean(col) and d.median == np.median(col)
    # reversed views (negative stride) are copied
    d2 = kapstats.describe(col[::-1])
    assert seen["stride"] == 1 and d2.mean == d.mean


H_X = SETS["hamd"]
H_Y = [-4, -6, -2, -7, -5, -3, -8, -1, -5, -6, -4]
A_Y = [4.2, 4.9, 5.0, 4.4, 4.8, 5.1, 4.0]
TWO = {"A": (A, A_Y), "H": (H_X, H_Y), "T": ([2, 2, 2, 3, 3], [1, 1, 2, 2, 2]),
       "N2": ([1, 3], [2, 5]), "BIG": ([v * 1e150 for v in A], [v * 1e150 for v in A_Y]),
       "TINY": ([v * 1e-150 for v in A], [v * 1e-150 for v in A_Y])}
P_POST = [14, 20, 15, 24, 13, 18, 21, 12, 22, 16, NAN, 17]
P_PRE = [24, 27, 22, 30, 26, 25, 28, 23, 29, 21, 26, NAN]


def check_t(r, tag, rtol=1e-10):
    for f, nm in [("estimate", "estimate"), ("se", "se"), ("statistic", "t"), ("df", "df"),
                  ("p_value", "p"), ("ci_low", "ci_low"), ("ci_high", "ci_high")]:
        assert_close(getattr(r, f), ref("ttest", "%s_%s" % (tag, nm)), rtol, what=tag + f)


@pytest.mark.parametrize("name", TWO)
def test_ttest_two_vs_r(name):
    x, y = TWO[name]
    r = kapstats.ttest(x, y)
    check_t(r, name + "_welch")
    assert r.method == "Welch Two Sample t-test"
    check_t(kapstats.ttest(x, y, equal_var=True), name + "_student")


def test_ttest_options_vs_r():
    check_t(kapstats.ttest(A, A_Y, alternative="less", conf_level=0.9), "A_welch_less90")
    check_t(kapstats.ttest(A, A_Y, alternative="greater", conf_level=0.9), "A_welch_greater90")
    check_t(kapstats.ttest(A, A_Y, equal_var=True, mu=0.5, alternative="greater"),
            "A_student_mu_greater")
    check_t(kapstats.ttest(H_X, H_Y, mu=-2, conf_level=0.99), "H_welch_mu99")
    check_t(kapstats.ttest([4], [1, 2, 4.5], equal_var=True), "N1_student")
    check_t(kapstats.ttest(A, mu=5), "A_one_mu5")
    check_t(kapstats.ttest(A, mu=5.8, alternative="less", conf_level=0.8), "A_one_less")
    r = kapstats.ttest(H_X)
    check_t(r, "H_one")
    assert r.n1 == 12
    r = kapstats.ttest(P_POST, P_PRE, paired=True)
    check_t(r, "P_paired")
    assert r.n1 == r.n2 == 10
    check_t(kapstats.ttest(P_POST, P_PRE, paired=True, mu=-8, alternative="greater",
                           conf_level=0.9), "P_paired_mu_greater")


def test_ttest_vs_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(11)
    for _ in range(10):
        x = rng.normal(0, 1, rng.integers(3, 30))
        y = rng.normal(0.5, 2, rng.integers(3, 30))
        s = stats.ttest_ind(x, y, equal_var=False)
        r = kapstats.ttest(x, y)
        assert_close(r.statistic, s.statistic, 1e-10)
        assert_close(r.p_value, s.pvalue, 1e-9)
        s = stats.ttest_ind(x, y, equal_var=True, alternative="less")
        r = kapstats.ttest(x, y, equal_var=True, alternative="less")
        assert_close(r.p_value, s.pvalue, 1e-9)
        s = stats.ttest_rel(x[:3], y[:3])
        assert_close(kapstats.ttest(x[:3], y[:3], paired=True).p_value, s.pvalue, 1e-9)


def test_ttest_edges_and_errors():
    r = kapstats.ttest([1.0], [2.0])
    assert math.isnan(r.p_value) and r.note
    r = kapstats.ttest([3.0, 3.0, 3.0], [3.0, 3.0])
    assert math.isnan(r.statistic) and r.note
    with pytest.raises(ValueError, match="same length"):
        kapstats.ttest([1, 2, 3], [1, 2], paired=True)
    with pytest.raises(ValueError, match="needs y"):
        kapstats.ttest([1, 2, 3], paired=True)
    with pytest.raises(ValueError, match="alternative"):
        kapstats.ttest([1, 2, 3], alternative="both")
    with pytest.raises(kapstats.InvalidArgumentError):
        kapstats.ttest([1, 2, math.inf])
    with pytest.raises(ValueError):
        kapstats.ttest([1, 2, 3], conf_level=0)


def test_hedges_g_real_trial_vs_effectsize():
    """effectsize 0.8.3 hedges_g on the week-6 HAM-D17 change of the real
    trial (tests/reference/antidepressant.R), via ingest + endpoint."""
    t = kapstats.ingest(os.path.join(ROOT, "datasets", "antidepressant",
                                     "antidepressant_adam.csv"))
    arm = t.arm()
    for rule, missing in [("cc", "complete_case"), ("locf", "locf")]:
        chg = t.change("hamd17", "week6", missing=missing)
        g = kapstats.hedges_g(chg[arm == "DRUG"], chg[arm == "PLACEBO"])
        assert_close(g.estimate, ref("antidepressant", rule + ".hedges_g"), 1e-9)
        assert_close(g.ci_low, ref("antidepressant", rule + ".hedges_g.ci_low"), 1e-6)
        assert_close(g.ci_high, ref("antidepressant", rule + ".hedges_g.ci_high"), 1e-6)
        w = kapstats.ttest(chg[arm == "DRUG"], chg[arm == "PLACEBO"])
        for f, nm in [("estimate", "estimate"), ("statistic", "t"), ("df", "df"),
                      ("p_value", "p"), ("ci_low", "ci_low"), ("ci_high", "ci_high")]:
            assert_close(getattr(w, f), ref("antidepressant", "%s.welch.%s" % (rule, nm)), 1e-10)


def test_smd_definitions():
    """Estimates against their closed-form definitions (the CIs are checked
    against effectsize above)."""
    x = np.array([5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7])
    y = np.array(A_Y)
    n1, n2 = len(x), len(y)
    sp = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    d = kapstats.cohens_d(x, y)
    assert_close(d.estimate, (x.mean() - y.mean()) / sp, 1e-12)
    assert d.df == n1 + n2 - 2
    g = kapstats.hedges_g(x, y)
    assert_close(g.estimate, kapstats.hedges_j(n1 + n2 - 2) * d.estimate, 1e-14)
    assert_close(kapstats.hedges_j(13), math.gamma(6.5) / (math.sqrt(6.5) * math.gamma(6)), 1e-13)
    assert math.isnan(kapstats.hedges_j(1))
    s = math.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    assert_close(kapstats.cohens_d(x, y, pooled_sd=False).estimate, (x.mean() - y.mean()) / s,
                 1e-12)
    assert_close(kapstats.glass_delta(x, y).estimate, (x.mean() - y.mean()) / y.std(ddof=1), 1e-12)
    assert_close(kapstats.cohens_d(x, mu=5).estimate, (x.mean() - 5) / x.std(ddof=1), 1e-12)
    before = np.array(P_PRE[:10], dtype=float)
    after = np.array(P_POST[:10], dtype=float)
    dd = after - before
    r = np.corrcoef(after, before)[0, 1]
    pd_ = {m: kapstats.paired_d(before, after, m).estimate for m in ("z", "rm", "av", "b")}
    assert_close(pd_["z"], dd.mean() / dd.std(ddof=1), 1e-12)
    assert_close(pd_["rm"], dd.mean() / dd.std(ddof=1) * math.sqrt(2 * (1 - r)), 1e-12)
    assert_close(pd_["av"], dd.mean() / math.sqrt((after.var(ddof=1) + before.var(ddof=1)) / 2),
                 1e-12)
    assert_close(pd_["b"], dd.mean() / before.std(ddof=1), 1e-12)
    assert pd_["z"] < 0   # after - before: scores went down
    pg = kapstats.paired_g(before, after)
    assert_close(pg.estimate, kapstats.hedges_j(9) * pd_["z"], 1e-14)
    dn = kapstats.cohens_d(x, y, ci_method="normal")
    assert not math.isnan(dn.se) and dn.ci_low < dn.estimate < dn.ci_high


def test_smd_errors():
    with pytest.raises(ValueError, match="standardizer"):
        kapstats.paired_d([1, 2, 3], [2, 3, 5], method="zz")
    with pytest.raises(ValueError, match="CI method"):
        kapstats.cohens_d([1, 2, 3], [2, 3, 5], ci_method="boot")
    with pytest.raises(ValueError, match="control"):
        kapstats.glass_delta([1, 2, 3], None)
    with pytest.raises(ValueError, match="same length"):
        kapstats.paired_d([1, 2, 3], [2, 3])
    with pytest.raises(kapstats.InvalidArgumentError):
        kapstats.hedges_g([1, 2, math.inf], [1, 2, 3])
    r = kapstats.cohens_d([1.0], [2.0])
    assert math.isnan(r.estimate) and r.note
