#!/bin/sh
# Run every kapstats command on the bundled trial under valgrind memcheck
# (make valgrind).  Commands are read from `kapstats --help`, so a new
# command is covered as soon as it is listed there:
#   ingest      datasets/kap_trial_wide.csv -o STORE (and the long layout
#               with its AE file, and a rejected input: error path)
#   every other command:  CMD STORE [its defaults], CMD --help, and
#               CMD on a file that is not a store (error path).
# A command that needs more than a store (exit 2, usage) is reported and
# run with --help only; list it in EXTRA below with its arguments.
# Fails on any memcheck error: invalid reads/writes, uninitialised values,
# definite or indirect leaks (HDF5's still-reachable blocks are fine).
# usage: scripts/valgrind_cli.sh path/to/kapstats
set -u
cli=${1:-build/kapstats}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
VG="valgrind --quiet --error-exitcode=1 --leak-check=full \
--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
--track-origins=yes"
store=$tmp/trial.h5
status=0
runs=0

# Extra arguments a command needs beyond the store.
extra_args() {
    case $1 in
        subgroups) echo "--by site,sex,age" ;;
        *) echo "" ;;
    esac
}

vg() {
    # vg NAME EXPECTED_EXIT_CODES ARGS...
    name=$1; ok=$2; shift 2
    runs=$((runs + 1))
    log=$tmp/vg-$runs.log
    $VG --log-file="$log" "$cli" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if grep -q 'ERROR SUMMARY: [1-9]' "$log" 2>/dev/null || [ -s "$log" ]; then
        echo "FAIL valgrind $name: memcheck errors"; cat "$log"; status=1; return
    fi
    case " $ok " in
        *" $rc "*) echo "ok   $name (exit $rc)" ;;
        *) echo "FAIL $name: exit $rc (expected $ok)"; cat "$tmp/err"; status=1 ;;
    esac
}

cmds=$("$cli" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
echo "commands: $(echo $cmds)"
vg "ingest wide" 0 ingest datasets/kap_trial_wide.csv -o "$store"
vg "ingest long + AE" 0 ingest datasets/kap_trial_long.csv --ae datasets/kap_trial_adae.csv \
    -o "$tmp/long.h5"
printf 'participant_id,arm,madrs_bl\nK1,A,30\nK1,B,x\n' > "$tmp/bad.csv"
vg "ingest rejected input" 3 ingest "$tmp/bad.csv" -o "$tmp/bad.h5"
head -c 3000 "$store" > "$tmp/truncated.h5"
for c in $cmds; do
    [ "$c" = ingest ] && continue
    vg "$c --help" 0 "$c" --help
    # shellcheck disable=SC2046
    vg "$c STORE" "0 1 2" "$c" "$store" $(extra_args "$c")
    if [ "$rc" = 2 ]; then
        echo "note: $c needs more arguments than a store; add them to extra_args"
    fi
    # shellcheck disable=SC2046
    vg "$c truncated store" "4 5" "$c" "$tmp/truncated.h5" $(extra_args "$c")
done
echo "valgrind: $runs runs, $( [ $status = 0 ] && echo clean || echo FAILED)"
exit $status
