/* Journal records of the trial engine (engine_priv.h): their head, the
 * validation, statistics, flags and trials of a measured outcome, and the
 * status that ends them. The field order is the journal's: keep it. */
#include <math.h>
#include <string.h>
#include <stddef.h>
#include <stdlib.h>

#include "jouletrace/engine.h"
#include "jouletrace/status.h"
#include "measure/engine_priv.h"

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* {median, mean, sd, cv, robust_cv, min, max, mad[, ci...]} of x. */
static json_t *dist_json(const double *x, size_t n, unsigned long seed, bool with_ci)
{
    jt_stats_summary s;
    jt_err err = JT_ERR_INIT;
    if (n == 0 || jt_stats_summarize(x, n, &s, &err) != 0) {
        jt_err_clear(&err);
        return json_null();
    }
    json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "n", (json_int_t)s.n, "median",
                          num(s.median), "mean", num(s.mean), "sd", num(s.sd), "cv", num(s.cv),
                          "robust_cv", num(s.robust_cv), "min", num(s.min), "max", num(s.max),
                          "mad", num(s.mad));
    if (with_ci) {
        jt_stats_ci ci;
        if (jt_stats_median_ci(x, n, seed, 0, &ci, &err) == 0) {
            json_object_set_new(o, "ci95_low", num(ci.lo));
            json_object_set_new(o, "ci95_high", num(ci.hi));
            json_object_set_new(o, "ci_method", json_string(jt_stats_ci_method_name(ci.method)));
            json_object_set_new(o, "ci_coverage", num(ci.coverage));
            json_object_set_new(o, "ci_below_level", json_boolean(ci.below_level));
            json_object_set_new(o, "rel_half_width", num(ci.rel_half_width));
            /* x is in trial order: how far the trials are from independent */
            json_object_set_new(o, "ci_lag1_autocorrelation", num(jt_stats_lag1(x, n)));
            if (ci.method == JT_STATS_CI_BOOTSTRAP)
                json_object_set_new(o, "bootstrap_seed", json_integer((json_int_t)ci.seed));
        }
        jt_stats_outlier_info oi;
        if (jt_stats_find_outliers(x, n, NULL, &oi, &err) == 0)
            json_object_set_new(o, "outliers", json_integer((json_int_t)oi.count));
    }
    jt_err_clear(&err);
    return o;
}

static double median_of(const double *x, size_t n)
{
    jt_stats_summary s;
    jt_err err = JT_ERR_INIT;
    double m = n && jt_stats_summarize(x, n, &s, &err) == 0 ? s.median : NAN;
    jt_err_clear(&err);
    return m;
}

json_t *jt_engine_dist_json_(const double *x, size_t n, unsigned long seed, bool with_ci)
{
    return dist_json(x, n, seed, with_ci);
}

double jt_engine_median_(const double *x, size_t n)
{
    return median_of(x, n);
}

/* Per-iteration values of one trial, one column each: the distributions
 * of the record's stats. */
typedef struct per_trial {
    double tot, pkg, pkgr, tim, pow, netw, wall;
} per_trial;

/* The columns that exist only for some trials (no DRAM domain, no DRAM
 * baseline), packed: each holds its n_* first entries. */
typedef struct sparse_cols {
    double *ram, *ramn, *totn;
    size_t n_ram, n_ramn, n_totn;
} sparse_cols;

/* Column `off` of every row, as one array (caller frees). */
static double *column(const per_trial *rows, size_t n, size_t off)
{
    double *c = jt_xcalloc(n + 1, sizeof *c);
    for (size_t i = 0; i < n; i++) c[i] = *(const double *)((const char *)&rows[i] + off);
    return c;
}

json_t *jt_engine_trial_json_(const trial *t, size_t i, const char *kind)
{
    json_t *tj = json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o}",
                     "trial", (json_int_t)i + 1, "iterations", (json_int_t)t->n, "wall_seconds",
                     num(t->wall), "child_seconds", num(t->child_s), "cpu_seconds", num(t->cpu_s),
                     "package_raw_joules", num(t->pkg_raw), "package_net_joules", num(t->pkg_net),
                     "ram_raw_joules", num(t->ram_raw), "ram_net_joules", num(t->ram_net),
                     "total_joules", num(t->total), "total_net_joules", num(t->total_net),
                     "edge_aligned", t->edge, "voluntary_context_switches",
                     t->tel.voluntary_cs >= 0 ? json_integer(t->tel.voluntary_cs) : json_null(),
                     "involuntary_context_switches",
                     t->tel.involuntary_cs >= 0 ? json_integer(t->tel.involuntary_cs) : json_null(),
                     "interrupts",
                     t->tel.cpu_interrupts >= 0 ? json_integer(t->tel.cpu_interrupts) : json_null(),
                     "frequency_mhz", num(t->tel.freq_mhz), "temperature_celsius",
                     num(t->tel.temp_c));
    json_object_set_new(tj, "child_cpu_seconds", num(t->child_cpu_s));
    if (t->pair) { /* docs/design.md "Floor": which pair, and the order in it */
        json_object_set_new(tj, "kind", json_string(kind));
        json_object_set_new(tj, "pair", json_integer((json_int_t)t->pair));
        json_object_set_new(tj, "first_in_pair", json_boolean(t->first));
    }
    return tj;
}

#define COL(rows, n, field) column((rows), (n), offsetof(per_trial, field))

static json_t *flags_json(const jt_engine *e, const per_trial *rows, size_t n,
                          const json_t *stats)
{
    json_t *flags = json_array();
    if (jt_energy_is_estimate(e->meter)) json_array_append_new(flags, json_string("model_estimate"));
    /* Missing, not zero: the DRAM columns stay empty and say why. */
    if (!jt_energy_domain(e->meter, JT_ENERGY_DRAM))
        json_array_append_new(flags, json_string("no_dram_domain"));
    if (!e->calib) json_array_append_new(flags, json_string("uncalibrated"));
    jt_stats_noise noise;
    jt_err err = JT_ERR_INIT;
    double idle_sd = e->calib ? e->calib->package.sd_w : 0;
    double *netw = COL(rows, n, netw), *wall = COL(rows, n, wall);
    if (n && jt_stats_baseline_flags(netw, wall, n, idle_sd, &noise, &err) == 0) {
        if (noise.below_baseline) json_array_append_new(flags, json_string("below_baseline"));
        if (noise.within_noise && e->calib) json_array_append_new(flags, json_string("within_noise"));
    }
    jt_err_clear(&err);
    free(netw);
    free(wall);
    json_t *te = json_object_get(stats, "total_energy");
    if (json_integer_value(json_object_get(te, "outliers")) > 0)
        json_array_append_new(flags, json_string("outliers"));
    return flags;
}

/* The cache check against the paired floor's timing (memo.c; ft NULL: the
 * floor was lost): its figures, the flag, and whether the candidate is
 * ranked. */
static void add_cache_check(const jt_engine_timing *ft, const jt_engine_timing *timing,
                            bool allow_memoization, json_t *flags, json_t *rec)
{
    bool suspected = false;
    json_object_set_new(rec, "cache_check", jt_engine_cache_check_(timing, ft, &suspected));
    if (suspected) json_array_append_new(flags, json_string("memoization_suspected"));
    /* A suspected cache is kept with its evidence but not ranked, unless the
     * suite allows caches (docs/design.md "Caches"). */
    json_object_set_new(rec, "ranked", json_boolean(!suspected || allow_memoization));
}

bool jt_engine_cache_suspected_(const json_t *rec)
{
    const json_t *cc = json_object_get(rec, "cache_check");
    return json_is_string(json_object_get(cc, "evidence"));
}

void jt_engine_cache_confirm_(json_t *rec, const jt_engine_timing *ft,
                              const jt_engine_timing *again, const char *failed)
{
    bool suspected = false;
    json_t *cc = json_object_get(rec, "cache_check");
    if (failed) { /* no fresh process to ask: the suspicion stands, with why */
        json_object_set_new(cc, "confirmation",
                            json_pack("{s:b,s:s}", "checked", 0, "why", failed));
        return;
    }
    json_object_set_new(cc, "confirmation", jt_engine_cache_check_(again, ft, &suspected));
    if (suspected) return;
    /* Not seen again in a fresh process: noise, not a cache. */
    json_object_set_new(cc, "unconfirmed_evidence", json_incref(json_object_get(cc, "evidence")));
    json_object_del(cc, "evidence");
    json_t *flags = json_object_get(rec, "flags");
    for (size_t i = json_array_size(flags); i-- > 0;)
        if (!strcmp(json_string_value(json_array_get(flags, i)), "memoization_suspected"))
            json_array_remove(flags, i);
    json_object_set_new(rec, "ranked", json_true());
}

void jt_engine_add_measurement_(jt_engine *e, const outcome *out, size_t n_cases, unsigned long seed,
                                const jt_floor *floor, jt_engine_timing *timing,
                                bool allow_memoization, json_t *rec)
{
    size_t n = out->n_trials;
    per_trial *rows = jt_xcalloc(n + 1, sizeof *rows);
    sparse_cols sp = {jt_xcalloc(n + 1, sizeof(double)), jt_xcalloc(n + 1, sizeof(double)),
                      jt_xcalloc(n + 1, sizeof(double)), 0, 0, 0};
    json_t *trials = json_array();
    unsigned disagreement = 0;
    for (size_t i = 0; i < n; i++) {
        const trial *t = &out->trials[i];
        disagreement |= t->disagreement;
        double k = (double)t->n;
        rows[i] = (per_trial){.tot = t->total / k, .pkg = t->pkg_net / k, .pkgr = t->pkg_raw / k,
                              .tim = t->wall / k, .pow = t->total / t->wall, .netw = t->pkg_net,
                              .wall = t->wall};
        if (isfinite(t->ram_raw)) sp.ram[sp.n_ram++] = t->ram_raw / k;
        if (isfinite(t->ram_net)) sp.ramn[sp.n_ramn++] = t->ram_net / k;
        if (isfinite(t->total_net)) sp.totn[sp.n_totn++] = t->total_net / k;
        json_array_append_new(trials, jt_engine_trial_json_(t, i, "candidate"));
    }
    double *tot = COL(rows, n, tot), *pkg = COL(rows, n, pkg), *pkgr = COL(rows, n, pkgr),
           *tim = COL(rows, n, tim), *pow = COL(rows, n, pow);
    double med_tot = median_of(tot, n);
    json_object_set_new(
        rec, "energy_metrics",
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "median_package_energy_joules",
                  num(median_of(pkg, n)), "median_ram_energy_joules",
                  sp.n_ram ? num(median_of(sp.ram, sp.n_ram)) : json_null(),
                  "median_total_energy_joules", num(med_tot), "median_execution_time_seconds",
                  num(median_of(tim, n)), "energy_per_test_case_joules",
                  num(med_tot / (double)n_cases), "power_consumption_watts",
                  num(median_of(pow, n))));
    json_t *stats = json_pack(
        "{s:I,s:I,s:s?,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "n_trials", (json_int_t)n,
        "iterations_per_trial", (json_int_t)out->iterations, "stop_reason",
        out->stop == JT_STATS_CONTINUE ? NULL : jt_stats_stop_name(out->stop), "total_energy",
        dist_json(tot, n, seed, true), "total_net_energy",
        dist_json(sp.totn, sp.n_totn, seed, sp.n_totn > 0), "package_energy",
        dist_json(pkg, n, seed, false), "package_raw_energy", dist_json(pkgr, n, seed, false),
        "ram_energy", dist_json(sp.ram, sp.n_ram, seed, false), "ram_net_energy",
        dist_json(sp.ramn, sp.n_ramn, seed, false), "time", dist_json(tim, n, seed, true),
        "retried_samples", (json_int_t)out->retried_samples);
    json_object_set_new(rec, "stats", stats);
    json_object_set_new(rec, "stop_reason",
                        out->stop == JT_STATS_CONTINUE ? json_null()
                                                       : json_string(jt_stats_stop_name(out->stop)));
    json_t *flags = flags_json(e, rows, n, stats);
    /* The child's own figures contradicted the harness's in some trial
     * (pyrun.h jt_run_result; the numbers above are the harness's). */
    if (disagreement & JT_RUN_CHILD_ELAPSED_HIGH)
        json_array_append_new(flags, json_string("child_clock_disagrees"));
    if (disagreement & JT_RUN_CHILD_CPU_LOW)
        json_array_append_new(flags, json_string("child_cpu_disagrees"));
    jt_engine_timing_trials_(timing, out->trials, n);
    json_object_set_new(rec, "timing", jt_engine_timing_json_(timing));
    if (floor) {
        /* its trials, figures and net of floor; then the cache check on its timing */
        jt_floor_add_(floor, out, seed, flags, rec);
        add_cache_check(floor->out.n_trials ? &floor->timing : NULL, timing, allow_memoization,
                        flags, rec);
    }
    json_object_set_new(rec, "flags", flags);
    json_object_set_new(rec, "trials", trials);
    free(tot), free(pkg), free(pkgr), free(tim), free(pow);
    free(sp.ram), free(sp.ramn), free(sp.totn);
    free(rows);
}

static json_t *failures_json(const jt_validation *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n_results && json_array_size(a) < MAX_FAILURES_KEPT; i++) {
        const jt_test_result *r = &v->results[i];
        if (r->passed) continue;
        json_array_append_new(a, json_pack("{s:s,s:s?,s:s?,s:s?,s:s?}", "test_id", r->test_id,
                                           "expected", r->expected, "got", r->got, "error_type",
                                           r->error_type, "error_message", r->error_message));
    }
    return a;
}


static json_t *record_head(const char *type, const jt_engine *e, const char *id, const char *ts)
{
    char *started = jt_utc_now();
    json_t *rec = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s}", "schema_version", JT_RECORD_SCHEMA, "type",
                            type, "id", id, "test_set", ts, "energy_source",
                            jt_energy_source_name(e->meter), "started", started);
    free(started);
    return rec;
}

json_t *jt_engine_candidate_record_(const jt_engine *e, const jt_test_set *ts,
                                    const jt_candidate *c, unsigned long seed)
{
    json_t *rec = record_head("candidate", e, c->id, ts->id);
    if (c->group) json_object_set_new(rec, "group", json_string(c->group));
    if (c->metadata) json_object_set_new(rec, "metadata", json_deep_copy(c->metadata));
    if (c->source_path) json_object_set_new(rec, "source_path", json_string(c->source_path));
    json_object_set_new(rec, "seed", json_integer((json_int_t)seed));
    return rec;
}

void jt_engine_add_validation_(json_t *rec, const jt_validation *v)
{
    json_object_set_new(rec, "validation",
                        json_pack("{s:b,s:I,s:I}", "is_correct", v->verdict == JT_VERDICT_CORRECT,
                                  "passed_tests", (json_int_t)v->passed, "total_tests",
                                  (json_int_t)v->total));
    json_object_set_new(rec, "failures", failures_json(v));
}

/* The figures only a measured record has: what is computed over its trials. */
static const char *const result_keys[] = {
    "energy_metrics", "stats", "floor_total_energy_joules",
    "median_total_energy_net_of_floor_joules", "median_execution_time_net_of_floor_seconds",
    "ranked", "cache_check",
};

/* A record that ends other than measured (failed, incorrect, timeout, ...)
 * after some trials keeps those trials (nothing measured is lost) but no
 * figure computed from them: a median of the trials before a failure is not
 * the candidate's (docs/design.md "Journal"). */
void jt_engine_timing_trials_(jt_engine_timing *t, const trial *tr, size_t n)
{
    t->iteration = t->iteration_min = t->cpu_iteration = t->cpu_iteration_min = NAN;
    if (n == 0) return;
    double *wall = jt_xcalloc(n, sizeof *wall), *cpu = jt_xcalloc(n, sizeof *cpu);
    bool all_cpu = true;
    for (size_t i = 0; i < n; i++) {
        wall[i] = tr[i].n ? tr[i].wall / (double)tr[i].n : NAN;
        cpu[i] = tr[i].n ? tr[i].cpu_s / (double)tr[i].n : NAN;
        all_cpu = all_cpu && isfinite(cpu[i]);
        t->iteration_min = i == 0 || wall[i] < t->iteration_min ? wall[i] : t->iteration_min;
        t->cpu_iteration_min = i == 0 || cpu[i] < t->cpu_iteration_min ? cpu[i]
                                                                        : t->cpu_iteration_min;
    }
    t->iteration = median_of(wall, n);
    if (all_cpu) t->cpu_iteration = median_of(cpu, n);
    else t->cpu_iteration_min = NAN;
    free(wall), free(cpu);
}

static void drop_partial_results(json_t *rec, jt_status status)
{
    size_t n = json_array_size(json_object_get(rec, "trials"));
    if (jt_status_measured(status) || n == 0) return;
    for (size_t i = 0; i < sizeof result_keys / sizeof result_keys[0]; i++)
        if (json_object_get(rec, result_keys[i])) json_object_set_new(rec, result_keys[i], json_null());
    /* the paired floor keeps its trials too, not its medians */
    json_t *floor = json_object_get(rec, "floor");
    if (json_is_object(floor)) {
        json_object_set_new(floor, "total_energy", json_null());
        json_object_set_new(floor, "time", json_null());
    }
    json_object_set_new(rec, "partial_trials", json_integer((json_int_t)n));
    json_t *flags = json_object_get(rec, "flags");
    if (!json_is_array(flags)) json_object_set_new(rec, "flags", flags = json_array());
    for (size_t i = json_array_size(flags); i-- > 0;) { /* a verdict on medians now gone */
        const char *f = json_string_value(json_array_get(flags, i));
        if (f && !strcmp(f, "below_floor")) json_array_remove(flags, i);
    }
    json_array_append_new(flags, json_string("partial_trials"));
}

void jt_engine_finish_record_(json_t *rec, jt_status status, const char *error)
{
    drop_partial_results(rec, status);
    json_object_set_new(rec, "status", json_string(jt_status_name(status)));
    json_object_set_new(rec, "error", error ? json_string(error) : json_null());
    char *fin = jt_utc_now();
    json_object_set_new(rec, "finished", json_string(fin));
    free(fin);
}

void jt_engine_outcome_release_(outcome *out)
{
    free(out->error);
    free(out->trials);
    out->error = NULL;
    out->trials = NULL;
    out->n_trials = out->cap = 0;
}

json_t *jt_engine_failed_record(const jt_engine *e, const jt_suite *s, const jt_candidate *c,
                                const char *reason)
{
    const jt_test_set *ts = &s->test_sets[c->test_set];
    json_t *rec = record_head("candidate", e, c->id, ts->id);
    if (c->group) json_object_set_new(rec, "group", json_string(c->group));
    jt_validation none = {.verdict = JT_VERDICT_FAILED, .total = ts->n_cases};
    jt_engine_add_validation_(rec, &none);
    json_object_set_new(rec, "energy_metrics", json_null());
    jt_engine_finish_record_(rec, JT_STATUS_FAILED, reason);
    return rec;
}
