/* Statistics, flags and trials of one candidate into its journal record
 * (engine_priv.h). */
#include <math.h>
#include <stdlib.h>

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

void jt_engine_add_measurement_(jt_engine *e, const outcome *out, size_t n_cases, unsigned long seed,
                            const json_t *floor, double first_pass_ratio, json_t *rec)
{
    size_t n = out->n_trials;
    double *tot = jt_xcalloc(n + 1, sizeof *tot), *totn = jt_xcalloc(n + 1, sizeof *totn),
           *pkg = jt_xcalloc(n + 1, sizeof *pkg), *pkgr = jt_xcalloc(n + 1, sizeof *pkgr),
           *ram = jt_xcalloc(n + 1, sizeof *ram), *ramn = jt_xcalloc(n + 1, sizeof *ramn),
           *tim = jt_xcalloc(n + 1, sizeof *tim), *pow = jt_xcalloc(n + 1, sizeof *pow),
           *netw = jt_xcalloc(n + 1, sizeof *netw), *wall = jt_xcalloc(n + 1, sizeof *wall);
    size_t n_ram = 0, n_ramn = 0, n_totn = 0;
    json_t *trials = json_array();
    unsigned disagreement = 0;
    for (size_t i = 0; i < n; i++) {
        const trial *t = &out->trials[i];
        disagreement |= t->disagreement;
        double k = (double)t->n;
        tot[i] = t->total / k;
        pkg[i] = t->pkg_net / k;
        pkgr[i] = t->pkg_raw / k;
        tim[i] = t->wall / k;
        pow[i] = t->total / t->wall;
        netw[i] = t->pkg_net;
        wall[i] = t->wall;
        if (isfinite(t->ram_raw)) ram[n_ram++] = t->ram_raw / k;
        if (isfinite(t->ram_net)) ramn[n_ramn++] = t->ram_net / k;
        if (isfinite(t->total_net)) totn[n_totn++] = t->total_net / k;
        json_t *tj =
            json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o}",
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
        json_array_append_new(trials, tj);
    }
    double med_tot = median_of(tot, n);
    json_object_set_new(
        rec, "energy_metrics",
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "median_package_energy_joules",
                  num(median_of(pkg, n)), "median_ram_energy_joules",
                  n_ram ? num(median_of(ram, n_ram)) : json_null(), "median_total_energy_joules",
                  num(med_tot), "median_execution_time_seconds", num(median_of(tim, n)),
                  "energy_per_test_case_joules", num(med_tot / (double)n_cases),
                  "power_consumption_watts", num(median_of(pow, n))));
    json_t *stats = json_pack(
        "{s:I,s:I,s:s?,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "n_trials", (json_int_t)n,
        "iterations_per_trial", (json_int_t)out->iterations, "stop_reason",
        out->stop == JT_STATS_CONTINUE ? NULL : jt_stats_stop_name(out->stop), "total_energy",
        dist_json(tot, n, seed, true), "total_net_energy", dist_json(totn, n_totn, seed, n_totn > 0),
        "package_energy", dist_json(pkg, n, seed, false), "package_raw_energy",
        dist_json(pkgr, n, seed, false), "ram_energy", dist_json(ram, n_ram, seed, false),
        "ram_net_energy", dist_json(ramn, n_ramn, seed, false), "time",
        dist_json(tim, n, seed, true), "retried_samples", (json_int_t)out->retried_samples);
    json_object_set_new(rec, "stats", stats);
    json_object_set_new(rec, "stop_reason",
                        out->stop == JT_STATS_CONTINUE ? json_null()
                                                       : json_string(jt_stats_stop_name(out->stop)));

    json_t *flags = json_array();
    if (jt_energy_is_estimate(e->meter)) json_array_append_new(flags, json_string("model_estimate"));
    if (!e->calib) json_array_append_new(flags, json_string("uncalibrated"));
    jt_stats_noise noise;
    jt_err err = JT_ERR_INIT;
    double idle_sd = e->calib ? e->calib->package.sd_w : 0;
    if (n && jt_stats_baseline_flags(netw, wall, n, idle_sd, &noise, &err) == 0) {
        if (noise.below_baseline) json_array_append_new(flags, json_string("below_baseline"));
        if (noise.within_noise && e->calib) json_array_append_new(flags, json_string("within_noise"));
    }
    jt_err_clear(&err);
    json_t *te = json_object_get(stats, "total_energy");
    if (json_integer_value(json_object_get(te, "outliers")) > 0)
        json_array_append_new(flags, json_string("outliers"));
    if (first_pass_ratio > 0) {
        double ratio = first_pass_ratio;
        json_object_set_new(stats, "first_pass_ratio", num(ratio));
        if (ratio > MEMO_RATIO) json_array_append_new(flags, json_string("memoization_suspected"));
    }
    /* The child's own figures contradicted the harness's in some trial
     * (pyrun.h jt_run_result; the numbers above are the harness's). */
    if (disagreement & JT_RUN_CHILD_ELAPSED_HIGH)
        json_array_append_new(flags, json_string("child_clock_disagrees"));
    if (disagreement & JT_RUN_CHILD_CPU_LOW)
        json_array_append_new(flags, json_string("child_cpu_disagrees"));
    json_object_set_new(rec, "flags", flags);

    if (floor) {
        json_t *fm = json_object_get(json_object_get(floor, "energy_metrics"),
                                     "median_total_energy_joules");
        double f = json_number_value(fm);
        json_object_set_new(rec, "floor_total_energy_joules", json_is_number(fm) ? json_real(f) : json_null());
        json_object_set_new(rec, "median_total_energy_net_of_floor_joules",
                            json_is_number(fm) ? num(med_tot - f) : json_null());
    }
    json_object_set_new(rec, "trials", trials);
    free(tot), free(totn), free(pkg), free(pkgr), free(ram), free(ramn), free(tim), free(pow);
    free(netw), free(wall);
}

json_t *jt_engine_failures_json_(const jt_validation *v)
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

