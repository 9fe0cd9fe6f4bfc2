/* tests/test_common.c - version, result codes, errors, C-locale numbers,
 * exported symbols. */
#include "kap_test.h"
#include "internal.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_version(void)
{
    CU_ASSERT_STRING_EQUAL(kap_version(), KAP_VERSION_STRING);
    CU_ASSERT_EQUAL(kap_version_number(), KAP_VERSION_NUMBER);
}

static void test_strerror(void)
{
    CU_ASSERT_STRING_EQUAL(kap_strerror(KAP_OK), "success");
    CU_ASSERT_STRING_EQUAL(kap_strerror(KAP_ENOMEM), "out of memory");
    CU_ASSERT_STRING_EQUAL(kap_strerror(12345), "unknown error");
}

static void test_error_fill(void)
{
    kap_error e;
    CU_ASSERT_EQUAL(kap_err_input(&e, "a.csv", 3, 4, "bad %s", "x"), KAP_EINPUT);
    CU_ASSERT_STRING_EQUAL(e.file, "a.csv");
    CU_ASSERT_EQUAL(e.line, 3);
    CU_ASSERT_EQUAL(e.column, 4);
    CU_ASSERT_STRING_EQUAL(e.message, "bad x");
    CU_ASSERT_EQUAL(kap_err(NULL, KAP_EIO, "x"), KAP_EIO);
}

/* Same double as strtod in the C locale, whatever the process locale. */
static void test_parse_double(void)
{
    const char *cases[] = {"0", "-0", "1.5", "3.141592653589793238", "1e-310",
                           "2.2250738585072011e-308", "1.7976931348623157e308",
                           ".5", "5.", "+7", "123456789012345678901234567890"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v = -1;
        CU_ASSERT_EQUAL(kap_parse_double(cases[i], strlen(cases[i]), &v), 0);
        CU_ASSERT_EQUAL(v, strtod(cases[i], NULL));
    }
    const char *bad[] = {"", " 1", "1 ", "abc", "1,5", "0x10", "inf", "nan", "1e", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double v;
        CU_ASSERT_EQUAL(kap_parse_double(bad[i], strlen(bad[i]), &v), -1);
    }
    double v;
    CU_ASSERT_EQUAL(kap_parse_double("1e400", 5, &v), -2);
    /* A decimal-comma locale must not change the result. */
    if (setlocale(LC_ALL, "de_DE.UTF-8") || setlocale(LC_ALL, "fr_FR.UTF-8")) {
        CU_ASSERT_EQUAL(kap_parse_double("2.5", 3, &v), 0);
        CU_ASSERT_EQUAL(v, 2.5);
        char buf[32];
        kap_snprintf(buf, sizeof buf, "%.1f", 2.5);
        CU_ASSERT_STRING_EQUAL(buf, "2.5");
        setlocale(LC_ALL, "C");
    }
}

/* The shared library exports only kap_ symbols. */
static void test_exports(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "nm -D --defined-only %s/libkapstats.so | awk '{print $3}' | "
             "grep -v '^kap_' | grep -v '^_init$' | grep -v '^_fini$' | grep -v '^$'",
             KAP_BUILD_DIR);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char line[512];
    int bad = 0;
    while (fgets(line, sizeof line, p)) {
        fprintf(stderr, "unexpected export: %s", line);
        bad++;
    }
    pclose(p);
    CU_ASSERT_EQUAL(bad, 0);
    /* and it does export the API */
    snprintf(cmd, sizeof cmd, "nm -D --defined-only %s/libkapstats.so | grep -c ' kap_version$'",
             KAP_BUILD_DIR);
    p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    int n = 0;
    CU_ASSERT_EQUAL(fscanf(p, "%d", &n), 1);
    pclose(p);
    CU_ASSERT_EQUAL(n, 1);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"version", test_version},
        {"strerror", test_strerror},
        {"error fill", test_error_fill},
        {"parse double (C locale)", test_parse_double},
        {"exports only kap_", test_exports},
        CU_TEST_INFO_NULL};
    return kt_main("common", tests);
}
