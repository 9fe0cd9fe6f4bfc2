"""kapstats.ingest / ingest_text / Trial: the trial model read back through
the bindings (values by hand from tests/data/ingest/*.csv, and the bundled
datasets cross-checked with an independent pandas read), endpoints
(kap_trial_endpoint), and the primary comparison of the real antidepressant
trial against R (tests/reference/antidepressant.out)."""
import gc
import math
import os

import numpy as np
import pytest

import kapstats
from conftest import ROOT, assert_close, ref

NAN = math.nan
DATA = os.path.join(ROOT, "tests", "data", "ingest")
WIDE = os.path.join(DATA, "small_wide.csv")


@pytest.fixture
def small():
    with kapstats.ingest(WIDE) as t:
        yield t


def test_small_wide(small):
    t = small
    assert t.n_participants == 4
    assert t.ids == ["K01", "K02", "K03", "K04"]
    assert t.arms == ["KAP", "Placebo"]
    assert list(t.arm_codes) == [0, 0, 1, 1] and t.arm_codes.dtype == np.int32
    assert list(t.arm()) == ["KAP", "KAP", "Placebo", "Placebo"]
    assert t.arm_index("Placebo") == 1
    assert t.instruments == ["madrs", "hamd17"]
    assert t.visits("madrs") == ["baseline", "week2", "week4"]
    assert list(t.visit_days("madrs")) == [0, 14, 28]
    assert t.baseline_visit("hamd17") == "baseline"
    assert t.instrument_range("madrs") == (0.0, 60.0)
    assert t.instrument_kind("madrs") == "depression"
    np.testing.assert_array_equal(t.scores("madrs", "week4"), [18, 15, 27, NAN])
    np.testing.assert_array_equal(t.scores("madrs"),
                                  [[32, 25, 18], [28, NAN, 15], [30, 29, 27], [35, 33, NAN]])
    np.testing.assert_array_equal(t.scores("hamd17", "week4"), [14, NAN, 23, 24])
    assert t.covariates == ["age", "sex", "site"]
    np.testing.assert_array_equal(t.covariate("age"), [34, 41, NAN, 52])
    assert list(t.covariate("site")) == ["006", "006", "010", "010"]
    assert list(t.covariate("sex", codes=True)) == [0, 1, 0, 1]
    assert t.covariate_levels("sex") == ["F", "M"] and t.covariate_levels("age") == []
    ae = t.adverse_events()
    assert sorted(ae) == ["headache", "nausea"]
    assert list(ae["nausea"]) == [1, 1, 0, 0] and list(ae["headache"]) == [0, 1, 1, 0]
    assert t.layout == "wide" and t.writer_version == kapstats.LIBRARY_VERSION
    (name, sha), = t.sources
    assert name == WIDE and len(sha) == 64


def test_remission_default():
    assert kapstats.remission_default("madrs") == (10.0, False)
    assert kapstats.remission_default("phq9") == (5.0, True)
    assert kapstats.remission_default("hr") is None


def test_arrays_are_copies(small):
    s = small.scores("madrs", "week4")
    s[0] = -1
    assert small.scores("madrs", "week4")[0] == 18
    assert s.flags.c_contiguous and s.dtype == np.float64


def test_endpoints(small):
    t = small
    np.testing.assert_array_equal(t.change("madrs", "week4"), [-14, -13, -3, NAN])
    np.testing.assert_allclose(t.change("madrs", "week4", percent=True),
                               [-1400 / 32, -1300 / 28, -10, NAN], rtol=1e-15)
    # LOCF: K04 carries week2 (33) forward
    np.testing.assert_array_equal(t.change("madrs", "week4", missing="locf"), [-14, -13, -3, -2])
    np.testing.assert_array_equal(t.change("madrs", "week4", missing="bocf"), [-14, -13, -3, 0])
    e = t.endpoint("madrs", "week4", "response")
    np.testing.assert_array_equal(e.values, [0, 0, 0, NAN])
    assert (e.n_participants, e.n_used, e.n_missing_post) == (4, 3, 1)
    e = t.endpoint("madrs", "week4", "response", response_threshold=0.4)
    np.testing.assert_array_equal(e.values, [1, 1, 0, NAN])
    e = t.endpoint("madrs", "week4", "remission")          # MADRS <= 10
    np.testing.assert_array_equal(e.values, [0, 0, 0, NAN])
    e = t.endpoint("madrs", "week4", "remission", remission_cutoff=15)
    np.testing.assert_array_equal(e.values, [0, 1, 0, NAN])
    e = t.endpoint("madrs", "week4", "remission", remission_cutoff=15, remission_strict=True)
    np.testing.assert_array_equal(e.values, [0, 0, 0, NAN])
    e = t.endpoint("madrs", "week2", "value", missing="locf")
    np.testing.assert_array_equal(e.values, [25, 28, 29, 33])
    assert e.n_imputed == 1


def test_errors(small, tmp_path):
    t = small
    with pytest.raises(kapstats.NotFoundError):
        t.scores("ybocs", "week4")
    with pytest.raises(kapstats.NotFoundError):
        t.scores("madrs", "week9")
    with pytest.raises(kapstats.NotFoundError):
        t.covariate("weight")
    with pytest.raises(kapstats.NotFoundError):
        t.arm_index("ketamine")
    with pytest.raises(ValueError):
        t.change("madrs", "baseline")
    with pytest.raises(ValueError, match="measure"):
        t.endpoint("madrs", "week4", "slope")
    with pytest.raises(ValueError, match="missing-data rule"):
        t.change("madrs", "week4", missing="mi")
    with pytest.raises(OSError) as e:
        kapstats.ingest(str(tmp_path / "none.csv"))
    assert isinstance(e.value, kapstats.KapstatsError) and "none.csv" in str(e.value)
    bad = tmp_path / "bad.csv"
    bad.write_text("participant_id,arm,madrs_bl\nA,x,30\nB,y,71\n")
    with pytest.raises(kapstats.InvalidInputError) as e:
        kapstats.ingest(bad)
    assert e.value.line == 3 and e.value.column == 3 and e.value.file.endswith("bad.csv")
    assert "71" in str(e.value) and isinstance(e.value, ValueError)
    with pytest.raises(ValueError, match="layout"):
        kapstats.ingest(WIDE, layout="tall")
    with pytest.raises(kapstats.InvalidArgumentError):
        kapstats.ingest(WIDE, ae_path=os.path.join(DATA, "small_ae.csv"))
    with pytest.raises(kapstats.InvalidInputError):
        kapstats.ingest_text(b"participant_id,arm\nA,x\nA,y\n")
    t.close()
    with pytest.raises(ValueError, match="closed"):
        t.ids
    t.close()  # idempotent
    assert "closed" in repr(t)


def test_options():
    csv = "participant_id,arm,ybocs_bl,ybocs_week4,madrs_bl\nA,x,30,-9,30\nB,y,28,20,-9\n"
    with pytest.raises(kapstats.InvalidInputError):
        kapstats.ingest_text(csv)
    t = kapstats.ingest_text(csv, name="oc.csv", missing_codes=["-9"],
                             ranges={"ybocs": (0, 40)})
    assert t.instruments[-1] == "ybocs" or "ybocs" in t.instruments
    assert t.instrument_range("ybocs") == (0.0, 40.0)
    np.testing.assert_array_equal(t.scores("ybocs", "week4"), [NAN, 20])
    np.testing.assert_array_equal(t.scores("madrs", "baseline"), [30, NAN])
    assert t.sources[0][0] == "oc.csv"
    with pytest.raises(kapstats.InvalidInputError):
        kapstats.ingest_text(csv, missing_codes="-9", ranges={"ybocs": (0, 25)})


def test_long_layout_with_ae():
    t = kapstats.ingest(os.path.join(DATA, "small_long.csv"),
                        ae_path=os.path.join(DATA, "small_ae.csv"))
    assert t.layout == "long" and t.ids[:3] == ["K01", "K02", "K03"]
    assert t.scores("madrs", "baseline")[0] == 32
    assert t.change("madrs", "week4")[0] == -14
    ae = t.adverse_events()
    assert ae["nausea"][0] == 1 and ae["headache"][0] == 0


def test_bundled_trial_matches_csv():
    pd = pytest.importorskip("pandas")
    path = os.path.join(ROOT, "datasets", "kap_trial_wide.csv")
    t = kapstats.ingest(path)
    df = pd.read_csv(path, dtype={"site": str})
    assert t.ids == list(df["participant_id"])
    assert list(t.arm()) == list(df["arm"])
    for ins in ("madrs", "phq9"):
        for v in t.visits(ins):
            np.testing.assert_array_equal(t.scores(ins, v), df["%s_%s" % (ins, v)].to_numpy(float))
    np.testing.assert_array_equal(t.change("madrs", "week8"),
                                  (df["madrs_week8"] - df["madrs_baseline"]).to_numpy(float))
    np.testing.assert_array_equal(t.covariate("age"), df["age"].to_numpy(float))
    assert list(t.covariate("site")) == list(df["site"])
    assert list(t.adverse_events()["nausea"]) == list(df["ae_nausea"])
    wide = t.to_pandas()
    assert wide.shape[0] == 240 and "madrs_week8" in wide


def test_primary_comparison_real_trial():
    """Week-6 HAM-D17 change, DRUG vs PLACEBO: ingest -> change -> ANCOVA,
    against R lm/emmeans (tests/reference/antidepressant.R)."""
    t = kapstats.ingest(os.path.join(ROOT, "datasets", "antidepressant",
                                     "antidepressant_adam.csv"))
    for rule, missing in [("cc", "complete_case"), ("locf", "locf")]:
        chg = t.change("hamd17", "week6", missing=missing)
        base = t.scores("hamd17", "baseline")
        arm = t.arm()
        for a in ("DRUG", "PLACEBO"):
            x = chg[(arm == a) & ~np.isnan(chg)]
            assert len(x) == ref("antidepressant", "%s.%s.n" % (rule, a))
            assert_close(x.mean(), ref("antidepressant", "%s.%s.mean" % (rule, a)), 1e-12)
        r = kapstats.ancova(chg, base, arm, "PLACEBO")
        d = r.diff("DRUG")
        for field, name in [("estimate", "estimate"), ("se", "se"), ("statistic", "t"),
                            ("p_value", "p"), ("ci_low", "ci_low"), ("ci_high", "ci_high"),
                            ("df", "df")]:
            assert_close(getattr(d, field), ref("antidepressant", "%s.ancova.%s" % (rule, name)),
                         1e-9, what=rule + field)
        for a in ("DRUG", "PLACEBO"):
            assert_close(r.lsmean(a).estimate, ref("antidepressant", "%s.lsmean.%s" % (rule, a)),
                         1e-9)
        # responders (>= 50 % reduction) and remitters (HAM-D17 <= 7)
        for m, measure in [("resp", "response"), ("rem", "remission")]:
            v = t.endpoint("hamd17", "week6", measure, missing=missing).values
            k = {a: int(np.nansum(v[arm == a])) for a in ("DRUG", "PLACEBO")}
            n = {a: int(np.sum(~np.isnan(v[arm == a]))) for a in ("DRUG", "PLACEBO")}
            for a in ("DRUG", "PLACEBO"):
                assert k[a] == ref("antidepressant", "%s.%s.k.%s" % (rule, m, a))
            c = (k["DRUG"], n["DRUG"], k["PLACEBO"], n["PLACEBO"])
            tag = "%s.%s." % (rule, m)
            assert_close(kapstats.fisher_exact(*c).p_value, ref("antidepressant", tag + "fisher.p"),
                         1e-9)
            assert_close(kapstats.risk_difference(*c).estimate, ref("antidepressant", tag + "rd"),
                         1e-12)
            assert_close(kapstats.risk_ratio(*c).estimate, ref("antidepressant", tag + "rr"), 1e-12)
            assert_close(kapstats.odds_ratio(*c).estimate, ref("antidepressant", tag + "or"), 1e-12)


def test_trial_freed():
    import weakref
    t = kapstats.ingest(WIDE)
    h = t._h
    w = weakref.ref(t)
    del t
    gc.collect()
    assert w() is None and h.ptr is None
