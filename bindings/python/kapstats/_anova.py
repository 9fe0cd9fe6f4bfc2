"""One-way analysis of variance (anova.h)."""
import ctypes
import dataclasses

from . import _ffi
from ._ffi import call, lib
from ._types import Result, _ReprMixin, as_array, as_codes, enum_value, same_length


@dataclasses.dataclass(frozen=True, repr=False)
class AnovaResult(_ReprMixin):
    """One-way ANOVA (C: kap_anova_oneway_result).  statistic, df, df2,
    p_value, method, note: the F test asked for (classic, or Welch's with
    welch=True); f and welch: both tests as Results; eta_squared and
    omega_squared: effect sizes with noncentral-F CIs (Results); n, k:
    observations and groups used; ss_*, df_*, ms_*: the ANOVA table;
    r_squared (= eta²), resid_sd; levels: group labels (code i =
    levels[i])."""
    statistic: float
    df: float
    df2: float
    p_value: float
    method: str
    n: int
    k: int
    ss_between: float
    ss_within: float
    ss_total: float
    df_between: float
    df_within: float
    ms_between: float
    ms_within: float
    r_squared: float
    resid_sd: float
    f: Result = dataclasses.field(repr=False)
    welch: Result = dataclasses.field(repr=False)
    eta_squared: Result = dataclasses.field(repr=False)
    omega_squared: Result = dataclasses.field(repr=False)
    levels: list = dataclasses.field(repr=False)
    note: str = ""


def anova_oneway(values, groups, welch=False, conf_level=0.95,
                 es_alternative="greater"):
    """One-way ANOVA of values by groups: classic F (R: anova(lm(y ~
    factor(g)))) or Welch's F (welch=True; R: oneway.test(var.equal =
    FALSE)), with eta² and omega² and their noncentral-F CIs as
    effectsize::eta_squared / omega_squared (C: kap_anova_oneway).

    groups: labels (strings or ints; levels sorted, code i = levels[i];
    None/NaN = missing).  conf_level=0.95 and es_alternative="greater"
    (effectsize's default: one-sided [lower, 1]; or "two-sided", "less")
    set the effect-size CIs.  NaN values and missing groups are dropped.
    F is in statistic with df and df2.  Returns AnovaResult."""
    y, py = as_array(values, "values")
    codes, pc, levels = as_codes(groups, "groups")
    n = same_length(("values", y), ("groups", codes))
    alt = enum_value(_ffi.ALTERNATIVES, es_alternative, "alternative")
    r = _ffi.KapAnovaOnewayResult()
    call(lib.kap_anova_oneway, ctypes.byref(r), py, pc, n, len(levels), conf_level, alt)
    f, w = Result.from_c(r.f), Result.from_c(r.welch)
    t = w if welch else f
    return AnovaResult(t.statistic, t.df, t.df2, t.p_value, t.method, int(r.n), int(r.k),
                       r.ss_between, r.ss_within, r.ss_total, r.df_between,
                       r.df_within, r.ms_between, r.ms_within, r.r_squared,
                       r.resid_sd, f, w, Result.from_c(r.eta_squared),
                       Result.from_c(r.omega_squared), list(levels), t.note)
