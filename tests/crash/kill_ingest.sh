#!/bin/sh
# Crash safety of the store (make test-crash):
#  A. `kapstats ingest` of a big generated trial (200 000 participants) is
#     killed with SIGKILL at random moments: the target is then absent or a
#     complete, valid store (`kapstats info` opens it: seal and SHA-256 of
#     every byte, then full validation).
#  B. the same with an existing store at the target: it stays byte-identical
#     unless the ingest got as far as the rename, in which case it is the
#     complete new store.
#  C. readers (`kapstats info` in a loop) while a writer replaces the store
#     again and again: every read sees a complete store, old or new.
# A killed ingest may leave its temporary file (".<name>.tmp-<random>")
# beside the target: it is never the target and never read; the test counts
# them and removes them.
# usage: tests/crash/kill_ingest.sh [BUILD] [KILLS]    (defaults: build 20)
set -u
b=${1:-build}
kills=${2:-20}
cli=$b/kapstats
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
/usr/bin/python3 datasets/generate_kap_trial.py --bench --n 200000 --out "$tmp" --quiet || exit 1
big=$tmp/kap_bench_wide.csv
target=$tmp/out/trial.h5
mkdir -p "$tmp/out"

# how long a full ingest takes here: the kills are spread over 0 .. 1.5 x that
t0=$(date +%s.%N)
"$cli" ingest "$big" -o "$tmp/full.h5" >/dev/null || exit 1
t1=$(date +%s.%N)
full=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
echo "full ingest of 200000 participants: ${full}s"

valid() { "$cli" info "$1" >/dev/null 2>&1; }

delay() {   # random delay in [0, 1.5 full), reproducible from the seed
    awk -v s="$1" -v f="$full" 'BEGIN { srand(s); printf "%.3f", rand() * 1.5 * f }'
}

kill_one() {   # kill_one SEED: start an ingest, SIGKILL it after delay
    "$cli" ingest "$big" -o "$target" >/dev/null 2>&1 &
    pid=$!
    sleep "$(delay "$1")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # 137 = 128 + SIGKILL: killed before it finished
    [ $? = 137 ] && killed=$((killed + 1))
}

# ---- A: no store at the target --------------------------------------------
killed=0; absent=0; complete=0
for i in $(seq 1 "$kills"); do
    rm -f "$target"
    kill_one "$i"
    if [ ! -e "$target" ]; then
        absent=$((absent + 1))
    elif valid "$target"; then
        complete=$((complete + 1))
    else
        echo "FAIL A: kill $i left a target that does not open"; fail=1
    fi
done
left=$(find "$tmp/out" -name '.*.tmp-*' | wc -l)
echo "A: $kills runs, $killed killed before exit: $absent absent, $complete complete; $left temp files left"
find "$tmp/out" -name '.*.tmp-*' -delete

# ---- B: an existing store at the target -----------------------------------
"$cli" ingest tests/data/ingest/small_wide.csv -o "$tmp/old.h5" >/dev/null || exit 1
killed=0; same=0; replaced=0
for i in $(seq 1 "$kills"); do
    cp "$tmp/old.h5" "$target"
    kill_one $((1000 + i))
    if cmp -s "$target" "$tmp/old.h5"; then
        same=$((same + 1))
    elif cmp -s "$target" "$tmp/full.h5"; then
        replaced=$((replaced + 1))   # the rename happened: the whole new store
    else
        echo "FAIL B: kill $i left a target that is neither the old nor the new store"; fail=1
    fi
done
left=$(find "$tmp/out" -name '.*.tmp-*' | wc -l)
echo "B: $kills runs, $killed killed before exit: $same unchanged, $replaced replaced by the complete new store; $left temp files left"
find "$tmp/out" -name '.*.tmp-*' -delete

# ---- C: readers while a writer replaces the store -------------------------
"$cli" ingest datasets/kap_trial_wide.csv -o "$tmp/new.h5" >/dev/null || exit 1
cp "$tmp/old.h5" "$target"
(
    for i in $(seq 1 30); do
        if [ $((i % 2)) = 0 ]; then src=tests/data/ingest/small_wide.csv
        else src=datasets/kap_trial_wide.csv; fi
        "$cli" ingest "$src" -o "$target" >/dev/null 2>&1
    done
    touch "$tmp/writer.done"
) &
wpid=$!
reads=0; bad=0
while [ ! -e "$tmp/writer.done" ] || [ $reads -lt 10 ]; do
    if ! "$cli" info "$target" >"$tmp/info.out" 2>&1; then
        bad=$((bad + 1)); echo "FAIL C: a reader failed:"; cat "$tmp/info.out"
    elif ! grep -q '^participants: \(4\|240\) ' "$tmp/info.out"; then
        bad=$((bad + 1)); echo "FAIL C: a reader saw neither store"
    fi
    reads=$((reads + 1))
done
wait "$wpid"
[ $bad = 0 ] || fail=1
echo "C: $reads reads during 30 replacements, $bad bad"
[ $fail = 0 ] && echo "crash safety: ok" || echo "crash safety: FAILED"
exit $fail
