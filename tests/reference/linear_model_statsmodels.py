# One-off cross-check of the OLS reference values with statsmodels (not
# part of CI).  The C tests match linear_model.out (R) at 1e-9; this checks
# that statsmodels agrees with the same numbers, and shows its LRE on NIST
# Longley for comparison.
# Run: cd tests/reference && /usr/bin/python3 linear_model_statsmodels.py
import math

import numpy as np
import statsmodels.api as sm

ref = {}
for line in open("linear_model.out"):
    if not line.startswith("#"):
        k, v = line.split()
        ref[k] = float("nan") if v == "NA" else float(v)

y = np.array([12.1, 14.3, 11.8, 16.9, 15.2, 18.4, np.nan, 20.1, 17.7, 22.3, 19.8, 24.6, 21.0, 25.9])
x1 = np.array([1.0, 2.0, 1.5, 3.1, 2.8, 4.0, 4.4, 5.2, 4.1, 6.3, 5.5, 7.0, np.nan, 7.9])
x2 = np.array([0.3, -0.2, 0.8, 0.1, 1.2, -0.5, 0.4, 0.9, 1.6, -0.1, 0.7, 0.2, 0.5, 1.1])
ok = ~np.isnan(y) & ~np.isnan(x1)
r = sm.OLS(y[ok], sm.add_constant(np.column_stack([x1[ok], x2[ok]]))).fit()
pairs = [("m2_coef_%d" % j, r.params[j]) for j in range(3)]
pairs += [("m2_se_%d" % j, r.bse[j]) for j in range(3)]
pairs += [("m2_p_%d" % j, r.pvalues[j]) for j in range(3)]
pairs += [("m2_sigma", math.sqrt(r.scale)), ("m2_r2", r.rsquared),
          ("m2_adjr2", r.rsquared_adj), ("m2_F", r.fvalue), ("m2_Fp", r.f_pvalue)]
worst = max(abs(v - ref[k]) / abs(ref[k]) for k, v in pairs)
print("statsmodels vs R reference (y ~ x1 + x2): max rel. diff %.2g" % worst)

L = np.loadtxt("nist/Longley.dat", skiprows=60)
r = sm.OLS(L[:, 0], sm.add_constant(L[:, 1:])).fit()
cert = [-3482258.63459582, 15.0618722713733, -0.358191792925910E-01,
        -2.02022980381683, -1.03322686717359, -0.511041056535807E-01,
        1829.15146461355]
lre = min(-math.log10(abs(b - c) / abs(c)) for b, c in zip(r.params, cert))
print("statsmodels on NIST Longley: min coefficient LRE %.1f" % lre)
