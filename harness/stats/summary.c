/* One sample: summary statistics, modified-z outliers and the idle-baseline
 * noise flags (see jouletrace/stats.h for the contract). */
#include "jouletrace/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* 1.4826 ≈ 1/Φ⁻¹(3/4): scales a MAD to estimate σ for normal data. */
#define MAD_TO_SD 1.4826
/* Iglewicz & Hoaglin's modified z-score constant, ≈ 1/1.4826. */
#define MODZ_K 0.6745
/* sqrt(pi/2): scales a mean absolute deviation to estimate σ (normal data). */
#define MEANAD_TO_SD 1.253314

double *jt_stats_sorted_copy(const double *x, size_t n, jt_err *err)
{
    if (n == 0 || !x) {
        jt_err_set(err, "empty sample");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            jt_err_set(err, "sample value %zu is not finite (%g)", i, x[i]);
            return NULL;
        }
    }
    double *s = jt_xreallocarray(NULL, n, sizeof(*s));
    memcpy(s, x, n * sizeof(*s));
    gsl_sort(s, 1, n);
    return s;
}

int jt_stats_summarize(const double *x, size_t n, jt_stats_summary *out, jt_err *err)
{
    double *s = jt_stats_sorted_copy(x, n, err);
    if (!s) return -1;
    double *work = jt_xreallocarray(NULL, n, sizeof(*work));

    jt_stats_summary r = {.n = n};
    r.median = gsl_stats_median_from_sorted_data(s, 1, n);
    r.min = s[0];
    r.max = s[n - 1];
    r.mean = gsl_stats_mean(s, 1, n);
    /* gsl_stats_sd_m subtracts the mean before squaring (two-pass): the
     * one-pass Σx² − n·mean² loses everything on clustered values like
     * 1e9 J ± µJ (ANCHORS: the Google Benchmark bug). */
    r.sd = n >= 2 ? gsl_stats_sd_m(s, 1, n, r.mean) : NAN;
    r.cv = (n >= 2 && r.mean != 0) ? r.sd / r.mean : NAN;
    r.mad = gsl_stats_mad0(s, 1, n, work);
    r.robust_cv = r.median != 0 ? MAD_TO_SD * r.mad / r.median : NAN;

    free(work);
    free(s);
    *out = r;
    return 0;
}

int jt_stats_find_outliers(const double *x, size_t n, bool *flags, jt_stats_outlier_info *out,
                           jt_err *err)
{
    double *s = jt_stats_sorted_copy(x, n, err);
    if (!s) return -1;
    double *work = jt_xreallocarray(NULL, n, sizeof(*work));
    double median = gsl_stats_median_from_sorted_data(s, 1, n);
    double mad = gsl_stats_mad0(s, 1, n, work);

    jt_stats_outlier_info r = {0};
    if (mad > 0) {
        r.scale = mad / MODZ_K;
    } else {
        /* MAD = 0: at least half the values sit exactly on the median, so the
         * MAD says "no spread" although other values may be far off. Fall
         * back to the mean absolute deviation about the median, which sees
         * them; 0 only when every value is equal (nothing to flag). */
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += fabs(s[i] - median);
        r.scale = MEANAD_TO_SD * (sum / (double)n);
        r.mad_zero = true;
    }
    for (size_t i = 0; i < n; i++) {
        bool o = r.scale > 0 && fabs(x[i] - median) / r.scale > JT_STATS_OUTLIER_Z;
        if (flags) flags[i] = o;
        r.count += o;
    }
    free(work);
    free(s);
    *out = r;
    return 0;
}

int jt_stats_baseline_flags(const double *net, const double *wall, size_t n,
                            double idle_power_sd, jt_stats_noise *out, jt_err *err)
{
    if (!isfinite(idle_power_sd) || idle_power_sd < 0)
        return jt_err_set(err, "idle power SD must be finite and >= 0 (got %g)", idle_power_sd);
    double *snet = jt_stats_sorted_copy(net, n, err);
    if (!snet) return jt_err_prefix(err, "net energies");
    double *swall = jt_stats_sorted_copy(wall, n, err);
    if (!swall) {
        free(snet);
        return jt_err_prefix(err, "trial windows");
    }
    if (swall[0] <= 0) {
        jt_err_set(err, "trial windows must be > 0 s (got %g)", swall[0]);
        free(snet);
        free(swall);
        return -1;
    }

    jt_stats_noise r = {0};
    for (size_t i = 0; i < n; i++) r.n_nonpositive += net[i] <= 0;
    r.below_baseline = r.n_nonpositive > 0;
    r.median_net = gsl_stats_median_from_sorted_data(snet, 1, n);
    r.noise = idle_power_sd * gsl_stats_median_from_sorted_data(swall, 1, n);
    r.threshold = 2 * r.noise;
    r.within_noise = r.median_net < r.threshold;
    free(snet);
    free(swall);
    *out = r;
    return 0;
}

double jt_stats_lag1(const double *x, size_t n)
{
    if (n < 3) return NAN;
    double mean = 0, num = 0, den = 0;
    for (size_t i = 0; i < n; i++) mean += x[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        den += (x[i] - mean) * (x[i] - mean);
        if (i + 1 < n) num += (x[i] - mean) * (x[i + 1] - mean);
    }
    return den > 0 ? num / den : NAN;
}
