/* jouletrace serve over real HTTP on loopback (curl): the README's seed
 * quick start as it is, the answers' shapes and status mapping, bad
 * requests, the token, readiness, and kill -9 of the server mid-queue. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/common.h"
#include "support/runenv.h"
#include "support/service.h"
#include "support/testutil.h"

static const char *const model_flags[] = {"--backend", "model", NULL};

START_TEST(seed_quickstart_works_unchanged)
{
    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    jt_runenv_calibrate(&e);
    unsigned port = jt_svc_free_port();
    char *log = jt_xasprintf("%s/serve.log", e.dir);
    pid_t pid = jt_svc_start(&e, port, model_flags, log);

    char *script = jt_svc_readme_quickstart(port);
    const char *argv[] = {"sh", "-ec", script, NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "the README's quick start exits %d\n%s\n%s", rc, out, err);
    ck_assert_msg(strstr(out, "pong") && strstr(out, "\"task_id\""), "%s", out);
    /* the id it printed is one the server knows */
    const char *tid = strstr(out, "\"task_id\": \"");
    ck_assert(tid);
    char id[37];
    memcpy(id, tid + 12, 36);
    id[36] = '\0';
    json_t *t = jt_svc_await(port, id, 120);
    ck_assert_str_eq(json_string_value(json_object_get(t, "status")), "completed");
    json_t *v = json_object_get(t, "validation");
    ck_assert(json_is_true(json_object_get(v, "is_correct")));
    ck_assert_int_eq(json_integer_value(json_object_get(v, "passed_tests")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "total_tests")), 2);
    static const char *const keys[] = {"median_package_energy_joules", "median_ram_energy_joules",
                                       "median_total_energy_joules", "median_execution_time_seconds",
                                       "energy_per_test_case_joules", "power_consumption_watts", NULL};
    json_t *m = json_object_get(t, "energy_metrics");
    for (size_t i = 0; keys[i]; i++)
        ck_assert_msg(json_number_value(json_object_get(m, keys[i])) > 0, "%s", keys[i]);
    /* 3 trials never reach the CI's level: unstable, beside completed */
    ck_assert_str_eq(json_string_value(json_object_get(t, "stability")), "unstable");
    ck_assert_str_eq(json_string_value(json_object_get(t, "stop_reason")), "max_trials");
    ck_assert_str_eq(json_string_value(json_object_get(t, "energy_source")), "model");
    ck_assert_int_eq(json_integer_value(json_object_get(t, "attempts")), 1);
    ck_assert(json_string_value(json_object_get(t, "host")));
    /* the task is a run like any: its directory has the journal and reports */
    const char *dir = json_string_value(json_object_get(t, "run_dir"));
    ck_assert(dir);
    ck_assert_int_eq(jt_svc_journal_records(dir), 1);
    char *csv = jt_xasprintf("%s/results.csv", dir);
    struct stat st;
    ck_assert_msg(stat(csv, &st) == 0, "%s", csv);
    free(csv);
    const char *rep[] = {"report", dir, NULL};
    ck_assert_int_eq(jt_runenv_run(&e, rep, NULL, NULL), 0);
    json_decref(t);

    /* validate: correctness only, answered at once */
    json_t *r = NULL;
    const char *wrong = "{\"candidate_code\":\"def solve(x):\\n  return x + x\\n\","
                        "\"function_name\":\"solve\",\"test_cases\":[{\"test_id\":\"t1\","
                        "\"inputs\":[2],\"expected_output\":4},{\"test_id\":\"t2\",\"inputs\":[7],"
                        "\"expected_output\":49}]}";
    ck_assert_int_eq(jt_svc_http(port, "POST", "/api/v1/validate", wrong, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r, "candidate_status")), "incorrect");
    v = json_object_get(r, "validation");
    ck_assert(json_is_false(json_object_get(v, "is_correct")));
    ck_assert_int_eq(json_integer_value(json_object_get(v, "passed_tests")), 1);
    json_decref(r);
    /* a measured incorrect candidate is failed for seed clients */
    ck_assert_int_eq(jt_svc_http(port, "POST", "/api/v1/measure-socket0", wrong, NULL, &r), 200);
    t = jt_svc_await(port, json_string_value(json_object_get(r, "task_id")), 60);
    ck_assert_str_eq(json_string_value(json_object_get(t, "status")), "failed");
    ck_assert_str_eq(json_string_value(json_object_get(t, "candidate_status")), "incorrect");
    ck_assert(json_is_null(json_object_get(t, "energy_metrics")));
    json_decref(t);
    json_decref(r);
    jt_svc_stop(pid);
    free(out), free(err), free(script), free(log);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(bad_requests_name_the_field)
{
    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    unsigned port = jt_svc_free_port();
    char *log = jt_xasprintf("%s/serve.log", e.dir);
    /* no worker: what is accepted stays queued, so the limit is reached */
    const char *const flags[] = {"--no-worker", "--max-queued", "1", "--max-body-bytes", "2048",
                                 NULL};
    pid_t pid = jt_svc_start(&e, port, flags, log);
    static const struct {
        const char *body;
        int code;
        const char *field;
    } cases[] = {
        {"{\"candidate_code\": ", 400, NULL},
        {"[1, 2]", 422, NULL},
        {"{\"function_name\":\"f\",\"test_cases\":[{\"inputs\":[1],\"expected_output\":1}]}", 422,
         "candidate_code"},
        {"{\"candidate_code\":7,\"function_name\":\"f\",\"test_cases\":[]}", 422, "candidate_code"},
        {"{\"candidate_code\":\"x\",\"function_name\":\"f\",\"test_cases\":[{\"inputs\":[1],"
         "\"expected_output\":1},{\"inputs\":\"a\",\"expected_output\":1}]}", 422,
         "test_cases[1].inputs"},
        {"{\"candidate_code\":\"x\",\"function_name\":\"f\",\"test_cases\":[{\"inputs\":[1]}]}",
         422, "test_cases[0].expected_output"},
        {"{\"candidate_code\":\"x\",\"function_name\":\"f\",\"test_cases\":[{\"inputs\":[1],"
         "\"expected_output\":1}],\"energy_measurement_trials\":0}", 422,
         "energy_measurement_trials"},
        {"{\"candidate_code\":\"x\",\"function_name\":\"f\",\"test_cases\":[{\"inputs\":[1],"
         "\"expected_output\":1}],\"timeout_second\":3}", 422, "timeout_second"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *r = NULL;
        int code = jt_svc_http(port, "POST", "/api/v1/measure-socket0", cases[i].body, NULL, &r);
        ck_assert_msg(code == cases[i].code, "case %zu: %d", i, code);
        ck_assert_msg(json_string_value(json_object_get(r, "detail")), "case %zu: no detail", i);
        if (cases[i].field)
            ck_assert_msg(json_string_value(json_object_get(r, "field")) &&
                              !strcmp(json_string_value(json_object_get(r, "field")),
                                      cases[i].field),
                          "case %zu: field %s", i,
                          json_string_value(json_object_get(r, "field")));
        json_decref(r);
    }
    /* over the body limit */
    char big[4096];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(jt_svc_http(port, "POST", "/api/v1/measure-socket0", big, NULL, NULL), 413);
    /* one waiting is the limit: the next is 429 */
    char *req = jt_svc_seed_request("");
    json_t *r = NULL;
    ck_assert_int_eq(jt_svc_http(port, "POST", "/api/v1/measure-socket0", req, NULL, &r), 200);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/tasks/%s", json_string_value(json_object_get(r, "task_id")));
    json_decref(r);
    ck_assert_int_eq(jt_svc_http(port, "POST", "/api/v1/measure-socket0", req, NULL, NULL), 429);
    ck_assert_int_eq(jt_svc_http(port, "GET", path, NULL, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "queued");
    json_decref(r);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/api/v1/tasks/00000000-0000-4000-8000-000000000000",
                                 NULL, NULL, NULL), 404);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/api/v1/tasks/..%2f..%2fetc", NULL, NULL, NULL), 404);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/api/v1/nothing", NULL, NULL, NULL), 404);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/api/v1/measure-socket0", NULL, NULL, NULL), 405);
    jt_svc_stop(pid);
    free(req), free(log);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(token_and_loopback_rule)
{
    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    char *tok = jt_test_write_file(e.dir, "token", "s3cret-token\n");
    /* not loopback, no token: refused before listening */
    const char *a[] = {"serve", "--listen", "0.0.0.0:1", "--no-worker", NULL};
    char *err = NULL;
    ck_assert_int_eq(jt_runenv_run(&e, a, NULL, &err), 2);
    ck_assert_msg(strstr(err, "not a loopback address") && strstr(err, "--token-file"), "%s", err);
    free(err);
    unsigned port = jt_svc_free_port();
    char *log = jt_xasprintf("%s/serve.log", e.dir);
    const char *const flags[] = {"--no-worker", "--token-file", tok, NULL};
    pid_t pid = jt_svc_start(&e, port, flags, log);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/api/v1/health", NULL, NULL, NULL), 401);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/api/v1/health", NULL, "wrong", NULL), 401);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/api/v1/health", NULL, "s3cret-token", NULL), 200);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/ping", NULL, NULL, NULL), 200);
    jt_svc_stop(pid);
    free(tok), free(log);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(uncalibrated_is_503_until_calibrated)
{
    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    unsigned port = jt_svc_free_port();
    char *log = jt_xasprintf("%s/serve.log", e.dir);
    pid_t pid = jt_svc_start(&e, port, model_flags, log);
    char *req = jt_svc_seed_request("");
    json_t *r = NULL;
    ck_assert_int_eq(jt_svc_http(port, "POST", "/api/v1/measure-socket0", req, NULL, &r), 503);
    ck_assert_str_eq(json_string_value(json_object_get(r, "detail")), "Socket 0 not calibrated");
    ck_assert(strstr(json_string_value(json_object_get(r, "reason")), "calibrat"));
    json_decref(r);
    ck_assert_int_eq(jt_svc_http(port, "GET", "/api/v1/socket0/status", NULL, NULL, &r), 200);
    ck_assert(json_is_false(json_object_get(r, "ready")));
    ck_assert(json_is_false(json_object_get(r, "calibrated")));
    json_decref(r);
    /* a calibration made now is seen by the worker within seconds */
    jt_runenv_calibrate(&e);
    int code = 0;
    for (int i = 0; i < 100 && code != 200; i++) {
        code = jt_svc_http(port, "POST", "/api/v1/measure-socket0", req, NULL, &r);
        if (code != 200) json_decref(r), r = NULL, usleep(200 * 1000);
    }
    ck_assert_int_eq(code, 200);
    json_t *t = jt_svc_await(port, json_string_value(json_object_get(r, "task_id")), 60);
    ck_assert_str_eq(json_string_value(json_object_get(t, "status")), "completed");
    ck_assert(json_is_true(json_object_get(json_object_get(t, "validation"), "is_correct")));
    json_decref(t), json_decref(r);
    jt_svc_stop(pid);
    free(req), free(log);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(kill9_mid_queue_each_task_completed_once)
{
    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    jt_runenv_calibrate(&e);
    unsigned port = jt_svc_free_port();
    char *log = jt_xasprintf("%s/serve.log", e.dir);
    pid_t pid = jt_svc_start(&e, port, model_flags, log);
    /* long enough that the server dies during the first */
    char *req = jt_xstrdup("{\"candidate_code\":\"def solve(x):\\n  return x * x\\n\","
                     "\"function_name\":\"solve\",\"test_cases\":[{\"test_id\":\"t1\","
                     "\"inputs\":[2],\"expected_output\":4}],\"energy_measurement_trials\":6,"
                     "\"min_trials\":6,\"min_trial_seconds\":0.3,\"timeout_seconds\":20}");
    char ids[3][37];
    for (int i = 0; i < 3; i++) {
        json_t *r = NULL;
        ck_assert_int_eq(jt_svc_http(port, "POST", "/api/v1/measure-socket0", req, NULL, &r), 200);
        snprintf(ids[i], sizeof ids[i], "%s", json_string_value(json_object_get(r, "task_id")));
        json_decref(r);
    }
    /* once the first is being measured (a runner is up), kill -9 */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/tasks/%s", ids[0]);
    int running = 0;
    for (int i = 0; i < 300 && !running; i++) {
        json_t *r = NULL;
        jt_svc_http(port, "GET", path, NULL, NULL, &r);
        running = !strcmp(json_string_value(json_object_get(r, "status")), "running");
        json_decref(r);
        if (!running) usleep(100 * 1000);
    }
    ck_assert_msg(running, "the first task never ran");
    usleep(500 * 1000);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    /* its worker dies with it: nothing of the old server measures on */
    int left = 1;
    for (int i = 0; i < 100 && (left = jt_test_count_procs(e.dir)) > 0; i++) usleep(100 * 1000);
    ck_assert_msg(left == 0, "the killed server's worker lives on");
    pid = jt_svc_start(&e, port, model_flags, log);
    int reruns = 0;
    for (int i = 0; i < 3; i++) {
        json_t *t = jt_svc_await(port, ids[i], 180);
        ck_assert_msg(!strcmp(json_string_value(json_object_get(t, "status")), "completed"),
                      "task %d: %s", i, json_dumps(t, 0));
        json_int_t attempts = json_integer_value(json_object_get(t, "attempts"));
        const char *note = json_string_value(json_object_get(t, "note"));
        ck_assert(attempts == 1 || attempts == 2);
        if (attempts == 2) {
            reruns++;
            ck_assert_msg(note && strstr(note, "re-run from the start"), "%s", note);
            ck_assert(strstr(json_string_value(json_object_get(t, "rerun")), "re-run"));
        }
        /* measured once: one record in its run, the partial one kept aside */
        const char *dir = json_string_value(json_object_get(t, "run_dir"));
        ck_assert_int_eq(jt_svc_journal_records(dir), 1);
        json_decref(t);
    }
    ck_assert_int_eq(reruns, 1); /* the one that was running, only */
    jt_svc_stop(pid);
    free(req), free(log);
    jt_runenv_free(&e);
}
END_TEST

static Suite *serve_suite(void)
{
    const char *need[] = {"curl", "jq"};
    for (size_t i = 0; i < 2; i++) {
        const char *argv[] = {"sh", "-c", NULL, NULL};
        char *cmd = jt_xasprintf("command -v %s >/dev/null", need[i]);
        argv[2] = cmd;
        int rc = jt_test_run(argv, NULL, NULL, NULL, NULL);
        free(cmd);
        if (rc != 0) {
            char *why = jt_xasprintf("%s is not installed (scripts/install-deps.sh --test)", need[i]);
            jt_test_skip(why);
        }
    }
    Suite *s = suite_create("serve");
    TCase *tc = tcase_create("http");
    tcase_set_timeout(tc, 400);
    tcase_add_test(tc, seed_quickstart_works_unchanged);
    tcase_add_test(tc, bad_requests_name_the_field);
    tcase_add_test(tc, token_and_loopback_rule);
    tcase_add_test(tc, uncalibrated_is_503_until_calibrated);
    tcase_add_test(tc, kill9_mid_queue_each_task_completed_once);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(serve_suite)
