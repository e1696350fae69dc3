/* Judging one candidate's correctness in the sandbox, for `validate` and the
 * service's validate tasks (judge.h). */
#include "commands/judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/asserts.h"
#include "jouletrace/common.h"
#include "jouletrace/modes.h"
#include "jouletrace/pyrun.h"
#include "jouletrace/pyrun_config.h"
#include "jouletrace/status.h"

const char *jt_judge_status(const jt_candidate *c, const jt_validation *v)
{
    return jt_status_name(c->no_code ? JT_STATUS_NO_CODE : jt_status_of_verdict(v->verdict));
}

/* Was (or would be) c judged by scripts inside its own process (mode script)? */
static bool judged_in_process(const jt_candidate *c, const jt_test_set *ts)
{
    return !c->no_code && !strcmp(ts->mode, jt_mode_get(JT_MODE_SCRIPT)->name);
}

json_t *jt_judge_json(const jt_candidate *c, const jt_test_set *ts, const jt_validation *v)
{
    json_t *fails = json_array();
    for (size_t i = 0; i < v->n_results; i++) {
        const jt_test_result *r = &v->results[i];
        if (r->passed) continue;
        json_array_append_new(fails, json_pack("{s:s,s:s?,s:s?,s:s?,s:s?}", "test_id", r->test_id,
                                               "expected", r->expected, "got", r->got,
                                               "error_type", r->error_type, "error_message",
                                               r->error_message));
    }
    bool in_process = judged_in_process(c, ts);
    return json_pack("{s:s,s:s,s:s,s:{s:b,s:I,s:I},s:s?,s:o,s:f,s:s?,s:s?,s:b,s:s?}", "id", c->id,
                     "test_set", ts->id, "status", jt_judge_status(c, v), "validation",
                     "is_correct", v->verdict == JT_VERDICT_CORRECT, "passed_tests",
                     (json_int_t)v->passed, "total_tests", (json_int_t)v->total, "reason",
                     v->reason, "failures", fails, "elapsed_seconds", v->elapsed_seconds,
                     "stdout_head", v->stdout_head, "stderr_head", v->stderr_head,
                     "judged_in_process", in_process, "judged_in_process_reason",
                     in_process ? ts->asserts_refused : NULL);
}

void jt_judge_compile_asserts(jt_suite *s)
{
    jt_err err = JT_ERR_INIT;
    json_t *warn = json_array();
    if (jt_asserts_fill(s, warn, &err) != 0)
        jt_warn("asserts left uncompiled (judged in the candidate's process): %s", jt_err_msg(&err));
    size_t i;
    json_t *w;
    json_array_foreach(warn, i, w) jt_warn("%s", json_string_value(w));
    json_decref(warn);
    jt_err_clear(&err);
}

int jt_judge(const jt_suite *s, const jt_candidate *c, volatile sig_atomic_t *stop,
             jt_validation *v)
{
    const jt_test_set *ts = &s->test_sets[c->test_set];
    jt_pyrun_config cfg;
    jt_pyrun_config_for(ts, &c->opts, c->code, c->source_path ? c->source_path : c->id, NULL, -1,
                        "nobody", &cfg);
    cfg.command = c->command; /* mode command (pyrun.h) */
    cfg.build = c->build;
    cfg.source_name = c->source_path;
    cfg.stop = stop; /* Ctrl-C kills a long validation at once */
    jt_pyrun *r = NULL;
    jt_err err = JT_ERR_INIT;
    int rc = 0;
    memset(v, 0, sizeof *v);
    if (c->no_code) { /* nothing to run: reported as no_code by the caller */
        v->verdict = JT_VERDICT_FAILED;
        v->total = ts->n_cases;
        v->reason = jt_xstrdup(c->no_code);
        return 0;
    }
    if (jt_pyrun_start(&cfg, &r, &err) != 0 || jt_pyrun_validate(r, v, &err) != 0) {
        jt_validation_release(v);
        memset(v, 0, sizeof *v);
        v->verdict = JT_VERDICT_FAILED;
        v->total = ts->n_cases;
        v->reason = jt_xasprintf("sandbox: %s", jt_err_msg(&err));
        rc = -1;
    } else if (v->verdict == JT_VERDICT_CORRECT) {
        /* One more exchange: a reply forged by the candidate on the protocol
         * channel leaves the real one unread, which the next command sees
         * (a run measures the same way, so the verdict matches `run`'s). */
        jt_run_result res;
        jt_verdict rv = JT_VERDICT_FAILED;
        if (jt_pyrun_run_begin(r, 1, &err) != 0 || jt_pyrun_run_end(r, &res, &rv, &err) != 0 ||
            res.iterations != 1) {
            jt_validation_release(v);
            memset(v, 0, sizeof *v);
            v->verdict = rv == JT_VERDICT_CORRECT || rv == JT_VERDICT_INCORRECT ? JT_VERDICT_FAILED : rv;
            v->total = ts->n_cases;
            v->reason = jt_xasprintf("after validation: %s",
                                     err.msg ? err.msg
                                             : "the runner's replies are out of step (the candidate "
                                               "writing to the harness's channel?)");
        }
    }
    jt_pyrun_free(r);
    jt_err_clear(&err);
    return rc;
}

