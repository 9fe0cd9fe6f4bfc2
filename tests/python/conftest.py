"""pytest set-up for the Python bindings: the library under test is
<KAPSTATS_BUILD>/libkapstats.so.0 (KAPSTATS_BUILD defaults to "build",
relative to the repository root), the package is bindings/python.
Reference values are read from tests/reference/*.out (as the C tests)."""
import math
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("KAPSTATS_BUILD", "build"))
LIB = os.path.join(BUILD, "libkapstats.so.0")
PKG = os.path.join(ROOT, "bindings", "python")
REFDIR = os.path.join(ROOT, "tests", "reference")

# The tests always use the library of this build (not an installed copy).
os.environ["KAPSTATS_LIB"] = LIB
if PKG not in sys.path:
    sys.path.insert(0, PKG)

_refs = {}


def ref_file(name):
    """All "name value" pairs of tests/reference/<name>.out (NA -> nan)."""
    if name not in _refs:
        d = {}
        with open(os.path.join(REFDIR, name + ".out")) as f:
            for line in f:
                if not line.strip() or line.startswith("#"):
                    continue
                key, value = line.split(None, 1)
                value = value.strip()
                d[key] = math.nan if value == "NA" else float(value)
        _refs[name] = d
    return _refs[name]


def ref(file, key):
    return ref_file(file)[key]


def ref_vector(file, prefix, n=None):
    """prefix.1 .. prefix.n (n from prefix's count when None)."""
    d = ref_file(file)
    out = []
    i = 1
    while (n is None and "%s.%d" % (prefix, i) in d) or (n is not None and i <= n):
        out.append(d["%s.%d" % (prefix, i)])
        i += 1
    return out


def close(a, b, rtol=1e-9, atol=0.0):
    """Relative comparison, NaN equal to NaN, inf equal to inf."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def assert_close(a, b, rtol=1e-9, atol=0.0, what=""):
    a = float(a)
    b = float(b)
    assert close(a, b, rtol, atol), "%s: %r != %r (rtol %g)" % (what, a, b, rtol)


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def build_dir():
    return BUILD


def ref_vec0(file, prefix, n=None):
    """prefix_0 .. prefix_{n-1} (the linear_model.out convention; all
    present entries when n is None)."""
    d = ref_file(file)
    out = []
    i = 0
    while (n is None and "%s_%d" % (prefix, i) in d) or (n is not None and i < n):
        out.append(d["%s_%d" % (prefix, i)])
        i += 1
    return out


def read_csv_columns(name):
    """tests/reference/<name> (a small CSV with a header; NA -> nan) as a
    dict of float arrays."""
    import csv
    import numpy as np
    with open(os.path.join(REFDIR, name)) as f:
        rows = list(csv.reader(f))
    head = rows[0]
    cols = {h: [] for h in head}
    for r in rows[1:]:
        for h, v in zip(head, r):
            cols[h].append(math.nan if v in ("NA", "") else float(v))
    return {h: np.array(v) for h, v in cols.items()}
