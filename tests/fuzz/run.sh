#!/bin/sh
# Run each libFuzzer harness for SECONDS on a working copy of its committed
# seed corpus; findings go to build/fuzz/artifacts/.
# usage: tests/fuzz/run.sh SECONDS HARNESS...
set -eu
secs=$1; shift
status=0
for h in "$@"; do
    name=$(basename "$h" | sed 's/^fuzz_//')
    work=build/fuzz/corpus-$name
    mkdir -p "$work" build/fuzz/artifacts
    cp -r tests/fuzz/corpus/"$name"/. "$work"/ 2>/dev/null || true
    dict=""
    [ -f tests/fuzz/"$name".dict ] && dict="-dict=tests/fuzz/$name.dict"
    echo "== fuzz $name for ${secs}s"
    "$h" $dict -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=build/fuzz/artifacts/"$name"- "$work" 2>&1 | \
        grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done' || true
    if ls build/fuzz/artifacts/"$name"-* >/dev/null 2>&1; then
        echo "FINDINGS for $name:"; ls build/fuzz/artifacts/"$name"-*; status=1
    fi
done
exit $status
