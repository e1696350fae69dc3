/* Candidates of a suite (loader.h): `candidate_code`, `file`, `source`,
 * `glob` (expanded, sorted, one candidate per file) and `command`/`build`
 * entries; corpus entries go on to corpus.c. Ids are unique suite-wide. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/fsutil.h"
#include "suite/loader.h"
#include "suite/options.h"
#include "suite/yamlvalue.h"

static const char *const candidate_own_keys[] = {
    "id", "test_set", "candidate_code", "file", "source", "build", "command", "glob", "group",
    "description", "jsonl", "dir",
    "id_field", "test_set_field", "code_field", "group_field", "sanitize", "skip_unknown_tasks",
    NULL};
/* Keys that only make sense on a corpus entry (jsonl/dir). */
static const char *const corpus_only_keys[] = {"id_field", "test_set_field", "code_field",
                                               "group_field", "sanitize", "skip_unknown_tasks",
                                               NULL};

/* ---- candidates --------------------------------------------------------- */

char *jt_ld_file_stem(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? jt_xstrndup(base, (size_t)(dot - base)) : jt_xstrdup(base);
}

/* Takes ownership of code and source_path. */
int jt_ld_add_candidate(loader *ld, jt_ydoc *d, const yaml_node_t *at, const char *id,
                         size_t ts_index, char *code, char *source_path, const jt_options *opts,
                         const char *group, const char *desc)
{
    jt_suite *s = ld->s;
    json_t *prev = json_object_get(ld->cand_ids, id);
    if (prev) {
        free(code);
        free(source_path);
        return jt_yerr(ld->err, d, at, "duplicate candidate id '%s' (first defined at %s)", id,
                       json_string_value(prev));
    }
    /* All of it goes into JSON (hash, records, the child's request): UTF-8
     * only. File names are the usual culprit (a glob or dir corpus). */
    const struct { const char *text, *what; } parts[] = {
        {id, "its id"}, {source_path, "its file name"}, {group, "its group"},
        {desc, "its description"}, {code, "its code"}};
    const char *bad = NULL;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && !bad; i++)
        if (parts[i].text && !jt_ld_is_utf8(parts[i].text, strlen(parts[i].text)))
            bad = parts[i].what;
    if (bad) {
        char *eid = jt_ld_escaped(id), *epath = jt_ld_escaped(source_path ? source_path : "");
        jt_yerr(ld->err, d, at, "candidate '%s'%s%s%s: %s is not valid UTF-8", eid,
                source_path ? " (from '" : "", epath, source_path ? "')" : "", bad);
        free(eid);
        free(epath);
        free(code);
        free(source_path);
        return -1;
    }
    char *at_text = jt_ld_mark_text(d, at);
    json_object_set_new(ld->cand_ids, id, json_string(at_text));
    free(at_text);
    JT_GROW(s->candidates, s->n_candidates + 1, s->cap_candidates_);
    jt_candidate *c = &s->candidates[s->n_candidates++];
    memset(c, 0, sizeof *c);
    c->id = jt_xstrdup(id);
    c->test_set = ts_index;
    c->code = code;
    c->source_path = source_path;
    c->group = group ? jt_xstrdup(group) : NULL;
    c->description = desc ? jt_xstrdup(desc) : NULL;
    c->command = ld->pending_command ? json_deep_copy(ld->pending_command) : NULL;
    c->build = ld->pending_build ? jt_xstrdup(ld->pending_build) : NULL;
    jt_options_copy(&c->opts, opts);
    c->mark = jt_ld_mark_of(d, at);
    return 0;
}

static int find_test_set(loader *ld, jt_ydoc *d, yaml_node_t *cand, size_t *index)
{
    yaml_node_t *v = jt_ld_get(d, cand, "test_set", NULL);
    if (!v) {
        if (ld->s->n_test_sets == 1) {
            *index = 0; /* the only test set needs no naming */
            return 0;
        }
        return jt_yerr(ld->err, d, cand, "candidate has no 'test_set' (the suite has %zu)",
                       ld->s->n_test_sets);
    }
    char *name = NULL;
    if (jt_ld_scalar_string(ld, d, v, "test_set", &name)) return -1;
    json_t *e = json_object_get(ld->ts_ids, name);
    if (e) {
        *index = (size_t)json_integer_value(json_object_get(e, "index"));
        free(name);
        return 0;
    }
    const char **ids = jt_xcalloc(ld->s->n_test_sets + 1, sizeof *ids);
    for (size_t i = 0; i < ld->s->n_test_sets; i++) ids[i] = ld->s->test_sets[i].id;
    const char *near = jt_did_you_mean(name, ids);
    if (near)
        jt_yerr(ld->err, d, v, "unknown test set '%s' (did you mean '%s'?)", name, near);
    else
        jt_yerr(ld->err, d, v, "unknown test set '%s'", name);
    free(ids);
    free(name);
    return -1;
}

/* A missing directory is just "no match"; an unreadable one aborts the glob
 * rather than silently dropping the candidates inside it. */
static int glob_error(const char *epath, int eerrno)
{
    (void)epath;
    return eerrno != ENOENT && eerrno != ENOTDIR;
}

static int load_glob(loader *ld, jt_ydoc *d, yaml_node_t *gnode, size_t ts, const jt_options *o,
                     const char *group, const char *desc)
{
    char *pattern = NULL;
    if (jt_ld_scalar_string(ld, d, gnode, "glob", &pattern)) return -1;
    char *full = jt_ld_resolve_path(d->file, pattern);
    glob_t g;
    memset(&g, 0, sizeof g);
    int rc = -1;
    int grc = glob(full, GLOB_MARK, glob_error, &g);
    if (grc == GLOB_NOMATCH || (grc == 0 && g.gl_pathc == 0)) {
        jt_yerr(ld->err, d, gnode, "glob '%s' matched no files", pattern);
        goto out;
    }
    if (grc != 0) {
        jt_yerr(ld->err, d, gnode, "glob '%s' failed: %s", pattern,
                grc == GLOB_ABORTED ? "a directory could not be read" : "out of memory");
        goto out;
    }
    size_t files = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *p = g.gl_pathv[i];
        if (p[strlen(p) - 1] == '/') continue; /* GLOB_MARK: directories end in '/' */
        char *code = NULL;
        if (jt_ld_read_text_file(p, &code, ld->err)) {
            jt_err_prefix(ld->err, "%s:%zu:%zu: cannot read '%s'", d->file,
                          gnode->start_mark.line + 1, gnode->start_mark.column + 1, p);
            goto out;
        }
        char *id = jt_ld_file_stem(p);
        int arc = jt_ld_add_candidate(ld, d, gnode, id, ts, code, jt_xstrdup(p), o, group, desc);
        free(id);
        if (arc) goto out;
        files++;
    }
    if (!files) {
        jt_yerr(ld->err, d, gnode, "glob '%s' matched only directories", pattern);
        goto out;
    }
    rc = 0;
out:
    globfree(&g);
    free(full);
    free(pattern);
    return rc;
}

/* language command: `command` (argv template, required) and `build`
 * (optional); neither is allowed for Python candidates. The candidate's
 * language must match its test set's mode. */
static int load_command_keys(loader *ld, jt_ydoc *d, yaml_node_t *n, const jt_options *o,
                             const jt_test_set *ts, json_t **command, char **build)
{
    bool is_cmd = !strcmp(o->language, "command");
    yaml_node_t *cn = jt_ld_get(d, n, "command", NULL), *bn = jt_ld_get(d, n, "build", NULL);
    jt_err why = JT_ERR_INIT;
    if (jt_ld_language_error(o->language, jt_mode_find(ts->mode), ts->id, &why)) {
        jt_yerr(ld->err, d, n, "%s", jt_err_msg(&why));
        jt_err_clear(&why);
        return -1;
    }
    if (!is_cmd) {
        if (cn || bn)
            return jt_yerr(ld->err, d, cn ? cn : bn, "'%s' needs 'language: command'", cn ? "command" : "build");
        return 0;
    }
    if (!cn) return jt_yerr(ld->err, d, n, "a 'language: command' candidate needs 'command' (a list, e.g. [\"{bin}\"])");
    if (jt_ld_expect_type(ld, d, cn, YAML_SEQUENCE_NODE, "'command'")) return -1;
    *command = json_array();
    for (yaml_node_item_t *it = cn->data.sequence.items.start; it < cn->data.sequence.items.top; it++) {
        yaml_node_t *a = jt_ydoc_node(d, *it);
        if (a->type != YAML_SCALAR_NODE || !*jt_yaml_text(a)) {
            json_decref(*command);
            *command = NULL;
            return jt_yerr(ld->err, d, a, "'command' holds non-empty strings");
        }
        json_array_append_new(*command, json_string(jt_yaml_text(a)));
    }
    if (json_array_size(*command) == 0) {
        json_decref(*command);
        *command = NULL;
        return jt_yerr(ld->err, d, cn, "'command' is empty");
    }
    if (bn && jt_ld_scalar_string(ld, d, bn, "build", build)) {
        json_decref(*command);
        *command = NULL;
        return -1;
    }
    return 0;
}

int jt_ld_load_candidate(loader *ld, jt_ydoc *d, yaml_node_t *n)
{
    if (jt_ld_expect_type(ld, d, n, YAML_MAPPING_NODE, "a candidate") ||
        jt_ld_check_keys(ld, d, n, candidate_own_keys, 1, "a candidate"))
        return -1;
    jt_options o;
    jt_options_copy(&o, &ld->defaults);
    char *id = NULL, *group = NULL, *desc = NULL, *code = NULL, *rel = NULL;
    int rc = -1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
        if (jt_option_apply(&o, d, jt_ydoc_node(d, p->key), jt_ydoc_node(d, p->value), ld->err) < 0)
            goto out;
    if (jt_options_check(&o, jt_ld_get(d, n, "min_trials", NULL) != NULL, d, n, ld->err)) goto out;

    yaml_node_t *v, *idn = jt_ld_get(d, n, "id", NULL);
    if ((v = jt_ld_get(d, n, "group", NULL)) && jt_ld_scalar_string(ld, d, v, "group", &group)) goto out;
    if ((v = jt_ld_get(d, n, "description", NULL)) && jt_ld_scalar_string(ld, d, v, "description", &desc))
        goto out;
    yaml_node_t *corpus = jt_ld_get(d, n, "jsonl", NULL);
    if (!corpus) corpus = jt_ld_get(d, n, "dir", NULL);
    if (!corpus) {
        for (size_t i = 0; corpus_only_keys[i]; i++)
            if ((v = jt_ld_get(d, n, corpus_only_keys[i], NULL))) {
                jt_yerr(ld->err, d, v, "'%s' applies to 'jsonl' and 'dir' corpora only", corpus_only_keys[i]);
                goto out;
            }
    }
    int n_sources = !!jt_ld_get(d, n, "candidate_code", NULL) + !!jt_ld_get(d, n, "file", NULL) +
                    !!jt_ld_get(d, n, "source", NULL) +
                    !!jt_ld_get(d, n, "glob", NULL) + !!jt_ld_get(d, n, "jsonl", NULL) +
                    !!jt_ld_get(d, n, "dir", NULL);
    if (n_sources != 1) {
        jt_yerr(ld->err, d, n, n_sources ? "a candidate takes only one of 'candidate_code', 'file' (or 'source'), 'glob', 'jsonl', 'dir'"
                                         : "a candidate needs one of 'candidate_code', 'file' (or 'source'), 'glob', 'jsonl', 'dir'");
        goto out;
    }
    if (corpus) {
        yaml_node_t *bad = idn ? idn : jt_ld_get(d, n, "test_set", NULL);
        if (bad) {
            jt_yerr(ld->err, d, bad, "'%s' cannot be combined with a corpus (ids and test sets come "
                                     "from each sample's task)", idn ? "id" : "test_set");
            goto out;
        }
        rc = jt_ld_load_corpus(ld, d, n, &o, group, desc);
        goto out;
    }
    size_t ts = 0;
    if (find_test_set(ld, d, n, &ts)) goto out;
    if (idn && jt_ld_scalar_string(ld, d, idn, "id", &id)) goto out;
    json_t *command = NULL;
    char *build = NULL;
    if (load_command_keys(ld, d, n, &o, &ld->s->test_sets[ts], &command, &build)) goto out;
    ld->pending_command = command; /* attached to the candidate(s) added below */
    ld->pending_build = build;

    yaml_node_t *inl = jt_ld_get(d, n, "candidate_code", NULL), *file = jt_ld_get(d, n, "file", NULL),
                *gl = jt_ld_get(d, n, "glob", NULL);
    if (!file) file = jt_ld_get(d, n, "source", NULL);
    if (gl) {
        if (idn) {
            jt_yerr(ld->err, d, idn, "'id' cannot be combined with 'glob' (ids are the file stems)");
            goto out;
        }
        rc = load_glob(ld, d, gl, ts, &o, group, desc);
        goto out;
    }
    if (inl) {
        if (!idn) {
            jt_yerr(ld->err, d, n, "candidate has no 'id'");
            goto out;
        }
        if (inl->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(inl) != JT_SCALAR_STR) {
            jt_yerr(ld->err, d, inl, "'candidate_code' must be a string (use a '|' block), not %s",
                    jt_ld_node_kind(inl));
            goto out;
        }
        code = jt_xstrndup(jt_yaml_text(inl), inl->data.scalar.length);
        rc = jt_ld_add_candidate(ld, d, idn, id, ts, code, NULL, &o, group, desc);
        code = NULL;
        goto out;
    }
    const char *fkey = jt_ld_get(d, n, "file", NULL) ? "file" : "source";
    if (jt_ld_scalar_string(ld, d, file, fkey, &rel)) goto out;
    char *path = jt_ld_resolve_path(d->file, rel);
    if (jt_ld_read_text_file(path, &code, ld->err)) {
        jt_err_prefix(ld->err, "%s:%zu:%zu: cannot read '%s'", d->file, file->start_mark.line + 1,
                      file->start_mark.column + 1, rel);
        free(path);
        goto out;
    }
    if (!id) id = jt_ld_file_stem(path);
    rc = jt_ld_add_candidate(ld, d, idn ? idn : file, id, ts, code, path, &o, group, desc);
    code = NULL;
out:
    json_decref(ld->pending_command);
    free(ld->pending_build);
    ld->pending_command = NULL;
    ld->pending_build = NULL;
    jt_options_release(&o);
    free(id);
    free(group);
    free(desc);
    free(code);
    free(rel);
    return rc;
}
