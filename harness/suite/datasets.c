/* Problem datasets as test sets: `- problems: {format, path, ...}` in a
 * suite's test_sets creates one test set per task.
 *
 *   humaneval  {task_id, prompt, canonical_solution, test, entry_point}: the
 *              task's check(candidate) is an assert script (mode script),
 *              compiled into call cases before judging when every statement
 *              has a shape the assert compiler takes (asserts.h)
 *   evalplus   HumanEval+/MBPP+: base_input (and plus_input with
 *              `inputs: plus|all`) as call inputs; expected outputs come from
 *              the canonical solution (computed in the sandbox before judging,
 *              cached); floats compare as EvalPlus does (comparator close,
 *              rtol 1e-7, atol the task's atol or 1e-6)
 *   mbpp       {task_id, code, test_list, test_setup_code|test_imports}: each
 *              assert of test_list is a script test case (compiled as for
 *              humaneval)
 *
 * Files may be gzip-compressed. Malformed lines fail with FILE:LINE. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/jsonl.h"
#include "suite/loader.h"

static const char *const problem_keys[] = {"format", "path", "inputs", "tasks", "limit",
                                           "canonical_candidates", NULL};
static const char *const formats[] = {"humaneval", "evalplus", "mbpp", NULL};

typedef struct pctx {
    loader *ld;
    jt_ydoc *d;
    yaml_node_t *at;        /* the problems mapping: where set-level errors point */
    const char *format;
    const char *path;       /* as resolved */
    int plus, base;         /* evalplus inputs */
    json_t *tasks;          /* object of wanted ids, or NULL for all */
    long limit;             /* 0 = no limit */
    bool canonical;
} pctx;

static const char *str_field(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* "HumanEval/3", or "MBPP/12" for MBPP's integer ids. Caller frees. */
static char *task_id_of(const json_t *o)
{
    json_t *t = json_object_get(o, "task_id");
    if (json_is_string(t)) return jt_xstrdup(json_string_value(t));
    if (json_is_integer(t)) return jt_xasprintf("MBPP/%lld", (long long)json_integer_value(t));
    return NULL;
}

/* Registers a new test set named id; *out points into the suite. */
static int new_test_set(pctx *p, const char *id, size_t line, jt_test_set **out)
{
    loader *ld = p->ld;
    jt_suite *s = ld->s;
    json_t *prev = json_object_get(ld->ts_ids, id);
    if (prev)
        return jt_err_set(ld->err, "%s:%zu: task '%s' is already a test set (defined at %s)",
                          p->path, line, id, json_string_value(json_object_get(prev, "at")));
    JT_GROW(s->test_sets, s->n_test_sets + 1, s->cap_test_sets_);
    jt_test_set *ts = &s->test_sets[s->n_test_sets++];
    memset(ts, 0, sizeof *ts);
    ts->id = jt_xstrdup(id);
    ts->mark = (jt_mark){jt_ld_intern_file(s, p->path), (unsigned)line, 1};
    jt_ld_test_set_defaults(ts); /* the tolerances */
    ts->comparator = jt_xstrdup(jt_comparator_get(JT_CMP_EXACT)->name);
    ts->test_cases = json_array();
    char *at = jt_xasprintf("%s:%zu", p->path, line);
    json_object_set_new(ld->ts_ids, id,
                        json_pack("{s:I,s:s}", "index", (json_int_t)(s->n_test_sets - 1), "at", at));
    free(at);
    *out = ts;
    return 0;
}

static int need(pctx *p, const json_t *o, const char *k, size_t line, const char **out)
{
    *out = str_field(o, k);
    if (!*out) return jt_err_set(p->ld->err, "%s:%zu: '%s' (a string) is missing", p->path, line, k);
    return 0;
}

static int humaneval_task(pctx *p, const json_t *o, const char *id, size_t line, jt_test_set *ts)
{
    const char *prompt, *canon, *test, *entry;
    if (need(p, o, "prompt", line, &prompt) || need(p, o, "canonical_solution", line, &canon) ||
        need(p, o, "test", line, &test) || need(p, o, "entry_point", line, &entry))
        return -1;
    (void)id;
    ts->function_name = jt_xstrdup(entry);
    ts->mode = jt_xstrdup(jt_mode_get(JT_MODE_SCRIPT)->name);
    ts->prompt = jt_xstrdup(prompt);
    ts->reference_code = jt_xasprintf("%s%s", prompt, canon);
    char *script = jt_xasprintf("%s\n\ncheck(%s)\n", test, entry);
    json_array_append_new(ts->test_cases, json_pack("{s:s,s:s}", "test_id", "check", "script", script));
    free(script);
    ts->asserts = true; /* check()'s asserts may become call cases (asserts.h) */
    return 0;
}

static int add_inputs(pctx *p, const json_t *list, const char *prefix, size_t line, jt_test_set *ts)
{
    if (!json_is_array(list))
        return jt_err_set(p->ld->err, "%s:%zu: '%s_input' must be a list of argument lists", p->path,
                          line, prefix);
    size_t i;
    json_t *args;
    json_array_foreach(list, i, args) {
        if (!json_is_array(args))
            return jt_err_set(p->ld->err, "%s:%zu: %s_input[%zu] is not a list of arguments", p->path,
                              line, prefix, i);
        char *tid = jt_xasprintf("%s-%zu", prefix, i);
        json_array_append_new(ts->test_cases, json_pack("{s:s,s:O}", "test_id", tid, "inputs", args));
        free(tid);
    }
    return 0;
}

static int evalplus_task(pctx *p, const json_t *o, const char *id, size_t line, jt_test_set *ts)
{
    const char *entry;
    if (need(p, o, "entry_point", line, &entry)) return -1;
    const char *prompt = str_field(o, "prompt"), *canon = str_field(o, "canonical_solution"),
               *code = str_field(o, "code");
    if (!canon && !code)
        return jt_err_set(p->ld->err, "%s:%zu: task '%s' has neither 'canonical_solution' nor 'code'",
                          p->path, line, id);
    ts->function_name = jt_xstrdup(entry);
    ts->mode = jt_xstrdup(jt_mode_get(JT_MODE_CALL)->name);
    ts->prompt = prompt ? jt_xstrdup(prompt) : NULL;
    ts->reference_code = canon ? jt_xasprintf("%s%s", prompt ? prompt : "", canon) : jt_xstrdup(code);
    free(ts->comparator);
    ts->comparator = jt_xstrdup(jt_comparator_get(JT_CMP_CLOSE)->name);
    /* EvalPlus: atol is per task (a string or number), 0 meaning 1e-6 for floats. */
    json_t *a = json_object_get(o, "atol");
    double atol = json_is_number(a) ? json_number_value(a) : json_is_string(a) ? strtod(json_string_value(a), NULL) : 0;
    ts->atol = atol > 0 ? atol : 1e-6;
    ts->rtol = 1e-7;
    if (p->base && add_inputs(p, json_object_get(o, "base_input"), "base", line, ts)) return -1;
    if (p->plus && add_inputs(p, json_object_get(o, "plus_input"), "plus", line, ts)) return -1;
    ts->needs_expected = json_array_size(ts->test_cases) > 0;
    return 0;
}

/* The entry point of an MBPP task: the first function the reference defines
 * that the first assert calls. */
static char *mbpp_entry(const char *code, const char *first_assert)
{
    for (const char *p = code; (p = strstr(p, "def ")); p += 4) {
        if (p != code && !isspace((unsigned char)p[-1])) continue;
        const char *n = p + 4;
        size_t len = 0;
        while (isalnum((unsigned char)n[len]) || n[len] == '_') len++;
        if (!len) continue;
        char *name = jt_xstrndup(n, len);
        for (const char *q = first_assert; (q = strstr(q, name)); q += len) {
            int left = q == first_assert || !(isalnum((unsigned char)q[-1]) || q[-1] == '_' || q[-1] == '.');
            const char *r = q + len;
            while (*r == ' ') r++;
            if (left && *r == '(') return name;
        }
        free(name);
    }
    return NULL;
}

static int mbpp_task(pctx *p, const json_t *o, const char *id, size_t line, jt_test_set *ts)
{
    const char *code;
    if (need(p, o, "code", line, &code)) return -1;
    json_t *tests = json_object_get(o, "test_list");
    if (!json_is_array(tests) || !json_array_size(tests) || !json_is_string(json_array_get(tests, 0)))
        return jt_err_set(p->ld->err, "%s:%zu: 'test_list' must be a non-empty list of assert strings",
                          p->path, line);
    char *entry = mbpp_entry(code, json_string_value(json_array_get(tests, 0)));
    if (!entry)
        return jt_err_set(p->ld->err, "%s:%zu: task '%s': cannot tell which function the asserts test",
                          p->path, line, id);
    ts->function_name = entry;
    ts->mode = jt_xstrdup(jt_mode_get(JT_MODE_SCRIPT)->name);
    ts->reference_code = jt_xstrdup(code);
    ts->asserts = true; /* the asserts may become call cases (asserts.h) */
    /* MBPP's `text` is prose, not a code prompt: completions cannot extend it. */
    /* test_setup_code (original MBPP) or test_imports (sanitized MBPP) */
    jt_buf setup = JT_BUF_INIT;
    if (str_field(o, "test_setup_code")) jt_buf_adds(&setup, str_field(o, "test_setup_code"));
    json_t *imports = json_object_get(o, "test_imports");
    size_t i;
    json_t *v;
    json_array_foreach(imports, i, v) if (json_is_string(v)) {
        jt_buf_adds(&setup, "\n");
        jt_buf_adds(&setup, json_string_value(v));
    }
    if (setup.len && strspn(jt_buf_str(&setup), " \t\r\n") < setup.len) ts->setup_code = jt_buf_detach(&setup);
    jt_buf_release(&setup);
    json_array_foreach(tests, i, v) {
        if (!json_is_string(v))
            return jt_err_set(p->ld->err, "%s:%zu: test_list[%zu] is not a string", p->path, line, i);
        char *tid = jt_xasprintf("assert-%zu", i);
        json_array_append_new(ts->test_cases, json_pack("{s:s,s:s}", "test_id", tid, "script",
                                                        json_string_value(v)));
        free(tid);
    }
    return 0;
}

static int add_canonical(pctx *p, jt_test_set *ts, size_t ts_index)
{
    char *cid = jt_xasprintf("%s#canonical", ts->id);
    free(ts->reference);
    ts->reference = jt_xstrdup(cid);
    int rc = jt_ld_add_candidate(p->ld, p->d, p->at, cid, ts_index, jt_xstrdup(ts->reference_code),
                                 jt_xstrdup(p->path), &p->ld->defaults, NULL, "canonical solution");
    free(cid);
    return rc;
}

static int read_problems(pctx *p)
{
    jt_lines *lines = NULL;
    if (jt_lines_open(p->path, &lines, p->ld->err) != 0) return -1;
    const char *text;
    size_t len, lineno, taken = 0;
    int rc = 0, r;
    while (rc == 0 && (r = jt_lines_next(lines, &text, &len, &lineno, p->ld->err)) > 0) {
        if (strspn(text, " \t") == len) continue;
        if (p->limit && (long)taken >= p->limit) break;
        json_error_t je;
        json_t *o = jt_json_loads_exact(text, len, &je);
        if (!json_is_object(o)) {
            rc = jt_err_set(p->ld->err, "%s:%zu:%d: not a JSON object: %s", p->path, lineno,
                            o ? 1 : je.column, o ? "another JSON value" : je.text);
            json_decref(o);
            break;
        }
        char *id = task_id_of(o);
        if (!id) {
            rc = jt_err_set(p->ld->err, "%s:%zu: no 'task_id'", p->path, lineno);
        } else if (!p->tasks || json_object_get(p->tasks, id)) {
            jt_test_set *ts = NULL;
            rc = new_test_set(p, id, lineno, &ts);
            size_t idx = p->ld->s->n_test_sets - 1;
            if (rc == 0) {
                if (!strcmp(p->format, "humaneval")) rc = humaneval_task(p, o, id, lineno, ts);
                else if (!strcmp(p->format, "evalplus")) rc = evalplus_task(p, o, id, lineno, ts);
                else rc = mbpp_task(p, o, id, lineno, ts);
            }
            if (rc == 0) {
                ts = &p->ld->s->test_sets[idx];
                ts->n_cases = json_array_size(ts->test_cases);
                if (!ts->n_cases)
                    rc = jt_err_set(p->ld->err, "%s:%zu: task '%s' has no test cases", p->path, lineno, id);
            }
            if (rc == 0 && p->canonical) rc = add_canonical(p, &p->ld->s->test_sets[idx], idx);
            taken++;
        }
        free(id);
        json_decref(o);
    }
    if (rc == 0 && r < 0) rc = -1;
    jt_lines_close(lines);
    if (rc == 0 && taken == 0)
        rc = jt_yerr(p->ld->err, p->d, p->at, "'%s' holds no (selected) tasks", p->path);
    /* every task named in `tasks:` must exist (a typo must not shrink a run) */
    const char *want;
    json_t *unused;
    json_object_foreach(p->tasks, want, unused) {
        if (rc == 0 && !json_object_get(p->ld->ts_ids, want) && !p->limit)
            rc = jt_yerr(p->ld->err, p->d, p->at, "task '%s' (in 'tasks') is not in '%s'", want, p->path);
    }
    return rc;
}

int jt_ld_load_problems(loader *ld, jt_ydoc *d, yaml_node_t *n)
{
    if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
        return jt_yerr(ld->err, d, n, "a 'problems' entry takes no other keys (put them inside it)");
    yaml_node_t *m = jt_ld_get(d, n, "problems", NULL);
    if (jt_ld_expect_type(ld, d, m, YAML_MAPPING_NODE, "'problems'") ||
        jt_ld_check_keys(ld, d, m, problem_keys, 0, "'problems'"))
        return -1;
    pctx p = {.ld = ld, .d = d, .at = m, .base = 1};
    char *format = NULL, *rel = NULL, *inputs = NULL, *path = NULL;
    int rc = -1;
    yaml_node_t *v = jt_ld_get(d, m, "format", NULL);
    if (!v) {
        jt_yerr(ld->err, d, m, "'problems' needs 'format' (humaneval, evalplus or mbpp)");
        goto out;
    }
    if (jt_ld_scalar_string(ld, d, v, "format", &format)) goto out;
    size_t i = 0;
    while (formats[i] && strcmp(formats[i], format)) i++;
    if (!formats[i]) {
        const char *near = jt_did_you_mean(format, formats);
        jt_yerr(ld->err, d, v, "format '%s' is not one of humaneval, evalplus, mbpp%s%s%s", format,
                near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        goto out;
    }
    p.format = format;
    if (!(v = jt_ld_get(d, m, "path", NULL))) {
        jt_yerr(ld->err, d, m, "'problems' needs 'path'");
        goto out;
    }
    if (jt_ld_scalar_string(ld, d, v, "path", &rel)) goto out;
    path = jt_ld_resolve_path(d->file, rel);
    p.path = jt_ld_intern_file(ld->s, path);
    char hex[65];
    if (jt_file_sha256(path, hex, ld->err) != 0) {
        jt_err_prefix(ld->err, "%s:%zu:%zu: cannot read problems", d->file, v->start_mark.line + 1,
                      v->start_mark.column + 1);
        goto out;
    }
    if ((v = jt_ld_get(d, m, "inputs", NULL))) {
        if (jt_ld_scalar_string(ld, d, v, "inputs", &inputs)) goto out;
        if (strcmp(format, "evalplus")) {
            jt_yerr(ld->err, d, v, "'inputs' applies to format evalplus only");
            goto out;
        }
        if (!strcmp(inputs, "base")) p.base = 1, p.plus = 0;
        else if (!strcmp(inputs, "plus")) p.base = 0, p.plus = 1;
        else if (!strcmp(inputs, "all")) p.base = 1, p.plus = 1;
        else {
            jt_yerr(ld->err, d, v, "'inputs' must be base, plus or all, not '%s'", inputs);
            goto out;
        }
    }
    if ((v = jt_ld_get(d, m, "tasks", NULL))) {
        if (jt_ld_expect_type(ld, d, v, YAML_SEQUENCE_NODE, "'tasks'")) goto out;
        p.tasks = json_object();
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            char *t = NULL;
            if (jt_ld_scalar_string(ld, d, jt_ydoc_node(d, *it), "tasks", &t)) goto out;
            json_object_set_new(p.tasks, t, json_true());
            free(t);
        }
    }
    if ((v = jt_ld_get(d, m, "limit", NULL))) {
        if (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_INT ||
            (p.limit = strtol(jt_yaml_text(v), NULL, 10)) < 1) {
            jt_yerr(ld->err, d, v, "'limit' must be a positive integer");
            goto out;
        }
    }
    if ((v = jt_ld_get(d, m, "canonical_candidates", NULL))) {
        if (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_BOOL) {
            jt_yerr(ld->err, d, v, "'canonical_candidates' must be true or false");
            goto out;
        }
        p.canonical = jt_yaml_text(v)[0] == 't' || jt_yaml_text(v)[0] == 'T';
    }
    if (!ld->s->datasets) ld->s->datasets = json_array();
    json_array_append_new(ld->s->datasets, json_pack("{s:s,s:s,s:s,s:s}", "role", "problems", "format",
                                                     format, "path", path, "sha256", hex));
    rc = read_problems(&p);
out:
    json_decref(p.tasks);
    free(format);
    free(rel);
    free(inputs);
    free(path);
    return rc;
}
