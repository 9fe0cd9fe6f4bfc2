/*
 * endpoint.c - per-participant endpoints from the trial model: change from
 * baseline, percent change, response, remission, with complete-case, LOCF
 * or BOCF handling of missing post-baseline scores.
 */
#include "trial_internal.h"

#include <string.h>

typedef struct {
    const char *name;
    double cutoff;
    int strict;
} remission_rule;

/* Conventional remission definitions: MADRS <= 10 (Hawley 2002; Zimmerman
 * 2004), HAM-D17 <= 7 (Frank 1991), PHQ-9 < 5 (Kroenke 2001), BDI-II <= 13
 * (Beck 1996 minimal range), QIDS-SR16 <= 5 (Rush 2003). */
static const remission_rule remission_rules[] = {
    {"madrs", 10.0, 0}, {"hamd17", 7.0, 0}, {"phq9", 5.0, 1},
    {"bdi2", 13.0, 0}, {"qids16", 5.0, 0},
};

int kap_remission_default(const char *instrument, double *cutoff, int *strict)
{
    if (!instrument)
        return 0;
    for (size_t i = 0; i < sizeof remission_rules / sizeof *remission_rules; i++)
        if (strcmp(remission_rules[i].name, instrument) == 0) {
            if (cutoff)
                *cutoff = remission_rules[i].cutoff;
            if (strict)
                *strict = remission_rules[i].strict;
            return 1;
        }
    return 0;
}

int kap_trial_endpoint(double *out, kap_endpoint_counts *counts,
                       const kap_trial *t, size_t k, size_t v,
                       kap_measure measure, const kap_endpoint_options *opts,
                       kap_error *err)
{
    kap_endpoint_options defaults = KAP_ENDPOINT_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (!out || !t)
        return kap_err(err, KAP_EINVAL, "kap_trial_endpoint: NULL argument");
    if (opts->version != KAP_ENDPOINT_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "kap_trial_endpoint: options version %u, expected %u",
                       opts->version, KAP_ENDPOINT_OPTIONS_VERSION);
    if (k >= t->n_instruments)
        return kap_err(err, KAP_EINVAL, "instrument index %zu out of range", k);
    const kap_instrument_data *in = &t->instruments[k];
    if (v >= in->n_visits)
        return kap_err(err, KAP_EINVAL, "visit index %zu out of range for %s", v, in->name);
    if (in->baseline < 0)
        return kap_err(err, KAP_EDATA, "instrument '%s' has no baseline visit", in->name);
    size_t b = (size_t)in->baseline;
    if (v == b && measure != KAP_MEASURE_VALUE)
        return kap_err(err, KAP_EINVAL,
                       "visit '%s' is the baseline of %s: change from baseline needs a later visit",
                       in->visit_labels[v], in->name);
    if (opts->missing > KAP_MISSING_BOCF || measure > KAP_MEASURE_VALUE)
        return kap_err(err, KAP_EINVAL, "kap_trial_endpoint: unknown measure or missing rule");
    if (measure == KAP_MEASURE_RESPONSE &&
        !(opts->response_threshold > 0.0 && opts->response_threshold <= 1.0))
        return kap_err(err, KAP_EINVAL, "response threshold %g is not in (0, 1]",
                       opts->response_threshold);
    double cutoff = opts->remission_cutoff;
    int strict = opts->remission_strict;
    if (measure == KAP_MEASURE_REMISSION && isnan(cutoff) &&
        !kap_remission_default(in->name, &cutoff, &strict))
        return kap_err(err, KAP_EINVAL,
                       "no default remission cut-off for '%s': give one in the options",
                       in->name);

    kap_endpoint_counts c;
    memset(&c, 0, sizeof c);
    c.n_participants = t->n;
    size_t nv = in->n_visits;
    for (size_t i = 0; i < t->n; i++) {
        const double *row = in->scores + i * nv;
        double base = row[b];
        double post = row[v];
        out[i] = NAN;
        if (isnan(base) && measure != KAP_MEASURE_VALUE) {
            c.n_missing_baseline++;
            continue;
        }
        if (isnan(post)) {
            if (opts->missing == KAP_MISSING_COMPLETE_CASE) {
                c.n_missing_post++;
                continue;
            }
            post = base;   /* BOCF, and LOCF without a later observation */
            if (opts->missing == KAP_MISSING_LOCF) {
                /* Visits are ordered in time; carry the latest observed
                 * post-baseline score from a visit before v. */
                for (size_t w = v; w-- > 0;)
                    if (w != b && !isnan(row[w])) {
                        post = row[w];
                        break;
                    }
            }
            if (isnan(post)) {
                c.n_missing_post++;
                continue;
            }
            c.n_imputed++;
        }
        double change = post - base;
        switch (measure) {
        case KAP_MEASURE_CHANGE:
            out[i] = change;
            break;
        case KAP_MEASURE_PERCENT_CHANGE:
        case KAP_MEASURE_RESPONSE:
            if (base == 0.0) {
                c.n_baseline_zero++;
                continue;
            }
            if (measure == KAP_MEASURE_PERCENT_CHANGE)
                out[i] = 100.0 * change / base;
            else
                /* reduction >= threshold * baseline, written without a
                 * division so that exactly 50 % counts as a response */
                out[i] = (-change >= opts->response_threshold * base) ? 1.0 : 0.0;
            break;
        case KAP_MEASURE_REMISSION:
            out[i] = (strict ? post < cutoff : post <= cutoff) ? 1.0 : 0.0;
            break;
        case KAP_MEASURE_VALUE:
            out[i] = post;
            break;
        }
        if (!isnan(out[i]))
            c.n_used++;
    }
    if (counts)
        *counts = c;
    return KAP_OK;
}
