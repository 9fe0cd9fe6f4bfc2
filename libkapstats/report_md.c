/*
 * report_md.c - the report as Markdown (GitHub-flavoured pipe tables).
 */
#include "report_internal.h"

#include <string.h>

static void md_begin(kap_sb *b, const json_t *root, const char *title)
{
    (void)root;
    kap_sb_put(b, "# ");
    kap_sb_put_md(b, title);
    kap_sb_put(b, "\n\n");
}

static void md_end(kap_sb *b)
{
    (void)b;
}

static void md_heading(kap_sb *b, int level, const char *id, const char *text)
{
    (void)id;
    for (int i = 0; i < level; i++)
        kap_sb_put(b, "#");
    kap_sb_put(b, " ");
    kap_sb_put_md(b, text);
    kap_sb_put(b, "\n\n");
}

static void md_para(kap_sb *b, const char *text)
{
    kap_sb_put_md(b, text);
    kap_sb_put(b, "\n\n");
}

static void md_empty(kap_sb *b, const char *text)
{
    kap_sb_put(b, "_");
    kap_sb_put_md(b, text);
    kap_sb_put(b, "_\n\n");
}

static void md_table(kap_sb *b, const char *caption, const kap_tbl *t)
{
    size_t rows = kap_tbl_rows(t);
    if (caption) {
        kap_sb_put(b, "**");
        kap_sb_put_md(b, caption);
        kap_sb_put(b, "**\n\n");
    }
    for (size_t r = 0; r < rows; r++) {
        kap_sb_put(b, "|");
        for (size_t c = 0; c < t->ncols; c++) {
            kap_sb_put(b, " ");
            kap_sb_put_md(b, t->cells[r * t->ncols + c]);
            kap_sb_put(b, " |");
        }
        kap_sb_put(b, "\n");
        if (r == 0) {
            kap_sb_put(b, "|");
            for (size_t c = 0; c < t->ncols; c++)
                kap_sb_put(b, c == 0 ? " --- |" : " ---: |");
            kap_sb_put(b, "\n");
        }
    }
    kap_sb_put(b, "\n");
}

static const kap_doc_ops md_ops = {md_begin, md_end, md_heading, md_para, md_empty, md_table,
                                   NULL, NULL, NULL};

void kap_report_render_md(kap_sb *b, const json_t *root)
{
    kap_report_render_doc(b, root, &md_ops);
}
