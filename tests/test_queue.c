/* The embedded queue (queue.h, sqlite): claim order, finished once, the
 * waiting limit, durability across reopen, dead workers' tasks given back
 * once and failed on the second death, worker identities, bad URLs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/common.h"
#include "jouletrace/queue.h"
#include "support/testutil.h"

static char *dir, *url;

static void setup(void)
{
    dir = jt_test_tmpdir();
    url = jt_xasprintf("sqlite:%s/q/queue.db", dir);
}

static void teardown(void)
{
    free(url);
    jt_test_tmpdir_free(dir);
}

static jt_queue *open_q(void)
{
    jt_queue *q = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_queue_open(url, &q, &err) == 0, "%s", jt_err_msg(&err));
    return q;
}

static void submit(jt_queue *q, jt_task_kind kind, int n, char id[JT_TASK_ID_LEN + 1])
{
    json_t *req = json_pack("{s:i}", "n", n);
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_queue_submit(q, kind, req, 0, id, &err) == 0, "%s", jt_err_msg(&err));
    json_decref(req);
}

/* The identity of a process that has ended (forked, reaped). */
static char *dead_worker(void)
{
    int fd[2];
    ck_assert(pipe(fd) == 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        char *me = jt_queue_worker_id();
        ssize_t w = write(fd[1], me, strlen(me));
        _exit(w > 0 ? 0 : 1);
    }
    close(fd[1]);
    char buf[512];
    ssize_t n = read(fd[0], buf, sizeof buf - 1);
    close(fd[0]);
    waitpid(pid, NULL, 0);
    ck_assert(n > 0);
    buf[n] = '\0';
    return jt_xstrdup(buf);
}

START_TEST(validate_first_then_arrival_order)
{
    jt_queue *q = open_q();
    char a[37], b[37], c[37];
    submit(q, JT_TASK_MEASURE, 1, a);
    submit(q, JT_TASK_MEASURE, 2, b);
    submit(q, JT_TASK_VALIDATE, 3, c);
    ck_assert_str_ne(a, b);
    char *me = jt_queue_worker_id();
    const char *want[] = {c, a, b};
    for (int i = 0; i < 3; i++) {
        jt_task t;
        jt_err err = JT_ERR_INIT;
        ck_assert_int_eq(jt_queue_claim(q, me, 0, &t, &err), 0);
        ck_assert_str_eq(t.id, want[i]);
        ck_assert_int_eq(t.state, JT_TASK_RUNNING);
        ck_assert_int_eq(t.attempts, 1);
        ck_assert_str_eq(t.worker, me);
        ck_assert(t.started > 0);
        jt_task_release(&t);
    }
    jt_task t;
    ck_assert_int_eq(jt_queue_claim(q, me, 0, &t, NULL), 1);
    free(me);
    jt_queue_close(q);
}
END_TEST

START_TEST(finished_once_and_kept_across_reopen)
{
    jt_queue *q = open_q();
    char id[37];
    submit(q, JT_TASK_MEASURE, 7, id);
    char *me = jt_queue_worker_id();
    jt_task t;
    ck_assert_int_eq(jt_queue_claim(q, me, 0, &t, NULL), 0);
    json_t *res = json_pack("{s:s,s:f}", "status", "completed", "x", 1.5);
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_queue_finish(q, &t, JT_TASK_COMPLETED, res, &err) == 0, "%s", jt_err_msg(&err));
    json_t *other = json_pack("{s:s}", "status", "failed");
    ck_assert_int_eq(jt_queue_finish(q, &t, JT_TASK_FAILED, other, NULL), 1); /* already ended */
    jt_task_release(&t);
    jt_queue_close(q);

    q = open_q(); /* another process would see the same */
    ck_assert_int_eq(jt_queue_get(q, id, &t, NULL), 0);
    ck_assert_int_eq(t.state, JT_TASK_COMPLETED);
    ck_assert(json_equal(t.result, res));
    ck_assert_int_eq(json_integer_value(json_object_get(t.request, "n")), 7);
    ck_assert(t.finished >= t.started && t.started >= t.created && t.created > 0);
    jt_task_release(&t);
    ck_assert_int_eq(jt_queue_get(q, "00000000-0000-4000-8000-000000000000", &t, NULL), 1);
    ck_assert_int_eq(jt_queue_get(q, "x' OR 1=1 --", &t, NULL), 1);
    json_decref(res), json_decref(other);
    free(me);
    jt_queue_close(q);
}
END_TEST

START_TEST(the_waiting_limit_refuses_and_adds_nothing)
{
    jt_queue *q = open_q();
    json_t *req = json_object();
    char id[37];
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_MEASURE, req, 2, id, NULL), 0);
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_MEASURE, req, 2, id, NULL), 0);
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_MEASURE, req, 2, id, NULL), 1);
    json_t *w = NULL;
    size_t queued = 0;
    ck_assert_int_eq(jt_queue_status(q, &w, &queued, NULL), 0);
    ck_assert_uint_eq(queued, 2);
    json_decref(w);
    /* one claimed is no longer waiting: room again */
    char *me = jt_queue_worker_id();
    jt_task t;
    ck_assert_int_eq(jt_queue_claim(q, me, 0, &t, NULL), 0);
    jt_task_release(&t);
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_MEASURE, req, 2, id, NULL), 0);
    json_decref(req);
    free(me);
    jt_queue_close(q);
}
END_TEST

START_TEST(a_dead_workers_task_is_rerun_once_then_failed)
{
    jt_queue *q = open_q();
    char id[37];
    submit(q, JT_TASK_MEASURE, 1, id);
    char *gone = dead_worker();
    ck_assert_int_eq(jt_queue_worker_alive_here(gone), 0);
    jt_task t;
    ck_assert_int_eq(jt_queue_claim(q, gone, 0, &t, NULL), 0);
    jt_task stale = t; /* what the dead worker held */
    size_t given = 0;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_queue_recover(q, &given, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(given, 1);
    jt_task g;
    ck_assert_int_eq(jt_queue_get(q, id, &g, NULL), 0);
    ck_assert_int_eq(g.state, JT_TASK_QUEUED);
    ck_assert_msg(g.note && strstr(g.note, "re-run from the start") && strstr(g.note, gone), "%s",
                  g.note);
    jt_task_release(&g);
    /* a live worker's task is left alone */
    char *me = jt_queue_worker_id();
    ck_assert_int_eq(jt_queue_worker_alive_here(me), 1);
    ck_assert_int_eq(jt_queue_claim(q, me, 0, &t, NULL), 0);
    ck_assert_str_eq(t.id, id);
    ck_assert_int_eq(t.attempts, 2);
    ck_assert_int_eq(jt_queue_recover(q, &given, NULL), 0);
    ck_assert_uint_eq(given, 0);
    /* the dead worker's late answer is dropped */
    json_t *res = json_pack("{s:s}", "status", "completed");
    ck_assert_int_eq(jt_queue_finish(q, &stale, JT_TASK_COMPLETED, res, NULL), 1);
    jt_task_release(&stale);
    jt_task_release(&t);
    /* a second death: failed, with the reason */
    char id2[37];
    submit(q, JT_TASK_MEASURE, 2, id2);
    char *gone2 = dead_worker();
    ck_assert_int_eq(jt_queue_claim(q, gone2, 0, &t, NULL), 0);
    jt_task_release(&t);
    ck_assert_int_eq(jt_queue_recover(q, &given, NULL), 0);
    ck_assert_int_eq(jt_queue_claim(q, gone2, 0, &t, NULL), 0);
    ck_assert_str_eq(t.id, id2);
    jt_task_release(&t);
    ck_assert_int_eq(jt_queue_recover(q, &given, NULL), 0);
    ck_assert_int_eq(jt_queue_get(q, id2, &g, NULL), 0);
    ck_assert_int_eq(g.state, JT_TASK_FAILED);
    ck_assert(strstr(g.note, "twice"));
    ck_assert(strstr(json_string_value(json_object_get(g.result, "error")), "twice"));
    jt_task_release(&g);
    json_decref(res);
    free(gone), free(gone2), free(me);
    jt_queue_close(q);
}
END_TEST

START_TEST(workers_report_and_leave)
{
    jt_queue *q = open_q();
    char *me = jt_queue_worker_id(), *gone = dead_worker();
    json_t *st = json_pack("{s:b,s:s}", "ready", 1, "host", "here");
    ck_assert_int_eq(jt_queue_worker_beat(q, me, st, NULL), 0);
    ck_assert_int_eq(jt_queue_worker_beat(q, gone, st, NULL), 0);
    json_t *w = NULL;
    size_t queued;
    ck_assert_int_eq(jt_queue_status(q, &w, &queued, NULL), 0);
    ck_assert_uint_eq(json_array_size(w), 1); /* the dead one is not listed */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 0), "worker")), me);
    ck_assert(json_is_true(json_object_get(json_array_get(w, 0), "ready")));
    json_decref(w);
    ck_assert_int_eq(jt_queue_worker_leave(q, me, NULL), 0);
    ck_assert_int_eq(jt_queue_status(q, &w, &queued, NULL), 0);
    ck_assert_uint_eq(json_array_size(w), 0);
    json_decref(w), json_decref(st);
    /* another host's identity is never judged dead from here */
    ck_assert_int_eq(jt_queue_worker_alive_here("elsewhere.example:1:1"), -1);
    free(me), free(gone);
    jt_queue_close(q);
}
END_TEST

START_TEST(bad_urls_say_what)
{
    static const char *const bad[] = {"mysql://x", "sqlite:", "redis://127.0.0.1:notaport/0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        jt_queue *q = NULL;
        jt_err err = JT_ERR_INIT;
        ck_assert_int_eq(jt_queue_open(bad[i], &q, &err), -1);
        ck_assert_msg(strstr(jt_err_msg(&err), bad[i]), "%s: %s", bad[i], jt_err_msg(&err));
        jt_err_clear(&err);
    }
    char *u = jt_queue_default_url("/var/lib/jouletrace");
    ck_assert_str_eq(u, "sqlite:/var/lib/jouletrace/service/queue.db");
    free(u);
    ck_assert_str_eq(jt_task_state_name(JT_TASK_COMPLETED), "completed");
}
END_TEST

static Suite *queue_suite(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("sqlite");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, validate_first_then_arrival_order);
    tcase_add_test(tc, finished_once_and_kept_across_reopen);
    tcase_add_test(tc, the_waiting_limit_refuses_and_adds_nothing);
    tcase_add_test(tc, a_dead_workers_task_is_rerun_once_then_failed);
    tcase_add_test(tc, workers_report_and_leave);
    tcase_add_test(tc, bad_urls_say_what);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(queue_suite)
