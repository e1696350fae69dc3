/* Tests for harness/energy/perf.c: parsing the power PMU's sysfs (type,
 * cpumask, event config through format/, .scale, .unit) from fake trees.
 * Opening real events needs a RAPL PMU: tests/test_energy_hw.c does that. */
#include <stdlib.h>
#include <string.h>

#include "jouletrace/energy.h"
#include "jouletrace/energy_backend.h"
#include "support/fake_rapl.h"
#include "support/testutil.h"

START_TEST(parses_the_kernel_layout)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_perf_pmu(f, "13", "0,28", 1);
    jt_energy_perf_event ev;
    jt_err e = JT_ERR_INIT;
    ck_assert_msg(jt_energy_perf_parse_event(jt_fake_perf_root(f), "energy-pkg", &ev, &e) == 0,
                  "%s", jt_err_msg(&e));
    ck_assert_uint_eq(ev.config, 0x02);
    ck_assert_double_eq(ev.scale, 0x1p-32); /* 2.3283064365386962890625e-10 exactly */
    ck_assert_str_eq(ev.unit, "Joules");
    jt_energy_perf_event_release(&ev);
    ck_assert_int_eq(jt_energy_perf_parse_event(jt_fake_perf_root(f), "energy-ram", &ev, &e), 0);
    ck_assert_uint_eq(ev.config, 0x03);
    jt_energy_perf_event_release(&ev);
    int type = -1, cpu = -1;
    ck_assert_int_eq(jt_energy_perf_parse_pmu(jt_fake_perf_root(f), NULL, 0, &type, &cpu, &e), 0);
    ck_assert_int_eq(type, 13);
    ck_assert_int_eq(cpu, 0);
    jt_err_clear(&e);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(config_goes_through_format_bits)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_perf_pmu(f, "13", "0", 0);
    const char *pmu = jt_fake_perf_root(f);
    free(jt_test_write_file(pmu, "format/event", "config:8-15\n"));
    free(jt_test_write_file(pmu, "format/umask", "config:20\n"));
    free(jt_test_write_file(pmu, "events/energy-pkg", "event=0x3,umask\n"));
    jt_energy_perf_event ev;
    jt_err e = JT_ERR_INIT;
    ck_assert_msg(jt_energy_perf_parse_event(pmu, "energy-pkg", &ev, &e) == 0, "%s",
                  jt_err_msg(&e));
    ck_assert_uint_eq(ev.config, 0x300 | (UINT64_C(1) << 20));
    jt_energy_perf_event_release(&ev);
    free(jt_test_write_file(pmu, "events/energy-pkg", "event=0x1ff\n")); /* 9 bits in 8 */
    ck_assert_int_eq(jt_energy_perf_parse_event(pmu, "energy-pkg", &ev, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "does not fit"));
    free(jt_test_write_file(pmu, "events/energy-pkg", "event=0x2,cmask=1\n"));
    ck_assert_int_eq(jt_energy_perf_parse_event(pmu, "energy-pkg", &ev, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "no format for term 'cmask'"));
    jt_err_clear(&e);
    jt_fake_rapl_free(f);
}
END_TEST

static const struct {
    const char *file, *content, *expect;
} bad_cases[] = {
    {"events/energy-pkg.unit", "Watts\n", "unit 'Watts', expected 'Joules'"},
    {"events/energy-pkg.scale", "abc\n", "energy-pkg.scale: 'abc' is not a positive scale"},
    {"events/energy-pkg.scale", "-1e-10\n", "not a positive scale"},
    {"events/energy-pkg", "event=zz\n", "bad value for 'event'"},
    {"format/event", "config1:0-7\n", "unsupported format"},
};

START_TEST(malformed_files_are_named)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_perf_pmu(f, "13", "0", 0);
    free(jt_test_write_file(jt_fake_perf_root(f), bad_cases[_i].file, bad_cases[_i].content));
    jt_energy_perf_event ev;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_perf_parse_event(jt_fake_perf_root(f), "energy-pkg", &ev, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), bad_cases[_i].expect), "got: %s", jt_err_msg(&e));
    ck_assert_ptr_null(ev.unit);
    jt_err_clear(&e);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(no_format_dir_means_event_is_config)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    const char *pmu = jt_fake_perf_root(f);
    free(jt_test_write_file(pmu, "events/energy-pkg", "event=0x02"));
    free(jt_test_write_file(pmu, "events/energy-pkg.scale", "2.3283064365386962890625e-10"));
    free(jt_test_write_file(pmu, "events/energy-pkg.unit", "Joules"));
    jt_energy_perf_event ev;
    ck_assert_int_eq(jt_energy_perf_parse_event(pmu, "energy-pkg", &ev, NULL), 0);
    ck_assert_uint_eq(ev.config, 2);
    jt_energy_perf_event_release(&ev);
    jt_fake_rapl_free(f);
}
END_TEST

/* The PMU lists one CPU per package; the one of package 0 comes from the
 * caller's package-0 CPUs (energy/ reads no topology of its own). */
START_TEST(pmu_cpu_is_package_0s_from_the_options)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_perf_pmu(f, "13", "0,28", 1);
    const int pkg0_high[] = {28, 29, 30}, pkg0_low[] = {0, 1}, pkg0_none[] = {5, 6};
    int type = -1, cpu = -1;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_perf_parse_pmu(jt_fake_perf_root(f), pkg0_high, 3, &type, &cpu, &e), 0);
    ck_assert_int_eq(cpu, 28);
    ck_assert_int_eq(jt_energy_perf_parse_pmu(jt_fake_perf_root(f), pkg0_low, 2, &type, &cpu, &e), 0);
    ck_assert_int_eq(cpu, 0);
    /* none of them listed, or none known: the first listed */
    ck_assert_int_eq(jt_energy_perf_parse_pmu(jt_fake_perf_root(f), pkg0_none, 2, &type, &cpu, &e), 0);
    ck_assert_int_eq(cpu, 0);
    ck_assert_int_eq(jt_energy_perf_parse_pmu(jt_fake_perf_root(f), pkg0_high, 0, &type, &cpu, &e), 0);
    ck_assert_int_eq(cpu, 0);
    jt_err_clear(&e);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(bad_pmu_type_or_cpumask)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_perf_pmu(f, "power", "0", 0);
    int type, cpu;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_perf_parse_pmu(jt_fake_perf_root(f), NULL, 0, &type, &cpu, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "is not a PMU type"));
    jt_fake_perf_pmu(f, "13", "zero", 0);
    ck_assert_int_eq(jt_energy_perf_parse_pmu(jt_fake_perf_root(f), NULL, 0, &type, &cpu, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "is not a CPU list"));
    jt_err_clear(&e);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(probe_reasons)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    o.perf_root = "/nonexistent/power";
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_PERF, &o, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "no RAPL power PMU (/nonexistent/power missing)"));
    /* A well-formed PMU of a type this kernel does not have: the syscall
     * refuses it and the reason says which event, type and CPU (or the
     * paranoid level, where the kernel checks permission first). */
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_perf_pmu(f, "2147483000", "0", 0);
    o.perf_root = jt_fake_perf_root(f);
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_PERF, &o, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), "perf_event_open(energy-pkg: type 2147483000") ||
                      strstr(jt_err_msg(&e), "perf_event_paranoid is"),
                  "got: %s", jt_err_msg(&e));
    jt_fake_perf_pmu(f, "13", "0", 0);
    free(jt_test_write_file(o.perf_root, "events/energy-pkg.unit", "Watts"));
    ck_assert_int_eq(jt_energy_probe(JT_ENERGY_PERF, &o, &e), -1);
    ck_assert(strstr(jt_err_msg(&e), "expected 'Joules'"));
    jt_err_clear(&e);
    jt_fake_rapl_free(f);
}
END_TEST

static Suite *perf_suite(void)
{
    Suite *s = suite_create("energy_perf");
    TCase *tc = tcase_create("perf");
    tcase_add_test(tc, parses_the_kernel_layout);
    tcase_add_test(tc, config_goes_through_format_bits);
    tcase_add_loop_test(tc, malformed_files_are_named, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, no_format_dir_means_event_is_config);
    tcase_add_test(tc, pmu_cpu_is_package_0s_from_the_options);
    tcase_add_test(tc, bad_pmu_type_or_cpumask);
    tcase_add_test(tc, probe_reasons);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(perf_suite)
