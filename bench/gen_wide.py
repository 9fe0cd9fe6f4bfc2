#!/usr/bin/python3
"""Write a synthetic wide trial CSV: N participants x 16 columns.

usage: /usr/bin/python3 bench/gen_wide.py N OUT.csv
Deterministic (fixed seed).  About 90 bytes a row.
"""
import random
import sys

n = int(sys.argv[1])
rng = random.Random(20240501)
cols = ["participant_id", "arm", "site", "age", "sex", "format",
        "madrs_bl", "madrs_w1", "madrs_w2", "madrs_w4", "madrs_w8",
        "phq9_bl", "phq9_w4", "cadss_d1", "ae_nausea", "bmi"]
sites = ["%03d" % s for s in range(1, 25)]
with open(sys.argv[2], "w", newline="") as f:
    f.write(",".join(cols) + "\n")
    for i in range(n):
        bl = rng.randint(20, 50)
        arm = "KAP" if rng.random() < 0.5 else "Placebo"
        drop = rng.random()
        m = [bl] + [max(0, min(60, bl - rng.randint(0, 4 * (k + 1)))) for k in range(4)]
        ms = [str(v) if (k == 0 or drop > 0.1 * k) else "" for k, v in enumerate(m)]
        row = ["P%07d" % i, arm, rng.choice(sites), str(rng.randint(18, 75)),
               rng.choice("FM"), rng.choice(["group", "individual"])] + ms + [
               str(rng.randint(5, 27)), str(rng.randint(0, 27)),
               str(rng.randint(0, 40)), str(int(rng.random() < 0.2)),
               "%.1f" % rng.uniform(17, 40)]
        f.write(",".join(row) + "\n")
