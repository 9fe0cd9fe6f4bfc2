"""kapstats.lm, lm_compare, LinearModel.contrast, ancova against R 4.2.2
lm/summary.lm/confint/anova and emmeans 1.8.4 (tests/reference/
linear_model.out, the values tests/test_linear_model.c uses), and OLS
against statsmodels."""
import math

import numpy as np
import pytest

import kapstats
from conftest import REFDIR, assert_close, read_csv_columns, ref, ref_vec0

RTOL = 1e-9
NAN = math.nan
# inline data of linear_model.R
Y = [12.1, 14.3, 11.8, 16.9, 15.2, 18.4, NAN, 20.1, 17.7, 22.3, 19.8, 24.6, 21.0, 25.9]
X1 = [1.0, 2.0, 1.5, 3.1, 2.8, 4.0, 4.4, 5.2, 4.1, 6.3, 5.5, 7.0, NAN, 7.9]
X2 = [0.3, -0.2, 0.8, 0.1, 1.2, -0.5, 0.4, 0.9, 1.6, -0.1, 0.7, 0.2, 0.5, 1.1]


def check_lm(m, prefix, f=True):
    k = len(m.coef)
    for field, name in [("coef", "coef"), ("se", "se"), ("statistic", "t"),
                        ("p_value", "p"), ("ci_low", "lo"), ("ci_high", "hi")]:
        np.testing.assert_allclose(getattr(m, field), ref_vec0("linear_model", prefix + "_" + name, k),
                                   rtol=RTOL, err_msg=prefix + " " + field)
    assert_close(m.residual_sd, ref("linear_model", prefix + "_sigma"), RTOL)
    assert m.df == ref("linear_model", prefix + "_df")
    assert m.nobs == ref("linear_model", prefix + "_nobs")
    assert_close(m.r_squared, ref("linear_model", prefix + "_r2"), RTOL, atol=1e-15)
    assert_close(m.rss, ref("linear_model", prefix + "_rss"), RTOL)
    np.testing.assert_allclose(m.vcov.ravel(), ref_vec0("linear_model", prefix + "_vcov", k * k),
                               rtol=RTOL)
    np.testing.assert_allclose(m.residuals, ref_vec0("linear_model", prefix + "_resid", m.nobs),
                               rtol=1e-8, atol=1e-12)
    if f:
        assert_close(m.f_test.statistic, ref("linear_model", prefix + "_F"), RTOL)
        assert m.f_test.df == ref("linear_model", prefix + "_Fdf1")
        assert m.f_test.df2 == ref("linear_model", prefix + "_Fdf2")
        assert_close(m.f_test.p_value, ref("linear_model", prefix + "_Fp"), RTOL)


def test_lm_vs_r():
    m = kapstats.lm(Y, np.column_stack([X1, X2]))
    check_lm(m, "m2")
    assert m.intercept and m.nrows == 14 and m.conf_level == 0.95
    assert list(m.rows) == [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 13]
    np.testing.assert_allclose(m.fitted + m.residuals, np.array(Y)[m.rows], rtol=1e-14)
    check_lm(kapstats.lm(Y, np.column_stack([X1, X2]), conf_level=0.90), "m2c90")
    check_lm(kapstats.lm(Y, np.column_stack([X1, X2]), intercept=False), "m0")


def test_lm_input_kinds():
    pd = pytest.importorskip("pandas")
    want = kapstats.lm(Y, np.column_stack([X1, X2]))
    df = pd.DataFrame({"y": Y, "x1": X1, "x2": X2})
    for m in (kapstats.lm(df.y, df[["x1", "x2"]]),
              kapstats.lm(list(Y), [list(r) for r in zip(X1, X2)]),
              kapstats.lm(Y, np.asfortranarray(np.column_stack([X1, X2])))):
        np.testing.assert_array_equal(m.coef, want.coef)
    y32 = np.array(Y, dtype=np.float32)
    np.testing.assert_array_equal(kapstats.lm(y32, np.column_stack([X1, X2])).coef,
                                  kapstats.lm(y32.astype(np.float64), np.column_stack([X1, X2])).coef)
    ok = ~np.isnan(Y) & ~np.isnan(X1)
    m1 = kapstats.lm(np.array(Y)[ok], np.array(X1)[ok])  # 1-D X: one predictor
    check_lm(m1, "m1")
    mi = kapstats.lm(np.array(Y)[ok])                    # intercept only
    check_lm(mi, "mi", f=False)
    assert math.isnan(mi.f_test.statistic) and mi.f_test.note


def test_compare_and_contrast():
    ok = ~np.isnan(Y) & ~np.isnan(X1)
    y = np.array(Y)[ok]
    x1 = np.array(X1)[ok]
    x2 = np.array(X2)[ok]
    full = kapstats.lm(y, np.column_stack([x1, x2]))
    r = kapstats.lm_compare(kapstats.lm(y, x1), full)
    assert_close(r.statistic, ref("linear_model", "cmp12_F"), RTOL)
    assert r.df == ref("linear_model", "cmp12_df") and r.df2 == ref("linear_model", "cmp12_df2")
    assert_close(r.p_value, ref("linear_model", "cmp12_p"), RTOL)
    assert_close(r.estimate, ref("linear_model", "cmp12_ss"), RTOL)
    r = kapstats.lm_compare(kapstats.lm(y), full)
    assert_close(r.statistic, ref("linear_model", "cmpi2_F"), RTOL)
    with pytest.raises(ValueError):
        kapstats.lm_compare(full, kapstats.lm(y, x1))
    m2 = kapstats.lm(Y, np.column_stack([X1, X2]))
    c = m2.contrast([0, 1, 2])
    for field, name in [("estimate", "est"), ("se", "se"), ("statistic", "t"),
                        ("p_value", "p"), ("ci_low", "lo"), ("ci_high", "hi")]:
        assert_close(getattr(c, field), ref("linear_model", "con_" + name), RTOL)
    with pytest.raises(ValueError):
        m2.contrast([0, 1])
    with pytest.raises(ValueError):
        m2.contrast([0, 1, math.inf])
    cr = m2.coef_result(1)
    assert cr.estimate == m2.coef[1] and cr.n1 == 12


def test_lm_vs_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    L = np.loadtxt(REFDIR + "/nist/Longley.dat", skiprows=60)
    y, X = L[:, 0], L[:, 1:]
    m = kapstats.lm(y, X)
    r = sm.OLS(y, sm.add_constant(X)).fit()
    np.testing.assert_allclose(m.coef, r.params, rtol=1e-7)
    np.testing.assert_allclose(m.se, r.bse, rtol=1e-7)
    np.testing.assert_allclose(m.p_value, r.pvalues, rtol=1e-6)
    assert_close(m.r_squared, r.rsquared, 1e-9)
    assert_close(m.f_test.statistic, r.fvalue, 1e-7)
    # NIST certified values (Longley, 15 digits): the C library's own accuracy
    assert_close(m.coef[0], -3482258.63459582, 1e-10)
    assert_close(m.se[6], 455.478499142212, 1e-10)
    assert_close(m.residual_sd, 304.854073561965, 1e-10)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(size=50)
    m = kapstats.lm(y, X, conf_level=0.9)
    r = sm.OLS(y, sm.add_constant(X)).fit()
    np.testing.assert_allclose(m.coef, r.params, rtol=1e-10)
    np.testing.assert_allclose(np.column_stack([m.ci_low, m.ci_high]), r.conf_int(0.1), atol=1e-9,
                               rtol=1e-8)


def test_lm_errors():
    with pytest.raises(ValueError, match="one row per value"):
        kapstats.lm([1, 2, 3], [[1], [2]])
    with pytest.raises(kapstats.NumericalError):
        kapstats.lm([1.0, 2, 3, 4], np.column_stack([[1.0, 2, 3, 4], [2.0, 4, 6, 8]]))
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.lm([1.0, 2], [1.0, 3])
    with pytest.raises(ValueError):
        kapstats.lm([], None)
    with pytest.raises(ValueError):
        kapstats.lm([1.0, 2, 3], [1.0, 2, 4], conf_level=0)
    with pytest.raises(ValueError):
        kapstats.lm([1.0, 2, 3], np.zeros((3, 2, 1)))
    with pytest.raises(kapstats.InvalidArgumentError):
        kapstats.lm([1.0, 2, 3], None, intercept=False)


def test_result_is_frozen_and_readonly():
    m = kapstats.lm(Y, np.column_stack([X1, X2]))
    with pytest.raises(Exception):
        m.coef = None
    with pytest.raises(ValueError):
        m.coef[0] = 1.0
    assert "coef=" in repr(m) and "residuals" not in repr(m)
    assert set(m._asdict()) >= {"coef", "se", "statistic", "p_value", "ci_low", "ci_high",
                                "residual_sd", "r_squared"}


# ---- ANCOVA --------------------------------------------------------------
def sim():
    return read_csv_columns("lm_ancova_sim.csv")


def check_ancova(a, prefix, lsm=True):
    arms = a.arms
    c = 0
    for i, arm in enumerate(arms):
        if lsm:
            r = a.lsmean(arm)
            for field, name in [("estimate", "lsm"), ("se", "lsm_se"), ("ci_low", "lsm_lo"),
                                ("ci_high", "lsm_hi")]:
                assert_close(getattr(r, field), ref("linear_model", "%s_%s_%d" % (prefix, name, i)),
                             RTOL, what=prefix + name)
            assert r.df == ref("linear_model", prefix + "_df")
        if arm == a.control:
            continue
        r = a.diff(arm)
        names = [("estimate", "diff"), ("se", "diff_se"), ("p_value", "diff_p")]
        if lsm:
            names += [("statistic", "diff_t"), ("ci_low", "diff_lo"), ("ci_high", "diff_hi")]
        for field, name in names:
            assert_close(getattr(r, field), ref("linear_model", "%s_%s_%d" % (prefix, name, c)),
                         RTOL, what=prefix + name)
        c += 1


def test_ancova_numeric_covariate():
    d = sim()
    a = kapstats.ancova(d["change"], d["baseline"], d["arm"].astype(int), 0,
                        covariates={"age": d["age"]})
    check_ancova(a, "anc1")
    assert a.model.nobs == ref("linear_model", "anc1_nobs")
    assert len(a.model.coef) == 5
    assert sum(r.n1 for r in a.lsmeans) == 92
    assert a.covariate_columns == ["(intercept)", "baseline", "arm[1]", "arm[2]", "age"]
    # control = arm 2 (labels as strings this time)
    labels = np.array(["A", "B", "C"])[d["arm"].astype(int)]
    a3 = kapstats.ancova(d["change"], d["baseline"], labels, "C", d["age"])
    assert a3.arms == ["A", "B", "C"] and a3.control == "C"
    check_ancova(a3, "anc3", lsm=False)
    assert_close(a3.lsmean("B").estimate, ref("linear_model", "anc1_lsm_1"), RTOL)
    df = a3.diffs.to_pandas()
    assert list(df["label"]) == ["A", "B"]


def test_ancova_categorical_covariates():
    pd = pytest.importorskip("pandas")
    d = sim()
    cov = pd.DataFrame({"age": d["age"],
                        "sex": pd.Series(d["sex"]).map(lambda v: "s%d" % v),
                        "site": pd.Categorical(d["site"].astype(int))})
    a = kapstats.ancova(pd.Series(d["change"]), d["baseline"], d["arm"].astype(int), 0, cov)
    check_ancova(a, "anc2")
    assert a.covariate_columns[4:] == ["age", "sex[s1]", "site[1]", "site[2]"]


def test_ancova_real_trial():
    pd = pytest.importorskip("pandas")
    d = read_csv_columns("lm_antidep_w6.csv")
    arm = np.where(d["arm"] == 0, "drug", "placebo")
    cov = pd.DataFrame({"gender": d["gender"].astype(int).astype(str),
                        "poolinv": pd.Categorical(d["poolinv"].astype(int))})
    a = kapstats.ancova(d["change"], d["basval"], arm, "placebo", cov)
    assert a.model.nobs == ref("linear_model", "ad_nobs")
    for i, lab in enumerate(["drug", "placebo"]):
        assert_close(a.lsmean(lab).estimate, ref("linear_model", "ad_lsm_%d" % i), RTOL)
        assert_close(a.lsmean(lab).ci_high, ref("linear_model", "ad_lsm_hi_%d" % i), RTOL)
    r = a.diff()
    for field, name in [("estimate", "diff"), ("se", "diff_se"), ("statistic", "diff_t"),
                        ("p_value", "diff_p"), ("ci_low", "diff_lo"), ("ci_high", "diff_hi")]:
        assert_close(getattr(r, field), ref("linear_model", "ad_" + name), RTOL)
    assert r.df == ref("linear_model", "ad_df")


def test_ancova_errors():
    y = [1.0, 2, 3, 4, 5, 6, 7, 8]
    b = [2.0, 1, 4, 3, 6, 5, 8, 9]
    arm = ["a", "b"] * 4
    with pytest.raises(kapstats.NotFoundError):
        kapstats.ancova(y, b, arm, "c")
    with pytest.raises(ValueError, match="same length"):
        kapstats.ancova(y[:-1], b, arm, "a")
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.ancova(y, b, ["a"] * 8, "a")
    with pytest.raises(ValueError):
        kapstats.ancova(y, b, arm, "a", covariates=np.zeros((3, 2)))
    a = kapstats.ancova(y, b, arm, "a")
    with pytest.raises(ValueError):
        a.diff("a")
    with pytest.raises(ValueError):
        a.lsmean("z")
