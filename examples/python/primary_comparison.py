#!/usr/bin/python3
"""Primary comparison of the bundled synthetic KAP trial with the kapstats
Python bindings.

1. Ingest datasets/kap_trial_wide.csv and store it as HDF5 (a temporary file
   unless a store path is given), then
   reopen the store.
2. Primary comparison: MADRS change from baseline at week 8, ketamine vs
   active placebo (Trial.compare = kap_compare_run: ANCOVA on baseline,
   Welch t, Hedges' g, responders and remitters with RD/RR/OR/Fisher/NNT),
   complete case (primary) and LOCF (sensitivity), printed with pandas.
3. Subgroup table: the ANCOVA within each level of format, sex and site,
   Cochran's Q test of heterogeneity across the levels, and Holm-adjusted
   heterogeneity p-values.

Every number comes from libkapstats (kap_ingest_files, kap_trial_write,
kap_trial_open, kap_compare_run, kap_ancova_fit, kap_strat_md,
kap_p_adjust); this script only selects rows and prints.

Run from the repository root after `make`:
    KAPSTATS_LIB=build/libkapstats.so.0 PYTHONPATH=bindings/python \\
        /usr/bin/python3 examples/python/primary_comparison.py [trial.csv] [store.h5]
(or with an installed kapstats: /usr/bin/python3 examples/python/primary_comparison.py)
"""
import os
import sys
import tempfile

import kapstats

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "datasets", "kap_trial_wide.csv")
INSTRUMENT, VISIT = "madrs", "week8"
TREATED, CONTROL = "ketamine", "active_placebo"
SUBGROUPS = ("format", "sex", "site")


def main(path, store):
    try:
        import pandas as pd
    except ImportError:
        pd = None
    kapstats.ingest(path, store).close()
    with kapstats.open(store) as trial:
        print(trial)

        print("\nPrimary: %s change from baseline at %s, %s vs %s"
              % (INSTRUMENT.upper(), VISIT, TREATED, CONTROL))
        for missing in ("complete_case", "locf"):
            c = trial.compare(INSTRUMENT, VISIT, control=CONTROL, missing=missing)
            print("\n-- %s (%d participants used, %d imputed)"
                  % (missing, c.counts.n_used, c.counts.n_imputed))
            show(pd, [r._asdict() for r in c.table()], transpose=True)
        d = trial.compare(INSTRUMENT, VISIT, control=CONTROL).arm(TREATED)
        print("\nANCOVA difference %.2f (95%% CI %.2f to %.2f), p = %.2g; Hedges' g %.2f; "
              "responders: %s" % (d.ancova.estimate, d.ancova.ci_low, d.ancova.ci_high,
                                  d.ancova.p_value, d.hedges_g.estimate,
                                  d.response_vs_control.nnt.text))

        print("\nSubgroups (complete case): ANCOVA within each level; "
              "heterogeneity: Cochran's Q across levels (fixed effect)")
        change = trial.change(INSTRUMENT, VISIT)
        base = trial.scores(INSTRUMENT, "baseline")
        arm = trial.arm()
        rows = []
        p_het = {}
        for cov in SUBGROUPS:
            levels = trial.covariate(cov)
            est, se = [], []
            for level in trial.covariate_levels(cov):
                keep = levels == level
                try:
                    fit = kapstats.ancova(change[keep], base[keep], arm[keep], CONTROL)
                except kapstats.KapstatsError as e:  # e.g. a level with one arm only
                    rows.append({"subgroup": cov, "level": level, "note": str(e)})
                    continue
                r = fit.diff(TREATED)
                rows.append({"subgroup": cov, "level": level, "n_treated": r.n1,
                             "n_control": r.n2, "difference": r.estimate,
                             "ci_low": r.ci_low, "ci_high": r.ci_high,
                             "p_value": r.p_value})
                est.append(r.estimate)
                se.append(r.se)
            if len(est) < 2:
                continue
            het = kapstats.strat_md(est, se)
            p_het[cov] = het.q_p
            rows.append({"subgroup": cov, "level": "(heterogeneity)",
                         "difference": het.pooled, "ci_low": het.ci_low,
                         "ci_high": het.ci_high, "p_value": het.q_p,
                         "note": "Q = %.2f on %d df, I2 = %.0f%%" % (het.q, het.q_df, het.i2)})
        show(pd, rows)
        adj = kapstats.p_adjust(list(p_het.values()), "holm")
        print("\nHeterogeneity p-values, Holm-adjusted over %d subgroup factors: %s"
              % (len(adj), ", ".join("%s %.3g" % (k, v) for k, v in zip(p_het, adj))))


def show(pd, rows, transpose=False):
    if pd is not None:
        df = pd.DataFrame(rows)
        if transpose:
            df = df.set_index(df.columns[0]).T
        with pd.option_context("display.width", 160, "display.max_columns", 20,
                               "display.max_colwidth", 60,
                               "display.float_format", "{:.4g}".format):
            print(df.to_string())
    else:
        for r in rows:
            print("  " + ", ".join("%s=%s" % (k, ("%.4g" % v) if isinstance(v, float) else v)
                                   for k, v in r.items()))


if __name__ == "__main__":
    csv = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    if len(sys.argv) > 2:
        main(csv, sys.argv[2])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(csv, os.path.join(tmp, "kap_trial.h5"))
