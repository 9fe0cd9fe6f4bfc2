#!/usr/bin/python3
"""Ingestion peer: pandas.read_csv + h5py into a compressed HDF5 file.

What a competent Python user would write to turn the benchmark CSV into a
columnar HDF5 store like kapstats' (docs/hdf5-layout.md): one dataset per
column under /participants, chunks of about 64 KiB, deflate level 6 +
shuffle + Fletcher-32 as the kapstats store uses; numbers as float64 (NaN
= missing), text categories as int32 codes (-1 = missing) with the levels
in an attribute, participant ids as fixed-length byte strings (no
shuffle).  Unlike kapstats it neither hashes the input nor seals and
fsyncs the file.

  peer_pandas_h5.py --layout wide WIDE.csv -o OUT.h5
  peer_pandas_h5.py --layout long LONG.csv ADAE.csv -o OUT.h5

The long layout (ADaM BDS-like + ADAE, datasets/README.md) is read, the
subject-level columns are taken from each participant's first record, the
AVAL of every PARAMCD x AVISIT is pivoted into <paramcd>_<visit> columns
and every ADAE term becomes ae_<term> (1 if the participant has a record,
else 0): the same columns as from the wide file.

Prints one JSON line: rows, columns, phase times (read, reshape, write)
and the uncompressed size of the numeric data written.
Environment: KAP_BENCH_GZIP (gzip level, default 6), KAP_BENCH_CHUNK
(bytes per chunk, default 65536).
"""

import argparse
import json
import os
import sys
import time

import h5py
import numpy as np
import pandas as pd

CATEGORICAL = ("arm", "site", "sex", "race", "ethnicity", "format")
LONG_SUBJECT = {"USUBJID": "participant_id", "TRT01P": "arm",
                "SITEID": "site", "SEX": "sex", "RACE": "race",
                "ETHNIC": "ethnicity", "AGE": "age", "FORMAT": "format"}
WIDE_ORDER = ("participant_id", "arm", "site", "sex", "race", "ethnicity",
              "age", "format")


def canon_visit(label):
    v = label.lower().replace(" ", "").replace("_", "").replace("-", "")
    return "baseline" if v in ("baseline", "bl", "d0", "day0") else v


def read_wide(path):
    dtype = {c: "category" for c in CATEGORICAL}
    dtype["participant_id"] = str
    return pd.read_csv(path, dtype=dtype, keep_default_na=False,
                       na_values=[""])


def read_long(path, adae_path):
    dtype = {k: "category" for k in ("TRT01P", "SITEID", "SEX", "RACE",
                                     "ETHNIC", "FORMAT", "PARAMCD", "PARAM",
                                     "AVISIT", "ABLFL")}
    dtype["USUBJID"] = str
    long_ = pd.read_csv(path, dtype=dtype, keep_default_na=False,
                        na_values=[""])
    adae = pd.read_csv(adae_path, dtype=str, keep_default_na=False,
                       na_values=[""])
    return long_, adae


def reshape_long(long_, adae):
    # Participants in order of first appearance; subject-level columns from
    # each participant's first record.
    idc, ids = pd.factorize(long_["USUBJID"], sort=False)
    first = np.zeros(len(ids), dtype=np.int64)
    first[idc[::-1]] = np.arange(len(idc))[::-1]
    subj = long_.iloc[first][list(LONG_SUBJECT)].rename(columns=LONG_SUBJECT)
    subj = subj.reset_index(drop=True)
    # Pivot AVAL into one column per PARAMCD x canonical visit (vectorised
    # on the category codes).
    pc, vc = long_["PARAMCD"].cat, long_["AVISIT"].cat
    nv = len(vc.categories)
    keyc = pc.codes.to_numpy().astype(np.int64) * nv + vc.codes.to_numpy()
    keys = ["%s_%s" % (p.lower(), canon_visit(v))
            for p in pc.categories for v in vc.categories]
    mat = np.full((len(ids), len(keys)), np.nan)
    mat[idc, keyc] = long_["AVAL"].to_numpy(dtype=np.float64)
    # Score columns: instruments in order of first appearance, visits by day.
    used, first_key = np.unique(keyc, return_index=True)
    pfirst = {p: i for i, p in enumerate(pd.unique(long_["PARAMCD"].astype(str)))}
    day = long_["AVISITN"].to_numpy()
    order = sorted(used, key=lambda k: (pfirst[pc.categories[k // nv]],
                                        day[first_key[used == k][0]]))
    out = subj
    for k in order:
        out[keys[k]] = mat[:, k]
    for term in pd.unique(adae["AEDECOD"]):
        has = ids.isin(adae.loc[adae["AEDECOD"] == term, "USUBJID"])
        out["ae_" + term] = has.astype(np.float64)
    for c in CATEGORICAL:
        out[c] = out[c].astype(str).replace("nan", np.nan).astype("category") \
            if not isinstance(out[c].dtype, pd.CategoricalDtype) else \
            out[c].cat.remove_unused_categories()
    return out


def write_h5(df, path, level, chunk):
    n = len(df)
    numeric_bytes = 0

    def kw(x, shuffle=True):
        rows = max(1, min(n, chunk // x.dtype.itemsize))
        return dict(data=x, compression="gzip", compression_opts=level,
                    shuffle=shuffle, fletcher32=True, chunks=(rows,))
    with h5py.File(path, "w") as f:
        g = f.create_group("participants")
        g.attrs["n"] = n
        for c in df.columns:
            s = df[c]
            if c == "participant_id":
                g.create_dataset(c, **kw(s.to_numpy().astype("S"), False))
            elif isinstance(s.dtype, pd.CategoricalDtype):
                codes = s.cat.codes.to_numpy().astype(np.int32)
                d = g.create_dataset(c, **kw(codes))
                d.attrs["levels"] = [str(x) for x in s.cat.categories]
                numeric_bytes += codes.nbytes
            else:
                x = s.to_numpy(dtype=np.float64)
                g.create_dataset(c, **kw(x))
                numeric_bytes += x.nbytes
    return numeric_bytes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--layout", choices=("wide", "long"), default="wide")
    ap.add_argument("files", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    level = int(os.environ.get("KAP_BENCH_GZIP", "6"))
    chunk = int(os.environ.get("KAP_BENCH_CHUNK", "65536"))
    t0 = time.perf_counter()
    if a.layout == "wide":
        df = read_wide(a.files[0])
        t1 = time.perf_counter()
    else:
        if len(a.files) != 2:
            ap.error("--layout long needs LONG.csv ADAE.csv")
        long_, adae = read_long(a.files[0], a.files[1])
        t1 = time.perf_counter()
        df = reshape_long(long_, adae)
        del long_, adae
    t2 = time.perf_counter()
    nb = write_h5(df, a.output, level, chunk)
    t3 = time.perf_counter()
    print(json.dumps({"rows": len(df), "columns": len(df.columns),
                      "read_s": t1 - t0, "reshape_s": t2 - t1,
                      "write_s": t3 - t2, "numeric_bytes": nb,
                      "gzip": level}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
