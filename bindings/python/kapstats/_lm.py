"""Linear models (linear_model.h): OLS, contrasts, nested-model F tests,
ANCOVA with adjusted differences and least-squares means."""
import ctypes
import dataclasses

import numpy as np

from . import _errors, _ffi
from ._ffi import KapResult, call, lib
from ._types import (Handle, LabeledResult, Result, Table, _ReprMixin, as_array,
                     as_codes, as_matrix, readonly, same_length)


def _c_array(ptr, n, dtype=np.float64):
    """Copy n values from a C pointer into a new ndarray."""
    if n == 0 or not ptr:
        return np.empty(0, dtype=dtype)
    return np.ctypeslib.as_array(ptr, shape=(n,)).astype(dtype, copy=True)


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class LinearModel(_ReprMixin):
    """An OLS fit (C: kap_lm).  Coefficient arrays are in model order:
    the intercept first (when fitted), then one per column of X.

    coef, se, statistic (t), p_value (two-sided), ci_low, ci_high: arrays
    of ncoef; residual_sd (R: sigma()), df (residual), r_squared,
    adj_r_squared, rss, condition (1-norm estimate of the scaled design);
    nobs: rows used (rows with NaN are dropped), nrows: rows given; rows:
    indices of the rows used; residuals, fitted: per used row; vcov:
    ncoef x ncoef; f_test: the overall F test (Result with statistic, df,
    df2, p_value); conf_level of the CIs; intercept: bool.
    contrast(L) tests a linear combination of the coefficients."""
    coef: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    residual_sd: float
    r_squared: float
    adj_r_squared: float
    df: float
    rss: float
    nobs: int
    nrows: int
    conf_level: float
    intercept: bool
    f_test: Result
    condition: float = dataclasses.field(repr=False)
    vcov: np.ndarray = dataclasses.field(repr=False)
    residuals: np.ndarray = dataclasses.field(repr=False)
    fitted: np.ndarray = dataclasses.field(repr=False)
    rows: np.ndarray = dataclasses.field(repr=False)
    _handle: Handle = dataclasses.field(repr=False)

    @classmethod
    def from_handle(cls, h, conf_level):
        m = h.ptr
        k = lib.kap_lm_ncoef(m)
        nobs = lib.kap_lm_nobs(m)

        def per_coef(fn):
            return readonly(np.array([fn(m, j) for j in range(k)], dtype=np.float64))

        vcov = np.array([[lib.kap_lm_vcov(m, i, j) for j in range(k)] for i in range(k)],
                        dtype=np.float64).reshape(k, k)
        f = KapResult()
        call(lib.kap_lm_f_test, ctypes.byref(f), m)
        return cls(per_coef(lib.kap_lm_coef), per_coef(lib.kap_lm_se),
                   per_coef(lib.kap_lm_t), per_coef(lib.kap_lm_p),
                   per_coef(lib.kap_lm_ci_low), per_coef(lib.kap_lm_ci_high),
                   lib.kap_lm_sigma(m), lib.kap_lm_r_squared(m),
                   lib.kap_lm_adj_r_squared(m), lib.kap_lm_df(m), lib.kap_lm_rss(m),
                   int(nobs), int(lib.kap_lm_nrows(m)), conf_level,
                   bool(lib.kap_lm_has_intercept(m)), Result.from_c(f),
                   lib.kap_lm_condition(m), readonly(vcov),
                   readonly(_c_array(lib.kap_lm_residuals(m), nobs)),
                   readonly(_c_array(lib.kap_lm_fitted(m), nobs)),
                   readonly(_c_array(lib.kap_lm_rows(m), nobs, np.intp)), h)

    def contrast(self, weights):
        """Linear combination L'b of the coefficients (weights: ncoef
        numbers, model order): estimate, se, t test of L'b = 0 (two-sided)
        and CI at the model's conf_level (C: kap_lm_contrast)."""
        w, pw = as_array(weights, "weights")
        if len(w) != len(self.coef):
            raise _errors.InvalidArgumentError(
                "weights must have %d entries (one per coefficient), got %d"
                % (len(self.coef), len(w)), -1)
        r = KapResult()
        call(lib.kap_lm_contrast, ctypes.byref(r), self._handle.ptr, pw)
        return Result.from_c(r)

    def coef_result(self, j):
        """Coefficient j (model order) as a Result (C: kap_lm_coef_result)."""
        if not 0 <= j < len(self.coef):
            raise _errors.InvalidArgumentError("coefficient index %r out of range" % (j,), -1)
        r = KapResult()
        call(lib.kap_lm_coef_result, ctypes.byref(r), self._handle.ptr, j)
        return Result.from_c(r)


def lm(y, X=None, intercept=True, conf_level=0.95):
    """Ordinary least squares y = b0 + X b + e, as R's lm(y ~ X) with
    summary.lm and confint (C: kap_lm_fit).

    y: n responses.  X: n x p predictors (2-D array-like, a pandas
    DataFrame, or a 1-D array for one predictor); None for an
    intercept-only model.  intercept=True (default) adds the intercept as
    coefficient 0; False fits through the origin (R² uncentred, as R).
    conf_level=0.95 for the coefficient CIs.
    NaN policy: rows with NaN in y or X are dropped (nobs, rows).
    Numerically unreliable designs (constant or collinear column,
    condition number > 1e12) raise NumericalError instead of answering.
    Returns LinearModel."""
    ya, py = as_array(y, "y")
    n = len(ya)
    if X is None:
        Xa, pX, p = None, None, 0
    else:
        Xa, pX = as_matrix(X, "X")
        p = Xa.shape[1]
        if Xa.shape[0] != n:
            raise _errors.InvalidArgumentError(
                "X must have one row per value of y (%d rows, %d values)"
                % (Xa.shape[0], n), -1)
    h = ctypes.c_void_p()
    call(lib.kap_lm_fit, ctypes.byref(h), py, pX, n, p, 1 if intercept else 0,
         conf_level)
    return LinearModel.from_handle(Handle(h.value, lib.kap_lm_free), conf_level)


def lm_compare(reduced, full):
    """Extra-sum-of-squares F test of a reduced model against a full model
    fitted to the same rows of the same response (R: anova(reduced, full))
    (C: kap_lm_compare).  statistic = F, df, df2, p_value, estimate = the
    reduction in RSS.  Nesting is the caller's responsibility."""
    r = KapResult()
    call(lib.kap_lm_compare, ctypes.byref(r), reduced._handle.ptr, full._handle.ptr)
    return Result.from_c(r)


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class AncovaResult(_ReprMixin):
    """ANCOVA result (C: kap_ancova).  arms: the arm labels (code i =
    arms[i]); control: the control label; diffs: Table of LabeledResult
    rows, one per non-control arm (adjusted difference arm - control, t
    test, CI; n1 rows used in the arm, n2 in control); lsmeans: Table of
    least-squares means per arm; model: the LinearModel (coefficients:
    intercept, baseline, one dummy per non-control arm in arm order, then
    the covariate columns, see covariate_columns)."""
    arms: list
    control: object
    diffs: Table
    lsmeans: Table
    model: LinearModel = dataclasses.field(repr=False)
    covariate_columns: list = dataclasses.field(repr=False)
    _handle: Handle = dataclasses.field(repr=False)

    def diff(self, arm=None):
        """The adjusted difference of `arm` vs control as a Result (the only
        one when arm is None and there are two arms)."""
        if arm is None:
            if len(self.diffs) != 1:
                raise _errors.InvalidArgumentError(
                    "several arms: say which (one of %r)" % [r.label for r in self.diffs], -1)
            return self.diffs[0].result()
        for r in self.diffs:
            if r.label == arm:
                return r.result()
        raise _errors.InvalidArgumentError("no difference for arm %r" % (arm,), -1)

    def lsmean(self, arm):
        """The least-squares mean of `arm` as a Result."""
        for r in self.lsmeans:
            if r.label == arm:
                return r.result()
        raise _errors.InvalidArgumentError("unknown arm %r" % (arm,), -1)


def _is_numeric(col):
    dt = getattr(col, "dtype", None)
    if dt is not None and not isinstance(col, (list, tuple)):
        return getattr(dt, "kind", "O") in "biuf"
    try:
        np.asarray(col, dtype=np.float64)
        return True
    except (TypeError, ValueError):
        return False


def _covariate_columns(covariates, n):
    """-> list of (name, column) pairs."""
    if covariates is None:
        return []
    if hasattr(covariates, "columns") and hasattr(covariates, "__getitem__"):  # DataFrame
        return [(str(c), covariates[c]) for c in covariates.columns]
    if isinstance(covariates, dict):
        return [(str(k), v) for k, v in covariates.items()]
    a = np.asarray(covariates)
    if a.ndim == 1:
        return [("x0", a)]
    if a.ndim != 2 or a.shape[0] != n:
        raise _errors.InvalidArgumentError(
            "covariates must be n x q (n = %d), got shape %s" % (n, a.shape), -1)
    return [("x%d" % j, a[:, j]) for j in range(a.shape[1])]


def _design(covariates, n):
    """Covariates -> (n x q row-major float64 matrix, factor ids, column names).
    Numeric columns are used as they are; a column of strings (or a pandas
    categorical) is a factor, treatment-coded by kap_lm_dummies with its
    first level (sorted) as the reference."""
    cols, ids, names = [], [], []
    g = 0
    for name, col in _covariate_columns(covariates, n):
        if _is_numeric(col):
            a, _ = as_array(col, name)
            if len(a) != n:
                raise _errors.InvalidArgumentError(
                    "covariate %s has %d values, expected %d" % (name, len(a), n), -1)
            cols.append(a.reshape(n, 1))
            ids.append(0)
            names.append(name)
        else:
            codes, pc, levels = as_codes(col, name)
            if len(codes) != n:
                raise _errors.InvalidArgumentError(
                    "covariate %s has %d values, expected %d" % (name, len(codes), n), -1)
            L = len(levels)
            d = np.empty((n, max(L - 1, 0)), dtype=np.float64)
            call(lib.kap_lm_dummies, d.ctypes.data_as(_ffi.c_double_p), pc, n, L, 0)
            g += 1
            cols.append(d)
            ids.extend([g] * (L - 1))
            names.extend("%s[%s]" % (name, lv) for lv in levels[1:])
    if not cols:
        return None, None, []
    X = np.ascontiguousarray(np.hstack(cols), dtype=np.float64)
    return X, np.asarray(ids, dtype=np.int32), names


def ancova(outcome, baseline, arm, control, covariates=None, conf_level=0.95):
    """ANCOVA: outcome ~ 1 + baseline + arm + covariates, with adjusted
    differences of each arm vs control and least-squares means (emmeans
    semantics: numeric covariates at their mean, factors averaged with
    equal weight over their levels), no multiplicity adjustment (C:
    kap_ancova_fit).

    outcome, baseline: n values.  arm: n labels (strings or ints; levels
    sorted, code i = arms[i]; None/NaN = missing).  control: the label of
    the control arm.  covariates: None, a pandas DataFrame, a dict
    name -> column, or an n x q array; numeric columns enter as they are,
    columns of strings (or pandas categoricals) as factors
    (treatment-coded, first sorted level the reference).
    NaN policy: rows with NaN in outcome, baseline or a covariate, or a
    missing arm, are dropped.  Returns AncovaResult."""
    y, py = as_array(outcome, "outcome")
    b, pb = as_array(baseline, "baseline")
    codes, pc, levels = as_codes(arm, "arm")
    n = same_length(("outcome", y), ("baseline", b), ("arm", codes))
    if control not in levels:
        raise _errors.NotFoundError("control arm %r is not among the arms %r"
                                    % (control, levels), -5)
    ctrl = levels.index(control)
    X, ids, names = _design(covariates, n)
    q = 0 if X is None else X.shape[1]
    pX = None if X is None else X.ctypes.data_as(_ffi.c_double_p)
    pids = None if ids is None else ids.ctypes.data_as(_ffi.c_int32_p)
    h = ctypes.c_void_p()
    call(lib.kap_ancova_fit, ctypes.byref(h), py, pb, pc, n, len(levels), ctrl,
         pX, q, pids, conf_level)
    handle = Handle(h.value, lib.kap_ancova_free)
    diffs = Table(row_type=LabeledResult)
    lsmeans = Table(row_type=LabeledResult)
    r = KapResult()
    for a, label in enumerate(levels):
        call(lib.kap_ancova_lsmean, ctypes.byref(r), handle.ptr, a)
        lsmeans.append(LabeledResult.of(label, Result.from_c(r)))
        if a != ctrl:
            call(lib.kap_ancova_diff, ctypes.byref(r), handle.ptr, a)
            diffs.append(LabeledResult.of(label, Result.from_c(r)))
    model = LinearModel.from_handle(
        Handle(lib.kap_ancova_model(handle.ptr), None, owner=handle), conf_level)
    cols = ["(intercept)", "baseline"] + ["arm[%s]" % lv for i, lv in enumerate(levels)
                                          if i != ctrl] + names
    return AncovaResult(list(levels), control, diffs, lsmeans, model, cols, handle)
