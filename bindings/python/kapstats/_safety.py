"""Safety tables (safety.h): adverse events, dissociation and vital signs."""
import ctypes
import dataclasses

from . import _ffi
from ._ffi import call, lib
from ._means import Describe
from ._types import Handle, Result, Table, _ReprMixin, cstr


@dataclasses.dataclass(frozen=True, repr=False)
class AeRow(_ReprMixin):
    """One adverse-event term (or "any adverse event") (C: kap_ae_row):
    participants with the event / with the term recorded per arm
    (not_recorded apart); incidence with Clopper-Pearson CI per arm; risk
    difference (Newcombe), risk ratio (Katz), Fisher's exact test."""
    term: str
    events_treat: int
    n_treat: int
    not_recorded_treat: int
    events_control: int
    n_control: int
    not_recorded_control: int
    incidence_treat: Result
    incidence_control: Result
    risk_difference: Result
    risk_ratio: Result
    fisher: Result

    @classmethod
    def from_c(cls, r):
        return cls(cstr(r.term), *(int(getattr(r, f)) for f in
                                   ("events_treat", "n_treat", "not_recorded_treat",
                                    "events_control", "n_control", "not_recorded_control")),
                   *(Result.from_c(getattr(r, f)) for f in
                     ("incidence_treat", "incidence_control", "risk_difference", "risk_ratio",
                      "fisher")))


@dataclasses.dataclass(frozen=True, repr=False)
class VitalRow(_ReprMixin):
    """One instrument x visit x arm of the dissociation / vital-sign table
    (C: kap_vital_row): value and change (Describe), thresholds used
    (above, rise; nan = none), n_assessed, n_exceed and the proportion
    beyond a threshold with its Clopper-Pearson CI (exceed)."""
    instrument: str
    visit: str
    arm: str
    is_baseline: bool
    value: Describe
    change: Describe
    above: float
    rise: float
    n_assessed: int
    n_exceed: int
    exceed: Result

    @classmethod
    def from_c(cls, r):
        return cls(cstr(r.instrument), cstr(r.visit), cstr(r.arm), bool(r.is_baseline),
                   Describe.from_c(r.value), Describe.from_c(r.change), r.above, r.rise,
                   int(r.n_assessed), int(r.n_exceed), Result.from_c(r.exceed))


@dataclasses.dataclass(frozen=True, repr=False)
class Safety(_ReprMixin):
    """Safety tables (C: kap_safety_ae, kap_safety_vitals): treatment and
    control arm names, adverse_events (Table of AeRow, most frequent
    first), any_ae (AeRow), vitals (Table of VitalRow)."""
    treatment: str
    control: str
    any_ae: AeRow
    adverse_events: Table
    vitals: Table


def _options(treatment, control, conf_level, thresholds):
    o = _ffi.safety_options_init()
    keep = []
    if treatment is not None:
        keep.append(str(treatment).encode())
        o.treatment = keep[-1]
    if control is not None:
        keep.append(str(control).encode())
        o.control = keep[-1]
    o.conf_level = conf_level
    if thresholds:
        items = list(thresholds.items())
        arr = (_ffi.KapSafetyThreshold * len(items))()
        for i, (name, (above, rise)) in enumerate(items):
            b = str(name).encode()
            keep.append(b)
            arr[i] = _ffi.KapSafetyThreshold(b, float("nan") if above is None else float(above),
                                             float("nan") if rise is None else float(rise))
        keep.append(arr)
        o.thresholds = arr
        o.n_thresholds = len(items)
    return o, keep


def safety(trial, treatment=None, control=None, conf_level=0.95, thresholds=None):
    """Safety tables of a trial: adverse events by term (incidence per arm
    with exact CIs, risk difference, risk ratio, Fisher's exact test;
    treatment None = the only other arm, control None = the arm named like
    placebo / control), and every dissociation / vital-sign instrument by
    visit and arm (value, change from baseline, proportion beyond the
    thresholds).  thresholds: {instrument: (above, rise)} overriding the
    defaults (hr > 110 or +20; sbp > 180 or +40; dbp > 110 or +25; cadss >
    4); None disables a part.  Returns Safety."""
    o, keep = _options(treatment, control, conf_level, thresholds)
    h = ctypes.c_void_p()
    call(lib.kap_safety_ae, ctypes.byref(h), trial._t, ctypes.byref(o))
    ae = Handle(h.value, lib.kap_ae_table_free)
    try:
        t = ae.ptr
        rows = Table((AeRow.from_c(lib.kap_ae_table_row(t, i).contents)
                      for i in range(lib.kap_ae_table_n_terms(t))), AeRow)
        any_ae = AeRow.from_c(lib.kap_ae_table_any(t).contents)
        treat, ctl = cstr(lib.kap_ae_table_treatment(t)), cstr(lib.kap_ae_table_control(t))
    finally:
        ae.close()
    h = ctypes.c_void_p()
    call(lib.kap_safety_vitals, ctypes.byref(h), trial._t, ctypes.byref(o))
    del keep
    vt = Handle(h.value, lib.kap_vitals_table_free)
    try:
        v = vt.ptr
        vitals = Table((VitalRow.from_c(lib.kap_vitals_table_row(v, i).contents)
                        for i in range(lib.kap_vitals_table_n_rows(v))), VitalRow)
    finally:
        vt.close()
    return Safety(treat, ctl, any_ae, rows, vitals)
