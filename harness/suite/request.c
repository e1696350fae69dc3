/* A one-candidate suite from the seed service's request JSON (suite.h,
 * jt_suite_from_request), for `jouletrace measure`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/suite.h"
#include "suite/loader.h"
#include "suite/options.h"

static const char *const request_keys[] = {"candidate_code", "function_name", "test_cases",
                                           "candidate_id", "test_set_id", NULL};

/* The first key of test case tc (index i) that mode m does not take: 1 with
 * "test_cases[i]: ..." in err; else 0. */
static int case_keys_bad(json_t *tc, const jt_mode_def *m, size_t i, jt_err *err)
{
    const char *key;
    json_t *val;
    json_object_foreach(tc, key, val) {
        jt_err why = JT_ERR_INIT;
        if (jt_ld_case_key_error(m, key, &why)) {
            jt_err_set(err, "test_cases[%zu]: %s", i, jt_err_msg(&why));
            jt_err_clear(&why);
            return 1;
        }
    }
    return 0;
}

/* 1 with "test_cases[i]: ..." in err when tc's assert keys are wrong (modes.h). */
static int assert_bad(const json_t *tc, size_t i, jt_err *err)
{
    const char *key = NULL;
    jt_err why = JT_ERR_INIT;
    int bad = jt_assert_case_error(tc, &key, &why) != 0;
    if (bad) jt_err_set(err, "test_cases[%zu]: %s", i, jt_err_msg(&why));
    jt_err_clear(&why);
    return bad;
}

int jt_suite_from_request(const json_t *req, const char *name, jt_suite **out, jt_err *err)
{
    *out = NULL;
    if (!json_is_object(req)) return jt_err_set(err, "the request must be a JSON object");
    jt_suite *s = jt_xcalloc(1, sizeof *s);
    s->name = jt_xstrdup(name);
    s->path = jt_xstrdup("<request>");
    const char *file = jt_ld_intern_file(s, "<request>");
    jt_options o;
    jt_options_init(&o);
    int rc = -1;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)req, key, val) {
        int known = 0;
        for (size_t i = 0; request_keys[i] && !known; i++) known = !strcmp(request_keys[i], key);
        if (known) continue;
        int a = jt_option_apply_json(&o, key, val, err);
        if (a < 0) goto out;
        if (a == 0) {
            const char *all[64];
            size_t n = 0;
            for (size_t i = 0; request_keys[i]; i++) all[n++] = request_keys[i];
            jt_option_keys(all + n, 64 - n);
            const char *near = jt_did_you_mean(key, all);
            if (near) jt_err_set(err, "unknown key '%s' (did you mean '%s'?)", key, near);
            else jt_err_set(err, "unknown key '%s'", key);
            goto out;
        }
    }
    const char *code = json_string_value(json_object_get(req, "candidate_code"));
    const char *fn = json_string_value(json_object_get(req, "function_name"));
    json_t *cases = json_object_get(req, "test_cases");
    if (!code) { jt_err_set(err, "'candidate_code' (a string) is required"); goto out; }
    if (!fn || !*fn) { jt_err_set(err, "'function_name' (a string) is required"); goto out; }
    if (!json_is_array(cases) || json_array_size(cases) == 0) {
        jt_err_set(err, "'test_cases' must be a non-empty list");
        goto out;
    }
    /* the checks a suite gets */
    if (jt_options_check(&o, json_object_get(req, "min_trials") != NULL, NULL, NULL, err)) goto out;
    /* A request is one test set of the default mode: its candidate and test
     * cases are held to that mode's rows of the suite's key tables. */
    const jt_mode_def *mode = jt_mode_default();
    const char *tsid = json_string_value(json_object_get(req, "test_set_id"));
    if (!tsid) tsid = "request";
    if (jt_ld_language_error(o.language, mode, tsid, err)) goto out;
    json_t *norm = json_array(), *seen = json_object();
    size_t i;
    json_t *tc;
    json_array_foreach(cases, i, tc) {
        json_t *inputs = json_object_get(tc, "inputs");
        const char *tid = json_string_value(json_object_get(tc, "test_id"));
        char *id = tid ? jt_xstrdup(tid) : jt_xasprintf("%zu", i + 1);
        const char *bad = !json_is_object(tc) ? "must be an object"
                          : case_keys_bad(tc, mode, i, err) ? ""
                          : inputs && !json_is_array(inputs) ? "'inputs' must be a list"
                          : assert_bad(tc, i, err) ? ""
                          : !json_object_get(tc, "expected_output") && jt_assert_case_takes_expected(tc)
                              ? "has no 'expected_output'"
                          : json_object_get(seen, id) ? "repeats its test_id"
                                                      : NULL;
        if (bad) {
            if (*bad) jt_err_set(err, "test_cases[%zu] %s", i, bad);
            free(id);
            json_decref(norm);
            json_decref(seen);
            goto out;
        }
        json_object_set_new(seen, id, json_true());
        json_t *in = inputs ? json_incref(inputs) : json_array();
        json_t *one = json_pack("{s:s,s:o}", "test_id", id, "inputs", in);
        static const char *const kept[] = {"expected_output", "assert", "tolerance", "rel_tol",
                                           "abs_tol"};
        for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
            if (json_object_get(tc, kept[k])) json_object_set(one, kept[k], json_object_get(tc, kept[k]));
        json_array_append_new(norm, one);
        free(id);
    }
    json_decref(seen);
    s->test_sets = jt_xcalloc(1, sizeof *s->test_sets);
    s->n_test_sets = s->cap_test_sets_ = 1;
    jt_test_set *ts = &s->test_sets[0];
    ts->id = jt_xstrdup(tsid);
    ts->function_name = jt_xstrdup(fn);
    ts->mode = jt_xstrdup(mode->name);
    ts->test_cases = norm;
    ts->n_cases = json_array_size(norm);
    ts->mark = (jt_mark){file, 1, 1};
    s->candidates = jt_xcalloc(1, sizeof *s->candidates);
    s->n_candidates = s->cap_candidates_ = 1;
    jt_candidate *c = &s->candidates[0];
    const char *cid = json_string_value(json_object_get(req, "candidate_id"));
    c->id = jt_xstrdup(cid ? cid : "candidate");
    c->code = jt_xstrdup(code);
    jt_options_copy(&c->opts, &o);
    c->mark = ts->mark;
    jt_ld_compute_hash(s);
    *out = s;
    s = NULL;
    rc = 0;
out:
    jt_options_release(&o);
    jt_suite_free(s);
    return rc;
}

