#!/bin/sh
# The main job on the bundled example trial: ingest the synthetic KAP trial
# into an HDF5 store, summarise it, print the primary comparison and write
# the HTML report.
set -eu
BUILD=${1:-build}
K="$BUILD/kapstats"
mkdir -p out
"$K" --version
"$K" ingest datasets/kap_trial_wide.csv -o out/kap_trial.h5
"$K" info out/kap_trial.h5
"$K" analyze out/kap_trial.h5 --instrument madrs --visit week8
"$K" analyze out/kap_trial.h5 --instrument madrs --visit week8 --missing locf
"$K" report out/kap_trial.h5 --format html -o out/kap_trial_report.html
echo
echo "store written to out/kap_trial.h5"
echo "report written to out/kap_trial_report.html (open it in a browser; it prints too)"
