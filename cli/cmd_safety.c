/* cli/cmd_safety.c - `kapstats safety STORE.h5`: adverse events and vital
 * signs / dissociation tables. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fputs("usage: kapstats safety STORE.h5 [options]\n\n"
          "Adverse events per term (participants with >= 1 event, incidence with\n"
          "exact CI, risk difference with Newcombe CI, relative risk, Fisher's exact\n"
          "p; sorted by frequency; any-AE row), and CADSS / vital signs by arm and\n"
          "visit (mean, SD, median, IQR, change from baseline, proportion beyond\n"
          "thresholds: hr > 110 or rise > 20; sbp > 180 or rise > 40; dbp > 110 or\n"
          "rise > 25; cadss > 4).\n\n"
          "options:\n"
          "  --control ARM     default: the arm named like placebo/control/sham/...\n"
          "  --treatment ARM   default: the only other arm\n"
          "  -h, --help\n", f);
}



int cmd_safety(int argc, char **argv)
{
    const char *store = NULL;
    kap_safety_options o = KAP_SAFETY_OPTIONS_INIT;
    kap_trial *t = NULL;
    kap_ae_table *ae = NULL;
    kap_vitals_table *vt = NULL;
    kap_error err;
    int rc, status = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(a, "--control") && more) {
            o.control = argv[++i];
        } else if (!strcmp(a, "--treatment") && more) {
            o.treatment = argv[++i];
        } else if (a[0] == '-') {
            return cli_usage_error("safety", "unknown option or missing value: '%s'", a);
        } else if (!store) {
            store = a;
        } else {
            return cli_usage_error("safety", "more than one store given ('%s')", a);
        }
    }
    if (!store)
        return cli_usage_error("safety", "no store given");
    if ((rc = kap_trial_open(&t, store, &err)) || (rc = kap_safety_ae(&ae, t, &o, &err)) ||
        (rc = kap_safety_vitals(&vt, t, &o, &err))) {
        status = cli_fail(rc, &err);
        goto done;
    }
    printf("Adverse events: %s vs %s (participants with >= 1 event / participants with the term "
           "recorded)\n", kap_ae_table_treatment(ae), kap_ae_table_control(ae));
    printf("%-26s %9s %-22s %9s %-22s %-24s %-20s %8s\n", "term", "trt", "% (95% CI exact)", "ctl",
           "% (95% CI exact)", "RD % (95% CI Newcombe)", "RR (95% CI)", "Fisher p");
    for (size_t i = 0; i <= kap_ae_table_n_terms(ae); i++) {
        const kap_ae_row *r = i == 0 ? kap_ae_table_any(ae) : kap_ae_table_row(ae, i - 1);
        char n1[48], n2[48], p1[128], p2[128], rd[128], rr[128], p[16];
        snprintf(n1, sizeof n1, "%zu/%zu", r->events_treat, r->n_treat);
        snprintf(n2, sizeof n2, "%zu/%zu", r->events_control, r->n_control);
        cli_fmt_result(p1, sizeof p1, &r->incidence_treat, 1, 100);
        cli_fmt_result(p2, sizeof p2, &r->incidence_control, 1, 100);
        cli_fmt_result(rd, sizeof rd, &r->risk_difference, 1, 100);
        cli_fmt_result(rr, sizeof rr, &r->risk_ratio, 2, 1);
        if (isnan(r->fisher.p_value))
            snprintf(p, sizeof p, "NA");
        else if (r->fisher.p_value < 0.0001)
            snprintf(p, sizeof p, "<0.0001");
        else
            snprintf(p, sizeof p, "%.4f", r->fisher.p_value);
        printf("%-26.26s %9s %-22s %9s %-22s %-24s %-20s %8s\n", r->term, n1, p1, n2, p2, rd, rr, p);
        if (i == 0)
            printf("\n");
    }
    printf("\nDissociation and vital signs by arm and visit\n");
    printf("%-6s %-10s %-16s %4s %8s %7s %8s %8s %8s %9s %7s  %-8s %s\n", "instr", "visit", "arm",
           "n", "mean", "SD", "median", "Q1", "Q3", "chg mean", "chg SD", "beyond", "% beyond (95% CI exact)");
    for (size_t i = 0; i < kap_vitals_table_n_rows(vt); i++) {
        const kap_vital_row *r = kap_vitals_table_row(vt, i);
        char m[32], sd[32], md[32], q1[32], q3[32], cm[32], cs[32], ex[48], pe[128];
        cli_fmt_num(m, sizeof m, r->value.mean, 1);
        cli_fmt_num(sd, sizeof sd, r->value.sd, 1);
        cli_fmt_num(md, sizeof md, r->value.median, 1);
        cli_fmt_num(q1, sizeof q1, r->value.q1, 1);
        cli_fmt_num(q3, sizeof q3, r->value.q3, 1);
        cli_fmt_num(cm, sizeof cm, r->change.mean, 1);
        cli_fmt_num(cs, sizeof cs, r->change.sd, 1);
        snprintf(ex, sizeof ex, "%zu/%zu", r->n_exceed, r->n_assessed);
        cli_fmt_result(pe, sizeof pe, &r->exceed, 1, 100);
        printf("%-6s %-10s %-16.16s %4zu %8s %7s %8s %8s %8s %9s %7s  %-8s %s\n", r->instrument,
               r->visit, r->arm, r->value.n, m, sd, md, q1, q3, cm, cs, ex, pe);
    }
    printf("\nthresholds: hr > 110 bpm or rise > 20; sbp > 180 mmHg or rise > 40; dbp > 110 mmHg "
           "or rise > 25; cadss > 4 (rises only after baseline)\n");
done:
    kap_vitals_table_free(vt);
    kap_ae_table_free(ae);
    kap_trial_free(t);
    return status;
}
