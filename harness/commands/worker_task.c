/* One task of the service's queue, run as `run` and `validate` run a suite
 * (worker.h): the host set up per task under the socket-0 lock, the
 * request's one-candidate suite, its run directory, the seed's answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands/judge.h"
#include "commands/session.h"
#include "commands/worker.h"
#include "jouletrace/calibration.h"
#include "jouletrace/queue.h"
#include "jouletrace/run.h"
#include "jouletrace/service.h"
#include "jouletrace/statedir.h"
#include "jouletrace/suite.h"

/* This host's name, as results carry it. New reference. */
static json_t *this_host(void)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    return json_string(host);
}

char *jt_worker_state_dir(const jt_session_flags *sf, jt_err *err)
{
    return jt_dir_locate(JT_DIR_STATE, sf->state_dir, NULL, err);
}

/* The seed's words first: "Socket 0 not calibrated: WHY". */
static void not_calibrated(jt_err *err)
{
    static const char seed[] = "Socket 0 not calibrated";
    if (strncmp(jt_err_msg(err), seed, sizeof seed - 1)) jt_err_prefix(err, "%s", seed);
}

/* The session of one task: the lock waited for, the sandbox probed, the
 * calibration checked (unless --allow-uncalibrated). 0, or -1 with the
 * reason. */
static int open_host(const jt_worker_opts *o, jt_session *ses, jt_calibration *cal,
                     jt_run_host *h, jt_err *err)
{
    jt_session_opts so = o->sf.open;
    so.wait = true; /* one measurement at a time per host */
    int code;
    if (jt_session_open(ses, &so, &code, err) != 0) return -1;
    jt_session_sandbox(ses);
    *h = (jt_run_host){ses->meter, &ses->topo, ses->fingerprint, ses->warnings, &ses->sandbox,
                       ses->lock.path, NULL};
    if (o->sf.allow_uncalibrated) {
        json_array_append_new(ses->warnings,
                              json_string("--allow-uncalibrated: idle baseline 0; figures include "
                                          "the idle draw"));
        return 0;
    }
    if (jt_session_calibration(ses, &o->sf, cal, err) != 0) {
        not_calibrated(err);
        return -1;
    }
    h->calib = cal;
    return 0;
}

/* Keeps an earlier attempt's directory (nothing measured is ever lost):
 * DIR becomes DIR.attempt1, .attempt2, ... */
static void set_aside(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) return;
    for (int k = 1; k < 100; k++) {
        char *to = jt_xasprintf("%s.attempt%d", dir, k);
        int free_slot = stat(to, &st) != 0 && errno == ENOENT;
        if (free_slot) rename(dir, to);
        free(to);
        if (free_slot) return;
    }
}

typedef struct task_record {
    json_t *rec;
} task_record;

static void keep_record(void *ctx, const json_t *rec)
{
    task_record *t = ctx;
    json_decref(t->rec);
    t->rec = json_deep_copy(rec);
}

static json_t *measure_task(const jt_worker_opts *o, jt_suite *s, const char *dir,
                            volatile sig_atomic_t *stop, bool *interrupted)
{
    jt_err err = JT_ERR_INIT;
    jt_session ses;
    memset(&ses, 0, sizeof ses);
    ses.lock.fd = -1;
    jt_calibration cal;
    memset(&cal, 0, sizeof cal);
    json_t *answer = NULL;
    jt_run_opts ro = {.out_dir = dir, .seed = 1, .backend_requested = o->sf.open.backend,
                      .allow_uncalibrated = o->sf.allow_uncalibrated,
                      .max_age_days = o->sf.max_age_days};
    jt_run r;
    jt_run_init(&r, s, &ro);
    jt_run_host host;
    task_record tr = {NULL};
    if (open_host(o, &ses, &cal, &host, &err) != 0) {
        answer = jt_service_failure(jt_err_msg(&err));
        goto out;
    }
    set_aside(dir);
    if (jt_run_begin(&r, &host, &err) != JT_EXIT_OK) {
        answer = jt_service_failure(jt_err_msg(&err));
        goto out;
    }
    jt_engine eng = jt_run_engine(&host, ro.seed, stop);
    int rc = jt_run_measure(&r, &eng, keep_record, &tr, &err);
    *interrupted = *stop != 0;
    jt_err werr = JT_ERR_INIT;
    if (jt_run_end(&r, *stop ? "interrupted" : rc == 0 ? "completed" : "failed", &werr) != 0)
        jt_warn("task %s: %s", s->name, jt_err_msg(&werr));
    jt_err_clear(&werr);
    if (rc != 0) answer = jt_service_failure(jt_err_msg(&err));
    else if (tr.rec) answer = jt_service_answer(tr.rec);
    else answer = jt_service_failure("the candidate was not measured (interrupted)");
    json_object_set_new(answer, "run_dir", json_string(dir));
out:
    json_decref(tr.rec);
    jt_run_release(&r);
    jt_calibration_release(&cal);
    jt_session_close(&ses);
    jt_err_clear(&err);
    return answer;
}

static json_t *validate_task(const jt_worker_opts *o, jt_suite *s, volatile sig_atomic_t *stop,
                             bool *interrupted)
{
    jt_err err = JT_ERR_INIT;
    jt_session ses;
    memset(&ses, 0, sizeof ses);
    ses.lock.fd = -1;
    jt_session_opts so = o->sf.open;
    so.wait = true;
    int code;
    json_t *answer;
    if (jt_session_open(&ses, &so, &code, &err) != 0) {
        answer = jt_service_failure(jt_err_msg(&err));
    } else {
        jt_session_sandbox(&ses);
        jt_judge_compile_asserts(s);
        jt_validation v;
        const jt_candidate *c = &s->candidates[0];
        jt_judge(s, c, stop, &v);
        *interrupted = *stop != 0;
        json_t *row = jt_judge_json(c, &s->test_sets[c->test_set], &v);
        answer = jt_service_validation_answer(row);
        json_object_set_new(answer, "isolation",
                            ses.sandbox.isolation ? json_string(ses.sandbox.isolation) : json_null());
        json_decref(row);
        jt_validation_release(&v);
    }
    jt_session_close(&ses);
    jt_err_clear(&err);
    return answer;
}

json_t *jt_worker_run_task(const jt_worker_opts *o, const char *runs_dir, const char *task_id,
                           int kind, const json_t *request, const char *worker,
                           volatile sig_atomic_t *stop, bool *interrupted)
{
    *interrupted = false;
    jt_err err = JT_ERR_INIT;
    jt_suite *s = NULL;
    json_t *answer;
    char *name = jt_xasprintf("task-%s", task_id);
    if (jt_suite_from_request(request, name, &s, &err) != 0) {
        char *why = jt_xasprintf("request: %s", jt_err_msg(&err));
        answer = jt_service_failure(why);
        free(why);
    } else if (kind == JT_TASK_VALIDATE) {
        answer = validate_task(o, s, stop, interrupted);
    } else {
        char *dir = jt_xasprintf("%s/%s", runs_dir, task_id);
        answer = measure_task(o, s, dir, stop, interrupted);
        free(dir);
    }
    json_object_set_new(answer, "host", this_host());
    json_object_set_new(answer, "worker", json_string(worker));
    jt_suite_free(s);
    free(name);
    jt_err_clear(&err);
    return answer;
}

json_t *jt_worker_readiness(const jt_worker_opts *o, const char *state, const char *task_id)
{
    json_t *r = json_pack("{s:o,s:s,s:s?,s:b}", "host", this_host(), "state", state, "task", task_id,
                          "allow_uncalibrated", o->sf.allow_uncalibrated);
    jt_session ses;
    jt_session_opts so = o->sf.open;
    so.no_lock = true;
    int code;
    jt_err err = JT_ERR_INIT;
    if (jt_session_open(&ses, &so, &code, &err) != 0) {
        json_object_set_new(r, "ready", json_false());
        json_object_set_new(r, "reason", json_string(jt_err_msg(&err)));
        jt_session_close(&ses);
        jt_err_clear(&err);
        return r;
    }
    json_object_set_new(r, "energy_source", json_string(jt_energy_source_name(ses.meter)));
    json_object_set_new(r, "estimates", json_boolean(jt_energy_is_estimate(ses.meter)));
    json_object_set_new(r, "measurement_core", json_integer(ses.topo.measure_cpu));
    jt_calibration cal;
    memset(&cal, 0, sizeof cal);
    int calibrated = jt_session_calibration(&ses, &o->sf, &cal, &err) == 0;
    json_object_set_new(r, "calibration",
                        calibrated ? json_pack("{s:b,s:f,s:f}", "usable", 1, "age_days",
                                               difftime(time(NULL), cal.created) / 86400.0,
                                               "package_idle_watts", cal.package.median_w)
                                   : json_pack("{s:b,s:s}", "usable", 0, "reason",
                                               jt_err_msg(&err)));
    int ready = calibrated || o->sf.allow_uncalibrated;
    json_object_set_new(r, "ready", json_boolean(ready));
    if (!ready) {
        not_calibrated(&err);
        json_object_set_new(r, "reason", json_string(jt_err_msg(&err)));
    }
    jt_calibration_release(&cal);
    jt_session_close(&ses);
    jt_err_clear(&err);
    return r;
}
