/* JSON Lines reading and exact-integer JSON parsing (jsonl.h). */
#include "jouletrace/jsonl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "jouletrace/fsutil.h"

/* Does the integer literal s[0..n) (optional '-', digits) fit int64? */
static int fits_int64(const char *s, size_t n)
{
    char buf[32];
    if (n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    (void)strtoll(buf, NULL, 10);
    return errno != ERANGE;
}

json_t *jt_json_loads_exact(const char *text, size_t len, json_error_t *error)
{
    /* Fast path: nothing long enough to overflow. */
    size_t run = 0, longest = 0;
    for (size_t i = 0; i < len; i++) {
        run = (text[i] >= '0' && text[i] <= '9') ? run + 1 : 0;
        if (run > longest) longest = run;
    }
    if (longest < 19) return json_loadb(text, len, 0, error);

    jt_buf out = JT_BUF_INIT;
    size_t i = 0;
    while (i < len) {
        char c = text[i];
        if (c == '"') { /* copy a string literal verbatim */
            size_t j = i + 1;
            while (j < len && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
            j = j < len ? j + 1 : len;
            jt_buf_add(&out, text + i, j - i);
            i = j;
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            size_t j = i + (c == '-');
            while (j < len && text[j] >= '0' && text[j] <= '9') j++;
            int is_int = !(j < len && (text[j] == '.' || text[j] == 'e' || text[j] == 'E'));
            if (is_int && !fits_int64(text + i, j - i)) {
                jt_buf_adds(&out, "{\"__int__\":\"");
                jt_buf_add(&out, text + i, j - i);
                jt_buf_adds(&out, "\"}");
                i = j;
                continue;
            }
            /* copy the whole number (with fraction/exponent) */
            while (j < len && strchr("0123456789.eE+-", text[j])) j++;
            jt_buf_add(&out, text + i, j - i);
            i = j;
            continue;
        }
        jt_buf_addc(&out, c);
        i++;
    }
    json_t *j = json_loadb(out.data ? out.data : "", out.len, 0, error);
    jt_buf_release(&out);
    return j;
}

struct jt_lines {
    gzFile gz;
    char *path;
    jt_buf line;
    char chunk[65536];
    size_t pos, fill;
    size_t lineno;
    int eof;
};

/* Datasets and corpora are regular files: a FIFO or a device would block
 * or never end (and they are read twice: hashed, then parsed). */
static int regular_file(const char *path, jt_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) return jt_err_set(err, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return jt_err_set(err, "%s: cannot open: not a regular file", path);
    return 0;
}

int jt_lines_open(const char *path, jt_lines **out, jt_err *err)
{
    *out = NULL;
    if (regular_file(path, err)) return -1;
    FILE *probe = fopen(path, "rb");
    if (!probe) return jt_err_set(err, "%s: cannot open: %s", path, strerror(errno));
    fclose(probe);
    gzFile gz = gzopen(path, "rb"); /* reads plain files transparently */
    if (!gz) return jt_err_set(err, "%s: cannot open: %s", path, strerror(errno ? errno : ENOMEM));
    gzbuffer(gz, 1 << 17);
    jt_lines *l = jt_xcalloc(1, sizeof *l);
    l->gz = gz;
    l->path = jt_xstrdup(path);
    *out = l;
    return 0;
}

int jt_lines_next(jt_lines *l, const char **line, size_t *len, size_t *lineno, jt_err *err)
{
    jt_buf_reset(&l->line);
    for (;;) {
        if (l->pos == l->fill) {
            if (l->eof) break;
            int n = gzread(l->gz, l->chunk, sizeof l->chunk);
            if (n < 0) {
                int zerr;
                const char *msg = gzerror(l->gz, &zerr);
                return jt_err_set(err, "%s:%zu: read error: %s", l->path, l->lineno + 1, msg);
            }
            if (n == 0) {
                l->eof = 1;
                break;
            }
            l->pos = 0;
            l->fill = (size_t)n;
        }
        char *nl = memchr(l->chunk + l->pos, '\n', l->fill - l->pos);
        size_t take = nl ? (size_t)(nl - (l->chunk + l->pos)) : l->fill - l->pos;
        jt_buf_add(&l->line, l->chunk + l->pos, take);
        l->pos += take;
        if (nl) {
            l->pos++;
            goto have_line;
        }
    }
    if (l->line.len == 0) return 0;
have_line:
    l->lineno++;
    if (l->line.len && l->line.data[l->line.len - 1] == '\r') l->line.data[--l->line.len] = '\0';
    *line = jt_buf_str(&l->line);
    *len = l->line.len;
    *lineno = l->lineno;
    return 1;
}

void jt_lines_close(jt_lines *l)
{
    if (!l) return;
    gzclose(l->gz);
    jt_buf_release(&l->line);
    free(l->path);
    free(l);
}

int jt_file_sha256(const char *path, char hex[65], jt_err *err)
{
    if (regular_file(path, err)) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) return jt_err_set(err, "%s: cannot open: %s", path, strerror(errno));
    jt_sha256 c;
    jt_sha256_init(&c);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) jt_sha256_update(&c, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) return jt_err_set(err, "%s: read error", path);
    jt_sha256_hex(&c, hex);
    return 0;
}
