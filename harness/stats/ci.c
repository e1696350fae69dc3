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

/* Sifts h[i] down the max-heap h[0..k). */
static void sift_down(double *h, size_t k, size_t i)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= k) return;
        if (c + 1 < k && h[c + 1] > h[c]) c++;
        if (!(h[c] > h[i])) return;
        double t = h[c];
        h[c] = h[i], h[i] = t;
        i = c;
    }
}

/* The k-th and (k−1)-th smallest (1-based) of sign·v[0..n), 2 ≤ k ≤ n, in
 * one pass that keeps the k smallest in a max-heap: a value that does not
 * beat the heap's top costs one comparison, and after the first few
 * hundred almost none does (the tails of 2,000 replicates are 51 values).
 * sign −1 reads the largest (negation is exact). v is not changed. */
static void kth_smallest(const double *v, size_t n, double sign, size_t k, double *heap,
                         double *kth, double *below)
{
    for (size_t i = 0; i < k; i++) heap[i] = sign * v[i];
    for (size_t i = k / 2; i-- > 0;) sift_down(heap, k, i);
    for (size_t i = k; i < n; i++) {
        double x = sign * v[i];
        if (x < heap[0]) {
            heap[0] = x;
            sift_down(heap, k, 0);
        }
    }
    *kth = heap[0];
    *below = k > 2 && heap[2] > heap[1] ? heap[2] : heap[1];
}

/* The 2.5 and 97.5 percentiles of the B replicates as
 * gsl_stats_quantile_from_sorted_data takes them from the sorted data: for
 * f, lhs = ⌊f(B−1)⌋ and delta = f(B−1) − lhs, the value linear between
 * order statistics lhs and lhs + 1 (0-based). Only the two tails are
 * looked at (kth_smallest); reps is not changed. */
static void percentile_interval(const double *reps, size_t b, double *lo, double *hi)
{
    double tail = (1.0 - JT_STATS_LEVEL) / 2;
    double il = tail * (double)(b - 1), ih = (1.0 - tail) * (double)(b - 1);
    size_t l = (size_t)il, h = (size_t)ih;
    double dl = il - (double)l, dh = ih - (double)h;
    /* B ≥ MIN_RESAMPLES (100), so l + 2 ≤ B and h + 1 < B: both tails hold
     * two order statistics, v[l], v[l+1] and v[h], v[h+1] */
    size_t kl = l + 2, ku = b - h;
    double *heap = jt_xreallocarray(NULL, kl > ku ? kl : ku, sizeof *heap);
    double top, next;
    kth_smallest(reps, b, 1, kl, heap, &top, &next); /* top v[l+1], next v[l] */
    *lo = (1 - dl) * next + dl * top;
    kth_smallest(reps, b, -1, ku, heap, &top, &next); /* top −v[h], next −v[h+1] */
    *hi = (1 - dh) * -top + dh * -next;
    free(heap);
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
