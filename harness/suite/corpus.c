/* Sample corpora as candidates: `- jsonl: samples.jsonl[.gz]` or
 * `- dir: samples/` in a suite's candidates.
 *
 * JSONL lines are {task_id, completion} (appended to the task's prompt) or
 * {task_id, solution} (self-contained; wins when both exist), as HumanEval
 * and EvalPlus write them. Repeated task ids are several samples; each gets
 * the id "<task_id>#<n>" with n counting that task's samples from 0 in file
 * order, so ids are stable for a given file. Every other field is kept as
 * metadata; `group_field` names the one that groups candidates (e.g. the
 * model). Directory corpora follow EvalPlus: <TASK_ID with / as _>/<n>.py.
 * `sanitize: true` cleans raw LLM text (see sanitize_sample). */
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/jsonl.h"
#include "suite/loader.h"

typedef struct cctx {
    loader *ld;
    jt_ydoc *d;
    yaml_node_t *at;
    const jt_options *opts;
    const char *id_field, *ts_field, *code_field, *group_field;
    bool sanitize, skip_unknown;
    const char *group, *desc;
} cctx;

/* Cleans raw LLM output: keeps the first fenced code block that defines
 * `entry` (else the first fenced block), or the text as it is when it has
 * no fences. Returns NULL (no code) when nothing code-like remains: empty,
 * or prose without any of "def ", "return", "import", "lambda", "=". */
static char *sanitize_sample(const char *text, const char *entry)
{
    char *want = jt_xasprintf("def %s(", entry ? entry : "");
    char *best = NULL, *first = NULL;
    const char *p = text;
    while ((p = strstr(p, "```"))) {
        const char *body = strchr(p + 3, '\n'); /* skip the info string (```python) */
        if (!body) break;
        body++;
        const char *end = strstr(body, "```");
        size_t len = end ? (size_t)(end - body) : strlen(body);
        char *block = jt_xstrndup(body, len);
        if (!first) first = jt_xstrdup(block);
        if (!best && entry && strstr(block, want)) best = jt_xstrdup(block);
        free(block);
        if (!end) break;
        p = end + 3;
    }
    char *code = best ? best : first ? jt_xstrdup(first) : jt_xstrdup(text);
    free(best != code ? best : NULL);
    free(first);
    free(want);
    size_t n = strspn(code, " \t\r\n");
    static const char *const codeish[] = {"def ", "return", "import", "lambda", "=", NULL};
    int looks = 0;
    for (size_t i = 0; codeish[i] && !looks; i++) looks = strstr(code, codeish[i]) != NULL;
    if (code[n] == '\0' || !looks) {
        free(code);
        return NULL;
    }
    return code;
}

static long find_set(loader *ld, const char *id)
{
    json_t *e = json_object_get(ld->ts_ids, id);
    return e ? (long)json_integer_value(json_object_get(e, "index")) : -1;
}

/* Adds one sample. code is owned (may be NULL with no_code set). */
static int add_sample(cctx *c, const char *task, size_t ts, char *code, const char *no_code,
                      char *source, json_t *meta, const char *group)
{
    json_t *counts = c->ld->sample_counts; /* suite-wide: two corpora never reuse an id */
    json_int_t n = json_integer_value(json_object_get(counts, task));
    json_object_set_new(counts, task, json_integer(n + 1));
    char *id = jt_xasprintf("%s#%lld", task, (long long)n);
    loader *ld = c->ld;
    size_t before = ld->s->n_candidates;
    int rc = jt_ld_add_candidate(ld, c->d, c->at, id, ts, code ? code : jt_xstrdup(""), source,
                                 c->opts, group ? group : c->group, c->desc);
    if (rc == 0 && ld->s->n_candidates > before) {
        jt_candidate *cand = &ld->s->candidates[ld->s->n_candidates - 1];
        cand->metadata = meta ? json_incref(meta) : NULL;
        cand->no_code = no_code ? jt_xstrdup(no_code) : NULL;
    }
    free(id);
    return rc;
}

static int jsonl_line(cctx *c, const char *path, size_t lineno, json_t *o)
{
    loader *ld = c->ld;
    json_t *t = json_object_get(o, c->ts_field);
    char *task = json_is_string(t) ? jt_xstrdup(json_string_value(t))
                 : json_is_integer(t) ? jt_xasprintf("MBPP/%lld", (long long)json_integer_value(t))
                                      : NULL;
    if (!task) return jt_err_set(ld->err, "%s:%zu: no '%s' (string) in this sample", path, lineno, c->ts_field);
    long ts = find_set(ld, task);
    if (ts < 0) {
        int rc = 0;
        if (!c->skip_unknown) {
            const char **ids = jt_xcalloc(ld->s->n_test_sets + 1, sizeof *ids);
            for (size_t i = 0; i < ld->s->n_test_sets; i++) ids[i] = ld->s->test_sets[i].id;
            const char *near = jt_did_you_mean(task, ids);
            rc = jt_err_set(ld->err, "%s:%zu: task '%s' is not a test set of this suite%s%s%s "
                                     "(skip_unknown_tasks: true ignores such samples)",
                            path, lineno, task, near ? " (did you mean '" : "", near ? near : "",
                            near ? "'?)" : "");
            free(ids);
        }
        free(task);
        return rc;
    }
    const jt_test_set *set = &ld->s->test_sets[ts];
    const char *code = NULL;
    int completion = 0;
    if (c->code_field) {
        code = json_string_value(json_object_get(o, c->code_field));
        completion = !strcmp(c->code_field, "completion");
    } else if ((code = json_string_value(json_object_get(o, "solution")))) {
        completion = 0;
    } else if ((code = json_string_value(json_object_get(o, "completion")))) {
        completion = 1;
    }
    if (!code) {
        free(task);
        return jt_err_set(ld->err, "%s:%zu: no code: the sample needs '%s'", path, lineno,
                          c->code_field ? c->code_field : "solution' or 'completion");
    }
    char *text = NULL;
    const char *no_code = NULL;
    if (c->sanitize) {
        text = sanitize_sample(code, set->function_name);
        if (!text) no_code = "the sample holds no code";
    } else {
        text = jt_xstrdup(code);
    }
    if (text && completion) {
        if (!set->prompt) {
            free(text);
            free(task);
            return jt_err_set(ld->err, "%s:%zu: a completion is appended to the task's prompt, and "
                                       "test set '%s' has none (use 'solution', or give the test set a prompt)",
                              path, lineno, set->id);
        }
        char *full = jt_xasprintf("%s%s", set->prompt, text);
        free(text);
        text = full;
    }
    json_t *meta = json_deep_copy(o);
    json_object_del(meta, c->ts_field);
    json_object_del(meta, "solution");
    json_object_del(meta, "completion");
    if (c->code_field) json_object_del(meta, c->code_field);
    const char *group = c->group_field ? json_string_value(json_object_get(o, c->group_field)) : NULL;
    char *source = jt_xasprintf("%s:%zu", path, lineno);
    int rc = add_sample(c, task, (size_t)ts, text, no_code, source, json_object_size(meta) ? meta : NULL, group);
    json_decref(meta);
    free(task);
    return rc;
}

static int load_jsonl(cctx *c, const char *path)
{
    jt_lines *lines = NULL;
    if (jt_lines_open(path, &lines, c->ld->err) != 0) return -1;
    const char *text;
    size_t len, lineno, samples = 0;
    int rc = 0, r;
    while (rc == 0 && (r = jt_lines_next(lines, &text, &len, &lineno, c->ld->err)) > 0) {
        if (strspn(text, " \t") == len) continue;
        json_error_t je;
        json_t *o = jt_json_loads_exact(text, len, &je);
        if (!json_is_object(o))
            rc = jt_err_set(c->ld->err, "%s:%zu:%d: not a JSON object: %s", path, lineno,
                            o ? 1 : je.column, o ? "another JSON value" : je.text);
        else
            rc = jsonl_line(c, path, lineno, o);
        json_decref(o);
        samples++;
    }
    if (rc == 0 && r < 0) rc = -1;
    jt_lines_close(lines);
    if (rc == 0 && samples == 0) rc = jt_yerr(c->ld->err, c->d, c->at, "'%s' holds no samples", path);
    return rc;
}

static int numeric_name(const struct dirent **a, const struct dirent **b)
{
    long x = strtol((*a)->d_name, NULL, 10), y = strtol((*b)->d_name, NULL, 10);
    return x != y ? (x > y) - (x < y) : strcmp((*a)->d_name, (*b)->d_name);
}

static int py_file(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 3 && !strcmp(e->d_name + n - 3, ".py");
}

static int load_dir(cctx *c, const char *root)
{
    loader *ld = c->ld;
    /* mangled directory name → test set */
    json_t *by_dir = json_object();
    for (size_t i = 0; i < ld->s->n_test_sets; i++) {
        char *m = jt_xstrdup(ld->s->test_sets[i].id);
        for (char *p = m; *p; p++)
            if (*p == '/') *p = '_';
        json_t *prev = json_object_get(by_dir, m);
        if (prev) {
            int r = jt_yerr(ld->err, c->d, c->at, "test sets '%s' and '%s' share the directory name '%s'",
                            ld->s->test_sets[json_integer_value(prev)].id, ld->s->test_sets[i].id, m);
            free(m);
            json_decref(by_dir);
            return r;
        }
        json_object_set_new(by_dir, m, json_integer((json_int_t)i));
        free(m);
    }
    struct dirent **tasks = NULL;
    int nt = scandir(root, &tasks, NULL, alphasort);
    int rc = 0;
    size_t samples = 0;
    if (nt < 0) {
        json_decref(by_dir);
        return jt_yerr(ld->err, c->d, c->at, "cannot read directory '%s'", root);
    }
    for (int i = 0; i < nt; i++) {
        const char *name = tasks[i]->d_name;
        char *sub = jt_xasprintf("%s/%s", root, name);
        struct stat st;
        int is_dir = name[0] != '.' && stat(sub, &st) == 0 && S_ISDIR(st.st_mode);
        json_t *idx = is_dir ? json_object_get(by_dir, name) : NULL;
        if (is_dir && !idx && !c->skip_unknown && rc == 0)
            rc = jt_err_set(ld->err, "%s: directory '%s' matches no test set of this suite "
                                     "(skip_unknown_tasks: true ignores it)", root, name);
        if (idx && rc == 0) {
            const char *task = ld->s->test_sets[json_integer_value(idx)].id;
            struct dirent **files = NULL;
            int nf = scandir(sub, &files, py_file, numeric_name);
            if (nf < 0)
                rc = jt_err_set(ld->err, "%s: cannot read directory: %s", sub, strerror(errno));
            for (int k = 0; k < nf; k++) {
                char *fp = jt_xasprintf("%s/%s", sub, files[k]->d_name);
                char *code = NULL;
                if (rc == 0 && jt_ld_read_text_file(fp, &code, ld->err) != 0)
                    rc = jt_err_prefix(ld->err, "%s", fp);
                if (rc == 0) {
                    const char *no_code = NULL;
                    if (c->sanitize) {
                        char *clean = sanitize_sample(code, ld->s->test_sets[json_integer_value(idx)].function_name);
                        free(code);
                        code = clean;
                        if (!code) no_code = "the sample holds no code";
                    }
                    rc = add_sample(c, task, (size_t)json_integer_value(idx), code, no_code,
                                    jt_xstrdup(fp), NULL, NULL);
                    code = NULL;
                    samples++;
                }
                free(code);
                free(fp);
                free(files[k]);
            }
            free(files);
        }
        free(sub);
        free(tasks[i]);
    }
    free(tasks);
    json_decref(by_dir);
    if (rc == 0 && samples == 0) rc = jt_yerr(ld->err, c->d, c->at, "'%s' holds no samples", root);
    return rc;
}

static int opt_string(loader *ld, jt_ydoc *d, yaml_node_t *n, const char *key, const char **out,
                      char **hold)
{
    yaml_node_t *v = jt_ld_get(d, n, key, NULL);
    if (!v) return 0;
    if (jt_ld_scalar_string(ld, d, v, key, hold)) return -1;
    *out = *hold;
    return 0;
}

static int opt_bool(loader *ld, jt_ydoc *d, yaml_node_t *n, const char *key, bool *out)
{
    yaml_node_t *v = jt_ld_get(d, n, key, NULL);
    if (!v) return 0;
    if (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_BOOL)
        return jt_yerr(ld->err, d, v, "'%s' must be true or false", key);
    *out = jt_yaml_text(v)[0] == 't' || jt_yaml_text(v)[0] == 'T';
    return 0;
}

int jt_ld_load_corpus(loader *ld, jt_ydoc *d, yaml_node_t *n, const jt_options *o,
                      const char *group, const char *desc)
{
    cctx c = {.ld = ld, .d = d, .opts = o, .ts_field = "task_id",
              .group = group, .desc = desc};
    char *h1 = NULL, *h2 = NULL, *h3 = NULL, *h4 = NULL, *rel = NULL, *path = NULL;
    int rc = -1;
    yaml_node_t *src = jt_ld_get(d, n, "jsonl", NULL);
    int is_dir = !src;
    if (!src) src = jt_ld_get(d, n, "dir", NULL);
    c.at = src;
    if (opt_string(ld, d, n, "id_field", &c.id_field, &h1) ||
        opt_string(ld, d, n, "test_set_field", &c.ts_field, &h2) ||
        opt_string(ld, d, n, "code_field", &c.code_field, &h3) ||
        opt_string(ld, d, n, "group_field", &c.group_field, &h4) ||
        opt_bool(ld, d, n, "sanitize", &c.sanitize) ||
        opt_bool(ld, d, n, "skip_unknown_tasks", &c.skip_unknown) ||
        jt_ld_scalar_string(ld, d, src, is_dir ? "dir" : "jsonl", &rel))
        goto out;
    /* id_field: samples are named after their task (task_id by default). */
    if (c.id_field && strcmp(c.id_field, c.ts_field)) {
        jt_yerr(ld->err, d, jt_ld_get(d, n, "id_field", NULL),
                "'id_field' must equal 'test_set_field' ('%s'): ids are <task>#<n>", c.ts_field);
        goto out;
    }
    path = jt_ld_resolve_path(d->file, rel);
    char hex[65] = "";
    if (!is_dir && jt_file_sha256(path, hex, ld->err) != 0) {
        jt_err_prefix(ld->err, "%s:%zu:%zu: cannot read corpus", d->file, src->start_mark.line + 1,
                      src->start_mark.column + 1);
        goto out;
    }
    if (!ld->s->datasets) ld->s->datasets = json_array();
    json_array_append_new(ld->s->datasets,
                          json_pack("{s:s,s:s,s:s,s:s?}", "role", "candidates", "format",
                                    is_dir ? "dir" : "jsonl", "path", path, "sha256",
                                    is_dir ? NULL : hex));
    rc = is_dir ? load_dir(&c, path) : load_jsonl(&c, path);
out:
    free(h1), free(h2), free(h3), free(h4), free(rel), free(path);
    return rc;
}
