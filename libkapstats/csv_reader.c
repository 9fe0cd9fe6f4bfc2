/*
 * csv_reader.c - the streaming CSV reader behind ingestion: libcsv in
 * strict mode, fed one physical line at a time so that every field gets
 * the physical line where it starts, plus the checks libcsv does not make
 * (UTF-8, NUL bytes, ragged rows, field length).
 *
 * libcsv gives no positions, so the reader counts lines itself: it feeds
 * the parser segments that end at a line break (LF, CR or CRLF) and
 * advances the count after each.  A field callback fires on the line where
 * the field ends; the field started that many lines earlier as it has line
 * breaks inside (quoted fields).
 */
#include "ingest_internal.h"
#include "sha256_internal.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define CHUNK ((size_t)64 * 1024)
#define BLK ((size_t)4096)      /* libcsv buffer growth step */

/* How the parser's final field is to be taken when csv_fini submits it. */
enum { FINI_NORMAL = 0, FINI_UNTERMINATED = 1, FINI_TOO_LONG = 2 };

typedef struct reader {
    struct csv_parser p;
    const char *name;
    kap_error *err;
    int rc;
    unsigned long line;         /* physical line being fed, 1-based */
    int prev_cr;                /* last byte fed was CR */
    int at_start;               /* nothing fed yet (BOM check) */
    int fini_mode;
    /* the row being collected */
    char *buf;                  /* fields back to back, NUL-terminated */
    size_t blen, bcap;
    size_t *off, *flen;
    unsigned long *fline;
    const char **ptr;
    size_t nf, fcap;
    size_t n_header;
    size_t rows;                /* rows delivered, header included */
    kap_csv_row_fn fn;
    void *ctx;
    kap_sha256 sha;
} reader;

const char *kap_quote_value(char *out, size_t out_size, const char *s,
                            size_t len)
{
    size_t o = 0;
    size_t limit = 60;
    size_t i = 0;
    if (out_size < 8) {
        if (out_size)
            out[0] = '\0';
        return out;
    }
    for (; i < len && o + 8 < out_size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i >= limit && (c & 0xC0) != 0x80)
            break;              /* stop on a character boundary */
        if (c == '\n' || c == '\r' || c == '\t') {
            out[o++] = '\\';
            out[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            static const char hx[] = "0123456789abcdef";
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hx[c >> 4];
            out[o++] = hx[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    if (i < len && o + 4 <= out_size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* Offset of the first invalid UTF-8 byte (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or len when valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (len - i <= n)
            return i;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += n + 1;
    }
    return len;
}

/* Line breaks inside a field, counted as the reader counts lines: CRLF is
 * one, a lone CR or LF is one. */
static unsigned long count_breaks(const char *s, size_t len)
{
    unsigned long n = 0;
    if (!memchr(s, '\n', len) && !memchr(s, '\r', len))
        return 0;               /* the usual case */
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r')
            n++;
        else if (s[i] == '\n' && !(i > 0 && s[i - 1] == '\r'))
            n++;
    }
    return n;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Whether s[0..len) is plain printable ASCII (0x20-0x7F): then it has no
 * line break, no NUL and is valid UTF-8, and on_field skips those checks.
 * Eight bytes at a time: a byte with the high bit set, or one below 0x20
 * (x - 0x20 borrows into the high bit), flags the word.  A borrow can
 * carry into a higher byte and flag a word falsely, which only sends the
 * field down the exact slow path. */
static int plain_ascii(const char *s, size_t len)
{
    const uint64_t lo = 0x2020202020202020ULL, hi = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w | (w - lo)) & hi)
            return 0;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x80)
            return 0;
    }
    return 1;
}

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->rc)
        return;
    const char *f = s ? (const char *)s : "";
    if (!s)
        len = 0;
    int plain = plain_ascii(f, len);
    unsigned long breaks = plain ? 0 : count_breaks(f, len);
    unsigned long start = r->line > breaks ? r->line - breaks : 1;
    unsigned long col = (unsigned long)r->nf + 1;
    if (r->fini_mode == FINI_UNTERMINATED) {
        r->rc = kap_err_input(r->err, r->name, start, col,
                              "unterminated quoted field: the quote opened "
                              "here is never closed");
        return;
    }
    if (r->fini_mode == FINI_TOO_LONG) {
        r->rc = kap_err_input(r->err, r->name, start, col,
                              "field longer than %zu bytes (an unterminated "
                              "quote?)", KAP_CSV_MAX_FIELD);
        return;
    }
    if (len > KAP_CSV_MAX_FIELD) {
        r->rc = kap_err_input(r->err, r->name, start, col,
                              "field longer than %zu bytes",
                              KAP_CSV_MAX_FIELD);
        return;
    }
    if (r->rows > 0 && r->nf >= r->n_header) {
        r->rc = kap_err_input(r->err, r->name, start, col,
                              "row has more fields than the header (%zu)",
                              r->n_header);
        return;
    }
    const char *nul = plain ? NULL : memchr(f, '\0', len);
    if (nul) {
        r->rc = kap_err_input(r->err, r->name, start, col,
                              "NUL byte at offset %zu of the field (expected "
                              "UTF-8 text; binary data is not CSV)",
                              (size_t)(nul - f));
        return;
    }
    size_t bad = plain ? len : utf8_invalid_at((const unsigned char *)f, len);
    if (bad < len) {
        r->rc = kap_err_input(r->err, r->name, start, col,
                              "invalid UTF-8: byte 0x%02X at offset %zu of "
                              "the field (expected UTF-8 text; re-save the "
                              "file as UTF-8)",
                              (unsigned)(unsigned char)f[bad], bad);
        return;
    }
    /* trim surrounding blanks (libcsv keeps them inside quotes) */
    while (len && is_blank(f[0])) {
        f++;
        len--;
    }
    while (len && is_blank(f[len - 1]))
        len--;
    if (kap_grow((void **)&r->buf, &r->bcap, r->blen + len + 1, 1) != KAP_OK)
        goto nomem;
    if (r->nf + 1 > r->fcap) {
        size_t c1 = r->fcap, c2 = r->fcap, c3 = r->fcap, c4 = r->fcap;
        if (kap_grow((void **)&r->off, &c1, r->nf + 1, sizeof *r->off) ||
            kap_grow((void **)&r->flen, &c2, r->nf + 1, sizeof *r->flen) ||
            kap_grow((void **)&r->fline, &c3, r->nf + 1, sizeof *r->fline) ||
            kap_grow((void **)&r->ptr, &c4, r->nf + 1, sizeof *r->ptr))
            goto nomem;
        r->fcap = c1;
    }
    memcpy(r->buf + r->blen, f, len);
    r->buf[r->blen + len] = '\0';
    r->off[r->nf] = r->blen;
    r->flen[r->nf] = len;
    r->fline[r->nf] = start;
    r->blen += len + 1;
    r->nf++;
    return;
nomem:
    r->rc = kap_err(r->err, KAP_ENOMEM, "out of memory reading '%s'", r->name);
}

static void on_row(int c, void *data)
{
    (void)c;
    reader *r = data;
    if (r->rc)
        return;
    if (r->rows == 0) {
        r->n_header = r->nf;
    } else if (r->nf < r->n_header) {
        r->rc = kap_err_input(r->err, r->name, r->line,
                              (unsigned long)r->nf + 1,
                              "row has %zu field%s but the header has %zu",
                              r->nf, r->nf == 1 ? "" : "s", r->n_header);
        return;
    }
    for (size_t i = 0; i < r->nf; i++)
        r->ptr[i] = r->buf + r->off[i];
    kap_csv_row row = {r->rows, r->nf, r->ptr, r->flen, r->fline, r->line};
    r->rc = r->fn(r->ctx, &row, r->err);
    r->rows++;
    r->nf = 0;
    r->blen = 0;
}

/* Feed data[0..len) to libcsv, one line-terminated segment at a time. */
static int feed(reader *r, const unsigned char *data, size_t len)
{
    if (r->at_start && len > 0) {
        r->at_start = 0;
        if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
            data += 3;
            len -= 3;
        }
    }
    /* without CR in the block, memchr finds each line end */
    int has_cr = memchr(data, '\r', len) != NULL;
    size_t i = 0;
    while (i < len) {
        size_t j;
        if (!has_cr) {
            const unsigned char *nl = memchr(data + i, '\n', len - i);
            j = nl ? (size_t)(nl - data) : len;
        } else {
            j = i;
            while (j < len && data[j] != '\n' && data[j] != '\r')
                j++;
        }
        size_t end = j < len ? j + 1 : len;
        size_t got = csv_parse(&r->p, data + i, end - i, on_field, on_row, r);
        if (r->rc)
            return r->rc;
        if (got != end - i) {
            int e = csv_error(&r->p);
            if (e == CSV_ENOMEM)
                return kap_err(r->err, KAP_ENOMEM, "out of memory reading '%s'",
                               r->name);
            unsigned char bad = data[i + got];
            unsigned long col = (unsigned long)r->nf + 1;
            if (e == CSV_ETOOBIG)
                return kap_err_input(r->err, r->name, r->line, col,
                                     "field too large");
            if (bad == '"')
                return kap_err_input(r->err, r->name, r->line, col,
                                     "unexpected quote character (a field "
                                     "containing quotes must be quoted as a "
                                     "whole, with each inner quote doubled)");
            if (bad >= 0x20 && bad < 0x7f)
                return kap_err_input(r->err, r->name, r->line, col,
                                     "unexpected character '%c' after the "
                                     "closing quote of a quoted field "
                                     "(expected a comma or a line end)",
                                     bad);
            return kap_err_input(r->err, r->name, r->line, col,
                                 "unexpected byte 0x%02X after the closing "
                                 "quote of a quoted field (expected a comma "
                                 "or a line end)", (unsigned)bad);
        }
        /* count the line end before anything below looks at lines */
        if (j < len) {
            if (!(data[j] == '\n' && r->prev_cr))
                r->line++;
            r->prev_cr = data[j] == '\r';
        } else {
            r->prev_cr = 0;
        }
        /* libcsv's buffer only grows (in BLK steps) and a completed field
         * over the limit was refused above: a buffer well over the limit
         * holds a field still open, e.g. after a runaway quote.  Let
         * csv_fini hand it over so that the error names the line where it
         * started. */
        if (csv_get_buffer_size(&r->p) > KAP_CSV_MAX_FIELD + 2 * BLK) {
            r->fini_mode = FINI_TOO_LONG;
            csv_set_opts(&r->p, CSV_STRICT);
            csv_fini(&r->p, on_field, on_row, r);
            if (!r->rc)
                r->rc = kap_err_input(r->err, r->name, r->line, 0,
                                      "field longer than %zu bytes",
                                      KAP_CSV_MAX_FIELD);
            return r->rc;
        }
        i = end;
    }
    return KAP_OK;
}

static int finish(reader *r)
{
    if (csv_fini(&r->p, on_field, on_row, r) != 0) {
        /* CSV_STRICT_FINI: the last field is an open quote.  Submit it
         * anyway to learn where it started. */
        r->fini_mode = FINI_UNTERMINATED;
        csv_set_opts(&r->p, CSV_STRICT);
        csv_fini(&r->p, on_field, on_row, r);
        if (!r->rc)
            r->rc = kap_err_input(r->err, r->name, r->line, 0,
                                  "unterminated quoted field");
        return r->rc;
    }
    if (r->rc)
        return r->rc;
    if (r->rows == 0)
        return kap_err_input(r->err, r->name, 1, 0,
                             "file is empty (expected a header line)");
    return KAP_OK;
}

static int reader_init(reader *r, const char *name, kap_csv_row_fn fn,
                       void *ctx, kap_error *err)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->err = err;
    r->line = 1;
    r->at_start = 1;
    r->fn = fn;
    r->ctx = ctx;
    kap_sha256_init(&r->sha);
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    csv_set_realloc_func(&r->p, kap_realloc);
    csv_set_free_func(&r->p, kap_free);
    csv_set_blk_size(&r->p, BLK);
    return KAP_OK;
}

static void reader_free(reader *r)
{
    csv_free(&r->p);
    kap_free(r->buf);
    kap_free(r->off);
    kap_free(r->flen);
    kap_free(r->fline);
    kap_free(r->ptr);
}

int kap_csv_read_memory(const char *name, const void *data, size_t len,
                        kap_csv_row_fn fn, void *ctx, size_t *n_rows,
                        char sha256[65], kap_error *err)
{
    reader r;
    int rc = reader_init(&r, name, fn, ctx, err);
    if (rc)
        return rc;
    kap_sha256_update(&r.sha, data, len);
    kap_sha256_final_hex(&r.sha, sha256);
    rc = feed(&r, data, len);
    if (!rc)
        rc = finish(&r);
    if (!rc && n_rows)
        *n_rows = r.rows - 1;
    reader_free(&r);
    return rc;
}

/* ---- reading a file on a second thread -----------------------------------
 * The file is read and hashed (SHA-256, in file order) by a reader thread
 * while the calling thread parses: a ring of NBUF chunks, filled by the
 * reader, consumed in order by the parser.  The parser reports a read
 * error only when it reaches it, after every byte before it was parsed,
 * exactly as a single thread would; when the parser stops early it tells
 * the reader to stop and joins it.  All memory is allocated by the calling
 * thread (the fault-injection counters are per thread). */
#define NBUF 4

typedef struct ring {
    FILE *f;
    kap_sha256 *sha;            /* the reader's until it is joined */
    unsigned char *buf[NBUF];
    size_t len[NBUF];
    size_t head, tail, count;   /* next to fill, next to parse, filled */
    int done;                   /* the reader has finished */
    int read_errno;             /* fread failed: its errno, else 0 */
    int stop;                   /* the parser asks the reader to stop */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} ring;

static void *reader_main(void *arg)
{
    ring *g = arg;
    for (;;) {
        pthread_mutex_lock(&g->mu);
        while (g->count == NBUF && !g->stop)
            pthread_cond_wait(&g->cv, &g->mu);
        int stop = g->stop;
        size_t slot = g->head;
        pthread_mutex_unlock(&g->mu);
        if (stop)
            return NULL;
        size_t got = fread(g->buf[slot], 1, CHUNK, g->f);
        int e = (got == 0 && ferror(g->f)) ? (errno ? errno : EIO) : 0;
        if (got)
            kap_sha256_update(g->sha, g->buf[slot], got);
        pthread_mutex_lock(&g->mu);
        if (got) {
            g->len[slot] = got;
            g->head = (slot + 1) % NBUF;
            g->count++;
        } else {
            g->done = 1;
            g->read_errno = e;
        }
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
        if (!got)
            return NULL;
    }
}

/* Parse the chunks of g as the reader fills them. */
static int parse_ring(reader *r, ring *g, const char *path)
{
    for (;;) {
        pthread_mutex_lock(&g->mu);
        while (g->count == 0 && !g->done)
            pthread_cond_wait(&g->cv, &g->mu);
        size_t slot = g->tail, len = g->len[slot];
        int have = g->count > 0, e = g->read_errno;
        pthread_mutex_unlock(&g->mu);
        if (!have) {
            if (e) {
                char msg[128];
                const char *s = strerror_r(e, msg, sizeof msg);
                return kap_err(r->err, KAP_EIO, "cannot read '%s': %s", path,
                               s);
            }
            return KAP_OK;
        }
        int rc = feed(r, g->buf[slot], len);
        if (rc)
            return rc;
        pthread_mutex_lock(&g->mu);
        g->tail = (slot + 1) % NBUF;
        g->count--;
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
    }
}

/* The same on one thread (when no thread can be started). */
static int parse_serial(reader *r, ring *g, const char *path)
{
    for (;;) {
        size_t got = fread(g->buf[0], 1, CHUNK, g->f);
        if (got == 0) {
            if (ferror(g->f)) {
                char msg[128];
                const char *s = strerror_r(errno, msg, sizeof msg);
                return kap_err(r->err, KAP_EIO, "cannot read '%s': %s", path,
                               s);
            }
            return KAP_OK;
        }
        kap_sha256_update(g->sha, g->buf[0], got);
        int rc = feed(r, g->buf[0], got);
        if (rc)
            return rc;
    }
}

int kap_csv_read_file(const char *path, kap_csv_row_fn fn, void *ctx,
                      size_t *n_rows, char sha256[65], kap_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char msg[128];
        const char *s = strerror_r(errno, msg, sizeof msg);
        return kap_err(err, KAP_EIO, "cannot open '%s': %s", path, s);
    }
    ring g;
    memset(&g, 0, sizeof g);
    g.f = f;
    /* one allocation for the whole ring */
    unsigned char *chunks = kap_malloc_array(NBUF, CHUNK);
    if (!chunks) {
        fclose(f);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < NBUF; i++)
        g.buf[i] = chunks + i * CHUNK;
    reader r;
    int rc = reader_init(&r, path, fn, ctx, err);
    g.sha = &r.sha;
    if (!rc) {
        pthread_t th;
        int threaded = pthread_mutex_init(&g.mu, NULL) == 0;
        if (threaded && pthread_cond_init(&g.cv, NULL) != 0) {
            pthread_mutex_destroy(&g.mu);
            threaded = 0;
        }
        if (threaded && pthread_create(&th, NULL, reader_main, &g) != 0) {
            pthread_cond_destroy(&g.cv);
            pthread_mutex_destroy(&g.mu);
            threaded = 0;
        }
        if (threaded) {
            rc = parse_ring(&r, &g, path);
            pthread_mutex_lock(&g.mu);
            g.stop = 1;
            pthread_cond_broadcast(&g.cv);
            pthread_mutex_unlock(&g.mu);
            pthread_join(th, NULL);
            pthread_cond_destroy(&g.cv);
            pthread_mutex_destroy(&g.mu);
        } else {
            rc = parse_serial(&r, &g, path);
        }
    }
    if (!rc)
        rc = finish(&r);
    if (!rc) {
        kap_sha256_final_hex(&r.sha, sha256);
        if (n_rows)
            *n_rows = r.rows - 1;
    }
    reader_free(&r);
    fclose(f);
    kap_free(chunks);
    return rc;
}
