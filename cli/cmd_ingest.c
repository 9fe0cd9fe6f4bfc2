/* cli/cmd_ingest.c - `kapstats ingest FILE... -o OUT.h5`. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fputs("usage: kapstats ingest FILE... -o OUT.h5 [options]\n\n"
          "Validate trial CSV file(s) and write them into one HDF5 store.\n"
          "The store is written to a temporary file and renamed on success: a\n"
          "failed ingest leaves no new file and an existing OUT.h5 untouched.\n\n"
          "options:\n"
          "  -o, --output OUT.h5        the store to write (required)\n"
          "  --layout wide|long|auto    input layout (default: auto, from the header)\n"
          "  --ae FILE                  ADAE-like adverse-event file (long layout)\n"
          "  --missing CODE             an extra missing-value code (repeatable);\n"
          "                             always missing: empty, NA, N/A, ., NaN\n"
          "  --instrument NAME:MIN:MAX  declare the valid range of an instrument\n"
          "                             (repeatable; e.g. --instrument gad7:0:21)\n"
          "  -h, --help                 this text\n\n"
          "exit codes: 0 ok, 2 usage, 3 invalid input (the message names file,\n"
          "line, column, value and what was expected), 4 I/O error, 6 internal\n", f);
}

int cmd_ingest(int argc, char **argv)
{
    kap_ingest_options opts = KAP_INGEST_OPTIONS_INIT;
    const char *out = NULL;
    /* argv-sized arrays: never more entries than arguments */
    const char **files = calloc((size_t)argc, sizeof *files);
    const char **missing = calloc((size_t)argc, sizeof *missing);
    kap_instrument_range *ranges = calloc((size_t)argc, sizeof *ranges);
    char (*names)[128] = calloc((size_t)argc, sizeof *names);  /* range names */
    size_t n_files = 0, n_missing = 0, n_ranges = 0;
    int status = CLI_EXIT_OK;
    if (!files || !missing || !ranges || !names) {
        status = cli_fail(KAP_ENOMEM, NULL);
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(stdout);
            goto done;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!has_value) { status = cli_usage_error("ingest", "%s needs a file name", a); goto done; }
            out = argv[++i];
        } else if (!strcmp(a, "--layout")) {
            if (!has_value) { status = cli_usage_error("ingest", "--layout needs wide, long or auto"); goto done; }
            const char *v = argv[++i];
            if (!strcmp(v, "wide")) opts.layout = KAP_LAYOUT_WIDE;
            else if (!strcmp(v, "long")) opts.layout = KAP_LAYOUT_LONG;
            else if (!strcmp(v, "auto")) opts.layout = KAP_LAYOUT_AUTO;
            else { status = cli_usage_error("ingest", "--layout '%s': expected wide, long or auto", v); goto done; }
        } else if (!strcmp(a, "--ae")) {
            if (!has_value) { status = cli_usage_error("ingest", "--ae needs a file name"); goto done; }
            opts.ae_path = argv[++i];
        } else if (!strcmp(a, "--missing")) {
            if (!has_value) { status = cli_usage_error("ingest", "--missing needs a code"); goto done; }
            missing[n_missing++] = argv[++i];
        } else if (!strcmp(a, "--instrument")) {
            if (!has_value) { status = cli_usage_error("ingest", "--instrument needs NAME:MIN:MAX"); goto done; }
            const char *spec = argv[++i];
            kap_error perr;
            if (kap_ingest_parse_instrument_range(&ranges[n_ranges], names[n_ranges],
                                                  sizeof names[n_ranges], spec, &perr) != KAP_OK) {
                status = cli_usage_error("ingest", "--instrument '%s': %s", spec, perr.message);
                goto done;
            }
            n_ranges++;
        } else if (a[0] == '-' && a[1] != '\0') {
            status = cli_usage_error("ingest", "unknown option '%s'", a);
            goto done;
        } else {
            files[n_files++] = a;
        }
    }
    if (n_files == 0) { status = cli_usage_error("ingest", "no input file"); goto done; }
    if (!out) { status = cli_usage_error("ingest", "no output store: give -o OUT.h5"); goto done; }
    opts.missing_codes = missing;
    opts.n_missing_codes = n_missing;
    opts.ranges = ranges;
    opts.n_ranges = n_ranges;

    kap_error err;
    kap_trial *trial = NULL;
    int rc = kap_ingest_files(&trial, files, n_files, &opts, &err);
    if (rc == KAP_OK)
        rc = kap_trial_write(trial, out, &err);
    if (rc != KAP_OK) {
        kap_trial_free(trial);
        status = cli_fail(rc, &err);
        goto done;
    }
    size_t n = kap_trial_n_participants(trial);
    printf("ingested %zu participant%s from %zu file%s into %s\n", n, n == 1 ? "" : "s",
           n_files, n_files == 1 ? "" : "s", out);
    const int32_t *arm = kap_trial_arms(trial);
    for (size_t a = 0; a < kap_trial_n_arms(trial); a++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            c += (size_t)(arm[i] == (int32_t)a);
        printf("  arm %-20s %zu\n", kap_trial_arm_name(trial, a), c);
    }
    printf("  instruments:");
    for (size_t k = 0; k < kap_trial_n_instruments(trial); k++)
        printf(" %s", kap_trial_instrument_name(trial, k));
    printf("\n  covariates: %zu, adverse-event terms: %zu\n", kap_trial_n_covariates(trial),
           kap_trial_n_ae_terms(trial));
    kap_trial_free(trial);
done:
    free(files);
    free(missing);
    free(ranges);
    free(names);
    return status;
}
