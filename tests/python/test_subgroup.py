"""subgroup_analysis / subgroup_family / representation / table1 and
safety against R 4.2 + metafor 3.8 + effectsize 0.8.3
(tests/reference/subgroup.out and safety.out: the values
tests/test_subgroup.c and tests/test_safety.c use), on the bundled trial
and the hand-made tests/reference/subgroup_small.csv."""
import math
import os

import pytest

import kapstats
from conftest import REFDIR, ROOT

WIDE = os.path.join(ROOT, "datasets", "kap_trial_wide.csv")
SMALL = os.path.join(REFDIR, "subgroup_small.csv")


def r(name, file="subgroup"):
    from conftest import ref
    return ref(file, name)


def eq(got, want, rtol=1e-9, atol=1e-12):
    if isinstance(want, float) and math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return abs(got - want) <= atol + rtol * abs(want)


@pytest.fixture(scope="module")
def wide():
    with kapstats.ingest(WIDE) as t:
        yield t


@pytest.fixture(scope="module")
def small():
    with kapstats.ingest(SMALL) as t:
        yield t


def check_levels(tag, sg, binary):
    levels = [row for row in sg.rows if not row.is_missing]
    for i, row in enumerate(levels):
        tg = "%s.l%d" % (tag, i)
        assert row.n_treat == r(tg + ".nt") and row.n_control == r(tg + ".nc"), tg
        if not binary:
            for got, name, rtol in [(row.diff.estimate, "diff", 1e-12), (row.diff.ci_low, "lo", 1e-9),
                                    (row.diff.ci_high, "hi", 1e-9), (row.test.statistic, "t", 1e-9),
                                    (row.test.df, "df", 1e-9), (row.p_value, "p", 1e-9),
                                    (row.hedges_g.estimate, "g", 1e-9),
                                    (row.hedges_g.ci_low, "g.lo", 1e-6),
                                    (row.hedges_g.ci_high, "g.hi", 1e-6),
                                    (row.mean_treat.estimate, "mt", 1e-12),
                                    (row.mean_control.estimate, "mc", 1e-12)]:
                assert eq(got, r(tg + "." + name), rtol), (tg, name, got, r(tg + "." + name))
        else:
            for got, name in [(row.mean_treat.estimate, "pt"), (row.mean_treat.ci_low, "pt.lo"),
                              (row.mean_control.estimate, "pc"), (row.diff.estimate, "rd"),
                              (row.diff.ci_low, "rd.lo"), (row.diff.ci_high, "rd.hi"),
                              (row.test.p_value, "fisher.p"), (row.risk_ratio.estimate, "rr"),
                              (row.risk_ratio.ci_low, "rr.lo"), (row.odds_ratio.estimate, "or")]:
                assert eq(got, r(tg + "." + name)), (tg, name, got, r(tg + "." + name))
        assert eq(row.yi, r(tg + ".yi")) and eq(row.vi, r(tg + ".vi")), tg
        assert eq(row.p_adjusted, r(tg + ".padj")), (tg, row.p_adjusted)


def check_heterogeneity(tag, sg):
    if r(tag + ".k") < 1:
        return
    for m in ("FE", "DL", "REML", "PM"):
        h = sg.heterogeneity[m]
        tg = "%s.%s.z" % (tag, m)
        for got, name, rtol in [(h.pooled, "b", 1e-8), (h.se, "se", 1e-8), (h.ci_low, "lo", 1e-8),
                                (h.q, "Q", 1e-9), (h.q_p, "Qp", 1e-8), (h.h2, "H2", 1e-8)]:
            assert eq(got, r(tg + "." + name), rtol, 1e-10), (tg, name, got)
        assert abs(h.i2 - r(tg + ".I2")) <= 1e-6 * max(1, r(tg + ".I2")), (tg, h.i2)
    levels = [row for row in sg.rows if not row.is_missing]
    for i, row in enumerate(levels):
        if row.in_heterogeneity:
            assert eq(row.weight, r("%s.l%d.w" % (tag, i)), 1e-6, 1e-9), (tag, i)


@pytest.mark.parametrize("tag,variable,measure", [
    ("race", "race", "change"), ("site", "site", "change"), ("age", "age", "change"),
    ("site_resp", "site", "response"), ("sex_resp", "sex", "response"),
    ("format_pct", "format", "percent_change"), ("format_rem", "format", "remission")])
def test_subgroups_vs_r(wide, tag, variable, measure):
    sg = wide.subgroups("madrs", "week8", variable, measure=measure)
    binary = measure in ("response", "remission")
    assert sg.binary == binary and sg.control == "active_placebo" and sg.treatment == "ketamine"
    check_levels(tag, sg, binary)
    check_heterogeneity(tag, sg)
    if not binary:
        f = sg.interaction["f"]
        assert eq(f.statistic, r(tag + ".int.F")) and f.df == r(tag + ".int.df")
        assert f.df2 == r(tag + ".int.df2") and eq(f.p_value, r(tag + ".int.p"))
        fb = sg.interaction["f_baseline"]
        assert eq(fb.statistic, r(tag + ".intb.F")) and eq(fb.p_value, r(tag + ".intb.p"))
        for arm, k in (("treatment", 0), ("control", 1)):
            w = sg.within[arm]
            tg = "%s.within%d" % (tag, k)
            assert eq(w["anova_f"].statistic, r(tg + ".F")) and eq(w["anova_f"].p_value, r(tg + ".F.p"))
            assert eq(w["welch_f"].statistic, r(tg + ".welch"))
            assert eq(w["kruskal"].statistic, r(tg + ".kw")) and eq(w["kruskal"].p_value, r(tg + ".kw.p"))
        assert sg.cmh is None
    else:
        c = sg.cmh
        assert eq(c.cmh.statistic, r(tag + ".cmh.X2")) and eq(c.cmh.p_value, r(tag + ".cmh.p"))
        assert eq(c.mh_or.estimate, r(tag + ".cmh.or")) and eq(c.mh_or.ci_low, r(tag + ".cmh.or.lo"))
        assert eq(c.cmh_uncorrected.statistic, r(tag + ".cmh0.X2"))
        assert eq(c.mh_rr.estimate, r(tag + ".mhrr"))
        assert eq(c.breslow_day.statistic, r(tag + ".bd")) and eq(c.breslow_day_tarone.p_value, r(tag + ".ta.p"))
    df = sg.to_pandas()
    assert len(df) == len(sg.rows) and "level" in df and "diff" in df


def test_small_trial(small):
    sg = small.subgroups("madrs", "week8", "site", control="ctl")
    check_levels("small", sg, False)
    check_heterogeneity("small", sg)
    assert any(row.small for row in sg.rows)
    sb = small.subgroups("madrs", "week8", "site", control="ctl", measure="response")
    check_levels("small_resp", sb, True)


def test_family(wide):
    fam = wide.subgroups("madrs", "week8", ["race", "sex", "format", "age"])
    assert fam.variables == ["race", "sex", "format", "age"] and fam.method == "holm"
    for i in range(4):
        assert eq(fam.p[i], r("family.p%d" % i)) and eq(fam.p_adjusted[i], r("family.padj%d" % i))
    assert fam["race"].interaction["f"].p_value == fam.p[0]


def test_subgroup_errors(wide):
    with pytest.raises(kapstats.NotFoundError):
        wide.subgroups("madrs", "week8", "weight")
    with pytest.raises(kapstats.InvalidArgumentError):
        wide.subgroups("madrs", "week8", "prior_episodes")   # numeric without cuts
    with pytest.raises(ValueError, match="measure"):
        wide.subgroups("madrs", "week8", "race", measure="value")
    with pytest.raises(ValueError, match="adjustment"):
        wide.subgroups("madrs", "week8", "race", adjust="sidak")
    with pytest.raises(TypeError):
        wide.subgroups("madrs", "week8", ["race"], colour="red")
    sg = wide.subgroups("madrs", "week8", "prior_episodes", cuts=[0, 2, 5])
    assert [row.level for row in sg.rows][:3] == ["0-1", "2-4", "5+"]


def test_representation(wide):
    rep = wide.representation("race", reference={"White": 0.60, "Black or African American": 0.13,
                                                 "Asian": 0.06})
    assert rep.columns == ["active_placebo", "ketamine", "overall"]
    for li, lv in enumerate(rep.levels):
        for a, col in enumerate(rep.columns):
            row = next(x for x in rep.rows if x.level == lv and x.arm == col)
            tg = "rep_race.a%d.l%d" % (a, li)
            assert row.count == r(tg + ".k") and eq(row.proportion, r(tg + ".p"))
            assert eq(row.ci_low, r(tg + ".lo")) and eq(row.ci_high, r(tg + ".hi"))
        key = "rep_race.ref.%d" % li
        overall = next(x for x in rep.rows if x.level == lv and x.arm == "overall")
        from conftest import ref_file
        if key in ref_file("subgroup"):
            assert eq(overall.diff_pp, r(key))
        else:
            assert math.isnan(overall.diff_pp)
    age = wide.representation("age")
    assert age.levels == ["18-34", "35-49", "50-64", "65+"]
    for a in range(3):
        assert age.n_missing[age.columns[a]] == r("rep_age.a%d.missing" % a)
    with pytest.raises(kapstats.NotFoundError):
        wide.representation("weight")


def test_table1(wide):
    tb = wide.table1(["age", "madrs", "race", "sex", "ethnicity", "site", "format"])
    smd = {row.variable: row.smd for row in tb.rows if not math.isnan(row.smd)}
    assert eq(smd["age"], r("t1.age.smd")) and eq(smd["madrs_baseline"], r("t1.madrs.smd"))
    for v in ("race", "sex", "ethnicity", "site", "format"):
        assert eq(smd[v], r("t1.%s.smd" % v), 1e-9), v
    age = next(row for row in tb.rows if row.variable == "age")
    for a, col in enumerate(tb.columns[:2]):
        d = age.stats[col]
        for f in ("mean", "sd", "median", "q1", "q3"):
            assert eq(getattr(d, f), r("t1.age.a%d.%s" % (a, f))), (col, f)
    df = tb.to_pandas()
    assert list(df.columns[:2]) == ["variable", "level"] and "smd" in df
    full = wide.table1()
    assert "age" in full.variables and "madrs_baseline" in full.variables
    with pytest.raises(kapstats.NotFoundError):
        wide.table1(["weight"])


def s(name):
    return r(name, "safety")


def test_safety_ae(wide):
    sf = wide.safety()
    assert sf.treatment == "ketamine" and sf.control == "active_placebo"
    terms = [row.term for row in sf.adverse_events]
    for row in list(sf.adverse_events) + [sf.any_ae]:
        name = "ANY" if row is sf.any_ae else row.term
        tg = "ae." + name
        assert (row.events_treat, row.n_treat, row.not_recorded_treat) == \
            (s(tg + ".e1"), s(tg + ".n1"), s(tg + ".nr1"))
        assert (row.events_control, row.n_control) == (s(tg + ".e2"), s(tg + ".n2"))
        assert eq(row.incidence_treat.ci_low, s(tg + ".p1.lo"))
        assert eq(row.incidence_control.ci_high, s(tg + ".p2.hi"))
        assert eq(row.risk_difference.estimate, s(tg + ".rd"))
        assert eq(row.risk_difference.ci_low, s(tg + ".rd.lo"))
        assert eq(row.risk_ratio.estimate, s(tg + ".rr"))
        assert eq(row.fisher.p_value, s(tg + ".fisher.p"))
        if row is not sf.any_ae:
            assert terms.index(name) == s(tg + ".pos")
    df = sf.adverse_events.to_pandas()
    assert list(df["term"]) == terms


def test_safety_small(small):
    sf = small.safety(control="ctl")
    for row in sf.adverse_events:
        tg = "ae_small." + row.term
        assert (row.events_treat, row.n_treat) == (s(tg + ".e1"), s(tg + ".n1"))
        assert eq(row.risk_ratio.estimate, s(tg + ".rr")), row.term
        assert eq(row.fisher.p_value, s(tg + ".fisher.p"))


def test_safety_vitals(wide):
    sf = wide.safety()
    arms = wide.arms
    seen = 0
    for row in sf.vitals:
        if row.visit not in ("baseline", "day1"):
            continue
        tg = "vit.%s.%s.a%d" % (row.instrument, row.visit, arms.index(row.arm))
        assert row.value.n == s(tg + ".n") and eq(row.value.mean, s(tg + ".mean"))
        assert eq(row.value.sd, s(tg + ".sd")) and eq(row.value.q3, s(tg + ".q3"))
        if not row.is_baseline:
            assert row.change.n == s(tg + ".chg.n") and eq(row.change.mean, s(tg + ".chg.mean"))
        assert row.n_exceed == s(tg + ".nex")
        assert eq(row.exceed.ci_low, s(tg + ".ex.lo")) and eq(row.exceed.ci_high, s(tg + ".ex.hi"))
        seen += 1
    assert seen == 16
    # threshold override: hr above 100 only
    sf2 = wide.safety(thresholds={"hr": (100, None)})
    hr = next(x for x in sf2.vitals if x.instrument == "hr" and x.visit == "day1")
    assert hr.above == 100 and math.isnan(hr.rise)
    with pytest.raises(kapstats.NotFoundError):
        wide.safety(control="nobody")
