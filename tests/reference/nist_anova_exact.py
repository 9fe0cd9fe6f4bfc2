# Exact one-way ANOVA of the NIST StRD ANOVA data *as IEEE doubles*
# (each decimal value rounded to the nearest double, then every sum done
# in exact rational arithmetic).  This is the best any algorithm taking
# double input can achieve; tests/test_anova.c checks that
# kap_anova_oneway reaches it, and that its LRE against the certified
# values matches.  For SmLs07-09 (13 constant leading digits) the
# rounding of the data alone limits the LRE to about 4 (MSB of SmLs08/09:
# 3.9).
# Run: cd tests/reference && /usr/bin/python3 nist_anova_exact.py
from fractions import Fraction as Fr

SETS = ["SiRstvt", "SmLs01t", "SmLs02t", "SmLs03t", "SmLs04t", "SmLs05t",
        "SmLs06t", "SmLs07t", "SmLs08t", "SmLs09t", "AtmWtAgt"]


def load(path):
    lines = open(path).read().splitlines()
    d = max(i for i, l in enumerate(lines) if l.startswith("Data:"))
    rows = [l.split() for l in lines[d + 1:]
            if l.strip() and l.split()[0][0].isdigit()]
    k = len(rows[0])            # the line numbering the groups
    groups = [[] for _ in range(k)]
    for r in rows[1:]:
        for j, v in enumerate(r):
            groups[j].append(Fr(float(v)))
    return groups


with open("nist_anova_exact.out", "w") as out:
    out.write("# exact ANOVA of the double-rounded NIST data (nist_anova_exact.py)\n")
    for name in SETS:
        g = load("nist/%s.dat" % name)
        n = sum(len(c) for c in g)
        k = len(g)
        means = [sum(c) / len(c) for c in g]
        gm = sum(sum(c) for c in g) / n
        ssw = sum((x - m) ** 2 for c, m in zip(g, means) for x in c)
        ssb = sum(len(c) * (m - gm) ** 2 for c, m in zip(g, means))
        msb, msw = ssb / (k - 1), ssw / (n - k)
        for tag, v in (("F", msb / msw), ("msb", msb), ("msw", msw),
                       ("r2", ssb / (ssb + ssw))):
            out.write("%s_%s %.17g\n" % (name, tag, float(v)))
