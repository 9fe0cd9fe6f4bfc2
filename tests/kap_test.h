/*
 * tests/kap_test.h - small helpers shared by the CUnit test programs.
 * Each tests/test_<module>.c is its own program: it defines a CU_TestInfo
 * array and calls kt_main() from main().
 */
#ifndef KAP_TEST_H
#define KAP_TEST_H

#include <CUnit/CUnit.h>
#include <kapstats.h>
#include <math.h>
#include <stddef.h>

/* Run one suite; prints CUnit's summary and returns the exit status. */
int kt_main(const char *suite_name, CU_TestInfo *tests);

/* |a - b| <= rtol * |b| (or both NaN, or equal infinities). */
int kt_close(double a, double b, double rtol);
/* Log relative error as in the NIST StRD papers (capped at 15; 15 when
 * exact). */
double kt_lre(double computed, double certified);

#define KT_ASSERT_REL(a, b, rtol) \
    do { double kt_a_ = (a), kt_b_ = (b); \
         if (!kt_close(kt_a_, kt_b_, (rtol))) \
             kt_report_rel(__FILE__, __LINE__, #a, kt_a_, kt_b_, (rtol)); \
         CU_ASSERT(kt_close(kt_a_, kt_b_, (rtol))); } while (0)
#define KT_ASSERT_NAN(a) CU_ASSERT(isnan(a))
void kt_report_rel(const char *file, int line, const char *expr, double a,
                   double b, double rtol);

/* Reference value `name` from tests/reference/<file> (lines "name value",
 * value in %.17g or NA/NaN/Inf).  Missing names fail the calling test and
 * return NaN. */
double kt_ref(const char *file, const char *name);
/* Path under tests/ (static buffer per call site is the caller's). */
const char *kt_path(char *buf, size_t n, const char *relative);

/* Every field of two kap_result the same, bit for bit (NaN-safe), with the
 * same method and note texts. */
int kt_same_result(const kap_result *a, const kap_result *b);

#endif
