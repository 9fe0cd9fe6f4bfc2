/* bench/csv_tokenize.c - the practical floor for CSV ingestion.
 *
 * Reads each file given on the command line in 1 MiB blocks and runs it
 * through libcsv (default options, the same library kapstats ingests
 * with) with callbacks that only count fields, rows and field bytes:
 * no number conversion, no storage, no per-field allocation.  Prints one
 * line per file and a total:
 *     FILE rows=R fields=F bytes=B
 * Exit status 0, or 1 on an I/O or libcsv error.
 *
 * Build: cc -O2 -o build/bench/csv_tokenize bench/csv_tokenize.c -lcsv
 * (bench/run.sh does this).
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned long long rows, fields, field_bytes;
} counts;

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    counts *c = data;
    c->fields++;
    c->field_bytes += len;
}

static void on_row(int term, void *data)
{
    (void)term;
    ((counts *)data)->rows++;
}

static int tokenize(const char *path, counts *c, unsigned long long *bytes)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    struct csv_parser p;
    if (csv_init(&p, 0) != 0) {
        fclose(f);
        return 1;
    }
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        *bytes += n;
        if (csv_parse(&p, buf, n, on_field, on_row, c) != n) {
            fprintf(stderr, "%s: %s\n", path, csv_strerror(csv_error(&p)));
            rc = 1;
            break;
        }
    }
    if (ferror(f)) {
        perror(path);
        rc = 1;
    }
    if (rc == 0 && csv_fini(&p, on_field, on_row, c) != 0)
        rc = 1;
    csv_free(&p);
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: csv_tokenize FILE...\n");
        return 2;
    }
    counts total = {0, 0, 0};
    unsigned long long total_bytes = 0;
    for (int i = 1; i < argc; i++) {
        counts c = {0, 0, 0};
        unsigned long long bytes = 0;
        if (tokenize(argv[i], &c, &bytes) != 0)
            return 1;
        printf("%s rows=%llu fields=%llu bytes=%llu\n", argv[i], c.rows,
               c.fields, bytes);
        total.rows += c.rows;
        total.fields += c.fields;
        total_bytes += bytes;
    }
    printf("total rows=%llu fields=%llu bytes=%llu\n", total.rows,
           total.fields, total_bytes);
    return 0;
}
