/* The trial stop rule of docs/design.md "Stop rule" (contract in jouletrace/stats.h).
 *
 * Why two rules: CV estimates the spread of the trials and does not shrink
 * with more of them, so "CV < target" never fires for an inherently noisy
 * candidate; the relative half-width of the CI of the median does shrink
 * (≈ 1/√n) and is checked first. The CV rule is kept because it is the
 * seed's rule and stops quiet candidates early. */
#include "jouletrace/stats.h"

#include <math.h>

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
    jt_stats_stop_result r = {.decision = JT_STATS_CONTINUE};
    if (n < rule->min_trials) {
        *out = r;
        return 0;
    }
    if (jt_stats_summarize(x, n, &r.summary, err) < 0) return -1;
    if (jt_stats_median_ci(x, n, seed, 0, &r.ci, err) < 0) return -1;
    r.evaluated = true;

    /* NAN compares false everywhere below, so an undefined width or CV
     * simply does not stop the run. */
    double w = r.ci.rel_half_width, cv = r.summary.cv;
    if (!r.ci.below_level && r.ci.coverage >= JT_STATS_LEVEL && w <= rule->precision_target)
        r.decision = JT_STATS_STOP_PRECISION;
    else if (cv >= 0 && cv < rule->cv_target)
        r.decision = JT_STATS_STOP_CV_TARGET;
    else if (n >= rule->max_trials)
        r.decision = JT_STATS_STOP_MAX_TRIALS;
    *out = r;
    return 0;
}
