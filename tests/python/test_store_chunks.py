"""The store's compressed chunks as other programs see them.  The library
filters chunks itself (shuffle, deflate with libdeflate, Fletcher-32) and
writes them with H5Dwrite_chunk; h5py and h5dump must read them through
HDF5's own filters (which verify every Fletcher-32), and the file must
not depend on the number of threads (KAPSTATS_THREADS).  The trial is
large enough (6000 participants) for every dataset kind to be chunked and
deflated.  The build directory comes from KAPSTATS_BUILD (default build)."""
import math
import os
import random
import shutil
import subprocess

import h5py
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("KAPSTATS_BUILD", "build"))
KAPSTATS = os.path.join(BUILD, "kapstats")
N = 6000
VISITS = ["baseline", "week1", "week2", "week4", "week8"]


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    rng = random.Random(20240601)
    path = tmp_path_factory.mktemp("chunks") / "big.csv"
    rows = []
    with open(path, "w", newline="") as f:
        f.write("participant_id,arm,site,age,weight,"
                + ",".join("madrs_" + v for v in VISITS) + ",ae_nausea\n")
        for i in range(N):
            r = {"id": "P%06d" % (i + 1),
                 "arm": rng.choice(["ketamine", "placebo"]),
                 "site": "%02d" % rng.randrange(15),
                 "age": str(rng.randrange(18, 80)),
                 "weight": "%.1f" % rng.uniform(45, 130),
                 "madrs": ["" if j and rng.random() < 0.1 else str(rng.randrange(61))
                           for j in range(len(VISITS))],
                 "ae": str(int(rng.random() < 0.2))}
            rows.append(r)
            f.write(",".join([r["id"], r["arm"], r["site"], r["age"], r["weight"]]
                             + r["madrs"] + [r["ae"]]) + "\n")
    return path, rows


def ingest(csv, out, threads):
    env = dict(os.environ, KAPSTATS_THREADS=str(threads))
    r = subprocess.run([KAPSTATS, "ingest", str(csv), "-o", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    return out


def test_same_bytes_for_any_thread_count(big_csv, tmp_path):
    csv, _ = big_csv
    blobs = [open(ingest(csv, tmp_path / ("t%d.h5" % n), n), "rb").read()
             for n in (1, 2, 4)]
    assert blobs[0] == blobs[1] == blobs[2]


def test_h5py_reads_the_chunks(big_csv, tmp_path):
    csv, rows = big_csv
    store = ingest(csv, tmp_path / "s.h5", 2)
    with h5py.File(store, "r") as f:
        scores = f["instruments/madrs/scores"]
        # the filters the chunks were written with are declared as usual
        assert scores.compression == "gzip" and scores.shuffle and scores.fletcher32
        assert scores.chunks is not None
        got = scores[()]
        assert got.shape == (N, len(VISITS))
        for i, r in enumerate(rows):
            for j, text in enumerate(r["madrs"]):
                if text == "":
                    assert math.isnan(got[i, j])
                else:
                    assert got[i, j] == float(text)
        ids = f["participants/id"]
        assert ids.compression == "gzip" and ids.fletcher32
        assert [x.decode() for x in ids[()]] == [r["id"] for r in rows]
        arm_names = [x.decode() for x in f["participants/arm_names"][()]]
        assert [arm_names[a] for a in f["participants/arm"][()]] == [r["arm"] for r in rows]
        age = f["covariates/age/values"][()]
        assert np.array_equal(age, [float(r["age"]) for r in rows])
        flags = f["adverse_events/flags"]
        assert flags.fletcher32
        assert list(flags[0, :]) == [int(r["ae"]) for r in rows]


@pytest.mark.skipif(shutil.which("h5dump") is None, reason="h5dump not installed")
def test_h5dump_reads_every_dataset(big_csv, tmp_path):
    csv, _ = big_csv
    store = ingest(csv, tmp_path / "d.h5", 2)
    r = subprocess.run(["h5dump", "-p", "-H", "-d", "/instruments/madrs/scores", str(store)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for f in ("PREPROCESSING SHUFFLE", "COMPRESSION DEFLATE", "CHECKSUM FLETCHER32"):
        assert f in r.stdout
    # every value of every dataset, through HDF5's filters
    r = subprocess.run(["h5dump", str(store)], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == ""
    assert "P006000" in r.stdout
