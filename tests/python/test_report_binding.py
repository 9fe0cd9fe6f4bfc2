"""kapstats.build_report / Trial.report, Report.render/write/to_dict,
read_report and compare_reports: the report of the real antidepressant
trial carries the primary comparison of tests/reference/antidepressant.out
(R), rendering is deterministic, a JSON report reads back equal, and the
errors for bad formats and files."""
import json
import os

import pytest

import kapstats
from conftest import ROOT, assert_close, ref

PATH = os.path.join(ROOT, "datasets", "antidepressant", "antidepressant_adam.csv")


@pytest.fixture(scope="module")
def trial():
    with kapstats.ingest(PATH) as t:
        yield t


@pytest.fixture(scope="module")
def report(trial):
    return trial.report(instrument="hamd17", visit="week6")


def test_primary_vs_r(report):
    d = report.to_dict()
    assert d["schema_version"] == 1
    p = d["primary"]
    assert p["status"] == "ok" and p["control"] == "PLACEBO"
    for a, rule in zip(p["analyses"], ("cc", "locf")):
        c = next(x for x in a["contrasts"] if x["arm"] == "DRUG")
        for f, nm in [("estimate", "estimate"), ("se", "se"), ("statistic", "t"),
                      ("p_value", "p"), ("ci_low", "ci_low"), ("ci_high", "ci_high")]:
            assert_close(c["ancova"][f], ref("antidepressant", "%s.ancova.%s" % (rule, nm)), 1e-9)
        assert_close(c["welch"]["p_value"], ref("antidepressant", rule + ".welch.p"), 1e-9)
        assert_close(c["hedges_g"]["estimate"], ref("antidepressant", rule + ".hedges_g"), 1e-9)
        assert_close(c["response"]["rd"]["estimate"], ref("antidepressant", rule + ".resp.rd"),
                     1e-12)


def test_sections_and_formats(report, tmp_path):
    names = [s.name for s in report.sections]
    assert names == ["study_flow", "representation", "primary", "trajectory", "secondary",
                     "subgroups", "safety"]
    assert report.sections[2].status == "ok"
    md, html, js = report.render("md"), report.render("html"), report.render("json")
    assert md.lstrip().startswith("#") and "<svg" in html and json.loads(js)
    assert report.render("markdown") == md
    for ext, text in (("json", js), ("md", md), ("html", html)):
        out = tmp_path / ("r." + ext)
        report.write(out)
        assert out.read_text() == text
    report.write(tmp_path / "r.txt", "md")
    assert (tmp_path / "r.txt").read_text() == md


def test_determinism_read_back_and_compare(trial, report, tmp_path):
    again = trial.report(instrument="hamd17", visit="week6")
    assert again.render("json") == report.render("json")
    assert len(report.compare(again)) == 0
    path = tmp_path / "old.json"
    report.write(path)
    old = kapstats.read_report(path)
    assert len(kapstats.compare_reports(old, report)) == 0
    other = trial.report(instrument="hamd17", visit="week6", conf_level=0.9,
                         timestamp="2026-11-29T00:00:00Z")
    diffs = report.compare(other)
    assert len(diffs) > 0 and any(d.path == "$.options.conf_level" for d in diffs)
    assert all(d.path != "$.timestamp" for d in diffs)     # ignored by design
    assert other.to_dict()["timestamp"] == "2026-11-29T00:00:00Z"
    df = diffs.to_pandas()
    assert list(df.columns) == ["path", "old", "new"]


def test_errors(trial, report, tmp_path):
    with pytest.raises(ValueError):
        report.render("pdf")
    with pytest.raises(OSError):
        report.write(tmp_path / "no" / "dir" / "r.json")
    with pytest.raises(OSError):
        kapstats.read_report(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(kapstats.InvalidInputError):
        kapstats.read_report(bad)
    bad.write_text('{"hello": 1}')
    with pytest.raises(kapstats.StoreFormatError):
        kapstats.read_report(bad)
    with pytest.raises(ValueError):
        trial.report(conf_level=1.5)
    with pytest.raises(ValueError, match="adjustment"):
        trial.report(adjust="sidak")
    r = trial.report(instrument="nosuch")
    assert next(s for s in r.sections if s.name == "primary").status == "empty"
