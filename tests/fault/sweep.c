/*
 * tests/fault/sweep.c - allocation-failure sweep (fault-injection build
 * only: `make test-fault`, built with -DKAP_FAULT_INJECTION and
 * AddressSanitizer/LeakSanitizer).
 *
 * For each scenario, N runs over 1, 2, ... : the N-th library allocation
 * fails.  Every run must end in KAP_ENOMEM (or succeed when the scenario
 * made fewer than N allocations, which ends the sweep); LeakSanitizer at
 * exit proves that no failed run leaked.  Allocations made inside HDF5 and
 * GSL are not routed through the hook (see docs/reliability.md).
 */
#include "internal.h"
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sweep(const char *name, scenario_fn fn, void *ctx)
{
    unsigned long points = 0;
    for (unsigned long n = 1;; n++) {
        kap_test_fail_alloc_at(n);
        int rc = fn(ctx);
        unsigned long made = kap_test_fail_alloc_at(0);
        if (made < n) {
            /* the failure point was never reached: the sweep is complete */
            if (rc != KAP_OK) {
                printf("FAIL %s: rc %d without an injected failure\n", name, rc);
                return 1;
            }
            printf("ok   %-28s %lu allocation points swept\n", name, points);
            return 0;
        }
        points++;
        if (rc != KAP_ENOMEM) {
            printf("FAIL %s: allocation %lu failed but rc = %d (%s)\n", name, n, rc,
                   kap_strerror(rc));
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
    printf("fault sweep: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
