#!/bin/sh
# A CI job: ingest the trial data, write the report in every format, and
# compare the JSON with the report committed in the repository.  Fails
# (exit 1) when any number moved or appeared/disappeared; other non-zero
# codes are errors (see `kapstats --help`).
#
#   sh examples/ci/pipeline.sh [BUILD] [BASELINE.json]
#
# First run: no baseline yet; the job writes one to commit
# (out/ci/kap_trial_report.json -> examples/ci/baseline.json, say).
set -eu
BUILD=${1:-build}
BASELINE=${2:-examples/ci/baseline.json}
K="$BUILD/kapstats"
CONF=examples/ci/report.conf
OUT=out/ci
mkdir -p "$OUT"

"$K" ingest datasets/kap_trial_wide.csv -o "$OUT/kap_trial.h5"
for fmt in json md html; do
    "$K" report "$OUT/kap_trial.h5" --config "$CONF" --format "$fmt" \
        -o "$OUT/kap_trial_report.$fmt"
done

if [ ! -f "$BASELINE" ]; then
    echo "no baseline $BASELINE: commit $OUT/kap_trial_report.json as one"
    exit 0
fi
set +e
"$K" report "$OUT/kap_trial.h5" --config "$CONF" --compare "$BASELINE" --rtol 1e-9 \
    > "$OUT/compare.txt"
rc=$?
set -e
cat "$OUT/compare.txt"
case $rc in
0) echo "report unchanged" ;;
1) echo "report CHANGED against $BASELINE (see above)"; exit 1 ;;
*) echo "kapstats failed (exit $rc)"; exit "$rc" ;;
esac
