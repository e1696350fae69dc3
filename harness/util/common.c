/* Error values, allocation, jt_buf and "did you mean" (see common.h). */
#include "jouletrace/common.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(size_t n)
{
    fprintf(stderr, "jouletrace: out of memory allocating %zu bytes\n", n);
    abort();
}

void *jt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *jt_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *jt_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

void *jt_xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) oom(SIZE_MAX);
    return jt_xrealloc(p, n * size);
}

char *jt_xstrdup(const char *s)
{
    return jt_xstrndup(s, strlen(s));
}

char *jt_xstrndup(const char *s, size_t n)
{
    char *p = jt_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *jt_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return jt_xstrdup("");
    char *s = jt_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int jt_err_setv(jt_err *err, const char *fmt, va_list ap)
{
    if (!err) return -1;
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *msg = jt_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    if (n > 0)
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    else
        msg[0] = '\0';
    free(err->msg);
    err->msg = msg;
    return -1;
}

int jt_err_set(jt_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jt_err_setv(err, fmt, ap);
    va_end(ap);
    return -1;
}

int jt_err_prefix(jt_err *err, const char *fmt, ...)
{
    if (!err) return -1;
    jt_buf b = JT_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        char *p = jt_xmalloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
        jt_buf_adds(&b, p);
        free(p);
    }
    jt_buf_adds(&b, ": ");
    jt_buf_adds(&b, err->msg ? err->msg : "unknown error");
    free(err->msg);
    err->msg = jt_buf_detach(&b);
    return -1;
}

const char *jt_err_msg(const jt_err *err)
{
    return (err && err->msg) ? err->msg : "unknown error";
}

void jt_err_clear(jt_err *err)
{
    if (!err) return;
    free(err->msg);
    err->msg = NULL;
}

static void buf_reserve(jt_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1) oom(SIZE_MAX);
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = jt_xrealloc(b->data, cap);
    b->cap = cap;
}

void jt_buf_add(jt_buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void jt_buf_adds(jt_buf *b, const char *s)
{
    jt_buf_add(b, s, strlen(s));
}

void jt_buf_addc(jt_buf *b, char c)
{
    jt_buf_add(b, &c, 1);
}

void jt_buf_addf(jt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *jt_buf_str(const jt_buf *b)
{
    return b->data ? b->data : "";
}

char *jt_buf_detach(jt_buf *b)
{
    char *s = b->data ? b->data : jt_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void jt_buf_reset(jt_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void jt_buf_release(jt_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

size_t jt_edit_distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > max) return max + 1;
    /* Two rows of the classic DP table, plus transpositions (Damerau,
     * optimal string alignment) because "fucntion" is a swap, not two edits. */
    size_t *prev2 = jt_xcalloc(lb + 1, sizeof(size_t));
    size_t *prev = jt_xcalloc(lb + 1, sizeof(size_t));
    size_t *cur = jt_xcalloc(lb + 1, sizeof(size_t));
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t rowmin = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = prev[j - 1] + cost;
            if (prev[j] + 1 < v) v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < rowmin) rowmin = v;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
        if (rowmin > max) {
            free(prev2);
            free(prev);
            free(cur);
            return max + 1;
        }
    }
    size_t d = prev[lb];
    free(prev2);
    free(prev);
    free(cur);
    return d;
}

const char *jt_did_you_mean(const char *word, const char *const *candidates)
{
    /* Allow roughly one edit per three characters, at least one, at most three. */
    size_t len = strlen(word);
    size_t max = len / 3;
    if (max < 1) max = 1;
    if (max > 3) max = 3;
    const char *best = NULL;
    size_t best_d = max + 1;
    for (size_t i = 0; candidates[i]; i++) {
        size_t d = jt_edit_distance(word, candidates[i], max);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

int jt_parse_long(const char *s, long min, long max, long *out, const char *what, jt_err *err)
{
    char *end = NULL;
    errno = 0;
    long v = s && *s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || errno || *end)
        return jt_err_set(err, "%s: '%s' is not an integer", what, s ? s : "");
    if (v < min || v > max)
        return jt_err_set(err, "%s: %ld is out of range [%ld, %ld]", what, v, min, max);
    *out = v;
    return 0;
}

int jt_parse_double(const char *s, double min, double max, double *out, const char *what,
                    jt_err *err)
{
    char *end = NULL;
    errno = 0;
    double v = s && *s ? strtod(s, &end) : 0;
    if (!s || !*s || errno || *end || !isfinite(v))
        return jt_err_set(err, "%s: '%s' is not a number", what, s ? s : "");
    if (v < min || v > max)
        return jt_err_set(err, "%s: %g is out of range [%g, %g]", what, v, min, max);
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    if (c >= 0x01 && c < 0x80) return 1;
    size_t n;
    unsigned cp, min;
    if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07, min = 0x10000;
    else return 0;
    if (left < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

char *jt_utf8_sanitize(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    /* valid as it is (the common case): one copy of exactly its size */
    while (i < len && (n = utf8_seq(p + i, len - i)) != 0) i += n;
    if (i == len) {
        char *copy = jt_xmalloc(len + 1);
        memcpy(copy, s, len);
        copy[len] = '\0';
        return copy;
    }
    jt_buf b = JT_BUF_INIT;
    jt_buf_add(&b, p, i);
    while (i < len) {
        n = utf8_seq(p + i, len - i);
        if (n) {
            jt_buf_add(&b, p + i, n);
            i += n;
        } else {
            jt_buf_adds(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    return jt_buf_detach(&b);
}

char *jt_utc_now(void)
{
    char buf[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    return jt_xstrdup(buf);
}

void jt_warn(const char *fmt, ...)
{
    char *msg;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    /* one write, so concurrent processes' lines do not interleave */
    if (n >= 0) {
        fprintf(stderr, "jouletrace: warning: %s\n", msg);
        free(msg);
    } else {
        fputs("jouletrace: warning: (out of memory formatting a warning)\n", stderr);
    }
}
