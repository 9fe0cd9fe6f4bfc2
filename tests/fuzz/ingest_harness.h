/* Shared body of the ingestion harnesses: every input must end in KAP_OK (a
 * consistent trial) or a clean error with a message; never a crash, a leak
 * or undefined behaviour. */
#ifndef KAP_FUZZ_INGEST_HARNESS_H
#define KAP_FUZZ_INGEST_HARNESS_H

#include "kapstats.h"

#include <stdint.h>
#include <stdlib.h>

static int fuzz_ingest(const uint8_t *data, size_t size, kap_layout layout)
{
    kap_ingest_options o = KAP_INGEST_OPTIONS_INIT;
    o.layout = layout;
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_memory(&t, "fuzz.csv", data, size, &o, &e);
    if (rc == KAP_OK) {
        /* touch everything the trial exposes */
        size_t n = kap_trial_n_participants(t);
        for (size_t i = 0; i < n; i++)
            if (!kap_trial_participant_id(t, i) || kap_trial_arms(t)[i] < 0 ||
                (size_t)kap_trial_arms(t)[i] >= kap_trial_n_arms(t))
                abort();
        for (size_t k = 0; k < kap_trial_n_instruments(t); k++) {
            const double *s = kap_trial_scores(t, k);
            size_t nv = kap_trial_n_visits(t, k);
            volatile double sum = 0;
            for (size_t i = 0; i < n * nv; i++)
                sum += s[i];
            (void)sum;
        }
    } else if (e.message[0] == '\0') {
        abort();   /* every error must say what is wrong */
    }
    kap_trial_free(t);
    return 0;
}

#endif
