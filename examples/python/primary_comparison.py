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
3. Subgroup table by format, sex and site (kap_subgroup_family_run):
   per-level differences, treatment x subgroup interaction tests adjusted
   across the variables, heterogeneity (REML I2).
4. Table 1 (kap_table1_run) and the most frequent adverse events
   (kap_safety_ae).

Every number comes from libkapstats; this script only selects fields and
prints.

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

        print("\nSubgroups (complete case): Welch difference per level, Holm-adjusted "
              "within the variable; interaction F test, Holm-adjusted across variables")
        fam = trial.subgroups(INSTRUMENT, VISIT, list(SUBGROUPS), control=CONTROL)
        rows = []
        for sg in fam.analyses:
            for r in sg.rows:
                rows.append({"subgroup": sg.variable, "level": r.level, "n_treated": r.n_treat,
                             "n_control": r.n_control, "difference": r.diff.estimate,
                             "ci_low": r.diff.ci_low, "ci_high": r.diff.ci_high,
                             "p": r.p_value, "p_holm": r.p_adjusted,
                             "weight_%": r.weight, "small": "yes" if r.small else ""})
        show(pd, rows)
        het = [{"subgroup": sg.variable, "interaction_F": sg.interaction["f"].statistic,
                "p": p, "p_holm": pa, "I2_%": sg.heterogeneity["REML"].i2,
                "pooled_REML": sg.heterogeneity["REML"].pooled}
               for sg, p, pa in zip(fam.analyses, fam.p, fam.p_adjusted)]
        show(pd, het)

        print("\nBaseline characteristics (Table 1)")
        if pd is not None:
            with pd.option_context("display.width", 160, "display.max_columns", 20):
                print(trial.table1(["age", "sex", "race", "format", "madrs"]).to_pandas()
                      .to_string(index=False))

        sf = trial.safety(control=CONTROL)
        print("\nAdverse events (%s vs %s): any AE %d/%d vs %d/%d, Fisher p = %.2g"
              % (sf.treatment, sf.control, sf.any_ae.events_treat, sf.any_ae.n_treat,
                 sf.any_ae.events_control, sf.any_ae.n_control, sf.any_ae.fisher.p_value))
        show(pd, [{"term": r.term, sf.treatment: "%d/%d" % (r.events_treat, r.n_treat),
                   sf.control: "%d/%d" % (r.events_control, r.n_control),
                   "risk_difference": r.risk_difference.estimate,
                   "risk_ratio": r.risk_ratio.estimate, "fisher_p": r.fisher.p_value}
                  for r in sf.adverse_events[:5]])


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
