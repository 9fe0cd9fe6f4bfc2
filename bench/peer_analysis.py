#!/usr/bin/python3
"""Analysis peer for `kapstats report`: pandas + scipy + statsmodels.

  peer_analysis.py WIDE.csv [--json OUT.json]

Reads the benchmark wide CSV (pandas has no reader for the kapstats HDF5
store, so this peer parses the CSV; its JSON output separates the read
time from the analysis time) and computes the primary comparison and the
subgroup/heterogeneity analyses of the trial report:

Primary (MADRS change from baseline at the last visit, week 8, complete
cases; arms ketamine vs active_placebo, difference = ketamine - placebo):
  - per-arm n, mean and SD of the change;
  - Welch t test (scipy.stats.ttest_ind, equal_var=False);
  - Hedges' g (pooled SD, exact small-sample factor
    J = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)), df = n1 + n2 - 2);
  - ANCOVA change ~ baseline + arm (statsmodels OLS, formula API);
  - response (reduction >= 50 % of baseline) and remission (MADRS <= 10)
    rates per arm, Fisher's exact test (scipy.stats.fisher_exact).
Subgroups (race, sex, format, site, age band <35 / 35-49 / 50-64 / >=65):
  - interaction test: anova_lm(ols(y ~ arm + sub), ols(y ~ arm * sub));
  - per-level difference in mean change (Welch SE) and DerSimonian-Laird
    heterogeneity over the levels (Q, tau^2, I^2, random-effects estimate
    and SE), written out in NumPy: statsmodels 0.13's
    combine_effects(method_re="dl") does not truncate tau^2 at 0 and so
    gives negative tau^2 and I^2 when Q < k - 1.
Levels with fewer than 2 participants in an arm are left out of the
heterogeneity analysis.

Prints one JSON line of timings: read_s (CSV), analysis_s = primary_s
(the primary comparison, what `kapstats analyze` computes) + subgroups_s;
--json also writes the results.
"""

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import special, stats
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm

TREAT, CONTROL = "ketamine", "active_placebo"
SUBGROUPS = ("race", "sex", "format", "site", "age_band")


def hedges_g(x1, x0):
    n1, n0 = len(x1), len(x0)
    df = n1 + n0 - 2
    sp = np.sqrt(((n1 - 1) * x1.var(ddof=1) + (n0 - 1) * x0.var(ddof=1)) / df)
    d = (x1.mean() - x0.mean()) / sp
    j = np.exp(special.gammaln(df / 2.0) - special.gammaln((df - 1) / 2.0)) \
        / np.sqrt(df / 2.0)
    return d * j


def dersimonian_laird(y, v):
    """DerSimonian & Laird (1986) random effects; metafor::rma(method="DL")."""
    w = 1.0 / v
    fe = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - fe) ** 2))
    k = len(y)
    c = np.sum(w) - np.sum(w ** 2) / np.sum(w)
    tau2 = max(0.0, (q - (k - 1)) / c)
    i2 = max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    wr = 1.0 / (v + tau2)
    re = np.sum(wr * y) / np.sum(wr)
    return {"Q": q, "Q_p": float(stats.chi2.sf(q, k - 1)), "tau2": tau2,
            "I2": i2, "re_estimate": float(re),
            "re_se": float(1.0 / np.sqrt(np.sum(wr)))}


def analyse(df, times):
    out = {}
    t0 = time.perf_counter()
    d = df.assign(change=df["madrs_week8"] - df["madrs_baseline"])
    d = d[d["arm"].isin([TREAT, CONTROL]) & d["change"].notna()
          & d["madrs_baseline"].notna()].copy()
    d["trt"] = (d["arm"] == TREAT).astype(np.float64)
    x1 = d.loc[d["trt"] == 1, "change"].to_numpy()
    x0 = d.loc[d["trt"] == 0, "change"].to_numpy()
    out["n"] = [int(len(x0)), int(len(x1))]
    out["mean_change"] = [float(x0.mean()), float(x1.mean())]
    out["sd_change"] = [float(x0.std(ddof=1)), float(x1.std(ddof=1))]
    w = stats.ttest_ind(x1, x0, equal_var=False)
    out["welch"] = {"diff": float(x1.mean() - x0.mean()),
                    "t": float(w.statistic), "p": float(w.pvalue)}
    out["hedges_g"] = float(hedges_g(x1, x0))
    anc = smf.ols("change ~ madrs_baseline + trt", data=d).fit()
    out["ancova"] = {"diff": float(anc.params["trt"]),
                     "se": float(anc.bse["trt"]),
                     "p": float(anc.pvalues["trt"])}
    base = d["madrs_baseline"].to_numpy()
    post = d["madrs_week8"].to_numpy()
    trt = d["trt"].to_numpy() == 1
    for name, hit in (("response", -(post - base) >= 0.5 * base),
                      ("remission", post <= 10)):
        a, b = int(hit[trt].sum()), int((~hit[trt]).sum())
        c, e = int(hit[~trt].sum()), int((~hit[~trt]).sum())
        odds, p = stats.fisher_exact([[a, b], [c, e]])
        out[name] = {"rate": [c / (c + e), a / (a + b)],
                     "odds_ratio": float(odds), "p": float(p)}
    times["primary_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    age = d["age"]
    d["age_band"] = pd.cut(age, [-np.inf, 35, 50, 65, np.inf], right=False,
                           labels=["<35", "35-49", "50-64", ">=65"])
    sub = {}
    for s in SUBGROUPS:
        ds = d[["change", "trt", s]].dropna()
        ds = ds.assign(g=ds[s].astype(str))
        m0 = smf.ols("change ~ trt + C(g)", data=ds).fit()
        m1 = smf.ols("change ~ trt * C(g)", data=ds).fit()
        a = anova_lm(m0, m1)
        eff, var, lev = [], [], []
        for level, grp in ds.groupby("g", sort=True):
            y1 = grp.loc[grp["trt"] == 1, "change"].to_numpy()
            y0 = grp.loc[grp["trt"] == 0, "change"].to_numpy()
            if len(y1) < 2 or len(y0) < 2:
                continue
            lev.append(level)
            eff.append(y1.mean() - y0.mean())
            var.append(y1.var(ddof=1) / len(y1) + y0.var(ddof=1) / len(y0))
        res = {"interaction_F": float(a["F"].iloc[1]),
               "interaction_p": float(a["Pr(>F)"].iloc[1]),
               "levels": lev, "diff": [float(x) for x in eff],
               "var": [float(x) for x in var]}
        if len(eff) >= 2:
            res.update(dersimonian_laird(np.array(eff), np.array(var)))
        sub[s] = res
    out["subgroups"] = sub
    times["subgroups_s"] = time.perf_counter() - t0
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("wide")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    t0 = time.perf_counter()
    dtype = {c: "category" for c in ("arm", "site", "sex", "race",
                                     "ethnicity", "format")}
    dtype["participant_id"] = str
    df = pd.read_csv(a.wide, dtype=dtype, keep_default_na=False,
                     na_values=[""])
    t1 = time.perf_counter()
    times = {}
    res = analyse(df, times)
    t2 = time.perf_counter()
    line = {"rows": len(df), "read_s": t1 - t0, "analysis_s": t2 - t1}
    line.update(times)
    line["results"] = res
    if a.json:
        with open(a.json, "w") as f:
            json.dump(line, f, indent=1)
    print(json.dumps({k: v for k, v in line.items() if k != "results"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
