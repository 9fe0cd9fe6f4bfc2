#!/usr/bin/python3
"""Synthetic ketamine-assisted psychotherapy (KAP) trial for libkapstats.

Simulates a two-arm, site-stratified randomised trial (IV ketamine vs the
active placebo midazolam, both with psychotherapy, delivered in groups or
individually) and writes it in three layouts:

  kap_trial_wide.csv  one row per participant (subject-level columns, every
                      instrument x visit as <instrument>_<visit>, ae_<term>)
  kap_trial_long.csv  ADaM BDS-like: one row per participant x PARAMCD x
                      AVISIT with a non-missing AVAL
  kap_trial_adae.csv  ADAE-like: one row per participant x adverse event term

The wide and the long+ADAE files hold exactly the same information, so
ingesting either must give the same trial.  datasets/README.md is the data
dictionary and lists the true effects simulated here.

Deterministic: the same --seed, --n and NumPy version give the same bytes.
Every random draw happens in a fixed order whatever the output options, so
--bench columns equal the matching columns of the full files for the same
seed and n.

Usage:
  /usr/bin/python3 datasets/generate_kap_trial.py              # the bundled files
  /usr/bin/python3 datasets/generate_kap_trial.py --bench --n 1000000 --out /tmp/b
  /usr/bin/python3 datasets/generate_kap_trial.py --truth --n 1000000
"""

import argparse
import os
import sys
import time

import numpy as np

DEFAULT_SEED = 20261129
DEFAULT_N = 240

# ---- design ---------------------------------------------------------------
ARMS = ("active_placebo", "ketamine")          # arm code 0, 1
SITES = ("01", "02", "03", "04")
SITE_P = (0.30, 0.28, 0.22, 0.20)
# Fixed site effects on the latent MADRS change at week 8 (points; their
# enrolment-weighted mean is ~0).
SITE_EFFECT = (-0.5, 1.0, -1.0, 0.5)
SEXES = ("F", "M", "Other")
SEX_P = (0.60, 0.39, 0.01)
RACES = ("White", "Black or African American", "Asian",
         "American Indian or Alaska Native", "Multiracial",
         "Native Hawaiian or Other Pacific Islander")
RACE_P = (0.72, 0.12, 0.07, 0.03, 0.05, 0.01)
ETHNICITIES = ("Hispanic or Latino", "Not Hispanic or Latino")
P_HISPANIC = 0.14
P_ETHNICITY_MISSING = 0.04
P_AGE_MISSING = 0.015
FORMATS = ("individual", "group")              # format code 0, 1
YESNO = ("no", "yes")
P_SSRI = 0.40

# ---- visits ----------------------------------------------------------------
# (wide suffix, long AVISIT, AVISITN = nominal study day = ADY)
VISITS = {
    "baseline": ("Baseline", 0),
    "day1": ("Day 1", 1),
    "week1": ("Week 1", 7),
    "week2": ("Week 2", 14),
    "week4": ("Week 4", 28),
    "week8": ("Week 8", 56),
}
POST = ("day1", "week1", "week2", "week4", "week8")

# ---- MADRS: latent change from baseline ----------------------------------
# Cell means (arm x format) of the latent change at each post-baseline visit.
# MADRS_ARM_MEAN is the mean over a 50/50 format mix; the group-minus-
# individual format effect (both arms) is MADRS_FORMAT and the extra
# ketamine effect under group delivery (treatment x format interaction) is
# MADRS_INTERACTION:
#   placebo   individual = P - F/2        placebo   group = P + F/2
#   ketamine  individual = K - (F+I)/2    ketamine  group = K + (F+I)/2
MADRS_ARM_MEAN = {
    0: np.array([-3.0, -5.0, -6.5, -8.0, -9.0]),      # active placebo
    1: np.array([-10.0, -10.0, -11.5, -13.0, -14.0]),  # ketamine
}
MADRS_FORMAT = np.array([0.0, -0.25, -0.5, -0.75, -1.0])
MADRS_INTERACTION = np.array([0.0, -0.5, -1.0, -1.5, -2.0])
# Covariate effects, multiplied by RAMP (1 at week 8).
RAMP = np.array([0.3, 0.5, 0.7, 0.85, 1.0])
B_BASELINE = -0.3      # per MADRS baseline point above 30
B_EPISODES = 0.3       # per prior episode above 3
B_SSRI = 1.0           # SSRI use (centred at P_SSRI)
SD_GROUP = 1.5         # therapy-group random effect (x RAMP)
SD_SUBJECT = 6.0       # participant random intercept on the change
SD_RESID = 5.0         # visit residual, AR(1) over the 5 visits
RHO_RESID = 0.5

# ---- dropout (monotone) -----------------------------------------------------
# logit P(drop before visit v | present at v-1)
#   = DROP_A[v] + DROP_B * (last observed MADRS - 22) + DROP_PLACEBO * placebo
DROP_A = np.array([-4.85, -3.75, -3.60, -3.45, -3.50])
DROP_B = 0.04
DROP_PLACEBO = 0.45

# ---- PHQ-9, PCL-5 ---------------------------------------------------------
PHQ9_SLOPE = 0.42      # PHQ-9 latent change = 0.42 x MADRS latent change + e
SD_PHQ9_RESID = 3.0
P_PHQ9_SPORADIC = 0.02  # forms not returned (post-baseline), not dropout
P_PTSD = 0.35
PCL5_ARM_MEAN = {0: -10.0, 1: -15.0}
PCL5_LOADING = 0.9     # on the participant's MADRS deviation (u + e_week8)
SD_PCL5_RESID = 9.0

# ---- adverse events --------------------------------------------------------
AE_TERMS = ("nausea", "dizziness", "dissociation", "headache", "vomiting",
            "elevated_blood_pressure", "anxiety", "fatigue",
            "suicidal_ideation")
SEVERITIES = ("MILD", "MODERATE", "SEVERE")

# ---- instruments -----------------------------------------------------------
# wide name, PARAMCD, PARAM, decimals, valid range, visits
INSTRUMENTS = (
    ("madrs", "MADRS", "MADRS Total Score", 0, (0, 60),
     ("baseline", "day1", "week1", "week2", "week4", "week8")),
    ("phq9", "PHQ9", "PHQ-9 Total Score", 0, (0, 27),
     ("baseline", "week4", "week8")),
    ("pcl5", "PCL5", "PCL-5 Total Score", 0, (0, 80), ("baseline", "week8")),
    ("cadss", "CADSS", "CADSS Total Score", 0, (0, 92), ("baseline", "day1")),
    ("hr", "HR", "Heart Rate (beats/min)", 1, (20, 250), ("baseline", "day1")),
    ("sbp", "SYSBP", "Systolic Blood Pressure (mmHg)", 1, (50, 300),
     ("baseline", "day1")),
    ("dbp", "DIABP", "Diastolic Blood Pressure (mmHg)", 1, (20, 200),
     ("baseline", "day1")),
)

SUBJECT_COLUMNS = (  # wide name, long name
    ("participant_id", "USUBJID"), ("arm", "TRT01P"), ("site", "SITEID"),
    ("sex", "SEX"), ("race", "RACE"), ("ethnicity", "ETHNIC"), ("age", "AGE"),
    ("format", "FORMAT"), ("therapy_group", "THERAPY_GROUP"),
    ("prior_episodes", "PRIOR_EPISODES"), ("ssri_use", "SSRI_USE"),
)
LONG_SUBJECT_ORDER = ("participant_id", "arm", "site", "age", "sex", "race",
                      "ethnicity", "format", "therapy_group", "prior_episodes",
                      "ssri_use")
LONG_TAIL = ("PARAMCD", "PARAM", "AVISIT", "AVISITN", "ADY", "ABLFL", "AVAL",
             "BASE", "CHG")

# Reduced column set of the benchmark variant.
BENCH_SUBJECT = ("participant_id", "arm", "site", "sex", "race", "ethnicity",
                 "age", "format")
BENCH_SCORES = {"madrs": ("baseline", "week1", "week2", "week4", "week8"),
                "phq9": ("baseline", "week8")}
BENCH_AE = ("nausea",)


def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def truncated_normal(rng, mean, sd, lo, hi, n):
    """Normal(mean, sd) restricted to [lo, hi] by redrawing (deterministic)."""
    x = rng.normal(mean, sd, n)
    bad = (x < lo) | (x > hi)
    while bad.any():
        x[bad] = rng.normal(mean, sd, int(bad.sum()))
        bad = (x < lo) | (x > hi)
    return x


def clip_round(x, lo, hi, step=1.0):
    """Round to a multiple of step, then clip into [lo, hi]."""
    return np.clip(np.rint(x / step) * step, lo, hi)


def simulate(n, seed):
    """Simulate the trial; returns a dict of NumPy arrays (participants in
    id order).  Every draw happens in a fixed order."""
    rng = np.random.Generator(np.random.PCG64(seed))
    d = {}

    # Sites, enrolment order within site, delivery format and therapy groups.
    n_site = rng.multinomial(n, SITE_P)
    site = np.repeat(np.arange(len(SITES)), n_site)
    fmt = np.zeros(n, dtype=np.int64)
    group = np.full(n, -1, dtype=np.int64)
    arm = np.zeros(n, dtype=np.int64)
    seq = np.zeros(n, dtype=np.int64)
    start = 0
    n_groups = 0
    for s in range(len(SITES)):
        ns = int(n_site[s])
        # About half of each site's participants are treated in closed
        # therapy groups of 6-8 who enrol together; the others individually.
        g = int(round(ns / 14.0))
        sizes = rng.integers(6, 9, size=g)
        while g > 0 and sizes[:g].sum() > ns:
            g -= 1
        sizes = sizes[:g]
        n_single = ns - int(sizes.sum())
        block = np.concatenate([sizes, np.ones(n_single, dtype=np.int64)])
        perm = rng.permutation(block.size)
        block = block[perm]
        is_group = perm < g
        gno = np.cumsum(is_group) - 1 + n_groups
        fmt[start:start + ns] = np.repeat(is_group, block)
        group[start:start + ns] = np.repeat(np.where(is_group, gno, -1), block)
        n_groups += g
        # 1:1 randomisation stratified by site: permuted blocks of 4 or 6
        # over the site's enrolment order (members of one therapy group may
        # get different arms: individual randomisation, blinded).
        nb = ns // 4 + 1
        bsize = np.where(rng.random(nb) < 0.5, 4, 6)
        bid = np.repeat(np.arange(nb), bsize)
        pos = np.arange(bid.size) - np.repeat(np.cumsum(bsize) - bsize, bsize)
        pattern = (pos >= np.repeat(bsize // 2, bsize)).astype(np.int64)
        order = np.lexsort((rng.random(bid.size), bid))
        arm[start:start + ns] = pattern[order][:ns]
        seq[start:start + ns] = np.arange(1, ns + 1)
        start += ns
    d["n_site"] = n_site
    d["site"] = site
    d["seq"] = seq
    d["format"] = fmt
    d["therapy_group"] = group
    d["n_groups"] = n_groups
    d["arm"] = arm
    ket = arm == 1
    grp = fmt == 1

    # Demographics and covariates.
    d["sex"] = rng.choice(len(SEXES), size=n, p=SEX_P)
    d["race"] = rng.choice(len(RACES), size=n, p=RACE_P)
    eth = (rng.random(n) >= P_HISPANIC).astype(np.int64)
    eth[rng.random(n) < P_ETHNICITY_MISSING] = -1
    d["ethnicity"] = eth
    age_latent = np.rint(truncated_normal(rng, 42.0, 12.5, 17.5, 75.49, n))
    age = age_latent.copy()
    age[rng.random(n) < P_AGE_MISSING] = np.nan
    d["age"] = age
    d["prior_episodes"] = rng.negative_binomial(2, 0.4, n).astype(np.float64)
    d["ssri_use"] = (rng.random(n) < P_SSRI).astype(np.int64)

    # MADRS.  Eligibility: baseline >= 20.
    madrs0 = np.clip(np.rint(truncated_normal(rng, 30.0, 5.0, 19.5, 60.49,
                                              n)), 0, 60)
    u = rng.normal(0.0, SD_SUBJECT, n)
    z = rng.standard_normal((n, 5))
    e = np.empty((n, 5))
    e[:, 0] = SD_RESID * z[:, 0]
    for v in range(1, 5):
        e[:, v] = RHO_RESID * e[:, v - 1] + \
            np.sqrt(1.0 - RHO_RESID ** 2) * SD_RESID * z[:, v]
    group_effect = rng.normal(0.0, SD_GROUP, max(n_groups, 1))
    g_eff = np.where(group >= 0, group_effect[np.maximum(group, 0)], 0.0)
    mean = np.empty((n, 5))
    for a in (0, 1):
        fi = MADRS_FORMAT + (MADRS_INTERACTION if a == 1 else 0.0)
        mean[arm == a] = MADRS_ARM_MEAN[a] - fi / 2.0
        mean[(arm == a) & grp] = MADRS_ARM_MEAN[a] + fi / 2.0
    cov = (B_BASELINE * (madrs0 - 30.0)
           + B_EPISODES * (d["prior_episodes"] - 3.0)
           + B_SSRI * (d["ssri_use"] - P_SSRI)
           + np.asarray(SITE_EFFECT)[site] + g_eff)
    change = mean + cov[:, None] * RAMP[None, :] + u[:, None] + e
    d["madrs_latent_change"] = change
    d["madrs_cell_mean"] = mean
    madrs_post = clip_round(madrs0[:, None] + change, 0, 60)

    # PHQ-9: baseline correlated with MADRS (r ~ 0.5); change follows MADRS.
    phq0 = clip_round(17.5 + 0.4 * (madrs0 - 30.0) + rng.normal(0, 3.46, n),
                      0, 27)
    zp = rng.standard_normal((n, 2))
    ep4 = SD_PHQ9_RESID * zp[:, 0]
    ep8 = 0.5 * ep4 + np.sqrt(0.75) * SD_PHQ9_RESID * zp[:, 1]
    phq4 = clip_round(phq0 + PHQ9_SLOPE * change[:, 3] + ep4, 0, 27)
    phq8 = clip_round(phq0 + PHQ9_SLOPE * change[:, 4] + ep8, 0, 27)
    phq_sporadic = rng.random((n, 2)) < P_PHQ9_SPORADIC

    # PCL-5 for the comorbid-PTSD subgroup only.
    ptsd = rng.random(n) < P_PTSD
    pcl0 = clip_round(rng.normal(47.0, 10.0, n), 0, 80)
    pcl_change = (np.where(ket, PCL5_ARM_MEAN[1], PCL5_ARM_MEAN[0])
                  + PCL5_LOADING * (u + e[:, 4])
                  + rng.normal(0.0, SD_PCL5_RESID, n))
    pcl8 = clip_round(pcl0 + pcl_change, 0, 80)

    # CADSS: pre-dose near 0-5; post-dose peak on Day 1.
    cadss0 = np.clip(rng.poisson(1.2, n), 0, 92).astype(np.float64)
    cadss_rise = np.where(ket, rng.gamma(3.3, 5.7, n), rng.gamma(1.5, 2.5, n))
    cadss1 = clip_round(cadss0 + cadss_rise, 0, 92)

    # Vital signs (mean of two readings: multiples of 0.5).
    male = d["sex"] == 1
    hr0 = 74.0 + 3.0 * (d["sex"] == 0) + rng.normal(0.0, 10.0, n)
    hr1 = hr0 + np.where(ket, rng.normal(10.0, 8.0, n),
                         rng.normal(2.0, 6.0, n))
    sbp0 = 112.0 + 0.35 * (age_latent - 18.0) + 5.0 * male + \
        rng.normal(0.0, 12.0, n)
    dsbp = np.where(ket, rng.normal(13.75, 14.0, n), rng.normal(-3.0, 7.0, n))
    # About 5% of ketamine participants are strong pressor responders.
    pressor = ket & (rng.random(n) < 0.05)
    dsbp = dsbp + 25.0 * pressor
    sbp1 = sbp0 + dsbp
    dbp0 = 78.0 + 0.45 * (sbp0 - 122.0) + rng.normal(0.0, 6.5, n)
    ddbp = np.where(ket, 8.0 + 0.4 * (dsbp - 15.0) + rng.normal(0, 4.0, n),
                    -2.0 + 0.4 * (dsbp + 3.0) + rng.normal(0, 3.0, n))
    dbp1 = dbp0 + ddbp
    hr0, hr1 = clip_round(hr0, 20, 250, 0.5), clip_round(hr1, 20, 250, 0.5)
    sbp0, sbp1 = clip_round(sbp0, 50, 300, 0.5), clip_round(sbp1, 50, 300, 0.5)
    dbp0, dbp1 = clip_round(dbp0, 20, 200, 0.5), clip_round(dbp1, 20, 200, 0.5)

    # Monotone dropout, MAR on the last observed MADRS, more on placebo.
    ud = rng.random((n, 5))
    present = np.ones((n, 5), dtype=bool)
    alive = np.ones(n, dtype=bool)
    last = madrs0.copy()
    for v in range(5):
        h = expit(DROP_A[v] + DROP_B * (last - 22.0) + DROP_PLACEBO * (~ket))
        alive &= ~(ud[:, v] < h)
        present[:, v] = alive
        last = np.where(alive, madrs_post[:, v], last)
    d["present"] = present
    dosed = present[:, 0]

    def post(x, v):
        return np.where(present[:, v], x, np.nan)

    scores = {
        ("madrs", "baseline"): madrs0,
        ("phq9", "baseline"): phq0,
        ("phq9", "week4"): np.where(phq_sporadic[:, 0], np.nan,
                                    post(phq4, 3)),
        ("phq9", "week8"): np.where(phq_sporadic[:, 1], np.nan,
                                    post(phq8, 4)),
        ("pcl5", "baseline"): np.where(ptsd, pcl0, np.nan),
        ("pcl5", "week8"): np.where(ptsd, post(pcl8, 4), np.nan),
        ("cadss", "baseline"): cadss0, ("cadss", "day1"): post(cadss1, 0),
        ("hr", "baseline"): hr0, ("hr", "day1"): post(hr1, 0),
        ("sbp", "baseline"): sbp0, ("sbp", "day1"): post(sbp1, 0),
        ("dbp", "baseline"): dbp0, ("dbp", "day1"): post(dbp1, 0),
    }
    for v, name in enumerate(POST):
        scores[("madrs", name)] = post(madrs_post[:, v], v)
    d["scores"] = scores
    d["ptsd"] = ptsd

    # Adverse events (any time after the first dose; none if never dosed).
    def rate(p_ket, p_pbo):
        return rng.random(n) < np.where(ket, p_ket, p_pbo)

    ae = {}
    ae["nausea"] = rate(0.30, 0.10)
    ae["dizziness"] = rate(0.25, 0.12)
    ae["dissociation"] = rng.random(n) < expit(-3.1 + 0.13 * cadss1)
    ae["headache"] = rate(0.20, 0.15)
    ae["vomiting"] = rng.random(n) < np.where(
        ae["nausea"], np.where(ket, 0.25, 0.15), 0.005)
    bp_high = (sbp1 >= 160) | (dbp1 >= 100)
    ae["elevated_blood_pressure"] = rng.random(n) < np.where(
        bp_high, 0.6, np.where(sbp1 - sbp0 >= 25, 0.1, 0.01))
    ae["anxiety"] = rate(0.15, 0.10)
    ae["fatigue"] = rate(0.18, 0.25)
    ae["suicidal_ideation"] = rate(0.015, 0.02)
    for t in AE_TERMS:
        ae[t] &= dosed
    d["ae"] = ae

    sev_p = {"nausea": (0.70, 0.27), "dizziness": (0.75, 0.23),
             "dissociation": (0.60, 0.35), "headache": (0.70, 0.28),
             "vomiting": (0.60, 0.35), "anxiety": (0.65, 0.32),
             "fatigue": (0.80, 0.19), "suicidal_ideation": (0.0, 0.5)}
    sev = {}
    for t in AE_TERMS:
        r = rng.random(n)
        if t == "elevated_blood_pressure":
            s = np.where((sbp1 > 180) | (dbp1 >= 110), 2,
                         np.where(sbp1 >= 160, 1, 0))
        else:
            p1, p2 = sev_p[t]
            s = np.where(r < p1, 0, np.where(r < p1 + p2, 1, 2))
            if t == "dissociation":
                s = np.where(cadss1 > 45, 2, s)
        sev[t] = s
    d["ae_severity"] = sev
    return d


# ---- formatting ------------------------------------------------------------

def fmt_num(x, decimals):
    """Strings for a float array (NaN -> ""), fixed decimals, C locale.
    Uses a lookup table over the value range, so it is O(n)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full(x.shape, "", dtype=object)
    ok = ~np.isnan(x)
    if not ok.any():
        return out
    scale = 10 ** decimals
    k = np.rint(x[ok] * scale).astype(np.int64)
    lo, hi = int(k.min()), int(k.max())
    if decimals == 0:
        table = np.array([str(i) for i in range(lo, hi + 1)], dtype=object)
    else:
        table = np.array(["%.*f" % (decimals, i / scale)
                          for i in range(lo, hi + 1)], dtype=object)
    out[ok] = table[k - lo]
    return out


def fmt_codes(codes, levels):
    """Strings for category codes (-1 -> "")."""
    table = np.array(list(levels) + [""], dtype=object)
    c = np.asarray(codes)
    return table[np.where(c < 0, len(levels), c)]


def subject_strings(d, name):
    if name == "participant_id":
        width = max(3, len(str(int(d["n_site"].max()))))
        table = np.array(["KAP-%s-" % s for s in SITES], dtype=object)
        num = np.array(["%0*d" % (width, i) for i in range(d["seq"].max() + 1)],
                       dtype=object)
        return table[d["site"]] + num[d["seq"]]
    if name == "arm":
        return fmt_codes(d["arm"], ARMS)
    if name == "site":
        return fmt_codes(d["site"], SITES)
    if name == "sex":
        return fmt_codes(d["sex"], SEXES)
    if name == "race":
        return fmt_codes(d["race"], RACES)
    if name == "ethnicity":
        return fmt_codes(d["ethnicity"], ETHNICITIES)
    if name == "age":
        return fmt_num(d["age"], 0)
    if name == "format":
        return fmt_codes(d["format"], FORMATS)
    if name == "therapy_group":
        width = max(2, len(str(d["n_groups"])))
        names = ["G%0*d" % (width, g + 1) for g in range(d["n_groups"])]
        return fmt_codes(d["therapy_group"], names)
    if name == "prior_episodes":
        return fmt_num(d["prior_episodes"], 0)
    if name == "ssri_use":
        return fmt_codes(d["ssri_use"], YESNO)
    raise KeyError(name)


def _check_plain(strings, what):
    # The files are written without quoting: no field may need it.
    for s in set(strings.tolist()) if strings.size < 100000 else \
            set(np.unique(strings.astype(str)).tolist()):
        if any(c in s for c in ',"\r\n'):
            raise ValueError("%s: value needs CSV quoting: %r" % (what, s))


# ---- layouts ------------------------------------------------------------------

def plan(bench):
    """(subject columns, [(instrument spec, visits)], ae terms)."""
    if bench:
        instr = [(spec, BENCH_SCORES[spec[0]]) for spec in INSTRUMENTS
                 if spec[0] in BENCH_SCORES]
        return BENCH_SUBJECT, instr, BENCH_AE
    return tuple(w for w, _ in SUBJECT_COLUMNS), \
        [(spec, spec[5]) for spec in INSTRUMENTS], AE_TERMS


def write_lines(path, header, lines_iter):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write((header + "\n").encode("ascii"))
        for text in lines_iter:
            f.write(text.encode("ascii"))
    os.replace(tmp, path)


def chunks(n, size=200000):
    for a in range(0, n, size):
        yield a, min(n, a + size)


def wide_file(d, subj, path, bench):
    subject, instr, terms = plan(bench)
    cols, header = [], []
    for name in subject:
        cols.append(subj[name])
        header.append(name)
    for spec, visits in instr:
        for v in visits:
            cols.append(fmt_num(d["scores"][(spec[0], v)], spec[3]))
            header.append("%s_%s" % (spec[0], v))
    for t in terms:
        cols.append(np.where(d["ae"][t], "1", "0").astype(object))
        header.append("ae_" + t)
    n = d["arm"].size

    def gen():
        for a, b in chunks(n):
            rows = zip(*[c[a:b] for c in cols])
            yield "".join([",".join(r) + "\n" for r in rows])
    write_lines(path, ",".join(header), gen())
    return n


def long_file(d, subj, path, bench):
    subject, instr, _ = plan(bench)
    long_name = dict(SUBJECT_COLUMNS)
    order = [c for c in LONG_SUBJECT_ORDER if c in subject]
    header = [long_name[c] for c in order] + list(LONG_TAIL)
    prefix = subj[order[0]].copy()
    for c in order[1:]:
        prefix = prefix + "," + subj[c]
    n = d["arm"].size

    blocks = []  # (param rank, visit rank, mid string, aval, base, chg)
    for pr, (spec, visits) in enumerate(instr):
        name, paramcd, param, dec = spec[0], spec[1], spec[2], spec[3]
        base = d["scores"][(name, "baseline")]
        for vr, v in enumerate(visits):
            label, day = VISITS[v]
            mid = "%s,%s,%s,%d,%d,%s," % (paramcd, param, label, day, day,
                                          "Y" if v == "baseline" else "")
            aval = d["scores"][(name, v)]
            chg = np.full(n, np.nan) if v == "baseline" else aval - base
            blocks.append((pr, vr, mid, aval, base, chg, dec))

    def gen():
        for a, b in chunks(n, 100000):
            pid, key, parts = [], [], []
            for pr, vr, mid, aval, base, chg, dec in blocks:
                idx = np.nonzero(~np.isnan(aval[a:b]))[0] + a
                tail = (mid + fmt_num(aval[idx], dec) + ","
                        + fmt_num(base[idx], dec) + ","
                        + fmt_num(chg[idx], dec))
                pid.append(idx)
                key.append(np.full(idx.size, pr * 100 + vr))
                parts.append(tail)
            pid = np.concatenate(pid)
            key = np.concatenate(key)
            tails = np.concatenate(parts)
            o = np.lexsort((key, pid))
            rows = prefix[pid[o]] + "," + tails[o] + "\n"
            yield "".join(rows.tolist())
    write_lines(path, ",".join(header), gen())
    return int(sum(np.count_nonzero(~np.isnan(bl[3])) for bl in blocks))


def adae_file(d, subj, path, bench):
    _, _, terms = plan(bench)
    ids = subj["participant_id"]
    pid, key, tails = [], [], []
    for j, t in enumerate(terms):
        idx = np.nonzero(d["ae"][t])[0]
        sev = fmt_codes(d["ae_severity"][t][idx], SEVERITIES)
        ser = "Y" if t == "suicidal_ideation" else "N"
        pid.append(idx)
        key.append(np.full(idx.size, j))
        tails.append(("," + t + ",") + sev + ("," + ser + "\n"))
    pid = np.concatenate(pid)
    key = np.concatenate(key)
    tails = np.concatenate(tails)
    o = np.lexsort((key, pid))
    rows = ids[pid[o]] + tails[o]

    def gen():
        for a, b in chunks(rows.size, 500000):
            yield "".join(rows[a:b].tolist())
    write_lines(path, "USUBJID,AEDECOD,AESEV,AESER", gen())
    return int(rows.size)


# ---- large-sample truth ------------------------------------------------------

def truth(n, seed):
    """Print complete-data (no dropout) and observed large-sample summaries
    of the simulated effects, for the data dictionary."""
    d = simulate(n, seed)
    arm, fmt = d["arm"], d["format"]
    m0 = d["scores"][("madrs", "baseline")]
    lat = d["madrs_latent_change"]
    full = np.clip(np.rint(m0[:, None] + lat), 0, 60) - m0[:, None]
    print("n=%d seed=%d  group format fraction %.4f" % (n, seed, fmt.mean()))
    print("MADRS change, complete data (rounded and clipped), by visit:")
    for v, name in enumerate(POST):
        p, k = full[arm == 0, v].mean(), full[arm == 1, v].mean()
        print("  %-6s placebo %7.3f ketamine %7.3f diff %7.3f  (latent diff"
              " %7.3f)  SD %.3f" % (name, p, k, k - p,
                                   lat[arm == 1, v].mean()
                                   - lat[arm == 0, v].mean(),
                                   full[:, v].std()))
    for f in (0, 1):
        sel = fmt == f
        p = full[sel & (arm == 0), 4].mean()
        k = full[sel & (arm == 1), 4].mean()
        print("  week8 %-10s placebo %7.3f ketamine %7.3f diff %7.3f" %
              (FORMATS[f], p, k, k - p))
    for r in range(len(RACES)):
        sel = d["race"] == r
        p = full[sel & (arm == 0), 4].mean()
        k = full[sel & (arm == 1), 4].mean()
        print("  week8 race %-42s diff %7.3f" % (RACES[r], k - p))
    pres = d["present"]
    print("Dropout by week 8: placebo %.4f ketamine %.4f all %.4f" %
          (1 - pres[arm == 0, 4].mean(), 1 - pres[arm == 1, 4].mean(),
           1 - pres[:, 4].mean()))
    obs = d["scores"][("madrs", "week8")] - m0
    ok = ~np.isnan(obs)
    print("MADRS week8 change, completers: placebo %.3f ketamine %.3f" %
          (obs[ok & (arm == 0)].mean(), obs[ok & (arm == 1)].mean()))
    for name, base in (("phq9", "baseline"), ("pcl5", "baseline")):
        b = d["scores"][(name, base)]
        w = d["scores"][(name, "week8")]
        print("%s week8 change, observed: placebo %.3f ketamine %.3f" %
              (name, np.nanmean((w - b)[arm == 0]),
               np.nanmean((w - b)[arm == 1])))
    for name in ("cadss", "hr", "sbp", "dbp"):
        b = d["scores"][(name, "baseline")]
        w = d["scores"][(name, "day1")]
        print("%s baseline/day1 mean: placebo %.2f/%.2f ketamine %.2f/%.2f" %
              (name, b[arm == 0].mean(), np.nanmean(w[arm == 0]),
               b[arm == 1].mean(), np.nanmean(w[arm == 1])))
    for t in AE_TERMS:
        a = d["ae"][t]
        print("AE %-24s placebo %.4f ketamine %.4f" %
              (t, a[arm == 0].mean(), a[arm == 1].mean()))


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED,
                    help="PCG64 seed (default %(default)s)")
    ap.add_argument("--n", type=int, default=DEFAULT_N,
                    help="participants (default %(default)s)")
    ap.add_argument("--out", default=here,
                    help="output directory (default: this script's directory)")
    ap.add_argument("--bench", action="store_true",
                    help="benchmark variant: reduced column set, files "
                         "kap_bench_*.csv, wide only unless --files says more")
    ap.add_argument("--files", default=None,
                    help="comma list of wide,long,adae (default: all three; "
                         "with --bench: wide)")
    ap.add_argument("--truth", action="store_true",
                    help="print large-sample summaries of the simulated "
                         "effects instead of writing files")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.n < 1:
        ap.error("--n must be >= 1")
    if a.truth:
        truth(a.n, a.seed)
        return 0
    files = a.files.split(",") if a.files else \
        (["wide"] if a.bench else ["wide", "long", "adae"])
    for f in files:
        if f not in ("wide", "long", "adae"):
            ap.error("unknown file kind %r" % f)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.perf_counter()
    d = simulate(a.n, a.seed)
    subject, _, _ = plan(a.bench)
    subj = {c: subject_strings(d, c) for c in subject}
    if a.n <= 100000:
        for c in subject:
            _check_plain(subj[c], c)
    t1 = time.perf_counter()
    stem = "kap_bench" if a.bench else "kap_trial"
    writers = {"wide": wide_file, "long": long_file, "adae": adae_file}
    if not a.quiet:
        print("simulated n=%d seed=%d in %.2f s" % (a.n, a.seed, t1 - t0))
    for f in files:
        path = os.path.join(a.out, "%s_%s.csv" % (stem, f))
        t = time.perf_counter()
        rows = writers[f](d, subj, path, a.bench)
        if not a.quiet:
            print("wrote %s: %d rows, %d bytes, %.2f s" %
                  (path, rows, os.path.getsize(path), time.perf_counter() - t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
