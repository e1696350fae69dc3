/* End-to-end tests of `jouletrace status` (its energy-backend part): the
 * built binary run against fake trees and against nothing at all. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/common.h"
#include "jouletrace/lock.h"
#include "support/fake_rapl.h"
#include "support/testutil.h"

#define NO_PERF "JOULETRACE_PERF_ROOT=/nonexistent/jt-perf"
#define NO_MSR "JOULETRACE_MSR_ROOT=/nonexistent/jt-msr"
#define NO_POWERCAP "JOULETRACE_POWERCAP_ROOT=/nonexistent/jt-powercap"

/* A private calibration file and lock for each test: status checks both. */
typedef struct scratch {
    char *dir, *calib_env, *lock_env, *lock;
} scratch;

static void scratch_init(scratch *s)
{
    s->dir = jt_test_tmpdir();
    s->calib_env = jt_xasprintf("JOULETRACE_CALIBRATION=%s/calib.json", s->dir);
    s->lock = jt_xasprintf("%s/socket0.lock", s->dir);
    s->lock_env = jt_xasprintf("JOULETRACE_LOCK_FILE=%s", s->lock);
}

static void scratch_free(scratch *s)
{
    free(s->calib_env), free(s->lock_env), free(s->lock);
    jt_test_tmpdir_free(s->dir);
}

static void calibrate(const char *backend, const char *const *env)
{
    const char *argv[] = {jt_test_binary(), "calibrate", "--backend", backend, "--windows", "3",
                          "--seconds", "0.02", "--quiet", NULL};
    char *out, *err;
    int rc = jt_test_run(argv, env, NULL, &out, &err);
    ck_assert_msg(rc == 0, "calibrate: %d %s", rc, err);
    free(out), free(err);
}

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
    scratch sc;
    scratch_init(&sc);
    const char *env[] = {NO_PERF, NO_MSR, NO_POWERCAP, sc.calib_env, sc.lock_env, NULL};
    char *out, *err;
    /* Not calibrated yet: usable backend, but `run` would refuse. */
    int rc = run_status(NULL, env, &out, &err);
    ck_assert_int_eq(rc, JT_EXIT_NOT_READY);
    ck_assert_msg(strstr(out, "calibration: NOT USABLE: Socket 0 not calibrated"), "%s", out);
    ck_assert(strstr(out, "NOT READY (exit 4)"));
    free(out);
    free(err);
    calibrate("model", env);
    rc = run_status(NULL, env, &out, &err);
    ck_assert_msg(rc == JT_EXIT_OK, "exit %d: %s%s", rc, out, err);
    ck_assert(strstr(out, "calibration: ") && strstr(out, "model, package idle 10.000 W: usable"));
    ck_assert(strstr(out, "lock: ") && strstr(out, ": free"));
    ck_assert(strstr(out, "\nREADY\n"));
    ck_assert(strstr(out, "perf      not usable: no RAPL power PMU"));
    ck_assert(strstr(out, "powercap  not usable: no /nonexistent/jt-powercap"));
    ck_assert(strstr(out, "msr       not usable: no /nonexistent/jt-msr/"));
    ck_assert(strstr(out, "modprobe msr"));
    ck_assert(strstr(out, "model     usable (ESTIMATE, not a measurement)"));
    ck_assert(strstr(out, "backend: auto -> model"));
    ck_assert(strstr(out, "warning: no energy counters"));
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
    /* A run in progress holds the lock: not ready, and status says who. */
    jt_lock l;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_acquire(&l, sc.lock, "run", "quickstart", false, NULL, &e), 0);
    rc = run_status(NULL, env, &out, &err);
    ck_assert_int_eq(rc, JT_EXIT_NOT_READY);
    ck_assert_msg(strstr(out, "(run, suite quickstart, since "), "%s", out);
    free(out);
    free(err);
    jt_lock_release(&l);
    scratch_free(&sc);
}
END_TEST

START_TEST(fake_powercap_tree_is_picked)
{
    jt_fake_rapl *f = jt_fake_rapl_new();
    jt_fake_zone_add(f, "intel-rapl:0", "package-0", 262143328850, 12345);
    jt_fake_zone_add(f, "intel-rapl:0:0", "dram", 262143328850, 678);
    char *root = jt_xasprintf("JOULETRACE_POWERCAP_ROOT=%s", jt_fake_powercap_root(f));
    scratch sc;
    scratch_init(&sc);
    const char *env[] = {NO_PERF, NO_MSR, root, sc.calib_env, sc.lock_env, NULL};
    char *out, *err;
    calibrate("powercap", env);
    int rc = run_status(NULL, env, &out, &err);
    ck_assert_msg(rc == JT_EXIT_OK, "exit %d: %s%s", rc, out, err);
    ck_assert(strstr(out, "powercap  usable\n"));
    ck_assert(strstr(out, "package  microjoules (energy_uj)"));
    ck_assert(strstr(out, "from intel-rapl:0/energy_uj (package-0)"));
    ck_assert(strstr(out, "from intel-rapl:0:0/energy_uj (dram)"));
    ck_assert(strstr(out, "backend: auto -> powercap"));
    ck_assert(!strstr(out, "warning: no energy counters"));
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
    /* The model's calibration does not apply to powercap. */
    calibrate("model", env);
    rc = run_status(NULL, env, &out, &err);
    ck_assert_int_eq(rc, JT_EXIT_NOT_READY);
    ck_assert_msg(strstr(out, "backend 'model', this run uses 'powercap'"), "%s", out);
    free(out);
    free(err);
    scratch_free(&sc);
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
