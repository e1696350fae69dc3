/* The service on a real redis-server: `serve --no-worker` and two
 * `jouletrace worker` processes sharing one Redis queue, driven over HTTP;
 * the README's seed quick start through it, four tasks each measured once
 * by one of the workers, and a worker killed mid-task whose task the other
 * worker re-runs. Skipped (77) where redis-server, curl or jq is missing. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/common.h"
#include "support/runenv.h"
#include "support/service.h"
#include "support/testutil.h"

typedef struct redis_env {
    jt_runenv e;
    pid_t redis, serve, workers[2];
    unsigned port;
    char *url;
} redis_env;

static pid_t start_worker(redis_env *r, int k)
{
    char *log = jt_xasprintf("%s/worker%d.log", r->e.dir, k);
    const char *args[] = {"worker", "--queue", r->url, "--backend", "model", NULL};
    pid_t pid = jt_runenv_spawn(&r->e, args, log, NULL);
    free(log);
    return pid;
}

static void live_workers(const redis_env *r, unsigned port, size_t want)
{
    size_t n = 0;
    for (int i = 0; i < 200 && n != want; i++) {
        json_t *s = NULL;
        jt_svc_http(port, "GET", "/api/v1/socket0/status", NULL, NULL, &s);
        n = json_array_size(json_object_get(s, "workers"));
        json_decref(s);
        if (n != want) usleep(100 * 1000);
    }
    if (n == want) return;
    char *p0 = jt_xasprintf("%s/worker0.log", r->e.dir), *p1 = jt_xasprintf("%s/worker1.log", r->e.dir);
    char *l0 = jt_test_read_file(p0), *l1 = jt_test_read_file(p1);
    ck_abort_msg("%zu live workers, not %zu; worker 0: %s; worker 1: %s", n, want, l0, l1);
}

static void setup_env(redis_env *r)
{
    memset(r, 0, sizeof *r);
    jt_runenv_init(&r->e, NULL, NULL, NULL);
    unsigned rport;
    r->redis = jt_svc_redis_start(r->e.dir, &rport);
    ck_assert(r->redis > 0);
    r->url = jt_xasprintf("redis://127.0.0.1:%u/0", rport);
    jt_runenv_calibrate(&r->e);
    r->port = jt_svc_free_port();
    char *log = jt_xasprintf("%s/serve.log", r->e.dir);
    const char *flags[] = {"--no-worker", "--queue", r->url, NULL};
    r->serve = jt_svc_start(&r->e, r->port, flags, log);
    free(log);
    for (int k = 0; k < 2; k++) r->workers[k] = start_worker(r, k);
    live_workers(r, r->port, 2);
}

static void teardown_env(redis_env *r)
{
    for (int k = 0; k < 2; k++)
        if (r->workers[k] > 0) {
            kill(r->workers[k], SIGTERM);
            waitpid(r->workers[k], NULL, 0);
        }
    jt_svc_stop(r->serve);
    jt_svc_redis_stop(r->redis);
    free(r->url);
    jt_runenv_free(&r->e);
}

START_TEST(two_workers_share_four_tasks_each_once)
{
    redis_env r;
    setup_env(&r);
    /* the README's sequence through this server, as it is */
    char *script = jt_svc_readme_quickstart(r.port);
    const char *argv[] = {"sh", "-ec", script, NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0 && strstr(out, "\"task_id\""), "the README's quick start: %d\n%s\n%s",
                  rc, out, err);
    const char *tid = strstr(out, "\"task_id\": \"");
    ck_assert(tid);
    char first[37];
    memcpy(first, tid + 12, 36);
    first[36] = '\0';
    json_t *ft = jt_svc_await(r.port, first, 120);
    ck_assert_str_eq(json_string_value(json_object_get(ft, "status")), "completed");
    json_decref(ft);
    free(script), free(out), free(err);
    char *req = jt_svc_seed_request("\"min_trial_seconds\":0.05");
    char ids[4][37];
    for (int i = 0; i < 4; i++) {
        json_t *a = NULL;
        ck_assert_int_eq(jt_svc_http(r.port, "POST", "/api/v1/measure-socket0", req, NULL, &a), 200);
        snprintf(ids[i], sizeof ids[i], "%s", json_string_value(json_object_get(a, "task_id")));
        json_decref(a);
    }
    json_t *seen = json_object();
    for (int i = 0; i < 4; i++) {
        json_t *t = jt_svc_await(r.port, ids[i], 120);
        ck_assert_msg(!strcmp(json_string_value(json_object_get(t, "status")), "completed"), "%s",
                      json_dumps(t, 0));
        ck_assert_int_eq(json_integer_value(json_object_get(t, "attempts")), 1);
        ck_assert(json_string_value(json_object_get(t, "host")));
        const char *w = json_string_value(json_object_get(t, "worker"));
        ck_assert(w);
        json_object_set_new(seen, w, json_true());
        ck_assert_int_eq(jt_svc_journal_records(json_string_value(json_object_get(t, "run_dir"))), 1);
        json_decref(t);
    }
    /* every result names one of the two workers */
    ck_assert(json_object_size(seen) >= 1 && json_object_size(seen) <= 2);
    fprintf(stderr, "test_serve_redis: 4 tasks measured by %zu worker(s)\n", json_object_size(seen));
    json_decref(seen);
    free(req);
    teardown_env(&r);
}
END_TEST

START_TEST(a_killed_workers_task_is_rerun_by_the_other)
{
    redis_env r;
    setup_env(&r);
    const char *req = "{\"candidate_code\":\"def solve(x):\\n  return x * x\\n\","
                      "\"function_name\":\"solve\",\"test_cases\":[{\"test_id\":\"t1\","
                      "\"inputs\":[2],\"expected_output\":4}],\"energy_measurement_trials\":8,"
                      "\"min_trials\":8,\"min_trial_seconds\":0.3,\"timeout_seconds\":20}";
    json_t *a = NULL;
    ck_assert_int_eq(jt_svc_http(r.port, "POST", "/api/v1/measure-socket0", req, NULL, &a), 200);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/tasks/%s", json_string_value(json_object_get(a, "task_id")));
    char id[37];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(a, "task_id")));
    json_decref(a);
    /* which worker runs it: its pid is the identity's second field */
    long pid = 0;
    for (int i = 0; i < 300 && !pid; i++) {
        json_t *t = NULL;
        jt_svc_http(r.port, "GET", path, NULL, NULL, &t);
        const char *w = json_string_value(json_object_get(t, "worker"));
        if (w && !strcmp(json_string_value(json_object_get(t, "status")), "running"))
            pid = strtol(strchr(w, ':') + 1, NULL, 10);
        json_decref(t);
        if (!pid) usleep(100 * 1000);
    }
    ck_assert_msg(pid > 0, "the task never ran");
    int k = r.workers[0] == (pid_t)pid ? 0 : 1;
    ck_assert_int_eq(r.workers[k], (pid_t)pid);
    usleep(300 * 1000);
    kill((pid_t)pid, SIGKILL);
    waitpid((pid_t)pid, NULL, 0);
    r.workers[k] = -1;
    /* its heartbeat lapses (10 s); the other worker gives the task back and
     * measures it from the start */
    json_t *t = jt_svc_await(r.port, id, 120);
    ck_assert_msg(!strcmp(json_string_value(json_object_get(t, "status")), "completed"), "%s",
                  json_dumps(t, 0));
    ck_assert_int_eq(json_integer_value(json_object_get(t, "attempts")), 2);
    ck_assert(strstr(json_string_value(json_object_get(t, "note")), "re-run from the start"));
    const char *w = json_string_value(json_object_get(t, "worker"));
    ck_assert_int_eq(strtol(strchr(w, ':') + 1, NULL, 10), r.workers[1 - k]);
    json_decref(t);
    live_workers(&r, r.port, 1);
    teardown_env(&r);
}
END_TEST

static Suite *serve_redis_suite(void)
{
    const char *need[] = {"redis-server", "redis-cli", "curl"};
    for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
        char *cmd = jt_xasprintf("command -v %s >/dev/null", need[i]);
        const char *argv[] = {"sh", "-c", cmd, NULL};
        int rc = jt_test_run(argv, NULL, NULL, NULL, NULL);
        free(cmd);
        if (rc != 0) {
            char *why = jt_xasprintf("%s is not installed (scripts/install-deps.sh --test "
                                     "installs redis-server and curl)", need[i]);
            jt_test_skip(why);
        }
    }
    Suite *s = suite_create("serve_redis");
    TCase *tc = tcase_create("redis");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, two_workers_share_four_tasks_each_once);
    tcase_add_test(tc, a_killed_workers_task_is_rerun_by_the_other);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(serve_redis_suite)
