"""Loading libkapstats and the one place where C signatures are declared.

The shared library is found, in order, through:
1. the KAPSTATS_LIB environment variable (a path to libkapstats.so*);
2. beside the package: an installed copy (PREFIX/lib/libkapstats.so.0 for
   PREFIX/lib/python3/dist-packages/kapstats, or a copy inside the package);
3. the system loader (libkapstats.so.0 on the library path).
The library's version must match the version these bindings were written
for (major and minor); a mismatch raises ImportError at import.

Every C function the bindings use is declared below, once, with its
argument and result types (mirroring include/kapstats/*.h).  Functions that
return a result code are called through call(), which appends a kap_error,
and check(), which turns every non-OK code into the mapped exception
carrying the C message (see _errors.py).  ctypes releases the GIL during
each foreign call; the library is re-entrant, so threads run in parallel.
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
c_size_t_p = ctypes.POINTER(ctypes.c_size_t)
c_int_p = ctypes.POINTER(ctypes.c_int)
c_char_p_p = ctypes.POINTER(ctypes.c_char_p)
c_enum = ctypes.c_int  # C enums are int-sized on every supported ABI


class KapError(ctypes.Structure):
    """kap_error (common.h)."""
    _fields_ = [
        ("code", ctypes.c_int),
        ("message", ctypes.c_char * 512),
        ("file", ctypes.c_char * 256),
        ("line", ctypes.c_ulong),
        ("column", ctypes.c_ulong),
    ]


class KapResult(ctypes.Structure):
    """kap_result (common.h)."""
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


# ---- meta.h -----------------------------------------------------------------
class KapMetaOptions(ctypes.Structure):
    """kap_meta_options (meta.h)."""
    _fields_ = [
        ("version", ctypes.c_uint),
        ("method", c_enum),
        ("test", c_enum),
        ("conf_level", ctypes.c_double),
        ("threshold", ctypes.c_double),
        ("tol", ctypes.c_double),
        ("maxiter", ctypes.c_uint),
        ("ci_maxiter", ctypes.c_uint),
        ("ll0check", ctypes.c_int),
        ("tau2_ci", ctypes.c_int),
    ]


def meta_options_init():
    """KAP_META_OPTIONS_INIT (metafor 3.8 defaults)."""
    return KapMetaOptions(1, META_METHODS["REML"], META_TESTS["z"], 0.95, 1e-5,
                          0.0001220703125, 100, 1000, 1, 1)


META_METHODS = {"FE": 0, "DL": 1, "REML": 2, "PM": 3}
META_TESTS = {"z": 0, "knha": 1}


class KapMetaResult(ctypes.Structure):
    """kap_meta_result (meta.h)."""
    _fields_ = [
        ("pooled", KapResult),
        ("tau2", ctypes.c_double),
        ("se_tau2", ctypes.c_double),
        ("tau2_ci_low", ctypes.c_double),
        ("tau2_ci_high", ctypes.c_double),
        ("Q", ctypes.c_double),
        ("Q_df", ctypes.c_double),
        ("Q_p", ctypes.c_double),
        ("I2", ctypes.c_double),
        ("I2_ci_low", ctypes.c_double),
        ("I2_ci_high", ctypes.c_double),
        ("H2", ctypes.c_double),
        ("H2_ci_low", ctypes.c_double),
        ("H2_ci_high", ctypes.c_double),
        ("vt", ctypes.c_double),
        ("k", ctypes.c_size_t),
        ("n_dropped", ctypes.c_size_t),
        ("iterations", ctypes.c_uint),
        ("method", c_enum),
        ("test", c_enum),
        ("het_note", ctypes.c_char_p),
    ]


class KapStratSummary(ctypes.Structure):
    """kap_strat_summary (meta.h)."""
    _fields_ = [(f, ctypes.c_double) for f in
                ("n1", "mean1", "sd1", "n2", "mean2", "sd2")]


class KapCmhResult(ctypes.Structure):
    """kap_cmh_result (meta.h)."""
    _fields_ = [
        ("mh_or", KapResult),
        ("mh_rr", KapResult),
        ("cmh", KapResult),
        ("cmh_uncorrected", KapResult),
        ("breslow_day", KapResult),
        ("breslow_day_tarone", KapResult),
        ("k", ctypes.c_size_t),
        ("n_dropped", ctypes.c_size_t),
    ]


# ---- analysis.h ---------------------------------------------------------------
class KapEndpointOptions(ctypes.Structure):
    """kap_endpoint_options (analysis.h)."""
    _fields_ = [
        ("version", ctypes.c_uint),
        ("missing", c_enum),
        ("response_threshold", ctypes.c_double),
        ("remission_cutoff", ctypes.c_double),
        ("remission_strict", ctypes.c_int),
    ]


def endpoint_options_init():
    """KAP_ENDPOINT_OPTIONS_INIT."""
    return KapEndpointOptions(1, 0, 0.5, float("nan"), 0)


class KapEndpointCounts(ctypes.Structure):
    """kap_endpoint_counts (analysis.h)."""
    _fields_ = [(f, ctypes.c_size_t) for f in
                ("n_participants", "n_used", "n_missing_baseline",
                 "n_missing_post", "n_imputed", "n_baseline_zero")]


ALTERNATIVES = {"two-sided": 0, "less": 1, "greater": 2}
MEASURES = {"change": 0, "percent_change": 1, "response": 2, "remission": 3,
            "value": 4}
MISSING_RULES = {"complete_case": 0, "locf": 1, "bocf": 2}


# ---- loading ------------------------------------------------------------------
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

#: Names of the C functions declared below (tests compare with the headers).
DECLARED = set()


def _declare(name, restype, argtypes):
    try:
        f = getattr(lib, name)
    except AttributeError:
        raise ImportError("kapstats: %s (%s) has no symbol %s: library and "
                          "bindings do not match" % (LIBRARY_PATH, LIBRARY_VERSION
                                                     if "LIBRARY_VERSION" in globals()
                                                     else "?", name)) from None
    f.restype = restype
    f.argtypes = argtypes
    DECLARED.add(name)
    return f


_declare("kap_version", ctypes.c_char_p, [])
_declare("kap_version_number", ctypes.c_int, [])
_declare("kap_strerror", ctypes.c_char_p, [ctypes.c_int])

LIBRARY_VERSION = lib.kap_version().decode()


def check_version():
    """Raise ImportError unless the loaded library's major.minor equals
    HEADER_VERSION's (called at import, before any other declaration)."""
    n = lib.kap_version_number()
    if (n // 10000, (n // 100) % 100) != tuple(HEADER_VERSION[:2]):
        raise ImportError(
            "kapstats: library/header version mismatch: %s loaded from %s, "
            "bindings are for %d.%d.%d" % (LIBRARY_VERSION, LIBRARY_PATH,
                                           *HEADER_VERSION))


check_version()


def declare(name, argtypes, restype=ctypes.c_int):
    """Declare a C function once (argument and result types)."""
    return _declare(name, restype, argtypes)


def check(rc, err):
    """Raise the mapped exception for a non-OK result code."""
    if rc != 0:
        raise _errors.from_code(rc, err)
    return rc


def call(f, *args):
    """Call a result-code-returning C function with a fresh trailing
    kap_error and raise the mapped exception on failure."""
    err = KapError()
    rc = f(*args, ctypes.byref(err))
    return check(rc, err)


# ---- declarations: every C function the bindings use ------------------------
_E = ctypes.POINTER(KapError)
_sz = ctypes.c_size_t
_d = ctypes.c_double
_P = ctypes.c_void_p  # opaque handles (kap_trial *, ...)

# multiplicity.h
declare("kap_p_adjust", [c_double_p, c_double_p, _sz, c_enum, _E])
declare("kap_padjust_method_name", [c_enum], ctypes.c_char_p)
declare("kap_padjust_method_parse", [c_int_p, ctypes.c_char_p, _E])

# meta.h
declare("kap_meta_fit", [ctypes.POINTER(KapMetaResult), c_double_p, c_double_p,
                         _sz, ctypes.POINTER(KapMetaOptions), _E])
declare("kap_meta_method_name", [c_enum], ctypes.c_char_p)
declare("kap_strat_md", [ctypes.POINTER(KapMetaResult), c_double_p, c_double_p,
                         _sz, _d, _E])
declare("kap_strat_md_summary", [ctypes.POINTER(KapMetaResult),
                                 ctypes.POINTER(KapStratSummary), _sz,
                                 ctypes.c_int, _d, _E])
declare("kap_strat_cmh", [ctypes.POINTER(KapCmhResult), c_double_p, c_double_p,
                          c_double_p, c_double_p, _sz, c_enum, _d, _E])
declare("kap_strat_woolf", [ctypes.POINTER(KapMetaResult), c_double_p, c_double_p,
                            c_double_p, c_double_p, _sz,
                            ctypes.POINTER(KapMetaOptions), _E])

# trial.h (accessors; a kap_trial is immutable once built)
declare("kap_trial_free", [_P], None)
declare("kap_trial_n_participants", [_P], _sz)
declare("kap_trial_participant_id", [_P, _sz], ctypes.c_char_p)
declare("kap_trial_n_arms", [_P], _sz)
declare("kap_trial_arm_name", [_P, _sz], ctypes.c_char_p)
declare("kap_trial_arms", [_P], c_int32_p)
declare("kap_trial_find_arm", [_P, ctypes.c_char_p, c_size_t_p, _E])
declare("kap_trial_n_instruments", [_P], _sz)
declare("kap_trial_instrument_name", [_P, _sz], ctypes.c_char_p)
declare("kap_trial_instrument_kind", [_P, _sz], c_enum)
declare("kap_trial_instrument_range", [_P, _sz, c_double_p, c_double_p], None)
declare("kap_trial_find_instrument", [_P, ctypes.c_char_p, c_size_t_p, _E])
declare("kap_trial_n_visits", [_P, _sz], _sz)
declare("kap_trial_visit_label", [_P, _sz, _sz], ctypes.c_char_p)
declare("kap_trial_visit_day", [_P, _sz, _sz], _d)
declare("kap_trial_baseline_visit", [_P, _sz], ctypes.c_long)
declare("kap_trial_find_visit", [_P, _sz, ctypes.c_char_p, c_size_t_p, _E])
declare("kap_trial_scores", [_P, _sz], c_double_p)
declare("kap_trial_n_covariates", [_P], _sz)
declare("kap_trial_covariate_name", [_P, _sz], ctypes.c_char_p)
declare("kap_trial_covariate_type", [_P, _sz], c_enum)
declare("kap_trial_find_covariate", [_P, ctypes.c_char_p, c_size_t_p, _E])
declare("kap_trial_covariate_values", [_P, _sz], c_double_p)
declare("kap_trial_covariate_codes", [_P, _sz], c_int32_p)
declare("kap_trial_covariate_n_levels", [_P, _sz], _sz)
declare("kap_trial_covariate_level", [_P, _sz, _sz], ctypes.c_char_p)
declare("kap_trial_n_ae_terms", [_P], _sz)
declare("kap_trial_ae_term", [_P, _sz], ctypes.c_char_p)
declare("kap_trial_ae_flags", [_P, _sz], c_int8_p)
declare("kap_trial_n_sources", [_P], _sz)
declare("kap_trial_source_name", [_P, _sz], ctypes.c_char_p)
declare("kap_trial_source_sha256", [_P, _sz], ctypes.c_char_p)
declare("kap_trial_source_layout", [_P], ctypes.c_char_p)
declare("kap_trial_writer_version", [_P], ctypes.c_char_p)

# analysis.h
declare("kap_remission_default", [ctypes.c_char_p, c_double_p, c_int_p], ctypes.c_int)
declare("kap_trial_endpoint", [c_double_p, ctypes.POINTER(KapEndpointCounts), _P,
                               _sz, _sz, c_enum,
                               ctypes.POINTER(KapEndpointOptions), _E])

# linear_model.h
declare("kap_lm_fit", [ctypes.POINTER(_P), c_double_p, c_double_p, _sz, _sz,
                       ctypes.c_int, _d, _E])
declare("kap_lm_free", [_P], None)
for _n in ("ncoef", "nrows", "nobs"):
    declare("kap_lm_" + _n, [_P], _sz)
declare("kap_lm_has_intercept", [_P], ctypes.c_int)
declare("kap_lm_rows", [_P], c_size_t_p)
for _n in ("coef", "se", "t", "p", "ci_low", "ci_high"):
    declare("kap_lm_" + _n, [_P, _sz], _d)
declare("kap_lm_vcov", [_P, _sz, _sz], _d)
declare("kap_lm_coef_result", [ctypes.POINTER(KapResult), _P, _sz, _E])
for _n in ("sigma", "df", "rss", "r_squared", "adj_r_squared", "condition"):
    declare("kap_lm_" + _n, [_P], _d)
declare("kap_lm_residuals", [_P], c_double_p)
declare("kap_lm_fitted", [_P], c_double_p)
declare("kap_lm_f_test", [ctypes.POINTER(KapResult), _P, _E])
declare("kap_lm_contrast", [ctypes.POINTER(KapResult), _P, c_double_p, _E])
declare("kap_lm_compare", [ctypes.POINTER(KapResult), _P, _P, _E])
declare("kap_lm_dummies", [c_double_p, c_int32_p, _sz, ctypes.c_int32,
                           ctypes.c_int32, _E])
declare("kap_ancova_fit", [ctypes.POINTER(_P), c_double_p, c_double_p, c_int32_p,
                           _sz, ctypes.c_int32, ctypes.c_int32, c_double_p, _sz,
                           c_int32_p, _d, _E])
declare("kap_ancova_free", [_P], None)
declare("kap_ancova_n_arms", [_P], ctypes.c_int32)
declare("kap_ancova_control", [_P], ctypes.c_int32)
declare("kap_ancova_model", [_P], _P)
declare("kap_ancova_diff", [ctypes.POINTER(KapResult), _P, ctypes.c_int32, _E])
declare("kap_ancova_lsmean", [ctypes.POINTER(KapResult), _P, ctypes.c_int32, _E])


# anova.h
class KapAnovaOnewayResult(ctypes.Structure):
    """kap_anova_oneway_result (anova.h)."""
    _fields_ = [("n", _sz), ("k", _sz)] + [
        (f, _d) for f in ("ss_between", "ss_within", "ss_total", "df_between",
                          "df_within", "ms_between", "ms_within", "r_squared",
                          "resid_sd")] + [
        (f, KapResult) for f in ("f", "welch", "eta_squared", "omega_squared")]


declare("kap_anova_oneway", [ctypes.POINTER(KapAnovaOnewayResult), c_double_p,
                             c_int32_p, _sz, ctypes.c_int32, _d, c_enum, _E])


# ingest.h
class KapInstrumentRange(ctypes.Structure):
    """kap_instrument_range (ingest.h)."""
    _fields_ = [("name", ctypes.c_char_p), ("min", _d), ("max", _d)]


class KapIngestOptions(ctypes.Structure):
    """kap_ingest_options (ingest.h)."""
    _fields_ = [
        ("version", ctypes.c_uint),
        ("layout", c_enum),
        ("ae_path", ctypes.c_char_p),
        ("missing_codes", c_char_p_p),
        ("n_missing_codes", _sz),
        ("ranges", ctypes.POINTER(KapInstrumentRange)),
        ("n_ranges", _sz),
    ]


def ingest_options_init():
    """KAP_INGEST_OPTIONS_INIT."""
    return KapIngestOptions(1, 0, None, None, 0, None, 0)


LAYOUTS = {"auto": 0, "wide": 1, "long": 2}

declare("kap_ingest_files", [ctypes.POINTER(_P), c_char_p_p, _sz,
                             ctypes.POINTER(KapIngestOptions), _E])
declare("kap_ingest_memory", [ctypes.POINTER(_P), ctypes.c_char_p, ctypes.c_void_p, _sz,
                              ctypes.POINTER(KapIngestOptions), _E])


# rank.h
class KapRankOptions(ctypes.Structure):
    """kap_rank_options (rank.h)."""
    _fields_ = [
        ("version", ctypes.c_uint),
        ("alternative", c_enum),
        ("method", c_enum),
        ("correct", ctypes.c_int),
        ("mu", _d),
        ("conf_int", ctypes.c_int),
        ("conf_level", _d),
    ]


def rank_options_init():
    """KAP_RANK_OPTIONS_INIT."""
    return KapRankOptions(1, 0, 0, 1, 0.0, 0, 0.95)


RANK_METHODS = {"auto": 0, "exact": 1, "asymptotic": 2}
_R = ctypes.POINTER(KapResult)
_RO = ctypes.POINTER(KapRankOptions)
declare("kap_rank_mann_whitney", [_R, c_double_p, _sz, c_double_p, _sz, _RO, _E])
declare("kap_rank_signed_rank", [_R, c_double_p, c_double_p, _sz, _RO, _E])
declare("kap_rank_kruskal_wallis", [_R, c_double_p, c_int_p, _sz, _E])
for _n in ("biserial", "cliffs_delta", "p_superiority"):
    declare("kap_rank_" + _n, [_R, c_double_p, _sz, c_double_p, _sz, _d, _d, c_enum, _E])
for _n in ("biserial_paired", "p_superiority_paired"):
    declare("kap_rank_" + _n, [_R, c_double_p, c_double_p, _sz, _d, _d, c_enum, _E])


# binary.h
class KapNnt(ctypes.Structure):
    """kap_nnt (binary.h)."""
    _fields_ = [
        ("rd", _d), ("rd_low", _d), ("rd_high", _d), ("conf_level", _d),
        ("kind", c_enum), ("nnt", _d), ("ci_kind", c_enum),
        ("nntb_low", _d), ("nntb_high", _d), ("nnth_low", _d), ("nnth_high", _d),
        ("method", ctypes.c_char_p), ("note", ctypes.c_char_p),
    ]


PROP_CI_METHODS = {"wilson": 0, "clopper-pearson": 1, "agresti-coull": 2, "jeffreys": 3}
RD_CI_METHODS = {"newcombe": 0, "wald": 1}
EVENT_KINDS = {"beneficial": 0, "harmful": 1}
NNT_KINDS = ["benefit", "harm", "none", "undefined"]
NNT_CI_KINDS = ["benefit", "harm", "crosses", "none", "undefined"]

declare("kap_binary_prop_ci", [_R, _sz, _sz, c_enum, _d, c_enum, _E])
declare("kap_binary_binom_test", [_R, _sz, _sz, _d, c_enum, _d, _E])
declare("kap_binary_risk_difference", [_R, _sz, _sz, _sz, _sz, c_enum, _d, _E])
declare("kap_binary_risk_ratio", [_R, _sz, _sz, _sz, _sz, _d, _E])
declare("kap_binary_odds_ratio", [_R, _sz, _sz, _sz, _sz, _d, _E])
declare("kap_binary_fisher", [_R, _sz, _sz, _sz, _sz, c_enum, _d, _E])
declare("kap_binary_chisq", [_R, _sz, _sz, _sz, _sz, ctypes.c_int, _E])
declare("kap_binary_nnt_from_rd", [ctypes.POINTER(KapNnt), _d, _d, _d, _d, c_enum, _E])
declare("kap_binary_nnt", [ctypes.POINTER(KapNnt), _sz, _sz, _sz, _sz, c_enum, c_enum,
                           _d, _E])
declare("kap_binary_nnt_format", [ctypes.c_char_p, _sz, ctypes.POINTER(KapNnt),
                                  ctypes.c_int, _E])


# descriptive.h
class KapDescribeResult(ctypes.Structure):
    """kap_describe_result (descriptive.h)."""
    _fields_ = [("n", _sz), ("n_missing", _sz)] + [
        (f, _d) for f in ("mean", "sd", "se", "median", "q1", "q3", "min", "max",
                          "ci_low", "ci_high", "conf_level")] + [
        ("note", ctypes.c_char_p)]


declare("kap_describe", [ctypes.POINTER(KapDescribeResult), c_double_p, _sz, _sz, _d, _E])


class KapTwoSummary(ctypes.Structure):
    """kap_two_summary (descriptive.h)."""
    _fields_ = [("n1", _sz), ("n2", _sz), ("n1_missing", _sz), ("n2_missing", _sz),
                ("mean1", _d), ("mean2", _d), ("ss1", _d), ("ss2", _d),
                ("scale", ctypes.c_int)]


_TS = ctypes.POINTER(KapTwoSummary)
declare("kap_describe_two", [_TS, c_double_p, _sz, _sz, c_double_p, _sz, _sz, _E])


# ttest.h
class KapTtestOptions(ctypes.Structure):
    """kap_ttest_options (ttest.h)."""
    _fields_ = [("version", ctypes.c_uint), ("alternative", c_enum), ("mu", _d),
                ("conf_level", _d), ("var_equal", ctypes.c_int)]


def ttest_options_init():
    """KAP_TTEST_OPTIONS_INIT."""
    return KapTtestOptions(1, 0, 0.0, 0.95, 0)


_TO = ctypes.POINTER(KapTtestOptions)
declare("kap_ttest_two", [_R, c_double_p, _sz, _sz, c_double_p, _sz, _sz, _TO, _E])
declare("kap_ttest_paired", [_R, c_double_p, _sz, c_double_p, _sz, _sz, _TO, _E])
declare("kap_ttest_one", [_R, c_double_p, _sz, _sz, _TO, _E])
declare("kap_ttest_two_summary", [_R, _TS, _TO, _E])


# effect_size.h
class KapEffectSizeOptions(ctypes.Structure):
    """kap_effect_size_options (effect_size.h)."""
    _fields_ = [("version", ctypes.c_uint), ("conf_level", _d), ("alternative", c_enum),
                ("mu", _d), ("pooled_sd", ctypes.c_int), ("ci_method", c_enum)]


def effect_size_options_init():
    """KAP_EFFECT_SIZE_OPTIONS_INIT."""
    return KapEffectSizeOptions(1, 0.95, 0, 0.0, 1, 0)


ES_CI_METHODS = {"ncp": 0, "normal": 1}
PAIRED_D = {"z": 0, "rm": 1, "av": 2, "b": 3}
_EO = ctypes.POINTER(KapEffectSizeOptions)
for _n in ("cohens_d", "hedges_g", "glass_delta"):
    declare("kap_effect_size_" + _n, [_R, c_double_p, _sz, _sz, c_double_p, _sz, _sz, _EO, _E])
for _n in ("paired_d", "paired_g"):
    declare("kap_effect_size_" + _n, [_R, c_double_p, _sz, c_double_p, _sz, _sz, c_enum,
                                      _EO, _E])
declare("kap_effect_size_hedges_j", [_d], _d)
for _n in ("cohens_d", "hedges_g", "glass_delta"):
    declare("kap_effect_size_%s_summary" % _n, [_R, _TS, _EO, _E])


# trial.h: the store (HDF5) and ingestion notes
declare("kap_trial_open", [ctypes.POINTER(_P), ctypes.c_char_p, _E])
declare("kap_trial_write", [_P, ctypes.c_char_p, _E])
declare("kap_trial_mapping", [_P], ctypes.c_char_p)
declare("kap_trial_n_excluded_dtype", [_P], _sz)
declare("kap_trial_n_excluded_anl01", [_P], _sz)
declare("kap_trial_n_varying_columns", [_P], _sz)
declare("kap_trial_varying_column", [_P, _sz], ctypes.c_char_p)


# analysis.h: the primary comparison
class KapCompareOptions(ctypes.Structure):
    """kap_compare_options (analysis.h)."""
    _fields_ = [("version", ctypes.c_uint), ("control", ctypes.c_char_p),
                ("missing", c_enum), ("conf_level", _d), ("response_threshold", _d),
                ("remission_cutoff", _d), ("remission_strict", ctypes.c_int),
                ("covariates", c_char_p_p), ("n_covariates", _sz)]


def compare_options_init():
    """KAP_COMPARE_OPTIONS_INIT."""
    return KapCompareOptions(1, None, 0, 0.95, 0.5, float("nan"), 0, None, 0)


class KapRate(ctypes.Structure):
    """kap_rate (analysis.h)."""
    _fields_ = [("events", _sz), ("n", _sz), ("rate", KapResult)]


class KapBinaryComparison(ctypes.Structure):
    """kap_binary_comparison (analysis.h)."""
    _fields_ = [("rd", KapResult), ("rr", KapResult), ("or_", KapResult),
                ("fisher", KapResult), ("nnt", KapNnt)]


class KapCompareArm(ctypes.Structure):
    """kap_compare_arm (analysis.h)."""
    _fields_ = [("name", ctypes.c_char_p), ("n_randomised", _sz),
                ("counts", KapEndpointCounts), ("baseline", KapDescribeResult),
                ("change", KapDescribeResult), ("lsmean", KapResult),
                ("response", KapRate), ("remission", KapRate), ("welch", KapResult),
                ("ancova", KapResult), ("hedges_g", KapResult),
                ("response_vs_control", KapBinaryComparison),
                ("remission_vs_control", KapBinaryComparison)]


declare("kap_trial_choose_control", [c_size_t_p, _P, ctypes.c_char_p, _E])
declare("kap_compare_run", [ctypes.POINTER(_P), _P, ctypes.c_char_p, ctypes.c_char_p,
                            ctypes.POINTER(KapCompareOptions), _E])
declare("kap_compare_free", [_P], None)
declare("kap_compare_n_arms", [_P], _sz)
declare("kap_compare_control", [_P], _sz)
declare("kap_compare_arm_at", [_P, _sz], ctypes.POINTER(KapCompareArm))
declare("kap_compare_counts", [_P], ctypes.POINTER(KapEndpointCounts))
declare("kap_compare_ancova_n", [_P], _sz)


# subgroup.h
class KapSubgroupOptions(ctypes.Structure):
    """kap_subgroup_options (subgroup.h)."""
    _fields_ = [("version", ctypes.c_uint), ("measure", c_enum),
                ("control", ctypes.c_char_p), ("treatment", ctypes.c_char_p),
                ("endpoint", KapEndpointOptions), ("conf_level", _d),
                ("min_per_arm", _sz), ("cuts", c_double_p), ("n_cuts", _sz),
                ("het_method", c_enum), ("knapp_hartung", ctypes.c_int),
                ("adjust", c_enum)]


def subgroup_options_init():
    """KAP_SUBGROUP_OPTIONS_INIT."""
    return KapSubgroupOptions(1, 0, None, None, endpoint_options_init(), 0.95, 5, None, 0,
                              META_METHODS["REML"], 0, 2)


class KapSubgroupRow(ctypes.Structure):
    """kap_subgroup_row (subgroup.h)."""
    _fields_ = [("level", ctypes.c_char_p), ("is_missing", ctypes.c_int),
                ("small", ctypes.c_int), ("in_heterogeneity", ctypes.c_int),
                ("n_in_level", _sz), ("n_treat", _sz), ("n_control", _sz),
                ("events_treat", _sz), ("events_control", _sz)] + [
        (f, KapResult) for f in ("mean_treat", "mean_control", "diff", "test", "hedges_g",
                                 "risk_ratio", "odds_ratio")] + [
        (f, _d) for f in ("yi", "vi", "forest_estimate", "forest_ci_low", "forest_ci_high",
                          "weight", "p_value", "p_adjusted")] + [
        ("note", ctypes.c_char_p)]


class KapSubgroupInteraction(ctypes.Structure):
    """kap_subgroup_interaction (subgroup.h)."""
    _fields_ = [(f, KapResult) for f in ("f", "f_baseline", "q_logor", "breslow_day",
                                         "breslow_day_tarone")]


class KapSubgroupWithin(ctypes.Structure):
    """kap_subgroup_within (subgroup.h)."""
    _fields_ = [(f, KapResult) for f in ("anova_f", "welch_f", "kruskal")]


class KapRepresentationOptions(ctypes.Structure):
    """kap_representation_options (subgroup.h)."""
    _fields_ = [("version", ctypes.c_uint), ("conf_level", _d), ("cuts", c_double_p),
                ("n_cuts", _sz), ("reference_levels", c_char_p_p),
                ("reference_props", c_double_p), ("n_reference", _sz)]


def representation_options_init():
    """KAP_REPRESENTATION_OPTIONS_INIT."""
    return KapRepresentationOptions(1, 0.95, None, 0, None, None, 0)


_SO = ctypes.POINTER(KapSubgroupOptions)
declare("kap_subgroup_run", [ctypes.POINTER(_P), _P, ctypes.c_char_p, ctypes.c_char_p,
                             ctypes.c_char_p, _SO, _E])
declare("kap_subgroup_free", [_P], None)
for _n in ("variable", "treatment", "control", "adjust_family"):
    declare("kap_subgroup_" + _n, [_P], ctypes.c_char_p)
for _n in ("is_binary", "all_small"):
    declare("kap_subgroup_" + _n, [_P], ctypes.c_int)
for _n in ("n_levels", "n_rows", "n_missing"):
    declare("kap_subgroup_" + _n, [_P], _sz)
declare("kap_subgroup_row_at", [_P, _sz], ctypes.POINTER(KapSubgroupRow))
declare("kap_subgroup_get_interaction", [_P], ctypes.POINTER(KapSubgroupInteraction))
declare("kap_subgroup_heterogeneity", [_P, c_enum], ctypes.POINTER(KapMetaResult))
declare("kap_subgroup_cmh", [_P], ctypes.POINTER(KapCmhResult))
declare("kap_subgroup_within_arm", [_P, ctypes.c_int], ctypes.POINTER(KapSubgroupWithin))
declare("kap_subgroup_adjust_method", [_P], c_enum)
declare("kap_subgroup_family_run", [ctypes.POINTER(_P), _P, ctypes.c_char_p, ctypes.c_char_p,
                                    c_char_p_p, _sz, _SO, c_enum, _E])
declare("kap_subgroup_family_free", [_P], None)
declare("kap_subgroup_family_size", [_P], _sz)
declare("kap_subgroup_family_get", [_P, _sz], _P)
declare("kap_subgroup_family_p", [_P, _sz], _d)
declare("kap_subgroup_family_p_adjusted", [_P, _sz], _d)
declare("kap_subgroup_family_method", [_P], c_enum)
declare("kap_subgroup_family_description", [_P], ctypes.c_char_p)
declare("kap_representation_run", [ctypes.POINTER(_P), _P, ctypes.c_char_p,
                                   ctypes.POINTER(KapRepresentationOptions), _E])
declare("kap_representation_free", [_P], None)
declare("kap_representation_n_levels", [_P], _sz)
declare("kap_representation_level", [_P, _sz], ctypes.c_char_p)
declare("kap_representation_n_arms", [_P], _sz)
declare("kap_representation_arm", [_P, _sz], ctypes.c_char_p)
declare("kap_representation_cell", [_R, _P, _sz, _sz, _E])
declare("kap_representation_n_missing", [_P, _sz], _sz)
declare("kap_representation_reference", [_P, _sz], _d)
declare("kap_representation_diff_pp", [_P, _sz], _d)
declare("kap_table1_run", [ctypes.POINTER(_P), _P, c_char_p_p, _sz, ctypes.c_char_p,
                           ctypes.c_char_p, _E])
declare("kap_table1_free", [_P], None)
declare("kap_table1_n_vars", [_P], _sz)
declare("kap_table1_var_name", [_P, _sz], ctypes.c_char_p)
declare("kap_table1_var_is_categorical", [_P, _sz], ctypes.c_int)
declare("kap_table1_n_arms", [_P], _sz)
declare("kap_table1_arm", [_P, _sz], ctypes.c_char_p)
declare("kap_table1_describe", [ctypes.POINTER(KapDescribeResult), _P, _sz, _sz, _E])
declare("kap_table1_n_levels", [_P, _sz], _sz)
declare("kap_table1_level", [_P, _sz, _sz], ctypes.c_char_p)
declare("kap_table1_count", [_P, _sz, _sz, _sz], _sz)
declare("kap_table1_percent", [_P, _sz, _sz, _sz], _d)
declare("kap_table1_n_missing", [_P, _sz, _sz], _sz)
declare("kap_table1_smd", [_P, _sz], _d)
declare("kap_table1_smd_note", [_P, _sz], ctypes.c_char_p)


# safety.h
class KapSafetyThreshold(ctypes.Structure):
    """kap_safety_threshold (safety.h)."""
    _fields_ = [("instrument", ctypes.c_char_p), ("above", _d), ("rise", _d)]


class KapSafetyOptions(ctypes.Structure):
    """kap_safety_options (safety.h)."""
    _fields_ = [("version", ctypes.c_uint), ("treatment", ctypes.c_char_p),
                ("control", ctypes.c_char_p), ("conf_level", _d),
                ("thresholds", ctypes.POINTER(KapSafetyThreshold)), ("n_thresholds", _sz)]


def safety_options_init():
    """KAP_SAFETY_OPTIONS_INIT."""
    return KapSafetyOptions(1, None, None, 0.95, None, 0)


class KapAeRow(ctypes.Structure):
    """kap_ae_row (safety.h)."""
    _fields_ = [("term", ctypes.c_char_p)] + [
        (f, _sz) for f in ("events_treat", "n_treat", "not_recorded_treat", "events_control",
                           "n_control", "not_recorded_control")] + [
        (f, KapResult) for f in ("incidence_treat", "incidence_control", "risk_difference",
                                 "risk_ratio", "fisher")]


class KapVitalRow(ctypes.Structure):
    """kap_vital_row (safety.h)."""
    _fields_ = [("instrument", ctypes.c_char_p), ("visit", ctypes.c_char_p),
                ("arm", ctypes.c_char_p), ("is_baseline", ctypes.c_int),
                ("value", KapDescribeResult), ("change", KapDescribeResult),
                ("above", _d), ("rise", _d), ("n_assessed", _sz), ("n_exceed", _sz),
                ("exceed", KapResult)]


_SFO = ctypes.POINTER(KapSafetyOptions)
declare("kap_safety_ae", [ctypes.POINTER(_P), _P, _SFO, _E])
declare("kap_ae_table_free", [_P], None)
declare("kap_ae_table_n_terms", [_P], _sz)
declare("kap_ae_table_row", [_P, _sz], ctypes.POINTER(KapAeRow))
declare("kap_ae_table_any", [_P], ctypes.POINTER(KapAeRow))
declare("kap_ae_table_treatment", [_P], ctypes.c_char_p)
declare("kap_ae_table_control", [_P], ctypes.c_char_p)
declare("kap_safety_vitals", [ctypes.POINTER(_P), _P, _SFO, _E])
declare("kap_vitals_table_free", [_P], None)
declare("kap_vitals_table_n_rows", [_P], _sz)
declare("kap_vitals_table_row", [_P, _sz], ctypes.POINTER(KapVitalRow))


# report.h
class KapReportOptions(ctypes.Structure):
    """kap_report_options (report.h)."""
    _fields_ = [("version", ctypes.c_uint), ("instrument", ctypes.c_char_p),
                ("visit", ctypes.c_char_p), ("control", ctypes.c_char_p),
                ("subgroups", c_char_p_p), ("n_subgroups", _sz), ("adjust", c_enum),
                ("conf_level", _d), ("response_threshold", _d),
                ("timestamp", ctypes.c_char_p)]


def report_options_init():
    """KAP_REPORT_OPTIONS_INIT."""
    return KapReportOptions(1, None, None, None, None, 0, 2, 0.95, 0.5, None)


declare("kap_report_build", [ctypes.POINTER(_P), _P, ctypes.POINTER(KapReportOptions), _E])
declare("kap_report_free", [_P], None)
declare("kap_report_render", [ctypes.c_char_p, _sz, c_size_t_p, _P, c_enum, _E])
declare("kap_report_write", [_P, c_enum, ctypes.c_char_p, _E])
declare("kap_report_format_parse", [c_int_p, ctypes.c_char_p, _E])
declare("kap_report_read_json", [ctypes.POINTER(_P), ctypes.c_char_p, _E])
declare("kap_report_n_sections", [_P], _sz)
declare("kap_report_section", [_P, _sz, c_char_p_p, c_char_p_p, c_char_p_p, _E])
declare("kap_report_compare", [ctypes.POINTER(_P), _P, _P, _d, _E])
declare("kap_report_diff_count", [_P], _sz)
declare("kap_report_diff_get", [_P, _sz, c_char_p_p, c_char_p_p, c_char_p_p, _E])
declare("kap_report_diff_free", [_P], None)
