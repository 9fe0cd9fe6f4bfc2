"""Exceptions: every non-OK libkapstats result code maps to one of these,
carrying the C message (and file, line, column for input errors)."""


class KapstatsError(Exception):
    """Base of every libkapstats error.  Attributes: code, file, line,
    column (0 when not applicable)."""

    def __init__(self, message, code=0, file="", line=0, column=0):
        super().__init__(message)
        self.code = code
        self.file = file
        self.line = line
        self.column = column


class InvalidArgumentError(KapstatsError, ValueError):
    """KAP_EINVAL: a bad argument or option."""


class InvalidInputError(KapstatsError, ValueError):
    """KAP_EINPUT: invalid input data (file, line, column set)."""


class NotFoundError(KapstatsError, ValueError):
    """KAP_ENOTFOUND: unknown arm, instrument, visit or covariate."""


class InsufficientDataError(KapstatsError, ValueError):
    """KAP_EDATA: the data do not allow the analysis (e.g. one arm)."""


class StoreFormatError(KapstatsError, ValueError):
    """KAP_EFORMAT: a corrupt, foreign or newer-layout store."""


class KapstatsIOError(KapstatsError, OSError):
    """KAP_EIO: a file cannot be read or written."""


class KapstatsMemoryError(KapstatsError, MemoryError):
    """KAP_ENOMEM: out of memory (also a MemoryError)."""


class ConvergenceError(KapstatsError, ArithmeticError):
    """KAP_ENOCONV: an iterative method did not converge."""


class NumericalError(KapstatsError, ArithmeticError):
    """KAP_ENUMERIC: numerically unreliable (e.g. ill-conditioned)."""


_BY_CODE = {
    -1: InvalidArgumentError,
    -2: InvalidInputError,
    -3: KapstatsIOError,
    -4: KapstatsMemoryError,
    -5: NotFoundError,
    -6: StoreFormatError,
    -7: ConvergenceError,
    -8: NumericalError,
    -9: InsufficientDataError,
}


def from_code(rc, err):
    cls = _BY_CODE.get(rc, KapstatsError)
    msg = err.message.decode("utf-8", "replace") if err is not None else ""
    file = err.file.decode("utf-8", "replace") if err is not None else ""
    line = int(err.line) if err is not None else 0
    column = int(err.column) if err is not None else 0
    if not msg:
        msg = "libkapstats error %d" % rc
    if file:
        loc = file + (":%d" % line if line else "") + (":%d" % column if column else "")
        msg = "%s: %s" % (loc, msg)
    return cls(msg, rc, file, line, column)
