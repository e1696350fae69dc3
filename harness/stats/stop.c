/* The trial stop rule of docs/design.md "Stop rule" (contract in jouletrace/stats.h).
 *
 * Why two rules: CV estimates the spread of the trials and does not shrink
 * with more of them, so "CV < target" never fires for an inherently noisy
 * candidate; the relative half-width of the CI of the median does shrink
 * (≈ 1/√n) and is checked first. The CV rule is kept because it is the
 * seed's rule and stops quiet candidates early; it reads the CV's upper
 * confidence bound, so that a noisy candidate is not called stable on a
 * lucky small sample. */
#include "jouletrace/stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

/* The one-sided 95 % upper confidence bound of a CV from n values (normal
 * theory, (n − 1)s²/σ² ~ χ²(n − 1)); NAN for n < 2 or an undefined CV. */
static double cv_upper_bound(double cv, size_t n)
{
    if (n < 2 || !isfinite(cv)) return NAN;
    double q = gsl_cdf_chisq_Pinv(1.0 - JT_STATS_LEVEL, (double)(n - 1));
    return q > 0 ? cv * sqrt((double)(n - 1) / q) : NAN;
}

const char *jt_stats_stop_name(jt_stats_stop s)
{
    switch (s) {
    case JT_STATS_STOP_PRECISION: return "precision";
    case JT_STATS_STOP_CV_TARGET: return "cv_target";
    case JT_STATS_STOP_MAX_TRIALS: return "max_trials";
    case JT_STATS_CONTINUE: break;
    }
    return "continue";
}

static int check_rule(const jt_stats_stop_rule *rule, jt_err *err)
{
    if (rule->min_trials < 1) return jt_err_set(err, "min_trials must be >= 1");
    if (rule->max_trials < rule->min_trials)
        return jt_err_set(err, "max_trials (%zu) must be >= min_trials (%zu)", rule->max_trials,
                          rule->min_trials);
    if (!isfinite(rule->precision_target) || rule->precision_target < 0)
        return jt_err_set(err, "precision_target must be finite and >= 0 (got %g)",
                          rule->precision_target);
    if (!isfinite(rule->cv_target) || rule->cv_target < 0)
        return jt_err_set(err, "cv_target must be finite and >= 0 (got %g)", rule->cv_target);
    return 0;
}

int jt_stats_stop_check(const double *x, size_t n, const jt_stats_stop_rule *rule,
                        unsigned long seed, jt_stats_stop_result *out, jt_err *err)
{
    if (check_rule(rule, err) < 0) return -1;
    jt_stats_stop_result r = {.decision = JT_STATS_CONTINUE, .cv_upper = NAN};
    if (n < rule->min_trials) {
        *out = r;
        return 0;
    }
    if (jt_stats_summarize(x, n, &r.summary, err) < 0) return -1;
    if (jt_stats_median_ci(x, n, seed, 0, &r.ci, err) < 0) return -1;
    r.evaluated = true;
    r.cv_upper = cv_upper_bound(r.summary.cv, n);

    /* NAN compares false everywhere below, so an undefined width or CV
     * simply does not stop the run. */
    double w = r.ci.rel_half_width, cvu = r.cv_upper;
    bool at_level = !r.ci.below_level && r.ci.coverage >= JT_STATS_MEDIAN_LEVEL;
    if (at_level && w <= rule->precision_target)
        r.decision = JT_STATS_STOP_PRECISION;
    else if (at_level && r.summary.cv >= 0 && cvu < rule->cv_target)
        r.decision = JT_STATS_STOP_CV_TARGET;
    else if (n >= rule->max_trials)
        r.decision = JT_STATS_STOP_MAX_TRIALS;
    *out = r;
    return 0;
}
