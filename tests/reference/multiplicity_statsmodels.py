#!/usr/bin/python3
"""One-off cross-check of multiplicity.out (R p.adjust) against statsmodels
multipletests.  Run: cd tests/reference && /usr/bin/python3 multiplicity_statsmodels.py
NaN inputs are removed before calling statsmodels (R's NA policy)."""
import math
import re
from collections import defaultdict

import numpy as np
from statsmodels.stats.multitest import multipletests

ref = {}
for line in open("multiplicity.out"):
    if line.startswith("#"):
        continue
    name, val = line.split()
    ref[name] = math.nan if val == "NA" else float(val)

cases = sorted({m.group(1) for k in ref if (m := re.match(r"pa\.(\w+)\.n$", k))})
sm = {"bonferroni": "bonferroni", "holm": "holm", "hochberg": "simes-hochberg",
      "hommel": "hommel", "BH": "fdr_bh", "BY": "fdr_by"}
worst = defaultdict(float)
for cs in cases:
    n = int(ref[f"pa.{cs}.n"])
    p = np.array([ref[f"pa.{cs}.p.{i + 1}"] for i in range(n)])
    ok = ~np.isnan(p)
    if ok.sum() < 1:
        continue
    for rname, sname in sm.items():
        got = np.full(n, np.nan)
        got[ok] = multipletests(p[ok], method=sname)[1]
        want = np.array([ref[f"pa.{cs}.{rname}.{i + 1}"] for i in range(n)])
        d = np.abs(got[ok] - want[ok]) / np.maximum(np.abs(want[ok]), 1e-300)
        worst[rname] = max(worst[rname], float(d.max()))
for rname in sm:
    print(f"{rname:10s} max relative difference statsmodels vs R: {worst[rname]:.3g}")
