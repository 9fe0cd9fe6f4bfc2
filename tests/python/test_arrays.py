"""Argument conversion: any array-like accepted, float64 C-contiguous numpy
arrays passed to C without a copy, NaN = missing, group labels -> int32
codes."""
import ctypes
import math

import numpy as np
import pytest

import kapstats
from kapstats import _ffi, _types


def test_as_array_no_copy():
    a = np.linspace(0, 1, 11)
    b, p = _types.as_array(a)
    assert b is a
    assert ctypes.addressof(p.contents) == a.ctypes.data
    assert np.shares_memory(a, b)


@pytest.mark.parametrize("x", [[1, 2, 3], (1.0, 2.0, 3.0), np.arange(1, 4),
                               np.array([1, 2, 3], dtype=np.int8),
                               np.array([1, 2, 3], dtype=np.float32),
                               np.array([1, 2, 3], dtype=np.uint64),
                               np.array([True, True, False]) * 1 + [0, 1, 3],
                               np.array([[1.0], [2.0], [3.0]])[:, 0],
                               np.array([3.0, 2.0, 1.0])[::-1]])
def test_as_array_converts(x):
    b, p = _types.as_array(x)
    assert b.dtype == np.float64 and b.flags.c_contiguous and b.ndim == 1
    assert list(b) == [1.0, 2.0, 3.0]
    assert ctypes.addressof(p.contents) == b.ctypes.data


def test_as_array_pandas():
    pd = pytest.importorskip("pandas")
    b, _ = _types.as_array(pd.Series([1.5, None, 3]))
    assert b[0] == 1.5 and math.isnan(b[1])
    b, _ = _types.as_array(pd.Series([1, None, 3], dtype="Int64"))
    assert b[2] == 3.0 and math.isnan(b[1])


def test_as_array_rejects():
    with pytest.raises(ValueError):
        _types.as_array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError):
        _types.as_array(["x", "y"])


def test_no_copy_into_c(monkeypatch):
    """The pointer the C function receives is the caller's buffer."""
    y = np.array([0.1, 0.3, -0.2, 0.5])
    v = np.array([0.04, 0.05, 0.03, 0.06])
    seen = {}
    real = _ffi.lib.kap_meta_fit

    def spy(out, py, pv, k, opts, err):
        seen["y"] = ctypes.addressof(py.contents)
        seen["v"] = ctypes.addressof(pv.contents)
        return real(out, py, pv, k, opts, err)

    monkeypatch.setattr(_ffi.lib, "kap_meta_fit", spy)
    kapstats.heterogeneity(y, v)
    assert seen == {"y": y.ctypes.data, "v": v.ctypes.data}
    # a float32 array is converted (a copy is unavoidable)
    kapstats.heterogeneity(y.astype(np.float32), v)
    assert seen["y"] != y.ctypes.data


def test_nan_is_missing():
    y = [0.1, 0.3, math.nan, -0.2, 0.5]
    v = [0.04, 0.05, 0.02, 0.03, 0.06]
    r = kapstats.heterogeneity(y, v, method="DL")
    r2 = kapstats.heterogeneity([0.1, 0.3, -0.2, 0.5], [0.04, 0.05, 0.03, 0.06], method="DL")
    assert r.n_dropped == 1 and r.k == 4 and r.pooled == r2.pooled


def test_as_codes():
    codes, p, levels = _types.as_codes(["b", "a", None, "b", float("nan")])
    assert levels == ["a", "b"]
    assert list(codes) == [1, 0, -1, 1, -1] and codes.dtype == np.int32
    assert ctypes.addressof(p.contents) == codes.ctypes.data
    codes, _, levels = _types.as_codes(np.array([3, 1, 2, 3]))
    assert levels == [1, 2, 3] and list(codes) == [2, 0, 1, 2]
    assert type(levels[0]) is int
    codes, _, levels = _types.as_codes([2.0, 10.0, 1.0])  # numeric, not string, order
    assert levels == [1.0, 2.0, 10.0]
    codes, _, levels = _types.as_codes(["x", "y"], levels=["y", "x"])
    assert list(codes) == [1, 0]
    with pytest.raises(ValueError):
        _types.as_codes(["x", "z"], levels=["x", "y"])


def test_result_dataclass():
    r = kapstats.Result(1.0, 0.5, 0.0, 2.0, 0.95, 2.0, 10.0, math.nan, 0.07, 12, 0, "m")
    assert r._asdict()["estimate"] == 1.0
    assert "df2" not in repr(r) and "note" not in repr(r) and "estimate=1" in repr(r)
    with pytest.raises(Exception):
        r.estimate = 2.0


def test_table_to_pandas():
    pytest.importorskip("pandas")
    rows = [kapstats.LabeledResult("a", 1.0, 0.1, 0.8, 1.2, 0.95, 10.0, 5.0, math.nan, 0.001,
                                   6, 0, "m")]
    t = kapstats.Table(rows, kapstats.LabeledResult)
    df = t.to_pandas()
    assert list(df.columns)[:3] == ["label", "estimate", "se"] and df.shape == (1, 14)
    assert kapstats.Table([], kapstats.LabeledResult).to_pandas().shape == (0, 14)
