"""kapstats.open / ingest(out=...) / Trial.write: HDF5 store round trip,
and the errors for a missing file, a corrupt or foreign store, and an
unwritable path."""
import os

import numpy as np
import pytest

import kapstats
from conftest import ROOT

DS = os.path.join(ROOT, "datasets")


def same_trial(a, b):
    assert a.ids == b.ids and a.arms == b.arms
    np.testing.assert_array_equal(a.arm_codes, b.arm_codes)
    assert a.instruments == b.instruments
    for ins in a.instruments:
        assert a.visits(ins) == b.visits(ins)
        np.testing.assert_array_equal(a.scores(ins), b.scores(ins))
        np.testing.assert_array_equal(a.visit_days(ins), b.visit_days(ins))
        assert a.instrument_range(ins) == b.instrument_range(ins) or \
            all(np.isnan(a.instrument_range(ins)) == np.isnan(b.instrument_range(ins)))
    assert a.covariates == b.covariates
    for c in a.covariates:
        va, vb = a.covariate(c), b.covariate(c)
        if va.dtype == object:
            assert list(va) == list(vb)
        else:
            np.testing.assert_array_equal(va, vb)
    ea, eb = a.adverse_events(), b.adverse_events()
    assert sorted(ea) == sorted(eb)
    for term in ea:
        np.testing.assert_array_equal(ea[term], eb[term])


def test_round_trip(tmp_path):
    out = tmp_path / "trial.h5"
    t = kapstats.ingest(os.path.join(DS, "kap_trial_wide.csv"), out)
    assert out.exists()
    with kapstats.open(out) as s:
        same_trial(t, s)
        assert s.sources == t.sources and s.layout == "wide"
        assert s.writer_version == kapstats.LIBRARY_VERSION
        np.testing.assert_array_equal(s.change("madrs", "week8", missing="locf"),
                                      t.change("madrs", "week8", missing="locf"))
    # Trial.write of an opened store gives the same bytes (deterministic)
    out2 = tmp_path / "again.h5"
    with kapstats.open(out) as s:
        s.write(str(out2))
    assert out.read_bytes() == out2.read_bytes()


def test_wide_and_long_layouts_agree(tmp_path):
    """The bundled wide file and the long + ADAE pair hold the same trial
    (datasets/README.md)."""
    w = kapstats.ingest(os.path.join(DS, "kap_trial_wide.csv"))
    lg = kapstats.ingest(os.path.join(DS, "kap_trial_long.csv"), tmp_path / "long.h5",
                         ae_path=os.path.join(DS, "kap_trial_adae.csv"))
    assert lg.layout == "long" and lg.ingestion_notes["varying_columns"] == []
    assert lg.ids == w.ids and lg.arms == w.arms
    for ins in w.instruments:
        for v in w.visits(ins):
            np.testing.assert_array_equal(lg.scores(ins, v), w.scores(ins, v))
    assert "participant id" in lg.mapping
    for term, flags in w.adverse_events().items():
        np.testing.assert_array_equal(lg.adverse_events()[term], flags)


def test_open_errors(tmp_path):
    with pytest.raises(OSError) as e:
        kapstats.open(tmp_path / "missing.h5")
    assert isinstance(e.value, kapstats.KapstatsIOError) and "missing.h5" in str(e.value)
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not a store at all\n" * 100)
    with pytest.raises(kapstats.StoreFormatError) as e:
        kapstats.open(junk)
    assert isinstance(e.value, ValueError) and "junk.h5" in str(e.value)
    # a store with one byte changed is refused (sealed)
    good = tmp_path / "good.h5"
    kapstats.ingest(os.path.join(ROOT, "tests", "data", "ingest", "small_wide.csv"), good)
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x5A
    bad = tmp_path / "bad.h5"
    bad.write_bytes(bytes(data))
    with pytest.raises(kapstats.StoreFormatError):
        kapstats.open(bad)
    # truncated
    bad.write_bytes(good.read_bytes()[:1000])
    with pytest.raises(kapstats.StoreFormatError):
        kapstats.open(bad)
    # a CSV is not a store
    with pytest.raises(kapstats.StoreFormatError):
        kapstats.open(os.path.join(DS, "kap_trial_wide.csv"))


def test_write_errors(tmp_path):
    t = kapstats.ingest(os.path.join(ROOT, "tests", "data", "ingest", "small_wide.csv"))
    with pytest.raises(OSError):
        t.write(tmp_path / "no" / "such" / "dir" / "t.h5")
    existing = tmp_path / "keep.h5"
    existing.write_bytes(b"precious")
    os.chmod(tmp_path, 0o500)
    try:
        if os.access(tmp_path, os.W_OK):
            pytest.skip("running as root: directory permissions are not enforced")
        with pytest.raises(OSError):
            t.write(existing)
    finally:
        os.chmod(tmp_path, 0o700)
    assert existing.read_bytes() == b"precious"
