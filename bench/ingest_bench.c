/* bench/ingest_bench.c - time kap_ingest_files() on one or more CSV files.
 *
 *   make && cc -O2 -Iinclude bench/ingest_bench.c build/libkapstats.a \
 *       -lcsv -lgsl -lgslcblas -ljansson -lpthread -lm -o /tmp/ingest_bench
 *   /usr/bin/python3 bench/gen_wide.py 1000000 /tmp/wide_1m.csv
 *   /usr/bin/time -v /tmp/ingest_bench /tmp/wide_1m.csv
 */
#include <kapstats.h>

#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.csv...\n", argv[0]);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, (const char *const *)argv + 1,
                              (size_t)argc - 1, NULL, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        fprintf(stderr, "%s:%lu:%lu: %s\n", e.file, e.line, e.column,
                e.message);
        return 1;
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("%zu participants, %zu instruments, %zu covariates, %zu AE "
           "terms in %.2f s\n",
           kap_trial_n_participants(t), kap_trial_n_instruments(t),
           kap_trial_n_covariates(t), kap_trial_n_ae_terms(t), s);
    kap_trial_free(t);
    return 0;
}
