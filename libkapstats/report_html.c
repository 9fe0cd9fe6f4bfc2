/*
 * report_html.c - the report as one self-contained HTML file: inline CSS
 * (with @media print rules), inline SVG plots, no scripts, no external
 * resources.  The markup is well-formed XML (XHTML serialisation) so that
 * it can be checked with any XML parser.
 *
 * Plots are accessible: each <svg> has role="img", a <title> and a <desc>
 * referenced by aria-labelledby, axis labels, and uses the Okabe-Ito
 * colour-blind-safe palette with a distinct marker shape per arm.
 * Element ids are derived from the output position, so they are unique
 * and deterministic.
 */
#include "report_internal.h"

#include <string.h>

/* Okabe & Ito (2008), without yellow (too light on white). */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000"};
#define NPAL (sizeof palette / sizeof *palette)

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "color:#111;background:#fff;margin:0;line-height:1.45}\n"
    "main{max-width:70rem;margin:0 auto;padding:1rem 1.5rem}\n"
    "h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #bbb;margin-top:2rem}"
    "h3{font-size:1.1rem}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1.2rem;font-size:.9rem}\n"
    "caption{text-align:left;font-weight:600;padding:.3rem 0}\n"
    "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right;vertical-align:top}\n"
    "th:first-child,td:first-child{text-align:left}\n"
    "thead th{background:#eef2f7}\n"
    "p.empty{font-style:italic;color:#444}\n"
    "figure{margin:1rem 0}svg{max-width:100%;height:auto}\n"
    "svg text{font-family:inherit;font-size:12px;fill:#111}\n"
    "@media print{body{font-size:10pt}main{max-width:none;padding:0}"
    "h2{break-after:avoid;page-break-after:avoid}"
    "table,figure{break-inside:avoid;page-break-inside:avoid}"
    "thead{display:table-header-group}a{color:inherit;text-decoration:none}nav{display:none}}\n";

static void h_begin(kap_sb *b, const json_t *root, const char *title)
{
    (void)root;
    kap_sb_put(b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
                  "<head>\n<meta charset=\"utf-8\"/>\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                  "<title>");
    kap_sb_put_xml(b, title);
    kap_sb_put(b, "</title>\n<style>\n");
    kap_sb_put(b, css);
    kap_sb_put(b, "</style>\n</head>\n<body>\n<main>\n<h1>");
    kap_sb_put_xml(b, title);
    kap_sb_put(b, "</h1>\n");
    kap_sb_put(b, "<nav aria-label=\"Contents\"><ol>"
                  "<li><a href=\"#study-flow\">Study flow</a></li>"
                  "<li><a href=\"#representation\">Representation and Table 1</a></li>"
                  "<li><a href=\"#primary\">Primary endpoint</a></li>"
                  "<li><a href=\"#trajectory\">Change at every visit</a></li>"
                  "<li><a href=\"#secondary\">Secondary instruments</a></li>"
                  "<li><a href=\"#subgroups\">Subgroups</a></li>"
                  "<li><a href=\"#safety\">Safety</a></li>"
                  "<li><a href=\"#methods\">Methods</a></li></ol></nav>\n");
}

static void h_end(kap_sb *b)
{
    kap_sb_put(b, "</main>\n</body>\n</html>\n");
}

static void h_heading(kap_sb *b, int level, const char *id, const char *text)
{
    kap_sb_printf(b, "<h%d id=\"", level);
    kap_sb_put_xml(b, id);
    kap_sb_put(b, "\">");
    kap_sb_put_xml(b, text);
    kap_sb_printf(b, "</h%d>\n", level);
}

static void h_para(kap_sb *b, const char *text)
{
    kap_sb_put(b, "<p>");
    kap_sb_put_xml(b, text);
    kap_sb_put(b, "</p>\n");
}

static void h_empty(kap_sb *b, const char *text)
{
    kap_sb_put(b, "<p class=\"empty\">");
    kap_sb_put_xml(b, text);
    kap_sb_put(b, "</p>\n");
}

static void h_table(kap_sb *b, const char *caption, const kap_tbl *t)
{
    size_t rows = kap_tbl_rows(t);
    kap_sb_put(b, "<table>\n");
    if (caption) {
        kap_sb_put(b, "<caption>");
        kap_sb_put_xml(b, caption);
        kap_sb_put(b, "</caption>\n");
    }
    for (size_t r = 0; r < rows; r++) {
        if (r == 0)
            kap_sb_put(b, "<thead>\n");
        if (r == 1)
            kap_sb_put(b, "<tbody>\n");
        kap_sb_put(b, "<tr>");
        for (size_t c = 0; c < t->ncols; c++) {
            const char *tag = r == 0 ? "th scope=\"col\"" : c == 0 ? "th scope=\"row\"" : "td";
            kap_sb_printf(b, "<%s>", tag);
            kap_sb_put_xml(b, t->cells[r * t->ncols + c]);
            kap_sb_put(b, r == 0 || c == 0 ? "</th>" : "</td>");
        }
        kap_sb_put(b, "</tr>\n");
        if (r == 0)
            kap_sb_put(b, "</thead>\n");
    }
    if (rows > 1)
        kap_sb_put(b, "</tbody>\n");
    kap_sb_put(b, "</table>\n");
}

/* ---- plotting helpers ----------------------------------------------------------- */

/* "Nice" tick step for the range (Heckbert 1990). */
static double nice_step(double range, int target)
{
    if (!(range > 0))
        return 1;
    double raw = range / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
    double nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nf * mag;
}

typedef struct axis {
    double lo, hi, step;  /* data range after rounding to ticks */
    double p0, p1;        /* pixel range */
} axis;

static void axis_fit(axis *a, double lo, double hi, int target, double p0, double p1)
{
    if (!(lo < hi)) {
        double c = isfinite(lo) ? lo : 0;
        lo = c - 1;
        hi = c + 1;
    }
    a->step = nice_step(hi - lo, target);
    a->lo = floor(lo / a->step) * a->step;
    a->hi = ceil(hi / a->step) * a->step;
    a->p0 = p0;
    a->p1 = p1;
}

static double axis_px(const axis *a, double x)
{
    return a->p0 + (x - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

/* Open an <svg> with title/desc; returns the id stem written to idbuf. */
static void svg_open(kap_sb *b, double w, double h, const char *title, const char *desc,
                     char *id, size_t idn)
{
    kap_snprintf(id, idn, "fig%zu", b->len);
    kap_sb_printf(b, "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                     "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                     "aria-labelledby=\"%s-title %s-desc\">\n<title id=\"%s-title\">",
                  w, h, w, h, id, id, id);
    kap_sb_put_xml(b, title);
    kap_sb_printf(b, "</title>\n<desc id=\"%s-desc\">", id);
    kap_sb_put_xml(b, desc);
    kap_sb_put(b, "</desc>\n<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
}

static void svg_close(kap_sb *b)
{
    kap_sb_put(b, "</svg>\n</figure>\n");
}

static void svg_text(kap_sb *b, double x, double y, const char *anchor, const char *extra,
                     const char *text)
{
    kap_sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s>", x, y, anchor,
                  extra ? " " : "", extra ? extra : "");
    kap_sb_put_xml(b, text);
    kap_sb_put(b, "</text>\n");
}

/* Marker shape k centred at (x, y). */
static void marker(kap_sb *b, int k, double x, double y, const char *col)
{
    switch (k % 4) {
    case 0:
        kap_sb_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>\n", x, y, col);
        break;
    case 1:
        kap_sb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"/>\n",
                      x - 4, y - 4, col);
        break;
    case 2:
        kap_sb_printf(b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"/>\n", x, y - 5,
                      x + 5, y + 4, x - 5, y + 4, col);
        break;
    default:
        kap_sb_printf(b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"/>\n",
                      x, y - 5, x + 5, y, x, y + 5, x - 5, y, col);
    }
}

/* Width in pixels that a left-hand label column needs (12 px text: about
 * 6.6 px per character; UTF-8 continuation bytes not counted). */
static double label_width(const json_t *rows, const char *key)
{
    size_t i, longest = 0;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *s = kap_rj_str(r, key);
        size_t n = 0;
        for (; s && *s; s++)
            n += ((unsigned char)*s & 0xc0) != 0x80;
        if (n > longest)
            longest = n;
    }
    double w = 16 + 6.6 * (double)longest;
    return w < 120 ? 120 : w > 420 ? 420 : w;
}

/* Vertical (value) axis with grid lines, on the left of the plot area. */
static void y_axis(kap_sb *b, const axis *ay, double x0, double x1, const char *label)
{
    char t[40];
    for (double v = ay->lo; v <= ay->hi + ay->step * 1e-9; v += ay->step) {
        double y = axis_px(ay, v);
        kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                      x0, y, x1, y);
        kap_rfmt(t, sizeof t, fabs(v) < ay->step * 1e-9 ? 0.0 : v, ay->step < 1 ? 1 : 0);
        svg_text(b, x0 - 6, y + 4, "end", NULL, t);
    }
    kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
                  x0, ay->p0, x0, ay->p1);
    char rot[80];
    double cy = (ay->p0 + ay->p1) / 2;
    kap_snprintf(rot, sizeof rot, "transform=\"rotate(-90 16 %.1f)\"", cy);
    svg_text(b, 16, cy, "middle", rot, label);
}

/* ---- trajectory plot ----------------------------------------------------------- */

static void h_trajectory(kap_sb *b, const json_t *tr, const char *title)
{
    json_t *visits = kap_rj_arr(tr, "visits"), *v;
    size_t nv = json_array_size(visits), i;
    if (nv == 0)
        return;
    json_t *arms0 = kap_rj_arr(json_array_get(visits, 0), "arms");
    size_t na = json_array_size(arms0);
    double lo = 0, hi = 0; /* baseline change 0 is always shown */
    json_array_foreach(visits, i, v) {
        for (size_t a = 0; a < na; a++) {
            const json_t *c = kap_rj_obj(json_array_get(kap_rj_arr(v, "arms"), a), "change");
            double m = kap_rj_num(c, "mean"), l = kap_rj_num(c, "ci_low"),
                   h = kap_rj_num(c, "ci_high");
            double vals[3] = {m, l, h};
            for (int k = 0; k < 3; k++)
                if (isfinite(vals[k])) {
                    lo = fmin(lo, vals[k]);
                    hi = fmax(hi, vals[k]);
                }
        }
    }
    const double W = 720, H = 400, L = 70, R = 170, T = 20, B = 60;
    axis ay, ax = {0, (double)nv, 1, L + 20, W - R - 20};
    axis_fit(&ay, lo, hi, 6, H - B, T);
    const char *instr = kap_rj_str(tr, "instrument");
    char desc[600], ylab[160], id[40];
    kap_snprintf(desc, sizeof desc,
                 "Line chart of the mean change from baseline in %s at each of %zu visits after "
                 "baseline, one line per arm (%zu arms), with shaded confidence bands; the "
                 "baseline point is 0 by definition. The table below gives the numbers.",
                 instr ? instr : "the score", nv, na);
    kap_snprintf(ylab, sizeof ylab, "Mean change from baseline (%s)", instr ? instr : "score");
    svg_open(b, W, H, title, desc, id, sizeof id);
    y_axis(b, &ay, L, W - R, ylab);
    /* zero line */
    kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" "
                     "stroke-dasharray=\"4 3\"/>\n", L, axis_px(&ay, 0), W - R, axis_px(&ay, 0));
    /* x axis: baseline + visits */
    kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
                  L, H - B, W - R, H - B);
    svg_text(b, axis_px(&ax, 0), H - B + 18, "middle", NULL, "baseline");
    json_array_foreach(visits, i, v)
        svg_text(b, axis_px(&ax, (double)(i + 1)), H - B + 18, "middle", NULL,
                 kap_rj_str(v, "visit") ? kap_rj_str(v, "visit") : "?");
    svg_text(b, (L + W - R) / 2, H - 14, "middle", NULL, "Visit");
    for (size_t a = 0; a < na; a++) {
        const char *col = palette[a % NPAL];
        /* CI band: upper edge forward, lower edge back (finite points only) */
        kap_sb put = {0};
        int npts = 0;
        kap_sb_printf(&put, "M%.1f %.1f", axis_px(&ax, 0), axis_px(&ay, 0));
        json_array_foreach(visits, i, v) {
            const json_t *c = kap_rj_obj(json_array_get(kap_rj_arr(v, "arms"), a), "change");
            double h = kap_rj_num(c, "ci_high");
            if (isfinite(h)) {
                kap_sb_printf(&put, "L%.1f %.1f", axis_px(&ax, (double)(i + 1)), axis_px(&ay, h));
                npts++;
            }
        }
        for (size_t j = nv; j-- > 0;) {
            const json_t *c = kap_rj_obj(json_array_get(kap_rj_arr(json_array_get(visits, j), "arms"), a), "change");
            double l = kap_rj_num(c, "ci_low");
            if (isfinite(l))
                kap_sb_printf(&put, "L%.1f %.1f", axis_px(&ax, (double)(j + 1)), axis_px(&ay, l));
        }
        kap_sb_put(&put, "Z");
        if (put.oom)
            b->oom = 1;
        else if (npts)
            kap_sb_printf(b, "<path d=\"%s\" fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\"/>\n",
                          put.p, col);
        kap_sb_free(&put);
        /* mean line */
        kap_sb_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%.1f,%.1f",
                      col, axis_px(&ax, 0), axis_px(&ay, 0));
        json_array_foreach(visits, i, v) {
            double m = kap_rj_num(kap_rj_obj(json_array_get(kap_rj_arr(v, "arms"), a), "change"), "mean");
            if (isfinite(m))
                kap_sb_printf(b, " %.1f,%.1f", axis_px(&ax, (double)(i + 1)), axis_px(&ay, m));
        }
        kap_sb_put(b, "\"/>\n");
        marker(b, (int)a, axis_px(&ax, 0), axis_px(&ay, 0), col);
        json_array_foreach(visits, i, v) {
            double m = kap_rj_num(kap_rj_obj(json_array_get(kap_rj_arr(v, "arms"), a), "change"), "mean");
            if (isfinite(m))
                marker(b, (int)a, axis_px(&ax, (double)(i + 1)), axis_px(&ay, m), col);
        }
        /* legend */
        double ly = T + 10 + 22.0 * (double)a;
        marker(b, (int)a, W - R + 20, ly, col);
        kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                         "stroke-width=\"2\"/>\n", W - R + 10, ly, W - R + 30, ly, col);
        const char *name = kap_rj_str(json_array_get(arms0, a), "arm");
        svg_text(b, W - R + 36, ly + 4, "start", NULL, name ? name : "?");
    }
    svg_close(b);
}

/* ---- forest plot ----------------------------------------------------------------- */

/* Rows: objects with "label", "estimate", "ci_low", "ci_high" (NaN rows
 * are listed but not drawn); reference line at `null_value`. */
static void forest(kap_sb *b, const char *title, const char *desc, const char *xlabel,
                   const json_t *rows, double null_value)
{
    size_t n = json_array_size(rows), i;
    json_t *r;
    double lo = null_value, hi = null_value;
    json_array_foreach(rows, i, r) {
        double l = kap_rj_num(r, "ci_low"), h = kap_rj_num(r, "ci_high"), e = kap_rj_num(r, "estimate");
        if (isfinite(l)) lo = fmin(lo, l);
        if (isfinite(h)) hi = fmax(hi, h);
        if (isfinite(e)) { lo = fmin(lo, e); hi = fmax(hi, e); }
    }
    const double L = label_width(rows, "label"), W = L + 500, R = 200, T = 20, ROW = 24, B = 50;
    double H = T + ROW * (double)(n ? n : 1) + B;
    axis ax;
    axis_fit(&ax, lo, hi, 6, L, W - R);
    char id[40], t[40];
    svg_open(b, W, H, title, desc, id, sizeof id);
    double y1 = T + ROW * (double)n;
    for (double v = ax.lo; v <= ax.hi + ax.step * 1e-9; v += ax.step) {
        double x = axis_px(&ax, v);
        kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                      x, T, x, y1);
        kap_rfmt(t, sizeof t, fabs(v) < ax.step * 1e-9 ? 0.0 : v, ax.step < 1 ? 1 : 0);
        svg_text(b, x, y1 + 16, "middle", NULL, t);
    }
    kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
                  L, y1, W - R, y1);
    double x0 = axis_px(&ax, null_value);
    kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" "
                     "stroke-dasharray=\"4 3\"/>\n", x0, T, x0, y1);
    svg_text(b, (L + W - R) / 2, H - 10, "middle", NULL, xlabel);
    json_array_foreach(rows, i, r) {
        double y = T + ROW * ((double)i + 0.5);
        double e = kap_rj_num(r, "estimate"), l = kap_rj_num(r, "ci_low"), h = kap_rj_num(r, "ci_high");
        const char *label = kap_rj_str(r, "label");
        int pooled = json_is_true(json_object_get(r, "overall"));
        svg_text(b, L - 8, y + 4, "end", pooled ? "font-weight=\"bold\"" : NULL, label ? label : "?");
        char txt[120];
        kap_rfmt_ci(txt, sizeof txt, r, 2);
        svg_text(b, W - R + 8, y + 4, "start", NULL, txt);
        if (isfinite(l) && isfinite(h))
            kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                             "stroke-width=\"2\"/>\n", axis_px(&ax, l), y, axis_px(&ax, h), y,
                          palette[0]);
        if (isfinite(e)) {
            if (pooled)
                marker(b, 3, axis_px(&ax, e), y, palette[1]);
            else
                marker(b, 1, axis_px(&ax, e), y, palette[0]);
        }
    }
    svg_close(b);
}

static void h_forest(kap_sb *b, const json_t *variable, const char *title)
{
    json_t *rows = kap_rj_arr(variable, "forest");
    const char *xl = kap_rj_str(variable, "forest_label");
    char desc[400];
    kap_snprintf(desc, sizeof desc,
                 "Forest plot: the treatment effect with its Wald confidence interval in each "
                 "level of %s (squares) and the REML pooled estimate (diamond); the dashed "
                 "line marks no effect. Levels without an estimable variance are listed "
                 "without a marker.",
                 kap_rj_str(variable, "variable") ? kap_rj_str(variable, "variable") : "the variable");
    forest(b, title, desc, xl ? xl : "Treatment effect", rows, 0);
}

/* ---- AE incidence ----------------------------------------------------------------- */

static void h_ae(kap_sb *b, const json_t *ae, const char *title)
{
    json_t *terms = kap_rj_arr(ae, "terms"), *t;
    size_t n = json_array_size(terms), i;
    if (n == 0)
        return;
    json_t *arms0 = kap_rj_arr(json_array_get(terms, 0), "arms");
    size_t na = json_array_size(arms0);
    double hi = 0;
    json_array_foreach(terms, i, t)
        for (size_t a = 0; a < na; a++)
            hi = fmax(hi, 100 * kap_rj_num(json_array_get(kap_rj_arr(t, "arms"), a), "estimate"));
    const double L = label_width(terms, "term"), W = L + 520, R = 170, T = 20, ROW = 24, B = 50;
    double H = T + ROW * (double)n + B;
    axis ax;
    axis_fit(&ax, 0, hi > 0 ? hi : 1, 5, L, W - R);
    char id[40], tk[40];
    svg_open(b, W, H, title,
             "Dot plot of the percentage of participants with each adverse event, one marker "
             "shape and colour per arm. The table gives the numbers.", id, sizeof id);
    double y1 = T + ROW * (double)n;
    for (double v = ax.lo; v <= ax.hi + ax.step * 1e-9; v += ax.step) {
        double x = axis_px(&ax, v);
        kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                      x, T, x, y1);
        kap_rfmt(tk, sizeof tk, v, ax.step < 1 ? 1 : 0);
        svg_text(b, x, y1 + 16, "middle", NULL, tk);
    }
    kap_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
                  L, y1, W - R, y1);
    svg_text(b, (L + W - R) / 2, H - 10, "middle", NULL, "Participants with the event (%)");
    json_array_foreach(terms, i, t) {
        double y = T + ROW * ((double)i + 0.5);
        const char *term = kap_rj_str(t, "term");
        svg_text(b, L - 8, y + 4, "end", NULL, term ? term : "?");
        for (size_t a = 0; a < na; a++) {
            double p = 100 * kap_rj_num(json_array_get(kap_rj_arr(t, "arms"), a), "estimate");
            if (isfinite(p))
                marker(b, (int)a, axis_px(&ax, p), y, palette[a % NPAL]);
        }
    }
    for (size_t a = 0; a < na; a++) {
        double ly = T + 10 + 22.0 * (double)a;
        marker(b, (int)a, W - R + 20, ly, palette[a % NPAL]);
        const char *name = kap_rj_str(json_array_get(arms0, a), "arm");
        svg_text(b, W - R + 32, ly + 4, "start", NULL, name ? name : "?");
    }
    svg_close(b);
}

static const kap_doc_ops html_ops = {h_begin, h_end, h_heading, h_para, h_empty, h_table,
                                     h_trajectory, h_forest, h_ae};

void kap_report_render_html(kap_sb *b, const json_t *root)
{
    kap_report_render_doc(b, root, &html_ops);
}
