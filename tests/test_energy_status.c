/* End-to-end tests of `jouletrace status` (its energy-backend part): the
 * built binary run against fake trees and against nothing at all. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/common.h"
#include "support/fake_rapl.h"
#include "support/testutil.h"

#define NO_PERF "JOULETRACE_PERF_ROOT=/nonexistent/jt-perf"
#define NO_MSR "JOULETRACE_MSR_ROOT=/nonexistent/jt-msr"
#define NO_POWERCAP "JOULETRACE_POWERCAP_ROOT=/nonexistent/jt-powercap"

static int run_status(const char *const *args, const char *const *env, char **out, char **err)
{
    const char *argv[8] = {jt_test_binary(), "status"};
    size_t n = 2;
    for (size_t i = 0; args && args[i] && n < 7; i++) argv[n++] = args[i];
    argv[n] = NULL;
    return jt_test_run(argv, env, NULL, out, err);
}

START_TEST(no_counters_auto_uses_model_loudly)
{
    const char *env[] = {NO_PERF, NO_MSR, NO_POWERCAP, NULL};
    char *out, *err;
    int rc = run_status(NULL, env, &out, &err);
    ck_assert_msg(rc == JT_EXIT_OK, "exit %d: %s%s", rc, out, err);
    ck_assert(strstr(out, "perf      not usable: no RAPL power PMU"));
    ck_assert(strstr(out, "powercap  not usable: no /nonexistent/jt-powercap"));
    ck_assert(strstr(out, "msr       not usable: no /nonexistent/jt-msr/"));
    ck_assert(strstr(out, "modprobe msr"));
    ck_assert(strstr(out, "model     usable (ESTIMATE, not a measurement)"));
    ck_assert(strstr(out, "backend: auto -> model"));
    ck_assert(strstr(out, "WARNING: no energy counters"));
    free(out);
    free(err);
    const char *hw[] = {"--backend", "hardware", NULL};
    rc = run_status(hw, env, &out, &err);
    ck_assert_int_eq(rc, JT_EXIT_NOT_READY);
    ck_assert(strstr(out, "backend: hardware -> none usable: NOT READY"));
    free(out);
    free(err);
    const char *pc[] = {"--backend", "powercap", NULL};
    ck_assert_int_eq(run_status(pc, env, NULL, NULL), JT_EXIT_NOT_READY);
    const char *model[] = {"--backend", "model", NULL};
    ck_assert_int_eq(run_status(model, env, NULL, NULL), JT_EXIT_OK);
}
END_TEST

START_TEST(fake_powercap_tree_is_picked)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_zone_add(f, "intel-rapl:0", "package-0", 262143328850, 12345);
    jt_fake_zone_add(f, "intel-rapl:0:0", "dram", 262143328850, 678);
    char *root = jt_xasprintf("JOULETRACE_POWERCAP_ROOT=%s", jt_fake_powercap_root(f));
    const char *env[] = {NO_PERF, NO_MSR, root, NULL};
    char *out, *err;
    int rc = run_status(NULL, env, &out, &err);
    ck_assert_msg(rc == JT_EXIT_OK, "exit %d: %s%s", rc, out, err);
    ck_assert(strstr(out, "powercap  usable\n"));
    ck_assert(strstr(out, "package  microjoules (energy_uj)"));
    ck_assert(strstr(out, "from intel-rapl:0/energy_uj (package-0)"));
    ck_assert(strstr(out, "from intel-rapl:0:0/energy_uj (dram)"));
    ck_assert(strstr(out, "backend: auto -> powercap"));
    ck_assert(!strstr(out, "WARNING"));
    free(out);
    free(err);

    const char *json[] = {"--json", NULL};
    rc = run_status(json, env, &out, &err);
    ck_assert_int_eq(rc, JT_EXIT_OK);
    json_error_t je;
    json_t *o = json_loads(out, 0, &je);
    ck_assert_msg(o != NULL, "bad JSON: %s\n%s", je.text, out);
    ck_assert_str_eq(json_string_value(json_object_get(o, "selected_backend")), "powercap");
    ck_assert(json_is_true(json_object_get(o, "ready")));
    ck_assert(json_is_false(json_object_get(o, "estimate")));
    json_t *pc = json_array_get(json_object_get(o, "backends"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(pc, "name")), "powercap");
    ck_assert(json_is_true(json_object_get(pc, "usable")));
    json_t *doms = json_object_get(pc, "domains");
    ck_assert_uint_eq(json_array_size(doms), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(doms, 1), "name")), "dram");
    ck_assert_double_eq(json_real_value(json_object_get(json_array_get(doms, 0), "unit_joules")),
                        1e-6);
    json_t *perf = json_array_get(json_object_get(o, "backends"), 0);
    ck_assert(json_is_false(json_object_get(perf, "usable")));
    ck_assert(strstr(json_string_value(json_object_get(perf, "reason")), "no RAPL power PMU"));
    json_decref(o);
    free(out);
    free(err);
    free(root);
    jt_fake_rapl_free(f);
}
END_TEST

START_TEST(help_and_usage_errors)
{
    const char *help[] = {"--help", NULL};
    char *out, *err;
    ck_assert_int_eq(run_status(help, NULL, &out, &err), JT_EXIT_OK);
    ck_assert(strstr(out, "usage: jouletrace status [--json] [--backend B]"));
    ck_assert(strstr(out, "hardware"));
    free(out);
    free(err);
    const char *typo[] = {"--backend", "powercp", NULL};
    ck_assert_int_eq(run_status(typo, NULL, &out, &err), JT_EXIT_USAGE);
    ck_assert(strstr(err, "did you mean 'powercap'"));
    free(out);
    free(err);
    const char *extra[] = {"now", NULL};
    ck_assert_int_eq(run_status(extra, NULL, NULL, NULL), JT_EXIT_USAGE);
    const char *bad[] = {"--jsn", NULL};
    ck_assert_int_eq(run_status(bad, NULL, NULL, NULL), JT_EXIT_USAGE);
}
END_TEST

static Suite *status_suite(void)
{
    Suite *s = suite_create("energy_status");
    TCase *tc = tcase_create("status");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, no_counters_auto_uses_model_loudly);
    tcase_add_test(tc, fake_powercap_tree_is_picked);
    tcase_add_test(tc, help_and_usage_errors);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(status_suite)
