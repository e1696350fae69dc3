/* Tests for harness/energy/model.c: the estimate's formula, its inputs and
 * that it is labelled as a model wherever it shows. */
#include <math.h>
#include <string.h>

#include "jouletrace/energy.h"
#include "support/fake_rapl.h"
#include "support/testutil.h"

static jt_energy_meter *open_model(const jt_energy_opts *o)
{
    return jt_fake_open_ok(JT_ENERGY_MODEL, o);
}

START_TEST(documented_defaults)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    ck_assert_double_eq(o.model_idle_w, 10.0);
    ck_assert_double_eq(o.model_active_w, 15.0);
    ck_assert_double_eq(o.model_dram_w, 2.0);
    ck_assert_double_eq(o.max_power_w, 0.0); /* not set: the hardware's limit, else 1000 W */
}
END_TEST

START_TEST(idle_times_wall_plus_active_times_cpu)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    jt_energy_meter *m = open_model(&o);
    jt_energy_sample a = {.cpu_seconds = 0.5}, b = {.cpu_seconds = 2.0};
    ck_assert_int_eq(jt_energy_read(m, &a, NULL), 0);
    ck_assert_int_eq(jt_energy_read(m, &b, NULL), 0);
    jt_energy_delta d;
    ck_assert_int_eq(jt_energy_diff(&a, &b, &d, NULL), 0);
    double wall = b.t - a.t;
    /* counts are nanojoules: two roundings of at most 0.5 nJ each */
    ck_assert_double_eq_tol(d.joules[JT_ENERGY_PACKAGE], 10.0 * wall + 15.0 * 1.5, 2e-9);
    ck_assert_double_eq_tol(d.joules[JT_ENERGY_DRAM], 2.0 * wall, 2e-9);
    ck_assert_double_eq(d.seconds, wall);
    jt_energy_close(m);
}
END_TEST

START_TEST(powers_are_configurable)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    o.model_idle_w = 0;
    o.model_active_w = 100;
    o.model_dram_w = 0;
    jt_energy_meter *m = open_model(&o);
    jt_energy_sample a = {.cpu_seconds = 1.0}, b = {.cpu_seconds = 1.25};
    ck_assert_int_eq(jt_energy_read(m, &a, NULL), 0);
    ck_assert_int_eq(jt_energy_read(m, &b, NULL), 0);
    ck_assert_double_eq_tol(b.joules[JT_ENERGY_PACKAGE] - a.joules[JT_ENERGY_PACKAGE], 25.0, 2e-9);
    ck_assert_double_eq(b.joules[JT_ENERGY_DRAM], 0);
    jt_energy_close(m);
    o.model_active_w = -1;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_MODEL, &o, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "-1 W"));
    jt_err_clear(&e);
}
END_TEST

START_TEST(bad_cpu_time_is_never_a_number)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    jt_energy_meter *m = open_model(&o);
    jt_energy_sample a = {.cpu_seconds = 3.0}, b = {.cpu_seconds = 1.0}, c = {.cpu_seconds = NAN};
    ck_assert_int_eq(jt_energy_read(m, &a, NULL), 0);
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_read(m, &b, &e), -1); /* child CPU time went backwards */
    ck_assert(!b.valid[JT_ENERGY_PACKAGE]);
    ck_assert(strstr(jt_err_msg(&e), "backwards"));
    ck_assert_int_eq(jt_energy_read(m, &c, &e), -1);
    ck_assert(!c.valid[JT_ENERGY_PACKAGE]);
    jt_energy_delta d;
    ck_assert_int_eq(jt_energy_diff(&a, &b, &d, &e), -1);
    jt_err_clear(&e);
    jt_energy_close(m);
}
END_TEST

START_TEST(labelled_model_everywhere)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    jt_energy_meter *m = open_model(&o);
    ck_assert_str_eq(jt_energy_source_name(m), "model");
    ck_assert_int_eq(jt_energy_source_kind(m), JT_ENERGY_MODEL);
    ck_assert(jt_energy_is_estimate(m));
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
        ck_assert(strstr(jt_energy_domain(m, d)->units, "model"));
        ck_assert(strstr(jt_energy_domain(m, d)->where, "model"));
    }
    ck_assert(strstr(jt_energy_notes(m), "energy_source=model"));
    ck_assert_int_eq(jt_energy_filtering(m), -1);
    /* nothing wraps, nothing steps: no guard thread, no edge to wait for */
    ck_assert_double_eq(jt_energy_guard_interval(m), 0);
    ck_assert_int_eq(jt_energy_guard_start(m, -1, NULL), 0);
    jt_energy_sample s = {0};
    ck_assert_int_eq(jt_energy_align_edge(m, &s, NULL), 0);
    ck_assert(!s.edge);
    jt_energy_close(m);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("energy_model");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, documented_defaults);
    tcase_add_test(tc, idle_times_wall_plus_active_times_cpu);
    tcase_add_test(tc, powers_are_configurable);
    tcase_add_test(tc, bad_cpu_time_is_never_a_number);
    tcase_add_test(tc, labelled_model_everywhere);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(model_suite)
