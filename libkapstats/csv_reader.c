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

/* Fields, and (when tokenising for another thread) the rows they make:
 * the reader fills one, and hands it over whole to the other thread. */
typedef struct batch {
    char *buf;                  /* fields back to back, NUL-terminated */
    size_t blen, bcap;
    size_t *off, *flen;         /* per field */
    unsigned long *fline;       /* per field: line where it starts */
    size_t nf, fcap;
    size_t *rfirst, *rnf;       /* per row: first field, number of fields */
    unsigned long *rend;        /* per row: line where it ends */
    size_t nr, rcap;
    size_t index0;              /* index of its first row */
} batch;

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
    int bol;                    /* libcsv is between rows (ROW_NOT_BEGUN) */
    int fast;                   /* split plain lines here (fast_line) */
    int fini_mode;
    /* the fields being collected: the current row's, from field row0 on
     * (row0 = 0 unless rows accumulate for another thread) */
    batch cur;
    size_t row0;
    const char **ptr;           /* one thread: the row's field pointers */
    size_t pcap;
    size_t n_header;
    size_t rows;                /* rows delivered, header included */
    kap_csv_row_fn fn;
    void *ctx;
    kap_sha256 sha;
    struct pipeline *pl;        /* tokenising for another thread, or NULL */
} reader;

static int pl_row(reader *r, size_t nf);

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
    size_t nf = r->cur.nf - r->row0;   /* fields of the row so far */
    unsigned long col = (unsigned long)nf + 1;
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
    if (r->rows > 0 && nf >= r->n_header) {
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
    batch *c = &r->cur;
    if (c->blen + len + 1 > c->bcap &&
        kap_grow((void **)&c->buf, &c->bcap, c->blen + len + 1, 1) != KAP_OK)
        goto nomem;
    if (c->nf + 1 > c->fcap) {
        size_t c1 = c->fcap, c2 = c->fcap, c3 = c->fcap;
        if (kap_grow((void **)&c->off, &c1, c->nf + 1, sizeof *c->off) ||
            kap_grow((void **)&c->flen, &c2, c->nf + 1, sizeof *c->flen) ||
            kap_grow((void **)&c->fline, &c3, c->nf + 1, sizeof *c->fline))
            goto nomem;
        c->fcap = c1;
    }
    memcpy(c->buf + c->blen, f, len);
    c->buf[c->blen + len] = '\0';
    c->off[c->nf] = c->blen;
    c->flen[c->nf] = len;
    c->fline[c->nf] = start;
    c->blen += len + 1;
    c->nf++;
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
    size_t nf = r->cur.nf - r->row0;
    if (r->rows == 0) {
        r->n_header = nf;
    } else if (nf < r->n_header) {
        r->rc = kap_err_input(r->err, r->name, r->line,
                              (unsigned long)nf + 1,
                              "row has %zu field%s but the header has %zu",
                              nf, nf == 1 ? "" : "s", r->n_header);
        return;
    }
    if (r->pl) {
        r->rc = pl_row(r, nf);
        r->rows++;
        return;
    }
    if (nf > r->pcap &&
        kap_grow((void **)&r->ptr, &r->pcap, nf, sizeof *r->ptr) != KAP_OK) {
        r->rc = kap_err(r->err, KAP_ENOMEM, "out of memory reading '%s'",
                        r->name);
        return;
    }
    for (size_t i = 0; i < nf; i++)
        r->ptr[i] = r->cur.buf + r->cur.off[i];
    kap_csv_row row = {r->rows, nf, r->ptr, r->cur.flen, r->cur.fline,
                       r->line};
    r->rc = r->fn(r->ctx, &row, r->err);
    r->rows++;
    r->cur.nf = 0;
    r->cur.blen = 0;
}

/* Whether lines without quotes are split here rather than by libcsv:
 * off only for tests that compare the two (kap_csv_set_libcsv_only). */
static int libcsv_only;

void kap_csv_set_libcsv_only(int on) { libcsv_only = on; }

/* A line s[0..n) (its line break not included) that starts a row and
 * holds no quote, tokenised as libcsv in strict mode would: split at the
 * commas, each field without its leading and trailing blanks (libcsv's
 * default space test: space and tab), the fields then the row handed to
 * on_field / on_row; a line of blanks alone is no row (libcsv skips it).
 * It skips libcsv's byte-by-byte state machine and its copy of each
 * field.  Returns 0 when it did the line, -1 (nothing done) when the line
 * holds a quote and is libcsv's. */
static int fast_line(reader *r, const char *s, size_t n)
{
    if (memchr(s, '"', n))
        return -1;
    size_t a = 0;
    while (a < n && is_blank(s[a]))
        a++;
    if (a == n)
        return 0;
    for (;;) {
        const char *c = memchr(s + a, ',', n - a);
        size_t b = c ? (size_t)(c - s) : n, e = b;
        while (a < e && is_blank(s[a]))
            a++;
        while (e > a && is_blank(s[e - 1]))
            e--;
        on_field((void *)(s + a), e - a, r);
        if (r->rc)
            return 0;
        if (!c)
            break;
        a = b + 1;
    }
    on_row(s[n], r);
    return 0;
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
        /* a whole line at a row start: libcsv is between rows before it
         * and after it */
        if (r->bol && r->fast && j < len &&
            fast_line(r, (const char *)data + i, j - i) == 0) {
            if (r->rc)
                return r->rc;
            if (!(data[j] == '\n' && r->prev_cr))
                r->line++;
            r->prev_cr = data[j] == '\r';
            i = end;
            continue;
        }
        size_t rows0 = r->rows;
        size_t got = csv_parse(&r->p, data + i, end - i, on_field, on_row, r);
        if (r->rc)
            return r->rc;
        /* libcsv ends a row only at a line break, and the segment's only
         * one is its last byte: a row ended there leaves libcsv between
         * rows.  Otherwise, not knowing, assume a row is open. */
        r->bol = j < len && r->rows != rows0;
        if (got != end - i) {
            int e = csv_error(&r->p);
            if (e == CSV_ENOMEM)
                return kap_err(r->err, KAP_ENOMEM, "out of memory reading '%s'",
                               r->name);
            unsigned char bad = data[i + got];
            unsigned long col = (unsigned long)(r->cur.nf - r->row0) + 1;
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
    r->bol = 1;
    r->fast = !libcsv_only;
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

static void batch_free(batch *bt)
{
    kap_free(bt->buf);
    kap_free(bt->off);
    kap_free(bt->flen);
    kap_free(bt->fline);
    kap_free(bt->rfirst);
    kap_free(bt->rnf);
    kap_free(bt->rend);
}

static void reader_free(reader *r)
{
    csv_free(&r->p);
    batch_free(&r->cur);
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

/* ---- reading a file on three threads ---------------------------------------
 * io_main reads the file in CHUNK blocks and hashes them (SHA-256, in
 * file order); the worker (pl_main) tokenises them with libcsv, all the
 * checks of on_field / on_row included, and hands complete rows over in
 * batches (a ring of NBATCH); the calling thread takes the batches in
 * order and calls the row callback, so the callback runs where it always
 * did, row after row, while later rows are being read and parsed.
 *
 * Errors come out exactly as from one thread: the worker stops at its
 * first error (a read error included, when it gets to it) and publishes
 * the rows before it; the calling thread delivers those first, so an
 * error of the callback on an earlier row wins, and the worker's error
 * (copied from its own kap_error) is returned only after every row before
 * it was delivered.  When the callback fails, the worker is told to stop
 * and joined (and joins io_main).  A thread that cannot be started is
 * done without: its work then runs on the thread that would start it.
 * With KAPSTATS_THREADS=1 (kap_default_threads() == 1) no thread is
 * started and the file is read on the calling thread.
 *
 * All the memory the threads share is allocated by the calling thread,
 * except the batches' growth and libcsv's buffer (worker).  The
 * fault-injection build counts allocations per thread, so there the file
 * is read on the calling thread (the same reader code, serially): the
 * sweep then reaches every allocation point. */
#define NBATCH 3
#define BATCH_BYTES ((size_t)128 * 1024)
#define BATCH_ROWS ((size_t)4096)
#define NCHUNK 4                /* file chunks read ahead */
#define PEEK_AHEAD 8            /* rows between a peek and its delivery */
#define STOPPED (-1000)         /* worker: the calling thread said stop */

typedef struct pipeline {
    batch b[NBATCH];
    size_t head, tail, count;   /* next to hand over, next to deliver,
                                   handed over and not yet delivered */
    int done, stop;
    int rc;                     /* the worker's result, once done */
    kap_error err;              /* ... and its message */
    size_t rows;
    char sha[65];
    FILE *f;
    const char *path;
    unsigned char *chunk;
    reader *r;
    kap_csv_peek_fn peek;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pipeline;

/* Worker: hand the reader's rows over, once a slot is free, and take the
 * slot's old (delivered) storage back, emptied, to fill next. */
static int pl_publish(pipeline *pl, reader *r)
{
    pthread_mutex_lock(&pl->mu);
    while (pl->count == NBATCH && !pl->stop)
        pthread_cond_wait(&pl->cv, &pl->mu);
    int stop = pl->stop;
    size_t slot = pl->head;
    pthread_mutex_unlock(&pl->mu);
    if (stop)
        return STOPPED;
    /* the slot is not the calling thread's until it is counted below */
    batch old = pl->b[slot];
    pl->b[slot] = r->cur;
    r->cur = old;
    r->cur.blen = r->cur.nf = r->cur.nr = 0;
    r->row0 = 0;
    pthread_mutex_lock(&pl->mu);
    pl->head = (slot + 1) % NBATCH;
    pl->count++;
    pthread_cond_broadcast(&pl->cv);
    pthread_mutex_unlock(&pl->mu);
    return KAP_OK;
}

/* Worker (from on_row): the row of nf fields from row0 on is complete. */
static int pl_row(reader *r, size_t nf)
{
    batch *c = &r->cur;
    if (c->nr + 1 > c->rcap) {
        size_t c1 = c->rcap, c2 = c->rcap, c3 = c->rcap;
        if (kap_grow((void **)&c->rfirst, &c1, c->nr + 1,
                     sizeof *c->rfirst) ||
            kap_grow((void **)&c->rnf, &c2, c->nr + 1, sizeof *c->rnf) ||
            kap_grow((void **)&c->rend, &c3, c->nr + 1, sizeof *c->rend))
            return kap_err(r->err, KAP_ENOMEM, "out of memory reading '%s'",
                           r->name);
        c->rcap = c1;
    }
    if (c->nr == 0)
        c->index0 = r->rows;
    c->rfirst[c->nr] = r->row0;
    c->rnf[c->nr] = nf;
    c->rend[c->nr] = r->line;
    c->nr++;
    r->row0 = c->nf;
    if (c->blen >= BATCH_BYTES || c->nr >= BATCH_ROWS)
        return pl_publish(r->pl, r);
    return KAP_OK;
}

/* Reading and hashing on a third thread: a ring of NCHUNK chunks, filled
 * in file order by io_main, parsed in that order by the worker. */
typedef struct chunks {
    unsigned char *buf[NCHUNK];
    size_t len[NCHUNK];
    size_t head, tail, count;   /* next to fill, next to parse, filled */
    int done;                   /* end of file or read error reached */
    int read_errno;             /* fread failed: its errno, else 0 */
    int stop;                   /* the worker asks io_main to stop */
    FILE *f;
    kap_sha256 *sha;            /* io_main's until it is joined */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} chunks;

static void *io_main(void *arg)
{
    chunks *g = arg;
    for (;;) {
        pthread_mutex_lock(&g->mu);
        while (g->count == NCHUNK && !g->stop)
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
            g->head = (slot + 1) % NCHUNK;
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

static int read_error(reader *r, const char *path, int e)
{
    char msg[128];
    const char *s = strerror_r(e ? e : EIO, msg, sizeof msg);
    return kap_err(r->err, KAP_EIO, "cannot read '%s': %s", path, s);
}

/* Worker: parse the chunks as io_main fills them. */
static int parse_chunks(reader *r, chunks *g, const char *path)
{
    for (;;) {
        pthread_mutex_lock(&g->mu);
        while (g->count == 0 && !g->done)
            pthread_cond_wait(&g->cv, &g->mu);
        size_t slot = g->tail, len = g->len[slot];
        int have = g->count > 0, e = g->read_errno;
        pthread_mutex_unlock(&g->mu);
        if (!have)
            return e ? read_error(r, path, e) : KAP_OK;
        int rc = feed(r, g->buf[slot], len);
        if (rc)
            return rc;
        pthread_mutex_lock(&g->mu);
        g->tail = (slot + 1) % NCHUNK;
        g->count--;
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
    }
}

/* Worker: read and parse the file; through io_main when a thread can be
 * started, else reading and hashing here. */
static int parse_file(reader *r, FILE *f, unsigned char *const *buf,
                      const char *path)
{
    chunks g;
    memset(&g, 0, sizeof g);
    g.f = f;
    g.sha = &r->sha;
    for (size_t i = 0; i < NCHUNK; i++)
        g.buf[i] = buf[i];
    pthread_t th;
    int started = 0;
    if (pthread_mutex_init(&g.mu, NULL) == 0) {
        if (pthread_cond_init(&g.cv, NULL) == 0) {
            started = pthread_create(&th, NULL, io_main, &g) == 0;
            if (!started)
                pthread_cond_destroy(&g.cv);
        }
        if (!started)
            pthread_mutex_destroy(&g.mu);
    }
    if (started) {
        int rc = parse_chunks(r, &g, path);
        pthread_mutex_lock(&g.mu);
        g.stop = 1;
        pthread_cond_broadcast(&g.cv);
        pthread_mutex_unlock(&g.mu);
        pthread_join(th, NULL);
        pthread_cond_destroy(&g.cv);
        pthread_mutex_destroy(&g.mu);
        return rc;
    }
    for (;;) {
        size_t got = fread(buf[0], 1, CHUNK, f);
        if (got == 0)
            return ferror(f) ? read_error(r, path, errno) : KAP_OK;
        kap_sha256_update(&r->sha, buf[0], got);
        int rc = feed(r, buf[0], got);
        if (rc)
            return rc;
    }
}

static void *pl_main(void *arg)
{
    pipeline *pl = arg;
    reader *r = pl->r;
    unsigned char *buf[NCHUNK];
    for (size_t i = 0; i < NCHUNK; i++)
        buf[i] = pl->chunk + i * CHUNK;
    int rc = parse_file(r, pl->f, buf, pl->path);
    if (!rc)
        rc = finish(r);
    if (!rc)
        kap_sha256_final_hex(&r->sha, pl->sha);
    /* the rows before an error are delivered before it */
    if (rc != STOPPED && r->cur.nr > 0 && pl_publish(pl, r) == STOPPED)
        rc = STOPPED;
    pthread_mutex_lock(&pl->mu);
    pl->rows = r->rows;
    pl->rc = rc;
    pl->done = 1;
    pthread_cond_broadcast(&pl->cv);
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* Calling thread: deliver the rows of the batches in order. */
static int pl_deliver(pipeline *pl, kap_csv_row_fn fn, void *ctx,
                      kap_error *err)
{
    const char **ptr = NULL;
    size_t pcap = 0;
    int rc = KAP_OK;
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        while (pl->count == 0 && !pl->done)
            pthread_cond_wait(&pl->cv, &pl->mu);
        int have = pl->count > 0;
        size_t slot = pl->tail;
        pthread_mutex_unlock(&pl->mu);
        if (!have)
            break;
        const batch *bt = &pl->b[slot];
        for (size_t k = 0; k < bt->nr && !rc; k++) {
            size_t f0 = bt->rfirst[k], nf = bt->rnf[k];
            if (pl->peek && k + PEEK_AHEAD < bt->nr) {
                size_t g0 = bt->rfirst[k + PEEK_AHEAD];
                pl->peek(ctx, bt->index0 + k + PEEK_AHEAD,
                         bt->rnf[k + PEEK_AHEAD], bt->buf, bt->off + g0,
                         bt->flen + g0);
            }
            if (nf > pcap && kap_grow((void **)&ptr, &pcap, nf, sizeof *ptr)) {
                rc = kap_err(err, KAP_ENOMEM, "out of memory reading '%s'",
                             pl->path);
                break;
            }
            for (size_t i = 0; i < nf; i++)
                ptr[i] = bt->buf + bt->off[f0 + i];
            kap_csv_row row = {bt->index0 + k, nf,  ptr, bt->flen + f0,
                               bt->fline + f0, bt->rend[k]};
            rc = fn(ctx, &row, err);
        }
        if (rc)
            break;
        pthread_mutex_lock(&pl->mu);
        pl->tail = (slot + 1) % NBATCH;
        pl->count--;
        pthread_cond_broadcast(&pl->cv);
        pthread_mutex_unlock(&pl->mu);
    }
    kap_free(ptr);
    return rc;
}

/* Read f through the worker.  Returns STOPPED when no thread could be
 * started (nothing was read then). */
static int read_threaded(FILE *f, const char *path, unsigned char *chunk,
                         kap_csv_row_fn fn, kap_csv_peek_fn peek, void *ctx,
                         size_t *n_rows, char sha256[65], kap_error *err)
{
    pipeline *pl = kap_calloc(1, sizeof *pl);
    reader *r = kap_malloc(sizeof *r);
    if (!pl || !r) {
        kap_free(pl);
        kap_free(r);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    pl->f = f;
    pl->path = path;
    pl->chunk = chunk;
    pl->r = r;
    pl->peek = peek;
    int rc = reader_init(r, path, NULL, NULL, &pl->err);
    if (rc) {
        if (err)
            *err = pl->err;
        kap_free(r);
        kap_free(pl);
        return rc;
    }
    r->pl = pl;
    pthread_t th;
    int started = 0;
    if (pthread_mutex_init(&pl->mu, NULL) == 0) {
        if (pthread_cond_init(&pl->cv, NULL) == 0) {
            started = pthread_create(&th, NULL, pl_main, pl) == 0;
            if (!started)
                pthread_cond_destroy(&pl->cv);
        }
        if (!started)
            pthread_mutex_destroy(&pl->mu);
    }
    if (!started) {
        reader_free(r);
        kap_free(r);
        kap_free(pl);
        return STOPPED;
    }
    rc = pl_deliver(pl, fn, ctx, err);
    pthread_mutex_lock(&pl->mu);
    pl->stop = 1;
    pthread_cond_broadcast(&pl->cv);
    pthread_mutex_unlock(&pl->mu);
    pthread_join(th, NULL);
    pthread_cond_destroy(&pl->cv);
    pthread_mutex_destroy(&pl->mu);
    if (!rc && pl->rc) {
        rc = pl->rc;
        if (err)
            *err = pl->err;
    }
    if (!rc) {
        memcpy(sha256, pl->sha, 65);
        if (n_rows)
            *n_rows = pl->rows - 1;
    }
    for (size_t i = 0; i < NBATCH; i++)
        batch_free(&pl->b[i]);
    reader_free(r);
    kap_free(r);
    kap_free(pl);
    return rc;
}

int kap_csv_read_file(const char *path, kap_csv_row_fn fn, void *ctx,
                      size_t *n_rows, char sha256[65], kap_error *err)
{
    return kap_csv_read_file_peek(path, fn, NULL, ctx, n_rows, sha256, err);
}

int kap_csv_read_file_peek(const char *path, kap_csv_row_fn fn,
                           kap_csv_peek_fn peek, void *ctx, size_t *n_rows,
                           char sha256[65], kap_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char msg[128];
        const char *s = strerror_r(errno, msg, sizeof msg);
        return kap_err(err, KAP_EIO, "cannot open '%s': %s", path, s);
    }
    unsigned char *chunk = kap_malloc_array(NCHUNK, CHUNK);
    if (!chunk) {
        fclose(f);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    int rc = STOPPED;
#ifndef KAP_FAULT_INJECTION
    if (kap_default_threads() > 1)
        rc = read_threaded(f, path, chunk, fn, peek, ctx, n_rows, sha256,
                           err);
#endif
    if (rc == STOPPED) {
        reader r;
        rc = reader_init(&r, path, fn, ctx, err);
        while (!rc) {
            size_t got = fread(chunk, 1, CHUNK, f);
            if (got == 0) {
                if (ferror(f)) {
                    char msg[128];
                    const char *s = strerror_r(errno, msg, sizeof msg);
                    rc = kap_err(err, KAP_EIO, "cannot read '%s': %s", path,
                                 s);
                }
                break;
            }
            kap_sha256_update(&r.sha, chunk, got);
            rc = feed(&r, chunk, got);
        }
        if (!rc)
            rc = finish(&r);
        if (!rc) {
            kap_sha256_final_hex(&r.sha, sha256);
            if (n_rows)
                *n_rows = r.rows - 1;
        }
        reader_free(&r);
    }
    fclose(f);
    kap_free(chunk);
    return rc;
}
