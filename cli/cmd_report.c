/* cli/cmd_report.c - `kapstats report STORE.h5`: the deterministic trial
 * report (JSON, Markdown, HTML) and `--compare OLD.json`.  A thin shell over
 * kap_report_* (include/kapstats/report.h); the configuration file format
 * is documented in docs/report.md. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void help(FILE *f)
{
    fputs("usage: kapstats report STORE.h5 [-o FILE] [--format json|md|html] [options]\n"
          "       kapstats report STORE.h5 --compare OLD.json [--rtol 1e-9] [-o FILE]\n\n"
          "The trial report: study flow, representation / Table 1, primary endpoint\n"
          "(complete case and LOCF), change at every visit, secondary instruments,\n"
          "subgroups, safety and methods.  Same store + options + version = same bytes.\n\n"
          "options:\n"
          "  -o, --output FILE     write here (atomically) instead of standard output\n"
          "  --format F            json, md or html (default: from FILE's extension,\n"
          "                        else json)\n"
          "  --instrument NAME     primary instrument (default: first depression scale)\n"
          "  --visit LABEL         primary visit (default: the instrument's last visit)\n"
          "  --control ARM         control arm (default: the one arm named like placebo,\n"
          "                        control, sham, waitlist or usual care)\n"
          "  --subgroups A,B,...   subgroup variables (default race,ethnicity,sex,age,\n"
          "                        format,site: those in the store)\n"
          "  --adjust METHOD       p-value adjustment: holm (default), bonferroni,\n"
          "                        hochberg, hommel, BH, BY, none\n"
          "  --conf-level X        default 0.95\n"
          "  --response-threshold X  fraction reduction for response, default 0.5\n"
          "  --config FILE         settings as `key = value` lines (docs/report.md);\n"
          "                        command-line options override them\n"
          "  --timestamp           record the current UTC time (SOURCE_DATE_EPOCH if\n"
          "                        set); off by default so that reruns are identical\n"
          "  --compare OLD.json    compare with a previous JSON report: print every\n"
          "                        change (path, old, new); exit 1 if anything moved\n"
          "  --rtol X              relative tolerance for --compare (default 1e-9)\n"
          "  -h, --help\n\n"
          "exit codes: 0 success (no change); 1 --compare found a change; 2 usage;\n"
          "3 input; 4 I/O; 5 corrupt/foreign/newer store or report; 6 internal\n",
          f);
}

typedef struct settings {
    const char *output, *format, *instrument, *visit, *control, *subgroups, *adjust;
    const char *conf_level, *response_threshold, *compare, *rtol;
    int timestamp;
} settings;

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Read `key = value` lines into st (values point into *text, which the
 * caller frees).  Returns 0 or an exit code. */
static int read_config(settings *st, const char *path, char **text)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kapstats: %s: cannot read: %s\n", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    int rerr = ferror(f);
    fclose(f);
    if (!buf)
        return cli_fail(KAP_ENOMEM, NULL);
    if (rerr) {
        free(buf);
        fprintf(stderr, "kapstats: %s: read error\n", path);
        return CLI_EXIT_IO;
    }
    buf[len] = '\0';
    *text = buf;
    unsigned long lineno = 0;
    for (char *line = buf, *next; line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "kapstats: %s:%lu: expected `key = value`\n", path, lineno);
            return CLI_EXIT_USAGE;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        const char **slot = NULL;
        if (!strcmp(key, "output")) slot = &st->output;
        else if (!strcmp(key, "format")) slot = &st->format;
        else if (!strcmp(key, "instrument")) slot = &st->instrument;
        else if (!strcmp(key, "visit")) slot = &st->visit;
        else if (!strcmp(key, "control")) slot = &st->control;
        else if (!strcmp(key, "subgroups")) slot = &st->subgroups;
        else if (!strcmp(key, "adjust")) slot = &st->adjust;
        else if (!strcmp(key, "conf_level")) slot = &st->conf_level;
        else if (!strcmp(key, "response_threshold")) slot = &st->response_threshold;
        else if (!strcmp(key, "compare")) slot = &st->compare;
        else if (!strcmp(key, "rtol")) slot = &st->rtol;
        else if (!strcmp(key, "timestamp")) {
            if (!strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1"))
                st->timestamp = 1;
            else if (!strcmp(val, "false") || !strcmp(val, "no") || !strcmp(val, "0"))
                st->timestamp = 0;
            else {
                fprintf(stderr, "kapstats: %s:%lu: timestamp: expected true or false\n", path,
                        lineno);
                return CLI_EXIT_USAGE;
            }
            continue;
        } else {
            fprintf(stderr, "kapstats: %s:%lu: unknown key '%s' (see docs/report.md)\n", path,
                    lineno, key);
            return CLI_EXIT_USAGE;
        }
        *slot = *val ? val : NULL;
    }
    return 0;
}

static int parse_unit(const char *what, const char *s, double lo, double hi, int hi_open,
                      double *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*s == '\0' || *end || errno || !(x > lo) || !(hi_open ? x < hi : x <= hi))
        return cli_usage_error("report", "%s '%s': expected a number in (%g, %g%s", what, s, lo,
                               hi, hi_open ? ")" : "]");
    *out = x;
    return 0;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

int cmd_report(int argc, char **argv)
{
    settings cmd = {0}, cfg = {0};
    const char *store = NULL, *config = NULL;
    char *cfg_text = NULL, *sg_copy = NULL;
    const char **sg = NULL;
    int status = CLI_EXIT_OK, rc;
    kap_trial *t = NULL;
    kap_report *r = NULL, *old = NULL;
    kap_report_diff *diff = NULL;
    kap_error err;
    char stamp[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(stdout);
            return CLI_EXIT_OK;
        }
#define OPT(name, field) else if (!strcmp(a, name) && more) cmd.field = argv[++i];
        if (0) {
        }
        OPT("-o", output) OPT("--output", output) OPT("--format", format)
        OPT("--instrument", instrument) OPT("--visit", visit) OPT("--control", control)
        OPT("--subgroups", subgroups) OPT("--adjust", adjust) OPT("--conf-level", conf_level)
        OPT("--response-threshold", response_threshold) OPT("--compare", compare)
        OPT("--rtol", rtol)
#undef OPT
        else if (!strcmp(a, "--config") && more) config = argv[++i];
        else if (!strcmp(a, "--timestamp")) cmd.timestamp = 1;
        else if (a[0] == '-' && a[1])
            return cli_usage_error("report", "unknown option or missing value: '%s'", a);
        else if (!store)
            store = a;
        else
            return cli_usage_error("report", "more than one store given ('%s')", a);
    }
    if (!store)
        return cli_usage_error("report", "no store given");
    if (config && (status = read_config(&cfg, config, &cfg_text)))
        goto done;
    /* command line over config file */
#define PICK(f) const char *f = cmd.f ? cmd.f : cfg.f
    PICK(output); PICK(format); PICK(instrument); PICK(visit); PICK(control);
    PICK(subgroups); PICK(adjust); PICK(conf_level); PICK(response_threshold);
    PICK(compare); PICK(rtol);
#undef PICK
    kap_report_options o = KAP_REPORT_OPTIONS_INIT;
    o.instrument = instrument;
    o.visit = visit;
    o.control = control;
    kap_report_format fmt = KAP_REPORT_JSON;
    if (format) {
        if (kap_report_format_parse(&fmt, format, &err)) {
            status = cli_usage_error("report", "%s", err.message);
            goto done;
        }
    } else if (output && (has_suffix(output, ".md") || has_suffix(output, ".markdown"))) {
        fmt = KAP_REPORT_MARKDOWN;
    } else if (output && (has_suffix(output, ".html") || has_suffix(output, ".htm"))) {
        fmt = KAP_REPORT_HTML;
    }
    if (adjust && kap_padjust_method_parse(&o.adjust, adjust, &err)) {
        status = cli_usage_error("report", "--adjust: %s", err.message);
        goto done;
    }
    if (conf_level && (status = parse_unit("--conf-level", conf_level, 0, 1, 1, &o.conf_level)))
        goto done;
    if (response_threshold &&
        (status = parse_unit("--response-threshold", response_threshold, 0, 1, 0,
                             &o.response_threshold)))
        goto done;
    double tol = 1e-9;
    if (rtol) {
        char *end;
        tol = strtod(rtol, &end);
        if (!*rtol || *end || !(tol >= 0) || isinf(tol)) {
            status = cli_usage_error("report", "--rtol '%s': expected a number >= 0", rtol);
            goto done;
        }
    }
    if (subgroups) {
        size_t n = 1;
        for (const char *p = subgroups; *p; p++)
            n += *p == ',';
        sg_copy = strdup(subgroups);
        sg = calloc(n, sizeof *sg);
        if (!sg_copy || !sg) {
            status = cli_fail(KAP_ENOMEM, NULL);
            goto done;
        }
        char *save = NULL;
        for (char *tok = strtok_r(sg_copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            tok = trim(tok);
            if (*tok)
                sg[o.n_subgroups++] = tok;
        }
        o.subgroups = sg;
    }
    if (cmd.timestamp || cfg.timestamp) {
        /* UTC whatever TZ says; SOURCE_DATE_EPOCH (reproducible builds) wins */
        time_t now = time(NULL);
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        if (sde && *sde) {
            char *end;
            long long v = strtoll(sde, &end, 10);
            if (!*end && v >= 0)
                now = (time_t)v;
        }
        struct tm tm;
        if (!gmtime_r(&now, &tm) || !strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm))
            snprintf(stamp, sizeof stamp, "unknown");
        o.timestamp = stamp;
    }

    if ((rc = kap_trial_open(&t, store, &err))) {
        status = cli_fail(rc, &err);
        goto done;
    }
    if ((rc = kap_report_build(&r, t, &o, &err))) {
        status = cli_fail(rc, &err);
        goto done;
    }
    for (size_t i = 0; i < kap_report_n_sections(r); i++) {
        const char *name, *st, *why;
        if (kap_report_section(r, i, &name, &st, &why) == KAP_OK && !strcmp(st, "empty"))
            fprintf(stderr, "kapstats report: note: section %s is empty: %s\n", name,
                    why ? why : "");
    }
    if (output) {
        if ((rc = kap_report_write(r, fmt, output, &err))) {
            status = cli_fail(rc, &err);
            goto done;
        }
    } else if (!compare) {
        size_t len = 0;
        char *buf = NULL;
        if ((rc = kap_report_render(NULL, 0, &len, r, fmt, &err)) ||
            !(buf = malloc(len + 1)) ||
            (rc = kap_report_render(buf, len + 1, &len, r, fmt, &err))) {
            free(buf);
            status = cli_fail(rc ? rc : KAP_ENOMEM, rc ? &err : NULL);
            goto done;
        }
        if (fwrite(buf, 1, len, stdout) != len || fflush(stdout)) {
            free(buf);
            fprintf(stderr, "kapstats: cannot write to standard output\n");
            status = CLI_EXIT_IO;
            goto done;
        }
        free(buf);
    }
    if (compare) {
        if ((rc = kap_report_read_json(&old, compare, &err)) ||
            (rc = kap_report_compare(&diff, old, r, tol, &err))) {
            status = cli_fail(rc, &err);
            goto done;
        }
        size_t n = kap_report_diff_count(diff);
        for (size_t i = 0; i < n; i++) {
            const char *p, *ov, *nv;
            kap_report_diff_get(diff, i, &p, &ov, &nv);
            printf("%s: %s -> %s\n", p, ov ? ov : "(absent)", nv ? nv : "(absent)");
        }
        if (n) {
            printf("%zu change%s against %s (rtol %g)\n", n, n == 1 ? "" : "s", compare, tol);
            status = CLI_EXIT_CHANGED;
        } else {
            printf("no change against %s (rtol %g)\n", compare, tol);
        }
    }
done:
    kap_report_diff_free(diff);
    kap_report_free(old);
    kap_report_free(r);
    kap_trial_free(t);
    free(sg);
    free(sg_copy);
    free(cfg_text);
    return status;
}
