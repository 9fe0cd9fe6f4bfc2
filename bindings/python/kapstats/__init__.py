"""kapstats: Python bindings for libkapstats, outcome statistics for
clinical trials.  Thin ctypes layer over libkapstats.so: every number comes
from the C library; this package converts arguments (numpy in) and results
(typed, frozen dataclasses out).

Arrays: anything array-like (lists, numpy arrays of any numeric dtype,
pandas Series) is accepted; float64 C-contiguous numpy arrays are passed to
C without a copy.  NaN means missing.

Errors: every non-OK libkapstats result code raises a KapstatsError
subclass carrying the C message: invalid arguments or data -> ValueError
subclasses, I/O -> OSError, out of memory -> MemoryError.

Threads: calls release the GIL and the library is re-entrant, so threads
can run analyses in parallel.

See bindings/python/README.md for the list of functions and the C function
behind each.
"""
from ._errors import (KapstatsError, InvalidArgumentError, InvalidInputError,
                      NotFoundError, InsufficientDataError, StoreFormatError,
                      KapstatsIOError, KapstatsMemoryError, ConvergenceError,
                      NumericalError)
from ._ffi import LIBRARY_PATH, LIBRARY_VERSION, HEADER_VERSION, FOUND_BY
from ._types import Result, LabeledResult, Table
from ._means import (describe, Describe, ttest, cohens_d, hedges_g, glass_delta, paired_d,
                     paired_g, hedges_j, describe_two, TwoSummary, ttest_summary,
                     cohens_d_summary, hedges_g_summary, glass_delta_summary)
from ._rank import (mann_whitney, wilcoxon, kruskal, rank_biserial, cliffs_delta,
                    p_superiority)
from ._binary import (proportion_ci, binom_test, risk_difference, risk_ratio, odds_ratio,
                      fisher_exact, chisq_test, nnt, nnt_from_rd, NntResult)
from ._lm import lm, lm_compare, LinearModel, ancova, AncovaResult
from ._anova import anova_oneway, AnovaResult
from ._meta import (p_adjust, heterogeneity, MetaResult, strat_md, strat_md_summary, cmh,
                    CmhResult, woolf)
from ._trial import Trial, Endpoint, ingest, ingest_text, open, remission_default
from ._compare import (Comparison, ArmComparison, ComparisonRow, BinaryComparison, Rate,
                       EndpointCounts)
from ._subgroup import (subgroup_analysis, subgroup_family, representation, table1,
                        SubgroupResult, SubgroupRow, SubgroupFamily, Representation,
                        RepresentationRow, Table1, Table1Row)
from ._safety import safety, Safety, AeRow, VitalRow
from ._report import (Report, ReportSection, ReportDiff, build_report, read_report,
                      compare_reports)

__version__ = LIBRARY_VERSION

__all__ = [
    # errors
    "KapstatsError", "InvalidArgumentError", "InvalidInputError", "NotFoundError",
    "InsufficientDataError", "StoreFormatError", "KapstatsIOError", "KapstatsMemoryError",
    "ConvergenceError", "NumericalError",
    # library
    "LIBRARY_PATH", "LIBRARY_VERSION", "HEADER_VERSION", "FOUND_BY",
    # result types
    "Result", "LabeledResult", "Table", "Describe", "TwoSummary", "NntResult", "LinearModel",
    "AncovaResult", "AnovaResult", "MetaResult", "CmhResult", "Endpoint", "Comparison",
    "ArmComparison", "ComparisonRow", "BinaryComparison", "Rate", "EndpointCounts",
    "SubgroupResult", "SubgroupRow", "SubgroupFamily", "Representation", "RepresentationRow",
    "Table1", "Table1Row", "Safety", "AeRow", "VitalRow", "Report", "ReportSection",
    "ReportDiff",
    # kernels
    "describe", "ttest", "cohens_d", "hedges_g", "glass_delta", "paired_d", "paired_g",
    "hedges_j", "describe_two", "ttest_summary", "cohens_d_summary", "hedges_g_summary",
    "glass_delta_summary", "mann_whitney", "wilcoxon", "kruskal", "rank_biserial", "cliffs_delta",
    "p_superiority", "proportion_ci", "binom_test", "risk_difference", "risk_ratio",
    "odds_ratio", "fisher_exact", "chisq_test", "nnt", "nnt_from_rd", "lm", "lm_compare",
    "ancova", "anova_oneway", "p_adjust", "heterogeneity", "strat_md", "strat_md_summary",
    "cmh", "woolf",
    # trials
    "Trial", "ingest", "ingest_text", "open", "remission_default", "subgroup_analysis",
    "subgroup_family", "representation", "table1", "safety", "build_report", "read_report",
    "compare_reports",
]
