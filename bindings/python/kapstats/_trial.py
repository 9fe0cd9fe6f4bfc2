"""The trial model (trial.h), trial-level endpoints (analysis.h), and
opening / ingesting stores."""
import ctypes
import dataclasses
import os

import numpy as np

from . import _errors, _ffi
from ._ffi import call, lib
from ._types import Handle, _ReprMixin, cstr, enum_value


def _copy(ptr, n, dtype):
    if n == 0 or not ptr:
        return np.empty(0, dtype=dtype)
    return np.ctypeslib.as_array(ptr, shape=(n,)).astype(dtype, copy=True)


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class Endpoint(_ReprMixin):
    """A per-participant endpoint (C: kap_trial_endpoint): values aligned
    with Trial.ids (NaN = missing or undefined) and the counts behind them:
    n_participants, n_used, n_missing_baseline, n_missing_post (complete
    case), n_imputed (LOCF/BOCF), n_baseline_zero (percent change and
    response undefined); instrument, visit, measure, missing rule."""
    values: np.ndarray = dataclasses.field(repr=False)
    instrument: str
    visit: str
    measure: str
    missing: str
    n_participants: int
    n_used: int
    n_missing_baseline: int
    n_missing_post: int
    n_imputed: int
    n_baseline_zero: int


class Trial:
    """An opened trial (C: kap_trial), immutable: every method is read-only
    and a Trial may be shared between threads.  It owns the C trial and
    frees it on close(), at the end of a `with` block, or when collected.
    Arrays returned are copies aligned with `ids` (participant order of
    the store)."""

    def __init__(self, ptr, path=None):
        self._h = Handle(ptr, lib.kap_trial_free)
        self.path = path

    # ---- life cycle ------------------------------------------------------
    def close(self):
        """Release the C trial (idempotent)."""
        self._h.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        h = getattr(self, "_h", None)
        if h is not None:
            h.close()

    @property
    def _t(self):
        if not self._h.ptr:
            raise _errors.InvalidArgumentError("the trial is closed", -1)
        return self._h.ptr

    def __repr__(self):
        if not self._h.ptr:
            return "<kapstats.Trial (closed)>"
        return "<kapstats.Trial %s: %d participants, arms %s, instruments %s>" % (
            self.path or "", self.n_participants, self.arms, self.instruments)

    # ---- participants and arms ------------------------------------------
    @property
    def n_participants(self):
        return int(lib.kap_trial_n_participants(self._t))

    @property
    def ids(self):
        """Participant ids, in store order."""
        t = self._t
        return [cstr(lib.kap_trial_participant_id(t, i))
                for i in range(lib.kap_trial_n_participants(t))]

    @property
    def arms(self):
        """Arm names, sorted by byte order: arm code i is arms[i]."""
        t = self._t
        return [cstr(lib.kap_trial_arm_name(t, a)) for a in range(lib.kap_trial_n_arms(t))]

    @property
    def arm_codes(self):
        """Arm code (index into arms) of every participant, int32."""
        t = self._t
        return _copy(lib.kap_trial_arms(t), lib.kap_trial_n_participants(t), np.int32)

    def arm(self):
        """Arm name of every participant (object array aligned with ids)."""
        names = np.array(self.arms + [None], dtype=object)
        codes = self.arm_codes
        return names[np.where(codes < 0, len(names) - 1, codes)]

    def _find(self, fn, name, *lead):
        idx = ctypes.c_size_t()
        if not isinstance(name, str):
            raise _errors.InvalidArgumentError("name must be a string, got %r" % (name,), -1)
        call(fn, self._t, *lead, name.encode(), ctypes.byref(idx))
        return idx.value

    def arm_index(self, name):
        """Index of the arm called name (NotFoundError if none)."""
        return self._find(lib.kap_trial_find_arm, name)

    # ---- instruments and visits --------------------------------------------
    @property
    def instruments(self):
        """Canonical instrument names ("madrs", "phq9", ...)."""
        t = self._t
        return [cstr(lib.kap_trial_instrument_name(t, k))
                for k in range(lib.kap_trial_n_instruments(t))]

    def _instrument(self, instrument):
        return self._find(lib.kap_trial_find_instrument, instrument)

    def _visit(self, k, visit):
        return self._find(lib.kap_trial_find_visit, visit, k)

    def visits(self, instrument):
        """Visit labels of an instrument, ordered (baseline first, then by
        study day)."""
        t = self._t
        k = self._instrument(instrument)
        return [cstr(lib.kap_trial_visit_label(t, k, v))
                for v in range(lib.kap_trial_n_visits(t, k))]

    def visit_days(self, instrument):
        """Study day of each visit (NaN when the label carries none)."""
        t = self._t
        k = self._instrument(instrument)
        return np.array([lib.kap_trial_visit_day(t, k, v)
                         for v in range(lib.kap_trial_n_visits(t, k))], dtype=np.float64)

    def baseline_visit(self, instrument):
        """Label of the instrument's baseline visit, or None."""
        t = self._t
        k = self._instrument(instrument)
        b = lib.kap_trial_baseline_visit(t, k)
        return None if b < 0 else cstr(lib.kap_trial_visit_label(t, k, b))

    def instrument_kind(self, instrument):
        """"depression", "ptsd", "dissociation", "vital" or "generic"."""
        k = self._instrument(instrument)
        kinds = ("depression", "ptsd", "dissociation", "vital", "generic")
        v = lib.kap_trial_instrument_kind(self._t, k)
        return kinds[v] if 0 <= v < len(kinds) else "generic"

    def instrument_range(self, instrument):
        """(min, max) valid range; (nan, nan) when none was declared."""
        k = self._instrument(instrument)
        lo, hi = ctypes.c_double(), ctypes.c_double()
        lib.kap_trial_instrument_range(self._t, k, ctypes.byref(lo), ctypes.byref(hi))
        return lo.value, hi.value

    def scores(self, instrument, visit=None):
        """Scores of an instrument at a visit: float64 array aligned with
        ids (NaN = missing); with visit=None the n_participants x n_visits
        matrix (columns in visits() order).  A copy."""
        t = self._t
        k = self._instrument(instrument)
        n = lib.kap_trial_n_participants(t)
        nv = lib.kap_trial_n_visits(t, k)
        m = _copy(lib.kap_trial_scores(t, k), n * nv, np.float64).reshape(n, nv)
        if visit is None:
            return m
        return np.ascontiguousarray(m[:, self._visit(k, visit)])

    # ---- endpoints ------------------------------------------------------------
    def endpoint(self, instrument, visit, measure="change", missing="complete_case",
                 response_threshold=0.5, remission_cutoff=None, remission_strict=False):
        """Per-participant endpoint of an instrument at a visit (C:
        kap_trial_endpoint).

        measure: "change" (post - baseline, default), "percent_change"
        (100 change / baseline), "response" (1 if the reduction is >=
        response_threshold, default 0.5), "remission" (1 if the post
        score <= remission_cutoff, < when remission_strict; None = the
        instrument's default: MADRS <= 10, HAM-D17 <= 7, PHQ-9 < 5,
        BDI-II <= 13, QIDS-SR16 <= 5), "value" (the post score).
        missing: "complete_case" (default), "locf", "bocf".
        Returns Endpoint (values aligned with ids, and counts)."""
        t = self._t
        k = self._instrument(instrument)
        v = self._visit(k, visit)
        o = _ffi.endpoint_options_init()
        o.missing = enum_value(_ffi.MISSING_RULES, missing, "missing-data rule")
        o.response_threshold = response_threshold
        if remission_cutoff is not None:
            o.remission_cutoff = remission_cutoff
            o.remission_strict = 1 if remission_strict else 0
        m = enum_value(_ffi.MEASURES, measure, "measure")
        n = lib.kap_trial_n_participants(t)
        out = np.empty(n, dtype=np.float64)
        c = _ffi.KapEndpointCounts()
        call(lib.kap_trial_endpoint, out.ctypes.data_as(_ffi.c_double_p), ctypes.byref(c),
             t, k, v, m, ctypes.byref(o))
        return Endpoint(out, instrument, visit, measure, missing, int(c.n_participants),
                        int(c.n_used), int(c.n_missing_baseline), int(c.n_missing_post),
                        int(c.n_imputed), int(c.n_baseline_zero))

    def change(self, instrument, visit, percent=False, missing="complete_case"):
        """Change from baseline (percent=True: percent change) at a visit,
        aligned with ids (NaN = missing); see endpoint()."""
        return self.endpoint(instrument, visit,
                             "percent_change" if percent else "change", missing).values

    # ---- analyses --------------------------------------------------------------
    def choose_control(self, name=None):
        """The control arm: `name` if given (NotFoundError if it is not an
        arm), else the one arm whose name contains placebo, control, sham,
        waitlist or usual (InsufficientDataError when none or several: the
        library does not guess) (C: kap_trial_choose_control)."""
        idx = ctypes.c_size_t()
        call(lib.kap_trial_choose_control, ctypes.byref(idx), self._t,
             None if name is None else str(name).encode())
        return self.arms[idx.value]

    def compare(self, instrument, visit, control=None, missing="complete_case",
                conf_level=0.95, response_threshold=0.5, remission_cutoff=None,
                remission_strict=False, covariates=()):
        """The primary comparison of an instrument at a visit (C:
        kap_compare_run): per arm n, baseline and change descriptives,
        ANCOVA least-squares means, response and remission rates; for each
        arm against control: Welch mean difference, ANCOVA-adjusted
        difference (change ~ baseline + arm [+ covariates]; R lm +
        emmeans), Hedges' g, and for response (reduction >=
        response_threshold, default 0.5) and remission (the instrument's
        cut-off unless remission_cutoff is given) RD (Newcombe), RR, OR,
        Fisher's exact test and NNT.
        control: arm name, or None for the arm named like placebo/control
        (see choose_control).  missing: "complete_case" (default), "locf",
        "bocf".  covariates: extra ANCOVA covariates by name.
        Returns Comparison (to_pandas() for a table)."""
        from ._compare import compare
        return compare(self, instrument, visit, control, missing, conf_level,
                       response_threshold, remission_cutoff, remission_strict, covariates)

    def subgroups(self, instrument, visit, variable, **options):
        """Subgroup analysis of an endpoint by a variable: see
        kapstats.subgroup_analysis (C: kap_subgroup_run).  Several
        variables (a list): kapstats.subgroup_family, with the interaction
        p-values adjusted across them."""
        from ._subgroup import subgroup_analysis, subgroup_family
        if isinstance(variable, (list, tuple)):
            return subgroup_family(self, instrument, visit, variable, **options)
        return subgroup_analysis(self, instrument, visit, variable, **options)

    def representation(self, variable, conf_level=0.95, cuts=None, reference=None):
        """Enrolment by the levels of a variable: see
        kapstats.representation (C: kap_representation_run)."""
        from ._subgroup import representation
        return representation(self, variable, conf_level, cuts, reference)

    def table1(self, variables=None, treatment=None, control=None):
        """Baseline characteristics by arm: see kapstats.table1 (C:
        kap_table1_run)."""
        from ._subgroup import table1
        return table1(self, variables, treatment, control)

    def safety(self, treatment=None, control=None, conf_level=0.95, thresholds=None):
        """Adverse-event and vital-sign tables: see kapstats.safety (C:
        kap_safety_ae, kap_safety_vitals)."""
        from ._safety import safety
        return safety(self, treatment, control, conf_level, thresholds)

    # ---- covariates ------------------------------------------------------------
    @property
    def covariates(self):
        """Covariate names (site, sex, race, ethnicity, age, format,
        therapy_group, others lower-cased)."""
        t = self._t
        return [cstr(lib.kap_trial_covariate_name(t, c))
                for c in range(lib.kap_trial_n_covariates(t))]

    def covariate_levels(self, name):
        """Level names of a categorical covariate (sorted; code i =
        levels[i]); [] for a numeric one."""
        t = self._t
        c = self._find(lib.kap_trial_find_covariate, name)
        return [cstr(lib.kap_trial_covariate_level(t, c, i))
                for i in range(lib.kap_trial_covariate_n_levels(t, c))]

    def covariate(self, name, codes=False):
        """Values of a covariate aligned with ids: numeric -> float64 (NaN
        missing); categorical -> object array of level names (None
        missing), or with codes=True the int32 level codes (-1 missing)."""
        t = self._t
        c = self._find(lib.kap_trial_find_covariate, name)
        n = lib.kap_trial_n_participants(t)
        if lib.kap_trial_covariate_type(t, c) == 0:
            return _copy(lib.kap_trial_covariate_values(t, c), n, np.float64)
        cc = _copy(lib.kap_trial_covariate_codes(t, c), n, np.int32)
        if codes:
            return cc
        levels = np.array([cstr(lib.kap_trial_covariate_level(t, c, i))
                           for i in range(lib.kap_trial_covariate_n_levels(t, c))] + [None],
                          dtype=object)
        return levels[np.where(cc < 0, len(levels) - 1, cc)]

    # ---- adverse events ----------------------------------------------------------
    def adverse_events(self):
        """{term: int8 array aligned with ids}: 1 had the event, 0 did not,
        -1 not recorded."""
        t = self._t
        n = lib.kap_trial_n_participants(t)
        return {cstr(lib.kap_trial_ae_term(t, j)): _copy(lib.kap_trial_ae_flags(t, j), n, np.int8)
                for j in range(lib.kap_trial_n_ae_terms(t))}

    # ---- provenance ----------------------------------------------------------------
    @property
    def sources(self):
        """[(file name as given to ingest, SHA-256 hex)]."""
        t = self._t
        return [(cstr(lib.kap_trial_source_name(t, s)), cstr(lib.kap_trial_source_sha256(t, s)))
                for s in range(lib.kap_trial_n_sources(t))]

    @property
    def layout(self):
        """"wide" or "long"."""
        return cstr(lib.kap_trial_source_layout(self._t))

    @property
    def writer_version(self):
        """libkapstats version that wrote the store."""
        return cstr(lib.kap_trial_writer_version(self._t))

    @property
    def mapping(self):
        """How columns / PARAMCD values were mapped to instruments and
        visits (readable text; "" when none was recorded)."""
        return cstr(lib.kap_trial_mapping(self._t))

    @property
    def ingestion_notes(self):
        """Long layout: {"excluded_dtype": records dropped because DTYPE
        was set, "excluded_anl01": records dropped because ANL01FL was not
        "Y", "varying_columns": subject-level columns whose value varied
        within a subject}; zeros / [] for the wide layout."""
        t = self._t
        return {"excluded_dtype": int(lib.kap_trial_n_excluded_dtype(t)),
                "excluded_anl01": int(lib.kap_trial_n_excluded_anl01(t)),
                "varying_columns": [cstr(lib.kap_trial_varying_column(t, i))
                                    for i in range(lib.kap_trial_n_varying_columns(t))]}

    def write(self, path):
        """Write the trial as an HDF5 store at path, atomically (a sealed
        temporary file renamed over path; on failure an existing file is
        left as it was) (C: kap_trial_write)."""
        call(lib.kap_trial_write, self._t, _fspath(path))

    def to_pandas(self):
        """One row per participant: id, arm, covariates, and every
        instrument x visit score (columns "<instrument>_<visit>")."""
        import pandas as pd
        cols = {"participant_id": self.ids, "arm": self.arm()}
        for c in self.covariates:
            cols[c] = self.covariate(c)
        for ins in self.instruments:
            m = self.scores(ins)
            for j, v in enumerate(self.visits(ins)):
                cols["%s_%s" % (ins, v)] = m[:, j]
        return pd.DataFrame(cols)


def remission_default(instrument):
    """The default remission cut-off of an instrument by canonical name:
    (cutoff, strict) - remission is score <= cutoff, or < when strict -
    or None when the instrument has none (C: kap_remission_default)."""
    cutoff, strict = ctypes.c_double(), ctypes.c_int()
    if lib.kap_remission_default(str(instrument).encode(), ctypes.byref(cutoff),
                                 ctypes.byref(strict)):
        return cutoff.value, bool(strict.value)
    return None


def _fspath(p):
    return os.fsencode(os.fspath(p))


def _ingest_options(layout="auto", ae_path=None, missing_codes=(), ranges=None):
    """-> (KapIngestOptions, keep-alive list)."""
    o = _ffi.ingest_options_init()
    keep = []
    o.layout = enum_value(_ffi.LAYOUTS, layout, "layout")
    if ae_path is not None:
        o.ae_path = _fspath(ae_path)
    if isinstance(missing_codes, str):
        missing_codes = [missing_codes]
    codes = [str(c).encode() for c in missing_codes]
    if codes:
        arr = (ctypes.c_char_p * len(codes))(*codes)
        keep.append(arr)
        o.missing_codes = ctypes.cast(arr, _ffi.c_char_p_p)
        o.n_missing_codes = len(codes)
    if ranges:
        items = list(ranges.items())
        arr = (_ffi.KapInstrumentRange * len(items))()
        for i, (name, (lo, hi)) in enumerate(items):
            b = str(name).encode()
            keep.append(b)
            arr[i] = _ffi.KapInstrumentRange(b, float(lo), float(hi))
        keep.append(arr)
        o.ranges = arr
        o.n_ranges = len(items)
    return o, keep


def open(path):  # noqa: A001 - kapstats.open mirrors kap_trial_open
    """Open a store written by ingest(out=...) / Trial.write (C:
    kap_trial_open).  The store's seal and every dataset are validated
    before use.  Raises KapstatsIOError (an OSError) when the file cannot
    be read and StoreFormatError (a ValueError) for a file that is not a
    libkapstats store, is damaged, or has a newer layout.  Returns a Trial
    (use it as a context manager, or call close())."""
    h = ctypes.c_void_p()
    call(lib.kap_trial_open, ctypes.byref(h), _fspath(path))
    return Trial(h.value, os.fsdecode(os.fspath(path)))


def ingest(paths, out=None, *, layout="auto", ae_path=None, missing_codes=(), ranges=None):
    """Read and validate trial CSV files (wide, or CDISC ADaM BDS-like
    long) into a new in-memory Trial (C: kap_ingest_files).

    paths: one path or a list (one trial; participants ordered by file).
    layout: "auto" (default: detected from the first header), "wide",
    "long".  ae_path: ADAE-like adverse-event file (long layout).
    missing_codes: extra missing-value codes (beyond empty, NA, N/A, ".",
    NaN).  ranges: {instrument: (min, max)} declared valid ranges.
    out: when given, the trial is also written there as an HDF5 store
    (atomically; C: kap_trial_write), to be opened later with open().
    Rules: docs/ingest.md.  A rejected input raises InvalidInputError (a
    ValueError) whose file, line and column attributes locate it; a file
    that cannot be read or written raises KapstatsIOError (an OSError).
    Returns the ingested Trial."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    bpaths = [_fspath(p) for p in paths]
    arr = (ctypes.c_char_p * max(len(bpaths), 1))(*bpaths)
    o, keep = _ingest_options(layout, ae_path, missing_codes, ranges)
    h = ctypes.c_void_p()
    call(lib.kap_ingest_files, ctypes.byref(h), arr, len(bpaths), ctypes.byref(o))
    del keep
    trial = Trial(h.value, os.fsdecode(bpaths[0]) if len(bpaths) == 1 else None)
    if out is not None:
        trial.write(out)
    return trial


def ingest_text(data, name="memory.csv", **options):
    """As ingest() for one CSV held in memory (str or bytes); `name`
    stands for the file name in messages and sources (C:
    kap_ingest_memory)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = bytes(data)
    o, keep = _ingest_options(**options)
    h = ctypes.c_void_p()
    call(lib.kap_ingest_memory, ctypes.byref(h), str(name).encode(), data, len(data),
         ctypes.byref(o))
    del keep
    return Trial(h.value, None)
