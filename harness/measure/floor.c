/* The paired harness floor (engine_priv.h; docs/design.md "Floor"): a floor
 * child per measured candidate — the null function over the candidate's
 * test set, inputs and options — that runs one trial of exactly the
 * candidate's iteration count next to every candidate trial, alternating
 * the order (C F, F C, ...) so that linear drift cancels over the pairs.
 * Its figures, the net of floor per pair with its CI and the below_floor
 * flag go into the candidate's own record: resume needs nothing else. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/suite.h"
#include "measure/engine_priv.h"

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* The floor is lost: its child goes, the reason stays (the first one). */
static void lose(jt_floor *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lose(jt_floor *f, const char *fmt, ...)
{
    if (!f->out.error) {
        va_list ap;
        va_start(ap, fmt);
        char buf[1024];
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        f->out.error = jt_xasprintf("harness floor: %s", buf);
    }
    f->out.status = JT_STATUS_FAILED;
    jt_pyrun_free(f->r);
    f->r = NULL;
}

/* FLOOR_EXTRA_PASSES more warm passes, each kept in place of the dearer
 * of pass[1] and pass[2] when cheaper: the floor is re-measured for every
 * candidate, so one scheduling hiccup in its warm pass would otherwise
 * raise the cache check's threshold (E) for that candidate. A null
 * function's pass is cheap (a process per test in mode command). */
#define FLOOR_EXTRA_PASSES 3

static void warm_passes(jt_floor *f)
{
    for (int k = 0; k < FLOOR_EXTRA_PASSES && f->r; k++) {
        jt_validation v;
        jt_err err = JT_ERR_INIT;
        if (jt_pyrun_validate(f->r, &v, &err) != 0 || v.verdict != JT_VERDICT_CORRECT) {
            lose(f, "eval pass: %s", v.reason ? v.reason : jt_err_msg(&err));
        } else {
            int d = f->timing.pass[1] > f->timing.pass[2] ? 1 : 2; /* the dearer */
            if (v.elapsed_seconds < f->timing.pass[d]) f->timing.pass[d] = v.elapsed_seconds;
            d = f->timing.cpu_pass[1] > f->timing.cpu_pass[2] ? 1 : 2; /* each clock its own */
            if (v.cpu_seconds < f->timing.cpu_pass[d]) f->timing.cpu_pass[d] = v.cpu_seconds;
        }
        jt_validation_release(&v);
        jt_err_clear(&err);
    }
}

void jt_floor_start_(jt_engine *e, const jt_test_set *ts, const jt_options *o, jt_floor *f)
{
    memset(f, 0, sizeof *f);
    f->out.status = JT_STATUS_COMPLETED;
    jt_engine_timing_init_(&f->timing, NULL, NULL);
    f->key = jt_options_floor_key(ts->id, o);
    /* The runner's floor mode swaps the entry point for a null function and
     * runs everything else as for a candidate (in script mode: the whole
     * test code with asserts defused). A dataset's prompt is loaded first,
     * since its tests may call helpers it defines (HumanEval/32's poly). */
    const char *code = ts->prompt && !strcmp(ts->mode, "script") ? ts->prompt : NULL;
    jt_engine_fill_config_(e, ts, o, code, "jouletrace-floor.py", NULL, &f->cfg);
    f->cfg.floor = true;
    f->cfg.reload_per_iteration = false;
    jt_validation v;
    memset(&v, 0, sizeof v);
    jt_err err = JT_ERR_INIT;
    /* Its eval passes are not judged (the null function returns the expected
     * outputs); they set what its runs prove, as a candidate's do. */
    if (jt_pyrun_start(&f->cfg, &f->r, &err) != 0 || jt_pyrun_validate(f->r, &v, &err) != 0 ||
        v.verdict != JT_VERDICT_CORRECT) {
        lose(f, "%s", v.reason ? v.reason : jt_err_msg(&err));
    } else {
        jt_engine_timing_init_(&f->timing, f->r, &v);
        outcome passes;
        memset(&passes, 0, sizeof passes);
        if (jt_engine_later_passes_(f->r, &f->timing, &passes) != 0)
            lose(f, "eval pass: %s", passes.error ? passes.error : "failed");
        jt_engine_outcome_release_(&passes);
        warm_passes(f);
    }
    jt_validation_release(&v);
    jt_err_clear(&err);
}

bool jt_floor_live_(const jt_floor *f)
{
    return f && f->r;
}

/* Per-iteration value of each trial: field `total` (energy) or `wall`. */
static double *per_iter(const trial *t, size_t n, bool energy)
{
    double *x = jt_xcalloc(n + 1, sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = (energy ? t[i].total : t[i].wall) / (double)t[i].n;
    return x;
}

void jt_floor_trial_(jt_engine *e, jt_floor *f, uint64_t n, size_t pair, bool first,
                     bool fresh_process)
{
    jt_err err = JT_ERR_INIT, why = JT_ERR_INIT;
    jt_verdict v = JT_VERDICT_FAILED;
    if (fresh_process && f->out.n_trials > 0 &&
        jt_engine_fresh_child_(&f->r, &f->cfg, &v, &err) != 0) {
        lose(f, "pair %zu: a fresh process: %s", pair, jt_err_msg(&err));
        goto out;
    }
    for (size_t retries = 0; !*e->stop;) {
        trial t;
        int rc = jt_engine_one_trial_(e, f->r, n, &t, &v, &why, &err);
        if (rc < 0) {
            lose(f, "pair %zu: %s", pair, jt_err_msg(&err));
            break;
        }
        if (rc > 0) {
            f->out.retried_samples++;
            if (++retries > JT_ENGINE_MAX_SAMPLE_RETRIES) {
                lose(f, "energy counters gave no usable sample in %d consecutive windows; the "
                        "last: %s", JT_ENGINE_MAX_SAMPLE_RETRIES + 1, jt_err_msg(&why));
                break;
            }
            continue;
        }
        t.pair = pair;
        t.first = first;
        JT_GROW(f->out.trials, f->out.n_trials + 1, f->out.cap);
        f->out.trials[f->out.n_trials++] = t;
        f->out.iterations = n;
        /* the cache check's trial iteration: median and cheapest so far */
        jt_engine_timing_trials_(&f->timing, f->out.trials, f->out.n_trials);
        break;
    }
out:
    jt_err_clear(&err);
    jt_err_clear(&why);
}

/* CI of the net of floor includes 0 or lies below it: the candidate cannot
 * be told apart from the harness (a CI-less net: its median ≤ 0). */
static bool below_floor(const json_t *net)
{
    const json_t *lo = json_object_get(net, "ci95_low"), *med = json_object_get(net, "median");
    if (json_is_number(lo)) return json_number_value(lo) <= 0;
    return json_is_number(med) && json_number_value(med) <= 0;
}

void jt_floor_add_(const jt_floor *f, const outcome *cand, unsigned long seed, json_t *flags,
                   json_t *rec)
{
    size_t nf = f->out.n_trials;
    double *fe = per_iter(f->out.trials, nf, true), *ft = per_iter(f->out.trials, nf, false);
    json_t *trials = json_array();
    for (size_t i = 0; i < nf; i++)
        json_array_append_new(trials, jt_engine_trial_json_(&f->out.trials[i], i, "floor"));
    json_t *fo = json_pack(
        "{s:s?,s:s,s:o,s:I,s:I,s:I,s:s,s:o,s:o,s:o,s:o}", "floor_key", f->key, "status",
        f->out.error ? "failed" : "completed", "error",
        f->out.error ? json_string(f->out.error) : json_null(), "n_trials", (json_int_t)nf,
        "iterations_per_trial", (json_int_t)f->out.iterations, "retried_samples",
        (json_int_t)f->out.retried_samples, "order", "alternating: C F in odd pairs, F C in even",
        "total_energy", jt_engine_dist_json_(fe, nf, seed, true), "time",
        jt_engine_dist_json_(ft, nf, seed, true), "timing",
        jt_engine_timing_json_(&f->timing), "trials", trials);
    json_object_set_new(rec, "floor", fo);
    json_object_set_new(rec, "floor_total_energy_joules", num(jt_engine_median_(fe, nf)));

    /* Pair k: d_k = candidate_k / n − floor_k / n. A lost floor has no net
     * (its pairs so far may straddle the drift it was lost in). */
    size_t m = f->out.error ? 0 : (cand->n_trials < nf ? cand->n_trials : nf);
    double *ce = per_iter(cand->trials, m, true), *ct = per_iter(cand->trials, m, false);
    for (size_t k = 0; k < m; k++) {
        ce[k] -= fe[k];
        ct[k] -= ft[k];
    }
    json_t *net = jt_engine_dist_json_(ce, m, seed, m > 0);
    json_t *stats = json_object_get(rec, "stats");
    json_object_set_new(stats, "net_of_floor_energy", net);
    json_object_set_new(stats, "net_of_floor_time", jt_engine_dist_json_(ct, m, seed, m > 0));
    json_object_set_new(rec, "median_total_energy_net_of_floor_joules",
                        num(m ? jt_engine_median_(ce, m) : NAN));
    json_object_set_new(rec, "median_execution_time_net_of_floor_seconds",
                        num(m ? jt_engine_median_(ct, m) : NAN));
    if (f->out.error) json_array_append_new(flags, json_string("floor_failed"));
    else if (m && below_floor(net)) json_array_append_new(flags, json_string("below_floor"));
    free(fe), free(ft), free(ce), free(ct);
}

void jt_floor_release_(jt_floor *f)
{
    jt_pyrun_free(f->r);
    jt_engine_outcome_release_(&f->out);
    free(f->key);
    memset(f, 0, sizeof *f);
}
