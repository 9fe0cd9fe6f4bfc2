#!/bin/sh
# Regenerate the golden reports of the bundled trial (tests/golden/), which
# tests/python/test_report.py compares byte for byte.  Run only through
# `make golden`, then review the diff (git diff tests/golden) before
# committing: a changed golden file is a changed result.
set -eu
BUILD=${1:-build}
K="$BUILD/kapstats"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the source name recorded in the store is the path given here
"$K" ingest datasets/kap_trial_wide.csv -o "$tmp/kap_trial.h5" >/dev/null
"$K" report "$tmp/kap_trial.h5" --format json -o tests/golden/kap_trial_report.json
"$K" report "$tmp/kap_trial.h5" --format md -o tests/golden/kap_trial_report.md
echo "golden: tests/golden/kap_trial_report.{json,md} regenerated; review with git diff tests/golden"
