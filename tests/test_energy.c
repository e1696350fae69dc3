/* Tests for harness/energy/energy.c: backend names, the auto/hardware
 * choice and its reasons, and window arithmetic (jt_energy_diff). */
#include <string.h>

#include "jouletrace/energy.h"
#include "support/fake_rapl.h"
#include "support/testutil.h"

static jt_energy_opts no_hardware(void)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    o.perf_root = "/nonexistent/jt-perf";
    o.powercap_root = "/nonexistent/jt-powercap";
    o.msr_root = "/nonexistent/jt-msr";
    return o;
}

START_TEST(kind_names_round_trip)
{
    static const char *const names[] = {"auto", "hardware", "perf", "powercap", "msr", "model"};
    jt_err e = JT_ERR_INIT;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        jt_energy_kind k;
        ck_assert_int_eq(jt_energy_kind_parse(names[i], &k, &e), 0);
        ck_assert_str_eq(jt_energy_kind_name(k), names[i]);
    }
    jt_energy_kind k;
    ck_assert_int_eq(jt_energy_kind_parse("powercapp", &k, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "did you mean 'powercap'"));
    ck_assert_int_eq(jt_energy_kind_parse("rapl", &k, &e), -1);
    ck_assert(!strstr(jt_err_msg(&e), "did you mean"));
    jt_err_clear(&e);
    ck_assert_str_eq(jt_energy_domain_name(JT_ENERGY_PACKAGE), "package");
    ck_assert_str_eq(jt_energy_domain_name(JT_ENERGY_DRAM), "dram");
}
END_TEST

START_TEST(auto_falls_back_to_model_with_every_reason)
{
    jt_energy_opts o = no_hardware();
    jt_energy_meter *m = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_open(JT_ENERGY_AUTO, &o, &m, &e), 0);
    ck_assert_str_eq(jt_energy_source_name(m), "model");
    const char *why = jt_energy_fallback_reason(m);
    ck_assert_ptr_nonnull(why);
    ck_assert(strstr(why, "perf: no RAPL power PMU"));
    ck_assert(strstr(why, "powercap: no /nonexistent/jt-powercap"));
    ck_assert(strstr(why, "msr: no /nonexistent/jt-msr/"));
    jt_energy_close(m);
    /* hardware: the same search, no model */
    ck_assert_int_eq(jt_energy_open(JT_ENERGY_HARDWARE, &o, &m, &e), -1);
    ck_assert_ptr_null(m);
    ck_assert(strstr(jt_err_msg(&e), "no usable energy counters"));
    ck_assert(strstr(jt_err_msg(&e), "msr:"));
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_AUTO, &o, &e), -1);
    jt_err_clear(&e);
}
END_TEST

START_TEST(auto_prefers_hardware)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_zone_add(f, "intel-rapl:0", "package-0", 262143328850, 0);
    jt_energy_opts o = no_hardware();
    o.powercap_root = jt_fake_powercap_root(f);
    for (int k = JT_ENERGY_AUTO; k <= JT_ENERGY_HARDWARE; k++) {
        jt_energy_meter *m = NULL;
        ck_assert_int_eq(jt_energy_open((jt_energy_kind)k, &o, &m, NULL), 0);
        ck_assert_str_eq(jt_energy_source_name(m), "powercap");
        ck_assert_ptr_null(jt_energy_fallback_reason(m));
        jt_energy_close(m);
    }
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(diff_refuses_what_it_cannot_vouch_for)
{
    jt_energy_sample a = {.t = 1.0, .valid = {true, true}, .joules = {5.0, 1.0},
                          .counts = {5000000, 1000000}};
    jt_energy_sample b = {.t = 2.0, .valid = {true, true}, .joules = {7.5, 1.5},
                          .counts = {7500000, 1500000}};
    jt_energy_delta d;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_diff(&a, &b, &d, &e), 0);
    ck_assert_double_eq(d.seconds, 1.0);
    ck_assert_double_eq(d.joules[JT_ENERGY_PACKAGE], 2.5);
    ck_assert_double_eq(d.joules[JT_ENERGY_DRAM], 0.5);
    /* DRAM broken inside the window: package still usable, DRAM flagged */
    b.breaks[JT_ENERGY_DRAM] = 1;
    ck_assert_int_eq(jt_energy_diff(&a, &b, &d, &e), 0);
    ck_assert(!d.valid[JT_ENERGY_DRAM]);
    ck_assert_double_eq(d.joules[JT_ENERGY_DRAM], 0);
    /* package: a failed edge read, a lost continuity, reversed samples */
    b.valid[JT_ENERGY_PACKAGE] = false;
    ck_assert_int_eq(jt_energy_diff(&a, &b, &d, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "no valid read"));
    b.valid[JT_ENERGY_PACKAGE] = true;
    b.breaks[JT_ENERGY_PACKAGE] = 1;
    ck_assert_int_eq(jt_energy_diff(&a, &b, &d, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "continuity lost"));
    b.breaks[JT_ENERGY_PACKAGE] = 0;
    ck_assert_int_eq(jt_energy_diff(&b, &a, &d, &e), -1);
    ck_assert(!d.valid[JT_ENERGY_PACKAGE]);
    jt_err_clear(&e);
}
END_TEST

static Suite *energy_suite(void)
{
    Suite *s = suite_create("energy");
    TCase *tc = tcase_create("meter");
    tcase_add_test(tc, kind_names_round_trip);
    tcase_add_test(tc, auto_falls_back_to_model_with_every_reason);
    tcase_add_test(tc, auto_prefers_hardware);
    tcase_add_test(tc, diff_refuses_what_it_cannot_vouch_for);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(energy_suite)
