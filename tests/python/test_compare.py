"""Trial.compare (kap_compare_run) and Trial.choose_control on the real
public antidepressant trial, HAM-D17 change at week 6, DRUG vs PLACEBO,
complete case and LOCF, against R 4.2 (t.test, lm, emmeans,
effectsize::hedges_g, fisher.test): tests/reference/antidepressant.out,
the values tests/test_compare.c uses."""
import math
import os

import pytest

import kapstats
from conftest import ROOT, assert_close, ref

PATH = os.path.join(ROOT, "datasets", "antidepressant", "antidepressant_adam.csv")


@pytest.fixture(scope="module")
def trial():
    with kapstats.ingest(PATH) as t:
        yield t


@pytest.mark.parametrize("rule,missing", [("cc", "complete_case"), ("locf", "locf")])
def test_primary_comparison_vs_r(trial, rule, missing):
    c = trial.compare("hamd17", "week6", missing=missing)
    R = lambda name: ref("antidepressant", "%s.%s" % (rule, name))
    assert c.control == "PLACEBO" and [a.name for a in c.arms] == ["DRUG", "PLACEBO"]
    D, P = c.arm("DRUG"), c.arm("PLACEBO")
    assert P.is_control and P.welch is None and P.response_vs_control is None
    assert D.change.n == R("DRUG.n") and P.change.n == R("PLACEBO.n")
    assert_close(D.change.mean, R("DRUG.mean"), 1e-12)
    assert_close(D.change.sd, R("DRUG.sd"), 1e-12)
    assert_close(P.change.mean, R("PLACEBO.mean"), 1e-12)
    for f, nm in [("estimate", "estimate"), ("statistic", "t"), ("df", "df"), ("p_value", "p"),
                  ("ci_low", "ci_low"), ("ci_high", "ci_high")]:
        assert_close(getattr(D.welch, f), R("welch." + nm), 1e-9, what="welch " + f)
    for f, nm in [("estimate", "estimate"), ("se", "se"), ("statistic", "t"), ("df", "df"),
                  ("p_value", "p"), ("ci_low", "ci_low"), ("ci_high", "ci_high")]:
        assert_close(getattr(D.ancova, f), R("ancova." + nm), 1e-9, what="ancova " + f)
    assert_close(D.lsmean.estimate, R("lsmean.DRUG"), 1e-9)
    assert_close(D.lsmean.se, R("lsmean.DRUG.se"), 1e-9)
    assert_close(P.lsmean.ci_high, R("lsmean.PLACEBO.ci_high"), 1e-9)
    assert_close(D.hedges_g.estimate, R("hedges_g"), 1e-9)
    assert_close(D.hedges_g.ci_low, R("hedges_g.ci_low"), 1e-6)
    assert_close(D.hedges_g.ci_high, R("hedges_g.ci_high"), 1e-6)
    assert D.response.events == R("resp.k.DRUG") and P.response.events == R("resp.k.PLACEBO")
    assert D.remission.events == R("rem.k.DRUG")
    rv = D.response_vs_control
    assert_close(rv.fisher.p_value, R("resp.fisher.p"), 1e-9)
    assert_close(rv.rd.estimate, R("resp.rd"), 1e-12)
    assert_close(rv.rr.estimate, R("resp.rr"), 1e-12)
    assert_close(rv.odds_ratio.estimate, R("resp.or"), 1e-12)
    assert_close(D.remission_vs_control.fisher.p_value, R("rem.fisher.p"), 1e-9)
    assert_close(D.remission_vs_control.odds_ratio.estimate, R("rem.or"), 1e-12)
    assert rv.nnt.text.startswith("NNT")
    assert c.ancova_n == R("DRUG.n") + R("PLACEBO.n")
    if missing == "locf":
        assert c.counts.n_imputed > 0


def test_table_and_pandas(trial):
    c = trial.compare("hamd17", "week6")
    rows = c.table()
    assert [r.arm for r in rows] == ["DRUG", "PLACEBO"]
    assert rows[0].diff == c.arm("DRUG").ancova.estimate and math.isnan(rows[1].diff)
    pytest.importorskip("pandas")
    df = c.to_pandas()
    assert df.shape[0] == 2 and {"arm", "lsmean", "diff", "hedges_g", "response_nnt"} <= set(df)


def test_covariate_and_control(trial):
    c = trial.compare("hamd17", "week6", control="PLACEBO", covariates=["sex"])
    D = c.arm("DRUG")
    assert_close(D.ancova.estimate, ref("antidepressant", "cc.ancova_sex.estimate"), 1e-9)
    assert_close(D.ancova.se, ref("antidepressant", "cc.ancova_sex.se"), 1e-9)
    assert_close(D.ancova.p_value, ref("antidepressant", "cc.ancova_sex.p"), 1e-9)
    assert_close(D.lsmean.estimate, ref("antidepressant", "cc.ancova_sex.lsmean.DRUG"), 1e-9)
    # DRUG as control flips the sign
    c2 = trial.compare("hamd17", "week6", control="DRUG")
    assert c2.control == "DRUG"
    assert_close(c2.arm("PLACEBO").ancova.estimate,
                 -ref("antidepressant", "cc.ancova.estimate"), 1e-9)
    assert trial.choose_control() == "PLACEBO" and trial.choose_control("DRUG") == "DRUG"


def test_errors(trial):
    with pytest.raises(kapstats.NotFoundError):
        trial.compare("madrs", "week6")
    with pytest.raises(kapstats.NotFoundError):
        trial.compare("hamd17", "week9")
    with pytest.raises(kapstats.NotFoundError):
        trial.compare("hamd17", "week6", control="ketamine")
    with pytest.raises(kapstats.NotFoundError):
        trial.compare("hamd17", "week6", covariates=["weight"])
    with pytest.raises(ValueError, match="missing-data rule"):
        trial.compare("hamd17", "week6", missing="mmrm")
    with pytest.raises(kapstats.NotFoundError):
        trial.choose_control("nobody")
    t = kapstats.ingest_text("participant_id,arm,madrs_bl,madrs_week4\n"
                             "a,A,30,20\nb,B,28,25\nc,A,31,22\nd,B,27,20\n")
    with pytest.raises(kapstats.InsufficientDataError, match="control"):
        t.compare("madrs", "week4")
    c = t.compare("madrs", "week4", control="B")
    assert c.arm("A").ancova.df == 1
