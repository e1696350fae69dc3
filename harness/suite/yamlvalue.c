/* YAML documents, core-schema scalars and typed JSON values (yamlvalue.h). */
#include "suite/yamlvalue.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Nesting deeper than this is refused (the conversion recurses). */
#define MAX_DEPTH 512
/* The same limit for a whole file, checked while libyaml reads it: a value
 * MAX_DEPTH deep sits a few levels down the suite's own structure. */
#define MAX_FILE_DEPTH (MAX_DEPTH + 32)

static int mark_err(jt_err *err, const char *file, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int mark_err(jt_err *err, const char *file, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jt_err_setv(err, fmt, ap);
    va_end(ap);
    char *msg = jt_xstrdup(jt_err_msg(err));
    jt_err_set(err, "%s:%zu:%zu: %s", file, m.line + 1, m.column + 1, msg);
    free(msg);
    return -1;
}

/* libyaml's reader errors carry a byte offset, not a mark: line and column
 * (in characters, as libyaml counts them) of data[off]. */
static yaml_mark_t mark_at_offset(const char *data, size_t len, size_t off)
{
    yaml_mark_t m = {0, 0, 0};
    if (off > len) off = len;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\n') {
            m.line++;
            m.column = 0;
        } else if ((c & 0xC0) != 0x80) {
            m.column++;
        }
    }
    m.index = off;
    return m;
}

static int parser_err(jt_err *err, const char *file, const yaml_parser_t *p, const char *data,
                      size_t len)
{
    const char *what = p->problem ? p->problem : "parse error";
    if (p->error == YAML_READER_ERROR) {
        yaml_mark_t m = mark_at_offset(data, len, p->problem_offset);
        if (p->problem_value == 0 && strstr(what, "control"))
            return mark_err(err, file, m, "not text: a NUL byte");
        if (strstr(what, "UTF-8"))
            return mark_err(err, file, m, "not UTF-8 text (%s)", what);
        return mark_err(err, file, m, "malformed YAML: %s (0x%x)", what, p->problem_value);
    }
    if (p->context)
        return mark_err(err, file, p->problem_mark, "malformed YAML: %s %s", what, p->context);
    return mark_err(err, file, p->problem_mark, "malformed YAML: %s", what);
}

/* One pass over libyaml's events before any tree is built: refuses a
 * second document, a NUL inside a scalar (libyaml gives its length; the
 * tree's NUL-terminated text would silently end there) and nesting deeper
 * than MAX_FILE_DEPTH, stopping where the limit is crossed, before
 * libyaml's per-level costs grow (they are quadratic in flow nesting). */
static int prescan(const char *data, size_t len, const char *file, jt_err *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return jt_err_set(err, "%s: cannot initialise the YAML parser", file);
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    int rc = 0, docs = 0, depth = 0, done = 0;
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = parser_err(err, file, &p, data, len);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                rc = mark_err(err, file, ev.start_mark,
                              "a suite is one YAML document (a second one starts here)");
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > MAX_FILE_DEPTH)
                rc = mark_err(err, file, ev.start_mark, "YAML nested more than %d levels deep",
                              MAX_FILE_DEPTH);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        case YAML_SCALAR_EVENT:
            if (memchr(ev.data.scalar.value, '\0', ev.data.scalar.length))
                rc = mark_err(err, file, ev.start_mark, "a string holds a NUL character (\\0)");
            break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

static int read_all(const char *path, const char *display, jt_buf *b, jt_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return jt_err_set(err, "%s: cannot open: %s", display, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        int dir = S_ISDIR(st.st_mode);
        fclose(f);
        return jt_err_set(err, "%s: %s", display,
                          dir ? "is a directory, not a YAML file" : "not a regular file");
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) jt_buf_add(b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? jt_err_set(err, "%s: read error", display) : 0;
}

int jt_ydoc_load(jt_ydoc *d, const char *path, const char *display, jt_err *err)
{
    memset(d, 0, sizeof *d);
    d->file = display;
    jt_buf b = JT_BUF_INIT;
    if (read_all(path, display, &b, err) || prescan(jt_buf_str(&b), b.len, display, err)) {
        jt_buf_release(&b);
        return -1;
    }
    yaml_parser_t parser;
    int rc = -1;
    if (!yaml_parser_initialize(&parser)) {
        jt_buf_release(&b);
        return jt_err_set(err, "%s: cannot initialise the YAML parser", display);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)jt_buf_str(&b), b.len);
    if (!yaml_parser_load(&parser, &d->doc)) {
        parser_err(err, display, &parser, jt_buf_str(&b), b.len);
        goto out;
    }
    d->loaded = 1;
    rc = 0;
out:
    yaml_parser_delete(&parser);
    jt_buf_release(&b);
    return rc;
}

void jt_ydoc_release(jt_ydoc *d)
{
    if (d->loaded) yaml_document_delete(&d->doc);
    d->loaded = 0;
    free(d->size_memo);
    d->size_memo = NULL;
    free(d->height_memo);
    d->height_memo = NULL;
}

yaml_node_t *jt_ydoc_root(jt_ydoc *d)
{
    return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

yaml_node_t *jt_ydoc_node(jt_ydoc *d, int index)
{
    return yaml_document_get_node(&d->doc, index);
}

int jt_yerr(jt_err *err, const jt_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
{
    jt_buf b = JT_BUF_INIT;
    if (n)
        jt_buf_addf(&b, "%s:%zu:%zu: ", d->file, n->start_mark.line + 1,
                    n->start_mark.column + 1);
    else
        jt_buf_addf(&b, "%s: ", d->file);
    va_list ap;
    va_start(ap, fmt);
    jt_err_setv(err, fmt, ap);
    va_end(ap);
    jt_buf_adds(&b, jt_err_msg(err));
    jt_err_set(err, "%s", jt_buf_str(&b));
    jt_buf_release(&b);
    return -1;
}

const char *jt_yaml_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int is_one_of(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i]; i++)
        if (!strcmp(s, set[i])) return 1;
    return 0;
}

static int all_in(const char *s, const char *chars)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!strchr(chars, *s)) return 0;
    return 1;
}

/* [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static int looks_int(const char *s)
{
    if (!strncmp(s, "0o", 2)) return all_in(s + 2, "01234567");
    if (!strncmp(s, "0x", 2)) return all_in(s + 2, "0123456789abcdefABCDEF");
    if (*s == '-' || *s == '+') s++;
    return all_in(s, "0123456789");
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int looks_float(const char *s)
{
    static const char *const specials[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                           "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",
                                           NULL};
    if (is_one_of(s, specials)) return 1;
    if (*s == '-' || *s == '+') s++;
    size_t int_digits = strspn(s, "0123456789");
    s += int_digits;
    size_t frac_digits = 0;
    if (*s == '.') {
        s++;
        frac_digits = strspn(s, "0123456789");
        s += frac_digits;
    }
    if (int_digits == 0 && frac_digits == 0) return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+') s++;
        size_t exp_digits = strspn(s, "0123456789");
        if (!exp_digits) return 0;
        s += exp_digits;
    }
    return *s == '\0';
}

jt_scalar_kind jt_yaml_scalar_kind(const yaml_node_t *n)
{
    static const char *const nulls[] = {"null", "Null", "NULL", "~", "", NULL};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
    const char *tag = (const char *)n->tag;
    if (tag && strcmp(tag, YAML_STR_TAG) != 0) {
        if (!strcmp(tag, YAML_INT_TAG)) return JT_SCALAR_INT;
        if (!strcmp(tag, YAML_FLOAT_TAG)) return JT_SCALAR_FLOAT;
        if (!strcmp(tag, YAML_BOOL_TAG)) return JT_SCALAR_BOOL;
        if (!strcmp(tag, YAML_NULL_TAG)) return JT_SCALAR_NULL;
    }
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return JT_SCALAR_STR;
    const char *s = jt_yaml_text(n);
    if (strlen(s) != n->data.scalar.length) return JT_SCALAR_STR;
    if (is_one_of(s, nulls)) return JT_SCALAR_NULL;
    if (is_one_of(s, bools)) return JT_SCALAR_BOOL;
    if (looks_int(s)) return JT_SCALAR_INT;
    if (looks_float(s)) return JT_SCALAR_FLOAT;
    return JT_SCALAR_STR;
}

const char *jt_yaml_scalar_kind_name(jt_scalar_kind k)
{
    switch (k) {
    case JT_SCALAR_NULL: return "null";
    case JT_SCALAR_BOOL: return "a boolean";
    case JT_SCALAR_INT: return "an integer";
    case JT_SCALAR_FLOAT: return "a float";
    case JT_SCALAR_STR: return "a string";
    }
    return "?";
}

static json_t *int_value(jt_ydoc *d, yaml_node_t *n, const char *s, jt_err *err)
{
    int base = 10;
    const char *digits = s;
    if (!strncmp(s, "0o", 2)) base = 8, digits = s + 2;
    else if (!strncmp(s, "0x", 2)) base = 16, digits = s + 2;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(digits, &end, base);
    if (!errno && end && !*end && *digits) return json_integer(v);
    if (base != 10 || !looks_int(s))
        return jt_yerr(err, d, n, "integer '%s' is too large for hex/octal form; write it in decimal",
                       s), NULL;
    /* Beyond int64: keep every digit, normalised (sign, no leading zeros). */
    jt_buf b = JT_BUF_INIT;
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    while (p[0] == '0' && p[1]) p++;
    if (neg) jt_buf_addc(&b, '-');
    jt_buf_adds(&b, p);
    json_t *o = json_pack("{s:s}", "__int__", jt_buf_str(&b));
    jt_buf_release(&b);
    return o;
}

static json_t *float_value(const char *s)
{
    if (strstr(s, "nan") || strstr(s, "NaN") || strstr(s, "NAN"))
        return json_pack("{s:s}", "__float__", "nan");
    if (strstr(s, "inf") || strstr(s, "Inf") || strstr(s, "INF"))
        return json_pack("{s:s}", "__float__", s[0] == '-' ? "-inf" : "inf");
    double v = strtod(s, NULL);
    if (!isfinite(v)) return json_pack("{s:s}", "__float__", v < 0 ? "-inf" : "inf");
    return json_real(v);
}

static json_t *scalar_value(jt_ydoc *d, yaml_node_t *n, jt_err *err)
{
    const char *s = jt_yaml_text(n);
    switch (jt_yaml_scalar_kind(n)) {
    case JT_SCALAR_NULL: return json_null();
    case JT_SCALAR_BOOL: return json_boolean(s[0] == 't' || s[0] == 'T');
    case JT_SCALAR_INT: return int_value(d, n, s, err);
    case JT_SCALAR_FLOAT:
        if (!looks_float(s) && !looks_int(s))
            return jt_yerr(err, d, n, "'%s' is not a float", s), NULL;
        return float_value(s);
    case JT_SCALAR_STR: break;
    }
    json_t *o = json_stringn(s, n->data.scalar.length);
    if (!o) jt_yerr(err, d, n, "string is not valid UTF-8");
    return o;
}

static json_t *convert(jt_ydoc *d, yaml_node_t *n, size_t *budget, jt_err *err);

static json_t *mapping_value(jt_ydoc *d, yaml_node_t *n, size_t *budget, jt_err *err)
{
    int string_keys = 1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = jt_ydoc_node(d, p->key);
        if (k->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(k) != JT_SCALAR_STR) string_keys = 0;
    }
    json_t *out = string_keys ? json_object() : json_array();
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = jt_ydoc_node(d, p->key);
        json_t *v = convert(d, jt_ydoc_node(d, p->value), budget, err);
        if (!v) goto fail;
        if (string_keys) {
            const char *k = jt_yaml_text(kn);
            if (json_object_get(out, k)) {
                json_decref(v);
                jt_yerr(err, d, kn, "duplicate key '%s'", k);
                goto fail;
            }
            json_object_set_new(out, k, v);
        } else {
            json_t *k = convert(d, kn, budget, err);
            if (!k) {
                json_decref(v);
                goto fail;
            }
            json_array_append_new(out, json_pack("[oo]", k, v));
        }
    }
    if (!string_keys) return json_pack("{s:o}", "__dict__", out);
    return out;
fail:
    json_decref(out);
    return NULL;
}

static json_t *convert(jt_ydoc *d, yaml_node_t *n, size_t *budget, jt_err *err)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return scalar_value(d, n, err);
    case YAML_SEQUENCE_NODE: {
        json_t *a = json_array();
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++) {
            json_t *v = convert(d, jt_ydoc_node(d, *it), budget, err);
            if (!v) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, v);
        }
        return a;
    }
    case YAML_MAPPING_NODE: return mapping_value(d, n, budget, err);
    default: break;
    }
    return jt_yerr(err, d, n, "empty node"), NULL;
}

/* Number of nodes `n` expands to with aliases resolved, saturating at
 * limit + 1. memo[i] caches node i + 1's size, so shared (aliased) subtrees
 * are counted once per reference without being walked again: linear in the
 * document, whatever the expansion. Depth beyond MAX_DEPTH returns SIZE_MAX. */
static size_t expanded_size(jt_ydoc *d, yaml_node_t *n, size_t *memo, size_t limit, int depth)
{
    if (depth > MAX_DEPTH) return SIZE_MAX;
    size_t idx = (size_t)(n - d->doc.nodes.start);
    if (memo[idx]) return memo[idx];
    size_t total = 1;
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top && total <= limit; it++) {
            size_t c = expanded_size(d, jt_ydoc_node(d, *it), memo, limit, depth + 1);
            if (c == SIZE_MAX) return SIZE_MAX;
            total += c;
        }
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top && total <= limit; p++) {
            size_t k = expanded_size(d, jt_ydoc_node(d, p->key), memo, limit, depth + 1);
            size_t v = expanded_size(d, jt_ydoc_node(d, p->value), memo, limit, depth + 1);
            if (k == SIZE_MAX || v == SIZE_MAX) return SIZE_MAX;
            total += k + v;
        }
    }
    if (total > limit) total = limit + 1;
    memo[idx] = total;
    return total;
}

/* Height of n (levels below it) with aliases resolved, memoised per node
 * (memo[i] = height + 1) so a shared subtree is walked once. The walk stops
 * MAX_DEPTH levels down: then the value is too deep whatever lies below,
 * and *cut is set so that no partial height is cached (it would wrongly
 * condemn a shallow use of the same anchor elsewhere). Without a height
 * check, an anchor reused inside deep nesting passes the size memo and
 * overflows convert()'s stack. */
static unsigned node_height(jt_ydoc *d, yaml_node_t *n, unsigned *memo, unsigned depth, int *cut)
{
    size_t idx = (size_t)(n - d->doc.nodes.start);
    if (memo[idx]) return memo[idx] - 1;
    if (depth > MAX_DEPTH) {
        *cut = 1;
        return MAX_DEPTH + 1;
    }
    unsigned h = 0;
    int my_cut = 0;
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top && h <= MAX_DEPTH; it++) {
            unsigned c = node_height(d, jt_ydoc_node(d, *it), memo, depth + 1, &my_cut) + 1;
            if (c > h) h = c;
        }
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top && h <= MAX_DEPTH; p++) {
            unsigned k = node_height(d, jt_ydoc_node(d, p->key), memo, depth + 1, &my_cut) + 1;
            unsigned v = node_height(d, jt_ydoc_node(d, p->value), memo, depth + 1, &my_cut) + 1;
            if (k > h) h = k;
            if (v > h) h = v;
        }
    }
    if (my_cut) *cut = 1;
    else memo[idx] = h + 1;
    return h;
}

json_t *jt_yaml_to_json(jt_ydoc *d, yaml_node_t *n, size_t *budget, jt_err *err)
{
    size_t count = (size_t)(d->doc.nodes.top - d->doc.nodes.start);
    if (!d->height_memo) d->height_memo = jt_xcalloc(count ? count : 1, sizeof *d->height_memo);
    int cut = 0;
    if (node_height(d, n, d->height_memo, 0, &cut) > MAX_DEPTH || cut)
        return jt_yerr(err, d, n, "value is nested more than %d levels deep", MAX_DEPTH), NULL;
    if (!d->size_memo) {
        /* One memo per document keeps a whole suite's checks linear. Entries
         * stay valid as the budget shrinks: a saturated entry exceeds every
         * later (smaller) limit too. */
        d->size_memo = jt_xcalloc(count ? count : 1, sizeof *d->size_memo);
    }
    size_t size = expanded_size(d, n, d->size_memo, *budget, 0);
    if (size == SIZE_MAX)
        return jt_yerr(err, d, n, "value is nested more than %d levels deep", MAX_DEPTH), NULL;
    if (size > *budget)
        return jt_yerr(err, d, n, "value expands to more than %zu nodes (alias bomb?)", *budget),
               NULL;
    *budget -= size;
    return convert(d, n, budget, err);
}
