#!/bin/sh
# The main job on the bundled example trial: ingest, then summarise.
set -eu
BUILD=${1:-build}
K="$BUILD/kapstats"
mkdir -p out
"$K" --version
