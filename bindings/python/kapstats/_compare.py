"""The trial-level primary comparison (analysis.h: kap_compare_run)."""
import ctypes
import dataclasses

from . import _ffi
from ._binary import NntResult
from ._ffi import call, lib
from ._means import Describe
from ._types import Handle, Result, Table, _ReprMixin, cstr, enum_value


@dataclasses.dataclass(frozen=True, repr=False)
class EndpointCounts(_ReprMixin):
    """Counts behind an endpoint (C: kap_endpoint_counts)."""
    n_participants: int
    n_used: int
    n_missing_baseline: int
    n_missing_post: int
    n_imputed: int
    n_baseline_zero: int

    @classmethod
    def from_c(cls, c):
        return cls(*(int(getattr(c, f)) for f, _ in c._fields_))


@dataclasses.dataclass(frozen=True, repr=False)
class Rate(_ReprMixin):
    """events / n in one arm, with the Wilson CI in `rate` (a Result)."""
    events: int
    n: int
    rate: Result

    @classmethod
    def from_c(cls, r):
        return cls(int(r.events), int(r.n), Result.from_c(r.rate))


@dataclasses.dataclass(frozen=True, repr=False)
class BinaryComparison(_ReprMixin):
    """A binary endpoint of one arm against control: rd (risk difference,
    Newcombe CI), rr (risk ratio, Katz log CI), odds_ratio (Woolf CI),
    fisher (Fisher's exact test; estimate = conditional MLE odds ratio),
    nnt (NntResult)."""
    rd: Result
    rr: Result
    odds_ratio: Result
    fisher: Result
    nnt: NntResult

    @classmethod
    def from_c(cls, b):
        return cls(Result.from_c(b.rd), Result.from_c(b.rr), Result.from_c(b.or_),
                   Result.from_c(b.fisher), NntResult.from_c(b.nnt, 1))


@dataclasses.dataclass(frozen=True, repr=False)
class ArmComparison(_ReprMixin):
    """One arm of a Comparison (C: kap_compare_arm).  baseline and change:
    Describe of the participants used; lsmean: ANCOVA least-squares mean
    change; response, remission: Rate.  Against control (None for the
    control arm itself): welch (Welch t test of the mean change
    difference), ancova (adjusted difference, change ~ baseline + arm [+
    covariates]), hedges_g (noncentral-t CI), response_vs_control and
    remission_vs_control (BinaryComparison)."""
    name: str
    is_control: bool
    n_randomised: int
    counts: EndpointCounts
    baseline: Describe
    change: Describe
    lsmean: Result
    response: Rate
    remission: Rate
    welch: Result = None
    ancova: Result = None
    hedges_g: Result = None
    response_vs_control: BinaryComparison = None
    remission_vs_control: BinaryComparison = None


@dataclasses.dataclass(frozen=True, repr=False)
class ComparisonRow(_ReprMixin):
    """A row of Comparison.table(): one arm, its summary and (NaN for the
    control arm) its comparison with control."""
    arm: str
    n_randomised: int
    n_used: int
    baseline_mean: float
    change_mean: float
    change_sd: float
    lsmean: float
    lsmean_ci_low: float
    lsmean_ci_high: float
    diff: float
    diff_ci_low: float
    diff_ci_high: float
    diff_p: float
    welch_diff: float
    welch_p: float
    hedges_g: float
    g_ci_low: float
    g_ci_high: float
    responders: int
    response_rate: float
    response_rd: float
    response_rd_ci_low: float
    response_rd_ci_high: float
    response_fisher_p: float
    response_nnt: str
    remitters: int
    remission_rate: float
    remission_rd: float
    remission_fisher_p: float


@dataclasses.dataclass(frozen=True, repr=False)
class Comparison(_ReprMixin):
    """The primary comparison of an instrument at a visit (C:
    kap_compare_run): arms (ArmComparison, trial arm order), control (its
    name), counts over all arms, ancova_n (rows the ANCOVA used) and the
    options used.  table() / to_pandas(): one row per arm."""
    instrument: str
    visit: str
    missing: str
    control: str
    ancova_n: int
    counts: EndpointCounts
    arms: list

    def arm(self, name):
        """The ArmComparison of arm `name`."""
        for a in self.arms:
            if a.name == name:
                return a
        raise KeyError(name)

    def table(self):
        """A Table of ComparisonRow, one per arm."""
        nan = float("nan")
        rows = Table(row_type=ComparisonRow)
        for a in self.arms:
            c = not a.is_control
            rows.append(ComparisonRow(
                a.name, a.n_randomised, a.counts.n_used, a.baseline.mean, a.change.mean,
                a.change.sd, a.lsmean.estimate, a.lsmean.ci_low, a.lsmean.ci_high,
                a.ancova.estimate if c else nan, a.ancova.ci_low if c else nan,
                a.ancova.ci_high if c else nan, a.ancova.p_value if c else nan,
                a.welch.estimate if c else nan, a.welch.p_value if c else nan,
                a.hedges_g.estimate if c else nan, a.hedges_g.ci_low if c else nan,
                a.hedges_g.ci_high if c else nan,
                a.response.events, a.response.rate.estimate,
                a.response_vs_control.rd.estimate if c else nan,
                a.response_vs_control.rd.ci_low if c else nan,
                a.response_vs_control.rd.ci_high if c else nan,
                a.response_vs_control.fisher.p_value if c else nan,
                a.response_vs_control.nnt.text if c else "",
                a.remission.events, a.remission.rate.estimate,
                a.remission_vs_control.rd.estimate if c else nan,
                a.remission_vs_control.fisher.p_value if c else nan))
        return rows

    def to_pandas(self):
        """table() as a pandas DataFrame."""
        return self.table().to_pandas()


def _arm_from_c(a, is_control):
    common = (cstr(a.name), is_control, int(a.n_randomised), EndpointCounts.from_c(a.counts),
              Describe.from_c(a.baseline), Describe.from_c(a.change), Result.from_c(a.lsmean),
              Rate.from_c(a.response), Rate.from_c(a.remission))
    if is_control:
        return ArmComparison(*common)
    return ArmComparison(*common, Result.from_c(a.welch), Result.from_c(a.ancova),
                         Result.from_c(a.hedges_g),
                         BinaryComparison.from_c(a.response_vs_control),
                         BinaryComparison.from_c(a.remission_vs_control))


def compare(trial, instrument, visit, control=None, missing="complete_case",
            conf_level=0.95, response_threshold=0.5, remission_cutoff=None,
            remission_strict=False, covariates=()):
    """The primary comparison of `instrument` at `visit` (see
    Trial.compare)."""
    o = _ffi.compare_options_init()
    keep = []
    if control is not None:
        keep.append(str(control).encode())
        o.control = keep[-1]
    o.missing = enum_value(_ffi.MISSING_RULES, missing, "missing-data rule")
    o.conf_level = conf_level
    o.response_threshold = response_threshold
    if remission_cutoff is not None:
        o.remission_cutoff = remission_cutoff
        o.remission_strict = 1 if remission_strict else 0
    if isinstance(covariates, str):
        covariates = [covariates]
    names = [str(c).encode() for c in covariates]
    if names:
        arr = (ctypes.c_char_p * len(names))(*names)
        keep.append(arr)
        o.covariates = ctypes.cast(arr, _ffi.c_char_p_p)
        o.n_covariates = len(names)
    h = ctypes.c_void_p()
    call(lib.kap_compare_run, ctypes.byref(h), trial._t, str(instrument).encode(),
         str(visit).encode(), ctypes.byref(o))
    handle = Handle(h.value, lib.kap_compare_free)
    try:
        c = handle.ptr
        ctl = lib.kap_compare_control(c)
        arms = [_arm_from_c(lib.kap_compare_arm_at(c, a).contents, a == ctl)
                for a in range(lib.kap_compare_n_arms(c))]
        return Comparison(instrument, visit, missing, arms[ctl].name,
                          int(lib.kap_compare_ancova_n(c)),
                          EndpointCounts.from_c(lib.kap_compare_counts(c).contents), arms)
    finally:
        handle.close()
