"""Typed results and array conversion shared by the bindings."""
import ctypes
import dataclasses
import math

import numpy as np

from ._ffi import KapError, KapResult, c_double_p


@dataclasses.dataclass(frozen=True)
class Result:
    """The fixed-size result of a test or estimate (C: kap_result).
    Fields a method does not define are nan; `note` says why a defined
    field is nan."""
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    conf_level: float
    statistic: float
    df: float
    df2: float
    p_value: float
    n1: int
    n2: int
    method: str
    note: str = ""

    def _asdict(self):
        return dataclasses.asdict(self)

    def __repr__(self):
        parts = ["%s=%s" % (f.name, _fmt(getattr(self, f.name)))
                 for f in dataclasses.fields(self)
                 if not (isinstance(getattr(self, f.name), float) and math.isnan(getattr(self, f.name)))
                 and getattr(self, f.name) != ""]
        return "Result(%s)" % ", ".join(parts)

    @classmethod
    def from_c(cls, r):
        return cls(r.estimate, r.se, r.ci_low, r.ci_high, r.conf_level, r.statistic,
                   r.df, r.df2, r.p_value, int(r.n1), int(r.n2),
                   (r.method or b"").decode(), (r.note or b"").decode())


def _fmt(v):
    if isinstance(v, float):
        return "%.6g" % v
    return repr(v)


def as_array(x, name="x"):
    """Any array-like -> C-contiguous float64 ndarray (no copy when it
    already is one) and a ctypes pointer into it.  NaN means missing."""
    a = np.ascontiguousarray(x, dtype=np.float64)
    if a.ndim != 1:
        a = a.reshape(-1) if a.ndim == 0 else a
        if a.ndim != 1:
            raise ValueError("%s must be one-dimensional, got shape %s" % (name, a.shape))
    return a, a.ctypes.data_as(c_double_p)


def new_result():
    return KapResult()


def new_error():
    return KapError()


def byref(obj):
    return ctypes.byref(obj)
