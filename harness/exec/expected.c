/* Expected outputs from a reference solution (expected.h). */
#include "jouletrace/expected.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/modes.h"
#include "jouletrace/pyrun.h"
#include "jouletrace/pyrun_config.h"
#include "jouletrace/statedir.h"

/* Bumped when the meaning of cached outputs changes (consumers: this file). */
#define CACHE_SCHEMA "jouletrace-expected-v1"
/* The reference gets at least this long for all of a test set's inputs. */
#define REFERENCE_MIN_TIMEOUT 120.0

char *jt_expected_cache_dir(jt_err *err)
{
    return jt_dir_locate(JT_DIR_CACHE, NULL, NULL, err);
}

/* The reference's code and options: the named candidate, else the dataset's
 * canonical code with the options of some candidate of the set (or the
 * defaults). */
static const char *reference_of(const jt_suite *s, size_t ts_index, const jt_options **opts,
                                const jt_candidate **cand)
{
    const jt_test_set *ts = &s->test_sets[ts_index];
    *opts = NULL;
    *cand = NULL;
    const char *code = NULL;
    for (size_t i = 0; i < s->n_candidates; i++) {
        const jt_candidate *c = &s->candidates[i];
        if (c->test_set != ts_index) continue;
        if (!*opts) *opts = &c->opts;
        if (ts->reference && !strcmp(c->id, ts->reference)) {
            *opts = &c->opts;
            *cand = c;
            code = c->code;
        }
    }
    return code ? code : ts->reference_code;
}

/* The test cases without their expected values: inputs for call/method,
 * stdin/args/exit code for command (whose expected value is stdout). */
static json_t *inputs_only(const json_t *cases, bool command)
{
    json_t *out = json_array();
    size_t i;
    json_t *tc;
    json_array_foreach(cases, i, tc) {
        if (command)
            json_array_append_new(out, json_pack("{s:O,s:O,s:O,s:O}", "test_id",
                                                 json_object_get(tc, "test_id"), "stdin",
                                                 json_object_get(tc, "stdin"), "args",
                                                 json_object_get(tc, "args"), "expected_exit_code",
                                                 json_object_get(tc, "expected_exit_code")));
        else
            json_array_append_new(out, json_pack("{s:O,s:O}", "test_id", json_object_get(tc, "test_id"),
                                                 "inputs", json_object_get(tc, "inputs")));
    }
    return out;
}

static void cache_key(const jt_test_set *ts, const char *code, const json_t *cases, char hex[65])
{
    jt_sha256 c;
    jt_sha256_init(&c);
    const char *parts[] = {CACHE_SCHEMA, code, ts->function_name, ts->mode};
    for (size_t i = 0; i < 4; i++) {
        jt_sha256_update(&c, parts[i], strlen(parts[i]) + 1); /* NUL separates */
    }
    char *text = json_dumps(cases, JSON_COMPACT | JSON_SORT_KEYS);
    jt_sha256_update(&c, text, strlen(text));
    free(text);
    jt_sha256_hex(&c, hex);
}

static json_t *cache_load(const char *path, size_t n)
{
    json_t *j = json_load_file(path, 0, NULL);
    json_t *outs = json_object_get(j, "outputs");
    if (!json_is_array(outs) || json_array_size(outs) != n ||
        strcmp(json_string_value(json_object_get(j, "schema")) ? json_string_value(json_object_get(j, "schema")) : "",
               CACHE_SCHEMA)) {
        json_decref(j);
        return NULL;
    }
    json_incref(outs);
    json_decref(j);
    return outs;
}

static json_t *compute(const jt_test_set *ts, const char *code, const jt_options *o,
                       const jt_candidate *cand, json_t *cases, jt_err *err)
{
    jt_options dflt;
    jt_options_init(&dflt);
    const jt_options *use = o ? o : &dflt;
    jt_pyrun_config cfg;
    jt_test_set view = *ts;
    view.test_cases = cases;
    jt_pyrun_config_for(&view, use, code, "reference.py", NULL, -1, "nobody", &cfg);
    cfg.reload_per_iteration = false;
    if (cand) { /* a program: its command, build and source name too */
        cfg.command = cand->command;
        cfg.build = cand->build;
        cfg.source_name = cand->source_path;
    }
    if (cfg.timeout_seconds < REFERENCE_MIN_TIMEOUT) cfg.timeout_seconds = REFERENCE_MIN_TIMEOUT;
    jt_pyrun *r = NULL;
    json_t *outs = NULL;
    jt_verdict v = JT_VERDICT_FAILED;
    if (jt_pyrun_start(&cfg, &r, err) == 0) {
        if (jt_pyrun_outputs(r, &outs, &v, err) != 0) {
            jt_err_prefix(err, "the reference (%s)", jt_verdict_name(v));
            outs = NULL;
        }
    }
    jt_pyrun_free(r);
    jt_options_release(&dflt);
    return outs;
}

int jt_expected_fill(jt_suite *s, size_t ts_index, json_t *warnings, jt_err *err)
{
    jt_test_set *ts = &s->test_sets[ts_index];
    if (!ts->needs_expected) return 0;
    if (!strcmp(ts->mode, "script")) {
        ts->needs_expected = false; /* asserts carry their own truth */
        return 0;
    }
    const jt_options *opts = NULL;
    const jt_candidate *cand = NULL;
    const char *code = reference_of(s, ts_index, &opts, &cand);
    if (!code)
        return jt_err_set(err, "test set '%s' lacks expected outputs and has no reference solution",
                          ts->id);
    bool command = !strcmp(ts->mode, "command");
    const char *field = command ? "expected_stdout" : "expected_output";
    json_t *cases = inputs_only(ts->test_cases, command);
    char key[65];
    cache_key(ts, code, cases, key);
    jt_err cerr = JT_ERR_INIT;
    char *dir = jt_expected_cache_dir(&cerr);
    char *path = dir ? jt_xasprintf("%s/expected-%s.json", dir, key) : NULL;
    json_t *outs = path ? cache_load(path, json_array_size(cases)) : NULL;
    int rc = -1;
    if (!outs) {
        outs = compute(ts, code, opts, cand, cases, err);
        if (!outs) {
            jt_err_prefix(err, "test set '%s': expected outputs", ts->id);
            goto out;
        }
        json_t *doc = json_pack("{s:s,s:s,s:O}", "schema", CACHE_SCHEMA, "test_set", ts->id, "outputs", outs);
        char *text = json_dumps(doc, JSON_COMPACT);
        if (!dir || jt_mkdirs(dir, 0755, &cerr) != 0 || jt_write_file_atomic(path, text, strlen(text), &cerr) != 0) {
            if (warnings) json_array_append_new(warnings, json_sprintf("expected-output cache not written: %s", jt_err_msg(&cerr)));
        }
        free(text);
        json_decref(doc);
    }
    /* Fill, dropping cases the reference itself could not answer. */
    json_t *kept = json_array();
    size_t i;
    json_t *tc;
    json_array_foreach(ts->test_cases, i, tc) {
        json_t *o = json_array_get(outs, i);
        const char *bad = json_string_value(json_object_get(o, "__error__"));
        if (json_object_get(tc, field) || (!command && !jt_assert_case_takes_expected(tc))) {
            json_array_append(kept, tc); /* has one, or its assert kind compares none */
        } else if (bad) {
            if (warnings)
                json_array_append_new(warnings, json_sprintf("test set '%s': test case '%s' dropped: "
                                                             "the reference gave %s",
                                                             ts->id, json_string_value(json_object_get(tc, "test_id")), bad));
        } else {
            json_t *copy = json_deep_copy(tc);
            json_object_set(copy, field, o);
            json_array_append_new(kept, copy);
        }
    }
    if (json_array_size(kept) == 0) {
        json_decref(kept);
        jt_err_set(err, "test set '%s': the reference answered none of its test cases", ts->id);
        goto out;
    }
    json_decref(ts->test_cases);
    ts->test_cases = kept;
    ts->n_cases = json_array_size(kept);
    ts->needs_expected = false;
    rc = 0;
out:
    jt_err_clear(&cerr);
    json_decref(outs);
    json_decref(cases);
    free(path);
    free(dir);
    return rc;
}
