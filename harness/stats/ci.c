/* Confidence intervals (contract in jouletrace/stats.h): the exact
 * order-statistic interval of a median at every n (97.5 % at a fixed n, so
 * that it is a 95 % interval at the stop rule's stop), and the 95 % percentile
 * bootstrap of a ratio of medians, where no exact interval exists. A
 * replicate is a median drawn from its exact law (stats/resample.c): a
 * uniform and a binary search, whatever the sample size. */
#include "stats/resample.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

/* Below this many resamples a 2.5 % tail holds too few replicates to mean
 * anything; refuse rather than report a number that looks like a CI. */
#define MIN_RESAMPLES 100

const char *jt_stats_ci_method_name(jt_stats_ci_method m)
{
    return m == JT_STATS_CI_BOOTSTRAP ? "bootstrap" : "order_statistic";
}

/* Coverage of [x_(l), x_(n+1−l)] for the median of a continuous
 * distribution: the number K of values below the median is Binom(n, ½), and
 * the interval misses it when K ≤ l − 1 or, by symmetry, K ≥ n + 1 − l. */
static double order_coverage(size_t n, size_t l)
{
    return 1.0 - 2.0 * gsl_cdf_binomial_P((unsigned)(l - 1), 0.5, (unsigned)n);
}

/* The largest l in [1, n/2] with order_coverage(n, l) ≥ the median level
 * (97.5 %), or 1 when none is (n ≤ 6). Coverage falls as l grows, so the search starts at the
 * normal approximation l ≈ n/2 − 1.96·√n/2 and steps to the boundary: a
 * few binomial tails at any n, not n/2 of them. */
static size_t order_rank(size_t n)
{
    size_t half = n / 2;
    double guess = floor((double)n / 2 - 1.12 * sqrt((double)n));
    size_t l = guess < 1 ? 1 : (size_t)guess; /* ≤ n/2 */
    while (l > 1 && order_coverage(n, l) < JT_STATS_MEDIAN_LEVEL) l--;
    while (l + 1 <= half && order_coverage(n, l + 1) >= JT_STATS_MEDIAN_LEVEL) l++;
    return l;
}

int jt_stats_order_ci_ranks(size_t n, size_t *lo_rank, size_t *hi_rank, double *coverage,
                            bool *below_level, jt_err *err)
{
    if (n == 0) return jt_err_set(err, "empty sample");
    if (n > JT_STATS_ORDER_MAX_N)
        return jt_err_set(err, "sample too large for an order-statistic CI (%zu)", n);
    size_t l = order_rank(n);
    *lo_rank = l;
    *hi_rank = n + 1 - l;
    *coverage = order_coverage(n, l);
    *below_level = *coverage < JT_STATS_MEDIAN_LEVEL;
    return 0;
}

/* max(median − lo, hi − median) / |median| (header: why the wider side). */
static double rel_half_width(double median, double lo, double hi)
{
    if (median == 0) return NAN;
    return fmax(median - lo, hi - median) / fabs(median);
}

static int check_resamples(size_t *resamples, jt_err *err)
{
    if (*resamples == 0) *resamples = JT_STATS_BOOTSTRAP_B;
    if (*resamples < MIN_RESAMPLES)
        return jt_err_set(err, "bootstrap needs at least %d resamples (got %zu)", MIN_RESAMPLES,
                          *resamples);
    return 0;
}

/* Moves the k-th smallest of v[0..n) (0-based) to v[k], no larger values
 * before it and no smaller after: Hoare's selection with a median-of-three
 * pivot, O(n) expected (a sort was most of a leaderboard's time). */
static void select_kth(double *v, ptrdiff_t n, ptrdiff_t k)
{
    ptrdiff_t lo = 0, hi = n - 1;
    while (hi > lo) {
        ptrdiff_t mid = lo + (hi - lo) / 2;
        double t;
#define SWAP(a, b) (t = v[a], v[a] = v[b], v[b] = t)
        if (v[mid] < v[lo]) SWAP(mid, lo);
        if (v[hi] < v[lo]) SWAP(hi, lo);
        if (v[hi] < v[mid]) SWAP(hi, mid);
        double p = v[mid];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i <= j) SWAP(i, j), i++, j--;
        }
#undef SWAP
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return; /* v[j+1..i-1] all equal p */
    }
}

/* A quantile of v[0..n) as gsl_stats_quantile_from_sorted_data takes it
 * from the sorted data: for f, lhs = ⌊f(n−1)⌋ and delta = f(n−1) − lhs, the
 * value linear between order statistics lhs and lhs + 1; found by
 * selection; v is permuted. */
static double quantile_of(double *v, size_t n, size_t lhs, double delta)
{
    select_kth(v, (ptrdiff_t)n, (ptrdiff_t)lhs);
    if (lhs == n - 1) return v[lhs];
    double next = v[lhs + 1];
    for (size_t i = lhs + 2; i < n; i++) next = v[i] < next ? v[i] : next;
    return (1 - delta) * v[lhs] + delta * next;
}

/* The 2.5 and 97.5 percentiles of the B replicates (GSL's definition). The
 * first selection leaves every value from the lower quantile's order
 * statistic on at or above it, so the upper one is selected among those. */
static void percentile_interval(double *reps, size_t b, double *lo, double *hi)
{
    double tail = (1.0 - JT_STATS_LEVEL) / 2;
    double il = tail * (double)(b - 1), ih = (1.0 - tail) * (double)(b - 1);
    size_t l = (size_t)il, h = (size_t)ih;
    *lo = quantile_of(reps, b, l, il - (double)l);
    *hi = quantile_of(reps + l, b - l, h - l, ih - (double)h);
}

int jt_stats_median_ci(const double *x, size_t n, unsigned long seed, size_t resamples,
                       jt_stats_ci *out, jt_err *err)
{
    (void)seed; /* exact at every n: nothing is drawn (stats.h) */
    (void)resamples;
    double *s = jt_stats_sorted_copy(x, n, err);
    if (!s) return -1;
    jt_stats_ci r = {.method = JT_STATS_CI_ORDER_STATISTIC};
    r.median = gsl_stats_median_from_sorted_data(s, 1, n);
    if (jt_stats_order_ci_ranks(n, &r.lo_rank, &r.hi_rank, &r.coverage, &r.below_level, err) < 0) {
        free(s);
        return -1;
    }
    r.lo = s[r.lo_rank - 1];
    r.hi = s[r.hi_rank - 1];
    r.rel_half_width = rel_half_width(r.median, r.lo, r.hi);
    free(s);
    *out = r;
    return 0;
}

int jt_stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                      unsigned long seed, size_t resamples, jt_stats_ratio *out, jt_err *err)
{
    if (check_resamples(&resamples, err) < 0) return -1;
    double *sa = jt_stats_sorted_copy(a, na, err);
    if (!sa) return jt_err_prefix(err, "ratio numerator");
    double *sb = jt_stats_sorted_copy(b, nb, err);
    if (!sb) {
        free(sa);
        return jt_err_prefix(err, "ratio denominator");
    }
    if (sb[0] <= 0) {
        jt_err_set(err, "ratio denominator: every value must be > 0 (min is %g)", sb[0]);
        free(sa);
        free(sb);
        return -1;
    }

    jt_stats_ratio r = {.seed = seed, .resamples = resamples};
    r.ratio = gsl_stats_median_from_sorted_data(sa, 1, na) /
              gsl_stats_median_from_sorted_data(sb, 1, nb);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    jt_stats_resampler *rs = jt_stats_resampler_new();
    double *reps = jt_xreallocarray(NULL, resamples, sizeof(*reps));
    double *den = jt_xreallocarray(NULL, resamples, sizeof(*den));
    jt_stats_resampler_draw(rs, rng, sa, na, reps, resamples);
    jt_stats_resampler_draw(rs, rng, sb, nb, den, resamples);
    for (size_t i = 0; i < resamples; i++) reps[i] /= den[i];
    percentile_interval(reps, resamples, &r.lo, &r.hi);
    free(reps), free(den);
    jt_stats_resampler_free(rs);
    gsl_rng_free(rng);
    free(sa);
    free(sb);
    *out = r;
    return 0;
}

int jt_stats_median_replicates(jt_stats_resampler *rs, const double *x, size_t n,
                               unsigned long seed, size_t resamples, double *reps, double *median,
                               jt_err *err)
{
    if (check_resamples(&resamples, err) < 0) return -1;
    double *s = jt_stats_sorted_copy(x, n, err);
    if (!s) return -1;
    *median = gsl_stats_median_from_sorted_data(s, 1, n);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    jt_stats_resampler *own = rs ? NULL : jt_stats_resampler_new();
    jt_stats_resampler_draw(rs ? rs : own, rng, s, n, reps, resamples);
    jt_stats_resampler_free(own);
    gsl_rng_free(rng);
    free(s);
    return 0;
}

int jt_stats_ratio_ci_replicates(double ratio, const double *ra, const double *rb,
                                 size_t resamples, jt_stats_ratio *out, jt_err *err)
{
    if (check_resamples(&resamples, err) < 0) return -1;
    double *reps = jt_xreallocarray(NULL, resamples, sizeof(*reps));
    for (size_t i = 0; i < resamples; i++) {
        if (!(rb[i] > 0)) {
            free(reps);
            return jt_err_set(err, "ratio denominator: a resampled median is %g, not > 0", rb[i]);
        }
        reps[i] = ra[i] / rb[i];
    }
    jt_stats_ratio r = {.ratio = ratio, .resamples = resamples};
    percentile_interval(reps, resamples, &r.lo, &r.hi);
    free(reps);
    *out = r;
    return 0;
}
