/* The cache check's rules (measure/memo.c, docs/design.md "Caches") on
 * figures built here: which clock it reads, what a busy host's hiccup in
 * the floor does to each clock, the detection limit it documents, and the
 * rules that catch a cache from the first call on and one that switches on
 * later. The end-to-end side (real caches in fresh processes) is
 * test_hostile's. */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "measure/engine_priv.h"
#include "support/testutil.h"

#define MS 1e-3

/* A timing with wall and CPU passes (ms) and iteration (ms); cpu NULL: the
 * CPU figures are unknown (mode command counted by /proc). */
static jt_engine_timing timing(const double wall[3], const double *cpu, double iter_ms)
{
    jt_engine_timing t;
    jt_engine_timing_init_(&t, NULL, NULL);
    t.load = 0.3 * MS;
    t.iteration = iter_ms * MS;
    for (int i = 0; i < 3; i++) {
        t.pass[i] = wall[i] * MS;
        if (cpu) t.cpu_pass[i] = cpu[i] * MS;
    }
    if (cpu) t.cpu_iteration = 0.9 * iter_ms * MS;
    t.iteration_min = t.iteration, t.cpu_iteration_min = t.cpu_iteration; /* one trial */
    return t;
}

/* Whether the check suspects c; *checked and *clock ("cpu", "wall", "-")
 * as it says. Evidence is there exactly when it suspects. */
static bool check(const jt_engine_timing *c, const jt_engine_timing *f, const char **clock,
                  bool *checked)
{
    bool suspected = true;
    json_t *o = jt_engine_cache_check_(c, f, &suspected);
    ck_assert((json_object_get(o, "evidence") != NULL) == suspected);
    *checked = json_is_true(json_object_get(o, "checked"));
    const char *k = json_string_value(json_object_get(o, "clock"));
    *clock = !k ? "-" : !strcmp(k, "cpu") ? "cpu" : !strcmp(k, "wall") ? "wall" : "?";
    json_decref(o);
    return suspected;
}

/* lru_cache over 2 ms of work: the first pass pays it, the rest are
 * lookups. The paired floor's first pass was preempted for 3 ms. */
START_TEST(a_preempted_floor_hides_no_cache_on_the_cpu_clock)
{
    const double cw[] = {2.2, 0.15, 0.12}, cc[] = {2.05, 0.1, 0.08};
    const double fw[] = {3.2, 0.1, 0.09}, fc[] = {0.08, 0.05, 0.05}; /* 3 ms off the CPU */
    jt_engine_timing c = timing(cw, cc, 0.01), f = timing(fw, fc, 0.01);
    const char *clock;
    bool checked;
    ck_assert(check(&c, &f, &clock, &checked));
    ck_assert_str_eq(clock, "cpu");
    /* Without CPU figures the clock is the harness's, and the hiccup, which
     * looks like the floor's own first-pass cost, hides the cache: the
     * weakness the CPU clock removes. */
    jt_engine_timing cw_only = timing(cw, NULL, 0.01), fw_only = timing(fw, NULL, 0.01);
    ck_assert(!check(&cw_only, &fw_only, &clock, &checked));
    ck_assert(checked);
    ck_assert_str_eq(clock, "wall");
    /* the same without the hiccup: found on the clock too */
    const double fw_calm[] = {0.2, 0.1, 0.09};
    jt_engine_timing calm = timing(fw_calm, NULL, 0.01);
    ck_assert(check(&cw_only, &calm, &clock, &checked));
    /* one side without CPU figures: both on the clock */
    ck_assert(check(&c, &calm, &clock, &checked));
    ck_assert_str_eq(clock, "wall");
}
END_TEST

/* Honest code: its first pass costs a little more than the warm ones
 * (specialisation, first allocations); a preempted first pass costs the
 * clock 3 ms but the CPU nothing. */
START_TEST(honest_warm_up_and_a_preempted_pass_are_not_a_cache)
{
    const double cw[] = {8.2, 5.0, 5.1}, cc[] = {5.2, 4.9, 5.0};
    const double fw[] = {0.2, 0.1, 0.09}, fc[] = {0.08, 0.05, 0.05};
    jt_engine_timing c = timing(cw, cc, 5.0), f = timing(fw, fc, 0.01);
    const char *clock;
    bool checked;
    ck_assert(!check(&c, &f, &clock, &checked));
    ck_assert(checked);
    ck_assert_str_eq(clock, "cpu");
    /* x * x: microseconds, a 0.2 ms first-call excess on the CPU */
    const double tw[] = {0.4, 0.1, 0.1}, tc[] = {0.3, 0.06, 0.06};
    jt_engine_timing tiny = timing(tw, tc, 0.02);
    ck_assert(!check(&tiny, &f, &clock, &checked));
}
END_TEST

/* The documented limit: a cache saving more than 0.3 ms of CPU per pass is
 * found, one saving less is not (below it, an honest first call's own cost
 * is as large). */
START_TEST(the_detection_limit_is_the_documented_one)
{
    const double fw[] = {0.2, 0.1, 0.09}, fc[] = {0.08, 0.05, 0.05};
    jt_engine_timing f = timing(fw, fc, 0.01);
    const char *clock;
    bool checked;
    const double found[] = {0.45, 0.06, 0.06}, missed[] = {0.3, 0.06, 0.06};
    const double w[] = {0.5, 0.1, 0.1};
    jt_engine_timing c = timing(w, found, 0.01);
    ck_assert(check(&c, &f, &clock, &checked));
    c = timing(w, missed, 0.01);
    ck_assert(!check(&c, &f, &clock, &checked));
    ck_assert(checked);
}
END_TEST

/* A memo that switches on after validation: every eval pass pays 4 ms, a
 * trial iteration is a lookup. */
START_TEST(a_cache_that_switches_on_later_is_found_by_the_trials)
{
    const double cw[] = {4.3, 4.1, 4.2}, cc[] = {4.2, 4.0, 4.1};
    const double fw[] = {0.2, 0.1, 0.09}, fc[] = {0.08, 0.05, 0.05};
    jt_engine_timing c = timing(cw, cc, 0.02), f = timing(fw, fc, 0.01);
    const char *clock;
    bool checked;
    ck_assert(check(&c, &f, &clock, &checked));
    /* honest: its trials cost what its passes cost */
    c = timing(cw, cc, 4.0);
    ck_assert(!check(&c, &f, &clock, &checked));
}
END_TEST

/* The same memo switched on late, during the trials: the median trial
 * still paid for the work, one trial did not. The trial figures come from
 * jt_engine_timing_trials_ over trials of 50 iterations. */
START_TEST(a_cache_that_reaches_only_some_trials_is_found)
{
    const double cw[] = {4.3, 4.1, 4.2}, cc[] = {4.2, 4.0, 4.1};
    const double fw[] = {0.2, 0.1, 0.09}, fc[] = {0.08, 0.05, 0.05};
    jt_engine_timing c = timing(cw, cc, 4.0), f = timing(fw, fc, 0.01);
    trial tr[3];
    memset(tr, 0, sizeof tr);
    const double late[] = {4.1, 4.0, 0.03}; /* ms of CPU per iteration */
    for (int i = 0; i < 3; i++)
        tr[i].n = 50, tr[i].cpu_s = late[i] * 50 * MS, tr[i].wall = 1.05 * tr[i].cpu_s;
    jt_engine_timing_trials_(&c, tr, 3);
    ck_assert_double_eq_tol(c.cpu_iteration, 4.0 * MS, 1e-12);   /* the median: uncached */
    ck_assert_double_eq_tol(c.cpu_iteration_min, 0.03 * MS, 1e-12);
    const char *clock;
    bool checked;
    ck_assert(check(&c, &f, &clock, &checked));
    ck_assert_str_eq(clock, "cpu");
    /* honest trials spread by 15 % either way are not a cache */
    const double spread[] = {4.6, 3.4, 4.0};
    for (int i = 0; i < 3; i++) tr[i].cpu_s = spread[i] * 50 * MS, tr[i].wall = tr[i].cpu_s;
    jt_engine_timing_trials_(&c, tr, 3);
    ck_assert(!check(&c, &f, &clock, &checked));
    ck_assert(checked);
    /* a trial without a CPU figure: the CPU clock is not used for any */
    tr[1].cpu_s = NAN;
    jt_engine_timing_trials_(&c, tr, 3);
    ck_assert(isnan(c.cpu_iteration) && isnan(c.cpu_iteration_min));
    ck_assert_double_eq_tol(c.iteration_min, 3.4 * MS, 1e-12);
}
END_TEST

START_TEST(no_floor_no_check)
{
    const double cw[] = {2.2, 0.15, 0.12}, cc[] = {2.05, 0.1, 0.08};
    jt_engine_timing c = timing(cw, cc, 0.01);
    const char *clock;
    bool checked = true;
    ck_assert(!check(&c, NULL, &clock, &checked));
    ck_assert(!checked);
}
END_TEST

static Suite *memo_suite(void)
{
    Suite *s = suite_create("memo");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, a_preempted_floor_hides_no_cache_on_the_cpu_clock);
    tcase_add_test(tc, honest_warm_up_and_a_preempted_pass_are_not_a_cache);
    tcase_add_test(tc, the_detection_limit_is_the_documented_one);
    tcase_add_test(tc, a_cache_that_switches_on_later_is_found_by_the_trials);
    tcase_add_test(tc, a_cache_that_reaches_only_some_trials_is_found);
    tcase_add_test(tc, no_floor_no_check);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(memo_suite)
