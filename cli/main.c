/* cli/main.c - `kapstats` dispatcher, version and top-level help. */
#include "cli.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    /* one line per subcommand, in the order `--help` lists them */
    {"ingest", cmd_ingest, "trial CSV file(s) -> validated HDF5 store"},
    {"info", cmd_info, "what a store holds: arms, instruments, visits, covariates, AEs"},
    {"analyze", cmd_analyze, "primary comparison of change from baseline at a visit"},
    {"subgroups", cmd_subgroups, "treatment effect by subgroup: interaction, heterogeneity"},
    {"safety", cmd_safety, "adverse events, vital signs and dissociation by arm"},
    {"report", cmd_report, "the trial report (JSON, Markdown, HTML) and --compare"},
    {NULL, NULL, NULL}};

static void usage(FILE *f)
{
    fprintf(f, "usage: kapstats COMMAND [OPTIONS] ...\n\ncommands:\n");
    for (size_t i = 0; commands[i].name; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`kapstats COMMAND --help` describes each command.\n"
               "kapstats --version prints the version.\n\n"
               "exit codes: 0 success; 1 report --compare found a change; 2 usage error;\n"
               "3 input error; 4 I/O error; 5 corrupt/foreign/newer store; 6 internal error\n");
}

int cli_exit_code(int rc)
{
    switch (rc) {
    case KAP_OK: return CLI_EXIT_OK;
    case KAP_EINVAL: return CLI_EXIT_USAGE;
    case KAP_EINPUT:
    case KAP_ENOTFOUND:
    case KAP_EDATA: return CLI_EXIT_INPUT;
    case KAP_EIO: return CLI_EXIT_IO;
    case KAP_EFORMAT: return CLI_EXIT_STORE;
    default: return CLI_EXIT_INTERNAL;
    }
}

int cli_fail(int rc, const kap_error *err)
{
    fputs("kapstats: ", stderr);
    if (err && err->file[0]) {
        fputs(err->file, stderr);
        if (err->line)
            fprintf(stderr, ":%lu", err->line);
        if (err->column)
            fprintf(stderr, ":%lu", err->column);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s\n", (err && err->message[0]) ? err->message : kap_strerror(rc));
    return cli_exit_code(rc);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kapstats %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `kapstats %s --help`)\n", cmd);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* Output is always in the C locale (the library formats numbers in the
     * C locale itself; this keeps the CLI's own printf the same). */
    setlocale(LC_ALL, "C");
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("kapstats %s (libkapstats %s)\n", KAP_VERSION_STRING, kap_version());
        return 0;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; commands[i].name; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "kapstats: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
