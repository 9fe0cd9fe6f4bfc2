/*
 * kapstats.h - libkapstats, the outcome-statistics engine for clinical
 * trials of (ketamine-assisted) psychotherapy.  One umbrella header; one
 * header per module under kapstats/.
 *
 * Conventions (see also kapstats/common.h):
 *  - Names: kap_<module>_<verb>(); types kap_<thing>; macros KAP_...
 *  - Functions that can fail return int (KAP_OK = 0, negative codes) and
 *    take an optional trailing `kap_error *err` (may be NULL).
 *  - Out-parameters come first.  What you get through `**out` you own and
 *    release with the matching `_free()`; `_free(NULL)` is a no-op.
 *  - Fixed-size results are filled through an out-pointer and need no free.
 *  - Options structs are versioned and initialised with their `_INIT` macro.
 *  - Thread safe: no mutable global state; numbers are parsed and printed in
 *    the C locale whatever the caller's locale.
 *  - No public header exposes HDF5, GSL or libcsv types.
 */
#ifndef KAPSTATS_H
#define KAPSTATS_H

#include "kapstats/common.h"
#include "kapstats/descriptive.h"
#include "kapstats/ttest.h"
#include "kapstats/effect_size.h"
#include "kapstats/rank.h"
#include "kapstats/binary.h"
#include "kapstats/linear_model.h"
#include "kapstats/anova.h"
#include "kapstats/meta.h"
#include "kapstats/multiplicity.h"
#include "kapstats/trial.h"
#include "kapstats/ingest.h"
#include "kapstats/analysis.h"
#include "kapstats/subgroup.h"
#include "kapstats/safety.h"
#include "kapstats/report.h"

#endif
