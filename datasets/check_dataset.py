#!/usr/bin/python3
"""Checks the bundled synthetic KAP trial (datasets/README.md).

  1. Determinism: re-runs generate_kap_trial.py (default seed and n) into a
     temporary directory and compares the bytes with the committed
     kap_trial_{wide,long,adae}.csv.
  2. Layout agreement: the wide file and the long + ADAE files hold the same
     participants, subject-level values, scores (visit labels canonicalised
     as the ingestion does: lower-case, without ' ', '_', '-') and AE flags;
     BASE/CHG/ABLFL are consistent; every value is in its valid range.
  3. The --bench variant (same seed and n) equals the matching columns of
     the full wide file.

Exit status 0 when everything holds, 1 otherwise (one line per problem).
--summary also prints descriptive statistics of the bundled files.
Needs only the Python standard library (plus NumPy for the generator).
"""

import csv
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ("kap_trial_wide.csv", "kap_trial_long.csv", "kap_trial_adae.csv")
GENERATOR = os.path.join(HERE, "generate_kap_trial.py")

SUBJECT = (("participant_id", "USUBJID"), ("arm", "TRT01P"),
           ("site", "SITEID"), ("sex", "SEX"), ("race", "RACE"),
           ("ethnicity", "ETHNIC"), ("age", "AGE"), ("format", "FORMAT"),
           ("therapy_group", "THERAPY_GROUP"),
           ("prior_episodes", "PRIOR_EPISODES"), ("ssri_use", "SSRI_USE"))
PARAMCD = {"MADRS": "madrs", "PHQ9": "phq9", "PCL5": "pcl5",
           "CADSS": "cadss", "HR": "hr", "SYSBP": "sbp", "DIABP": "dbp"}
RANGES = {"madrs": (0, 60), "phq9": (0, 27), "pcl5": (0, 80),
          "cadss": (0, 92), "hr": (20, 250), "sbp": (50, 300),
          "dbp": (20, 200)}


def canon_visit(label):
    v = label.lower().replace(" ", "").replace("_", "").replace("-", "")
    return "baseline" if v in ("baseline", "bl", "d0", "day0") else v


def read(path):
    with open(path, newline="", encoding="ascii") as f:
        return list(csv.DictReader(f))


def check_determinism(problems):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, GENERATOR, "--out", tmp, "--quiet"],
                       check=True)
        for name in FILES:
            if not filecmp.cmp(os.path.join(HERE, name),
                               os.path.join(tmp, name), shallow=False):
                problems.append("%s differs from a fresh generation" % name)
        subprocess.run([sys.executable, GENERATOR, "--out", tmp, "--bench",
                        "--quiet"], check=True)
        bench = read(os.path.join(tmp, "kap_bench_wide.csv"))
        wide = read(os.path.join(HERE, FILES[0]))
        if len(bench) != len(wide):
            problems.append("bench: %d rows, wide %d" % (len(bench),
                                                         len(wide)))
        for b, w in zip(bench, wide):
            if any(w.get(k) != v for k, v in b.items()):
                problems.append("bench row %s differs from the wide file"
                                % b["participant_id"])
                break


def check_layouts(problems):
    wide = read(os.path.join(HERE, FILES[0]))
    long_ = read(os.path.join(HERE, FILES[1]))
    adae = read(os.path.join(HERE, FILES[2]))
    ae_terms = [c[3:] for c in wide[0] if c.startswith("ae_")]
    score_cols = [c for c in wide[0] if "_" in c and c.split("_")[0]
                  in RANGES]

    w_subj, w_scores, w_ae = {}, {}, {}
    for r in wide:
        pid = r["participant_id"]
        w_subj[pid] = tuple(r[w] for w, _ in SUBJECT)
        for c in score_cols:
            instr, visit = c.split("_", 1)
            if r[c] != "":
                w_scores[(pid, instr, canon_visit(visit))] = r[c]
        for t in ae_terms:
            if r["ae_" + t] not in ("0", "1"):
                problems.append("%s ae_%s not 0/1" % (pid, t))
            w_ae[(pid, t)] = r["ae_" + t]

    l_subj, l_scores, base = {}, {}, {}
    for r in long_:
        pid = r["USUBJID"]
        s = tuple(r[lc] for _, lc in SUBJECT)
        if l_subj.setdefault(pid, s) != s:
            problems.append("%s: subject-level values vary in long" % pid)
        instr = PARAMCD[r["PARAMCD"]]
        visit = canon_visit(r["AVISIT"])
        key = (pid, instr, visit)
        if key in l_scores:
            problems.append("duplicate long record %s" % (key,))
        l_scores[key] = r["AVAL"]
        if (r["ABLFL"] == "Y") != (visit == "baseline"):
            problems.append("ABLFL wrong on %s" % (key,))
        if visit == "baseline":
            base[(pid, instr)] = r["AVAL"]
            if r["CHG"] != "" or r["BASE"] != r["AVAL"]:
                problems.append("baseline BASE/CHG wrong on %s" % (key,))
        lo, hi = RANGES[instr]
        if not lo <= float(r["AVAL"]) <= hi:
            problems.append("out of range %s = %s" % (key, r["AVAL"]))
    for r in long_:
        pid, instr = r["USUBJID"], PARAMCD[r["PARAMCD"]]
        if r["ABLFL"] != "Y":
            b = base.get((pid, instr), "")
            if r["BASE"] != b or (b != "" and abs(
                    float(r["AVAL"]) - float(b) - float(r["CHG"])) > 1e-9):
                problems.append("BASE/CHG wrong on %s %s %s" %
                                (pid, instr, r["AVISIT"]))

    l_ae = {(pid, t): "0" for pid in l_subj for t in ae_terms}
    for r in adae:
        key = (r["USUBJID"], r["AEDECOD"])
        if key not in l_ae or l_ae[key] == "1":
            problems.append("ADAE row unknown or duplicated: %s" % (key,))
        l_ae[key] = "1"
        if r["AESEV"] not in ("MILD", "MODERATE", "SEVERE") or \
                r["AESER"] not in ("Y", "N"):
            problems.append("ADAE coding wrong: %s" % (key,))
    for t in ae_terms:
        if not any(r["AEDECOD"] == t for r in adae):
            problems.append("AE term %s has no event: the long layout would "
                            "not know it" % t)

    if w_subj != l_subj:
        problems.append("subject-level values differ between layouts")
    if w_scores != l_scores:
        problems.append("scores differ between layouts (%d wide, %d long)" %
                        (len(w_scores), len(l_scores)))
    if w_ae != l_ae:
        problems.append("AE flags differ between layouts")
    if [r["participant_id"] for r in wide] != list(l_subj):
        problems.append("participant order differs between layouts")


def summary():
    wide = read(os.path.join(HERE, FILES[0]))
    arms = sorted({r["arm"] for r in wide})

    def num(r, c):
        return float(r[c]) if r[c] != "" else None

    def count(col):
        vals = {}
        for r in wide:
            vals[r[col] or "(missing)"] = vals.get(r[col] or "(missing)", 0) + 1
        return ", ".join("%s %d" % kv for kv in sorted(vals.items()))

    print("participants %d" % len(wide))
    for col in ("arm", "site", "sex", "race", "ethnicity", "format",
                "ssri_use"):
        print("%-10s %s" % (col, count(col)))
    ages = [num(r, "age") for r in wide if r["age"]]
    print("age        mean %.1f, min %d, max %d, missing %d" %
          (statistics.mean(ages), min(ages), max(ages),
           len(wide) - len(ages)))
    print("therapy groups %d" % len({r["therapy_group"] for r in wide
                                     if r["therapy_group"]}))
    for a in arms:
        rows = [r for r in wide if r["arm"] == a]
        print("-- %s (n=%d)" % (a, len(rows)))
        for visit in ("day1", "week1", "week2", "week4", "week8"):
            ch = [num(r, "madrs_" + visit) - num(r, "madrs_baseline")
                  for r in rows if r["madrs_" + visit]]
            print("   madrs %-6s n %3d  mean change %6.2f  SD %5.2f" %
                  (visit, len(ch), statistics.mean(ch), statistics.stdev(ch)))
        print("   madrs baseline mean %.2f SD %.2f" % (
            statistics.mean(num(r, "madrs_baseline") for r in rows),
            statistics.stdev(num(r, "madrs_baseline") for r in rows)))
        print("   dropout by week8 %.1f%%" % (100.0 * sum(
            1 for r in rows if not r["madrs_week8"]) / len(rows)))
        for instr in ("phq9", "pcl5"):
            ch = [num(r, instr + "_week8") - num(r, instr + "_baseline")
                  for r in rows if r[instr + "_week8"]]
            print("   %s week8 change n %d mean %.2f SD %.2f" %
                  (instr, len(ch), statistics.mean(ch), statistics.stdev(ch)))
        for instr in ("cadss", "hr", "sbp", "dbp"):
            b = [num(r, instr + "_baseline") for r in rows]
            d = [num(r, instr + "_day1") for r in rows if r[instr + "_day1"]]
            print("   %-5s baseline mean %6.1f  day1 mean %6.1f  day1 max %.1f"
                  % (instr, statistics.mean(b), statistics.mean(d), max(d)))
        for t in [c for c in wide[0] if c.startswith("ae_")]:
            k = sum(int(r[t]) for r in rows)
            print("   %-28s %3d (%.1f%%)" % (t, k, 100.0 * k / len(rows)))
        for f in ("individual", "group"):
            ch = [num(r, "madrs_week8") - num(r, "madrs_baseline")
                  for r in rows if r["madrs_week8"] and r["format"] == f]
            print("   madrs week8 change, %-10s n %3d mean %.2f" %
                  (f, len(ch), statistics.mean(ch)))


def main():
    problems = []
    check_determinism(problems)
    check_layouts(problems)
    for p in problems:
        print("PROBLEM: " + p)
    if "--summary" in sys.argv[1:]:
        summary()
    print("check_dataset: %s" % ("FAILED" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
