"""CLI-level tests of `kapstats ingest` / `info` / `analyze` and of the store
as other programs see it (h5py).  The build directory comes from the
KAPSTATS_BUILD environment variable (default: build)."""
import csv
import hashlib
import math
import os
import subprocess

import h5py
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("KAPSTATS_BUILD", "build"))
KAPSTATS = os.path.join(BUILD, "kapstats")
WIDE = os.path.join(ROOT, "datasets", "kap_trial_wide.csv")
LONG = os.path.join(ROOT, "datasets", "kap_trial_long.csv")
ADAE = os.path.join(ROOT, "datasets", "kap_trial_adae.csv")


def run(*args, **kw):
    return subprocess.run([KAPSTATS, *args], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def wide_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "wide.h5"
    r = run("ingest", WIDE, "-o", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("kapstats 0.1.0")
    for cmd in ("ingest", "info", "analyze"):
        r = run(cmd, "--help")
        assert r.returncode == 0 and "usage: kapstats " + cmd in r.stdout
    assert run("frobnicate").returncode == 2
    assert run("ingest", WIDE).returncode == 2          # no -o
    assert run("analyze", "--bogus").returncode == 2


def test_h5py_reads_exactly_what_was_ingested(wide_store):
    """Interop: the store read with h5py (no libkapstats) holds the CSV's
    values exactly, aligned with the participant ids."""
    rows = list(csv.DictReader(open(WIDE, newline="")))
    with h5py.File(wide_store, "r") as f:
        ids = [x.decode() for x in f["participants/id"][()]]
        assert ids == [r["participant_id"] for r in rows]
        arm_names = [x.decode() for x in f["participants/arm_names"][()]]
        arms = f["participants/arm"][()]
        assert [arm_names[a] for a in arms] == [r["arm"] for r in rows]
        g = f["instruments/madrs"]
        labels = [x.decode() for x in g["visit_labels"][()]]
        scores = g["scores"][()]
        assert scores.dtype == np.float64 and scores.shape == (len(rows), len(labels))
        for i, r in enumerate(rows):
            for v, lab in enumerate(labels):
                text = r["madrs_" + lab]
                if text == "":
                    assert math.isnan(scores[i, v])
                else:
                    assert scores[i, v] == float(text)
        site = f["covariates/site"]
        levels = [x.decode() for x in site["levels"][()]]
        codes = site["codes"][()]
        assert [levels[c] for c in codes] == [r["site"] for r in rows]   # "01" stays "01"
        sha = [x.decode() for x in f["provenance/source_sha256"][()]]
        assert sha == [hashlib.sha256(open(WIDE, "rb").read()).hexdigest()]


def _content(path):
    """Every dataset and attribute of a store except provenance."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if name.startswith("provenance"):
                return
            for k, v in obj.attrs.items():
                out[name + "@" + k] = np.asarray(v).tobytes()
            if isinstance(obj, h5py.Dataset):
                out[name] = np.asarray(obj[()]).tobytes()
        f.visititems(visit)
    return out


def test_wide_and_long_give_identical_stores(wide_store, tmp_path):
    out = tmp_path / "long.h5"
    r = run("ingest", LONG, "--ae", ADAE, "-o", str(out))
    assert r.returncode == 0, r.stderr
    a, b = _content(wide_store), _content(out)
    assert sorted(a) == sorted(b)
    diff = [k for k in a if a[k] != b[k]]
    assert diff == []


def test_input_error_names_file_line_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("participant_id,arm,madrs_baseline,madrs_week8\n"
                   "p1,a,30,12\n"
                   "p2,b,31,71\n")
    out = tmp_path / "x.h5"
    r = run("ingest", str(bad), "-o", str(out))
    assert r.returncode == 3
    assert f"{bad}:3:4:" in r.stderr and "71" in r.stderr and "0 to 60" in r.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]   # no temp left


def test_failed_ingest_keeps_existing_store(wide_store, tmp_path):
    target = tmp_path / "keep.h5"
    target.write_bytes(open(wide_store, "rb").read())
    before = target.read_bytes()
    bad = tmp_path / "dup.csv"
    bad.write_text("participant_id,arm\np1,a\np1,b\n")
    r = run("ingest", str(bad), "-o", str(target))
    assert r.returncode == 3 and "line 2" in r.stderr
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dup.csv", "keep.h5"]


def test_info_and_analyze(wide_store):
    r = run("info", str(wide_store))
    assert r.returncode == 0
    assert "active_placebo" in r.stdout and "madrs" in r.stdout and "week8" in r.stdout
    r = run("analyze", str(wide_store))   # defaults: madrs, last visit, placebo rule
    assert r.returncode == 0, r.stderr
    assert "madrs change from baseline at week8" in r.stdout
    assert "ANCOVA adjusted difference" in r.stdout and "Hedges' g" in r.stdout
    r = run("analyze", str(wide_store), "--visit", "week9")
    assert r.returncode == 3 and "week9" in r.stderr
    r = run("analyze", str(wide_store), "--control", "nobody")
    assert r.returncode == 3


def test_corrupt_and_foreign_store(tmp_path, wide_store):
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not an hdf5 file" * 100)
    r = run("info", str(junk))
    assert r.returncode == 5 and r.stderr.strip()
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = np.arange(3)
    r = run("analyze", str(foreign))
    assert r.returncode == 5
    r = run("info", str(tmp_path / "missing.h5"))
    assert r.returncode == 4


def test_output_independent_of_locale_and_tz(wide_store):
    base = run("analyze", str(wide_store)).stdout
    env = dict(os.environ, LC_ALL="de_DE.UTF-8", TZ="Pacific/Kiritimati")
    loc = os.path.join(BUILD, "locale")
    if os.path.isdir(loc):
        env["LOCPATH"] = loc
    assert run("analyze", str(wide_store), env=env).stdout == base
