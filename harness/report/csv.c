/* CSV tables written and read with libcsv (report.h). libcsv ships no .pc;
 * the Makefile links -lcsv. */
#include "jouletrace/report.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jouletrace/fsutil.h"

void jt_csv_init(jt_csv_table *t, const char *const *names, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->names = jt_xcalloc(ncols + 1, sizeof *t->names);
    t->text = jt_xcalloc(ncols + 1, sizeof *t->text);
    for (size_t i = 0; i < ncols; i++) t->names[i] = jt_xstrdup(names[i]);
}

void jt_csv_free(jt_csv_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    for (size_t i = 0; i < t->ncols; i++) free(t->names[i]);
    free(t->cells);
    free(t->names);
    free(t->text);
    memset(t, 0, sizeof *t);
}

size_t jt_csv_add_row(jt_csv_table *t)
{
    size_t need = (t->nrows + 1) * t->ncols, old = t->cap;
    JT_GROW(t->cells, need, t->cap);
    if (t->cap > old) memset(t->cells + old, 0, (t->cap - old) * sizeof *t->cells);
    return t->nrows++;
}

void jt_csv_set(jt_csv_table *t, size_t row, size_t col, const char *value)
{
    char **cell = &t->cells[row * t->ncols + col];
    free(*cell);
    *cell = value && *value ? jt_utf8_sanitize(value, strlen(value)) : NULL;
}

char *jt_csv_safe_text(const char *value)
{
    if (!value || !*value) return NULL;
    char *u = jt_utf8_sanitize(value, strlen(value));
    jt_buf b = JT_BUF_INIT;
    /* the spreadsheet formula triggers (tab and CR are escaped below) */
    if (strchr("=+-@", u[0])) jt_buf_addc(&b, '\'');
    for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
        if (*p == '\n') jt_buf_adds(&b, "\\n");
        else if (*p == '\t') jt_buf_adds(&b, "\\t");
        else if (*p == '\r') jt_buf_adds(&b, "\\r");
        else if (*p < 0x20 || *p == 0x7f) jt_buf_addf(&b, "\\x%02x", *p);
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) jt_buf_addf(&b, "\\u%04x", *++p);
        else jt_buf_addc(&b, (char)*p);
    }
    free(u);
    char *out = jt_xstrdup(jt_buf_str(&b));
    jt_buf_release(&b);
    return out;
}

void jt_csv_mark_text(jt_csv_table *t, size_t col)
{
    t->text[col] = true;
}

void jt_csv_format_num(double v, char buf[32])
{
    buf[0] = '\0';
    if (!isfinite(v)) return;
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

bool jt_csv_parse_num(const char *s, double *out)
{
    *out = NAN;
    if (!s || !*s) return false;
    char *end;
    double v = strtod(s, &end);
    /* Underflow (ERANGE with a subnormal or 0) is still the nearest double;
     * overflow gives inf, refused with NaN. */
    if (end == s || *end || !isfinite(v)) return false;
    *out = v;
    return true;
}

void jt_csv_set_num(jt_csv_table *t, size_t row, size_t col, double v)
{
    char buf[32];
    jt_csv_format_num(v, buf);
    jt_csv_set(t, row, col, buf);
}

void jt_csv_set_int(jt_csv_table *t, size_t row, size_t col, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    jt_csv_set(t, row, col, buf);
}

const char *jt_csv_get(const jt_csv_table *t, size_t row, size_t col)
{
    const char *c = t->cells[row * t->ncols + col];
    return c ? c : "";
}

long jt_csv_col(const jt_csv_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->names[i], name)) return (long)i;
    return -1;
}

/* Quote only where a reader would otherwise split or trim the cell. */
static bool needs_quotes(const char *s, size_t len)
{
    if (len == 0) return false;
    if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t') return true;
    return strpbrk(s, ",\"\r\n") != NULL;
}

static void add_cell(jt_buf *out, const char *cell, bool text)
{
    if (!cell || !*cell) return;
    char *s = text ? jt_csv_safe_text(cell) : jt_utf8_sanitize(cell, strlen(cell));
    size_t len = strlen(s);
    if (!needs_quotes(s, len)) {
        jt_buf_add(out, s, len);
    } else {
        size_t need = csv_write(NULL, 0, s, len);
        char *q = jt_xmalloc(need);
        csv_write(q, need, s, len);
        jt_buf_add(out, q, need);
        free(q);
    }
    free(s);
}

static void format_header(const jt_csv_table *t, jt_buf *out)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (c) jt_buf_addc(out, ',');
        add_cell(out, t->names[c], false);
    }
    jt_buf_addc(out, '\n');
}

static void format_row(const jt_csv_table *t, size_t r, jt_buf *out)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (c) jt_buf_addc(out, ',');
        add_cell(out, t->cells[r * t->ncols + c], t->text[c]);
    }
    jt_buf_addc(out, '\n');
}

void jt_csv_format(const jt_csv_table *t, jt_buf *out)
{
    format_header(t, out);
    for (size_t r = 0; r < t->nrows; r++) format_row(t, r, out);
}

void jt_csv_clear_rows(jt_csv_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++) {
        free(t->cells[i]);
        t->cells[i] = NULL;
    }
    t->nrows = 0;
}

void jt_csv_drop_rows(jt_csv_table *t, const bool *drop)
{
    size_t kept = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        char **row = t->cells + r * t->ncols;
        if (drop[r]) {
            for (size_t c = 0; c < t->ncols; c++) free(row[c]);
        } else if (kept++ != r) {
            memcpy(t->cells + (kept - 1) * t->ncols, row, t->ncols * sizeof *row);
        }
    }
    if (kept < t->nrows) /* cells is NULL in a table without rows */
        memset(t->cells + kept * t->ncols, 0, (t->nrows - kept) * t->ncols * sizeof *t->cells);
    t->nrows = kept;
}

/* ---- streaming ---------------------------------------------------------- */

#define SINK_CHUNK 65536

void jt_csv_sink_init(jt_csv_sink *s, int fd)
{
    s->fd = fd;
    s->err = 0;
    s->buf = (jt_buf)JT_BUF_INIT;
}

static int sink_flush(jt_csv_sink *s)
{
    for (size_t off = 0; off < s->buf.len && !s->err;) {
        ssize_t n = write(s->fd, s->buf.data + off, s->buf.len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) s->err = n < 0 ? errno : EIO;
        else off += (size_t)n;
    }
    jt_buf_reset(&s->buf);
    if (s->err) errno = s->err;
    return s->err ? -1 : 0;
}

int jt_csv_sink_add(jt_csv_sink *s, const char *text, size_t len)
{
    jt_buf_add(&s->buf, text, len);
    return s->buf.len >= SINK_CHUNK ? sink_flush(s) : (s->err ? -1 : 0);
}

int jt_csv_sink_header(jt_csv_sink *s, const jt_csv_table *t)
{
    format_header(t, &s->buf);
    return s->buf.len >= SINK_CHUNK ? sink_flush(s) : 0;
}

int jt_csv_sink_rows(jt_csv_sink *s, jt_csv_table *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        format_row(t, r, &s->buf);
        if (s->buf.len >= SINK_CHUNK && sink_flush(s) != 0) break;
    }
    jt_csv_clear_rows(t);
    return s->err ? -1 : 0;
}

int jt_csv_sink_finish(jt_csv_sink *s)
{
    int rc = sink_flush(s);
    jt_buf_release(&s->buf);
    return rc;
}

/* The table in chunks: a file of 100,000 rows never exists as one string. */
typedef struct table_src {
    const jt_csv_table *t;
} table_src;

static int fill_table(int fd, void *ctx)
{
    const jt_csv_table *t = ((const table_src *)ctx)->t;
    jt_csv_sink s;
    jt_csv_sink_init(&s, fd);
    format_header(t, &s.buf);
    for (size_t r = 0; r < t->nrows && !s.err; r++) {
        format_row(t, r, &s.buf);
        if (s.buf.len >= SINK_CHUNK) sink_flush(&s);
    }
    return jt_csv_sink_finish(&s);
}

int jt_csv_write_file(const char *path, const jt_csv_table *t, jt_err *err)
{
    table_src src = {t};
    return jt_write_file_atomic_fn(path, fill_table, &src, err);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct parse_state {
    jt_csv_table *t;
    bool have_header;
    char **fields;
    size_t nf, cap;
    size_t record;    /* 1-based number of the record being read */
    char *error;      /* first problem, owned */
} parse_state;

static void on_field(void *field, size_t len, void *data)
{
    parse_state *st = data;
    JT_GROW(st->fields, st->nf + 1, st->cap);
    st->fields[st->nf++] = jt_xstrndup(field ? (const char *)field : "", field ? len : 0);
}

static void drop_fields(parse_state *st)
{
    for (size_t i = 0; i < st->nf; i++) free(st->fields[i]);
    st->nf = 0;
}

static void on_record(int term, void *data)
{
    (void)term;
    parse_state *st = data;
    st->record++;
    if (st->error) {
        drop_fields(st);
        return;
    }
    if (!st->have_header) {
        jt_csv_init(st->t, (const char *const *)st->fields, st->nf);
        st->have_header = true;
    } else if (st->nf != st->t->ncols) {
        st->error = jt_xasprintf("record %zu has %zu fields, the header has %zu", st->record,
                                 st->nf, st->t->ncols);
    } else {
        size_t r = jt_csv_add_row(st->t);
        for (size_t i = 0; i < st->nf; i++) {
            /* Kept byte for byte (writers sanitise); empty stays empty. */
            st->t->cells[r * st->t->ncols + i] = st->fields[i][0] ? st->fields[i] : NULL;
            if (!st->fields[i][0]) free(st->fields[i]);
        }
        st->nf = 0;
        return;
    }
    drop_fields(st);
}

/* libcsv trims unquoted blanks by default; a round trip must keep them. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

int jt_csv_parse(const char *data, size_t len, const char *what, jt_csv_table *t, jt_err *err)
{
    memset(t, 0, sizeof *t);
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) data += 3, len -= 3;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return jt_err_set(err, "%s: cannot initialise the CSV parser", what);
    csv_set_space_func(&p, no_space);
    parse_state st = {.t = t};
    int rc = 0;
    if (csv_parse(&p, data, len, on_field, on_record, &st) != len ||
        csv_fini(&p, on_field, on_record, &st) != 0) {
        rc = jt_err_set(err, "%s: malformed CSV near record %zu: %s", what, st.record + 1,
                        csv_strerror(csv_error(&p)));
    } else if (st.error) {
        rc = jt_err_set(err, "%s: %s", what, st.error);
    } else if (!st.have_header) {
        rc = jt_err_set(err, "%s: empty file (no header)", what);
    }
    csv_free(&p);
    drop_fields(&st);
    free(st.fields);
    free(st.error);
    if (rc != 0 && st.have_header) jt_csv_free(t);
    return rc;
}

int jt_csv_read_file(const char *path, jt_csv_table *t, jt_err *err)
{
    char *data = NULL;
    size_t len = 0;
    if (jt_read_file(path, &data, &len, err) != 0) return -1;
    int rc = jt_csv_parse(data, len, path, t, err);
    free(data);
    return rc;
}
