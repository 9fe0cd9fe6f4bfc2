"""Loading libkapstats and the one place where C signatures are declared.

The shared library is found, in order, through:
1. the KAPSTATS_LIB environment variable (a path to libkapstats.so*);
2. beside the package: an installed copy (PREFIX/lib/libkapstats.so.0 for
   PREFIX/lib/python3/dist-packages/kapstats, or a copy inside the package);
3. the system loader (libkapstats.so.0 on the library path).
The library's version must match the version these bindings were written
for (major and minor); a mismatch raises ImportError at import.
"""
import ctypes
import os

from . import _errors

#: The libkapstats version these bindings declare signatures for.
HEADER_VERSION = (0, 1, 0)
SONAME = "libkapstats.so.0"

c_double_p = ctypes.POINTER(ctypes.c_double)
c_int32_p = ctypes.POINTER(ctypes.c_int32)
c_int8_p = ctypes.POINTER(ctypes.c_int8)


class KapError(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_int),
        ("message", ctypes.c_char * 512),
        ("file", ctypes.c_char * 256),
        ("line", ctypes.c_ulong),
        ("column", ctypes.c_ulong),
    ]


class KapResult(ctypes.Structure):
    _fields_ = [
        ("estimate", ctypes.c_double),
        ("se", ctypes.c_double),
        ("ci_low", ctypes.c_double),
        ("ci_high", ctypes.c_double),
        ("conf_level", ctypes.c_double),
        ("statistic", ctypes.c_double),
        ("df", ctypes.c_double),
        ("df2", ctypes.c_double),
        ("p_value", ctypes.c_double),
        ("n1", ctypes.c_size_t),
        ("n2", ctypes.c_size_t),
        ("method", ctypes.c_char_p),
        ("note", ctypes.c_char_p),
    ]


def _candidates():
    env = os.environ.get("KAPSTATS_LIB")
    if env:
        yield env, "KAPSTATS_LIB"
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for rel in (SONAME, os.path.join("..", "..", "..", SONAME)):
        path = os.path.normpath(os.path.join(here, rel))
        if os.path.exists(path):
            yield path, "beside the package"
    yield SONAME, "system loader"


def _load():
    errors = []
    for path, how in _candidates():
        try:
            return ctypes.CDLL(path), path, how
        except OSError as e:
            errors.append("%s (%s): %s" % (path, how, e))
    raise ImportError("kapstats: cannot load libkapstats: " + "; ".join(errors))


lib, LIBRARY_PATH, FOUND_BY = _load()


def _declare(name, restype, argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = argtypes
    return f


_declare("kap_version", ctypes.c_char_p, [])
_declare("kap_version_number", ctypes.c_int, [])
_declare("kap_strerror", ctypes.c_char_p, [ctypes.c_int])

LIBRARY_VERSION = lib.kap_version().decode()
_n = lib.kap_version_number()
if (_n // 10000, (_n // 100) % 100) != HEADER_VERSION[:2]:
    raise ImportError(
        "kapstats: library/header version mismatch: %s loaded from %s, bindings are for %d.%d.%d"
        % (LIBRARY_VERSION, LIBRARY_PATH, *HEADER_VERSION))


def declare(name, argtypes, restype=ctypes.c_int):
    """Declare a C function once; int-returning ones get the checker."""
    f = _declare(name, restype, argtypes)
    return f


def check(rc, err):
    """Raise the mapped exception for a non-OK result code."""
    if rc != 0:
        raise _errors.from_code(rc, err)
    return rc
