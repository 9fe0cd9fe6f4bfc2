/* examples/c/effect_size.c - the numeric kernels on plain arrays: Welch t
 * test and Hedges' g with its noncentral-t confidence interval. */
#include <kapstats.h>

#include <stdio.h>

int main(void)
{
    const double ketamine[] = {-18, -12, -20, -9, -15, -22, -11, -16};
    const double placebo[] = {-8, -10, -5, -12, -7, -9, -3, -11};
    kap_result t, g;
    kap_error err;
    if (kap_ttest_two(&t, ketamine, 1, 8, placebo, 1, 8, NULL, &err) != KAP_OK ||
        kap_effect_size_hedges_g(&g, ketamine, 1, 8, placebo, 1, 8, NULL, &err) != KAP_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("%s: difference %.3f (%.3f, %.3f), t(%.2f) = %.3f, p = %.4g\n", t.method,
           t.estimate, t.ci_low, t.ci_high, t.df, t.statistic, t.p_value);
    printf("%s: %.3f (%.3f, %.3f)\n", g.method, g.estimate, g.ci_low, g.ci_high);
    return 0;
}
