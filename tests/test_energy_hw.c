/* Real hardware: reads this host's own counters through `hardware`
 * (perf, powercap or msr, whichever works). Skips (exit 77) with the
 * reasons where there are none — a VM, a container, no permission. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jouletrace/energy.h"
#include "support/testutil.h"

static double busy_for(double seconds)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    volatile double x = 1;
    do {
        for (int i = 0; i < 100000; i++) x = x * 1.0000001 + 1e-9;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9 < seconds);
    return x;
}

START_TEST(real_counters_measure_a_busy_loop)
{
    jt_energy_meter *m = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_msg(jt_energy_open(JT_ENERGY_HARDWARE, NULL, &m, &e) == 0, "%s", jt_err_msg(&e));
    ck_assert_msg(jt_energy_guard_start(m, -1, &e) == 0, "%s", jt_err_msg(&e));
    jt_energy_sample a = {0}, b = {0};
    ck_assert_msg(jt_energy_align_edge(m, &a, &e) == 0, "%s", jt_err_msg(&e));
    ck_assert_msg(a.edge, "%s: package counter did not step within 2 ms",
                  jt_energy_source_name(m));
    busy_for(0.3);
    ck_assert_msg(jt_energy_read(m, &b, &e) == 0, "%s", jt_err_msg(&e));
    jt_energy_delta d;
    ck_assert_msg(jt_energy_diff(&a, &b, &d, &e) == 0, "%s", jt_err_msg(&e));
    double w = d.joules[JT_ENERGY_PACKAGE] / d.seconds;
    fprintf(stderr, "%s: package %.2f W over %.3f s\n", jt_energy_source_name(m), w, d.seconds);
    ck_assert_msg(w > 0.1 && w < 1000, "package power %.3f W is not plausible", w);
    jt_err_clear(&e);
    jt_energy_close(m);
}
END_TEST

static Suite *hw_suite(void)
{
    jt_err e = JT_ERR_INIT;
    jt_energy_meter *m = NULL;
    if (jt_energy_open(JT_ENERGY_HARDWARE, NULL, &m, &e) != 0) {
        char *why = jt_xasprintf("no usable energy counters on this host: %s", jt_err_msg(&e));
        jt_err_clear(&e);
        jt_test_skip(why);
    }
    jt_energy_close(m);
    Suite *s = suite_create("energy_hw");
    TCase *tc = tcase_create("hardware");
    tcase_add_test(tc, real_counters_measure_a_busy_loop);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(hw_suite)
