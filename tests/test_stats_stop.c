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
 * 3. A quiet candidate still stops early: by the first n whose interval
 *    reaches its level (7).
 *
 * That the test can fail: the rule as it was (a fixed-n 95 % interval, the
 * CV's point estimate, looks from n = 5) is run through the same harness
 * and must fail 1 and 2 where it did (coverage 0.925 at a true CV of 5 %
 * and max 100; 11 % "stable" at twice the target).
 *
 * Distributions: normal, lognormal (median 1, the CV given), and a noisy
 * host's: 85 % N(1, cv) and 15 % of trials 4·cv dearer (interference). */
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
#include "support/testutil.h"

/* runs per cell; the checks of the old rule need more to tell 0.925 from 0.95 */
#define R_CELL 2000
#define R_POWER 4000
#define MAX_N 100

typedef enum { D_NORMAL, D_LOGNORMAL, D_NOISY_HOST, D_COUNT } dist;
static const char *const dist_names[D_COUNT] = {"normal", "lognormal", "noisy host"};

static double draw(dist d, double cv, const gsl_rng *g)
{
    switch (d) {
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
        double lo = NAN, hi = NAN;
        while (decision == JT_STATS_CONTINUE) {
            ck_assert(n < MAX_N);
            x[n++] = draw(d, cv, g);
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
    jt_stats_stop_rule rule = {5, max, 0.02, 0.05};
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
    jt_stats_stop_rule rule = {5, 100, 0.02, 0.05};
    outcome o = simulate(D_NORMAL, 0.05, &rule, true, R_POWER, 99);
    ck_assert_msg(o.coverage < JT_STATS_LEVEL - tolerance(JT_STATS_LEVEL, R_POWER),
                  "the old rule covered %.4f: the check cannot tell", o.coverage);
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
    ck_assert_uint_eq(o.max_stop_n, 7);
    ck_assert(o.coverage >= JT_STATS_LEVEL - tolerance(JT_STATS_LEVEL, R_CELL));
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
    tcase_add_test(tc, a_noisy_candidate_is_not_called_stable);
    tcase_add_test(tc, a_quiet_candidate_stops_at_the_first_n_at_level);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(stop_suite)
