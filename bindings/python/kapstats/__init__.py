"""kapstats: Python bindings for libkapstats, outcome statistics for
clinical trials.  Thin ctypes layer: every number comes from the C library.
"""
from ._errors import (KapstatsError, InvalidArgumentError, InvalidInputError,
                      NotFoundError, InsufficientDataError, StoreFormatError,
                      KapstatsIOError, KapstatsMemoryError, ConvergenceError,
                      NumericalError)
from ._ffi import LIBRARY_PATH, LIBRARY_VERSION, HEADER_VERSION
from ._types import Result

__version__ = LIBRARY_VERSION
