/* Suite loader (suite.h): walks the YAML tree against the suite schema.
 *
 * Order of work: top-level keys are checked first (unknown key → error with
 * "did you mean"), then `defaults`, all test sets (inline and included), then
 * candidates, then cross-references. Ids are kept in jansson objects used as
 * hash sets, so duplicate detection stays linear in the number of ids. */
#include "jouletrace/suite.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/fsutil.h"
#include "suite/loader.h"
#include "suite/options.h"
#include "suite/yamlvalue.h"



static const char *const top_keys[] = {"suite", "description", "defaults", "test_sets",
                                       "candidates", NULL};
static const char *const test_set_keys[] = {
    "id", "function_name", "mode", "description", "reference", "test_cases", "include",
    "problems", "comparator", "atol", "rtol", "checker", "setup_code", "prelude", "prompt",
    "convert", NULL};
static const char *const test_case_keys[] = {"test_id", "inputs", "expected_output", "script",
                                             "stdin", "args", "expected_stdout",
                                             "expected_exit_code", "description", NULL};
static const char *const comparators[] = {"exact", "close", "set", "not_none", "checker", "stdout",
                                          NULL};
static const char *const modes[] = {"call", "method", "script", "command", NULL};


/* ---- test sets ---------------------------------------------------------- */

/* A test case of a mode command test set: stdin, args, expected_stdout,
 * expected_exit_code (0 by default). */
static int load_command_case(loader *ld, jt_ydoc *d, yaml_node_t *n, const char *id,
                             jt_test_set *ts, json_t *tc)
{
    static const char *const not_here[] = {"inputs", "expected_output", "script", NULL};
    for (size_t k = 0; not_here[k]; k++) {
        yaml_node_t *x = jt_ld_get(d, n, not_here[k], NULL);
        if (x)
            return jt_yerr(ld->err, d, x, "a test case of a mode 'command' test set takes stdin, "
                                          "args, expected_stdout, expected_exit_code; not '%s'",
                           not_here[k]);
    }
    yaml_node_t *v = jt_ld_get(d, n, "stdin", NULL);
    if (v && (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_STR))
        return jt_yerr(ld->err, d, v, "'stdin' must be a string (quote it), not %s", jt_ld_node_kind(v));
    json_object_set_new(tc, "stdin", json_stringn(v ? jt_yaml_text(v) : "", v ? v->data.scalar.length : 0));
    json_t *args = json_array();
    json_object_set_new(tc, "args", args);
    if ((v = jt_ld_get(d, n, "args", NULL))) {
        if (jt_ld_expect_type(ld, d, v, YAML_SEQUENCE_NODE, "'args'")) return -1;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *a = jt_ydoc_node(d, *it);
            if (a->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(a) == JT_SCALAR_NULL)
                return jt_yerr(ld->err, d, a, "'args' holds strings (program arguments)");
            json_array_append_new(args, json_string(jt_yaml_text(a)));
        }
    }
    if ((v = jt_ld_get(d, n, "expected_stdout", NULL))) {
        if (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_STR)
            return jt_yerr(ld->err, d, v, "'expected_stdout' must be a string (quote it), not %s",
                           jt_ld_node_kind(v));
        json_object_set_new(tc, "expected_stdout", json_stringn(jt_yaml_text(v), v->data.scalar.length));
    } else if (!ts->reference) {
        return jt_yerr(ld->err, d, n, "test case '%s' has no 'expected_stdout'", id);
    } else {
        ts->needs_expected = true;
    }
    long code = 0;
    if ((v = jt_ld_get(d, n, "expected_exit_code", NULL))) {
        if (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_INT ||
            (code = strtol(jt_yaml_text(v), NULL, 10)) < 0 || code > 255)
            return jt_yerr(ld->err, d, v, "'expected_exit_code' must be an integer 0..255");
    }
    json_object_set_new(tc, "expected_exit_code", json_integer(code));
    return 0;
}

static int load_test_case(loader *ld, jt_ydoc *d, yaml_node_t *n, size_t index, json_t *seen_ids,
                          jt_test_set *ts)
{
    json_t *cases = ts->test_cases;
    bool script_mode = !strcmp(ts->mode, "script");
    if (jt_ld_expect_type(ld, d, n, YAML_MAPPING_NODE, "a test case") ||
        jt_ld_check_keys(ld, d, n, test_case_keys, 0, "a test case"))
        return -1;
    char *id = NULL;
    json_t *tc = NULL;
    int rc = -1;
    yaml_node_t *v = jt_ld_get(d, n, "test_id", NULL);
    if (v) {
        if (jt_ld_scalar_string(ld, d, v, "test_id", &id)) goto out;
    } else {
        id = jt_xasprintf("%zu", index + 1); /* unnamed cases are numbered from 1 */
    }
    if (json_object_get(seen_ids, id)) {
        jt_yerr(ld->err, d, v ? v : n, "duplicate test_id '%s' in this test set", id);
        goto out;
    }
    json_object_set_new(seen_ids, id, json_true());
    tc = json_pack("{s:s}", "test_id", id);
    yaml_node_t *script = jt_ld_get(d, n, "script", NULL);
    if (!strcmp(ts->mode, "command")) {
        rc = load_command_case(ld, d, n, id, ts, tc);
        if (rc == 0) json_array_append(cases, tc);
        goto out;
    }
    static const char *const command_only[] = {"stdin", "args", "expected_stdout", "expected_exit_code", NULL};
    for (size_t k = 0; command_only[k]; k++) {
        yaml_node_t *x = jt_ld_get(d, n, command_only[k], NULL);
        if (x) {
            jt_yerr(ld->err, d, x, "'%s' needs 'mode: command' on the test set", command_only[k]);
            goto out;
        }
    }
    if (script_mode) {
        yaml_node_t *extra = jt_ld_get(d, n, "inputs", NULL);
        if (!extra) extra = jt_ld_get(d, n, "expected_output", NULL);
        if (extra) {
            jt_yerr(ld->err, d, extra, "a test case of a mode 'script' test set takes 'script', "
                                      "not inputs or expected_output");
            goto out;
        }
        char *text = NULL;
        if (!script) {
            jt_yerr(ld->err, d, n, "test case '%s' has no 'script' (the test set's mode is script)", id);
            goto out;
        }
        if (jt_ld_scalar_string(ld, d, script, "script", &text)) goto out;
        json_object_set_new(tc, "script", json_string(text));
        free(text);
        json_array_append(cases, tc);
        rc = 0;
        goto out;
    }
    if (script) {
        jt_yerr(ld->err, d, script, "'script' needs 'mode: script' on the test set");
        goto out;
    }
    yaml_node_t *inputs = jt_ld_get(d, n, "inputs", NULL);
    if (inputs) {
        if (inputs->type != YAML_SEQUENCE_NODE) {
            jt_yerr(ld->err, d, inputs,
                    "'inputs' must be a list of positional arguments, not %s (write [%s] for one "
                    "argument)",
                    jt_ld_node_kind(inputs), inputs->type == YAML_SCALAR_NODE ? jt_yaml_text(inputs) : "...");
            goto out;
        }
        json_t *a = jt_yaml_to_json(d, inputs, &ld->budget, ld->err);
        if (!a) goto out;
        json_object_set_new(tc, "inputs", a);
    } else {
        json_object_set_new(tc, "inputs", json_array());
    }
    yaml_node_t *exp = jt_ld_get(d, n, "expected_output", NULL);
    if (!exp) {
        if (!ts->reference) {
            jt_yerr(ld->err, d, n, "test case '%s' has no 'expected_output'", id);
            goto out;
        }
        ts->needs_expected = true; /* filled from the reference before judging */
    } else {
        json_t *e = jt_yaml_to_json(d, exp, &ld->budget, ld->err);
        if (!e) goto out;
        json_object_set_new(tc, "expected_output", e);
    }
    json_array_append(cases, tc);
    rc = 0;
out:
    json_decref(tc);
    free(id);
    return rc;
}

static int load_file_into(loader *ld, const char *path, const char *display, jt_ydoc *d);
static int load_test_set_list(loader *ld, jt_ydoc *d, yaml_node_t *list);
static int load_test_set(loader *ld, jt_ydoc *d, yaml_node_t *n);

static int load_include(loader *ld, jt_ydoc *d, yaml_node_t *n)
{
    yaml_node_t *inc = jt_ld_get(d, n, "include", NULL);
    if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
        return jt_yerr(ld->err, d, n, "an 'include' entry takes no other keys");
    char *rel = NULL;
    if (jt_ld_scalar_string(ld, d, inc, "include", &rel)) return -1;
    if (ld->depth >= MAX_INCLUDE_DEPTH) {
        free(rel);
        return jt_yerr(ld->err, d, inc, "includes nested more than %d deep", MAX_INCLUDE_DEPTH);
    }
    char *path = jt_ld_resolve_path(d->file, rel);
    const char *display = jt_ld_intern_file(ld->s, path);
    jt_ydoc sub;
    int rc = -1;
    struct stat st;
    int missing = stat(path, &st);
    if (missing || !S_ISREG(st.st_mode)) { /* never wait on a FIFO or a device */
        jt_yerr(ld->err, d, inc, "cannot include '%s': %s", rel,
                missing ? strerror(errno) : "not a regular file");
        goto out;
    }
    if (load_file_into(ld, path, display, &sub)) goto out;
    yaml_node_t *root = jt_ydoc_root(&sub);
    ld->depth++;
    if (!root) {
        jt_yerr(ld->err, &sub, NULL, "included file is empty");
    } else if (root->type == YAML_SEQUENCE_NODE) {
        rc = load_test_set_list(ld, &sub, root);
    } else if (root->type == YAML_MAPPING_NODE && jt_ld_get(&sub, root, "test_sets", NULL) &&
               root->data.mapping.pairs.top - root->data.mapping.pairs.start == 1) {
        yaml_node_t *list = jt_ld_get(&sub, root, "test_sets", NULL);
        rc = jt_ld_expect_type(ld, &sub, list, YAML_SEQUENCE_NODE, "'test_sets'")
                 ? -1
                 : load_test_set_list(ld, &sub, list);
    } else if (root->type == YAML_MAPPING_NODE) {
        rc = load_test_set(ld, &sub, root); /* a single test set */
    } else {
        jt_yerr(ld->err, &sub, root, "an included file must hold a test set or a list of them");
    }
    ld->depth--;
    jt_ydoc_release(&sub);
out:
    free(rel);
    free(path);
    return rc;
}

/* A number in [min, max] for key `key` of mapping n (absent: *out kept). */
static int number_key(loader *ld, jt_ydoc *d, yaml_node_t *n, const char *key, double min,
                      double max, double *out)
{
    yaml_node_t *v = jt_ld_get(d, n, key, NULL);
    if (!v) return 0;
    jt_scalar_kind k = v->type == YAML_SCALAR_NODE ? jt_yaml_scalar_kind(v) : JT_SCALAR_NULL;
    double x = (k == JT_SCALAR_INT || k == JT_SCALAR_FLOAT) ? strtod(jt_yaml_text(v), NULL) : NAN;
    if (!(x >= min && x <= max))
        return jt_yerr(ld->err, d, v, "'%s' must be a number between %g and %g", key, min, max);
    *out = x;
    return 0;
}

/* comparator, atol, rtol, checker, setup_code, prelude, prompt. */
static int load_judging(loader *ld, jt_ydoc *d, yaml_node_t *n, jt_test_set *ts)
{
    yaml_node_t *v;
    ts->comparator = jt_xstrdup("exact");
    ts->atol = 1e-6; /* EvalPlus's defaults for float outputs */
    ts->rtol = 1e-7;
    if ((v = jt_ld_get(d, n, "comparator", NULL))) {
        if (jt_ld_scalar_string(ld, d, v, "comparator", &ts->comparator)) return -1;
        size_t i = 0;
        while (comparators[i] && strcmp(comparators[i], ts->comparator)) i++;
        if (!comparators[i]) {
            const char *near = jt_did_you_mean(ts->comparator, comparators);
            return jt_yerr(ld->err, d, v, "comparator '%s' is not one of exact, close, set, not_none, checker%s%s%s",
                           ts->comparator, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
    }
    bool command = !strcmp(ts->mode, "command");
    if (!v && command) {
        free(ts->comparator);
        ts->comparator = jt_xstrdup("stdout"); /* line-wise, whitespace-trimmed */
    } else if (v && command && strcmp(ts->comparator, "stdout") && strcmp(ts->comparator, "exact")) {
        return jt_yerr(ld->err, d, v, "mode command compares output with 'stdout' or 'exact'");
    } else if (v && !command && !strcmp(ts->comparator, "stdout")) {
        return jt_yerr(ld->err, d, v, "comparator 'stdout' needs 'mode: command'");
    }
    if (number_key(ld, d, n, "atol", 0, 1e300, &ts->atol) ||
        number_key(ld, d, n, "rtol", 0, 1, &ts->rtol))
        return -1;
    if ((v = jt_ld_get(d, n, "checker", NULL)) && jt_ld_scalar_string(ld, d, v, "checker", &ts->checker_code))
        return -1;
    if ((strcmp(ts->comparator, "checker") == 0) != (ts->checker_code != NULL))
        return jt_yerr(ld->err, d, v ? v : n, ts->checker_code ? "'checker' needs 'comparator: checker'"
                                                               : "'comparator: checker' needs 'checker' code "
                                                                 "defining check(inputs, expected, output)");
    if ((v = jt_ld_get(d, n, "setup_code", NULL)) && jt_ld_scalar_string(ld, d, v, "setup_code", &ts->setup_code))
        return -1;
    if ((v = jt_ld_get(d, n, "convert", NULL))) {
        if (jt_ld_scalar_string(ld, d, v, "convert", &ts->convert_code)) return -1;
        if (!strcmp(ts->mode, "script") || !strcmp(ts->mode, "command"))
            return jt_yerr(ld->err, d, v, "'convert' applies to modes call and method");
    }
    if ((v = jt_ld_get(d, n, "prompt", NULL)) && jt_ld_scalar_string(ld, d, v, "prompt", &ts->prompt))
        return -1;
    if ((v = jt_ld_get(d, n, "prelude", NULL))) {
        if (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_BOOL)
            return jt_yerr(ld->err, d, v, "'prelude' must be true or false");
        ts->prelude = jt_yaml_text(v)[0] == 't' || jt_yaml_text(v)[0] == 'T';
    }
    return 0;
}

static int load_test_set(loader *ld, jt_ydoc *d, yaml_node_t *n)
{
    if (jt_ld_expect_type(ld, d, n, YAML_MAPPING_NODE, "a test set")) return -1;
    if (jt_ld_get(d, n, "include", NULL)) return load_include(ld, d, n);
    if (jt_ld_get(d, n, "problems", NULL)) return jt_ld_load_problems(ld, d, n);
    if (jt_ld_check_keys(ld, d, n, test_set_keys, 0, "a test set")) return -1;

    jt_suite *s = ld->s;
    JT_GROW(s->test_sets, s->n_test_sets + 1, s->cap_test_sets_);
    jt_test_set *ts = &s->test_sets[s->n_test_sets];
    memset(ts, 0, sizeof *ts);
    ts->mark = jt_ld_mark_of(d, n);
    s->n_test_sets++; /* owned from here on: freed with the suite even on error */

    yaml_node_t *idn = jt_ld_get(d, n, "id", NULL);
    if (!idn) return jt_yerr(ld->err, d, n, "test set has no 'id'");
    if (jt_ld_scalar_string(ld, d, idn, "id", &ts->id)) return -1;
    json_t *prev = json_object_get(ld->ts_ids, ts->id);
    if (prev)
        return jt_yerr(ld->err, d, idn, "duplicate test set id '%s' (first defined at %s)", ts->id,
                       json_string_value(json_object_get(prev, "at")));
    char *at = jt_ld_mark_text(d, idn);
    json_object_set_new(ld->ts_ids, ts->id,
                        json_pack("{s:I,s:s}", "index", (json_int_t)(s->n_test_sets - 1), "at", at));
    free(at);

    yaml_node_t *v;
    ts->mode = jt_xstrdup("call");
    if ((v = jt_ld_get(d, n, "mode", NULL))) {
        if (jt_ld_scalar_string(ld, d, v, "mode", &ts->mode)) return -1;
        size_t i = 0;
        while (modes[i] && strcmp(modes[i], ts->mode)) i++;
        if (!modes[i])
            return jt_yerr(ld->err, d, v, "mode '%s' is not supported (supported: call, method, script)",
                           ts->mode);
    }
    if ((v = jt_ld_get(d, n, "function_name", NULL))) {
        if (jt_ld_scalar_string(ld, d, v, "function_name", &ts->function_name)) return -1;
    } else if (!strcmp(ts->mode, "command")) {
        ts->function_name = jt_xstrdup(""); /* programs have no entry point */
    } else {
        return jt_yerr(ld->err, d, n, "test set '%s' has no 'function_name'", ts->id);
    }
    if ((v = jt_ld_get(d, n, "description", NULL)) && jt_ld_scalar_string(ld, d, v, "description", &ts->description))
        return -1;
    if ((v = jt_ld_get(d, n, "reference", NULL)) && jt_ld_scalar_string(ld, d, v, "reference", &ts->reference))
        return -1;
    if (load_judging(ld, d, n, ts)) return -1;

    yaml_node_t *cases = jt_ld_get(d, n, "test_cases", NULL);
    if (!cases) return jt_yerr(ld->err, d, n, "test set '%s' has no 'test_cases'", ts->id);
    if (jt_ld_expect_type(ld, d, cases, YAML_SEQUENCE_NODE, "'test_cases'")) return -1;
    size_t count = (size_t)(cases->data.sequence.items.top - cases->data.sequence.items.start);
    if (count == 0) return jt_yerr(ld->err, d, cases, "test set '%s' has no test cases", ts->id);
    ts->test_cases = json_array();
    json_t *seen = json_object();
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = load_test_case(ld, d, jt_ydoc_node(d, cases->data.sequence.items.start[i]), i, seen,
                            ts);
    json_decref(seen);
    ts->n_cases = json_array_size(ts->test_cases);
    return rc;
}

static int load_test_set_list(loader *ld, jt_ydoc *d, yaml_node_t *list)
{
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top;
         it++)
        if (load_test_set(ld, d, jt_ydoc_node(d, *it))) return -1;
    return 0;
}


/* ---- the suite ---------------------------------------------------------- */

static int load_file_into(loader *ld, const char *path, const char *display, jt_ydoc *d)
{
    return jt_ydoc_load(d, path, display, ld->err);
}

static int valid_suite_name(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *s))
            return 0;
    return 1;
}

static int check_references(loader *ld)
{
    jt_suite *s = ld->s;
    json_t *index = json_object(); /* id → candidate index: linear, whatever the corpus size */
    for (size_t j = 0; j < s->n_candidates; j++)
        json_object_set_new(index, s->candidates[j].id, json_integer((json_int_t)j));
    int rc = 0;
    for (size_t i = 0; i < s->n_test_sets && rc == 0; i++) {
        jt_test_set *ts = &s->test_sets[i];
        if (!ts->reference) continue;
        json_t *jv = json_object_get(index, ts->reference);
        size_t j = jv ? (size_t)json_integer_value(jv) : s->n_candidates;
        if (j == s->n_candidates)
            rc = jt_err_set(ld->err, "%s:%u:%u: test set '%s': reference '%s' is not a candidate",
                            ts->mark.file, ts->mark.line, ts->mark.col, ts->id, ts->reference);
        else if (s->candidates[j].test_set != i)
            rc = jt_err_set(ld->err,
                            "%s:%u:%u: test set '%s': reference '%s' belongs to test set '%s'",
                            ts->mark.file, ts->mark.line, ts->mark.col, ts->id, ts->reference,
                            s->test_sets[s->candidates[j].test_set].id);
    }
    json_decref(index);
    return rc;
}

static int load_root(loader *ld, jt_ydoc *d)
{
    yaml_node_t *root = jt_ydoc_root(d);
    if (!root) return jt_err_set(ld->err, "%s:1:1: the suite is empty", d->file);
    if (jt_ld_expect_type(ld, d, root, YAML_MAPPING_NODE, "a suite")) return -1;
    if (jt_ld_check_keys(ld, d, root, top_keys, 0, "the suite")) return -1;

    yaml_node_t *v = jt_ld_get(d, root, "suite", NULL);
    if (!v) return jt_yerr(ld->err, d, root, "the suite has no 'suite' name");
    if (jt_ld_scalar_string(ld, d, v, "suite", &ld->s->name)) return -1;
    if (!valid_suite_name(ld->s->name))
        return jt_yerr(ld->err, d, v, "suite name '%s' may use only letters, digits, '.', '_', '-'",
                       ld->s->name);
    if ((v = jt_ld_get(d, root, "description", NULL)) &&
        jt_ld_scalar_string(ld, d, v, "description", &ld->s->description))
        return -1;
    if ((v = jt_ld_get(d, root, "defaults", NULL))) {
        static const char *const none[] = {NULL};
        if (jt_ld_expect_type(ld, d, v, YAML_MAPPING_NODE, "'defaults'") ||
            jt_ld_check_keys(ld, d, v, none, 1, "'defaults'"))
            return -1;
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
            if (jt_option_apply(&ld->defaults, d, jt_ydoc_node(d, p->key),
                                jt_ydoc_node(d, p->value), ld->err) < 0)
                return -1;
        if (jt_options_check(&ld->defaults, d, v, ld->err)) return -1;
    }
    yaml_node_t *sets = jt_ld_get(d, root, "test_sets", NULL);
    if (!sets) return jt_yerr(ld->err, d, root, "the suite has no 'test_sets'");
    if (jt_ld_expect_type(ld, d, sets, YAML_SEQUENCE_NODE, "'test_sets'") ||
        load_test_set_list(ld, d, sets))
        return -1;
    if (ld->s->n_test_sets == 0) return jt_yerr(ld->err, d, sets, "'test_sets' is empty");

    yaml_node_t *cands = jt_ld_get(d, root, "candidates", NULL);
    if (!cands) return jt_yerr(ld->err, d, root, "the suite has no 'candidates'");
    if (jt_ld_expect_type(ld, d, cands, YAML_SEQUENCE_NODE, "'candidates'")) return -1;
    for (yaml_node_item_t *it = cands->data.sequence.items.start;
         it < cands->data.sequence.items.top; it++)
        if (jt_ld_load_candidate(ld, d, jt_ydoc_node(d, *it))) return -1;
    if (ld->s->n_candidates == 0) return jt_yerr(ld->err, d, cands, "'candidates' is empty");
    return check_references(ld);
}


int jt_suite_load(const char *path, jt_suite **out, jt_err *err)
{
    if (!jt_ld_is_utf8(path, strlen(path))) { /* it names every mark and record */
        char *e = jt_ld_escaped(path);
        jt_err_set(err, "%s:1:1: the suite's file name is not valid UTF-8", e);
        free(e);
        *out = NULL;
        return -1;
    }
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.s = jt_xcalloc(1, sizeof *ld.s);
    ld.s->path = jt_xstrdup(path);
    ld.err = err;
    ld.budget = JT_YAML_NODE_BUDGET;
    ld.ts_ids = json_object();
    ld.cand_ids = json_object();
    ld.sample_counts = json_object();
    jt_options_init(&ld.defaults);
    jt_ydoc d;
    int rc = -1;
    if (load_file_into(&ld, path, jt_ld_intern_file(ld.s, path), &d) == 0) {
        rc = load_root(&ld, &d);
        jt_ydoc_release(&d);
    }
    json_decref(ld.ts_ids);
    json_decref(ld.cand_ids);
    json_decref(ld.sample_counts);
    jt_options_release(&ld.defaults);
    if (rc) {
        jt_suite_free(ld.s);
        *out = NULL;
        return -1;
    }
    jt_ld_compute_hash(ld.s);
    *out = ld.s;
    return 0;
}

long jt_suite_find_test_set(const jt_suite *s, const char *id)
{
    for (size_t i = 0; i < s->n_test_sets; i++)
        if (!strcmp(s->test_sets[i].id, id)) return (long)i;
    return -1;
}

void jt_suite_free(jt_suite *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_test_sets; i++) {
        jt_test_set *ts = &s->test_sets[i];
        free(ts->id);
        free(ts->function_name);
        free(ts->mode);
        free(ts->description);
        free(ts->reference);
        free(ts->reference_code);
        free(ts->prompt);
        free(ts->comparator);
        free(ts->checker_code);
        free(ts->setup_code);
        free(ts->convert_code);
        json_decref(ts->test_cases);
    }
    for (size_t i = 0; i < s->n_candidates; i++) {
        jt_candidate *c = &s->candidates[i];
        free(c->id);
        free(c->code);
        free(c->source_path);
        free(c->group);
        free(c->description);
        free(c->no_code);
        free(c->build);
        json_decref(c->command);
        json_decref(c->metadata);
        jt_options_release(&c->opts);
    }
    json_decref(s->datasets);
    for (size_t i = 0; i < s->n_files_; i++) free(s->files_[i]);
    free(s->files_);
    free(s->test_sets);
    free(s->candidates);
    free(s->name);
    free(s->description);
    free(s->path);
    free(s);
}
