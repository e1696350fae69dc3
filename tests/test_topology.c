/* Tests for harness/measure/topology.c against fake sysfs cpu trees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/topology.h"
#include "support/testutil.h"

static const struct {
    const char *in;
    int n;
    int first, last;
} lists[] = {
    {"0", 1, 0, 0},          {"0-3", 4, 0, 3},         {"0-3,8,10-11", 7, 0, 11},
    {"5,1,3", 3, 1, 5},      {"0-1,1-2", 3, 0, 2},     {"", 0, 0, 0},
    {"3-1", -1, 0, 0},       {"a", -1, 0, 0},          {"0-3\n", 4, 0, 3},
};

START_TEST(cpulist_table)
{
    int cpus[64];
    int n = jt_cpulist_parse(lists[_i].in, cpus, 64);
    ck_assert_int_eq(n, lists[_i].n);
    if (n > 0) {
        ck_assert_int_eq(cpus[0], lists[_i].first);
        ck_assert_int_eq(cpus[n - 1], lists[_i].last);
        for (int i = 1; i < n; i++) ck_assert_int_lt(cpus[i - 1], cpus[i]);
    }
}
END_TEST

/* Two packages: CPUs 0-3 on package 0, 4-7 on package 1; SMT pairs (0,2),(1,3). */
static char *fake_tree(const char *isolated, int offline_sibling)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "online", offline_sibling ? "0,2-7\n" : "0-7\n"));
    free(jt_test_write_file(dir, "isolated", isolated));
    free(jt_test_write_file(dir, "nohz_full", "(null)\n"));
    for (int c = 0; c < 8; c++) {
        char name[96], val[32];
        snprintf(name, sizeof name, "cpu%d/topology/physical_package_id", c);
        snprintf(val, sizeof val, "%d\n", c < 4 ? 0 : 1);
        free(jt_test_write_file(dir, name, val));
        snprintf(name, sizeof name, "cpu%d/topology/thread_siblings_list", c);
        snprintf(val, sizeof val, "%d,%d\n", c < 4 ? c % 2 : 4 + c % 2, c < 4 ? c % 2 + 2 : 6 + c % 2);
        free(jt_test_write_file(dir, name, val));
    }
    setenv("JOULETRACE_SYSFS_CPU_ROOT", dir, 1);
    return dir;
}

START_TEST(default_choice_on_two_packages)
{
    char *dir = fake_tree("\n", 0);
    jt_topology t;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_topology_read(&t, -1, &e), 0);
    ck_assert_int_eq(t.n_online, 8);
    ck_assert_int_eq(t.n_packages, 2);
    ck_assert_int_eq(t.n_pkg0, 4);
    ck_assert_int_eq(t.measure_cpu, 3);      /* highest of package 0, never package 1 */
    ck_assert_int_eq(t.housekeeping_cpu, 0);
    ck_assert_int_eq(t.measure_sibling, 1);  /* SMT sibling online → warned */
    ck_assert(!t.measure_isolated);
    int smt = 0, iso = 0;
    for (size_t i = 0; i < t.n_warnings; i++) {
        smt += strstr(t.warnings[i], "SMT sibling 1") != NULL;
        iso += strstr(t.warnings[i], "not in isolcpus") != NULL;
    }
    ck_assert_int_eq(smt, 1);
    ck_assert_int_eq(iso, 1);
    jt_topology_release(&t);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(isolated_core_without_sibling_has_no_warnings)
{
    char *dir = fake_tree("3\n", 1); /* CPU 1 (sibling of 3) offline */
    jt_topology t;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_topology_read(&t, -1, &e), 0);
    ck_assert_int_eq(t.measure_cpu, 3);
    ck_assert_int_eq(t.measure_sibling, -1);
    ck_assert(t.measure_isolated);
    ck_assert_uint_eq(t.n_warnings, 0);
    jt_topology_release(&t);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(requested_core_must_be_in_package_0)
{
    char *dir = fake_tree("\n", 0);
    jt_topology t;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_topology_read(&t, 5, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "measurement core 5 is not an online CPU of package 0");
    ck_assert_int_eq(jt_topology_read(&t, 2, &e), 0);
    ck_assert_int_eq(t.measure_cpu, 2);
    ck_assert_int_eq(t.housekeeping_cpu, 0);
    ck_assert_int_eq(t.measure_sibling, 0);
    jt_topology_release(&t);
    jt_err_clear(&e);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(this_host_has_a_package_0)
{
    unsetenv("JOULETRACE_SYSFS_CPU_ROOT");
    jt_topology t;
    jt_err e = JT_ERR_INIT;
    ck_assert_msg(jt_topology_read(&t, -1, &e) == 0, "%s", jt_err_msg(&e));
    ck_assert_int_ge(t.n_pkg0, 1);
    ck_assert_int_ge(t.measure_cpu, 0);
    if (t.n_pkg0 > 1) ck_assert_int_ne(t.measure_cpu, t.housekeeping_cpu);
    jt_topology_release(&t);
}
END_TEST

static Suite *topology_suite(void)
{
    Suite *s = suite_create("topology");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, cpulist_table, 0, sizeof lists / sizeof lists[0]);
    tcase_add_test(tc, default_choice_on_two_packages);
    tcase_add_test(tc, isolated_core_without_sibling_has_no_warnings);
    tcase_add_test(tc, requested_core_must_be_in_package_0);
    tcase_add_test(tc, this_host_has_a_package_0);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(topology_suite)
