#include "kap_test.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kt_main(const char *suite_name, CU_TestInfo *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_SuiteInfo suites[] = {
        {suite_name, NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    unsigned afailed = CU_get_number_of_failures();
    printf("KT-SUMMARY %s %u %u\n", suite_name, run - failed, failed);
    CU_cleanup_registry();
    return (failed || afailed) ? 1 : 0;
}

int kt_close(double a, double b, double rtol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    if (a == b)
        return 1;
    double scale = fabs(b);
    if (scale == 0.0)
        return fabs(a) <= rtol;  /* absolute when the reference is 0 */
    return fabs(a - b) <= rtol * scale;
}

double kt_lre(double computed, double certified)
{
    if (computed == certified)
        return 15.0;
    double lre;
    if (certified == 0.0)
        lre = -log10(fabs(computed));
    else
        lre = -log10(fabs(computed - certified) / fabs(certified));
    return lre > 15.0 ? 15.0 : lre;
}

void kt_report_rel(const char *file, int line, const char *expr, double a,
                   double b, double rtol)
{
    fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g (rtol %g)\n", file,
            line, expr, a, b, rtol);
}

const char *kt_path(char *buf, size_t n, const char *relative)
{
    snprintf(buf, n, "%s/%s", KAP_TEST_DIR, relative);
    return buf;
}

double kt_ref(const char *file, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/reference/%s", KAP_TEST_DIR, file);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "kt_ref: cannot open %s\n", path);
        CU_FAIL("reference file missing");
        return NAN;
    }
    char line[4096];
    size_t len = strlen(name);
    double v = NAN;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, name, len) == 0 && (line[len] == ' ' || line[len] == '\t')) {
            char *p = line + len;
            while (*p == ' ' || *p == '\t')
                p++;
            if (strncmp(p, "NA", 2) == 0 && (p[2] == '\n' || p[2] == '\0' || p[2] == ' '))
                v = NAN;
            else
                v = strtod(p, NULL);
            found = 1;
            break;
        }
    }
    fclose(f);
    if (!found) {
        fprintf(stderr, "kt_ref: %s not in %s\n", name, path);
        CU_FAIL("reference value missing");
    }
    return v;
}

int kt_same_result(const kap_result *a, const kap_result *b)
{
    const double fa[] = {a->estimate, a->se, a->ci_low, a->ci_high,
                         a->conf_level, a->statistic, a->df, a->df2,
                         a->p_value};
    const double fb[] = {b->estimate, b->se, b->ci_low, b->ci_high,
                         b->conf_level, b->statistic, b->df, b->df2,
                         b->p_value};
    if (memcmp(fa, fb, sizeof fa) != 0 || a->n1 != b->n1 || a->n2 != b->n2)
        return 0;
    if ((a->method == NULL) != (b->method == NULL) ||
        (a->method && strcmp(a->method, b->method) != 0))
        return 0;
    if ((a->note == NULL) != (b->note == NULL) ||
        (a->note && strcmp(a->note, b->note) != 0))
        return 0;
    return 1;
}
