/* Issue 12 point 5 end to end, on fake powercap trees: the power bound comes
 * from the hardware (or --max-power-watts) and says so; a counter range too
 * small for any window fails every candidate with a message naming the wrap
 * period and its bound, and such a run exits 6; a meter without DRAM flags
 * every measured record `no_dram_domain`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/report.h"
#include "support/fake_rapl.h"
#include "support/runenv.h"
#include "support/testutil.h"

#define KERNEL_RANGE_UJ UINT64_C(262143328850)

static const char suite_yaml[] =
    "suite: bounds\n"
    "defaults: {min_trial_seconds: 0.02, min_trials: 3, energy_measurement_trials: 3,\n"
    "           timeout_seconds: 20}\n"
    "test_sets:\n"
    "  - id: sq\n"
    "    function_name: f\n"
    "    test_cases:\n"
    "      - {test_id: a, inputs: [3], expected_output: 9}\n"
    "candidates:\n"
    "  - {id: one, candidate_code: 'def f(x): return x * x'}\n"
    "  - {id: two, candidate_code: 'def f(x): return x ** 2'}\n"
    "  - {id: wrong, candidate_code: 'def f(x): return x'}\n";

typedef struct env {
    jt_fake_rapl *fake;
    int pkg;
    jt_runenv run;
} env;

/* A package zone of range `range_uj` at 15 W, no DRAM zone, optionally a
 * stated limit; the writer running. */
static void env_init(env *e, uint64_t range_uj, const char *limit_uw)
{
    e->fake = jt_fake_rapl_new();
    e->pkg = jt_fake_zone_add(e->fake, "intel-rapl:0", "package-0", range_uj, 0);
    jt_fake_counter_power(e->fake, e->pkg, 15.0);
    if (limit_uw) {
        char *z = jt_xasprintf("%s/intel-rapl:0", jt_fake_powercap_root(e->fake));
        free(jt_test_write_file(z, "constraint_0_power_limit_uw", limit_uw));
        free(z);
    }
    jt_runenv_init(&e->run, "suite.yaml", suite_yaml, jt_fake_powercap_root(e->fake));
    jt_fake_rapl_start(e->fake, 1000);
}

static void env_free(env *e)
{
    jt_fake_rapl_free(e->fake);
    jt_runenv_free(&e->run);
}

static json_t *status_json(env *e, const char *max_power)
{
    const char *a[] = {"status", "--json", "--backend", "powercap", "--max-power-watts", max_power,
                       NULL};
    if (!max_power) a[4] = NULL;
    char *out = NULL, *err = NULL;
    int rc = jt_runenv_run(&e->run, a, &out, &err);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    ck_assert_msg(j, "status (exit %d) printed no JSON: %s\n%s", rc, je.text, err);
    free(out), free(err);
    return j;
}

static json_t *package_domain(json_t *st)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(st, "backends"), i, b) {
        if (strcmp(json_string_value(json_object_get(b, "name")), "powercap")) continue;
        json_t *d = json_array_get(json_object_get(b, "domains"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(d, "name")), "package");
        return d;
    }
    ck_abort_msg("no powercap backend in status");
    return NULL;
}

/* The bound: the package's powercap limit, unless --max-power-watts says
 * otherwise; status shows the value and where it comes from. */
START_TEST(bound_from_hardware_or_option)
{
    env e;
    env_init(&e, KERNEL_RANGE_UJ, "65000000\n");
    json_t *st = status_json(&e, NULL);
    json_t *d = package_domain(st);
    ck_assert_double_eq(json_number_value(json_object_get(d, "power_bound_watts")), 65.0);
    ck_assert_msg(strstr(json_string_value(json_object_get(d, "power_bound_from")), "powercap"),
                  "%s", json_string_value(json_object_get(d, "power_bound_from")));
    json_decref(st);
    st = status_json(&e, "250");
    d = package_domain(st);
    ck_assert_double_eq(json_number_value(json_object_get(d, "power_bound_watts")), 250.0);
    ck_assert(strstr(json_string_value(json_object_get(d, "power_bound_from")), "--max-power-watts"));
    json_decref(st);
    env_free(&e);

    env_init(&e, KERNEL_RANGE_UJ, NULL); /* no stated limit: the default, and how to set one */
    st = status_json(&e, NULL);
    d = package_domain(st);
    ck_assert_double_eq(json_number_value(json_object_get(d, "power_bound_watts")), 1000.0);
    ck_assert(strstr(json_string_value(json_object_get(d, "power_bound_from")), "default"));
    json_decref(st);
    env_free(&e);
}
END_TEST

static jt_csv_table read_results(const env *e)
{
    char *p = jt_xasprintf("%s/results.csv", e->run.out);
    jt_csv_table t;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(p, &t, &err) == 0, "%s", jt_err_msg(&err));
    free(p);
    return t;
}

static const char *cell(const jt_csv_table *t, size_t row, const char *col)
{
    long c = jt_csv_col(t, col);
    ck_assert_msg(c >= 0, "no column %s", col);
    return jt_csv_get(t, row, (size_t)c);
}

/* A 1 mJ counter range wraps every 67 µs at 15 W: no window can be trusted.
 * Every correct candidate fails with the wrap period and the bound in its
 * error, the session warns about the short wrap, and the run exits 6 — while
 * the incorrect one stays `incorrect` (a verdict, not a failure of ours). */
START_TEST(tiny_range_fails_every_candidate_and_exits_6)
{
    env e;
    env_init(&e, 999, NULL);
    const char *a[] = {"run", e.run.suite, "-o", e.run.out, "--backend", "powercap",
                       "--allow-uncalibrated", "--quiet", NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_runenv_run(&e.run, a, &out, &err);
    ck_assert_msg(rc == JT_EXIT_ALL_FAILED || rc == JT_EXIT_OK, "run: %d\n%s", rc, err);
    ck_assert_msg(strstr(err, "jouletrace: warning: powercap: a package counter can wrap within"),
                  "%s", err);
    jt_csv_table t = read_results(&e);
    ck_assert_uint_eq(t.nrows, 3);
    size_t failed = 0;
    for (size_t r = 0; r < t.nrows; r++) {
        const char *id = cell(&t, r, "candidate"), *status = cell(&t, r, "status");
        if (!strcmp(id, "wrong")) {
            ck_assert_str_eq(status, "incorrect");
            continue;
        }
        ck_assert_str_eq(status, "failed");
        const char *why = cell(&t, r, "error");
        ck_assert_msg(strstr(why, "wrap period") && strstr(why, "1000 W") &&
                          strstr(why, "--max-power-watts"),
                      "%s: %s", id, why);
        ck_assert_str_eq(cell(&t, r, "median_total_energy_joules"), "");
        failed++;
    }
    ck_assert_uint_eq(failed, 2);
    /* incorrect is a verdict: with it in the run, not every candidate failed */
    ck_assert_msg(rc == JT_EXIT_OK, "exit %d with an incorrect candidate in the run:\n%s", rc, err);
    jt_csv_free(&t);
    free(out), free(err);

    /* Only the two correct ones: every candidate the harness tried failed. */
    char *resume_out = jt_xasprintf("%s2", e.run.out);
    const char *b[] = {"run", e.run.suite, "-o", resume_out, "--backend", "powercap",
                       "--allow-uncalibrated", "--quiet", NULL};
    char *yaml = jt_test_read_file(e.run.suite);
    char *cut = strstr(yaml, "  - {id: wrong");
    ck_assert_ptr_nonnull(cut);
    *cut = '\0';
    FILE *f = fopen(e.run.suite, "w");
    ck_assert_ptr_nonnull(f);
    fputs(yaml, f);
    fclose(f);
    free(yaml);
    rc = jt_runenv_run(&e.run, b, &out, &err);
    ck_assert_msg(rc == JT_EXIT_ALL_FAILED, "run: %d\n%s", rc, err);
    ck_assert_msg(strstr(err, "jouletrace run: every candidate (2) failed: nothing was measured; "
                              "the first: one: "), "%s", err);
    char *p = jt_xasprintf("%s/index.html", resume_out);
    ck_assert_msg(access(p, F_OK) == 0, "reports are written also when every candidate failed");
    free(p);
    free(resume_out);
    free(out), free(err);
    env_free(&e);
}
END_TEST

/* A meter without DRAM: every measured record says so; the DRAM columns
 * stay empty rather than 0. */
START_TEST(no_dram_domain_is_flagged)
{
    env e;
    env_init(&e, KERNEL_RANGE_UJ, NULL);
    const char *a[] = {"run", e.run.suite, "-o", e.run.out, "--backend", "powercap",
                       "--allow-uncalibrated", "--quiet", NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_runenv_run(&e.run, a, &out, &err);
    ck_assert_msg(rc == 0, "run: %d\n%s", rc, err);
    jt_csv_table t = read_results(&e);
    size_t measured = 0;
    for (size_t r = 0; r < t.nrows; r++) {
        const char *status = cell(&t, r, "status");
        bool flagged = strstr(cell(&t, r, "flags"), "no_dram_domain") != NULL;
        if (strcmp(status, "completed") && strcmp(status, "unstable")) continue;
        measured++;
        ck_assert_msg(flagged, "%s: flags '%s'", cell(&t, r, "candidate"), cell(&t, r, "flags"));
        ck_assert_str_eq(cell(&t, r, "median_ram_energy_joules"), "");
        ck_assert_str_ne(cell(&t, r, "median_total_energy_joules"), "");
    }
    ck_assert_uint_eq(measured, 2);
    jt_csv_free(&t);
    /* run.json keeps the bound in force and where it came from */
    char *p = jt_xasprintf("%s/run.json", e.run.out);
    json_error_t je;
    json_t *run = json_load_file(p, 0, &je);
    ck_assert_msg(run, "%s: %s", p, je.text);
    json_t *pkg = json_object_get(json_object_get(json_object_get(run, "backend"), "domains"), "package");
    ck_assert_double_eq(json_number_value(json_object_get(pkg, "power_bound_watts")), 1000.0);
    ck_assert(strstr(json_string_value(json_object_get(pkg, "power_bound_from")), "default bound"));
    json_decref(run);
    free(p);
    free(out), free(err);

    /* a calibration with a DRAM baseline cannot be this meter's (it has no
     * DRAM): run refuses it, naming the field, as measure does */
    const char *cal[] = {"calibrate", "--backend", "powercap", "--windows", "3", "--seconds",
                         "0.05", NULL};
    rc = jt_runenv_run(&e.run, cal, &out, &err);
    ck_assert_msg(rc == 0, "calibrate: %d\n%s", rc, err);
    free(out), free(err);
    json_t *c = json_load_file(e.run.calib, 0, &je);
    ck_assert_msg(c, "%s: %s", e.run.calib, je.text);
    ck_assert(json_is_object(json_object_get(c, "package")));
    json_object_set(c, "dram", json_object_get(c, "package"));
    ck_assert_int_eq(json_dump_file(c, e.run.calib, 0), 0);
    json_decref(c);
    char *out2 = jt_xasprintf("%s2", e.run.out);
    const char *b[] = {"run", e.run.suite, "-o", out2, "--backend", "powercap", "--quiet", NULL};
    rc = jt_runenv_run(&e.run, b, &out, &err);
    ck_assert_msg(rc == 4 && strstr(err, "dram"), "run with a DRAM baseline: %d\n%s", rc, err);
    free(out), free(err), free(out2);
    env_free(&e);
}
END_TEST

static Suite *run_bounds_suite(void)
{
    Suite *s = suite_create("run_bounds");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, bound_from_hardware_or_option);
    tcase_add_test(tc, tiny_range_fails_every_candidate_and_exits_6);
    tcase_add_test(tc, no_dram_domain_is_flagged);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(run_bounds_suite)
