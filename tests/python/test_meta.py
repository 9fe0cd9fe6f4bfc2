"""kapstats.heterogeneity, strat_md, strat_md_summary, cmh, woolf against
R 4.2.2 + metafor 3.8-1 (tests/reference/meta.out, the values
tests/test_meta.c uses)."""
import math

import numpy as np
import pytest

import kapstats
from conftest import assert_close, ref, ref_vector

SETS = ["bcg", "normand", "k2", "homog", "hetero", "spread", "same", "k1"]
METHODS = ["FE", "DL", "REML", "PM"]


def load(name):
    k = int(ref("meta", name + ".k"))
    return (np.array(ref_vector("meta", name + ".yi", k)),
            np.array(ref_vector("meta", name + ".vi", k)))


def check_fit(r, tag, rtol):
    for field, rname in [("pooled", "beta"), ("se", "se"), ("statistic", "zval"),
                         ("p_value", "pval"), ("ci_low", "ci.lb"), ("ci_high", "ci.ub"),
                         ("q", "QE"), ("q_p", "QEp"), ("vt", "vt"),
                         ("se_tau2", "se.tau2"), ("h2", "H2")]:
        assert_close(getattr(r, field), ref("meta", tag + "." + rname), rtol,
                     what=tag + " " + field)
    for field, rname, atol in [("tau2", "tau2", 1e-14), ("i2", "I2", 1e-12)]:
        want = ref("meta", tag + "." + rname)
        if want == 0.0:
            assert abs(getattr(r, field)) <= atol
        else:
            assert_close(getattr(r, field), want, rtol, what=tag + " " + field)


@pytest.mark.parametrize("s", SETS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("test", ["z", "knha"])
def test_heterogeneity_vs_metafor(s, method, test):
    y, v = load(s)
    r = kapstats.heterogeneity(y, v, method=method, test=test)
    check_fit(r, "%s.%s.%s" % (s, method, test), 1e-10 if method in ("FE", "DL") else 1e-9)
    assert r.k == len(y) and r.n_dropped == 0
    assert r.method == method
    assert r.q_df == len(y) - 1
    if len(y) == 1:
        assert r.test == "z" and r.het_note
    else:
        assert r.test == test
    if method in ("REML", "PM"):
        r = kapstats.heterogeneity(y, v, method=method, test=test, threshold=1e-12,
                                   tol=1e-12)
        check_fit(r, "%s.%s.%s.tight" % (s, method, test), 1e-9)


@pytest.mark.parametrize("s", ["bcg", "normand", "k2", "spread"])
@pytest.mark.parametrize("method", ["DL", "REML", "PM"])
def test_qprofile_ci_vs_confint(s, method):
    y, v = load(s)
    r = kapstats.heterogeneity(y, v, method=method, threshold=1e-12, tol=1e-12)
    tag = "%s.%s.citight" % (s, method)
    for field, rname in [("tau2_ci_low", "tau2.lb"), ("tau2_ci_high", "tau2.ub"),
                         ("i2_ci_low", "I2.lb"), ("i2_ci_high", "I2.ub"),
                         ("h2_ci_low", "H2.lb"), ("h2_ci_high", "H2.ub")]:
        want = ref("meta", tag + "." + rname)
        if want == 0.0:
            assert abs(getattr(r, field)) <= 1e-12
        else:
            assert_close(getattr(r, field), want, 1e-8, what=tag + " " + field)


def test_defaults_and_conf_level():
    y, v = load("bcg")
    r = kapstats.heterogeneity(y, v)  # REML, z, 0.95
    check_fit(r, "bcg.REML.z", 1e-9)
    assert r.method == "REML" and r.test == "z" and r.conf_level == 0.95
    r = kapstats.heterogeneity(y, v, conf_level=0.90)
    check_fit(r, "bcg.REML.z.l90", 1e-9)
    r = kapstats.heterogeneity(y, v, "DL", "knha", 0.90)
    check_fit(r, "bcg.DL.knha.l90", 1e-10)
    r = kapstats.heterogeneity(y, v, tau2_ci=False)
    assert math.isnan(r.tau2_ci_low)
    pr = r.pooled_result()
    assert isinstance(pr, kapstats.Result) and pr.estimate == r.pooled and pr.n1 == 13


def test_nan_levels_dropped():
    y, v = load("bcg")
    y2 = np.concatenate([y, [np.nan, 0.3]])
    v2 = np.concatenate([v, [0.1, np.nan]])
    r = kapstats.heterogeneity(y2, v2)
    assert r.n_dropped == 2 and r.k == 13
    check_fit(r, "bcg.REML.z", 1e-9)


def test_result_object():
    y, v = load("bcg")
    r = kapstats.heterogeneity(y, v)
    d = r._asdict()
    for key in ("pooled", "se", "ci_low", "ci_high", "tau2", "q", "q_df", "q_p", "i2", "h2"):
        assert key in d
    assert repr(r).startswith("MetaResult(pooled=")
    with pytest.raises(Exception):
        r.pooled = 0.0


def test_heterogeneity_errors():
    with pytest.raises(ValueError, match="same length"):
        kapstats.heterogeneity([1, 2], [1])
    with pytest.raises(kapstats.InsufficientDataError):
        kapstats.heterogeneity([], [])
    with pytest.raises(ValueError, match="unknown"):
        kapstats.heterogeneity([1, 2], [1, 1], method="ML")
    with pytest.raises(ValueError, match="unknown"):
        kapstats.heterogeneity([1, 2], [1, 1], test="t")
    with pytest.raises(kapstats.InvalidArgumentError) as e:
        kapstats.heterogeneity([1, 2], [1, -1])
    assert e.value.code == -1 and str(e.value)
    with pytest.raises(ValueError):
        kapstats.heterogeneity([1, 2], [1, 1], conf_level=1.5)


@pytest.mark.parametrize("vt,pooled", [("LS", False), ("HO", True)])
def test_strat_md_summary_vs_escalc(vt, pooled):
    cols = {f: ref_vector("meta", "smd." + f, 4) for f in ("n1", "m1", "sd1", "n2", "m2", "sd2")}
    r = kapstats.strat_md_summary(cols["n1"], cols["m1"], cols["sd1"], cols["n2"],
                                  cols["m2"], cols["sd2"], pooled_variance=pooled)
    check_fit(r, "smd.%s.FE" % vt, 1e-10)
    # the same from the per-stratum yi, sqrt(vi)
    yi = ref_vector("meta", "smd.%s.yi" % vt, 4)
    vi = ref_vector("meta", "smd.%s.vi" % vt, 4)
    r2 = kapstats.strat_md(yi, np.sqrt(vi))
    check_fit(r2, "smd.%s.FE" % vt, 1e-10)


def test_strat_md_conf_level():
    yi = ref_vector("meta", "smd.LS.yi", 4)
    vi = ref_vector("meta", "smd.LS.vi", 4)
    check_fit(kapstats.strat_md(yi, np.sqrt(vi), 0.90), "smd.LS.FE.l90", 1e-10)


def tables(t):
    k = int(ref("meta", "cmh.%s.k" % t))
    return [ref_vector("meta", "cmh.%s.%s" % (t, f), k) for f in "abcd"]


@pytest.mark.parametrize("t", ["ucb", "zero", "kap", "nocc"])
def test_cmh_vs_r(t):
    a, b, c, d = tables(t)
    r = kapstats.cmh(a, b, c, d)
    assert r.k == len(a)
    for res, tag in [(r.cmh, "corr"), (r.cmh_uncorrected, "uncorr")]:
        assert_close(res.statistic, ref("meta", "cmh.%s.%s.X2" % (t, tag)), 1e-10)
        assert_close(res.p_value, ref("meta", "cmh.%s.%s.p" % (t, tag)), 1e-9)
        assert_close(res.estimate, ref("meta", "cmh.%s.%s.est" % (t, tag)), 1e-10)
        assert_close(res.ci_low, ref("meta", "cmh.%s.%s.lb" % (t, tag)), 1e-9)
        assert_close(res.ci_high, ref("meta", "cmh.%s.%s.ub" % (t, tag)), 1e-9)
    assert_close(math.log(r.mh_or.estimate), ref("meta", "cmh.%s.or.beta" % t), 1e-10)
    assert_close(r.mh_or.se, ref("meta", "cmh.%s.or.se" % t), 1e-10)
    assert_close(math.log(r.mh_rr.estimate), ref("meta", "cmh.%s.rr.beta" % t), 1e-10)
    assert_close(r.mh_rr.se, ref("meta", "cmh.%s.rr.se" % t), 1e-10)
    assert_close(r.breslow_day.statistic, ref("meta", "cmh.%s.or.BD" % t), 1e-9)
    assert_close(r.breslow_day_tarone.statistic, ref("meta", "cmh.%s.or.TA" % t), 1e-9)
    for alt in ("less", "greater"):
        ra = kapstats.cmh(a, b, c, d, alternative=alt)
        assert_close(ra.cmh.p_value, ref("meta", "cmh.%s.corr.%s.p" % (t, alt)), 1e-9)
    r90 = kapstats.cmh(a, b, c, d, conf_level=0.90)
    assert_close(r90.cmh.ci_low, ref("meta", "cmh.%s.corr90.lb" % t), 1e-9)


def test_cmh_errors():
    with pytest.raises(ValueError, match="alternative"):
        kapstats.cmh([1], [2], [3], [4], alternative="two.sided")
    with pytest.raises(ValueError, match="same length"):
        kapstats.cmh([1, 2], [2], [3], [4])
    with pytest.raises(kapstats.InvalidArgumentError):
        kapstats.cmh([1], [-2], [3], [4])


@pytest.mark.parametrize("t", ["ucb", "zero", "kap", "nocc", "inf"])
def test_woolf_vs_metafor(t):
    a, b, c, d = tables(t)
    check_fit(kapstats.woolf(a, b, c, d), "woolf.%s.FE" % t, 1e-10)
    if len(a) > 2:
        check_fit(kapstats.woolf(a, b, c, d, method="REML"), "woolf.%s.REML" % t, 1e-9)
