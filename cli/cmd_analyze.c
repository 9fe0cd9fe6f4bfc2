/* cli/cmd_analyze.c - `kapstats analyze STORE.h5 --instrument I --visit V`:
 * the primary comparison as a terminal table. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fputs("usage: kapstats analyze STORE.h5 --instrument NAME --visit LABEL [options]\n\n"
          "The primary comparison of change from baseline at a visit: n per arm,\n"
          "mean change, ANCOVA-adjusted difference (change ~ baseline + arm) with CI\n"
          "and p, Hedges' g with CI, response and remission rates with RD, RR, OR,\n"
          "NNT, for each arm against the control arm.\n\n"
          "options:\n"
          "  --instrument NAME   e.g. madrs, hamd17, phq9 (default: first depression scale)\n"
          "  --visit LABEL       e.g. week8 (default: the instrument's last visit)\n"
          "  --control ARM       control arm (default: the one arm whose name says\n"
          "                      placebo, control, sham, waitlist or usual care)\n"
          "  --missing cc|locf|bocf  missing post-baseline scores (default cc:\n"
          "                      complete cases; locf/bocf are sensitivity analyses)\n"
          "  --covariate NAME    extra ANCOVA covariate (repeatable)\n"
          "  --conf-level X      default 0.95\n"
          "  -h, --help\n", f);
}

/* The first depression scale present, else the first instrument. */
int cli_default_instrument(const kap_trial *t, size_t *k)
{
    size_t n = kap_trial_n_instruments(t);
    for (size_t i = 0; i < n; i++)
        if (kap_trial_instrument_kind(t, i) == KAP_INSTR_DEPRESSION) {
            *k = i;
            return 0;
        }
    if (n == 0)
        return -1;
    *k = 0;
    return 0;
}




static void print_binary(const char *what, const kap_compare *c)
{
    size_t ctl = kap_compare_control(c);
    printf("\n%s\n", what);
    for (size_t a = 0; a < kap_compare_n_arms(c); a++) {
        const kap_compare_arm *A = kap_compare_arm_at(c, a);
        const kap_rate *r = !strcmp(what, "Response (>= 50% reduction)") ? &A->response : &A->remission;
        char ci[128];
        cli_fmt_result(ci, sizeof ci, &r->rate, 3, 1);
        printf("  %-20s %4zu/%-4zu %s\n", A->name, r->events, r->n, ci);
    }
    for (size_t a = 0; a < kap_compare_n_arms(c); a++) {
        if (a == ctl)
            continue;
        const kap_compare_arm *A = kap_compare_arm_at(c, a);
        const kap_binary_comparison *b = !strcmp(what, "Response (>= 50% reduction)")
                                             ? &A->response_vs_control : &A->remission_vs_control;
        if (b->rd.note && isnan(b->rd.estimate)) {
            printf("  %s vs %s: %s\n", A->name, kap_compare_arm_at(c, ctl)->name, b->rd.note);
            continue;
        }
        char rd[128], rr[128], orr[128], p[16], nnt[128];
        cli_fmt_result(rd, sizeof rd, &b->rd, 3, 1);
        cli_fmt_result(rr, sizeof rr, &b->rr, 2, 1);
        cli_fmt_result(orr, sizeof orr, &b->or_, 2, 1);
        cli_fmt_p(p, sizeof p, b->fisher.p_value);
        if (kap_binary_nnt_format(nnt, sizeof nnt, &b->nnt, 1, NULL) != KAP_OK)
            snprintf(nnt, sizeof nnt, "NA");
        printf("  %s vs %s: RD %s; RR %s; OR %s; Fisher p %s\n    NNT %s\n", A->name,
               kap_compare_arm_at(c, ctl)->name, rd, rr, orr, p, nnt);
    }
}

int cmd_analyze(int argc, char **argv)
{
    const char *store = NULL, *instrument = NULL, *visit = NULL;
    const char **covs = calloc((size_t)argc, sizeof *covs);
    kap_compare_options o = KAP_COMPARE_OPTIONS_INIT;
    int status = CLI_EXIT_OK;
    kap_trial *t = NULL;
    kap_compare *c = NULL;
    if (!covs)
        return cli_fail(KAP_ENOMEM, NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(stdout);
            goto done;
        } else if (!strcmp(a, "--instrument") && more) {
            instrument = argv[++i];
        } else if (!strcmp(a, "--visit") && more) {
            visit = argv[++i];
        } else if (!strcmp(a, "--control") && more) {
            o.control = argv[++i];
        } else if (!strcmp(a, "--covariate") && more) {
            covs[o.n_covariates++] = argv[++i];
        } else if (!strcmp(a, "--conf-level") && more) {
            char *end;
            o.conf_level = strtod(argv[++i], &end);
            if (*end || !(o.conf_level > 0 && o.conf_level < 1)) {
                status = cli_usage_error("analyze", "--conf-level '%s': expected a number in (0, 1)", argv[i]);
                goto done;
            }
        } else if (!strcmp(a, "--missing") && more) {
            const char *m = argv[++i];
            if (!strcmp(m, "cc")) o.missing = KAP_MISSING_COMPLETE_CASE;
            else if (!strcmp(m, "locf")) o.missing = KAP_MISSING_LOCF;
            else if (!strcmp(m, "bocf")) o.missing = KAP_MISSING_BOCF;
            else { status = cli_usage_error("analyze", "--missing '%s': expected cc, locf or bocf", m); goto done; }
        } else if (a[0] == '-') {
            status = cli_usage_error("analyze", "unknown option or missing value: '%s'", a);
            goto done;
        } else if (!store) {
            store = a;
        } else {
            status = cli_usage_error("analyze", "more than one store given ('%s')", a);
            goto done;
        }
    }
    if (!store) { status = cli_usage_error("analyze", "no store given"); goto done; }
    o.covariates = covs;
    kap_error err;
    int rc = kap_trial_open(&t, store, &err);
    if (rc) { status = cli_fail(rc, &err); goto done; }
    size_t k;
    if (instrument) {
        if ((rc = kap_trial_find_instrument(t, instrument, &k, &err))) { status = cli_fail(rc, &err); goto done; }
    } else if (cli_default_instrument(t, &k)) {
        fprintf(stderr, "kapstats: %s holds no instrument\n", store);
        status = CLI_EXIT_INPUT;
        goto done;
    }
    instrument = kap_trial_instrument_name(t, k);
    if (!visit)
        visit = kap_trial_visit_label(t, k, kap_trial_n_visits(t, k) - 1);
    if ((rc = kap_compare_run(&c, t, instrument, visit, &o, &err))) { status = cli_fail(rc, &err); goto done; }

    const char *rule = o.missing == KAP_MISSING_LOCF ? "LOCF (sensitivity)"
                     : o.missing == KAP_MISSING_BOCF ? "BOCF (sensitivity)" : "complete cases";
    const kap_endpoint_counts *n = kap_compare_counts(c);
    printf("Primary comparison: %s change from baseline at %s (%s)\n", instrument, visit, rule);
    printf("participants %zu; used %zu; no baseline %zu; no %s score %zu; imputed %zu\n\n",
           n->n_participants, n->n_used, n->n_missing_baseline, visit, n->n_missing_post, n->n_imputed);
    printf("%-20s %6s %9s %8s %9s %9s  %s\n", "arm", "n", "baseline", "change", "SD", "LS mean", "95% CI of LS mean");
    size_t ctl = kap_compare_control(c);
    for (size_t a = 0; a < kap_compare_n_arms(c); a++) {
        const kap_compare_arm *A = kap_compare_arm_at(c, a);
        char b[32], m[32], sd[32], ls[32], lo[32], hi[32];
        cli_fmt_num(b, sizeof b, A->baseline.mean, 2);
        cli_fmt_num(m, sizeof m, A->change.mean, 2);
        cli_fmt_num(sd, sizeof sd, A->change.sd, 2);
        cli_fmt_num(ls, sizeof ls, A->lsmean.estimate, 2);
        cli_fmt_num(lo, sizeof lo, A->lsmean.ci_low, 2);
        cli_fmt_num(hi, sizeof hi, A->lsmean.ci_high, 2);
        printf("%-20s %6zu %9s %8s %9s %9s  (%s, %s)%s\n", A->name, A->change.n, b, m, sd, ls, lo, hi,
               a == ctl ? "  [control]" : "");
    }
    for (size_t a = 0; a < kap_compare_n_arms(c); a++) {
        if (a == ctl)
            continue;
        const kap_compare_arm *A = kap_compare_arm_at(c, a);
        char d[128], g[128], w[128], p[16], pw[16];
        cli_fmt_result(d, sizeof d, &A->ancova, 2, 1);
        cli_fmt_result(g, sizeof g, &A->hedges_g, 3, 1);
        cli_fmt_result(w, sizeof w, &A->welch, 2, 1);
        cli_fmt_p(p, sizeof p, A->ancova.p_value);
        cli_fmt_p(pw, sizeof pw, A->welch.p_value);
        printf("\n%s vs %s\n", A->name, kap_compare_arm_at(c, ctl)->name);
        printf("  ANCOVA adjusted difference %s, t(%.0f) = %.3f, p %s\n", d, A->ancova.df,
               A->ancova.statistic, p);
        if (A->ancova.note)
            printf("    (%s)\n", A->ancova.note);
        printf("  Welch mean difference      %s, p %s\n", w, pw);
        printf("  Hedges' g                  %s\n", g);
    }
    print_binary("Response (>= 50% reduction)", c);
    print_binary("Remission", c);
done:
    kap_compare_free(c);
    kap_trial_free(t);
    free(covs);
    return status;
}
