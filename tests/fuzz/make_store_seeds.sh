#!/bin/sh
# Regenerate the seed corpus of fuzz_store: a store per tests/data/ingest
# fixture (made by `kapstats ingest`), each with flag byte 0 (fuzz the seal)
# and 1 (reseal, fuzz HDF5 and the validation) - see fuzz_store.c.
# usage: tests/fuzz/make_store_seeds.sh [BUILD]   (default build)
set -eu
b=${1:-build}
out=tests/fuzz/corpus/store
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
d=tests/data/ingest
"$b"/kapstats ingest "$d"/small_wide.csv -o "$tmp"/wide.h5 >/dev/null
"$b"/kapstats ingest "$d"/bom_crlf_quoted.csv -o "$tmp"/quoted.h5 >/dev/null
"$b"/kapstats ingest "$d"/small_long.csv --ae "$d"/small_ae.csv -o "$tmp"/long_ae.h5 >/dev/null
for s in wide quoted long_ae; do
    printf '\000' | cat - "$tmp/$s.h5" > "$out/$s"
    printf '\001' | cat - "$tmp/$s.h5" > "$out/$s.reseal"
done
# a truncated and a byte-flipped store
head -c 2000 "$out/wide" > "$out/wide.truncated"
/usr/bin/python3 -c "
import sys
d = bytearray(open('$out/wide', 'rb').read()); d[1 + 512 + 300] ^= 0x40
open('$out/wide.flipped.reseal', 'wb').write(b'\x01' + bytes(d[1:]))"
ls -l "$out"
