"""Typed results and argument conversion shared by the bindings."""
import ctypes
import dataclasses
import math

import numpy as np

from . import _errors
from ._ffi import KapError, KapResult, c_double_p, c_int32_p


def _fmt(v):
    if isinstance(v, float):
        return "%.6g" % v
    if isinstance(v, np.ndarray):
        return np.array2string(v, precision=6, separator=", ")
    return repr(v)


def _is_blank(v):
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, str):
        return v == ""
    return v is None


class _ReprMixin:
    """Readable repr: fields that are NaN or empty are left out."""

    def _asdict(self):
        """The fields as a dict (field order kept)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __repr__(self):
        parts = ["%s=%s" % (f.name, _fmt(getattr(self, f.name)))
                 for f in dataclasses.fields(self)
                 if f.repr and not _is_blank(getattr(self, f.name))]
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))


@dataclasses.dataclass(frozen=True, repr=False)
class Result(_ReprMixin):
    """The fixed-size result of a test or estimate (C: kap_result).

    estimate, se, ci_low, ci_high, conf_level: the estimate and its CI;
    statistic (t, z, W, V, F, chi-square...), df, df2 (denominator df of an
    F), p_value; n1, n2: observations used; method: the exact method;
    note: why a defined field is nan (zero variance, n too small...).
    Fields a method does not define are nan (sizes 0)."""
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

    @classmethod
    def from_c(cls, r):
        return cls(r.estimate, r.se, r.ci_low, r.ci_high, r.conf_level, r.statistic,
                   r.df, r.df2, r.p_value, int(r.n1), int(r.n2),
                   cstr(r.method), cstr(r.note))


def cstr(p):
    """A C string (bytes or None) as str ('' for NULL)."""
    return p.decode("utf-8", "replace") if p else ""


class Table(list):
    """A result table: a list of row dataclasses, plus to_pandas()."""

    def __init__(self, rows=(), row_type=None):
        super().__init__(rows)
        self.row_type = row_type

    def to_pandas(self):
        """The rows as a pandas DataFrame (needs pandas), one column per
        field.  A field holding a result (Result, Describe...) is spread
        over columns "<field>" (its estimate, or mean) and
        "<field>_<subfield>" (se, ci_low, ci_high, p_value, ...); columns
        that are nan in every row are left out."""
        import pandas as pd
        spread = set()
        rows = [_flatten(r, spread) for r in self]
        if not rows:
            if self.row_type is None:
                return pd.DataFrame()
            return pd.DataFrame(columns=[f.name for f in dataclasses.fields(self.row_type)])
        df = pd.DataFrame(rows, columns=list(rows[0]))
        drop = [c for c in df.columns
                if c in spread and df[c].dtype.kind == "f" and df[c].isna().all()]
        return df.drop(columns=drop)

    def __repr__(self):
        name = self.row_type.__name__ if self.row_type else "row"
        return "Table(%d %s rows)\n" % (len(self), name) + "\n".join(
            "  " + repr(r) for r in self)


_SKIP = {"conf_level", "method", "note", "df2", "n1", "n2", "n_missing"}
_MAIN = ("estimate", "mean")


def _flatten(row, spread):
    """A row dataclass -> flat dict; nested result dataclasses spread (the
    generated column names are added to `spread`)."""
    out = {}
    for f in dataclasses.fields(row):
        v = getattr(row, f.name)
        if dataclasses.is_dataclass(v):
            sub = {g.name: getattr(v, g.name) for g in dataclasses.fields(v)}
            main = next((m for m in _MAIN if m in sub), None)
            if main is not None:
                out[f.name] = sub[main]
            for k, x in sub.items():
                if k == main or k in _SKIP or dataclasses.is_dataclass(x):
                    continue
                out["%s_%s" % (f.name, k)] = x
                spread.add("%s_%s" % (f.name, k))
        else:
            out[f.name] = v
    return out


def _to_numpy(x, dtype):
    # pandas objects (Series, nullable Int64/Float64 with pd.NA): NA -> NaN.
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):
        try:
            return x.to_numpy(dtype=dtype, na_value=np.nan)
        except (TypeError, ValueError):
            return x.to_numpy()
    return x


def as_array(x, name="x"):
    """Any array-like (list, numpy array of any numeric dtype, pandas Series)
    -> C-contiguous float64 ndarray and a ctypes pointer into it.  A float64
    C-contiguous ndarray is used as is (no copy).  NaN means missing."""
    x = _to_numpy(x, np.float64)
    try:
        a = np.ascontiguousarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise _errors.InvalidArgumentError(
            "%s: expected numbers, %s" % (name, e), -1) from None
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise _errors.InvalidArgumentError(
            "%s must be one-dimensional, got shape %s" % (name, a.shape), -1)
    return a, a.ctypes.data_as(c_double_p)


def as_matrix(x, name="X"):
    """A 2-D array-like -> C-contiguous (row-major) float64 ndarray and a
    pointer; a 1-D input is one column."""
    x = _to_numpy(x, np.float64)
    try:
        a = np.ascontiguousarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise _errors.InvalidArgumentError(
            "%s: expected numbers, %s" % (name, e), -1) from None
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2:
        raise _errors.InvalidArgumentError(
            "%s must be two-dimensional, got shape %s" % (name, a.shape), -1)
    return a, a.ctypes.data_as(c_double_p)


def as_codes(groups, name="groups", levels=None):
    """Group labels (strings, ints or any hashable; lists, numpy arrays,
    pandas Series or Categorical) -> int32 codes and the level list.

    Levels are the distinct non-missing labels in sorted order (numeric
    order for numbers, code-point order for strings) unless `levels` is
    given; code i means levels[i].  None, NaN and pd.NA are missing
    (code -1).  Returns (codes ndarray, pointer, levels list)."""
    if hasattr(groups, "to_numpy") and not isinstance(groups, np.ndarray):
        groups = groups.to_numpy(dtype=object)
    arr = np.asarray(groups, dtype=object)
    if arr.ndim == 1:
        # numpy scalars -> Python values (readable labels, hashable alike)
        arr = np.array([v.item() if isinstance(v, np.generic) else v for v in arr],
                       dtype=object)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise _errors.InvalidArgumentError(
            "%s must be one-dimensional, got shape %s" % (name, arr.shape), -1)

    def missing(v):
        if v is None:
            return True
        try:
            return bool(v != v)  # NaN, pd.NA raises TypeError
        except TypeError:
            return True

    miss = np.fromiter((missing(v) for v in arr), dtype=bool, count=len(arr))
    if levels is None:
        present = {v for v, m in zip(arr, miss) if not m}
        try:
            levels = sorted(present)
        except TypeError:
            raise _errors.InvalidArgumentError(
                "%s: labels of mixed types cannot be ordered" % name, -1) from None
    else:
        levels = list(levels)
    index = {v: i for i, v in enumerate(levels)}
    codes = np.empty(len(arr), dtype=np.int32)
    for i, (v, m) in enumerate(zip(arr, miss)):
        if m:
            codes[i] = -1
        else:
            try:
                codes[i] = index[v]
            except KeyError:
                raise _errors.InvalidArgumentError(
                    "%s: label %r is not a level" % (name, v), -1) from None
    return codes, codes.ctypes.data_as(c_int32_p), levels


def enum_value(mapping, name, what):
    """Python option string -> C enum value; unknown names raise
    InvalidArgumentError (a ValueError) listing the accepted ones."""
    try:
        return mapping[name]
    except (KeyError, TypeError):
        raise _errors.InvalidArgumentError(
            "unknown %s %r (expected one of %s)"
            % (what, name, ", ".join(repr(k) for k in mapping)), -1) from None


def same_length(*named):
    """Raise InvalidArgumentError unless all (name, array) pairs have the
    same length; returns the length."""
    n = len(named[0][1])
    for nm, a in named[1:]:
        if len(a) != n:
            raise _errors.InvalidArgumentError(
                "%s and %s must have the same length (%d != %d)"
                % (named[0][0], nm, n, len(a)), -1)
    return n


def new_result():
    return KapResult()


def new_error():
    return KapError()


def byref(obj):
    return ctypes.byref(obj)


class Handle:
    """Owns a C handle (opaque pointer) and releases it with `free` when
    garbage-collected or closed; `owner` keeps a parent alive for borrowed
    handles (then nothing is freed here)."""
    __slots__ = ("ptr", "_free", "owner")

    def __init__(self, ptr, free, owner=None):
        self.ptr = ptr
        self._free = free
        self.owner = owner

    def close(self):
        p, self.ptr = self.ptr, None
        if p and self.owner is None:
            self._free(p)

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass


def readonly(a):
    """Mark an ndarray read-only and return it."""
    a.setflags(write=False)
    return a


@dataclasses.dataclass(frozen=True, repr=False)
class LabeledResult(_ReprMixin):
    """A Result with a label (arm, level, term...): a row of a Table."""
    label: object
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

    @classmethod
    def of(cls, label, r):
        return cls(label, *(getattr(r, f.name) for f in dataclasses.fields(Result)))

    def result(self):
        """The row without its label, as a Result."""
        return Result(*(getattr(self, f.name) for f in dataclasses.fields(Result)))


def as_strided(x, name="x"):
    """Like as_array, but a one-dimensional float64 ndarray with a positive
    stride (e.g. a column of a C-ordered matrix) is passed as it is, with
    its stride in elements: (array, pointer, stride)."""
    if (isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim == 1
            and x.strides[0] > 0 and x.strides[0] % 8 == 0 and x.flags.aligned
            and len(x) > 0):
        return x, x.ctypes.data_as(c_double_p), x.strides[0] // 8
    a, p = as_array(x, name)
    return a, p, 1
