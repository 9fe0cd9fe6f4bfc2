#!/bin/sh
# Runs every test program given as arguments, then the CLI and Python tests
# (pytest), and prints one closing line "N passed, N failed".
# Environment: BUILD (build directory), KAP_SKIP_PYTEST=1 to skip pytest.
set -u
passed=0
failed=0
status=0
log=$(mktemp)
# A decimal-comma locale for the locale-independence tests: compiled into
# the build directory (no root needed) when the locales data are present.
loc="${BUILD:-build}/locale"
if [ ! -d "$loc/de_DE.UTF-8" ] && command -v localedef >/dev/null 2>&1; then
    mkdir -p "$loc"
    localedef -i de_DE -f UTF-8 "$loc/de_DE.UTF-8" >/dev/null 2>&1 || true
fi
LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
if [ -d "$loc/de_DE.UTF-8" ]; then
    LOCPATH=$(cd "$loc" && pwd); export LOCPATH
fi
for t in "$@"; do
    echo "== $t"
    "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    line=$(grep '^KT-SUMMARY ' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        set -- $line "$@"
        passed=$((passed + $3)); failed=$((failed + $4))
        shift 4
    else
        failed=$((failed + 1))
    fi
    [ $rc -eq 0 ] || { status=1; echo "FAILED: $t (exit $rc)"; }
done
rm -f "$log"
echo "C tests: $passed passed, $failed failed"
if [ "${KAP_SKIP_PYTEST:-0}" != 1 ] && [ -d tests/python ]; then
    # A sanitizer build's library can only be loaded into Python with the
    # ASan runtime preloaded; Python's own allocations are not ours to leak-check.
    pre=""
    if readelf -d "${BUILD:-build}/libkapstats.so.0" 2>/dev/null | grep -q 'libasan'; then
        pre=$(${CC:-cc} -print-file-name=libasan.so)
    fi
    if [ -n "$pre" ]; then
        LD_PRELOAD="$pre${LD_PRELOAD:+:$LD_PRELOAD}" \
        ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
        KAPSTATS_BUILD="${BUILD:-build}" /usr/bin/python3 -m pytest -q tests/python
    else
        KAPSTATS_BUILD="${BUILD:-build}" /usr/bin/python3 -m pytest -q tests/python
    fi
    rc=$?
    [ $rc -eq 0 ] || status=1
fi
exit $status
