/* Loop calibration's rule (measure/engine.c jt_engine_calib_step_,
 * docs/design.md "Trial"): which probe fixes the trial length, and what the
 * next probe is. */
#include <math.h>
#include <stdint.h>

#include "measure/engine_priv.h"
#include "support/testutil.h"

#define TARGET 0.2

/* An aimed probe that fell a little short of the target (the run-to-run
 * spread of a 0.2 s window) is the trial length: it is already an energy
 * window, and running it again would throw a whole window away. */
START_TEST(aimed_probe_near_the_target_is_taken)
{
    uint64_t next = 7;
    bool aimed = false;
    ck_assert(jt_engine_calib_step_(0.95 * TARGET, 240000, true, TARGET, &next, &aimed));
    ck_assert(jt_engine_calib_step_(JT_ENGINE_AIMED_ACCEPT * TARGET, 240000, true, TARGET, &next,
                                    &aimed));
    ck_assert_uint_eq(next, 7); /* untouched when taken */
    ck_assert(jt_engine_calib_step_(3 * TARGET, 240000, true, TARGET, &next, &aimed));
}
END_TEST

/* Below the accepted fraction the aimed probe is re-aimed from what it
 * measured, aimed again (its n is within the growth limit). */
START_TEST(aimed_probe_far_short_is_aimed_again)
{
    uint64_t next = 0;
    bool aimed = false;
    double elapsed = 0.8 * TARGET;
    ck_assert(!jt_engine_calib_step_(elapsed, 200000, true, TARGET, &next, &aimed));
    ck_assert(aimed);
    double want = TARGET * JT_ENGINE_AIM / (elapsed / 200000.0);
    ck_assert_uint_eq(next, (uint64_t)ceil(want));
}
END_TEST

/* A capped probe (not an energy window) must reach the target itself; the
 * next probe grows at most ×100 and is aimed once the aim fits in that. */
START_TEST(capped_probes_grow_until_the_aim_fits)
{
    uint64_t next = 0;
    bool aimed = true;
    ck_assert(!jt_engine_calib_step_(0.95 * TARGET, 1000, false, TARGET, &next, &aimed));
    ck_assert(aimed); /* 1000 × 1.05 / 0.95 fits in ×100 */
    ck_assert(!jt_engine_calib_step_(1e-5, 1, false, TARGET, &next, &aimed));
    ck_assert(!aimed);
    ck_assert_uint_eq(next, 100);
    ck_assert(jt_engine_calib_step_(TARGET, 1000, false, TARGET, &next, &aimed));
}
END_TEST

/* Growth is at least ×1.25 + 1, and an iteration that takes no measurable
 * time after 10^12 of them is reported (next = 0), not looped on. */
START_TEST(growth_floor_and_unmeasurable_iterations)
{
    uint64_t next = 0;
    bool aimed = false;
    ck_assert(!jt_engine_calib_step_(0.5 * TARGET, 1000, false, TARGET, &next, &aimed));
    ck_assert_uint_eq(next, (uint64_t)ceil(1000 * JT_ENGINE_AIM / 0.5));
    /* 0.85 of the target aims at 1000 × 1.05 / 0.85 = 1236: raised to 1251 */
    ck_assert(!jt_engine_calib_step_(0.85 * TARGET, 1000, true, TARGET, &next, &aimed));
    ck_assert_uint_eq(next, 1251);
    ck_assert(!jt_engine_calib_step_(0, 100000000000ULL, false, TARGET, &next, &aimed));
    ck_assert_uint_eq(next, 0);
}
END_TEST

static Suite *engine_calib_suite(void)
{
    Suite *s = suite_create("engine_calib");
    TCase *tc = tcase_create("step");
    tcase_add_test(tc, aimed_probe_near_the_target_is_taken);
    tcase_add_test(tc, aimed_probe_far_short_is_aimed_again);
    tcase_add_test(tc, capped_probes_grow_until_the_aim_fits);
    tcase_add_test(tc, growth_floor_and_unmeasurable_iterations);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(engine_calib_suite)
