/*
 * tests/fault/sweep.c - allocation-failure sweep (fault-injection build
 * only: `make test-fault`, built with -DKAP_FAULT_INJECTION and
 * AddressSanitizer/LeakSanitizer).
 *
 * For each scenario, N runs over 1, 2, ... in two modes:
 *  - persistent: every allocation from the N-th on fails (the process is
 *    out of memory).  The run must end in KAP_ENOMEM.
 *  - single: only the N-th allocation fails.  The run must end in
 *    KAP_ENOMEM, or in KAP_OK when the code recovered from the failure by
 *    itself (libcsv retries a failed buffer growth with half the block:
 *    those points are counted as "recovered").
 * The sweep ends when a run makes fewer than N allocations (it must then
 * succeed).  LeakSanitizer at exit proves that no run leaked; ASan/UBSan
 * that none crashed.  Allocations made inside HDF5, GSL and libc are not
 * routed through the hook (see docs/reliability.md); libcsv's are
 * (csv_set_realloc_func).
 */
#include "internal.h"
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long total_points;

static int sweep(const char *name, scenario_fn fn, void *ctx)
{
    unsigned long points = 0, recovered = 0;
    for (unsigned long n = 1;; n++) {
        kap_test_fail_alloc_sticky(0);
        kap_test_fail_alloc_at(n);
        int rc = fn(ctx);
        unsigned long made = kap_test_fail_alloc_at(0);
        if (made < n) {
            /* the failure point was never reached: the sweep is complete */
            if (rc != KAP_OK) {
                printf("FAIL %s: rc %d without an injected failure\n", name, rc);
                return 1;
            }
            printf("ok   %-30s %5lu allocation points swept (x2 modes), %lu recovered\n",
                   name, points, recovered);
            total_points += points;
            return 0;
        }
        points++;
        if (rc == KAP_OK) {
            recovered++;
        } else if (rc != KAP_ENOMEM) {
            printf("FAIL %s: allocation %lu failed but rc = %d (%s)\n", name, n, rc,
                   kap_strerror(rc));
            return 1;
        }
        kap_test_fail_alloc_sticky(1);
        kap_test_fail_alloc_at(n);
        rc = fn(ctx);
        kap_test_fail_alloc_at(0);
        kap_test_fail_alloc_sticky(0);
        if (rc != KAP_ENOMEM) {
            printf("FAIL %s: allocations from %lu on failed but rc = %d (%s)\n", name, n,
                   rc, kap_strerror(rc));
            return 1;
        }
    }
}

int main(void)
{
    int failed = 0, passed = 0;
    for (size_t i = 0; scenarios[i].name; i++) {
        if (sweep(scenarios[i].name, scenarios[i].fn, NULL))
            failed++;
        else
            passed++;
    }
    printf("fault sweep: %d scenarios passed, %d failed, %lu allocation points\n", passed,
           failed, total_points);
    return failed ? 1 : 0;
}
