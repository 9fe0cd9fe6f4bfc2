/* examples/c/primary_comparison.c - open a store and print the ANCOVA
 * difference and Hedges' g of each arm against control.
 *
 *   cc primary_comparison.c $(pkg-config --cflags --libs kapstats) -o pc
 *   ./pc out/kap_trial.h5 madrs week8
 */
#include <kapstats.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s STORE.h5 INSTRUMENT VISIT\n", argv[0]);
        return 2;
    }
    if (kap_version_number() / 100 != KAP_VERSION_NUMBER / 100) {
        fprintf(stderr, "libkapstats %s does not match headers %s\n", kap_version(),
                KAP_VERSION_STRING);
        return 1;
    }
    kap_error err;
    kap_trial *trial = NULL;
    if (kap_trial_open(&trial, argv[1], &err) != KAP_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    kap_compare *cmp = NULL;
    int rc = kap_compare_run(&cmp, trial, argv[2], argv[3], NULL, &err);
    if (rc != KAP_OK) {
        fprintf(stderr, "%s\n", err.message);
        kap_trial_free(trial);
        return 1;
    }
    size_t control = kap_compare_control(cmp);
    for (size_t a = 0; a < kap_compare_n_arms(cmp); a++) {
        const kap_compare_arm *arm = kap_compare_arm_at(cmp, a);
        printf("%-16s n=%zu mean change %.2f\n", arm->name, arm->change.n, arm->change.mean);
        if (a == control)
            continue;
        printf("  ANCOVA difference %.3f (%.3f, %.3f) p=%.3g\n", arm->ancova.estimate,
               arm->ancova.ci_low, arm->ancova.ci_high, arm->ancova.p_value);
        printf("  Hedges' g %.3f (%.3f, %.3f)\n", arm->hedges_g.estimate,
               arm->hedges_g.ci_low, arm->hedges_g.ci_high);
    }
    kap_compare_free(cmp);
    kap_trial_free(trial);
    return 0;
}
