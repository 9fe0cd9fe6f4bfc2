"""Subgroup analyses, representation and Table 1 (subgroup.h)."""
import ctypes
import dataclasses
import math

import numpy as np

from . import _errors, _ffi
from ._ffi import KapResult, call, lib
from ._means import Describe
from ._meta import CmhResult, MetaResult
from ._types import Handle, Result, Table, _ReprMixin, cstr, enum_value

PADJUST = {"none": 0, "bonferroni": 1, "holm": 2, "hochberg": 3, "hommel": 4, "BH": 5,
           "fdr": 5, "BY": 6}
MEASURES = {"change": 0, "percent_change": 1, "response": 2, "remission": 3}


@dataclasses.dataclass(frozen=True, repr=False)
class SubgroupRow(_ReprMixin):
    """One line of a subgroup table (C: kap_subgroup_row): a level, or the
    "(missing)" line (is_missing).  small: an arm has fewer than
    min_per_arm values; n_treat, n_control (events_* for binary
    endpoints); mean_treat, mean_control (mean with t CI, or proportion
    with Wilson CI); diff (Welch mean difference, or risk difference with
    Newcombe CI); test (the level's treatment test: Welch t or Fisher);
    hedges_g; risk_ratio, odds_ratio (binary); yi, vi (effect and variance
    used for heterogeneity); forest_* and weight (percent); p_value,
    p_adjusted (within the levels); note."""
    level: str
    is_missing: bool
    small: bool
    in_heterogeneity: bool
    n_in_level: int
    n_treat: int
    n_control: int
    events_treat: int
    events_control: int
    mean_treat: Result
    mean_control: Result
    diff: Result
    test: Result
    hedges_g: Result
    risk_ratio: Result
    odds_ratio: Result
    yi: float
    vi: float
    forest_estimate: float
    forest_ci_low: float
    forest_ci_high: float
    weight: float
    p_value: float
    p_adjusted: float
    note: str = ""

    @classmethod
    def from_c(cls, r):
        return cls(cstr(r.level), bool(r.is_missing), bool(r.small), bool(r.in_heterogeneity),
                   int(r.n_in_level), int(r.n_treat), int(r.n_control), int(r.events_treat),
                   int(r.events_control),
                   *(Result.from_c(getattr(r, f)) for f in
                     ("mean_treat", "mean_control", "diff", "test", "hedges_g", "risk_ratio",
                      "odds_ratio")),
                   r.yi, r.vi, r.forest_estimate, r.forest_ci_low, r.forest_ci_high, r.weight,
                   r.p_value, r.p_adjusted, cstr(r.note))


@dataclasses.dataclass(frozen=True, repr=False)
class SubgroupResult(_ReprMixin):
    """Subgroup analysis of one endpoint by one variable (C: kap_subgroup).

    rows: Table of SubgroupRow (to_pandas()); interaction: dict of
    Results - "f" (anova(y ~ arm + g, y ~ arm * g)), "f_baseline" (with
    baseline), "q_logor" (binary: Cochran's Q of the log ORs),
    "breslow_day", "breslow_day_tarone"; heterogeneity: {"FE", "DL",
    "REML", "PM": MetaResult} of the per-level effects; cmh: CmhResult
    across levels (binary endpoints) or None; within: {"treatment",
    "control": {"anova_f", "welch_f", "kruskal": Result}}; adjust_method
    and adjust_family (multiplicity of the per-level p-values);
    n_missing: participants without a subgroup value; all_small."""
    variable: str
    treatment: str
    control: str
    binary: bool
    n_levels: int
    n_missing: int
    all_small: bool
    rows: Table
    interaction: dict = dataclasses.field(repr=False)
    heterogeneity: dict = dataclasses.field(repr=False)
    cmh: CmhResult = dataclasses.field(repr=False)
    within: dict = dataclasses.field(repr=False)
    adjust_method: str = ""
    adjust_family: str = ""

    def to_pandas(self):
        """rows as a pandas DataFrame."""
        return self.rows.to_pandas()

    def row(self, level):
        """The SubgroupRow of a level ("(missing)" for the missing line)."""
        for r in self.rows:
            if r.level == level:
                return r
        raise KeyError(level)


def _result_from_handle(sg):
    rows = Table((SubgroupRow.from_c(lib.kap_subgroup_row_at(sg, i).contents)
                  for i in range(lib.kap_subgroup_n_rows(sg))), SubgroupRow)
    it = lib.kap_subgroup_get_interaction(sg).contents
    interaction = {f: Result.from_c(getattr(it, f)) for f, _ in it._fields_}
    het = {}
    for name, code in _ffi.META_METHODS.items():
        p = lib.kap_subgroup_heterogeneity(sg, code)
        if p:
            het[name] = MetaResult.from_c(p.contents)
    p = lib.kap_subgroup_cmh(sg)
    cmh = None
    if p:
        c = p.contents
        cmh = CmhResult(*(Result.from_c(getattr(c, f)) for f in
                          ("mh_or", "mh_rr", "cmh", "cmh_uncorrected", "breslow_day",
                           "breslow_day_tarone")), int(c.k), int(c.n_dropped))
    within = {}
    for arm, name in ((0, "treatment"), (1, "control")):
        p = lib.kap_subgroup_within_arm(sg, arm)
        if p:
            w = p.contents
            within[name] = {f: Result.from_c(getattr(w, f)) for f, _ in w._fields_}
    m = lib.kap_subgroup_adjust_method(sg)
    return SubgroupResult(cstr(lib.kap_subgroup_variable(sg)), cstr(lib.kap_subgroup_treatment(sg)),
                          cstr(lib.kap_subgroup_control(sg)), bool(lib.kap_subgroup_is_binary(sg)),
                          int(lib.kap_subgroup_n_levels(sg)), int(lib.kap_subgroup_n_missing(sg)),
                          bool(lib.kap_subgroup_all_small(sg)), rows, interaction, het, cmh,
                          within, cstr(lib.kap_padjust_method_name(m)),
                          cstr(lib.kap_subgroup_adjust_family(sg)))


def _subgroup_options(measure, control, treatment, missing, response_threshold,
                      remission_cutoff, remission_strict, conf_level, min_per_arm, cuts,
                      het_method, knapp_hartung, adjust):
    o = _ffi.subgroup_options_init()
    keep = []
    o.measure = enum_value(MEASURES, measure, "measure")
    if control is not None:
        keep.append(str(control).encode())
        o.control = keep[-1]
    if treatment is not None:
        keep.append(str(treatment).encode())
        o.treatment = keep[-1]
    o.endpoint.missing = enum_value(_ffi.MISSING_RULES, missing, "missing-data rule")
    o.endpoint.response_threshold = response_threshold
    if remission_cutoff is not None:
        o.endpoint.remission_cutoff = remission_cutoff
        o.endpoint.remission_strict = 1 if remission_strict else 0
    o.conf_level = conf_level
    if min_per_arm < 0:
        raise _errors.InvalidArgumentError("min_per_arm must be >= 0", -1)
    o.min_per_arm = int(min_per_arm)
    if cuts is not None:
        c = np.ascontiguousarray(cuts, dtype=np.float64).reshape(-1)
        keep.append(c)
        o.cuts = c.ctypes.data_as(_ffi.c_double_p)
        o.n_cuts = len(c)
    o.het_method = enum_value(_ffi.META_METHODS, het_method, "heterogeneity method")
    o.knapp_hartung = 1 if knapp_hartung else 0
    o.adjust = enum_value(PADJUST, adjust, "p-value adjustment method")
    return o, keep


_OPTION_DOC = """
        measure: "change" (default), "percent_change", "response",
        "remission".  control: arm name (None: the arm named like placebo /
        control); treatment: None = the only other arm.  missing:
        "complete_case" (default), "locf", "bocf"; response_threshold
        (0.5); remission_cutoff (None: the instrument's default);
        conf_level (0.95); min_per_arm (5: smaller levels are flagged,
        never dropped); cuts: cut points for a numeric variable (age has
        default bands 18-34, 35-49, 50-64, 65+); het_method: "REML"
        (default), "DL", "PM", "FE" for the pooled estimate and forest
        weights; knapp_hartung (False); adjust: "holm" (default) or another
        p_adjust method for the per-level p-values."""


def subgroup_analysis(trial, instrument, visit, variable, measure="change", control=None,
                      treatment=None, missing="complete_case", response_threshold=0.5,
                      remission_cutoff=None, remission_strict=False, conf_level=0.95,
                      min_per_arm=5, cuts=None, het_method="REML", knapp_hartung=False,
                      adjust="holm"):
    """Subgroup analysis of the endpoint of `instrument` at `visit` by the
    levels of `variable` (a covariate: race, sex, site, age bands...) (C:
    kap_subgroup_run): per-level treatment effects and tests, treatment x
    subgroup interaction, heterogeneity of the per-level effects (FE, DL,
    REML, PM), CMH across levels for binary endpoints, within-arm
    comparisons, forest-plot data and adjusted p-values.
    Returns SubgroupResult."""
    o, keep = _subgroup_options(measure, control, treatment, missing, response_threshold,
                                remission_cutoff, remission_strict, conf_level, min_per_arm,
                                cuts, het_method, knapp_hartung, adjust)
    h = ctypes.c_void_p()
    call(lib.kap_subgroup_run, ctypes.byref(h), trial._t, str(instrument).encode(),
         str(visit).encode(), str(variable).encode(), ctypes.byref(o))
    del keep
    handle = Handle(h.value, lib.kap_subgroup_free)
    try:
        return _result_from_handle(handle.ptr)
    finally:
        handle.close()


subgroup_analysis.__doc__ += _OPTION_DOC


@dataclasses.dataclass(frozen=True, repr=False)
class SubgroupFamily(_ReprMixin):
    """Several subgrouping variables (C: kap_subgroup_family): analyses
    (one SubgroupResult per variable), interaction p-values across the
    variables (p) and adjusted by `method` (p_adjusted); description names
    the family."""
    variables: list
    p: np.ndarray
    p_adjusted: np.ndarray
    method: str
    description: str
    analyses: list = dataclasses.field(repr=False)

    def __getitem__(self, variable):
        return self.analyses[self.variables.index(variable)]


def subgroup_family(trial, instrument, visit, variables, method="holm", **options):
    """subgroup_analysis() for each of `variables` (same endpoint and
    options), with the treatment x subgroup interaction p-values adjusted
    across the variables by `method` (default "holm") (C:
    kap_subgroup_family_run).  Returns SubgroupFamily."""
    if isinstance(variables, str):
        variables = [variables]
    variables = [str(v) for v in variables]
    o, keep = _subgroup_options(**_with_defaults(options))
    names = (ctypes.c_char_p * max(len(variables), 1))(*(v.encode() for v in variables))
    h = ctypes.c_void_p()
    call(lib.kap_subgroup_family_run, ctypes.byref(h), trial._t, str(instrument).encode(),
         str(visit).encode(), names, len(variables), ctypes.byref(o),
         enum_value(PADJUST, method, "p-value adjustment method"))
    del keep
    handle = Handle(h.value, lib.kap_subgroup_family_free)
    try:
        f = handle.ptr
        n = lib.kap_subgroup_family_size(f)
        analyses = [_result_from_handle(lib.kap_subgroup_family_get(f, i)) for i in range(n)]
        p = np.array([lib.kap_subgroup_family_p(f, i) for i in range(n)])
        pa = np.array([lib.kap_subgroup_family_p_adjusted(f, i) for i in range(n)])
        return SubgroupFamily([a.variable for a in analyses], p, pa,
                              cstr(lib.kap_padjust_method_name(lib.kap_subgroup_family_method(f))),
                              cstr(lib.kap_subgroup_family_description(f)), analyses)
    finally:
        handle.close()


def _with_defaults(options):
    d = dict(measure="change", control=None, treatment=None, missing="complete_case",
             response_threshold=0.5, remission_cutoff=None, remission_strict=False,
             conf_level=0.95, min_per_arm=5, cuts=None, het_method="REML",
             knapp_hartung=False, adjust="holm")
    unknown = set(options) - set(d)
    if unknown:
        raise TypeError("unknown option(s): %s" % ", ".join(sorted(unknown)))
    d.update(options)
    return d


# ---- representation ------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class RepresentationRow(_ReprMixin):
    """One level x column of a representation table: arm ("overall" for
    the last column), count, denominator (known values), proportion with
    its Wilson CI (ci_low, ci_high); reference proportion and overall -
    reference in percentage points (nan without a reference)."""
    level: str
    arm: str
    count: int
    denominator: int
    proportion: float
    ci_low: float
    ci_high: float
    reference: float
    diff_pp: float
    note: str = ""


@dataclasses.dataclass(frozen=True, repr=False)
class Representation(_ReprMixin):
    """Enrolment by the levels of a variable per arm and overall (C:
    kap_representation): levels, columns (the arms, then "overall"),
    rows (Table of RepresentationRow), n_missing per column."""
    variable: str
    levels: list
    columns: list
    n_missing: dict
    rows: Table

    def to_pandas(self):
        return self.rows.to_pandas()


def representation(trial, variable, conf_level=0.95, cuts=None, reference=None):
    """Enrolment by the levels of `variable` per arm and overall, with
    Wilson CIs (prop.test(correct = FALSE)); proportions are over the
    participants with a known value.  cuts: cut points of a numeric
    variable (age: default bands).  reference: {level: proportion} (e.g.
    census) to report overall - reference in percentage points (C:
    kap_representation_run).  Returns Representation."""
    o = _ffi.representation_options_init()
    o.conf_level = conf_level
    keep = []
    if cuts is not None:
        c = np.ascontiguousarray(cuts, dtype=np.float64).reshape(-1)
        keep.append(c)
        o.cuts = c.ctypes.data_as(_ffi.c_double_p)
        o.n_cuts = len(c)
    if reference:
        items = list(reference.items())
        names = (ctypes.c_char_p * len(items))(*(str(k).encode() for k, _ in items))
        props = np.ascontiguousarray([float(v) for _, v in items], dtype=np.float64)
        keep += [names, props]
        o.reference_levels = ctypes.cast(names, _ffi.c_char_p_p)
        o.reference_props = props.ctypes.data_as(_ffi.c_double_p)
        o.n_reference = len(items)
    h = ctypes.c_void_p()
    call(lib.kap_representation_run, ctypes.byref(h), trial._t, str(variable).encode(),
         ctypes.byref(o))
    del keep
    handle = Handle(h.value, lib.kap_representation_free)
    try:
        r = handle.ptr
        nl, na = lib.kap_representation_n_levels(r), lib.kap_representation_n_arms(r)
        levels = [cstr(lib.kap_representation_level(r, i)) for i in range(nl)]
        cols = [cstr(lib.kap_representation_arm(r, a)) for a in range(na)] + ["overall"]
        rows = Table(row_type=RepresentationRow)
        cell = KapResult()
        for i, lv in enumerate(levels):
            ref_p = lib.kap_representation_reference(r, i)
            dpp = lib.kap_representation_diff_pp(r, i)
            for a, col in enumerate(cols):
                call(lib.kap_representation_cell, ctypes.byref(cell), r, i, a)
                rows.append(RepresentationRow(lv, col, int(cell.n1), int(cell.n2), cell.estimate,
                                              cell.ci_low, cell.ci_high, ref_p,
                                              dpp if col == "overall" else math.nan,
                                              cstr(cell.note)))
        missing = {col: int(lib.kap_representation_n_missing(r, a)) for a, col in enumerate(cols)}
        return Representation(str(variable), levels, cols, missing, rows)
    finally:
        handle.close()


# ---- Table 1 -----------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class Table1Row(_ReprMixin):
    """One line of Table 1: a continuous variable (level "", stats: a
    Describe per column) or one level of a categorical one (count and
    percent of the known values per column); n_missing per column; smd:
    standardised difference treatment vs control (on the variable's first
    line; Yang & Dalton for categorical variables), smd_note."""
    variable: str
    level: str
    categorical: bool
    counts: dict
    percents: dict
    stats: dict
    n_missing: dict
    smd: float
    smd_note: str = ""


@dataclasses.dataclass(frozen=True, repr=False)
class Table1(_ReprMixin):
    """Baseline characteristics by arm (C: kap_table1): columns (arms,
    then "overall"), rows (Table of Table1Row); to_pandas() gives a
    formatted table: "mean (SD)" / "n (%)" per column, and the SMD."""
    columns: list
    variables: list
    rows: Table

    def to_pandas(self, digits=1):
        """A display table: one row per continuous variable ("mean (SD)"
        and "median [Q1, Q3]") or categorical level ("n (%)"), a column
        per arm and overall, then SMD and missing counts."""
        import pandas as pd
        out = []
        for r in self.rows:
            line = {"variable": r.variable, "level": r.level}
            for c in self.columns:
                if r.categorical:
                    line[c] = "%d (%.*f%%)" % (r.counts[c], digits, r.percents[c])
                else:
                    d = r.stats[c]
                    line[c] = "%.*f (%.*f)" % (digits, d.mean, digits, d.sd)
            line["smd"] = r.smd
            line["missing"] = ", ".join("%s %d" % (c, r.n_missing[c]) for c in self.columns
                                        if r.n_missing[c])
            out.append(line)
            if not r.categorical:
                line = {"variable": r.variable, "level": "median [Q1, Q3]"}
                for c in self.columns:
                    d = r.stats[c]
                    line[c] = "%.*f [%.*f, %.*f]" % (digits, d.median, digits, d.q1, digits, d.q3)
                line["smd"] = math.nan
                line["missing"] = ""
                out.append(line)
        return pd.DataFrame(out)


def table1(trial, variables=None, treatment=None, control=None):
    """Table 1: baseline characteristics by arm (C: kap_table1_run).
    variables: covariate names, or instrument names for their baseline
    score; None = every covariate, then every instrument with a baseline.
    Continuous: describe() per arm and overall; categorical: n and % of
    the known values per level, missing counted apart.  SMD between
    treatment (None: the only other arm) and control (None: the arm named
    like placebo / control).  Returns Table1."""
    if isinstance(variables, str):
        variables = [variables]
    vs = [str(v).encode() for v in (variables or [])]
    arr = (ctypes.c_char_p * max(len(vs), 1))(*vs)
    h = ctypes.c_void_p()
    call(lib.kap_table1_run, ctypes.byref(h), trial._t, arr if vs else None, len(vs),
         None if treatment is None else str(treatment).encode(),
         None if control is None else str(control).encode())
    handle = Handle(h.value, lib.kap_table1_free)
    try:
        tb = handle.ptr
        na = lib.kap_table1_n_arms(tb)
        cols = [cstr(lib.kap_table1_arm(tb, a)) for a in range(na)] + ["overall"]
        rows = Table(row_type=Table1Row)
        names = []
        d = _ffi.KapDescribeResult()
        for v in range(lib.kap_table1_n_vars(tb)):
            name = cstr(lib.kap_table1_var_name(tb, v))
            names.append(name)
            miss = {c: int(lib.kap_table1_n_missing(tb, v, a)) for a, c in enumerate(cols)}
            smd, note = lib.kap_table1_smd(tb, v), cstr(lib.kap_table1_smd_note(tb, v))
            if lib.kap_table1_var_is_categorical(tb, v):
                for lv in range(lib.kap_table1_n_levels(tb, v)):
                    rows.append(Table1Row(
                        name, cstr(lib.kap_table1_level(tb, v, lv)), True,
                        {c: int(lib.kap_table1_count(tb, v, lv, a)) for a, c in enumerate(cols)},
                        {c: lib.kap_table1_percent(tb, v, lv, a) for a, c in enumerate(cols)},
                        {}, miss, smd if lv == 0 else math.nan, note if lv == 0 else ""))
            else:
                stats = {}
                for a, c in enumerate(cols):
                    call(lib.kap_table1_describe, ctypes.byref(d), tb, v, a)
                    stats[c] = Describe.from_c(d)
                rows.append(Table1Row(name, "", False, {}, {}, stats, miss, smd, note))
        return Table1(cols, names, rows)
    finally:
        handle.close()
