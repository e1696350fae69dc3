/* `jouletrace measure` end to end on the model backend: one request on
 * stdin, the seed service's response shape on stdout, the seed's own
 * quick-start request, a wrong answer, a typo. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/report.h"
#include "support/runenv.h"
#include "support/testutil.h"

/* The private environment around tests/fixtures/suites/mini.yaml: small
 * and quick, short trials, few of them. */
static void mini_init(jt_runenv *e)
{
    char *mini = jt_test_fixture("suites/mini.yaml");
    jt_runenv_init(e, "mini.yaml", mini, NULL);
    free(mini);
}

START_TEST(measure_answers_in_the_seed_shape)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    const char *argv[] = {jt_test_binary(), "measure", "--backend", "model", NULL};
    const char *req = "{\"candidate_code\": \"def solve(x):\\n    return x * x\\n\", "
                      "\"function_name\": \"solve\", \"test_cases\": ["
                      "{\"test_id\": \"t1\", \"inputs\": [2], \"expected_output\": 4},"
                      "{\"test_id\": \"t2\", \"inputs\": [7], \"expected_output\": 49}],"
                      "\"energy_measurement_trials\": 4, \"min_trials\": 3,"
                      "\"min_trial_seconds\": 0.02, \"timeout_seconds\": 20}";
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, (const char *const *)e.envs, req, &out, &err);
    ck_assert_msg(rc == 0, "measure: %d %s", rc, err);
    json_t *r = json_loads(out, 0, NULL);
    ck_assert_msg(r != NULL, "%s", out);
    json_t *v = json_object_get(r, "validation");
    ck_assert(json_is_true(json_object_get(v, "is_correct")));
    ck_assert_int_eq(json_integer_value(json_object_get(v, "passed_tests")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "total_tests")), 2);
    json_t *m = json_object_get(r, "energy_metrics");
    static const char *const keys[] = {"median_package_energy_joules", "median_ram_energy_joules",
                                       "median_total_energy_joules", "median_execution_time_seconds",
                                       "energy_per_test_case_joules", "power_consumption_watts", NULL};
    for (size_t i = 0; keys[i]; i++)
        ck_assert_msg(json_number_value(json_object_get(m, keys[i])) > 0, "%s", keys[i]);
    ck_assert_str_eq(json_string_value(json_object_get(r, "energy_source")), "model");
    json_decref(r);
    free(out), free(err);

    /* the seed's quick-start request: energy_measurement_trials 3 and no
     * min_trials (default 5), which lowers to 3; three trials never reach
     * the CI's level, so the stop is max_trials and the status unstable */
    const char *seed_req = "{\"candidate_code\": \"def solve(x):\\n    return x * x\\n\", "
                           "\"function_name\": \"solve\", \"test_cases\": ["
                           "{\"test_id\": \"t1\", \"inputs\": [2], \"expected_output\": 4}],"
                           "\"energy_measurement_trials\": 3, \"timeout_seconds\": 30,"
                           "\"min_trial_seconds\": 0.02}";
    ck_assert_int_eq(jt_test_run(argv, (const char *const *)e.envs, seed_req, &out, &err), 0);
    r = json_loads(out, 0, NULL);
    ck_assert_msg(r != NULL, "%s", out);
    /* seed clients know completed and failed only: unstable is beside it */
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "completed");
    ck_assert_str_eq(json_string_value(json_object_get(r, "stability")), "unstable");
    ck_assert_str_eq(json_string_value(json_object_get(r, "candidate_status")), "unstable");
    ck_assert_str_eq(json_string_value(json_object_get(r, "stop_reason")), "max_trials");
    ck_assert(json_number_value(json_object_get(json_object_get(r, "energy_metrics"),
                                                "median_total_energy_joules")) > 0);
    json_decref(r);
    free(out), free(err);

    /* wrong answer: failed, candidate_status incorrect, no energy */
    const char *wrong = "{\"candidate_code\": \"def solve(x): return x\", \"function_name\": \"solve\","
                        "\"test_cases\": [{\"inputs\": [3], \"expected_output\": 9}]}";
    ck_assert_int_eq(jt_test_run(argv, (const char *const *)e.envs, wrong, &out, &err), 0);
    r = json_loads(out, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "failed");
    ck_assert_str_eq(json_string_value(json_object_get(r, "candidate_status")), "incorrect");
    ck_assert(json_is_null(json_object_get(r, "stability")));
    ck_assert(json_is_null(json_object_get(r, "energy_metrics")));
    json_decref(r);
    free(out), free(err);

    /* a typo in the request is a usage error with a suggestion */
    const char *typo = "{\"candidate_code\": \"\", \"function_name\": \"f\", \"test_cases\": [],"
                       "\"timeout_second\": 3}";
    ck_assert_int_eq(jt_test_run(argv, (const char *const *)e.envs, typo, &out, &err), 2);
    ck_assert_msg(strstr(err, "unknown key 'timeout_second' (did you mean 'timeout_seconds'?)"), "%s", err);
    free(out), free(err);
    jt_runenv_free(&e);
}
END_TEST

static Suite *measure_suite(void)
{
    Suite *s = suite_create("measure");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, measure_answers_in_the_seed_shape);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(measure_suite)
