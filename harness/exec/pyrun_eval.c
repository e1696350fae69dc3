/* Eval passes (pyrun.h: jt_pyrun_validate, jt_pyrun_outputs) and the judge
 * (docs/design.md "Judging"). The candidate's side answers `eval` with one
 * text per test, the strict encoding of what it returned (or the outcome of
 * its program); the first pass's texts are what is judged, by a judge child
 * that holds the expectations and runs no candidate code, and what every
 * later pass and every run must reproduce (the output proof). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec/pyrun_priv.h"
#include "jouletrace/clock.h"

#define NO_TEST SIZE_MAX

static const char *str_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static char *dup_or_null(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? jt_xstrdup(s) : NULL;
}

static const char *test_id(const jt_pyrun *r, size_t i)
{
    const char *id = json_string_value(json_object_get(json_array_get(r->test_cases, i),
                                                       "test_id"));
    return id ? id : "?";
}

static void fill_results(jt_validation *v, const json_t *results)
{
    size_t n = json_array_size(results);
    v->results = jt_xcalloc(n ? n : 1, sizeof *v->results);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(results, i);
        jt_test_result *tr = &v->results[v->n_results++];
        tr->test_id = jt_xstrdup(str_of(t, "test_id"));
        tr->passed = json_is_true(json_object_get(t, "passed"));
        tr->expected = dup_or_null(t, "expected");
        tr->got = dup_or_null(t, "got");
        tr->error_type = dup_or_null(t, "error_type");
        tr->error_message = dup_or_null(t, "error_message");
        tr->checker_error = json_is_true(json_object_get(t, "checker_error"));
        v->passed += tr->passed;
    }
}

/* Verdict of a judged pass; sets r->reason for failures. */
static jt_verdict verdict_of(jt_pyrun *r, const jt_validation *v)
{
    const jt_test_result *first = NULL;
    for (size_t i = 0; i < v->n_results; i++) {
        const jt_test_result *t = &v->results[i];
        if (t->error_type && !strcmp(t->error_type, "MemoryError")) {
            jt_pyrun_finish_(r, JT_VERDICT_MEMORY_LIMIT, JT_CHILD_KILLED,
                             "test '%s' raised MemoryError (memory_limit_mb %ld)", t->test_id,
                             r->memory_limit_mb);
            return r->verdict;
        }
        if (!t->passed && !first) first = t;
    }
    if (v->n_results != r->n_tests) {
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED,
                         "the runner answered %zu of %zu tests", v->n_results, r->n_tests);
        return r->verdict;
    }
    free(r->reason);
    r->reason = NULL;
    if (!first) return JT_VERDICT_CORRECT;
    size_t failed = v->total - v->passed;
    const char *msg = first->error_message ? first->error_message : "";
    if (first->error_type && first->checker_error)
        r->reason = jt_xasprintf("test '%s': the checker raised %s: %s (%zu of %zu tests failed)",
                                 first->test_id, first->error_type, msg, failed, v->total);
    else if (first->error_type && (r->command || !strcmp(first->error_type, "NotPlainData") ||
                                   !strcmp(first->error_type, "Unencodable")))
        r->reason = jt_xasprintf("test '%s': %s (%zu of %zu tests failed)", first->test_id,
                                 *msg ? msg : first->error_type, failed, v->total);
    else if (first->error_type)
        r->reason = jt_xasprintf("test '%s' raised %s: %s (%zu of %zu tests failed)",
                                 first->test_id, first->error_type, msg, failed, v->total);
    else
        r->reason = jt_xasprintf("test '%s': expected %s, got %s (%zu of %zu tests failed)",
                                 first->test_id, first->expected ? first->expected : "?",
                                 first->got ? first->got : "?", failed, v->total);
    return JT_VERDICT_INCORRECT;
}

/* One eval pass: the reply (its "results" one per test), or NULL with the
 * verdict recorded. *seconds: the harness's clock around it. */
/* Whether the pass's CPU figure is fine-grained: a cgroup's counter, or the
 * /proc walk's per-process clocks of a Python child (mode command's programs
 * are reaped between the walk's samples, so they arrive in clock ticks). */
static bool fine_cpu(const jt_pyrun *r)
{
    return r->acct && (jt_cpuacct_method_of(r->acct) == JT_CPUACCT_CGROUP || !r->command);
}

static json_t *eval_pass(jt_pyrun *r, const char *phase, double *seconds, double *cpu)
{
    json_t *msg = json_pack("{s:s}", "cmd", "eval");
    jt_err e = JT_ERR_INIT;
    bool counted = fine_cpu(r) && jt_cpuacct_mark(r->acct, &e) == 0;
    double t0 = jt_monotonic_s();
    json_t *reply = jt_pyrun_exchange_(r, msg, phase, jt_pyrun_deadline_(r), true, true);
    *seconds = jt_monotonic_s() - t0;
    *cpu = NAN;
    if (counted && reply && jt_cpuacct_since_mark(r->acct, cpu, &e) != 0) *cpu = NAN;
    jt_err_clear(&e);
    json_decref(msg);
    if (reply && !json_is_true(json_object_get(reply, "ok"))) {
        jt_pyrun_refused_(r, reply, JT_VERDICT_FAILED, phase);
    } else if (reply) {
        const json_t *res = json_object_get(reply, "results");
        size_t n = json_array_size(res);
        bool ok = json_is_array(res) && n == r->n_tests;
        for (size_t i = 0; ok && i < n; i++) {
            const json_t *t = json_array_get(res, i);
            const json_t *text = json_object_get(t, "text");
            ok = json_is_object(t) && !strcmp(str_of(t, "test_id"), test_id(r, i)) &&
                 (!text || json_is_string(text));
        }
        if (ok) return reply;
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED,
                         "%s: the runner answered %zu results for %zu tests, or out of order",
                         phase, n, r->n_tests);
    }
    json_decref(reply);
    return NULL;
}

static const char *text_of(const json_t *results, size_t i)
{
    return json_string_value(json_object_get(json_array_get(results, i), "text"));
}

/* The first pass's texts become what is judged; a later pass must give the
 * same. Returns the first test whose text differs, or NO_TEST. */
static size_t keep_or_compare(jt_pyrun *r, const json_t *results)
{
    if (!r->texts) {
        r->texts = jt_xcalloc(r->n_tests ? r->n_tests : 1, sizeof *r->texts);
        r->digests = jt_xcalloc(r->n_tests ? r->n_tests : 1, sizeof *r->digests);
        for (size_t i = 0; i < r->n_tests; i++) {
            const char *t = text_of(results, i);
            r->texts[i] = t ? jt_xstrdup(t) : NULL;
            if (t) jt_proof_digest_(t, r->digests[i]);
        }
        return NO_TEST;
    }
    for (size_t i = 0; i < r->n_tests; i++) {
        const char *t = text_of(results, i);
        if (!t || !r->texts[i] || strcmp(t, r->texts[i])) return i;
    }
    return NO_TEST;
}

/* The judge's results for the first pass; NULL with the candidate's
 * verdict (failed: not its fault) recorded. */
static json_t *judged(jt_pyrun *r, json_t *results)
{
    jt_err e = JT_ERR_INIT;
    json_t *out = NULL;
    if (!r->judge && jt_pyrun_start_judge_(&r->judge_cfg, r->judge_setup, &r->judge, &e) != 0) {
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED, "the judge: %s", jt_err_msg(&e));
        goto out;
    }
    jt_pyrun *j = r->judge;
    json_t *reply = NULL;
    if (!j->done) {
        json_t *msg = json_pack("{s:s,s:O}", "cmd", "judge", "results", results);
        reply = jt_pyrun_exchange_(j, msg, "judging", jt_pyrun_deadline_(j), true, true);
        json_decref(msg);
    }
    if (reply && json_is_true(json_object_get(reply, "ok")) &&
        json_array_size(json_object_get(reply, "results")) == r->n_tests) {
        out = json_incref(json_object_get(reply, "results"));
    } else {
        const char *why = j->reason ? j->reason
                          : reply   ? str_of(reply, "message")
                                    : "no answer";
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED, "the judge: %s", why);
    }
    json_decref(reply);
out:
    jt_err_clear(&e);
    return out;
}

/* A pass of a candidate that is judged outside its process. */
static void judged_pass(jt_pyrun *r, json_t *results, jt_validation *out)
{
    bool first = r->texts == NULL;
    size_t diff = keep_or_compare(r, results);
    if (diff != NO_TEST) {
        jt_pyrun_finish_(r, JT_VERDICT_INCORRECT, JT_CHILD_KILLED,
                         "validation pass %zu, test '%s': the output differs from the one "
                         "judged in pass 1 (docs/design.md \"Output proof\")",
                         r->passes + 1, test_id(r, diff));
        return;
    }
    if (r->floor || !first) { /* nothing new to judge */
        out->verdict = r->floor ? JT_VERDICT_CORRECT : r->first_verdict;
        out->passed = r->floor ? out->total : r->first_passed;
        return;
    }
    json_t *verdicts = judged(r, results);
    if (!verdicts) return;
    fill_results(out, verdicts);
    json_decref(verdicts);
    out->verdict = verdict_of(r, out);
    r->first_verdict = out->verdict;
    r->first_passed = out->passed;
}

int jt_pyrun_validate(jt_pyrun *r, jt_validation *out, jt_err *err)
{
    memset(out, 0, sizeof *out);
    out->cpu_seconds = NAN;
    if (r->running) return jt_err_set(err, "pyrun: validate while a run is pending");
    out->total = r->n_tests;
    out->judged_in_process = r->script;
    if (!r->done) {
        json_t *reply = eval_pass(r, "validation", &out->elapsed_seconds, &out->cpu_seconds);
        if (reply) {
            json_t *results = json_object_get(reply, "results");
            if (r->script) { /* judged in the candidate's own process */
                fill_results(out, results);
                out->verdict = verdict_of(r, out);
            } else {
                judged_pass(r, results, out);
            }
            r->passes++;
        }
        json_decref(reply);
    }
    if (r->done) out->verdict = r->verdict;
    out->reason = r->reason ? jt_xstrdup(r->reason) : NULL;
    out->traceback = r->traceback ? jt_xstrdup(r->traceback) : NULL;
    const jt_child_capture *caps[] = {&r->child.out, &r->child.err};
    char **heads[] = {&out->stdout_head, &out->stderr_head};
    size_t *dropped[] = {&out->stdout_dropped, &out->stderr_dropped};
    for (int i = 0; i < 2; i++) {
        if (caps[i]->head.len) *heads[i] = jt_xstrndup(caps[i]->head.data, caps[i]->head.len);
        *dropped[i] = caps[i]->dropped;
    }
    return 0;
}

/* One output for jt_pyrun_outputs: the typed value, or {"__error__"}. */
static json_t *output_of(const jt_pyrun *r, size_t i, const json_t *res)
{
    const char *text = json_string_value(json_object_get(res, "text"));
    if (!text) {
        /* the encoder's refusals read as they are; a call that raised as Type: message */
        const char *type = str_of(res, "error_type");
        bool plain = !strcmp(type, "NotPlainData") || !strcmp(type, "Unencodable");
        char *why = plain ? jt_xstrdup(str_of(res, "error_message"))
                          : jt_xasprintf("%s: %s", type, str_of(res, "error_message"));
        json_t *o = json_pack("{s:s}", "__error__", why);
        free(why);
        return o;
    }
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!v) return json_pack("{s:s}", "__error__", "the output's text does not decode");
    if (!r->command) return v;
    /* mode command: the stdout of a program that exited as expected */
    const json_t *t = json_array_get(r->test_cases, i);
    const json_t *want = json_object_get(t, "expected_exit_code");
    json_int_t code = want ? json_integer_value(want) : 0;
    const json_t *exit = json_object_get(v, "exit");
    json_t *out = json_object_get(v, "stdout");
    json_t *o = NULL;
    if (json_is_true(json_object_get(v, "flood")))
        o = json_pack("{s:s}", "__error__", "output exceeds 16 MiB");
    else if (!json_is_integer(exit) || json_integer_value(exit) != code) {
        char *why = json_is_integer(exit)
                        ? jt_xasprintf("exited with status %" JSON_INTEGER_FORMAT
                                       ", expected exit status %" JSON_INTEGER_FORMAT,
                                       json_integer_value(exit), code)
                        : jt_xasprintf("killed by signal %" JSON_INTEGER_FORMAT,
                                       json_integer_value(json_object_get(v, "signal")));
        o = json_pack("{s:s}", "__error__", why);
        free(why);
    }
    else if (!json_is_string(out))
        o = json_pack("{s:s}", "__error__", "stdout is not valid UTF-8 (or holds NUL)");
    else
        o = json_incref(out);
    json_decref(v);
    return o;
}

int jt_pyrun_outputs(jt_pyrun *r, json_t **outputs, jt_verdict *verdict, jt_err *err)
{
    *outputs = NULL;
    if (!r->done && (r->running || r->script)) {
        *verdict = JT_VERDICT_FAILED;
        return jt_err_set(err, "pyrun: %s", r->running ? "outputs while a run is pending"
                                                       : "mode script has no outputs");
    }
    if (!r->done) {
        double seconds, cpu;
        json_t *reply = eval_pass(r, "outputs", &seconds, &cpu);
        if (reply) {
            const json_t *res = json_object_get(reply, "results");
            json_t *arr = json_array();
            for (size_t i = 0; i < r->n_tests; i++)
                json_array_append_new(arr, output_of(r, i, json_array_get(res, i)));
            json_decref(reply);
            *outputs = arr;
            return 0;
        }
    }
    *verdict = r->verdict;
    return jt_err_set(err, "%s", r->reason ? r->reason : "the child is gone");
}

int jt_pyrun_adopt_judged(jt_pyrun *r, const jt_pyrun *judged_by, jt_err *err)
{
    if (!judged_by->texts || r->n_tests != judged_by->n_tests || r->texts)
        return jt_err_set(err, "pyrun: nothing judged to adopt");
    r->texts = jt_xcalloc(r->n_tests ? r->n_tests : 1, sizeof *r->texts);
    r->digests = jt_xcalloc(r->n_tests ? r->n_tests : 1, sizeof *r->digests);
    for (size_t i = 0; i < r->n_tests; i++)
        r->texts[i] = judged_by->texts[i] ? jt_xstrdup(judged_by->texts[i]) : NULL;
    memcpy(r->digests, judged_by->digests, r->n_tests * sizeof *r->digests);
    r->first_verdict = judged_by->first_verdict;
    r->first_passed = judged_by->first_passed;
    return 0;
}

void jt_pyrun_forget_(jt_pyrun *r)
{
    for (size_t i = 0; r->texts && i < r->n_tests; i++) free(r->texts[i]);
    free(r->texts);
    free(r->digests);
    r->texts = NULL;
    r->digests = NULL;
    jt_pyrun_free(r->judge);
    r->judge = NULL;
}

void jt_validation_release(jt_validation *v)
{
    for (size_t i = 0; i < v->n_results; i++) {
        jt_test_result *t = &v->results[i];
        free(t->test_id);
        free(t->expected);
        free(t->got);
        free(t->error_type);
        free(t->error_message);
    }
    free(v->results);
    free(v->reason);
    free(v->stdout_head);
    free(v->stderr_head);
    free(v->traceback);
    memset(v, 0, sizeof *v);
}
