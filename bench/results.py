#!/usr/bin/python3
"""Writes bench/RESULTS.md from one bench/run.sh run directory.

  results.py RUNDIR [RUNDIR...] OUT.md

RUNDIR holds times.tsv (one line per measurement), commands.tsv, config,
stores.tsv and, if profiled, profile.txt.  With several run directories
(oldest first), each (size, layout, tool) takes its rows from the latest
run that measured it: e.g. a later run of the analysis commands only.  Computes medians and min-max,
throughput, the ratios of the issue's targets and says met / missed.
"""

import csv
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

TOOLS = ("kapstats_ingest", "library_ingest", "pandas_h5py", "fread",
         "libcsv_tokenize", "kapstats_report", "kapstats_analyze",
         "kapstats_subgroups", "python_pipeline", "kapstats_info")
SUBGROUP_VARS = ("race", "sex", "format", "site", "age")
KERNEL_ROWS = (("hedges_g", "Hedges' g + noncentral-t CI (kap_effect_size_hedges_g)"),
               ("welch", "Welch t test (kap_ttest_two)"),
               ("both_arrays", "both, each call reading the arrays"),
               ("both_summary", "both from one summary (kap_describe_two + "
                "kap_ttest_two_summary + kap_effect_size_hedges_g_summary)"),
               ("ci_only", "the noncentral-t CI alone (from the summary)"),
               ("stream_pass", "for scale: a streaming pass (4 independent sums)"))
KERNEL_PASSES_MAX = 3.0
N_INGEST_TOOLS = 5
NA = "not available in this build"
# Scaling counts as linear when the time per participant grows by at most
# this factor from one size to the next.
LINEAR_SLACK = 1.25


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=60).stdout.strip()
    except Exception:  # noqa: BLE001 - informational only
        return ""


def read_config(rundir):
    cfg = {}
    with open(os.path.join(rundir, "config")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            cfg[k] = v
    return cfg


def load(rundir):
    rows = []
    with open(os.path.join(rundir, "times.tsv"), newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            r["size"] = int(r["size"])
            r["ok"] = r["exit"] == "0" and r["wall_s"] != "NA"
            r["wall"] = float(r["wall_s"]) if r["wall_s"] != "NA" else None
            r["rss"] = int(r["rss_kb"]) * 1024 if r["rss_kb"] != "NA" else None
            r["bytes"] = int(r["bytes_in"])
            r["cpu"] = float(r["cpu_s"]) if r.get("cpu_s", "NA") not in ("NA", "", None) else None
            try:
                r["json"] = json.loads(r["info"])
            except (ValueError, TypeError):
                r["json"] = None
            rows.append(r)
    return rows


class Cell:
    """All repetitions of one (size, layout, tool)."""

    def __init__(self, rows):
        self.rows = rows
        ok = [r for r in rows if r["ok"]]
        self.failed = [r for r in rows if not r["ok"]]
        self.walls = [r["wall"] for r in ok]
        self.rss = [r["rss"] for r in ok]
        self.cpus = [r["cpu"] for r in ok if r["cpu"] is not None]
        self.bytes = rows[0]["bytes"]
        self.ok = bool(ok) and not self.failed

    def med(self, key="wall"):
        v = {"wall": self.walls, "rss": self.rss, "cpu": self.cpus}[key]
        return statistics.median(v) if v else None

    def json_med(self, key):
        v = [r["json"][key] for r in self.rows
             if r["ok"] and r["json"] and key in r["json"]]
        return (statistics.median(v), min(v), max(v)) if v else None


def fmt_s(x):
    return "%.3f" % x if x < 10 else "%.2f" % x


def mb(x):
    return x / 1e6


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    return {"nproc": sh("nproc"), "cpu": cpu, "memory": mem,
            "kernel": platform.release()}


def versions(kapstats):
    v = {}
    ks = sh("%s --version 2>/dev/null" % kapstats)
    v["kapstats"] = ks or NA
    v["Python"] = platform.python_version()
    mods = ("pandas", "numpy", "h5py", "scipy", "statsmodels")
    out = sh("/usr/bin/python3 -c 'import %s; print(%s)'" % (
        ", ".join(mods), ", ".join("%s.__version__" % m for m in mods)))
    for m, ver in zip(mods, out.split()):
        v[m] = ver
    hv = sh("/usr/bin/python3 -c 'import h5py; print(h5py.version.hdf5_version)'")
    v["HDF5 (h5py)"] = hv
    v["R"] = sh("Rscript --version 2>&1").replace("Rscript (R) version ", "")
    v["data.table"] = sh("Rscript -e 'cat(as.character(packageVersion(\"data.table\")))' 2>/dev/null")
    v["libcsv"] = sh("dpkg-query -W -f '${Version}' libcsv3 2>/dev/null") or \
        sh("dpkg-query -W -f '${Version}' libcsv-dev 2>/dev/null")
    v["cc"] = sh("cc --version | head -n 1")
    return v


def numeric_bytes_of_store(path):
    """Uncompressed bytes of the numeric datasets of an HDF5 file."""
    try:
        import h5py
    except ImportError:
        return None
    total = [0]

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "biuf":
            total[0] += obj.size * obj.dtype.itemsize
    try:
        with h5py.File(path, "r") as f:
            f.visititems(visit)
    except OSError:
        return None
    return total[0]


def main():
    rundirs, out = sys.argv[1:-1], sys.argv[-1]
    rundir = rundirs[-1]
    cfgs = [read_config(d) for d in rundirs]
    cfg = dict(cfgs[-1])
    for k in ("have_ingest", "have_report", "have_lib", "have_analyze",
              "have_subgroups"):
        cfg[k] = "1" if any(c.get(k) == "1" for c in cfgs) else "0"
    cells = {}
    for d in rundirs:
        per = {}
        for r in load(d):
            r["run"] = os.path.basename(d.rstrip("/"))
            per.setdefault((r["size"], r["layout"], r["tool"]), []).append(r)
        cells.update(per)
    rows = [r for v in cells.values() for r in v]
    sizes = sorted({r["size"] for r in rows if r["layout"] != "kernels"})
    sub_vars = tuple(cfg.get("subgroup_vars", " ".join(SUBGROUP_VARS)).split())
    cells = {k: Cell(v) for k, v in cells.items()}
    have_ingest = cfg.get("have_ingest") == "1"
    have_report = cfg.get("have_report") == "1"
    have_lib = cfg.get("have_lib") == "1"

    def cell(n, layout, tool):
        return cells.get((n, layout, tool))

    L = []
    w = L.append
    m = machine()
    v = versions(cfg.get("kapstats", "build/kapstats"))
    w("# libkapstats benchmark results\n")
    w("Written by `make bench` (bench/run.sh + bench/results.py) on %s UTC. "
      "bench/README.md describes the peers and the caveats.\n" %
      datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"))
    w("## Machine and versions\n")
    w("| | |\n| --- | --- |")
    w("| nproc | %s |" % m["nproc"])
    w("| CPU | %s |" % m["cpu"])
    w("| memory | %s |" % m["memory"])
    w("| kernel | %s |" % m["kernel"])
    for k, val in v.items():
        w("| %s | %s |" % (k, val))
    w("| fread threads | setDTthreads(%s) (getDTthreads() reported %s) |" % (
        cfg.get("threads"),
        ", ".join(sorted({str(r["json"]["threads"]) for r in rows
                          if r["tool"] == "fread" and r["json"]})) or "?"))
    for d, c in zip(rundirs, cfgs):
        extra = ""
        if "reps_slow" in c:
            extra = ("; %s repetitions of the slow measurements (long layout, "
                     "Python pipeline, sizes above %s); long layout up to %s; "
                     "peers (pandas+h5py, fread, Python pipeline) up to %s" % (
                         c.get("reps_slow"), c.get("peers_max"), c.get("long_max"),
                         c.get("peers_max")))
        w("| run %s | sizes %s; %s repetitions, alternating tools; layouts "
          "%s; analysis %s%s |" % (os.path.basename(d.rstrip("/")), c.get("sizes"),
                                   c.get("reps"), c.get("layouts"),
                                   "yes" if c.get("analysis", "1") != "0" else "no",
                                   extra))
    w("")
    if len(rundirs) > 1:
        w("Several runs: each row of the timing table comes from the latest "
          "run that measured it (column `run`); within a run the tools "
          "alternated.\n")

    # ---- table ----
    w("## Timings\n")
    w("Whole-process wall time and peak RSS from `/usr/bin/time -v`: median "
      "[min–max] over the repetitions; CPU s = median user + system time "
      "(less sensitive than wall time to other load on the shared box). "
      "MB/s = input CSV bytes (for `kapstats report`: store bytes) / median "
      "wall time. Page cache warm.\n")
    multi = len(rundirs) > 1
    w("| n | layout | tool | wall s | CPU s | MB/s | peak RSS MB | notes |"
      + (" run |" if multi else ""))
    w("| ---: | --- | --- | --- | ---: | ---: | --- | --- |"
      + (" --- |" if multi else ""))
    for n in sizes:
        for layout in ("wide", "long", "analysis"):
            tools = TOOLS[:N_INGEST_TOOLS] if layout != "analysis" \
                else TOOLS[N_INGEST_TOOLS:] + tuple(
                    "kapstats_subgroups_" + v for v in sub_vars)
            for t in tools:
                c = cell(n, layout, t)
                if c is None:
                    if t.startswith("kapstats") and \
                            (layout, t) in (("wide", "kapstats_ingest"),
                                            ("long", "kapstats_ingest"),
                                            ("analysis", "kapstats_report")) \
                            and any(k[0] == n and k[1] == layout for k in cells):
                        avail = have_ingest if t == "kapstats_ingest" else have_report
                        why = NA if not avail else "no store to report on"
                        w("| %d | %s | %s | %s | | | | |" % (n, layout, t, why))
                    continue
                if not c.walls:
                    w("| %d | %s | %s | failed (exit %s): %s | | | | |" % (
                        n, layout, t, c.failed[0]["exit"],
                        c.failed[0]["info"][:120].replace("|", "/")))
                    continue
                notes = []
                if c.failed:
                    notes.append("%d of %d runs failed" % (len(c.failed), len(c.rows)))
                if t == "fread":
                    fr = c.json_med("fread_s")
                    if fr:
                        notes.append("fread() alone %s s [%s–%s]" % tuple(fmt_s(x) for x in fr))
                if t == "library_ingest":
                    li = c.json_med("ingest_s")
                    lw = c.json_med("write_s")
                    if li and lw and lw[0] > 0:
                        notes.append("kap_ingest_files() %s s, kap_trial_write() "
                                     "%s s" % (fmt_s(li[0]), fmt_s(lw[0])))
                    elif li:
                        notes.append("kap_ingest_files() alone %s s; no store "
                                     "written" % fmt_s(li[0]))
                if t == "pandas_h5py":
                    parts = [(k, c.json_med(k)) for k in ("read_s", "reshape_s", "write_s")]
                    notes.append(", ".join("%s %s" % (k[:-2], fmt_s(x[0]))
                                           for k, x in parts if x and x[0] > 0.0005))
                if t == "python_pipeline":
                    parts = [(k, c.json_med(k)) for k in
                             ("read_s", "analysis_s", "primary_s", "subgroups_s")]
                    notes.append(", ".join("%s %s" % (k[:-2], fmt_s(x[0]))
                                           for k, x in parts if x))
                cpu = c.med("cpu")
                w("| %d | %s | %s | %s [%s–%s] | %s | %.1f | %.0f [%.0f–%.0f] | %s |" % (
                    n, layout, t, fmt_s(c.med()), fmt_s(min(c.walls)),
                    fmt_s(max(c.walls)), fmt_s(cpu) if cpu is not None else "?",
                    mb(c.bytes) / c.med(),
                    mb(c.med("rss")), mb(min(c.rss)), mb(max(c.rss)),
                    "; ".join(x for x in notes if x))
                  + (" %s |" % c.rows[0]["run"][9:15] if multi else ""))
    w("")

    # ---- kernels ----
    kc = cells.get((1000000, "kernels", "kernels"))
    kern = None
    if kc and kc.rows and any(r["ok"] and r["json"] for r in kc.rows):
        kern = {}
        for key in ["plain_pass"] + [k for k, _ in KERNEL_ROWS]:
            wv, cv = kc.json_med(key + "_s"), kc.json_med(key + "_cpu_s")
            if wv and cv:
                kern[key] = (wv[0], cv[0])
        if "plain_pass" not in kern:
            kern = None
    if kern is not None:
        n_k = kc.json_med("n")
        w("## Kernels\n")
        w("`bench/kernels.c`: two arrays of %s doubles; each figure is the "
          "median of %s timed calls inside one process, then the median over "
          "%d runs. Unit: one plain pass = `s += v` over both arrays "
          "(%.3f ms wall, %.3f ms CPU); passes = time / that. "
          "`tests/test_passes.c` counts the reads themselves (page "
          "protection): the summary route reads each array twice (three "
          "times only for data beyond 2^±400, which need scaling).\n" % (
              "%d" % n_k[0] if n_k else "?", kc.rows[0]["json"].get("reps", "?")
              if kc.rows[0]["json"] else "?", len(kc.walls),
              1e3 * kern["plain_pass"][0], 1e3 * kern["plain_pass"][1]))
        w("| kernel | wall ms | CPU ms | passes (wall) | passes (CPU) |")
        w("| --- | ---: | ---: | ---: | ---: |")
        pw, pc = kern["plain_pass"]
        for key, label in KERNEL_ROWS:
            if key in kern:
                kw_, kc_ = kern[key]
                w("| %s | %.3f | %.3f | %.2f | %.2f |" % (
                    label, 1e3 * kw_, 1e3 * kc_, kw_ / pw, kc_ / pc))
        w("")

    # ---- stores ----
    stores_by = {}
    for d in rundirs:
        sp = os.path.join(d, "stores.tsv")
        if os.path.exists(sp):
            with open(sp) as f:
                for line in f:
                    p, s = line.rstrip("\n").split("\t")
                    stores_by[os.path.relpath(p, d)] = (
                        p, int(s), numeric_bytes_of_store(p))
    stores = [stores_by[k] for k in sorted(stores_by)]
    if stores:
        w("Stores written (last repetition): file, size on disk, uncompressed "
          "numeric datasets.\n")
        w("| store | bytes on disk | numeric data (uncompressed) |")
        w("| --- | ---: | ---: |")
        for p, s, nb in stores:
            w("| %s | %d | %s |" % (os.path.join(*p.split(os.sep)[-2:]), s,
                                     "?" if nb is None else "%d" % nb))
        w("")

    # ---- targets ----
    w("## Targets\n")
    tn = 1000000 if 1000000 in sizes else (max(sizes) if sizes else None)
    if tn != 1000000:
        w("(1M participants was not in BENCH_SIZES: the targets below use "
          "n = %s instead.)\n" % tn)

    def status(ok):
        if ok == "partly":
            return "**met per CSV field, missed per stored value**"
        return "**met**" if ok else "**missed**"

    def target(label, fn):
        try:
            res = fn()
        except (TypeError, ZeroDivisionError, KeyError, AttributeError):
            res = None
        if res is None:
            w("| %s | %s | — |" % (label, "no data" if (have_ingest or have_lib) else NA))
        else:
            w("| %s | %s | %s |" % (label, res[0], status(res[1])))

    def med(layout, tool, n=tn):
        c = cell(n, layout, tool)
        return c.med() if c and c.walls and not c.failed else None

    ING = "kapstats_ingest" if have_ingest else "library_ingest"
    provisional = not have_ingest and have_lib
    if provisional:
        w("`kapstats ingest` is %s: the ingestion targets below are "
          "**provisional**, computed from `library_ingest` "
          "(bench/ingest_lib.c: kap_ingest_files() + kap_trial_write(), "
          "the library calls the CLI command will make, without its "
          "argument handling).\n" % NA)
    w("| target | measured | status |")
    w("| --- | --- | --- |")
    k_w = med("wide", ING)
    k_l = med("long", ING)

    def cpu(layout, tool, n=tn):
        c = cell(n, layout, tool)
        return c.med("cpu") if c and c.cpus and not c.failed else None

    kc_w, kc_l = cpu("wide", ING), cpu("long", ING)

    def cpu_ratio(a, b):
        return " (CPU time: %.2fx)" % (a / b) if a and b else ""

    def t_pandas():
        p = med("wide", "pandas_h5py")
        r = p / k_w
        return ("pandas+h5py %s s / kapstats %s s = %.2fx%s" % (
            fmt_s(p), fmt_s(k_w), r, cpu_ratio(cpu("wide", "pandas_h5py"), kc_w)),
            r >= 5.0)

    def t_fread():
        fr = cell(tn, "wide", "fread").json_med("fread_s")[0]
        r = fr / k_w
        whole = med("wide", "fread")
        return ("fread() alone %s s / kapstats %s s = %.2fx (whole Rscript "
                "process %s s: %.2fx%s)" % (
                    fmt_s(fr), fmt_s(k_w), r, fmt_s(whole), whole / k_w,
                    cpu_ratio(cpu("wide", "fread"), kc_w).replace(
                        " (CPU time", "; whole process CPU time").rstrip(")")),
                r >= 2.0)

    def t_tok():
        tk = med("wide", "libcsv_tokenize")
        r = k_w / tk
        return ("kapstats %s s / tokenise %s s = %.2fx%s" % (
            fmt_s(k_w), fmt_s(tk), r, cpu_ratio(kc_w, cpu("wide", "libcsv_tokenize"))),
            r <= 2.5)

    def fields(layout):
        """CSV fields of the layout's file(s), from csv_tokenize's output."""
        c = cell(tn, layout, "libcsv_tokenize")
        for r in (c.rows if c else []):
            m = re.search(r"fields=(\d+)", r["info"] or "")
            if m:
                return int(m.group(1))
        return None

    def floor():
        tl, tw = med("long", "libcsv_tokenize"), med("wide", "libcsv_tokenize")
        if tl and tw:
            return ("; for scale, libcsv tokenisation alone takes %.2fx as "
                    "long on the long layout" % (tl / tw))
        return ""

    def t_long():
        # "Per value" read two ways: per CSV field (the long file repeats the
        # subject columns, BASE, CHG... on every record: ~7x the fields of
        # the wide file), and per stored value (both layouts hold the same
        # participants and values, so that ratio is the plain time ratio).
        r = k_l / k_w
        fw, fl = fields("wide"), fields("long")
        if fw and fl:
            rf = (k_l / fl) / (k_w / fw)
            return ("per CSV field: long %.0f ns / wide %.0f ns = %.2fx "
                    "(%.1fM vs %.1fM fields) → %s; per stored value (same "
                    "content): long %s s / wide %s s = %.2fx%s → %s" % (
                        1e9 * k_l / fl, 1e9 * k_w / fw, rf, fl / 1e6, fw / 1e6,
                        "met" if rf <= 2.0 else "missed",
                        fmt_s(k_l), fmt_s(k_w), r, cpu_ratio(kc_l, kc_w),
                        "met" if r <= 2.0 else "missed") + floor(),
                    r <= 2.0 or ("partly" if rf <= 2.0 else False))
        return ("long %s s / wide %s s = %.2fx (same values)%s" % (
            fmt_s(k_l), fmt_s(k_w), r, cpu_ratio(kc_l, kc_w)), r <= 2.0)

    def t_rss():
        c = cell(tn, "wide", ING)
        rss = c.med("rss")
        store = [nb for p, s, nb in stores
                 if p.endswith("n%d/%s_wide.h5" % (tn, "lib" if provisional else "kap"))
                 and nb]
        nb = store[0]
        r = rss / nb
        extra = ""
        cl = cell(tn, "long", ING)
        if cl and cl.rss:
            extra = "; long layout %.0f MB = %.2fx" % (mb(cl.med("rss")),
                                                      cl.med("rss") / nb)
        return ("peak RSS %.0f MB / numeric data stored %.1f MB = %.2fx%s" % (
            mb(rss), mb(nb), r, extra), r <= 2.0)

    def t_report():
        if not have_report:
            return None
        kr = med("analysis", "kapstats_report")
        py = med("analysis", "python_pipeline")
        an = cell(tn, "analysis", "python_pipeline").json_med("analysis_s")[0]
        r = py / kr
        return ("Python pipeline %s s / kapstats report %s s = %.2fx%s "
                "(Python analysis alone, without its CSV read: %s s = %.2fx)" % (
                    fmt_s(py), fmt_s(kr), r,
                    cpu_ratio(cpu("analysis", "python_pipeline"),
                              cpu("analysis", "kapstats_report")),
                    fmt_s(an), an / kr), r >= 10.0)

    def scaling_of(layout, tool):
        """(text, ok) for one command over the sizes run, or None."""
        pts = [(n, med(layout, tool, n), cpu(layout, tool, n)) for n in sizes]
        pts = [p for p in pts if p[1]]
        if len(pts) < 2:
            return None
        parts, ok = [], True
        for (n0, t0, c0), (n1, t1, c1) in zip(pts, pts[1:]):
            g = (t1 / n1) / (t0 / n0)
            ok = ok and g <= LINEAR_SLACK
            gc = ", CPU x%.2f" % ((c1 / n1) / (c0 / n0)) if c0 and c1 else ""
            parts.append("%s→%s: per participant x%.2f wall%s" % (
                n0, n1, g, gc))
        per = ", ".join("%s: %.2f wall / %s CPU" % (
            n, 1e6 * t / n, "%.2f" % (1e6 * c / n) if c else "?")
            for n, t, c in pts)
        return ("%s (µs per participant %s)" % ("; ".join(parts), per), ok)

    def t_scaling():
        res = []
        for label, layout, tool in (("ingest", "wide", ING),
                                    ("report", "analysis", "kapstats_report")):
            r = scaling_of(layout, tool)
            if r:
                res.append(("`%s`: %s → %s" % (label, r[0], "met" if r[1] else "missed"),
                            r[1]))
        if not res:
            return None
        return ("; ".join(t for t, _ in res), all(ok for _, ok in res))

    if not have_ingest and not have_lib:
        for label in ("ingest ≥5x faster than pandas+h5py",
                      "ingest ≥2x faster than fread parse alone",
                      "ingest within 2.5x of libcsv tokenisation",
                      "long layout within 2x of wide per value",
                      "peak RSS ≤ 2x numeric data stored",
                      "scaling linear 100k → 1M → 5M"):
            w("| %s | %s | — |" % (label, NA))
    else:
        if provisional:
            w("| `kapstats ingest` | %s | — |" % NA)
        pre = "(provisional) " if provisional else ""
        target(pre + "ingest (wide, %s) ≥5x faster than pandas+h5py" % tn, t_pandas)
        target(pre + "ingest ≥2x faster than fread parse alone", t_fread)
        target(pre + "ingest within 2.5x of libcsv tokenisation", t_tok)
        target(pre + "long layout within 2x of wide per value (read both ways: "
               "per CSV field and per stored value)", t_long)
        target(pre + "peak RSS ≤ 2x numeric data stored", t_rss)
        target(pre + "scaling linear %s (per-participant wall time of "
               "`kapstats ingest` and `kapstats report` grows ≤ %.2fx from one "
               "size to the next)" % (" → ".join(str(n) for n in sizes),
                                      LINEAR_SLACK), t_scaling)
    def t_analyze():
        ka = med("analysis", "kapstats_analyze")
        c = cell(tn, "analysis", "python_pipeline")
        pr = c.json_med("primary_s")[0]
        rd = c.json_med("read_s")[0]
        r = (pr + rd) / ka
        return ("Python read + primary comparison %s s / kapstats analyze %s s "
                "= %.2fx (primary comparison alone %s s: %.2fx)" % (
                    fmt_s(pr + rd), fmt_s(ka), r, fmt_s(pr), pr / ka), r >= 10.0)

    def t_subgroups():
        ks = med("analysis", "kapstats_subgroups")
        c = cell(tn, "analysis", "python_pipeline")
        sg = c.json_med("subgroups_s")[0]
        rd = c.json_med("read_s")[0]
        r = (sg + rd) / ks
        return ("Python read + subgroups %s s / kapstats subgroups %s s = %.2fx "
                "(subgroup analyses alone %s s: %.2fx)" % (
                    fmt_s(sg + rd), fmt_s(ks), r, fmt_s(sg), sg / ks), r >= 10.0)

    def t_standin():
        ka = med("analysis", "kapstats_analyze")
        ks = med("analysis", "kapstats_subgroups")
        py = med("analysis", "python_pipeline")
        r = py / (ka + ks)
        an = cell(tn, "analysis", "python_pipeline").json_med("analysis_s")[0]
        return ("Python pipeline %s s / (kapstats analyze + subgroups) %s s = "
                "%.2fx (Python analysis alone %s s: %.2fx)" % (
                    fmt_s(py), fmt_s(ka + ks), r, fmt_s(an), an / (ka + ks)),
                r >= 10.0)

    def t_kernels():
        if kern is None:
            return None
        pw, pc = kern["plain_pass"]
        bw, bc = kern["both_summary"]
        aw, ac = kern["both_arrays"]
        return ("Hedges' g + CI + Welch from one summary: CPU %.3f ms = %.2f "
                "passes (wall %.3f ms = %.2f passes); as two array calls: "
                "CPU %.2f passes (wall %.2f); one plain pass: CPU %.3f ms, wall "
                "%.3f ms. Data reads counted by tests/test_passes.c: 2 per "
                "array from the summary, 4 as two array calls" % (
                    1e3 * bc, bc / pc, 1e3 * bw, bw / pw, ac / pc, aw / pw,
                    1e3 * pc, 1e3 * pw),
                bc / pc <= KERNEL_PASSES_MAX)

    target("kernels: Hedges' g with its noncentral-t CI + Welch on 2 x 10^6 "
           "values ≤ %g passes (in-process CPU time / one plain pass; wall "
           "beside it)" % KERNEL_PASSES_MAX, t_kernels)

    def t_subgroup_pass():
        # One pass per variable: the analysis work of `subgroups --by V`
        # (its time less the store open and read, `kapstats info`) in units
        # of one analysis pass over all participants (`kapstats analyze`
        # less the same read).
        base = med("analysis", "kapstats_info")
        an = med("analysis", "kapstats_analyze")
        all5 = med("analysis", "kapstats_subgroups")
        singles = [(v, med("analysis", "kapstats_subgroups_" + v)) for v in sub_vars]
        singles = [(v, t) for v, t in singles if t]
        unit = an - base
        if unit <= 0:
            return None
        per = [(v, (t - base) / unit) for v, t in singles]
        per_all = (all5 - base) / unit / len(sub_vars)
        ok = per_all <= LINEAR_SLACK and all(p <= LINEAR_SLACK for _, p in per)
        cu = (cpu("analysis", "kapstats_subgroups"), cpu("analysis", "kapstats_info"),
              cpu("analysis", "kapstats_analyze"))
        cpu_txt = ""
        if all(cu) and cu[2] > cu[1]:
            cpu_txt = "; CPU time: %.2f passes per variable" % (
                (cu[0] - cu[1]) / (cu[2] - cu[1]) / len(sub_vars))
        return ("one pass = `analyze` %s s − `info` (store read) %s s = %s s; "
                "each variable alone: %s; all %d together %s s = %.2f passes "
                "per variable%s (sum of the single runs %s s)" % (
                    fmt_s(an), fmt_s(base), fmt_s(unit),
                    ", ".join("%s %s s = %.2f passes" % (v, fmt_s(t), p)
                              for (v, t), (_, p) in zip(singles, per)),
                    len(sub_vars), fmt_s(all5), per_all, cpu_txt,
                    fmt_s(sum(t for _, t in singles))), ok)

    if cfg.get("have_subgroups") == "1":
        target("subgroup analysis over %d variables is one pass per variable "
               "(≤ %.2f analysis passes each)" % (len(sub_vars), LINEAR_SLACK),
               t_subgroup_pass)

    if cfg.get("have_analyze") == "1" and cfg.get("have_subgroups") == "1" \
            and not have_report:
        target("(stand-in for `kapstats report`) `kapstats analyze` + "
               "`kapstats subgroups` ≥10x faster than the Python pipeline",
               t_standin)
    if cfg.get("have_subgroups") == "1":
        target("(not an issue target) `kapstats subgroups` ≥10x faster than "
               "its part of the Python pipeline", t_subgroups)
    if cfg.get("have_analyze") == "1":
        target("(not an issue target) `kapstats analyze` (the primary "
               "comparison only) ≥10x faster than its part of the Python "
               "pipeline", t_analyze)
    if not have_report:
        w("| `kapstats report` ≥10x faster than the Python pipeline | "
          "`kapstats report`: %s | — |" % NA)
    else:
        target("`kapstats report` ≥10x faster than the Python pipeline", t_report)
    w("")

    # ---- profile ----
    for d in rundirs:
        if os.path.exists(os.path.join(d, "profile.txt")) and \
                os.path.getsize(os.path.join(d, "profile.txt")) > 0:
            rundir = d
    pp = os.path.join(rundir, "profile.txt")
    if os.path.exists(pp) and os.path.getsize(pp) > 0:
        with open(os.path.join(rundir, "profile.size")) as f:
            psize = f.read().strip()
        wp = os.path.join(rundir, "profile.what")
        what = open(wp).read().strip() if os.path.exists(wp) else "kapstats ingest"
        w("## Profile: %s (wide, n = %s)\n" % (what, psize))
        w("`perf record -g` + `perf report --no-children --sort dso,symbol` "
          "(self time, symbols ≥ 1 %):\n")
        w("```")
        with open(pp) as f:
            for line in f:
                w(re.sub(r"\s+", " ", line.strip()).replace(" - -", ""))
        w("```\n")

    # ---- commands ----
    w("## Exact commands\n")
    for d, c in zip(rundirs, cfgs):
        slow = ""
        if "reps_slow" in c:
            slow = " BENCH_REPS_SLOW=%s BENCH_LONG_MAX=%s BENCH_PEERS_MAX=%s" % (
                c.get("reps_slow"), c.get("long_max"), c.get("peers_max"))
        w("Run %s: `BENCH_SIZES=\"%s\" BENCH_REPS=%s%s BENCH_LAYOUTS=\"%s\" "
          "BENCH_THREADS=%s%s make bench`. Each command below ran under "
          "`/usr/bin/time -v`; data from `datasets/generate_kap_trial.py "
          "--bench --n N --out bench/data/nN --files wide,long,adae`.\n" % (
              os.path.basename(d.rstrip("/")), c.get("sizes"), c.get("reps"), slow,
              c.get("layouts"), c.get("threads"),
              " BENCH_ANALYSIS=0" if c.get("analysis") == "0" else ""))
        w("```")
        with open(os.path.join(d, "commands.tsv")) as f:
            for line in f:
                n, layout, tool, cmd = line.rstrip("\n").split("\t", 3)
                w("# n=%s %s %s" % (n, layout, tool))
                w(cmd.strip())
        w("```\n")
    if not have_ingest or not have_report:
        w("\nkapstats commands missing from this build were detected with "
          "`kapstats CMD --help` and are reported as \"%s\"." % NA)
    with open(out, "w") as f:
        f.write("\n".join(L) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
