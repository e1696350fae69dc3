/* A run from its first write to its reports (run.h): begin, measure, end. */
#include "jouletrace/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/asserts.h"
#include "jouletrace/expected.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/modes.h"
#include "jouletrace/report.h"
#include "jouletrace/rundir.h"
#include "run/run_priv.h"

void jt_run_init(jt_run *r, jt_suite *s, const jt_run_opts *o)
{
    memset(r, 0, sizeof *r);
    r->suite = s;
    r->o = *o;
    r->done = json_object();
    r->set_errors = json_object();
    r->journal.fd = -1;
}

void jt_run_release(jt_run *r)
{
    jt_journal_close(&r->journal);
    json_decref(r->doc);
    json_decref(r->done);
    json_decref(r->set_errors);
    free(r->plan);
    free(r->dir);
    memset(r, 0, sizeof *r);
    r->journal.fd = -1;
}

int jt_run_check_resume(jt_run *r, jt_err *err)
{
    const char *dir = r->o.resume_dir;
    if (!dir) return JT_EXIT_OK;
    bool newer = false;
    r->doc = jt_rundir_load(dir, &newer, err);
    if (!r->doc && newer) return JT_EXIT_FAILURE;
    if (!r->doc || !json_is_object(json_object_get(r->doc, "suite"))) {
        if (r->doc) jt_err_set(err, "run.json has no 'suite' object");
        jt_err_prefix(err, "--resume %s: not a run directory", dir);
        return JT_EXIT_USAGE;
    }
    const char *h = json_string_value(json_object_get(json_object_get(r->doc, "suite"), "content_hash"));
    if (!h || strcmp(h, r->suite->content_hash)) {
        jt_err_set(err, "--resume %s: the suite changed since that run started (content hash "
                        "%.12s… then, %.12s… now); start a new run",
                   dir, h ? h : "?", r->suite->content_hash);
        return JT_EXIT_BAD_SUITE;
    }
    return JT_EXIT_OK;
}

/* The run directory: --resume's, -o's (which must not hold a journal) or a new one. */
static int take_dir(jt_run *r, jt_err *err)
{
    if (r->o.resume_dir) {
        r->dir = jt_xstrdup(r->o.resume_dir);
    } else if (r->o.out_dir) {
        if (jt_rundir_has_journal(r->o.out_dir)) {
            jt_err_set(err, "%s already holds a journal: use --resume %s", r->o.out_dir, r->o.out_dir);
            return JT_EXIT_USAGE;
        }
        if (jt_mkdirs(r->o.out_dir, 0755, err) != 0) return JT_EXIT_FAILURE;
        r->dir = jt_xstrdup(r->o.out_dir);
    } else if (!(r->dir = jt_rundir_create(r->suite->name, err))) {
        return JT_EXIT_FAILURE;
    }
    return JT_EXIT_OK;
}

int jt_run_begin(jt_run *r, const jt_run_host *h, jt_err *err)
{
    r->host = h;
    int code = take_dir(r, err);
    if (code != JT_EXIT_OK) return code;
    /* The journal is read before run.json is touched: a journal this build
     * cannot read leaves the run as it was. */
    json_t *records = NULL;
    jt_journal_info info;
    if (jt_rundir_read_journal(r->dir, &records, &info, err) != 0) return JT_EXIT_FAILURE;
    if (!r->doc) r->doc = jt_rundoc_new(r->suite, &r->o, h);
    else code = jt_rundoc_resume(r->doc, &r->o, h, r->dir, err);
    json_object_set_new(r->doc, "status", json_string("running"));
    char *jpath = jt_rundir_journal(r->dir);
    if (code == JT_EXIT_OK && (jt_rundir_save(r->dir, r->doc, err) != 0 ||
                               jt_journal_open(jpath, &r->journal, err) != 0))
        code = JT_EXIT_FAILURE;
    free(jpath);
    if (code != JT_EXIT_OK) {
        json_decref(records);
        return code;
    }
    jt_rundir_warn_skipped(r->dir, &info);
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec) {
        const char *type = json_string_value(json_object_get(rec, "type"));
        const char *id = json_string_value(json_object_get(rec, "id"));
        /* an older journal's floor records: each candidate now carries its own */
        if (id && !(type && !strcmp(type, "floor"))) {
            json_object_set_new(r->done, id, json_true());
        }
    }
    json_decref(records);
    r->plan = jt_xcalloc(r->suite->n_candidates + 1, sizeof *r->plan);
    r->n_plan = jt_run_plan(r->suite, r->o.shard_k, r->o.shard_n, r->done, r->plan);
    return JT_EXIT_OK;
}

jt_engine jt_run_engine(const jt_run_host *h, unsigned long seed, volatile sig_atomic_t *stop)
{
    return (jt_engine){
        .meter = h->meter,
        .calib = h->calib,
        .measure_cpu = h->topo->measure_cpu,
        .judge_cpu = h->topo->housekeeping_cpu,
        .sandbox_user = "nobody",
        .seed = seed,
        .stop = stop,
    };
}

/* Appends rec (then releases it) and reports it. */
static int journal(jt_run *r, json_t *rec, void (*on_record)(void *, const json_t *), void *ctx,
                   jt_err *err)
{
    int rc = jt_journal_append(&r->journal, rec, err);
    if (rc == 0) {
        r->n_journaled++;
        if (on_record) on_record(ctx, rec);
    }
    json_decref(rec);
    return rc;
}

/* Ground truth from the reference, once per test set: NULL, or why the
 * test set's candidates cannot be judged. */
static const char *expected_outputs(jt_run *r, const jt_candidate *c, json_t *warnings)
{
    const jt_test_set *ts = &r->suite->test_sets[c->test_set];
    const char *bad = json_string_value(json_object_get(r->set_errors, ts->id));
    if (bad || !ts->needs_expected) return bad;
    jt_err xerr = JT_ERR_INIT;
    size_t before = json_array_size(warnings);
    int rc = jt_expected_fill(r->suite, c->test_set, warnings, &xerr);
    for (size_t i = before; i < json_array_size(warnings); i++) /* dropped cases, cache */
        jt_warn("%s", json_string_value(json_array_get(warnings, i)));
    if (rc != 0) {
        json_object_set_new(r->set_errors, ts->id, json_string(jt_err_msg(&xerr)));
        bad = json_string_value(json_object_get(r->set_errors, ts->id));
        fprintf(stderr, "jouletrace run: %s\n", bad);
    }
    jt_err_clear(&xerr);
    return bad;
}

/* HumanEval/MBPP asserts into call cases, once, before anything is judged
 * (asserts.h); a failure leaves them script test sets, said as a warning. */
static void compile_asserts(jt_run *r, json_t *warnings)
{
    jt_err aerr = JT_ERR_INIT;
    size_t before = json_array_size(warnings);
    if (jt_asserts_fill(r->suite, warnings, &aerr) != 0)
        json_array_append_new(warnings, json_sprintf("asserts left uncompiled (judged in the "
                                                     "candidate's process): %s", jt_err_msg(&aerr)));
    for (size_t i = before; i < json_array_size(warnings); i++)
        jt_warn("%s", json_string_value(json_array_get(warnings, i)));
    jt_err_clear(&aerr);
}

/* Records of candidates judged by scripts in their own process (mode script)
 * say so (docs/design.md "Journal"). */
static json_t *with_judging(json_t *rec, const jt_test_set *ts, const jt_candidate *c, bool judged)
{
    if (rec)
        json_object_set_new(rec, "judged_in_process",
                            json_boolean(judged && !c->no_code &&
                                         !strcmp(ts->mode, jt_mode_get(JT_MODE_SCRIPT)->name)));
    return rec;
}

/* The meter's wrap guard, read from the housekeeping CPU while candidates
 * run (energy.h); without it a long window may lose wraps: said, not fatal. */
static void guard_start(const jt_run_host *h)
{
    jt_err err = JT_ERR_INIT;
    if (jt_energy_guard_start(h->meter, h->topo->housekeeping_cpu, &err) != 0)
        jt_warn("%s", jt_err_msg(&err));
    jt_err_clear(&err);
}

int jt_run_measure(jt_run *r, jt_engine *e, void (*on_record)(void *ctx, const json_t *rec),
                   void *ctx, jt_err *err)
{
    guard_start(r->host);
    if (r->n_plan) compile_asserts(r, r->host->warnings);
    int rc = 0;
    for (size_t k = 0; k < r->n_plan && rc == 0 && !*e->stop; k++) {
        const jt_candidate *c = &r->suite->candidates[r->plan[k]];
        const jt_test_set *ts = &r->suite->test_sets[c->test_set];
        const char *bad_set = expected_outputs(r, c, r->host->warnings);
        if (bad_set) {
            rc = journal(r, with_judging(jt_engine_failed_record(e, r->suite, c, bad_set), ts, c, false),
                         on_record, ctx, err);
            continue;
        }
        json_t *rec = NULL; /* with its paired floor (docs/design.md "Floor") */
        if (jt_engine_measure(e, r->suite, c, true, &rec) == JT_ENGINE_INTERRUPTED) break;
        rc = journal(r, with_judging(rec, ts, c, true), on_record, ctx, err);
    }
    jt_energy_guard_stop(e->meter);
    return rc;
}

int jt_run_end(jt_run *r, const char *status, jt_err *err)
{
    jt_rundoc_close(r->doc, r->host, status);
    if (jt_rundir_save(r->dir, r->doc, err) != 0) return -1;
    return jt_reports_write(r->dir, err);
}

jt_engine_outcome jt_run_measure_one(const jt_run_host *h, const jt_suite *s,
                                     volatile sig_atomic_t *stop, json_t **record)
{
    guard_start(h);
    jt_engine e = jt_run_engine(h, 1, stop);
    jt_engine_outcome oc = jt_engine_measure(&e, s, &s->candidates[0], true, record);
    jt_energy_guard_stop(h->meter);
    return oc;
}
