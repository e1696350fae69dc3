/* Small helpers of the suite loader (loader.h): interned file names, marks,
 * paths, text files, node types, scalar strings, key tables. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/fsutil.h"
#include "suite/loader.h"
#include "suite/options.h"

/* ---- small helpers ------------------------------------------------------ */

const char *jt_ld_intern_file(jt_suite *s, const char *name)
{
    for (size_t i = 0; i < s->n_files_; i++)
        if (!strcmp(s->files_[i], name)) return s->files_[i];
    JT_GROW(s->files_, s->n_files_ + 1, s->cap_files_);
    s->files_[s->n_files_] = jt_xstrdup(name);
    return s->files_[s->n_files_++];
}

jt_mark jt_ld_mark_of(const jt_ydoc *d, const yaml_node_t *n)
{
    jt_mark m = {d->file, (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1};
    return m;
}

char *jt_ld_mark_text(const jt_ydoc *d, const yaml_node_t *n)
{
    return jt_xasprintf("%s:%zu:%zu", d->file, n->start_mark.line + 1, n->start_mark.column + 1);
}

/* Directory part of a path ("." for a bare name). */
static char *dir_of(const char *path)
{
    char *tmp = jt_xstrdup(path);
    char *d = jt_xstrdup(dirname(tmp));
    free(tmp);
    return d;
}

/* `rel` resolved against the directory `base_file` lives in. */
char *jt_ld_resolve_path(const char *base_file, const char *rel)
{
    if (rel[0] == '/') return jt_xstrdup(rel);
    char *dir = dir_of(base_file);
    char *p = strcmp(dir, ".") ? jt_xasprintf("%s/%s", dir, rel) : jt_xstrdup(rel);
    free(dir);
    return p;
}

int jt_ld_read_text_file(const char *path, char **out, jt_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) return jt_err_set(err, "%s", strerror(errno));
    if (!S_ISREG(st.st_mode)) return jt_err_set(err, "not a regular file");
    FILE *f = fopen(path, "rb");
    if (!f) return jt_err_set(err, "%s", strerror(errno));
    jt_buf b = JT_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) jt_buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad || jt_ld_check_text(jt_buf_str(&b), b.len, err)) {
        jt_buf_release(&b);
        return bad ? jt_err_set(err, "read error") : -1;
    }
    *out = jt_buf_detach(&b);
    return 0;
}

const char *jt_ld_node_kind(const yaml_node_t *n)
{
    if (n->type == YAML_SEQUENCE_NODE) return "a list";
    if (n->type == YAML_MAPPING_NODE) return "a mapping";
    return jt_yaml_scalar_kind_name(jt_yaml_scalar_kind(n));
}

int jt_ld_expect_type(loader *ld, jt_ydoc *d, const yaml_node_t *n, yaml_node_type_t t,
                       const char *what)
{
    if (n->type == t) return 0;
    return jt_yerr(ld->err, d, n, "%s must be %s, not %s", what,
                   t == YAML_SEQUENCE_NODE ? "a list" : "a mapping", jt_ld_node_kind(n));
}

/* A string-valued key: any non-null scalar; numbers keep their spelling
 * (so `test_id: 1` is the id "1"). */
int jt_ld_scalar_string(loader *ld, jt_ydoc *d, const yaml_node_t *n, const char *key,
                         char **out)
{
    if (n->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(n) == JT_SCALAR_NULL ||
        !*jt_yaml_text(n))
        return jt_yerr(ld->err, d, n, "'%s' must be a non-empty string, not %s", key,
                       jt_ld_node_kind(n));
    free(*out);
    *out = jt_xstrdup(jt_yaml_text(n));
    return 0;
}

/* Checks every key of a mapping: a scalar, known (in `allowed` or accepted by
 * `extra`), not repeated. */
int jt_ld_check_keys(loader *ld, jt_ydoc *d, const yaml_node_t *map, const char *const *allowed,
                      int with_options, const char *where)
{
    json_t *seen = json_object();
    int rc = -1;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = jt_ydoc_node(d, p->key);
        if (k->type != YAML_SCALAR_NODE) {
            jt_yerr(ld->err, d, k, "keys in %s must be plain names", where);
            goto out;
        }
        const char *name = jt_yaml_text(k);
        if (json_object_get(seen, name)) {
            jt_yerr(ld->err, d, k, "duplicate key '%s' in %s", name, where);
            goto out;
        }
        json_object_set_new(seen, name, json_true());
        int known = 0;
        for (size_t i = 0; allowed[i] && !known; i++) known = !strcmp(allowed[i], name);
        const char *opts[64];
        jt_option_keys(opts, with_options ? 64 : 1); /* no options: just the NULL */
        for (size_t i = 0; opts[i] && !known; i++) known = !strcmp(opts[i], name);
        if (known) continue;
        /* Suggest from everything that would have been accepted here. */
        const char *all[64];
        size_t n = 0;
        for (size_t i = 0; allowed[i] && n < 63; i++) all[n++] = allowed[i];
        for (size_t i = 0; opts[i] && n < 63; i++) all[n++] = opts[i];
        all[n] = NULL;
        const char *near = jt_did_you_mean(name, all);
        if (near)
            jt_yerr(ld->err, d, k, "unknown key '%s' (did you mean '%s'?)", name, near);
        else
            jt_yerr(ld->err, d, k, "unknown key '%s' in %s", name, where);
        goto out;
    }
    rc = 0;
out:
    json_decref(seen);
    return rc;
}

yaml_node_t *jt_ld_get(jt_ydoc *d, const yaml_node_t *map, const char *key, yaml_node_t **keynode)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = jt_ydoc_node(d, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp(jt_yaml_text(k), key)) {
            if (keynode) *keynode = k;
            return jt_ydoc_node(d, p->value);
        }
    }
    return NULL;
}
