/* The stop rule as a statistician reads it (harness/stats/stop.c,
 * docs/design.md "Stop rule"): runs of simulated trials, each stopped by
 * jt_stats_stop_check exactly as the engine stops a candidate, from a
 * seeded gsl_rng (the same numbers on every run).
 *
 * 1. Coverage at the stop. The rule looks after every trial and stops when
 *    the interval is narrow, which is also when a sample tends to sit on one
 *    side of the median; so the interval reported at the stop must be
 *    checked there, not at a fixed n. For each (distribution, true CV,
 *    max_trials) the share of runs whose reported CI holds the true median
 *    must reach 0.95 up to its sampling error: ≥ 0.95 − 3·sqrt(0.95·0.05/R), R runs.
 * 2. The CV rule calls a candidate stable only when it is: with a true CV of
 *    twice cv_target it stops "cv_target" in at most 5 % of runs (+ error).
 * 3. A quiet candidate still stops early: at the first n whose interval
 *    reaches its level (7), or a trial or two later when its trials look
 *    correlated by chance.
 *
 * That the test can fail: the rule as it was (a fixed-n 95 % interval, the
 * CV's point estimate, looks from n = 5) is run through the same harness
 * and must fail 1 and 2 where it did (coverage 0.925 at a true CV of 5 %
 * and max 100; 11 % "stable" at twice the target).
 *
 * 4. Trials that are not independent: on a drifting host (AR(1) noise,
 *    lag-1 autocorrelation 0.5, as neighbouring trials on the dev VM) the
 *    interval must cover too (it is widened for it, stats.h), and the
 *    interval that assumes independence must fail the same check.
 *
 * Distributions: normal, lognormal (median 1, the CV given), a noisy
 * host's: 85 % N(1, cv) and 15 % of trials 4·cv dearer (interference), and
 * the drifting host's N(1, cv) with AR(1) correlation between trials. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "jouletrace/stats.h"
#include "support/ckmath.h"
#include "support/testutil.h"

/* runs per cell; the checks of the old rule need more to tell 0.925 from 0.95 */
#define R_CELL 2000
#define R_POWER 4000
#define MAX_N 100

typedef enum { D_NORMAL, D_LOGNORMAL, D_NOISY_HOST, D_DRIFTING_HOST, D_COUNT } dist;
static const char *const dist_names[D_COUNT] = {"normal", "lognormal", "noisy host",
                                                "drifting host"};
/* The drifting host's lag-1 autocorrelation: what trials on the dev VM showed (0.45–0.5). */
#define DRIFT_RHO 0.5

/* *state: the drifting host's AR(1) noise, NAN before a run's first trial. */
static double draw(dist d, double cv, const gsl_rng *g, double *state)
{
    switch (d) {
    case D_DRIFTING_HOST:
        *state = isnan(*state) ? gsl_ran_gaussian(g, 1.0)
                               : DRIFT_RHO * *state +
                                     sqrt(1 - DRIFT_RHO * DRIFT_RHO) * gsl_ran_gaussian(g, 1.0);
        return 1.0 + cv * *state;
    case D_NORMAL: return 1.0 + cv * gsl_ran_gaussian(g, 1.0);
    case D_LOGNORMAL: return gsl_ran_lognormal(g, 0.0, sqrt(log1p(cv * cv)));
    case D_NOISY_HOST:
        return (gsl_rng_uniform(g) < 0.15 ? 1.0 + 4.0 * cv : 1.0) + cv * gsl_ran_gaussian(g, 1.0);
    case D_COUNT: break;
    }
    return NAN;
}

/* The true median: 1, or for the noisy host the root of
 * 0.85·Φ((m − 1)/cv) + 0.15·Φ((m − 1 − 4cv)/cv) = ½ (bisection). */
static double true_median(dist d, double cv)
{
    if (d != D_NOISY_HOST) return 1.0;
    double lo = 0.0, hi = 2.0;
    for (int i = 0; i < 100; i++) {
        double m = (lo + hi) / 2;
        double p = 0.85 * gsl_cdf_ugaussian_P((m - 1) / cv) +
                   0.15 * gsl_cdf_ugaussian_P((m - 1 - 4 * cv) / cv);
        if (p < 0.5) lo = m;
        else hi = m;
    }
    return (lo + hi) / 2;
}

/* The rule as it was: from n = min_trials, precision on the fixed-n 95 %
 * interval (at level: n ≥ 6), then the CV's point estimate. Returns the
 * decision and the interval it reports. */
static jt_stats_stop old_rule(const double *x, size_t n, const jt_stats_stop_rule *rule,
                              double *lo, double *hi)
{
    double s[MAX_N];
    memcpy(s, x, n * sizeof *s);
    gsl_sort(s, 1, n);
    size_t l = 1;
    while (l + 1 <= n / 2 &&
           1 - 2 * gsl_cdf_binomial_P((unsigned)l, 0.5, (unsigned)n) >= JT_STATS_LEVEL)
        l++;
    bool at_level = 1 - 2 * gsl_cdf_binomial_P((unsigned)(l - 1), 0.5, (unsigned)n) >= JT_STATS_LEVEL;
    double m = gsl_stats_median_from_sorted_data(s, 1, n);
    *lo = s[l - 1], *hi = s[n - l];
    double mean = gsl_stats_mean(x, 1, n), cv = gsl_stats_sd(x, 1, n) / mean;
    if (n < rule->min_trials) return JT_STATS_CONTINUE;
    if (at_level && fmax(m - *lo, *hi - m) / fabs(m) <= rule->precision_target)
        return JT_STATS_STOP_PRECISION;
    if (cv >= 0 && cv < rule->cv_target) return JT_STATS_STOP_CV_TARGET;
    return n >= rule->max_trials ? JT_STATS_STOP_MAX_TRIALS : JT_STATS_CONTINUE;
}

typedef struct outcome {
    double coverage;   /* share of runs whose reported CI holds the median */
    double cv_stops;   /* share stopped by cv_target */
    size_t max_stop_n; /* the largest n a run stopped at */
    double mean_n;
} outcome;

static outcome simulate(dist d, double cv, const jt_stats_stop_rule *rule, bool old,
                        size_t runs, unsigned long seed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    double m = true_median(d, cv), x[MAX_N];
    size_t hit = 0, cv_stops = 0, sum_n = 0;
    outcome o = {0};
    for (size_t r = 0; r < runs; r++) {
        size_t n = 0;
        jt_stats_stop decision = JT_STATS_CONTINUE;
        double lo = NAN, hi = NAN, state = NAN;
        while (decision == JT_STATS_CONTINUE) {
            ck_assert(n < MAX_N);
            x[n++] = draw(d, cv, g, &state);
            if (old) {
                decision = old_rule(x, n, rule, &lo, &hi);
                continue;
            }
            jt_stats_stop_result res;
            jt_err err = JT_ERR_INIT;
            ck_assert_msg(jt_stats_stop_check(x, n, rule, 0, &res, &err) == 0, "%s",
                          jt_err_msg(&err));
            decision = res.decision;
            /* the interval the record reports: the median CI of all n
             * trials, which the rule has just computed */
            if (decision != JT_STATS_CONTINUE) ck_assert(res.evaluated);
            lo = res.ci.lo, hi = res.ci.hi;
        }
        hit += lo <= m && m <= hi;
        cv_stops += decision == JT_STATS_STOP_CV_TARGET;
        sum_n += n;
        if (n > o.max_stop_n) o.max_stop_n = n;
    }
    gsl_rng_free(g);
    o.coverage = (double)hit / (double)runs;
    o.cv_stops = (double)cv_stops / (double)runs;
    o.mean_n = (double)sum_n / (double)runs;
    return o;
}

static double tolerance(double p, size_t runs)
{
    return 3.0 * sqrt(p * (1.0 - p) / (double)runs);
}

static const double cvs[] = {0.01, 0.03, 0.05, 0.10};
static const size_t maxes[] = {20, 100};
#define N_CVS (sizeof cvs / sizeof cvs[0])
#define N_MAXES (sizeof maxes / sizeof maxes[0])

START_TEST(the_interval_at_the_stop_covers_95_percent)
{
    dist d = (dist)((size_t)_i / (N_CVS * N_MAXES));
    double cv = cvs[((size_t)_i / N_MAXES) % N_CVS];
    size_t max = maxes[(size_t)_i % N_MAXES];
    jt_stats_stop_rule rule = {5, max, 0.02, 0.05, false};
    outcome o = simulate(d, cv, &rule, false, R_CELL, 20261203UL + (unsigned long)_i);
    if (getenv("JT_TEST_VERBOSE"))
        fprintf(stderr, "%s, CV %.2f, max %zu: coverage %.4f, mean n %.1f, cv stops %.3f\n",
                dist_names[d], cv, max, o.coverage, o.mean_n, o.cv_stops);
    ck_assert_msg(o.coverage >= JT_STATS_LEVEL - tolerance(JT_STATS_LEVEL, R_CELL),
                  "%s, CV %.2f, max %zu: the CI at the stop covered %.4f (mean n %.1f)",
                  dist_names[d], cv, max, o.coverage, o.mean_n);
}
END_TEST

START_TEST(the_old_rule_fails_the_same_check)
{
    jt_stats_stop_rule rule = {5, 100, 0.02, 0.05, false};
    outcome o = simulate(D_NORMAL, 0.05, &rule, true, R_POWER, 99);
    ck_assert_msg(o.coverage < JT_STATS_LEVEL - tolerance(JT_STATS_LEVEL, R_POWER),
                  "the old rule covered %.4f: the check cannot tell", o.coverage);
}
END_TEST

/* The rule with the interval that assumes independent trials, on trials
 * as alike as neighbouring trials on the dev VM: it covers less than it
 * says, which is why the rule widens its interval (stats.h). */
START_TEST(independent_trials_assumed_fail_on_a_drifting_host)
{
    for (size_t max = 20; max <= 100; max += 80) {
        jt_stats_stop_rule rule = {5, max, 0.02, 0.05, true};
        outcome o = simulate(D_DRIFTING_HOST, 0.05, &rule, false, R_POWER, 11);
        ck_assert_msg(o.coverage < JT_STATS_LEVEL - tolerance(JT_STATS_LEVEL, R_POWER),
                      "max %zu: assuming independence covered %.4f: the check cannot tell", max,
                      o.coverage);
    }
}
END_TEST

START_TEST(a_noisy_candidate_is_not_called_stable)
{
    jt_stats_stop_rule rule = JT_STATS_STOP_RULE_DEFAULT; /* cv_target 0.05, max 20 */
    outcome o = simulate(D_NORMAL, 0.10, &rule, false, R_POWER, 7);
    ck_assert_msg(o.cv_stops <= 0.05 + tolerance(0.05, R_POWER), "true CV 0.10: %.4f stopped cv_target",
                  o.cv_stops);
    outcome old = simulate(D_NORMAL, 0.10, &rule, true, R_POWER, 7);
    ck_assert_msg(old.cv_stops > 0.05 + tolerance(0.05, R_POWER),
                  "the old rule stopped %.4f cv_target: the check cannot tell", old.cv_stops);
}
END_TEST

START_TEST(a_quiet_candidate_stops_at_the_first_n_at_level)
{
    jt_stats_stop_rule rule = JT_STATS_STOP_RULE_DEFAULT;
    outcome o = simulate(D_NORMAL, 0.002, &rule, false, R_CELL, 3);
    if (getenv("JT_TEST_VERBOSE"))
        fprintf(stderr, "quiet: mean n %.2f, max n %zu\n", o.mean_n, o.max_stop_n);
    /* 7 is the first n at level; an r that comes out high by chance at
     * n = 7 widens the interval (serial correlation) for a trial or two */
    ck_assert_msg(o.mean_n < 8 && o.max_stop_n <= 10, "mean n %.2f, max n %zu", o.mean_n,
                  o.max_stop_n);
    jt_stats_stop_rule indep = {5, 20, 0.02, 0.05, true};
    outcome i = simulate(D_NORMAL, 0.002, &indep, false, R_CELL, 3);
    ck_assert_uint_eq(i.max_stop_n, 7);
    ck_assert(o.coverage >= JT_STATS_LEVEL - tolerance(JT_STATS_LEVEL, R_CELL));
}
END_TEST

/* The interval widened for serial correlation (stats.h). python3: r = the
 * lag-1 autocorrelation about the mean, rho = clamp((n·r + 1)/(n − 3) +
 * 1/√n, 0, 0.9), f = sqrt((1 + rho)/(1 − rho)):
 *   5 6 5 7 6 8 6 5 4 5 6 7 5 4 6 5 (n 16): r 0.1329225352112676, f 1.7104302103619642
 *   100.0 100.4 99.7 100.2 99.9 100.1 100.3 99.8 100.0 100.5: r −0.4665, f 1 (not widened)
 *   1..10 (a drift): r 0.7, rho capped at 0.9, f 4.358898943540674 */
START_TEST(serial_ci_widens_for_correlated_trials)
{
    jt_stats_ci plain, ci;
    const double *x = A(5, 6, 5, 7, 6, 8, 6, 5, 4, 5, 6, 7, 5, 4, 6, 5);
    ck_assert_int_eq(jt_stats_median_ci(x, 16, 0, 0, &plain, NULL), 0);
    ck_assert_int_eq(jt_stats_median_ci_serial(x, 16, &ci, NULL), 0);
    ck_near(ci.lag1, 0.1329225352112676, 1e-12);
    ck_near(ci.inflation, 1.7104302103619642, 1e-12);
    ck_near(ci.median, plain.median, 0);
    ck_near(ci.lo, 5.5 - 1.7104302103619642 * (5.5 - plain.lo), 1e-12);
    ck_near(ci.hi, 5.5 + 1.7104302103619642 * (plain.hi - 5.5), 1e-12);
    ck_near(ci.rel_half_width, 1.7104302103619642 * plain.rel_half_width, 1e-12);
    ck_assert_int_eq(ci.lo_rank, plain.lo_rank);

    const double *x10 = A(100.0, 100.4, 99.7, 100.2, 99.9, 100.1, 100.3, 99.8, 100.0, 100.5);
    ck_assert_int_eq(jt_stats_median_ci_serial(x10, 10, &ci, NULL), 0);
    ck_near(ci.lag1, -0.4665024630541888, 1e-12);
    ck_near(ci.inflation, 1, 0);
    ck_near(ci.lo, 99.8, 0);
    ck_near(ci.hi, 100.4, 0);

    /* the same values in another order: only the order tells a drift */
    const double *ramp = A(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    const double *mixed = A(6, 2, 9, 4, 1, 8, 3, 10, 5, 7);
    ck_assert_int_eq(jt_stats_median_ci_serial(ramp, 10, &ci, NULL), 0);
    ck_near(ci.lag1, 0.7, 1e-12);
    ck_near(ci.inflation, 4.358898943540674, 1e-12);
    jt_stats_ci m;
    ck_assert_int_eq(jt_stats_median_ci_serial(mixed, 10, &m, NULL), 0);
    ck_assert_msg(m.inflation < ci.inflation, "shuffled %g, drift %g", m.inflation, ci.inflation);

    /* n < 4 and no spread: not widened */
    ck_assert_int_eq(jt_stats_median_ci_serial(A(1.0, 2.0, 3.0), 3, &ci, NULL), 0);
    ck_assert(isnan(ci.lag1));
    ck_near(ci.inflation, 1, 0);
    ck_assert_int_eq(jt_stats_median_ci_serial(A(2.0, 2.0, 2.0, 2.0, 2.0), 5, &ci, NULL), 0);
    ck_near(ci.inflation, 1, 0);
}
END_TEST

static Suite *stop_suite(void)
{
    Suite *s = suite_create("stats_stop");
    TCase *tc = tcase_create("stop");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, the_interval_at_the_stop_covers_95_percent, 0,
                        (int)(D_COUNT * N_CVS * N_MAXES));
    tcase_add_test(tc, the_old_rule_fails_the_same_check);
    tcase_add_test(tc, independent_trials_assumed_fail_on_a_drifting_host);
    tcase_add_test(tc, a_noisy_candidate_is_not_called_stable);
    tcase_add_test(tc, a_quiet_candidate_stops_at_the_first_n_at_level);
    suite_add_tcase(s, tc);
    tc = tcase_create("serial");
    tcase_add_test(tc, serial_ci_widens_for_correlated_trials);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(stop_suite)
