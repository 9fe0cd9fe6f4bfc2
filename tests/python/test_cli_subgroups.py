"""CLI tests of `kapstats subgroups` and `kapstats safety` on the bundled
synthetic trial; numbers are checked against the R reference files
(tests/reference/subgroup.out, safety.out)."""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("KAPSTATS_BUILD", "build"))
KAPSTATS = os.path.join(BUILD, "kapstats")
WIDE = os.path.join(ROOT, "datasets", "kap_trial_wide.csv")
REF = os.path.join(ROOT, "tests", "reference")


def run(*args):
    return subprocess.run([KAPSTATS, *args], capture_output=True, text=True)


def ref(file, name):
    for line in open(os.path.join(REF, file)):
        k, _, v = line.strip().partition(" ")
        if k == name:
            return float("nan") if v == "NA" else float(v)
    raise KeyError(name)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("sg") / "wide.h5"
    r = run("ingest", WIDE, "-o", str(out))
    assert r.returncode == 0, r.stderr
    return str(out)


def test_help():
    for cmd in ("subgroups", "safety"):
        r = run(cmd, "--help")
        assert r.returncode == 0 and "usage: kapstats " + cmd in r.stdout
    assert cmd in run("--help").stdout


def test_subgroups_family(store):
    r = run("subgroups", store, "--instrument", "madrs", "--visit", "week8",
            "--by", "race,sex,format,age", "--adjust", "holm")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    fam = {l.split()[0]: l.split()[1:] for l in lines[lines.index(next(
        l for l in lines if l.startswith("variable"))) + 1:]}
    for i, v in enumerate(["race", "sex", "format", "age"]):
        assert float(fam[v][0]) == pytest.approx(ref("subgroup.out", "family.p%d" % i), abs=1e-4)
        assert float(fam[v][1]) == pytest.approx(ref("subgroup.out", "family.padj%d" % i), abs=1e-4)
    # the age-band rows and the missing-value line
    assert any(l.startswith("65+") and "[small]" in l for l in lines)
    assert any(l.startswith("(missing)") for l in lines)
    assert "6 participants without a value" in r.stdout
    assert "NA" in r.stdout and "nan" not in r.stdout


def test_subgroups_binary(store):
    r = run("subgroups", store, "--by", "site", "--measure", "response", "--control",
            "active_placebo")
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if l.startswith("  Breslow-Day"))
    assert "%.3f" % ref("subgroup.out", "site_resp.bd") in line
    assert "Mantel-Haenszel across levels" in r.stdout


def test_subgroups_errors(store):
    assert run("subgroups", store, "--by", "nosuch").returncode == 3
    r = run("subgroups", store, "--by", "prior_episodes")
    assert r.returncode == 2 and "cut points" in r.stderr
    assert run("subgroups", store, "--by", "prior_episodes", "--cuts", "1,3").returncode == 0
    assert run("subgroups", store).returncode == 2            # no --by
    assert run("subgroups", store, "--by", "race", "--adjust", "nope").returncode == 2
    assert run("subgroups", store, "--by", "race", "--control", "zz").returncode == 3
    assert run("subgroups", "/nonexistent.h5", "--by", "race").returncode == 4


def test_safety(store):
    r = run("safety", store)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    anyl = next(l for l in lines if l.startswith("any adverse event"))
    e1, n1 = int(ref("safety.out", "ae.ANY.e1")), int(ref("safety.out", "ae.ANY.n1"))
    assert "%d/%d" % (e1, n1) in anyl
    terms = [l.split()[0] for l in lines[4:13]]
    assert terms[0] == "dissociation" and terms[-1] == "suicidal_ideation"
    hr = next(l for l in lines if l.startswith("hr") and "day1" in l and "ketamine" in l)
    assert "%d/" % int(ref("safety.out", "vit.hr.day1.a1.nex")) in hr
    assert run("safety", store, "--control", "zz").returncode == 3
