/* bench/ingest_lib.c - library-level ingestion for bench/run.sh.
 *
 *   ingest_lib [--ae ADAE.csv] FILE.csv... [-o STORE.h5]
 *
 * Runs kap_ingest_files() (parse, validate, convert into an in-memory
 * kap_trial) and, with -o, kap_trial_write() (the compressed, sealed HDF5
 * store), i.e. what `kapstats ingest` does minus the command line, and
 * prints one JSON line with the time of each call and the trial's
 * dimensions.  The runner times the whole process too, and uses this row
 * while the CLI has no `ingest` command yet.  (bench/ingest_bench.c, from
 * the ingest work, times kap_ingest_files() on wide files; this one also
 * takes the long layout's ADAE file and writes the store.)
 */
#include <kapstats.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    kap_ingest_options opts = KAP_INGEST_OPTIONS_INIT;
    const char *files[64];
    const char *store = NULL;
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ae") && i + 1 < argc)
            opts.ae_path = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            store = argv[++i];
        else if (n < sizeof files / sizeof *files)
            files[n++] = argv[i];
    }
    if (n == 0) {
        fprintf(stderr, "usage: ingest_lib [--ae ADAE.csv] FILE.csv... "
                        "[-o STORE.h5]\n");
        return 2;
    }
    struct timespec t0, t1, t2;
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
    if (store && (rc = kap_trial_write(t, store, &e)) != 0) {
        fprintf(stderr, "%s: %s\n", store, e.message);
        kap_trial_free(t);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t2);
    double s = (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    double ws = (double)(t2.tv_sec - t1.tv_sec) +
                (double)(t2.tv_nsec - t1.tv_nsec) * 1e-9;
    printf("{\"participants\": %zu, \"instruments\": %zu, \"covariates\": "
           "%zu, \"ae_terms\": %zu, \"ingest_s\": %.4f, \"write_s\": %.4f}\n",
           kap_trial_n_participants(t), kap_trial_n_instruments(t),
           kap_trial_n_covariates(t), kap_trial_n_ae_terms(t), s,
           store ? ws : 0.0);
    kap_trial_free(t);
    return 0;
}
