/* cli/format.c - number formatting shared by the table-printing commands
 * (C locale: main() sets it). */
#include "cli.h"

#include <math.h>
#include <stdio.h>

void cli_fmt_num(char *buf, size_t n, double x, int digits)
{
    if (isnan(x))
        snprintf(buf, n, "NA");
    else
        snprintf(buf, n, "%.*f", digits, x);
}

void cli_fmt_ci(char *buf, size_t n, double est, double lo, double hi, int digits)
{
    char e[32], l[32], h[32];
    cli_fmt_num(e, sizeof e, est, digits);
    cli_fmt_num(l, sizeof l, lo, digits);
    cli_fmt_num(h, sizeof h, hi, digits);
    snprintf(buf, n, "%s (%s, %s)", e, l, h);
}

void cli_fmt_result(char *buf, size_t n, const kap_result *r, int digits, double scale)
{
    cli_fmt_ci(buf, n, r->estimate * scale, r->ci_low * scale, r->ci_high * scale, digits);
}

void cli_fmt_p(char *buf, size_t n, double p)
{
    if (isnan(p))
        snprintf(buf, n, "NA");
    else if (p < 0.0001)
        snprintf(buf, n, "<0.0001");
    else
        snprintf(buf, n, "%.4f", p);
}
