/*
 * cli/cli.h - the kapstats command-line tool: a thin shell over the public
 * API.  Each subcommand lives in cli/cmd_<name>.c.
 *
 * Exit codes (documented in README.md and `kapstats --help`):
 *   0 success
 *   1 `report --compare`: a number moved or appeared/disappeared
 *   2 usage error (unknown option, missing argument)
 *   3 input error (bad CSV, unknown arm/instrument/visit, data insufficient)
 *   4 I/O error (cannot read or write a file)
 *   5 store error (corrupt, foreign or newer-layout HDF5 file)
 *   6 internal error (out of memory, numerical failure)
 */
#ifndef KAPSTATS_CLI_H
#define KAPSTATS_CLI_H

#include "kapstats.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_CHANGED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_INPUT = 3,
    CLI_EXIT_IO = 4,
    CLI_EXIT_STORE = 5,
    CLI_EXIT_INTERNAL = 6
};

/* Map a library result code to the exit code above. */
int cli_exit_code(int kap_rc);
/* Print "kapstats: FILE:LINE:COLUMN: message" (location parts when set)
 * to stderr and return cli_exit_code(rc). */
int cli_fail(int rc, const kap_error *err);
/* Print a usage error to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Subcommands (cli/cmd_<name>.c); each parses its own options. */
int cmd_info(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_subgroups(int argc, char **argv);
int cmd_safety(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Table formatting (cli/format.c): "NA" for NaN; "est (lo, hi)"; p with
 * "<0.0001" below 1e-4. */
void cli_fmt_num(char *buf, size_t n, double x, int digits);
void cli_fmt_ci(char *buf, size_t n, double est, double lo, double hi, int digits);
/* estimate and CI of r, each multiplied by scale (100 for percent) */
void cli_fmt_result(char *buf, size_t n, const kap_result *r, int digits, double scale);
void cli_fmt_p(char *buf, size_t n, double p);

/* The first depression scale in the store (else the first instrument);
 * -1 when the store holds none. */
int cli_default_instrument(const kap_trial *t, size_t *k);

#endif
