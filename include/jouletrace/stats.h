/* Statistics over the trials of one candidate and comparisons between
 * candidates (docs/design.md "Stop rule" and "Numbers"), built on GSL.
 *
 * Conventions for every function here:
 *  - Inputs are borrowed and never modified (anything that sorts works on a
 *    copy). Outputs are caller-owned structs/arrays; nothing returned needs
 *    freeing except jt_stats_sorted_copy()'s array.
 *  - Return 0 on success, -1 with `err` filled on bad input: an empty sample,
 *    a non-finite value (NaN/inf never enters a statistic silently), an
 *    invalid option. No globals; the same inputs (and seed) give the same
 *    outputs bit for bit on the same build.
 *  - A quantity that is mathematically undefined for the input (SD of one
 *    value, CV with mean 0, a relative width with median 0) is NAN, never a
 *    made-up number; writers must turn NAN into null (JSON has no NaN).
 *  - Samples are per-iteration energies (J) or times (s) of one candidate's
 *    trials; units pass through unchanged.
 *
 * Confidence intervals are always 95 %. The CI of a median is exact
 * (order statistics, no randomness); a bootstrap is used only where no
 * exact interval exists (a ratio of medians). Bootstraps use gsl_rng_mt19937
 * seeded with the caller's seed, which is recorded in the result. Note that
 * GSL maps seed 0 to mt19937's default seed 4357, so seeds 0 and 4357 give
 * the same stream; callers that derive seeds should avoid relying on 0. */
#ifndef JOULETRACE_STATS_H
#define JOULETRACE_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "jouletrace/common.h"

#define JT_STATS_LEVEL 0.95          /* the confidence every CI here claims */
/* The fixed-n level of a median's order-statistic interval. Higher than the
 * 95 % it claims because the stop rule looks after every trial and stops
 * when the interval is narrow, which is also when it tends to miss: at a
 * fixed-n 95 % the interval at the stop covered 0.925–0.945 in simulation,
 * at 97.5 % it covers ≥ 0.95 (docs/design.md "Stop rule";
 * tests/test_stats_stop.c). */
#define JT_STATS_MEDIAN_LEVEL 0.975
#define JT_STATS_BOOTSTRAP_B 10000   /* default resamples (docs/design.md "Numbers") */
#define JT_STATS_ORDER_MAX_N 1000000 /* largest n of an order-statistic CI */
#define JT_STATS_OUTLIER_Z 3.5       /* modified z-score cut (Iglewicz & Hoaglin) */
#define JT_STATS_MWU_EXACT_MAX 50    /* exact Mann–Whitney when both n < this, no ties */

/* ---- one sample ------------------------------------------------------ */

typedef struct jt_stats_summary {
    size_t n;
    double median;
    double mean;
    double sd;        /* sample SD (n − 1), GSL two-pass; NAN when n < 2 */
    double cv;        /* sd / mean; NAN when n < 2 or mean == 0 */
    double robust_cv; /* 1.4826 · mad / median; NAN when median == 0 */
    double min, max;
    double mad;       /* raw median absolute deviation from the median (unscaled) */
} jt_stats_summary;

int jt_stats_summarize(const double *x, size_t n, jt_stats_summary *out, jt_err *err);

/* The lag-1 autocorrelation of x in the order given (trials as measured):
 * sum (x_i − mean)(x_(i+1) − mean) / sum (x_i − mean)²; NAN for n < 3 or no
 * spread. Every CI here assumes independent trials; this says how far they
 * are from it. A host's slow noise makes neighbouring trials alike (dev VM:
 * 0.45–0.72 between trials), and in simulated AR(1) trials with 0.5 the
 * stop rule's interval covered 0.92, not 0.95 (docs/design.md "Stop
 * rule"). About −1/n for independent trials. */
double jt_stats_lag1(const double *x, size_t n);

/* A malloc'd ascending copy of x (caller frees), or NULL with err when n is
 * 0 or a value is not finite. The building block of everything below. */
double *jt_stats_sorted_copy(const double *x, size_t n, jt_err *err);

/* ---- CI of the median (95 % at the stop rule's stop) ----------------- */

typedef enum jt_stats_ci_method {
    JT_STATS_CI_ORDER_STATISTIC, /* exact, distribution-free; every n */
    JT_STATS_CI_BOOTSTRAP,       /* percentile bootstrap: the name older records carry
                                    (it was used at n ≥ 20); never returned now */
} jt_stats_ci_method;

/* "order_statistic" | "bootstrap" — the names results files carry. */
const char *jt_stats_ci_method_name(jt_stats_ci_method m);

typedef struct jt_stats_ci {
    jt_stats_ci_method method;
    double median;
    double lo, hi;
    /* max(median − lo, hi − median) / |median|: the wider side of a possibly
     * asymmetric interval, so a precision target is met on both sides (the
     * conservative choice for a stop rule). NAN when median == 0. */
    double rel_half_width;
    /* The exact coverage P(x_(l) ≤ true median ≤ x_(u)) =
     * 1 − 2·P(Binom(n, ½) ≤ l − 1) for a continuous distribution at a fixed
     * n, always ≥ JT_STATS_MEDIAN_LEVEL unless below_level. With ties (a quantised counter gives equal
     * values) the closed interval covers with probability ≥ this: it misses
     * only when #{x_i ≤ m} ≤ l − 1 or #{x_i < m} ≥ u, and for a median m
     * those counts are Binom(n, p) with p ≥ ½ resp. p ≤ ½, so each tail is
     * at most the continuous one, P(Binom(n, ½) ≤ l − 1). */
    double coverage;
    /* n ≤ 6: no pair of order statistics reaches JT_STATS_MEDIAN_LEVEL; the
     * interval is then [min, max] with its (lower) coverage, and this is
     * true. A stop rule must not treat such an interval as precise. */
    bool below_level;
    size_t lo_rank, hi_rank; /* 1-based l and u = n + 1 − l */
    unsigned long seed;      /* 0: nothing is drawn */
    size_t resamples;        /* 0: nothing is drawn */
} jt_stats_ci;

/* The CI of the median of x (n ≤ JT_STATS_ORDER_MAX_N): the exact
 * distribution-free interval [x_(l), x_(u)] of jt_stats_order_ci_ranks at
 * every n. It replaces a percentile bootstrap at n ≥ 20 whose real coverage
 * was 0.933–0.944 (issue 12). `seed` and `resamples` are ignored: they stay
 * so that callers need no change, and may go in a later cleanup. */
int jt_stats_median_ci(const double *x, size_t n, unsigned long seed, size_t resamples,
                       jt_stats_ci *out, jt_err *err);

/* The symmetric order-statistic ranks for a sample of n (≥ 1): the largest
 * l ≤ n/2 with coverage ≥ JT_STATS_MEDIAN_LEVEL, u = n + 1 − l; for n ≤ 6
 * l = 1, u = n and *below_level = true. A few binomial tails at any n (the search starts at
 * the normal approximation). Exposed so the choice can be checked and shown. */
int jt_stats_order_ci_ranks(size_t n, size_t *lo_rank, size_t *hi_rank, double *coverage,
                            bool *below_level, jt_err *err);

/* ---- outliers --------------------------------------------------------- */

typedef struct jt_stats_outlier_info {
    size_t count;  /* values flagged */
    /* The scale z was computed with: mad / 0.6745 normally; when mad == 0
     * (half or more of the values equal the median, e.g. a quantised
     * counter), 1.253314 · mean|x − median| instead (the usual fallback;
     * 1.253314 = sqrt(pi/2) makes it estimate σ for normal data), and
     * mad_zero is set. When that is 0 too, all values are equal, scale is 0
     * and nothing is flagged. */
    double scale;
    bool mad_zero;
} jt_stats_outlier_info;

/* Flags x[i] when 0.6745 · |x[i] − median| / mad > 3.5 (equivalently
 * |x[i] − median| / scale > 3.5). flags (n entries, may be NULL) receives
 * one bool per value, in input order. Values are only flagged, never
 * dropped: every statistic here uses all trials. */
int jt_stats_find_outliers(const double *x, size_t n, bool *flags, jt_stats_outlier_info *out,
                           jt_err *err);

/* ---- stop rule (docs/design.md "Stop rule") -------------------------- */

typedef enum jt_stats_stop {
    JT_STATS_CONTINUE = 0,     /* run another trial */
    JT_STATS_STOP_PRECISION,   /* CI relative half-width ≤ precision_target */
    JT_STATS_STOP_CV_TARGET,   /* CV < cv_target (the seed's rule) */
    JT_STATS_STOP_MAX_TRIALS,  /* neither met by max_trials: status `unstable` */
} jt_stats_stop;

/* "precision" | "cv_target" | "max_trials" (the stop_reason values consumers
 * key on); "continue" for JT_STATS_CONTINUE, which is not a stop_reason. */
const char *jt_stats_stop_name(jt_stats_stop s);

typedef struct jt_stats_stop_rule {
    size_t min_trials;       /* ≥ 1; default 5 */
    size_t max_trials;       /* ≥ min_trials; default 20 (energy_measurement_trials) */
    double precision_target; /* ≥ 0; default 0.02 */
    double cv_target;        /* ≥ 0; default 0.05 */
} jt_stats_stop_rule;
#define JT_STATS_STOP_RULE_DEFAULT {5, 20, 0.02, 0.05}

typedef struct jt_stats_stop_result {
    jt_stats_stop decision;
    bool evaluated;          /* false when n < min_trials: nothing below is filled */
    jt_stats_summary summary;
    jt_stats_ci ci;
    /* the one-sided 95 % upper confidence bound of the CV (normal theory:
     * cv · sqrt((n − 1) / χ²₀.₀₅(n − 1))); NAN where the CV is */
    double cv_upper;
} jt_stats_stop_result;

/* Decides after n trials (x = per-iteration energies so far, n may be 0):
 *   n < min_trials                                  → continue
 *   ci.rel_half_width ≤ precision_target, and the
 *     CI reaches its level (not below_level)        → stop, "precision"
 *   the CI reaches its level and
 *     0 ≤ cv_upper < cv_target (strict)             → stop, "cv_target"
 *   n ≥ max_trials                                  → stop, "max_trials" (unstable)
 *   otherwise                                       → continue
 * in that order: precision is checked first, so a run that meets both
 * records "precision". The CV rule reads the CV's upper confidence bound,
 * not the CV: on the estimate, a candidate whose true CV is twice the
 * target stopped "stable" in 11 % of runs (a lucky small sample), and
 * never before the CI reaches its level, so no converged stop reports a
 * [min, max] interval. An undefined (NAN) width or CV never stops a run; a
 * negative CV (mean < 0) is not "stable". `seed` is unused (the CI is
 * exact) and kept for callers. */
int jt_stats_stop_check(const double *x, size_t n, const jt_stats_stop_rule *rule,
                        unsigned long seed, jt_stats_stop_result *out, jt_err *err);

/* ---- comparisons (leaderboard, docs/design.md "Comparisons") --------- */

/* Draws medians of bootstrap resamples from their exact distribution
 * (stats/resample.c says how): the distribution over the order statistics
 * is tabulated once per sample size n and shared by every sample of that
 * size, so a ranking of thousands of candidates builds a few tables. Owned
 * by its caller; one thread at a time. */
typedef struct jt_stats_resampler jt_stats_resampler;
jt_stats_resampler *jt_stats_resampler_new(void);
void jt_stats_resampler_free(jt_stats_resampler *rs); /* NULL is fine */
/* For a sample of n: the probability *p_a that the (lower) middle order
 * statistic of a resample is the sample's i-th smallest (0-based), and, for
 * even n, *p_split the probability that the upper middle one is then a
 * larger index (0 for odd n): the tabulated law, exposed for tests. */
int jt_stats_resampler_index_law(jt_stats_resampler *rs, size_t n, size_t i, double *p_a,
                                 double *p_split, jt_err *err);

typedef struct jt_stats_ratio {
    double ratio;        /* median(a) / median(b) */
    double lo, hi;       /* 95 % percentile bootstrap CI of the ratio */
    unsigned long seed;
    size_t resamples;
} jt_stats_ratio;

/* Ratio of the medians of two independent samples (unequal n allowed) with
 * a percentile bootstrap CI: each replicate resamples a and b independently
 * with replacement (a's `resamples` medians first, then b's, from one mt19937
 * stream) and takes the ratio of their medians. b is the denominator (the best candidate
 * or the reference) and every b value must be > 0, so that no replicate
 * divides by a non-positive median. Two candidates tie when lo ≤ 1 ≤ hi. */
int jt_stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                      unsigned long seed, size_t resamples, jt_stats_ratio *out, jt_err *err);

/* The same bootstrap in two steps, for a leaderboard that compares each
 * candidate with several others: jt_stats_median_replicates draws, once per
 * sample, `resamples` medians of resamples of x (its own mt19937 stream from
 * seed; rs NULL: a resampler for this call only) into reps, and the sample's
 * own median into *median;
 * jt_stats_ratio_ci_replicates pairs two such vectors
 * element by element (independent streams, so each pair is one replicate of
 * the ratio) and takes the percentile interval. Every denominator replicate
 * must be > 0. `ratio` is stored as given (the ratio of the sample medians). */
int jt_stats_median_replicates(jt_stats_resampler *rs, const double *x, size_t n,
                               unsigned long seed, size_t resamples, double *reps, double *median,
                               jt_err *err);
int jt_stats_ratio_ci_replicates(double ratio, const double *ra, const double *rb,
                                 size_t resamples, jt_stats_ratio *out, jt_err *err);

typedef struct jt_stats_mwu {
    double u;      /* U of a: #{a_i > b_j} + ½ #{a_i = b_j} = R_a − na(na + 1)/2 */
    double p;      /* two-sided p-value */
    bool exact;    /* true: exact null distribution; false: normal approximation */
    double z;      /* normal approximation: continuity-corrected |z|; NAN when exact */
} jt_stats_mwu;

/* Mann–Whitney U test, two-sided, unequal n allowed. Exact (the permutation
 * distribution of U by the standard counting recurrence, p = 2·P(U ≤ min(U,
 * na·nb − U)) capped at 1) when there are no ties in the pooled sample and
 * both na, nb < JT_STATS_MWU_EXACT_MAX — R's wilcox.test rule. Otherwise the
 * normal approximation with midranks, tie-corrected variance
 * σ² = na·nb/12 · (N + 1 − Σ(t³ − t)/(N(N − 1))) and continuity correction
 * z = max(0, |U − na·nb/2| − ½)/σ, p = 2·Q(z); p = 1 when σ = 0 (all equal). */
int jt_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                          jt_stats_mwu *out, jt_err *err);

/* Benjamini–Hochberg adjusted p-values (q-values) of p[0..n), in input
 * order: q_(i) = min over k ≥ i of min(1, p_(k) · n / k) with p sorted
 * ascending. Every p must be in [0, 1]; n = 0 does nothing. q may not
 * alias p. */
int jt_stats_bh(const double *p, size_t n, double *q, jt_err *err);

/* ---- the idle baseline's noise (docs/design.md "Idle baseline") ------ */

typedef struct jt_stats_noise {
    bool below_baseline;  /* some trial has net ≤ 0 */
    size_t n_nonpositive; /* how many */
    bool within_noise;    /* median_net < threshold */
    double median_net;    /* median of the per-trial net energies, J */
    double noise;         /* idle_power_sd · median(wall), J */
    double threshold;     /* 2 · noise, J */
} jt_stats_noise;

/* net[i]: net energy of trial i in J (raw − P_idle · wall_i, per trial, not
 * per iteration); wall[i]: its window in s (> 0); idle_power_sd: SD of the
 * idle baseline's power in W (≥ 0), i.e. how much the subtracted baseline
 * itself wanders. Rule: within_noise iff median(net) < 2 · idle_power_sd ·
 * median(wall) — the median trial's energy is not clearly (2σ) above what the
 * baseline alone would vary by over a window of the same length. The median
 * window stands for every trial's because loop calibration makes a
 * candidate's windows near-equal (docs/design.md "Trial"); with equal windows this is the
 * same as comparing each trial to its own window's noise. */
int jt_stats_baseline_flags(const double *net, const double *wall, size_t n,
                            double idle_power_sd, jt_stats_noise *out, jt_err *err);

#endif
