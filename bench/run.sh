#!/bin/sh
# bench/run.sh - the libkapstats benchmark suite (`make bench`).
#
# Generates the synthetic trials once (bench/data/, git-ignored), runs
# `kapstats ingest` / `kapstats report` and the peers on the same files in
# the same run, alternating (A B C D A B C D ...), BENCH_REPS times, each
# under /usr/bin/time -v, and writes bench/RESULTS.md (bench/results.py).
# bench/README.md describes the peers and the caveats.
#
# Environment (defaults in brackets):
#   BENCH_SIZES    participants per trial ["100000 1000000 5000000"]
#   BENCH_REPS     repetitions of every measurement [5]
#   BENCH_REPS_SLOW  repetitions of the slow measurements: the long layout,
#                  the Python analysis pipeline and every size above
#                  BENCH_PEERS_MAX [3]
#   BENCH_LAYOUTS  "wide long" or one of them ["wide long"]
#   BENCH_LONG_MAX largest size measured in the long layout [1000000]
#                  (the 5M long file is 3.9 GB and its peers take minutes)
#   BENCH_PEERS_MAX  largest size at which pandas+h5py, fread and the Python
#                  analysis pipeline run [1000000]; above it only kapstats
#                  and the libcsv tokeniser (the scaling rows need no peer)
#   BENCH_SUBGROUP_VARS  variables timed one at a time with
#                  `kapstats subgroups --by VAR` at the targets' size
#                  ["race sex format site age"]
#   BENCH_KERNELS  1 = time the kernels target (bench/kernels.c) [1]
#   BENCH_THREADS  threads for fread (setDTthreads) [2 = the dev box's cores]
#   BENCH_DATA     data directory [bench/data]
#   BENCH_RUNS     where each run's raw data go [$BENCH_DATA/runs]
#   BENCH_OUT      results file [bench/RESULTS.md]
#   BENCH_PROFILE  1 = perf-record one `kapstats ingest` afterwards [1]
#   BENCH_ANALYSIS 0 = skip the analysis commands and peer [1]
#   BENCH_LIB      1 = also time kap_ingest_files() + kap_trial_write()
#                  (bench/ingest_lib.c); auto = only while the CLI has no
#                  `ingest` [auto]
#   BUILD          build directory [build]; KAPSTATS [$BUILD/kapstats]
#   KAP_INGEST_WIDE, KAP_INGEST_LONG, KAP_REPORT, KAP_ANALYZE, KAP_SUBGROUPS:
#     the kapstats command lines
#     (shell words, eval'ed; $KAPSTATS $WIDE $LONG $ADAE $OUT $STORE are set)
#     [defaults below, adapted to `kapstats ingest --help`].
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

BENCH_SIZES=${BENCH_SIZES:-"100000 1000000 5000000"}
BENCH_REPS=${BENCH_REPS:-5}
BENCH_REPS_SLOW=${BENCH_REPS_SLOW:-3}
[ "$BENCH_REPS_SLOW" -le "$BENCH_REPS" ] || BENCH_REPS_SLOW=$BENCH_REPS
BENCH_LAYOUTS=${BENCH_LAYOUTS:-"wide long"}
BENCH_LONG_MAX=${BENCH_LONG_MAX:-1000000}
BENCH_PEERS_MAX=${BENCH_PEERS_MAX:-1000000}
BENCH_SUBGROUP_VARS=${BENCH_SUBGROUP_VARS:-"race sex format site age"}
BENCH_KERNELS=${BENCH_KERNELS:-1}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_DATA=${BENCH_DATA:-bench/data}
BENCH_RUNS=${BENCH_RUNS:-$BENCH_DATA/runs}
BENCH_OUT=${BENCH_OUT:-bench/RESULTS.md}
BENCH_PROFILE=${BENCH_PROFILE:-1}
BENCH_ANALYSIS=${BENCH_ANALYSIS:-1}
BUILD=${BUILD:-build}
KAPSTATS=${KAPSTATS:-$BUILD/kapstats}
PY=/usr/bin/python3
TIME=/usr/bin/time
export KAPSTATS

say() { printf '%s\n' "bench: $*" >&2; }

[ -x "$TIME" ] || { say "$TIME is missing (apt-get install time)"; exit 1; }

# ---- build ------------------------------------------------------------------
say "building kapstats (make -j2)"
if ! make -j2 >"$BUILD.bench-make.log" 2>&1; then
    say "make failed (see $BUILD.bench-make.log); kapstats rows will say so"
fi
rm -f "$BUILD.bench-make.log"
mkdir -p "$BUILD/bench"
TOKENIZE=$BUILD/bench/csv_tokenize
cc -std=c11 -O2 -Wall -Wextra -o "$TOKENIZE" bench/csv_tokenize.c -lcsv || exit 1
LIBS="$(pkg-config --libs hdf5 2>/dev/null ||
    echo -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5) -lcsv
    $(pkg-config --libs gsl 2>/dev/null || echo -lgsl -lgslcblas -lm) -ljansson -ldeflate -lz -lpthread -lm"

# The kernels target: Hedges' g + noncentral-t CI and Welch on 2 x 10^6
# doubles, against one plain pass (bench/kernels.c, the library's -O2).
KERNELS=$BUILD/bench/kernels
HAVE_KERNELS=0
if [ "$BENCH_KERNELS" = 1 ] && grep -q 'kap_describe_two' include/kapstats/descriptive.h &&
    cc -std=c11 -O2 -Wall -Wextra -Iinclude -o "$KERNELS" bench/kernels.c \
        "$BUILD/libkapstats.a" $LIBS; then
    HAVE_KERNELS=1
fi

# Library-level ingestion (kap_ingest_files + kap_trial_write): built when the
# library has it; run when the CLI has no `ingest` yet, or BENCH_LIB=1.
INGEST_LIB=$BUILD/bench/ingest_lib
HAVE_LIB=0
if grep -q 'kap_ingest_files' include/kapstats/ingest.h 2>/dev/null &&
    cc -std=c11 -D_GNU_SOURCE -O2 -Iinclude -o "$INGEST_LIB" bench/ingest_lib.c \
        "$BUILD/libkapstats.a" $LIBS 2>/dev/null; then
    HAVE_LIB=1
fi

# Which kapstats commands exist in this build?
have() { [ -x "$KAPSTATS" ] && "$KAPSTATS" "$1" --help >/dev/null 2>&1; }
HAVE_INGEST=0; HAVE_REPORT=0; HAVE_ANALYZE=0; HAVE_SUBGROUPS=0; HAVE_INFO=0
have ingest && HAVE_INGEST=1
have info && HAVE_INFO=1
have report && HAVE_REPORT=1
have analyze && HAVE_ANALYZE=1
have subgroups && HAVE_SUBGROUPS=1
case "${BENCH_LIB:-auto}" in
    1) ;;
    0) HAVE_LIB=0 ;;
    *) [ "$HAVE_INGEST" = 1 ] && HAVE_LIB=0 ;;
esac
say "kapstats ingest: $HAVE_INGEST, report: $HAVE_REPORT, analyze: $HAVE_ANALYZE, subgroups: $HAVE_SUBGROUPS, library ingest: $HAVE_LIB"

# Default command lines, adapted to what `kapstats ingest --help` shows:
# the output option (-o or --output) and how the long layout's ADAE file
# is given (an option such as --ae/--adae, else as a second file).
OOPT=-o
AEOPT=""
if [ "$HAVE_INGEST" = 1 ]; then
    IHELP=$("$KAPSTATS" ingest --help 2>&1)
    printf '%s\n' "$IHELP" | grep -qE -- '(^|[ ,])-o[ ,=]' ||
        { printf '%s\n' "$IHELP" | grep -q -- '--output' && OOPT=--output; }
    AEOPT=$(printf '%s\n' "$IHELP" | grep -oE -- '--(adae|ae)[-_a-z]*' | head -n 1)
fi
KAP_INGEST_WIDE=${KAP_INGEST_WIDE:-'"$KAPSTATS" ingest "$WIDE" '"$OOPT"' "$OUT"'}
KAP_INGEST_LONG=${KAP_INGEST_LONG:-'"$KAPSTATS" ingest "$LONG" '"${AEOPT:+$AEOPT }"'"$ADAE" '"$OOPT"' "$OUT"'}
KAP_REPORT=${KAP_REPORT:-'"$KAPSTATS" report "$STORE" --subgroups race,sex,format,site,age --format json'}
KAP_ANALYZE=${KAP_ANALYZE:-'"$KAPSTATS" analyze "$STORE"'}
KAP_SUBGROUPS=${KAP_SUBGROUPS:-'"$KAPSTATS" subgroups "$STORE" --by race,sex,format,site,age'}
KAP_SUBGROUP1=${KAP_SUBGROUP1:-'"$KAPSTATS" subgroups "$STORE" --by "$VAR"'}
KAP_INFO=${KAP_INFO:-'"$KAPSTATS" info "$STORE"'}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUNDIR=$BENCH_RUNS/$STAMP
mkdir -p "$RUNDIR"
TSV=$RUNDIR/times.tsv
CMDS=$RUNDIR/commands.tsv
printf 'size\tlayout\ttool\trep\twall_s\trss_kb\texit\tbytes_in\tcpu_s\tinfo\n' >"$TSV"
: >"$CMDS"
{
    echo "sizes=$BENCH_SIZES"; echo "reps=$BENCH_REPS"
    echo "reps_slow=$BENCH_REPS_SLOW"
    echo "layouts=$BENCH_LAYOUTS"; echo "threads=$BENCH_THREADS"
    echo "long_max=$BENCH_LONG_MAX"; echo "peers_max=$BENCH_PEERS_MAX"
    echo "subgroup_vars=$BENCH_SUBGROUP_VARS"
    echo "analysis=$BENCH_ANALYSIS"; echo "have_kernels=$HAVE_KERNELS"
    echo "have_info=$HAVE_INFO"
    echo "have_ingest=$HAVE_INGEST"; echo "have_report=$HAVE_REPORT"
    echo "have_lib=$HAVE_LIB"; echo "have_analyze=$HAVE_ANALYZE"
    echo "have_subgroups=$HAVE_SUBGROUPS"
    echo "kapstats=$KAPSTATS"; echo "tokenize=$TOKENIZE"
} >"$RUNDIR/config"

# ---- data ---------------------------------------------------------------------
# gen N: make $BENCH_DATA/nN/kap_bench_{wide,long,adae}.csv (those missing).
gen() {
    d=$BENCH_DATA/n$1
    files=""
    [ -f "$d/kap_bench_wide.csv" ] || files="wide"
    if [ "$1" -le "$BENCH_LONG_MAX" ]; then
        case " $BENCH_LAYOUTS " in *" long "*)
            [ -f "$d/kap_bench_long.csv" ] && [ -f "$d/kap_bench_adae.csv" ] ||
                files="${files:+$files,}long,adae" ;;
        esac
    fi
    [ -n "$files" ] || return 0
    mkdir -p "$d"
    say "generating n=$1 ($files) into $d"
    "$PY" datasets/generate_kap_trial.py --bench --n "$1" --out "$d" \
        --files "$files" >&2 || { say "generator failed"; exit 1; }
}

# ---- one measurement -------------------------------------------------------------
# measure SIZE LAYOUT TOOL REP BYTES_IN CMD: runs CMD (eval'ed) under
# /usr/bin/time -v; appends a line to times.tsv.  `info` = last stdout line
# (the peers print one JSON line) or the first stderr line on failure.
measure() {
    m_size=$1; m_layout=$2; m_tool=$3; m_rep=$4; m_bytes=$5; m_cmd=$6
    base=$RUNDIR/n$m_size.$m_layout.$m_tool.$m_rep
    [ "$m_rep" = 1 ] && printf '%s\t%s\t%s\t%s\n' "$m_size" "$m_layout" \
        "$m_tool" "$(eval "printf '%s ' $m_cmd")" >>"$CMDS"
    eval "$TIME -v -o \"\$base.time\" $m_cmd" >"$base.out" 2>"$base.err"
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$base.time" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$base.time")
    cpu=$(sed -n -e 's/.*User time (seconds): //p' -e 's/.*System time (seconds): //p' \
        "$base.time" | awk '{ s += $1 } END { printf "%.2f", s }')
    code=$(sed -n 's/.*Exit status: //p' "$base.time")
    [ -n "$code" ] || code=$(sed -n 's/^Command exited with non-zero status //p' "$base.time")
    if [ "${code:-1}" = 0 ]; then
        info=$(tail -n 1 "$base.out" | tr '\t' ' ')
    else
        info=$(head -n 1 "$base.err" | tr '\t' ' ')
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m_size" "$m_layout" \
        "$m_tool" "$m_rep" "${wall:-NA}" "${rss:-NA}" "${code:-NA}" \
        "$m_bytes" "${cpu:-NA}" "$info" >>"$TSV"
    say "n=$m_size $m_layout $m_tool rep $m_rep: ${wall:-?} s (CPU ${cpu:-?} s), ${rss:-?} KB, exit ${code:-?}"
}

fsize() { stat -c %s "$@" | awk '{ s += $1 } END { print s }'; }

# ---- runs ------------------------------------------------------------------------
for N in $BENCH_SIZES; do
    gen "$N"
done

# The size the targets are read at: 1M, else the largest size run.
TN=""
for N in $BENCH_SIZES; do
    [ "$N" = 1000000 ] && TN=$N
done
if [ -z "$TN" ]; then
    for N in $BENCH_SIZES; do [ -z "$TN" ] || [ "$N" -gt "$TN" ] && TN=$N; done
fi

# The kernels target first (in-process medians; the data sets do not matter).
if [ "$HAVE_KERNELS" = 1 ]; then
    r=1
    while [ "$r" -le "$BENCH_REPS_SLOW" ]; do
        measure 1000000 kernels kernels "$r" 0 '"$KERNELS" 1000000 21'
        r=$((r + 1))
    done
fi

for N in $BENCH_SIZES; do
    D=$BENCH_DATA/n$N
    O=$RUNDIR/n$N
    mkdir -p "$O"
    WIDE=$D/kap_bench_wide.csv
    LONG=$D/kap_bench_long.csv
    ADAE=$D/kap_bench_adae.csv
    # Per-size choices: the long layout up to BENCH_LONG_MAX, the peers up
    # to BENCH_PEERS_MAX, fewer repetitions above it.
    LAYOUTS=""
    for L in $BENCH_LAYOUTS; do
        [ "$L" = long ] && [ "$N" -gt "$BENCH_LONG_MAX" ] && continue
        LAYOUTS="$LAYOUTS $L"
    done
    PEERS=1
    REPS=$BENCH_REPS
    if [ "$N" -gt "$BENCH_PEERS_MAX" ]; then
        PEERS=0
        REPS=$BENCH_REPS_SLOW
    fi
    printf '%s\t%s\t%s\n' "$N" "$LAYOUTS" "$PEERS" >>"$RUNDIR/sizes.tsv"
    # Warm the page cache once so that every tool reads from memory.
    for L in $LAYOUTS; do
        if [ "$L" = wide ]; then cat "$WIDE" >/dev/null; else cat "$LONG" "$ADAE" >/dev/null; fi
    done
    r=1
    while [ "$r" -le "$REPS" ]; do
        for L in $LAYOUTS; do
            # The long layout's tools take minutes at 1M: BENCH_REPS_SLOW.
            [ "$L" = long ] && [ "$r" -gt "$BENCH_REPS_SLOW" ] && continue
            if [ "$L" = wide ]; then
                IN='"$WIDE"'; B=$(fsize "$WIDE"); KCMD=$KAP_INGEST_WIDE
                LCMD='"$INGEST_LIB" "$WIDE" -o "$OUT"'
            else
                IN='"$LONG" "$ADAE"'; B=$(fsize "$LONG" "$ADAE"); KCMD=$KAP_INGEST_LONG
                LCMD='"$INGEST_LIB" "$LONG" --ae "$ADAE" -o "$OUT"'
            fi
            if [ "$HAVE_INGEST" = 1 ]; then
                OUT=$O/kap_$L.h5; rm -f "$OUT"
                measure "$N" "$L" kapstats_ingest "$r" "$B" "$KCMD"
            fi
            if [ "$HAVE_LIB" = 1 ]; then
                OUT=$O/lib_$L.h5; rm -f "$OUT"
                measure "$N" "$L" library_ingest "$r" "$B" "$LCMD"
            fi
            if [ "$PEERS" = 1 ]; then
                OUT=$O/pandas_$L.h5; rm -f "$OUT"
                measure "$N" "$L" pandas_h5py "$r" "$B" \
                    "\"\$PY\" bench/peer_pandas_h5.py --layout $L $IN -o \"\$OUT\""
                measure "$N" "$L" fread "$r" "$B" \
                    "Rscript --vanilla bench/peer_fread.R $BENCH_THREADS $IN"
            fi
            measure "$N" "$L" libcsv_tokenize "$r" "$B" "\"\$TOKENIZE\" $IN"
        done
        if [ "$BENCH_ANALYSIS" = 1 ]; then
            B=$(fsize "$WIDE")
            STORE=$O/kap_wide.h5
            [ -f "$STORE" ] || STORE=$O/lib_wide.h5
            if [ -f "$STORE" ]; then
                SB=$(fsize "$STORE")
                [ "$HAVE_REPORT" = 1 ] &&
                    measure "$N" analysis kapstats_report "$r" "$SB" "$KAP_REPORT"
                [ "$HAVE_ANALYZE" = 1 ] &&
                    measure "$N" analysis kapstats_analyze "$r" "$SB" "$KAP_ANALYZE"
                [ "$HAVE_SUBGROUPS" = 1 ] &&
                    measure "$N" analysis kapstats_subgroups "$r" "$SB" "$KAP_SUBGROUPS"
                # One pass per variable: each variable alone, and the store
                # read alone, at the targets' size.
                if [ "$N" = "$TN" ]; then
                    [ "$HAVE_INFO" = 1 ] &&
                        measure "$N" analysis kapstats_info "$r" "$SB" "$KAP_INFO"
                    if [ "$HAVE_SUBGROUPS" = 1 ]; then
                        for VAR in $BENCH_SUBGROUP_VARS; do
                            measure "$N" analysis "kapstats_subgroups_$VAR" "$r" "$SB" \
                                "$KAP_SUBGROUP1"
                        done
                    fi
                fi
            fi
            if [ "$PEERS" = 1 ] && [ "$r" -le "$BENCH_REPS_SLOW" ]; then
                measure "$N" analysis python_pipeline "$r" "$B" \
                    "\"\$PY\" bench/peer_analysis.py \"\$WIDE\""
            fi
        fi
        r=$((r + 1))
    done
    # Sizes of the stores (for the RSS target and the README).
    for f in "$O"/*.h5; do
        [ -f "$f" ] && printf '%s\t%s\n' "$f" "$(fsize "$f")" >>"$RUNDIR/stores.tsv"
    done
done

# ---- profile -------------------------------------------------------------------
# One perf record of `kapstats ingest` (wide) at 1M (or the largest size
# below it), outside the timed runs.
PCMD=""
[ "$HAVE_LIB" = 1 ] && PCMD='"$INGEST_LIB" "$WIDE" -o "$OUT"' && PWHAT="library ingest (kap_ingest_files + kap_trial_write)"
[ "$HAVE_INGEST" = 1 ] && PCMD=$KAP_INGEST_WIDE && PWHAT="kapstats ingest"
if [ -n "$PCMD" ] && [ "$BENCH_PROFILE" = 1 ] && command -v perf >/dev/null; then
    P=""
    for N in $BENCH_SIZES; do [ "$N" -le 1000000 ] && P=$N; done
    if [ -n "$P" ]; then
        WIDE=$BENCH_DATA/n$P/kap_bench_wide.csv
        OUT=$RUNDIR/profile.h5; rm -f "$OUT"
        say "perf record: $PWHAT n=$P"
        if eval "perf record -q -g -o \"\$RUNDIR/perf.data\" $PCMD" \
            >/dev/null 2>"$RUNDIR/perf.err"; then
            perf report -i "$RUNDIR/perf.data" --no-children --stdio \
                --percent-limit 1 --sort dso,symbol 2>/dev/null |
                grep -E '^ +[0-9.]+%' | head -n 25 >"$RUNDIR/profile.txt"
            echo "$P" >"$RUNDIR/profile.size"
            echo "$PWHAT" >"$RUNDIR/profile.what"
        fi
        rm -f "$OUT"
    fi
fi

say "writing $BENCH_OUT"
"$PY" bench/results.py "$RUNDIR" "$BENCH_OUT" || exit 1
say "done: $BENCH_OUT (raw data in $RUNDIR)"
