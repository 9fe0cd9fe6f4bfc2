/* bench/ingest_lib.c - library-level ingestion for bench/run.sh.
 *
 *   ingest_lib [--ae ADAE.csv] FILE.csv...
 *
 * Runs kap_ingest_files() (parse, validate, convert into an in-memory
 * kap_trial; no HDF5 store is written) and prints one JSON line with the
 * time of that call and the trial's dimensions.  The runner times the
 * whole process too; this row is the ingestion cost without the store, a
 * lower bound for `kapstats ingest`, and what the runner reports while the
 * CLI command does not exist yet.  (bench/ingest_bench.c, from the ingest
 * work, does the same for the wide layout; this one also takes the long
 * layout's ADAE file.)
 */
#include <kapstats.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    kap_ingest_options opts = KAP_INGEST_OPTIONS_INIT;
    const char *files[64];
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ae") && i + 1 < argc)
            opts.ae_path = argv[++i];
        else if (n < sizeof files / sizeof *files)
            files[n++] = argv[i];
    }
    if (n == 0) {
        fprintf(stderr, "usage: ingest_lib [--ae ADAE.csv] FILE.csv...\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, files, n, &opts, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        fprintf(stderr, "%s:%lu:%lu: %s\n", e.file, e.line, e.column,
                e.message);
        return 1;
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("{\"participants\": %zu, \"instruments\": %zu, \"covariates\": "
           "%zu, \"ae_terms\": %zu, \"ingest_s\": %.4f}\n",
           kap_trial_n_participants(t), kap_trial_n_instruments(t),
           kap_trial_n_covariates(t), kap_trial_n_ae_terms(t), s);
    kap_trial_free(t);
    return 0;
}
