/* The trial engine (engine.h): validation, loop calibration and the trial
 * loop with its stop rule. Records are built in engine_record.c. */
#include "jouletrace/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jouletrace/clock.h"
#include "jouletrace/fnv.h"
#include "jouletrace/pyrun.h"
#include "jouletrace/pyrun_config.h"
#include "jouletrace/sandbox.h"
#include "jouletrace/stats.h"
#include "jouletrace/status.h"
#include "jouletrace/telemetry.h"
#include "measure/engine_priv.h"

#define MAX_SAMPLE_RETRIES JT_ENGINE_MAX_SAMPLE_RETRIES
/* Loop calibration: at most this many probing runs, and growth per step is
 * capped so one noisy tiny timing cannot ask for a billion iterations. */
#define MAX_CALIBRATION_STEPS 40
#define MAX_GROWTH 100.0

static unsigned long derive_seed(unsigned long base, const char *id)
{
    uint64_t h = jt_id_hash(id) ^ base; /* FNV-1a: stable across runs and builds */
    h &= UINT64_C(0x7fffffffffffffff); /* recorded as a JSON integer: keep it positive */
    return h ? (unsigned long)h : 1;   /* GSL maps 0 to its default seed */
}

void jt_engine_fill_config_(const jt_engine *e, const jt_test_set *ts, const jt_options *o,
                            const char *code, const char *filename, const char *fn,
                            jt_pyrun_config *cfg)
{
    jt_pyrun_config_for(ts, o, code, filename, fn, e->measure_cpu, e->sandbox_user, cfg);
    cfg->judge_cpu = e->judge_cpu; /* off the measurement core */
    cfg->stop = e->stop; /* SIGINT/SIGTERM kill the child at once */
}

/* One run of n iterations without energy (the short probes of calibration). */
static int run_plain(jt_pyrun *r, uint64_t n, double *elapsed, jt_verdict *v, jt_err *err)
{
    if (jt_pyrun_run_begin(r, n, err) != 0) {
        *v = JT_VERDICT_FAILED;
        return -1;
    }
    jt_run_result res;
    if (jt_pyrun_run_end(r, &res, v, err) != 0) return -1;
    *elapsed = res.elapsed_seconds;
    return 0;
}

/* The fourth unusable window in a row ends the candidate: 1 (out's status
 * and error set), else 0. */
static int count_unusable(outcome *out, size_t *retries, const jt_err *why)
{
    out->retried_samples++;
    if (++*retries <= MAX_SAMPLE_RETRIES) return 0;
    out->status = JT_STATUS_FAILED;
    out->error = jt_xasprintf("energy counters gave no usable sample in %d consecutive windows; "
                              "the last: %s",
                              MAX_SAMPLE_RETRIES + 1, jt_err_msg(why));
    return 1;
}

/* One step of loop calibration (docs/design.md "Trial") after a probe of n
 * iterations that lasted `elapsed`: true when n is the trial length. A
 * probe aimed from the time per iteration is taken from 0.9 × the target,
 * since the next trials of that n spread as much (dev VM: ±8 % on 0.2 s)
 * and an aimed probe re-run for a 5 % shortfall threw away a full window
 * in half the candidates; a capped probe must reach the target. Else *next
 * (and *aimed_next: whether it is aimed) is the next probe, 0 when an
 * iteration takes no measurable time. */
bool jt_engine_calib_step_(double elapsed, uint64_t n, bool aimed, double target, uint64_t *next,
                           bool *aimed_next)
{
    if (elapsed >= (aimed ? JT_ENGINE_AIMED_ACCEPT : 1.0) * target) return true;
    double per = elapsed / (double)n;
    double want = per > 0 ? target * JT_ENGINE_AIM / per : (double)n * MAX_GROWTH;
    *aimed_next = want <= (double)n * MAX_GROWTH;
    if (!*aimed_next) want = (double)n * MAX_GROWTH;
    if (want < (double)n * 1.25) want = (double)n * 1.25 + 1;
    *next = want > 1e12 ? 0 : (uint64_t)ceil(want);
    return false;
}

/* Loop calibration: grows the iteration count until one run lasts about
 * min_trial_seconds (jt_engine_calib_step_). A probe whose n was aimed at
 * the target from the time per iteration (not capped by the growth limit)
 * is an energy window, so the one taken is the first trial (*first,
 * *have_first when its sample was usable) instead of a run of full length
 * thrown away; the short probes before it are the warm-up every trial had
 * anyway. An unusable window counts like a trial's.
 * 0; -1 the child failed (*v, err); 1 the counters gave up (out). */
static int calibrate_loop(jt_engine *e, jt_pyrun *r, const jt_options *o, outcome *out,
                          size_t *retries, trial *first, bool *have_first, jt_verdict *v,
                          jt_err *why, jt_err *err)
{
    uint64_t n = 1;
    bool aimed = false;
    *have_first = false;
    for (int step = 0; step < MAX_CALIBRATION_STEPS; step++) {
        double elapsed;
        int rc = 0;
        if (!aimed) {
            if (run_plain(r, n, &elapsed, v, err) != 0) return -1;
        } else {
            rc = jt_engine_one_trial_(e, r, n, first, v, why, err);
            if (rc < 0) return -1;
            elapsed = first->run_s;
            if (rc > 0 && count_unusable(out, retries, why)) return 1;
            if (rc == 0) *retries = 0;
        }
        uint64_t next = 0;
        bool aimed_next = false;
        if (jt_engine_calib_step_(elapsed, n, aimed, o->min_trial_seconds, &next, &aimed_next)) {
            out->iterations = n;
            *have_first = aimed && rc == 0;
            return 0;
        }
        if (!next) return jt_err_set(err, "loop calibration: an iteration takes no measurable time");
        n = next;
        aimed = aimed_next;
    }
    return jt_err_set(err, "loop calibration did not converge in %d steps", MAX_CALIBRATION_STEPS);
}

static void add_trial(outcome *out, const trial *t)
{
    JT_GROW(out->trials, out->n_trials + 1, out->cap);
    out->trials[out->n_trials++] = *t;
}

/* One energy window around `n` iterations. Returns 0 with *t filled; 1 when
 * the energy sample was unusable (repeat the trial; *why says why); -1 when
 * the child failed (*v, err). */
int jt_engine_one_trial_(jt_engine *e, jt_pyrun *r, uint64_t n, trial *t, jt_verdict *v,
                         jt_err *why, jt_err *err)
{
    jt_energy_sample a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(t, 0, sizeof *t);
    jt_telemetry ta, tb;
    int pid = jt_pyrun_pid(r);
    jt_telemetry_read(pid, e->measure_cpu, &ta);
    /* The model backend integrates the measured child's CPU time: feed it a
     * clock that only advances by the child's CPU time inside windows. */
    a.cpu_seconds = e->cpu_clock;
    int bad = jt_energy_align_edge(e->meter, &a, why) != 0;
    double t0 = jt_monotonic_s();
    if (jt_pyrun_run_begin(r, n, err) != 0) {
        *v = JT_VERDICT_FAILED;
        return -1;
    }
    jt_run_result res;
    if (jt_pyrun_run_end(r, &res, v, err) != 0) return -1;
    t->run_s = res.elapsed_seconds;
    if (res.iterations != n) { /* a reply for another run: the channel is not trustworthy */
        *v = JT_VERDICT_FAILED;
        jt_err_set(err, "the runner reported %llu iterations for a run of %llu",
                   (unsigned long long)res.iterations, (unsigned long long)n);
        return -1;
    }
    b.cpu_seconds = e->cpu_clock + (res.cpu_seconds > 0 ? res.cpu_seconds : 0);
    e->cpu_clock = b.cpu_seconds;
    /* End on an update edge too: a window that starts and ends on counter
     * updates spans whole update periods, so the ~1 ms quantisation biases
     * neither end (measured: a free end read 0.25 % low on 0.2 s windows).
     * The few idle microseconds after the child finished are inside the
     * window's wall time, so the baseline subtraction accounts for them. */
    bad |= jt_energy_align_edge(e->meter, &b, why) != 0;
    double t1 = jt_monotonic_s();
    jt_telemetry_read(pid, e->measure_cpu, &tb);
    jt_energy_delta d;
    if (bad || jt_energy_diff(&a, &b, &d, why) != 0) return 1;
    /* A meter with DRAM must deliver it for every trial: a window whose DRAM
     * read broke is repeated like any unusable sample, never kept with its
     * total silently short of the DRAM energy (docs/design.md "Energy
     * backends"). */
    bool has_dram = jt_energy_domain(e->meter, JT_ENERGY_DRAM) != NULL;
    if (has_dram && !d.valid[JT_ENERGY_DRAM]) {
        jt_err_set(why, "%s: dram energy: counter continuity lost inside the window",
                   jt_energy_source_name(e->meter));
        return 1;
    }
    t->n = n;
    t->wall = d.seconds > 0 ? d.seconds : t1 - t0;
    t->child_s = res.child_elapsed_seconds;
    t->cpu_s = res.cpu_seconds;
    t->child_cpu_s = res.child_cpu_seconds;
    t->disagreement = res.disagreement;
    t->edge = a.edge;
    double idle_pkg = e->calib ? e->calib->package.median_w : 0;
    t->pkg_raw = d.joules[JT_ENERGY_PACKAGE];
    t->pkg_net = t->pkg_raw - idle_pkg * t->wall;
    t->ram_raw = has_dram ? d.joules[JT_ENERGY_DRAM] : NAN;
    bool dram_base = has_dram && (!e->calib || e->calib->dram.present);
    double idle_dram = e->calib && e->calib->dram.present ? e->calib->dram.median_w : 0;
    t->ram_net = dram_base ? t->ram_raw - idle_dram * t->wall : NAN;
    t->total = t->pkg_net + (has_dram ? t->ram_raw : 0);
    t->total_net = has_dram ? (dram_base ? t->pkg_net + t->ram_net : NAN) : t->pkg_net;
    jt_telemetry_delta(&ta, &tb, &t->tel);
    return 0;
}

/* The status of a child that failed with verdict v (err) while `where`:
 * interrupted when we killed it, else the verdict's. A run that was
 * incorrect (outputs that differ from the judged ones, a test that raised)
 * makes the candidate incorrect (docs/design.md "Output proof"). */
static void child_failed(const jt_engine *e, jt_verdict v, const jt_err *err, const char *where,
                         outcome *out)
{
    if (*e->stop) {
        out->status = JT_STATUS_INTERRUPTED;
        return;
    }
    if (v == JT_VERDICT_CORRECT) v = JT_VERDICT_FAILED;
    out->status = jt_status_of_verdict(v);
    out->error = jt_xasprintf("%s: %s", where, jt_err_msg(err));
}

/* A fresh child for the next trial (fresh_process_per_trial): it must
 * reproduce what the first one was judged on. */
int jt_engine_fresh_child_(jt_pyrun **rp, const jt_pyrun_config *cfg, jt_verdict *v, jt_err *err)
{
    jt_pyrun *fresh = NULL;
    jt_validation val;
    memset(&val, 0, sizeof val);
    *v = JT_VERDICT_FAILED;
    jt_pyrun_config adopting = *cfg;
    adopting.adopts_judged = true;
    if (jt_pyrun_start(&adopting, &fresh, err) != 0 || jt_pyrun_adopt_judged(fresh, *rp, err) != 0 ||
        jt_pyrun_validate(fresh, &val, err) != 0) {
        jt_pyrun_free(fresh);
        return -1;
    }
    jt_pyrun_free(*rp);
    *rp = fresh;
    int rc = 0;
    if (val.verdict != JT_VERDICT_CORRECT) {
        *v = val.verdict;
        jt_err_set(err, "%s", val.reason ? val.reason : jt_verdict_name(val.verdict));
        rc = -1;
    }
    jt_validation_release(&val);
    return rc;
}

/* Loop calibration + trials + stop rule for an already started child. The
 * child may be replaced (fresh_process_per_trial). Sets out->status. With a
 * live floor f, trial k of the candidate and one floor trial of the same
 * iteration count form pair k, in the order C F for odd k and F C for even
 * k, so that linear drift cancels over the pairs (docs/design.md "Floor").
 * The stop rule sees the candidate's samples only. */
static void measure(jt_engine *e, jt_pyrun **rp, const jt_pyrun_config *cfg, const jt_options *o,
                    const char *id, unsigned long seed, jt_floor *f, outcome *out)
{
    jt_err err = JT_ERR_INIT, why = JT_ERR_INIT; /* why: the last window's rejection */
    jt_verdict v = JT_VERDICT_FAILED;
    double *per_iter = NULL;
    trial first;
    memset(&first, 0, sizeof first);
    bool have_first = false;
    size_t retries = 0;
    int crc = calibrate_loop(e, *rp, o, out, &retries, &first, &have_first, &v, &why, &err);
    if (crc != 0) {
        if (crc < 0) child_failed(e, v, &err, "loop calibration", out);
        goto out;
    }
    jt_stats_stop_rule rule = {(size_t)o->min_trials, (size_t)o->energy_measurement_trials,
                               o->precision_target, o->cv_target};
    per_iter = jt_xcalloc((size_t)o->energy_measurement_trials, sizeof *per_iter);
    while (out->n_trials < (size_t)o->energy_measurement_trials) {
        if (*e->stop) {
            out->status = JT_STATUS_INTERRUPTED;
            goto out;
        }
        char where[64];
        snprintf(where, sizeof where, "trial %zu", out->n_trials + 1);
        if (o->fresh_process_per_trial && out->n_trials > 0 &&
            jt_engine_fresh_child_(rp, cfg, &v, &err) != 0) {
            child_failed(e, v, &err, where, out);
            goto out;
        }
        size_t pair = out->n_trials + 1;
        bool floor_first = pair % 2 == 0;
        if (floor_first && jt_floor_live_(f) && f->out.n_trials < pair) {
            jt_floor_trial_(e, f, out->iterations, pair, true, o->fresh_process_per_trial);
            if (*e->stop) continue; /* the loop's top ends it */
        }
        trial t;
        int rc = 0;
        if (have_first) { /* pair 1's C: calibration's last window */
            t = first;
            have_first = false;
        } else {
            rc = jt_engine_one_trial_(e, *rp, out->iterations, &t, &v, &why, &err);
        }
        if (rc < 0) {
            child_failed(e, v, &err, where, out);
            goto out;
        }
        if (rc > 0) {
            if (count_unusable(out, &retries, &why)) goto out;
            continue;
        }
        retries = 0;
        t.pair = pair;
        t.first = !floor_first || !f || f->out.n_trials < pair;
        add_trial(out, &t);
        if (!floor_first && jt_floor_live_(f))
            jt_floor_trial_(e, f, out->iterations, pair, false, o->fresh_process_per_trial);
        if (*e->stop) continue;
        per_iter[out->n_trials - 1] = t.total / (double)t.n;
        if (e->on_trial) e->on_trial(e->ctx, id, out->n_trials, (size_t)o->energy_measurement_trials);
        jt_stats_stop_result sr;
        if (jt_stats_stop_check(per_iter, out->n_trials, &rule, seed, &sr, &err) != 0) {
            out->status = JT_STATUS_FAILED;
            out->error = jt_xasprintf("statistics: %s", jt_err_msg(&err));
            goto out;
        }
        if (sr.decision != JT_STATS_CONTINUE) {
            out->stop = sr.decision;
            break;
        }
    }
    out->status = out->stop == JT_STATS_STOP_MAX_TRIALS ? JT_STATUS_UNSTABLE : JT_STATUS_COMPLETED;
out:
    free(per_iter);
    jt_err_clear(&err);
    jt_err_clear(&why);
}

/* Validates candidate c in a new child (*rp). A candidate without code, or
 * one whose sandbox could not start, gets verdict failed with the reason. */
static void validate(const jt_pyrun_config *cfg, const jt_candidate *c, const jt_test_set *ts,
                     jt_pyrun **rp, jt_validation *v)
{
    jt_err err = JT_ERR_INIT;
    memset(v, 0, sizeof *v);
    if (c->no_code) {
        /* A corpus sample without code: its own status, nothing runs. */
        v->verdict = JT_VERDICT_FAILED;
        v->total = ts->n_cases;
        v->reason = jt_xstrdup(c->no_code);
    } else if (jt_pyrun_start(cfg, rp, &err) != 0 || jt_pyrun_validate(*rp, v, &err) != 0) {
        jt_validation_release(v);
        memset(v, 0, sizeof *v);
        v->verdict = JT_VERDICT_FAILED;
        v->total = ts->n_cases;
        v->reason = jt_xasprintf("sandbox: %s", jt_err_msg(&err));
    }
    jt_err_clear(&err);
}

/* Eval passes 2 and 3 after a correct first one (docs/design.md "Caches"):
 * their harness timings, and they must reproduce the judged outputs. 0, or
 * -1 with the status and error in *out. */
int jt_engine_later_passes_(jt_pyrun *r, jt_engine_timing *t, outcome *out)
{
    for (int k = 1; k < 3; k++) {
        jt_validation v;
        jt_err err = JT_ERR_INIT;
        int rc = jt_pyrun_validate(r, &v, &err);
        if (rc == 0 && v.verdict == JT_VERDICT_CORRECT) {
            t->pass[k] = v.elapsed_seconds;
            t->cpu_pass[k] = v.cpu_seconds;
        } else {
            out->status = rc == 0 ? jt_status_of_verdict(v.verdict) : JT_STATUS_FAILED;
            out->error = jt_xstrdup(rc == 0 && v.reason ? v.reason : jt_err_msg(&err));
            rc = -1;
        }
        jt_validation_release(&v);
        jt_err_clear(&err);
        if (rc != 0) return -1;
    }
    return 0;
}

/* The cache check's timing again, in a fresh process of the candidate (or
 * its floor): its eval passes, which must reproduce the judged outputs. The
 * trials' iteration, a median over many windows, stays the one measured:
 * what a single sample can get wrong are the passes, and a cache that
 * switches on after so many calls would not switch on again in a few.
 * A suspicion is kept only when this one shows it too. */
static int confirm_timing(const jt_pyrun_config *cfg, const jt_pyrun *judged,
                          const jt_engine_timing *measured, jt_engine_timing *t, char **why)
{
    jt_pyrun *r = NULL;
    jt_validation v;
    memset(&v, 0, sizeof v);
    jt_err err = JT_ERR_INIT;
    outcome o;
    memset(&o, 0, sizeof o);
    int rc = -1;
    jt_pyrun_config adopting = *cfg;
    adopting.adopts_judged = true;
    if (jt_pyrun_start(&adopting, &r, &err) != 0 || jt_pyrun_adopt_judged(r, judged, &err) != 0 ||
        jt_pyrun_validate(r, &v, &err) != 0 || v.verdict != JT_VERDICT_CORRECT) {
        *why = jt_xstrdup(v.reason ? v.reason : jt_err_msg(&err));
        goto out;
    }
    jt_engine_timing_init_(t, r, &v);
    if (jt_engine_later_passes_(r, t, &o) != 0) {
        *why = jt_xstrdup(o.error ? o.error : "an eval pass failed");
        goto out;
    }
    t->iteration = measured->iteration;
    t->iteration_min = measured->iteration_min;
    t->cpu_iteration = measured->cpu_iteration;
    t->cpu_iteration_min = measured->cpu_iteration_min;
    rc = 0;
out:
    jt_validation_release(&v);
    jt_engine_outcome_release_(&o);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    return rc;
}

void jt_engine_timing_init_(jt_engine_timing *t, const jt_pyrun *r, const jt_validation *v)
{
    t->pass[0] = v ? v->elapsed_seconds : NAN;
    t->cpu_pass[0] = v ? v->cpu_seconds : NAN;
    t->pass[1] = t->pass[2] = t->iteration = t->iteration_min = NAN;
    t->cpu_pass[1] = t->cpu_pass[2] = t->cpu_iteration = t->cpu_iteration_min = NAN;
    t->load = r ? jt_pyrun_load_seconds(r) : NAN;
}

/* The one way out of jt_engine_measure: an interrupted
 * outcome drops the record (nothing to journal), any other finishes it.
 * Releases the child and the outcome. */
static jt_engine_outcome conclude(json_t *rec, jt_pyrun *r, outcome *out, json_t **record)
{
    jt_engine_outcome res = JT_ENGINE_DONE;
    if (out->status == JT_STATUS_INTERRUPTED) {
        json_decref(rec);
        rec = NULL;
        res = JT_ENGINE_INTERRUPTED;
    } else {
        /* How the candidate was isolated (namespaces, or the fallback and why). */
        jt_sandbox_annotate(rec, jt_pyrun_child(r));
        jt_engine_finish_record_(rec, out->status, out->error);
    }
    jt_pyrun_free(r);
    jt_engine_outcome_release_(out);
    *record = rec;
    return res;
}

jt_engine_outcome jt_engine_measure(jt_engine *e, const jt_suite *s, const jt_candidate *c,
                                    bool with_floor, json_t **record)
{
    const jt_test_set *ts = &s->test_sets[c->test_set];
    unsigned long seed = derive_seed(e->seed, c->id);
    json_t *rec = jt_engine_candidate_record_(e, ts, c, seed);
    jt_pyrun_config cfg;
    jt_engine_fill_config_(e, ts, &c->opts, c->code, c->source_path ? c->source_path : c->id,
                           ts->function_name, &cfg);
    cfg.command = c->command; /* mode command (pyrun.h) */
    cfg.build = c->build;
    cfg.source_name = c->source_path;
    jt_pyrun *r = NULL;
    jt_validation v;
    validate(&cfg, c, ts, &r, &v);
    jt_engine_add_validation_(rec, &v);
    outcome out;
    memset(&out, 0, sizeof out);
    jt_floor fl;
    memset(&fl, 0, sizeof fl);
    if (*e->stop) {
        /* Interrupted during validation: the verdict is ours, not the candidate's. */
        out.status = JT_STATUS_INTERRUPTED;
    } else if (v.verdict != JT_VERDICT_CORRECT) {
        /* Correctness first: incorrect code is never measured. */
        out.status = c->no_code ? JT_STATUS_NO_CODE : jt_status_of_verdict(v.verdict);
        out.error = v.reason ? jt_xstrdup(v.reason) : NULL;
        json_object_set_new(rec, "energy_metrics", json_null());
    } else {
        jt_engine_timing timing;
        jt_engine_timing_init_(&timing, r, &v);
        if (jt_engine_later_passes_(r, &timing, &out) == 0) {
            /* The floor child starts once the candidate passed its eval
             * passes: its own passes and loading are measured next to the
             * candidate's (the cache check compares them). */
            if (with_floor) jt_floor_start_(e, ts, &c->opts, &fl);
            if (*e->stop) out.status = JT_STATUS_INTERRUPTED;
            else measure(e, &r, &cfg, &c->opts, c->id, seed, with_floor ? &fl : NULL, &out);
        }
        if (out.status != JT_STATUS_INTERRUPTED && out.n_trials) {
            jt_engine_add_measurement_(e, &out, ts->n_cases, seed, with_floor ? &fl : NULL,
                                       &timing, c->opts.allow_memoization, rec);
            /* A suspicion is confirmed in fresh processes of both the
             * candidate and its floor: one noisy floor sample decides nothing. */
            jt_engine_timing again, floor_again;
            char *why = NULL;
            if (jt_engine_cache_suspected_(rec) && !*e->stop) {
                if (confirm_timing(&cfg, r, &timing, &again, &why) == 0) {
                    const jt_engine_timing *ft = &fl.timing;
                    char *fwhy = NULL; /* a floor that cannot start again: its first figures */
                    if (jt_floor_live_(&fl) && !*e->stop &&
                        confirm_timing(&fl.cfg, fl.r, &fl.timing, &floor_again, &fwhy) == 0)
                        ft = &floor_again;
                    free(fwhy);
                    jt_engine_cache_confirm_(rec, ft, &again, NULL);
                } else if (!*e->stop) {
                    jt_engine_cache_confirm_(rec, NULL, NULL, why); /* the suspicion stands */
                }
                free(why);
            }
        }
        else if (out.status != JT_STATUS_INTERRUPTED)
            json_object_set_new(rec, "energy_metrics", json_null());
    }
    jt_floor_release_(&fl);
    jt_validation_release(&v);
    return conclude(rec, r, &out, record);
}
