/* cli/cmd_subgroups.c - `kapstats subgroups STORE.h5 --by race,sex,...`:
 * subgroup tables, interaction and heterogeneity tests, multiplicity. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fputs("usage: kapstats subgroups STORE.h5 --by VAR[,VAR...] [options]\n\n"
          "Treatment effect per level of each subgrouping variable (n, means or\n"
          "rates, difference with Welch CI, Hedges' g or RD/RR/OR, forest weight),\n"
          "the treatment x subgroup interaction (F test of nested linear models,\n"
          "without and with baseline; binary: Q of log odds ratios and Breslow-Day),\n"
          "heterogeneity (Q, I2, H2, tau2 by DL/REML/PM, pooled estimates), the\n"
          "across-level comparison within each arm, and the interaction p-values\n"
          "of the variables adjusted for multiplicity.  Numeric variables are cut\n"
          "into bands (age: 18-34, 35-49, 50-64, 65+).\n\n"
          "options:\n"
          "  --by VAR[,VAR...]   covariates (race, sex, ethnicity, site, format, age, ...)\n"
          "  --instrument NAME   default: the first depression scale\n"
          "  --visit LABEL       default: the instrument's last visit\n"
          "  --measure change|percent|response|remission   default change\n"
          "  --control ARM       default: the arm named like placebo/control/sham/...\n"
          "  --treatment ARM     default: the only other arm\n"
          "  --adjust METHOD     p.adjust method for the family (default holm)\n"
          "  --min-per-arm N     flag levels with fewer values per arm (default 5)\n"
          "  --cuts X,Y,...      cut points for numeric variables other than age\n"
          "  --missing cc|locf|bocf  default cc (complete cases)\n"
          "  --knapp-hartung     Knapp-Hartung CIs for the pooled estimates\n"
          "  -h, --help\n", f);
}




static void print_test(const char *what, const kap_result *r)
{
    char p[16], s[32];
    cli_fmt_p(p, sizeof p, r->p_value);
    cli_fmt_num(s, sizeof s, r->statistic, 3);
    if (isnan(r->statistic) && r->note)
        printf("  %s: NA (%s)\n", what, r->note);
    else if (!isnan(r->df2))
        printf("  %s: F(%.0f, %.1f) = %s, p %s\n", what, r->df, r->df2, s, p);
    else
        printf("  %s: %s, df %.0f, p %s\n", what, s, r->df, p);
}

static void print_one(const kap_subgroup *sg, const kap_subgroup_options *o)
{
    int bin = kap_subgroup_is_binary(sg);
    printf("\n== %s ==  (%zu participants without a value: own line, not in the tests)\n",
           kap_subgroup_variable(sg), kap_subgroup_n_missing(sg));
    printf("%-28s %5s %5s %9s %9s  %-26s %8s %8s  %-24s %6s\n", "level", "n trt", "n ctl",
           bin ? "rate trt" : "mean trt", bin ? "rate ctl" : "mean ctl",
           bin ? "RD (95% CI)" : "diff (95% CI)", bin ? "Fisher p" : "p", "p adj",
           bin ? "OR (95% CI)" : "Hedges g (95% CI)", "weight");
    for (size_t i = 0; i < kap_subgroup_n_rows(sg); i++) {
        const kap_subgroup_row *r = kap_subgroup_row_at(sg, i);
        char mt[32], mc[32], d[128], p[16], pa[16], g[128], w[32];
        cli_fmt_num(mt, sizeof mt, r->mean_treat.estimate, bin ? 3 : 2);
        cli_fmt_num(mc, sizeof mc, r->mean_control.estimate, bin ? 3 : 2);
        cli_fmt_ci(d, sizeof d, r->diff.estimate, r->diff.ci_low, r->diff.ci_high, bin ? 3 : 2);
        cli_fmt_p(p, sizeof p, r->p_value);
        cli_fmt_p(pa, sizeof pa, r->p_adjusted);
        if (bin)
            cli_fmt_ci(g, sizeof g, r->odds_ratio.estimate, r->odds_ratio.ci_low, r->odds_ratio.ci_high, 2);
        else
            cli_fmt_ci(g, sizeof g, r->hedges_g.estimate, r->hedges_g.ci_low, r->hedges_g.ci_high, 2);
        cli_fmt_num(w, sizeof w, r->weight, 1);
        printf("%-28.28s %5zu %5zu %9s %9s  %-26s %8s %8s  %-24s %6s%s\n", r->level, r->n_treat,
               r->n_control, mt, mc, d, p, pa, g, w, r->small ? "  [small]" : "");
        if (r->note && (isnan(r->diff.estimate) || isnan(r->vi)))
            printf("%-28s   note: %s\n", "", r->note);
    }
    printf("  per-level p adjusted: %s\n", kap_subgroup_adjust_family(sg));
    if (kap_subgroup_all_small(sg))
        printf("  every level has fewer than %zu values in an arm: read with care\n", o->min_per_arm);
    const kap_subgroup_interaction *it = kap_subgroup_get_interaction(sg);
    if (!bin) {
        print_test("interaction, y ~ arm * subgroup", &it->f);
        print_test("interaction with baseline covariate", &it->f_baseline);
    } else {
        print_test("interaction, Q of level log ORs", &it->q_logor);
        print_test("Breslow-Day", &it->breslow_day);
    }
    const kap_meta_result *h = kap_subgroup_heterogeneity(sg, o->het_method);
    const kap_meta_result *fe = kap_subgroup_heterogeneity(sg, KAP_META_FE);
    char q[16], i2[128], pool[128], pfe[128];
    cli_fmt_p(q, sizeof q, h->Q_p);
    cli_fmt_ci(i2, sizeof i2, h->I2, h->I2_ci_low, h->I2_ci_high, 1);
    printf("  heterogeneity (%zu levels%s): Q(%.0f) = %.3f, p %s; I2 %s %%; H2 %.3f\n", h->k,
           bin ? ", log OR" : ", mean difference", h->Q_df, h->Q, q, i2, h->H2);
    printf("  tau2: DL %.4g, REML %.4g, PM %.4g\n", kap_subgroup_heterogeneity(sg, KAP_META_DL)->tau2,
           kap_subgroup_heterogeneity(sg, KAP_META_REML)->tau2,
           kap_subgroup_heterogeneity(sg, KAP_META_PM)->tau2);
    if (bin) {
        cli_fmt_ci(pfe, sizeof pfe, exp(fe->pooled.estimate), exp(fe->pooled.ci_low), exp(fe->pooled.ci_high), 2);
        cli_fmt_ci(pool, sizeof pool, exp(h->pooled.estimate), exp(h->pooled.ci_low), exp(h->pooled.ci_high), 2);
    } else {
        cli_fmt_ci(pfe, sizeof pfe, fe->pooled.estimate, fe->pooled.ci_low, fe->pooled.ci_high, 2);
        cli_fmt_ci(pool, sizeof pool, h->pooled.estimate, h->pooled.ci_low, h->pooled.ci_high, 2);
    }
    printf("  pooled %s: fixed effect %s; random effects (%s%s) %s\n", bin ? "OR" : "difference", pfe,
           kap_meta_method_name(o->het_method), o->knapp_hartung ? ", Knapp-Hartung" : "", pool);
    const kap_cmh_result *c = kap_subgroup_cmh(sg);
    if (c) {
        char orr[128], rr[128], p[16];
        cli_fmt_ci(orr, sizeof orr, c->mh_or.estimate, c->mh_or.ci_low, c->mh_or.ci_high, 2);
        cli_fmt_ci(rr, sizeof rr, c->mh_rr.estimate, c->mh_rr.ci_low, c->mh_rr.ci_high, 2);
        cli_fmt_p(p, sizeof p, c->cmh.p_value);
        printf("  Mantel-Haenszel across levels: OR %s; RR %s; CMH X2 = %.3f, p %s\n", orr, rr,
               c->cmh.statistic, p);
    }
    if (!bin)
        for (int a = 0; a < 2; a++) {
            const kap_subgroup_within *w = kap_subgroup_within_arm(sg, a);
            char p1[16], p2[16], p3[16];
            cli_fmt_p(p1, sizeof p1, w->anova_f.p_value);
            cli_fmt_p(p2, sizeof p2, w->welch_f.p_value);
            cli_fmt_p(p3, sizeof p3, w->kruskal.p_value);
            printf("  across levels within %s: ANOVA p %s; Welch p %s; Kruskal-Wallis p %s\n",
                   a == 0 ? kap_subgroup_treatment(sg) : kap_subgroup_control(sg), p1, p2, p3);
        }
}

int cmd_subgroups(int argc, char **argv)
{
    const char *store = NULL, *instrument = NULL, *visit = NULL, *by = NULL;
    kap_subgroup_options o = KAP_SUBGROUP_OPTIONS_INIT;
    kap_padjust_method adjust = KAP_PADJUST_HOLM;
    double cuts[64];
    int status = CLI_EXIT_OK;
    kap_trial *t = NULL;
    kap_subgroup_family *fam = NULL;
    char *bycopy = NULL;
    const char **vars = NULL;
    kap_error err;
    int rc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(a, "--by") && more) {
            by = argv[++i];
        } else if (!strcmp(a, "--instrument") && more) {
            instrument = argv[++i];
        } else if (!strcmp(a, "--visit") && more) {
            visit = argv[++i];
        } else if (!strcmp(a, "--control") && more) {
            o.control = argv[++i];
        } else if (!strcmp(a, "--treatment") && more) {
            o.treatment = argv[++i];
        } else if (!strcmp(a, "--knapp-hartung")) {
            o.knapp_hartung = 1;
        } else if (!strcmp(a, "--adjust") && more) {
            if (kap_padjust_method_parse(&adjust, argv[++i], NULL) != KAP_OK)
                return cli_usage_error("subgroups", "--adjust '%s': expected none, bonferroni, holm, "
                                       "hochberg, hommel, BH, fdr or BY", argv[i]);
        } else if (!strcmp(a, "--measure") && more) {
            const char *m = argv[++i];
            if (!strcmp(m, "change")) o.measure = KAP_MEASURE_CHANGE;
            else if (!strcmp(m, "percent")) o.measure = KAP_MEASURE_PERCENT_CHANGE;
            else if (!strcmp(m, "response")) o.measure = KAP_MEASURE_RESPONSE;
            else if (!strcmp(m, "remission")) o.measure = KAP_MEASURE_REMISSION;
            else return cli_usage_error("subgroups", "--measure '%s': expected change, percent, "
                                        "response or remission", m);
        } else if (!strcmp(a, "--missing") && more) {
            const char *m = argv[++i];
            if (!strcmp(m, "cc")) o.endpoint.missing = KAP_MISSING_COMPLETE_CASE;
            else if (!strcmp(m, "locf")) o.endpoint.missing = KAP_MISSING_LOCF;
            else if (!strcmp(m, "bocf")) o.endpoint.missing = KAP_MISSING_BOCF;
            else return cli_usage_error("subgroups", "--missing '%s': expected cc, locf or bocf", m);
        } else if (!strcmp(a, "--min-per-arm") && more) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0)
                return cli_usage_error("subgroups", "--min-per-arm '%s': expected a count", argv[i]);
            o.min_per_arm = (size_t)v;
        } else if (!strcmp(a, "--cuts") && more) {
            const char *s = argv[++i];
            o.n_cuts = 0;
            while (*s) {
                char *end;
                if (o.n_cuts == sizeof cuts / sizeof *cuts)
                    return cli_usage_error("subgroups", "--cuts: too many cut points");
                cuts[o.n_cuts++] = strtod(s, &end);
                if (end == s || (*end && *end != ','))
                    return cli_usage_error("subgroups", "--cuts '%s': expected numbers separated by commas", argv[i]);
                s = *end ? end + 1 : end;
            }
            o.cuts = cuts;
        } else if (a[0] == '-') {
            return cli_usage_error("subgroups", "unknown option or missing value: '%s'", a);
        } else if (!store) {
            store = a;
        } else {
            return cli_usage_error("subgroups", "more than one store given ('%s')", a);
        }
    }
    if (!store)
        return cli_usage_error("subgroups", "no store given");
    if (!by)
        return cli_usage_error("subgroups", "--by VAR[,VAR...] is required");
    bycopy = strdup(by);
    vars = calloc(strlen(by) + 1, sizeof *vars);
    if (!bycopy || !vars) {
        status = cli_fail(KAP_ENOMEM, NULL);
        goto done;
    }
    size_t nv = 0;
    for (char *save = NULL, *tok = strtok_r(bycopy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        vars[nv++] = tok;
    if (nv == 0) {
        status = cli_usage_error("subgroups", "--by: no variable");
        goto done;
    }
    if ((rc = kap_trial_open(&t, store, &err))) {
        status = cli_fail(rc, &err);
        goto done;
    }
    size_t k;
    if (instrument) {
        if ((rc = kap_trial_find_instrument(t, instrument, &k, &err))) {
            status = cli_fail(rc, &err);
            goto done;
        }
    } else if (cli_default_instrument(t, &k)) {
        fprintf(stderr, "kapstats: %s holds no instrument\n", store);
        status = CLI_EXIT_INPUT;
        goto done;
    }
    instrument = kap_trial_instrument_name(t, k);
    if (!visit)
        visit = kap_trial_visit_label(t, k, kap_trial_n_visits(t, k) - 1);
    if ((rc = kap_subgroup_family_run(&fam, t, instrument, visit, vars, nv, &o, adjust, &err))) {
        status = cli_fail(rc, &err);
        goto done;
    }
    static const char *const measures[] = {"change from baseline", "percent change",
                                           "response", "remission"};
    const kap_subgroup *first = kap_subgroup_family_get(fam, 0);
    printf("Subgroup analysis: %s %s at %s, %s vs %s (%s)\n", instrument, measures[o.measure], visit,
           kap_subgroup_treatment(first), kap_subgroup_control(first),
           o.endpoint.missing == KAP_MISSING_LOCF ? "LOCF"
           : o.endpoint.missing == KAP_MISSING_BOCF ? "BOCF" : "complete cases");
    for (size_t i = 0; i < kap_subgroup_family_size(fam); i++)
        print_one(kap_subgroup_family_get(fam, i), &o);
    printf("\nMultiplicity: %s\n", kap_subgroup_family_description(fam));
    printf("%-20s %10s %10s\n", "variable", "p", "p adj");
    for (size_t i = 0; i < kap_subgroup_family_size(fam); i++) {
        char p[16], pa[16];
        cli_fmt_p(p, sizeof p, kap_subgroup_family_p(fam, i));
        cli_fmt_p(pa, sizeof pa, kap_subgroup_family_p_adjusted(fam, i));
        printf("%-20s %10s %10s\n", vars[i], p, pa);
    }
done:
    kap_subgroup_family_free(fam);
    kap_trial_free(t);
    free(bycopy);
    free(vars);
    return status;
}
