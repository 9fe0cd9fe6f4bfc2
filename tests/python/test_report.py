"""CLI tests of `kapstats report` (pytest; run by `make test`).

Golden files (tests/golden/, regenerated only by `make golden`), the JSON
schema (docs/report-schema.json, draft 2020-12, python3-jsonschema), HTML and
SVG well-formedness (xml.etree), SVG rendering (rsvg-convert), determinism
across runs, locales and time zones, --compare, the configuration file, and
exit codes for bad stores.
"""
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("KAPSTATS_BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
KAPSTATS = BUILD / "kapstats"
GOLDEN = ROOT / "tests" / "golden"
SCHEMA = ROOT / "docs" / "report-schema.json"
SVG_NS = "http://www.w3.org/2000/svg"


def run(*args, env=None, cwd=ROOT, check=None):
    e = dict(os.environ)
    e.setdefault("LC_ALL", "C")
    if env:
        e.update(env)
    p = subprocess.run([str(KAPSTATS), *map(str, args)], cwd=cwd, env=e,
                       capture_output=True)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout.decode()[-2000:],
                                       p.stderr.decode())
    return p


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("store")
    s = d / "kap_trial.h5"
    # relative source path, as `make golden` ingests it
    run("ingest", "datasets/kap_trial_wide.csv", "-o", s, check=0)
    return s


@pytest.fixture(scope="module")
def report_json(store):
    return json.loads(run("report", store, check=0).stdout)


def test_golden_json(store, tmp_path):
    out = tmp_path / "r.json"
    run("report", store, "--format", "json", "-o", out, check=0)
    assert out.read_bytes() == (GOLDEN / "kap_trial_report.json").read_bytes(), \
        "report differs from tests/golden: review, then `make golden`"


def test_golden_markdown(store, tmp_path):
    out = tmp_path / "r.md"
    run("report", store, "-o", out, check=0)  # format from the extension
    assert out.read_bytes() == (GOLDEN / "kap_trial_report.md").read_bytes()


def test_stdout_equals_file(store, tmp_path):
    out = tmp_path / "r.json"
    run("report", store, "-o", out, check=0)
    assert run("report", store, check=0).stdout == out.read_bytes()


def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_valid(report_json):
    v = validator()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(report_json)]
    assert not errors, errors[:5]
    golden = json.loads((GOLDEN / "kap_trial_report.json").read_text())
    assert not list(v.iter_errors(golden))


def test_schema_rejects_drift(report_json):
    v = validator()
    bad = json.loads(json.dumps(report_json))
    bad["primary"]["analyses"][0]["contrasts"][0]["ancova"]["estimat"] = 1.0
    assert list(v.iter_errors(bad))
    bad = json.loads(json.dumps(report_json))
    bad["primary"]["status"] = "ok"
    bad["primary"]["reason"] = "why"
    assert list(v.iter_errors(bad))
    bad = json.loads(json.dumps(report_json))
    bad["study_flow"]["visits"][0]["total"]["observed"] = 1.5
    assert list(v.iter_errors(bad))
    bad = json.loads(json.dumps(report_json))
    bad["subgroups"]["variables"][0]["levels"][0]["extra"] = 1
    assert list(v.iter_errors(bad))
    bad = json.loads(json.dumps(report_json))
    del bad["safety"]["adverse_events"]["terms"][0]["fisher"]
    assert list(v.iter_errors(bad))


def test_numbers_round_trip(report_json, store):
    # every real is printed with 17 significant digits: text -> double -> text
    text = run("report", store, check=0).stdout.decode()
    assert "NaN" not in text and "Infinity" not in text
    again = json.dumps(report_json)
    assert json.loads(again) == report_json


def walk_nulls(o, path="$"):
    """Objects holding a null number must carry a string note."""
    bad = []
    if isinstance(o, dict):
        structural = {"note", "reason", "comparison", "trajectory", "control", "instrument",
                      "visit", "remission", "method"}
        nulls = [k for k, v in o.items() if v is None and k not in structural]
        if nulls and not isinstance(o.get("note"), str):
            bad.append((path, nulls))
        for k, v in o.items():
            bad += walk_nulls(v, f"{path}.{k}")
    elif isinstance(o, list):
        for i, v in enumerate(o):
            bad += walk_nulls(v, f"{path}[{i}]")
    return bad


def test_null_has_reason(report_json):
    assert walk_nulls(report_json) == []
    # and there are nulls to explain (pcl5 has no remission cut-off)
    pcl5 = [i for i in report_json["secondary"]["instruments"] if i["instrument"] == "pcl5"][0]
    rd = pcl5["comparison"]["contrasts"][0]["remission"]["rd"]
    assert rd["estimate"] is None and "cut-off" in rd["note"]


def test_content(report_json):
    r = report_json
    assert r["options"]["instrument"] == "madrs" and r["options"]["visit"] == "week8"
    assert r["options"]["control"] == "active_placebo"
    assert [a["analysis"] for a in r["primary"]["analyses"]] == ["complete_case", "locf"]
    cc, locf = r["primary"]["analyses"]
    assert cc["counts"]["used"] == 205 and locf["counts"]["imputed"] == 35
    k = cc["contrasts"][0]
    assert k["arm"] == "ketamine" and k["ancova"]["p_value"] < 1e-4
    assert k["ancova"]["ci_low"] < k["ancova"]["estimate"] < k["ancova"]["ci_high"] < 0
    # the flow table agrees with the primary counts
    last = r["study_flow"]["visits"][-1]
    assert last["visit"] == "week8" and last["total"]["observed"] == 205
    assert [i["instrument"] for i in r["secondary"]["instruments"]] == ["phq9", "pcl5"]
    sha = r["provenance"]["sources"][0]["sha256"]
    assert len(sha) == 64 and sha in r["methods"]["text"]
    assert "timestamp" not in r
    for s in ("study_flow", "representation", "primary", "trajectory", "secondary",
              "subgroups", "safety"):
        assert r[s]["status"] == "ok", s
    sg = {v["variable"]: v for v in r["subgroups"]["variables"]}
    assert list(sg) == ["race", "ethnicity", "sex", "age", "format", "site"]
    # Holm across the six interaction p-values, as R p.adjust
    ps = [v["interaction"]["p_value"] for v in sg.values()]
    order = sorted(range(6), key=lambda i: ps[i])
    holm, run_max = [0.0] * 6, 0.0
    for rank, i in enumerate(order):
        run_max = max(run_max, min(1.0, (6 - rank) * ps[i]))
        holm[i] = run_max
    for v, h in zip(sg.values(), holm):
        assert abs(v["interaction"]["p_adjusted"] - h) <= 1e-12 * max(1.0, h)
    ae = r["safety"]["adverse_events"]
    assert ae["treatment"] == "ketamine" and ae["control"] == "active_placebo"
    terms = {t["term"]: t for t in ae["terms"]}
    assert [a["events"] for a in terms["dissociation"]["arms"]] == [10, 39]
    assert r["representation"]["table1"]["status"] == "ok"


def env_variants():
    # KAPSTATS_THREADS=1: no side thread for representation, subgroups and
    # safety (the default computes them beside the primary endpoint).
    return [{"LC_ALL": "C"}, {"LC_ALL": "C.UTF-8", "TZ": "Asia/Kolkata"},
            {"LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8", "TZ": "America/St_Johns"},
            {"KAPSTATS_THREADS": "1"}, {"KAPSTATS_THREADS": "4"}]


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_deterministic(store, fmt):
    outs = [run("report", store, "--format", fmt, env=e, check=0).stdout for e in env_variants()]
    outs.append(run("report", store, "--format", fmt, check=0).stdout)
    assert all(o == outs[0] for o in outs)


def test_html_xml_and_svg(store, tmp_path):
    html = tmp_path / "r.html"
    run("report", store, "-o", html, check=0)
    text = html.read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text.replace(
        "http://www.w3.org/", "")
    assert "@media print" in text
    if shutil.which("xmllint"):
        subprocess.run(["xmllint", "--noout", str(html)], check=True)
    root = ET.parse(html).getroot()
    svgs = root.findall(f".//{{{SVG_NS}}}svg")
    # trajectories (madrs, phq9; pcl5 has one visit), a forest plot per subgroup
    # variable, adverse-event incidence
    titles = [s.find(f"{{{SVG_NS}}}title").text for s in svgs]
    assert sum("Mean change from baseline" in t for t in titles) == 2
    assert sum(t.startswith("Treatment effect by ") for t in titles) == 6
    assert "Adverse-event incidence by arm" in titles
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for i, svg in enumerate(svgs):
        assert svg.get("role") == "img"
        t = svg.find(f"{{{SVG_NS}}}title")
        d = svg.find(f"{{{SVG_NS}}}desc")
        assert t is not None and t.text and d is not None and d.text
        for ref in svg.get("aria-labelledby").split():
            assert ref in ids
        texts = [x.text for x in svg.iter(f"{{{SVG_NS}}}text")]
        axis_labels = ("Visit", "Mean difference in change (treatment - control)",
                       "Participants with the event (%)")
        assert any(x in texts for x in axis_labels)
        f = tmp_path / f"fig{i}.svg"
        f.write_bytes(ET.tostring(svg))
        if shutil.which("rsvg-convert"):
            png = tmp_path / f"fig{i}.png"
            subprocess.run(["rsvg-convert", str(f), "-o", str(png)], check=True)
            data = png.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    # Okabe-Ito colours, not the default palette of anything
    assert "#0072B2" in text and "#D55E00" in text


def test_compare_unchanged_and_changed(store, tmp_path):
    old = tmp_path / "old.json"
    run("report", store, "-o", old, check=0)
    p = run("report", store, "--compare", old, check=0)
    assert b"no change" in p.stdout
    d = json.loads(old.read_text())
    d["primary"]["analyses"][0]["contrasts"][0]["ancova"]["estimate"] += 0.01
    d["safety"]["extra"] = 1
    del d["subgroups"]["variables"][0]["levels"][1]
    d["timestamp"] = "2000-01-01T00:00:00Z"  # ignored
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(d, indent=2))
    p = run("report", store, "--compare", moved, check=1)
    out = p.stdout.decode()
    assert ("$.primary.analyses[analysis=complete_case].contrasts[arm=ketamine]"
            ".ancova.estimate:") in out
    assert "$.safety.extra: 1 -> (absent)" in out
    assert "timestamp" not in out
    assert "$.subgroups.variables[variable=race].levels[level=Asian]: (absent) -> {" in out
    assert "3 changes" in out
    # a tolerance that covers the move hides it, not the disappearance
    p = run("report", store, "--compare", moved, "--rtol", "0.1", check=1)
    assert "ancova" not in p.stdout.decode() and "2 changes " in p.stdout.decode()
    # -o still writes the new report in compare mode
    new = tmp_path / "new.json"
    run("report", store, "--compare", old, "-o", new, check=0)
    assert new.read_bytes() == old.read_bytes()
    # bad previous reports
    (tmp_path / "bad.json").write_text("{ not json")
    assert run("report", store, "--compare", tmp_path / "bad.json").returncode == 3
    (tmp_path / "foreign.json").write_text('{"a": 1}')
    assert run("report", store, "--compare", tmp_path / "foreign.json").returncode == 5
    assert run("report", store, "--compare", tmp_path / "none.json").returncode == 4
    assert run("report", store, "--compare", old, "--rtol", "-1").returncode == 2


def test_config_file(store, tmp_path):
    cfg = tmp_path / "report.conf"
    cfg.write_text("# pipeline settings\n"
                   "instrument = phq9   # secondary as primary\n"
                   "visit = week4\n\n"
                   "control = active_placebo\n"
                   "subgroups = sex, site\n"
                   "adjust = BH\n"
                   "conf_level = 0.9\n"
                   "format = md\n")
    via_cfg = run("report", store, "--config", cfg, check=0).stdout
    via_cli = run("report", store, "--instrument", "phq9", "--visit", "week4", "--control",
                  "active_placebo", "--subgroups", "sex,site", "--adjust", "BH",
                  "--conf-level", "0.9", "--format", "md", check=0).stdout
    assert via_cfg == via_cli and b"phq9 at week4" in via_cfg
    # the command line wins
    j = json.loads(run("report", store, "--config", cfg, "--format", "json", "--visit",
                       "week8", check=0).stdout)
    assert j["options"]["visit"] == "week8" and j["options"]["subgroups"] == ["sex", "site"]
    assert j["options"]["conf_level"] == 0.9 and j["options"]["adjust"] == "BH"
    cfg.write_text("instrument = madrs\ncolour = blue\n")
    p = run("report", store, "--config", cfg, check=2)
    assert b":2: unknown key 'colour'" in p.stderr
    cfg.write_text("just words\n")
    assert run("report", store, "--config", cfg).returncode == 2
    assert run("report", store, "--config", tmp_path / "none.conf").returncode == 4


def test_timestamp(store):
    j = json.loads(run("report", store, "--timestamp", env={"SOURCE_DATE_EPOCH": "0"},
                       check=0).stdout)
    assert j["timestamp"] == "1970-01-01T00:00:00Z"
    j = json.loads(run("report", store, "--timestamp", env={"TZ": "Asia/Tokyo"},
                       check=0).stdout)
    assert j["timestamp"].endswith("Z")


def test_usage_errors(store):
    assert run("report").returncode == 2
    assert run("report", store, "--format", "pdf").returncode == 2
    assert run("report", store, "--adjust", "tukey").returncode == 2
    assert run("report", store, "--conf-level", "95").returncode == 2
    assert run("report", store, "--bogus").returncode == 2
    assert run("report", "--help", check=0).stdout.startswith(b"usage: kapstats report")


def test_bad_stores(tmp_path):
    missing = run("report", tmp_path / "nope.h5")
    assert missing.returncode == 4
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 600)
    p = run("report", junk)
    assert p.returncode == 5 and p.stderr
    h5py = pytest.importorskip("h5py")
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = [1, 2, 3]
    assert run("report", foreign).returncode == 5


def test_sections_empty_but_report_produced(tmp_path):
    csv = tmp_path / "one_arm.csv"
    csv.write_text("participant_id,arm,madrs_baseline,madrs_week2\n"
                   "P1,ketamine,30,20\nP2,ketamine,28,14\nP3,ketamine,33,25\n")
    s = tmp_path / "one.h5"
    run("ingest", csv, "-o", s, check=0)
    p = run("report", s, check=0)
    j = json.loads(p.stdout)
    assert j["primary"]["status"] == "empty" and "1 arm" in j["primary"]["reason"]
    assert j["trajectory"]["status"] == "ok"
    assert j["safety"]["status"] == "empty" and j["subgroups"]["status"] == "empty"
    assert b"section primary is empty" in p.stderr
    assert not list(validator().iter_errors(j))
    md = run("report", s, "--format", "md", check=0).stdout
    assert b"1 arm" in md
    html = tmp_path / "one.html"
    run("report", s, "-o", html, check=0)
    ET.parse(html)
    # unknown instrument: said in the report, not an error
    j = json.loads(run("report", s, "--instrument", "hamd17", check=0).stdout)
    assert "unknown instrument 'hamd17'" in j["primary"]["reason"]
    assert not list(validator().iter_errors(j))


def test_subgroup_variables_that_cannot_be_analysed(store):
    j = json.loads(run("report", store, "--subgroups", "sex,nosuch,prior_episodes",
                       check=0).stdout)
    sg = {v["variable"]: v for v in j["subgroups"]["variables"]}
    assert list(sg) == ["sex", "nosuch", "prior_episodes"]
    assert sg["sex"]["status"] == "ok"
    assert sg["nosuch"]["status"] == "empty" and "nosuch" in sg["nosuch"]["reason"]
    assert sg["prior_episodes"]["status"] == "empty" and sg["prior_episodes"]["reason"]
    # the family is the analysable variables only: one test, nothing to adjust
    assert sg["sex"]["interaction"]["p_adjusted"] == sg["sex"]["interaction"]["p_value"]
    rep = {v["variable"]: v for v in j["representation"]["variables"]}
    assert rep["nosuch"]["status"] == "empty" and rep["sex"]["status"] == "ok"
    assert not list(validator().iter_errors(j))
    assert walk_nulls(j) == []


def test_ci_pipeline_example(tmp_path):
    """examples/ci/pipeline.sh: first run writes a baseline, an unchanged
    rerun passes, a moved number fails with exit 1."""
    script = ROOT / "examples" / "ci" / "pipeline.sh"
    base = tmp_path / "baseline.json"
    env = dict(os.environ, LC_ALL="C")
    p = subprocess.run(["sh", str(script), str(BUILD), str(base)], cwd=ROOT, env=env,
                       capture_output=True)
    assert p.returncode == 0 and b"no baseline" in p.stdout, p.stderr
    for ext in ("json", "md", "html"):
        assert (ROOT / "out" / "ci" / f"kap_trial_report.{ext}").stat().st_size > 1000
    shutil.copy(ROOT / "out" / "ci" / "kap_trial_report.json", base)
    p = subprocess.run(["sh", str(script), str(BUILD), str(base)], cwd=ROOT, env=env,
                       capture_output=True)
    assert p.returncode == 0 and b"report unchanged" in p.stdout
    d = json.loads(base.read_text())
    d["primary"]["analyses"][1]["arms"][0]["change"]["mean"] += 1
    base.write_text(json.dumps(d))
    p = subprocess.run(["sh", str(script), str(BUILD), str(base)], cwd=ROOT, env=env,
                       capture_output=True)
    assert p.returncode == 1 and b"CHANGED" in p.stdout
    assert b"[analysis=locf].arms[arm=active_placebo].change.mean" in p.stdout
