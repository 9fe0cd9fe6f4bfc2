#!/usr/bin/python3
"""Convert the public antidepressant trial (DIA missing-data working group,
distributed with the R package rbmi as `antidepressant_data`) into the
ADaM BDS-like long layout that `kapstats ingest` reads.

usage: /usr/bin/python3 convert.py ../../../shared/data/antidepressant_trial.csv > antidepressant_adam.csv

Mapping: PATIENT -> USUBJID, THERAPY -> TRT01P, GENDER -> SEX,
POOLINV -> SITEID (text, leading zeros kept); one baseline record per
patient (AVISIT "Baseline", ABLFL=Y, AVAL=BASVAL); VISIT 4..7 -> AVISIT
"Week 1", "Week 2", "Week 4", "Week 6" (AVISITN 1, 2, 4, 6), ADY=RELDAYS,
AVAL=HAMDTL17, BASE=BASVAL, CHG=CHANGE; PARAMCD HAMD17.  HAM-A total and
PGI-I are carried as the generic parameters HAMA and PGII (no baseline).
"""
import csv
import sys

WEEK = {"4": 1, "5": 2, "6": 4, "7": 6}


def main(path):
    rows = list(csv.DictReader(open(path, newline="")))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["USUBJID", "TRT01P", "SEX", "SITEID", "PARAMCD", "AVISIT",
                  "AVISITN", "ADY", "ABLFL", "AVAL", "BASE", "CHG"])
    seen = set()
    for r in rows:
        pid = r["PATIENT"]
        if pid not in seen:
            seen.add(pid)
            out.writerow([pid, r["THERAPY"], r["GENDER"], r["POOLINV"], "HAMD17",
                          "Baseline", 0, 0, "Y", r["BASVAL"], r["BASVAL"], ""])
        w = WEEK[r["VISIT"]]
        out.writerow([pid, r["THERAPY"], r["GENDER"], r["POOLINV"], "HAMD17",
                      "Week %d" % w, w, r["RELDAYS"], "", r["HAMDTL17"],
                      r["BASVAL"], r["CHANGE"]])
        for code, col in (("HAMA", "HAMATOTL"), ("PGII", "PGIIMP")):
            if r[col] not in ("", "NA"):
                out.writerow([pid, r["THERAPY"], r["GENDER"], r["POOLINV"], code,
                              "Week %d" % w, w, r["RELDAYS"], "", r[col], "", ""])


if __name__ == "__main__":
    main(sys.argv[1])
