"""The Python API covers the C API: every public function of
include/kapstats/*.h is declared in kapstats._ffi (or listed here as
deliberately not wrapped), and every name in kapstats.__all__ exists."""
import glob
import os
import re

import kapstats
from kapstats import _ffi
from conftest import ROOT

# Public C functions the bindings deliberately do not expose, and why.
NOT_WRAPPED = {
    # CLI helper: Python passes ranges as {name: (min, max)}
    "kap_ingest_parse_instrument_range",
}


def public_functions():
    names = set()
    for h in glob.glob(os.path.join(ROOT, "include", "kapstats", "*.h")):
        text = open(h).read()
        names.update(re.findall(r"KAP_EXTERN[^;(]*?\b(kap_\w+)\s*\(", text, flags=re.S))
    return names


def test_every_c_function_is_declared():
    missing = public_functions() - _ffi.DECLARED - NOT_WRAPPED
    assert not missing, "C functions without a Python declaration: %s" % sorted(missing)


def test_declarations_exist_in_headers():
    assert _ffi.DECLARED <= public_functions()


def test_all_names_exist():
    for name in kapstats.__all__:
        assert hasattr(kapstats, name), name
    assert kapstats.__version__ == kapstats.LIBRARY_VERSION


def test_docstrings():
    for name in kapstats.__all__:
        obj = getattr(kapstats, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 20, name
