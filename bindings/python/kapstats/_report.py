"""The trial report (report.h): build, render (JSON, Markdown, HTML),
write, read back and compare."""
import ctypes
import dataclasses
import json
import os

from . import _ffi
from ._ffi import call, lib
from ._subgroup import PADJUST
from ._types import Handle, Table, _ReprMixin, cstr, enum_value


def _format(fmt):
    if fmt is None:
        fmt = "json"
    f = ctypes.c_int()
    call(lib.kap_report_format_parse, ctypes.byref(f), str(fmt).encode())
    return f.value


@dataclasses.dataclass(frozen=True, repr=False)
class ReportSection(_ReprMixin):
    """A top-level report section: name (its JSON key), status ("ok",
    "empty", "unavailable") and the reason when not ok."""
    name: str
    status: str
    reason: str = ""


@dataclasses.dataclass(frozen=True, repr=False)
class ReportDiff(_ReprMixin):
    """One difference between two reports: path ($.primary...), old and new
    values as compact JSON text (None when absent on that side)."""
    path: str
    old: str
    new: str


class Report:
    """A trial report (C: kap_report), immutable; render() / write() in
    "json", "md" (Markdown) or "html"; to_dict() parses the JSON; sections
    lists the top-level sections and their status."""

    def __init__(self, ptr):
        self._h = Handle(ptr, lib.kap_report_free)

    def render(self, fmt="json"):
        """The report as text in format fmt ("json", "md"/"markdown",
        "html") (C: kap_report_render)."""
        f = _format(fmt)
        n = ctypes.c_size_t()
        call(lib.kap_report_render, None, 0, ctypes.byref(n), self._h.ptr, f)
        buf = ctypes.create_string_buffer(n.value + 1)
        call(lib.kap_report_render, buf, len(buf), ctypes.byref(n), self._h.ptr, f)
        return buf.raw[:n.value].decode("utf-8")

    def write(self, path, fmt=None):
        """Write the report to path atomically (C: kap_report_write); fmt
        None = from the extension (.json, .md, .html; else JSON)."""
        if fmt is None:
            ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
            fmt = {"md": "md", "markdown": "md", "html": "html", "htm": "html"}.get(ext, "json")
        call(lib.kap_report_write, self._h.ptr, _format(fmt), os.fsencode(os.fspath(path)))

    def to_dict(self):
        """The JSON report as a dict."""
        return json.loads(self.render("json"))

    @property
    def sections(self):
        out = []
        name, status, reason = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
        for i in range(lib.kap_report_n_sections(self._h.ptr)):
            call(lib.kap_report_section, self._h.ptr, i, ctypes.byref(name),
                 ctypes.byref(status), ctypes.byref(reason))
            out.append(ReportSection(cstr(name.value), cstr(status.value), cstr(reason.value)))
        return out

    def compare(self, new, rtol=1e-9):
        """Differences from this (old) report to `new` (C:
        kap_report_compare): a Table of ReportDiff; empty when they agree
        within rtol."""
        return compare_reports(self, new, rtol)

    def __repr__(self):
        return "<kapstats.Report: %s>" % ", ".join(
            "%s %s" % (s.name, s.status) for s in self.sections)


def build_report(trial, instrument=None, visit=None, control=None, subgroups=None,
                 adjust="holm", conf_level=0.95, response_threshold=0.5, timestamp=None):
    """Analyse an opened trial and build its report (C: kap_report_build):
    study flow, representation and Table 1, primary endpoint (complete case
    and LOCF), trajectory, secondary instruments, subgroups (interaction p
    adjusted by `adjust`), safety, methods.  instrument None = the first
    depression scale; visit None = its last visit; control None = the arm
    named like placebo / control; subgroups None = race, ethnicity, sex,
    age, format, site (those present).  timestamp: free text stored as is
    (the library never reads the clock).  Returns Report."""
    o = _ffi.report_options_init()
    keep = []
    for field, v in (("instrument", instrument), ("visit", visit), ("control", control),
                     ("timestamp", timestamp)):
        if v is not None:
            keep.append(str(v).encode())
            setattr(o, field, keep[-1])
    if subgroups is not None:
        if isinstance(subgroups, str):
            subgroups = [subgroups]
        names = [str(s).encode() for s in subgroups]
        arr = (ctypes.c_char_p * max(len(names), 1))(*names)
        keep.append(arr)
        o.subgroups = ctypes.cast(arr, _ffi.c_char_p_p)
        o.n_subgroups = len(names)
    o.adjust = enum_value(PADJUST, adjust, "p-value adjustment method")
    o.conf_level = conf_level
    o.response_threshold = response_threshold
    h = ctypes.c_void_p()
    call(lib.kap_report_build, ctypes.byref(h), trial._t, ctypes.byref(o))
    del keep
    return Report(h.value)


def read_report(path):
    """Load a JSON report written by Report.write (C:
    kap_report_read_json).  Raises OSError (cannot read), InvalidInputError
    (not JSON), StoreFormatError (not a libkapstats report or a newer
    schema)."""
    h = ctypes.c_void_p()
    call(lib.kap_report_read_json, ctypes.byref(h), os.fsencode(os.fspath(path)))
    return Report(h.value)


def compare_reports(old, new, rtol=1e-9):
    """Every difference between two reports (C: kap_report_compare): a
    Table of ReportDiff (path, old, new)."""
    h = ctypes.c_void_p()
    call(lib.kap_report_compare, ctypes.byref(h), old._h.ptr, new._h.ptr, rtol)
    d = Handle(h.value, lib.kap_report_diff_free)
    try:
        out = Table(row_type=ReportDiff)
        p, a, b = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
        for i in range(lib.kap_report_diff_count(d.ptr)):
            call(lib.kap_report_diff_get, d.ptr, i, ctypes.byref(p), ctypes.byref(a),
                 ctypes.byref(b))
            out.append(ReportDiff(cstr(p.value), None if a.value is None else cstr(a.value),
                                  None if b.value is None else cstr(b.value)))
        return out
    finally:
        d.close()
