/* The cache check (docs/design.md "Caches"): from the harness's clock only,
 * does a candidate get cheaper in a way only a cache explains? Three eval
 * passes (the first in a fresh process), the loading, and the trials'
 * per-iteration time are compared with the same figures of the harness
 * floor of its test set, whose null function does the same calls,
 * encoding and reply work at no cost of its own:
 *   first pass      the first pass cost X more than the warm ones, beyond
 *                   what the floor's first pass cost more than its own: work
 *                   done once per input and then remembered (lru_cache, a
 *                   dict in module globals, a cache in sys.modules or a file
 *                   that survives reloads and processes);
 *   trials          a trial iteration (the cheapest trial's) cost much less
 *                   than a warm eval pass, net of the floor: a cache that
 *                   switches on after the eval passes, in any trial;
 *   loading         loading cost far more than the floor's loading and many
 *                   iterations: work done at import (a precomputed table).
 * Honest warm-up (the interpreter's specialisation, first-call allocation)
 * costs the floor as much as the candidate and cancels; each rule needs an
 * absolute excess too, so timer and scheduling noise on tiny functions
 * never flags (x * x costs microseconds; a flagged excess is milliseconds). */
#include <math.h>
#include <stdio.h>

#include "measure/engine_priv.h"

/* Excess (seconds) below which no rule flags, whatever the ratio (or the
 * floor's warm pass, where that is longer): on the harness's clock, which a
 * preempted child still accrues (a busy host's hiccups are milliseconds),
 * and on the CPU time of the child's tree, whose noise between fresh
 * processes is tens of microseconds (an honest first call's specialisation
 * and allocation included). */
#define MEMO_ABS_S 0.001
#define MEMO_ABS_CPU_S 0.0003
/* first pass: its excess must also exceed this many warm passes (net) */
#define MEMO_FIRST_RATIO 1.0
/* trials: an iteration (net) below this fraction of a warm pass (net); honest
 * code measures 0.9-1.1 (a cache that still does I/O per call: 0.15-0.25) */
#define MEMO_TRIAL_FRACTION 0.5
/* loading: an excess over the floor's above this and this many iterations */
#define MEMO_LOAD_ABS_S 0.05
#define MEMO_LOAD_ITERATIONS 20.0

/* One clock's figures of a timing: the CPU time of the child's tree where
 * every figure the rules need has it (a preempted child accrues none, so a
 * busy host's hiccups do not reach the rules), else the harness's clock. */
typedef struct view {
    double pass0, warm, iteration, cheapest;
} view;

static double min_finite(double a, double b)
{
    return !isfinite(a) ? b : !isfinite(b) ? a : a < b ? a : b;
}

static view view_of(const jt_engine_timing *t, bool cpu)
{
    if (cpu)
        return (view){t->cpu_pass[0], min_finite(t->cpu_pass[1], t->cpu_pass[2]),
                      t->cpu_iteration, t->cpu_iteration_min};
    return (view){t->pass[0], min_finite(t->pass[1], t->pass[2]), t->iteration,
                  t->iteration_min};
}

static bool has_cpu(const jt_engine_timing *t)
{
    view v = view_of(t, true);
    return isfinite(v.pass0) && isfinite(v.warm) &&
           (isfinite(v.cheapest) || !isfinite(t->iteration_min));
}

static double pos(double x)
{
    return isfinite(x) && x > 0 ? x : 0;
}

json_t *jt_engine_cache_check_(const jt_engine_timing *ct, const jt_engine_timing *ft,
                               bool *suspected)
{
    *suspected = false;
    json_t *o = json_object();
    bool cpu = ft && has_cpu(ct) && has_cpu(ft);
    view c = view_of(ct, cpu), f = ft ? view_of(ft, cpu) : (view){NAN, NAN, NAN, NAN};
    if (!isfinite(c.pass0) || !isfinite(c.warm) || !isfinite(f.pass0) || !isfinite(f.warm)) {
        json_object_set_new(o, "checked", json_false());
        json_object_set_new(o, "why", json_string(ft ? "too few eval passes"
                                                     : "no harness floor to compare with"));
        return o;
    }
    /* An excess must also exceed the floor's own warm pass: the harness's
     * per-pass cost (a process per test in mode command) is also its noise. */
    double abs_s = fmax(cpu ? MEMO_ABS_CPU_S : MEMO_ABS_S, f.warm);
    double first = (c.pass0 - c.warm) - pos(f.pass0 - f.warm);
    double warm_net = pos(c.warm - f.warm);
    double iter_net = c.iteration - (isfinite(f.iteration) ? f.iteration : 0);
    /* the cheapest trial against the floor's cheapest: neither clock runs
     * fast, so no noise makes an honest trial cheap; a cache that switched
     * on in some trials shows here even where the median missed it */
    double cheap_net = c.cheapest - (isfinite(f.cheapest) ? f.cheapest : 0);
    double load = ct->load - ft->load;
    const char *why = NULL;
    char text[256];
    const char *clock = cpu ? "CPU time" : "time";
    if (first > abs_s && first > MEMO_FIRST_RATIO * warm_net) {
        snprintf(text, sizeof text, "the first eval pass cost %.3g s more %s than a warm one "
                 "(net of the floor), more than a whole warm pass (%.3g s): work done once "
                 "and remembered", first, clock, warm_net);
        why = text;
    } else if (isfinite(c.cheapest) && warm_net - cheap_net > abs_s &&
               cheap_net < MEMO_TRIAL_FRACTION * warm_net) {
        snprintf(text, sizeof text, "a trial iteration cost %.3g s %s (the cheapest trial, net "
                 "of the floor's), a warm eval pass %.3g s: it got cheaper after validation",
                 cheap_net, clock, warm_net);
        why = text;
    } else if (isfinite(load) && load > MEMO_LOAD_ABS_S &&
               load > MEMO_LOAD_ITERATIONS * pos(isfinite(iter_net) ? iter_net : warm_net)) {
        snprintf(text, sizeof text, "loading cost %.3g s more than the floor's, over %g "
                 "iterations: work done at import", load, MEMO_LOAD_ITERATIONS);
        why = text;
    }
    *suspected = why != NULL;
    json_object_set_new(o, "checked", json_true());
    json_object_set_new(o, "clock", json_string(cpu ? "cpu" : "wall"));
    json_object_set_new(o, "first_pass_excess_seconds", json_real(first));
    json_object_set_new(o, "warm_pass_net_seconds", json_real(warm_net));
    if (isfinite(iter_net)) json_object_set_new(o, "trial_iteration_net_seconds", json_real(iter_net));
    if (isfinite(cheap_net))
        json_object_set_new(o, "cheapest_trial_iteration_net_seconds", json_real(cheap_net));
    if (isfinite(load)) json_object_set_new(o, "load_excess_seconds", json_real(load));
    if (why) json_object_set_new(o, "evidence", json_string(why));
    return o;
}

json_t *jt_engine_timing_json_(const jt_engine_timing *t)
{
    json_t *p = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(p, isfinite(t->pass[i]) ? json_real(t->pass[i]) : json_null());
    json_t *o = json_pack("{s:o}", "eval_pass_seconds", p);
    if (isfinite(t->cpu_pass[0])) {
        json_t *q = json_array();
        for (int i = 0; i < 3; i++)
            json_array_append_new(q, isfinite(t->cpu_pass[i]) ? json_real(t->cpu_pass[i])
                                                              : json_null());
        json_object_set_new(o, "eval_pass_cpu_seconds", q);
    }
    if (isfinite(t->cpu_iteration))
        json_object_set_new(o, "iteration_cpu_seconds", json_real(t->cpu_iteration));
    if (isfinite(t->cpu_iteration_min))
        json_object_set_new(o, "cheapest_iteration_cpu_seconds", json_real(t->cpu_iteration_min));
    if (isfinite(t->load)) json_object_set_new(o, "load_seconds", json_real(t->load));
    if (isfinite(t->iteration))
        json_object_set_new(o, "iteration_seconds", json_real(t->iteration));
    if (isfinite(t->iteration_min))
        json_object_set_new(o, "cheapest_iteration_seconds", json_real(t->iteration_min));
    return o;
}
