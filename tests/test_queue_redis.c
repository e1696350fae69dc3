/* Tests for harness/serve/queue_redis.c against a real redis-server (skipped,
 * exit 77, when there is none): claim order, a waiting claim, finishing once,
 * the queue limit, a worker killed while it holds a task (re-run once, then
 * failed), two worker processes sharing tasks, worker status and leave, an
 * id moved but never claimed, bad URLs.
 *
 * Each case starts its own redis-server on a free loopback port, with no
 * persistence and its files in the case's temporary directory, and kills it
 * at the end (it also dies with the test process: PR_SET_PDEATHSIG). A raw
 * hiredis connection looks at the keys the backend writes. */
#include <fcntl.h>
#include <hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/queue.h"
#include "serve/queue_priv.h" /* the notes every backend writes */
#include "support/testutil.h"

static char *tmp;
static pid_t server; /* the case's redis-server */
static int port;
static char *url;
static redisContext *raw; /* the test's own look at the keys */
static jt_queue *q;       /* the case's queue, opened by setup */

/* redis-server in PATH, else Debian's; NULL when neither. */
static char *redis_server_path(void)
{
    const char *path = getenv("PATH");
    char *dirs = jt_xasprintf("%s:/usr/bin", path ? path : ""), *found = NULL, *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        found = jt_xasprintf("%s/redis-server", d);
        if (access(found, X_OK) != 0) free(found), found = NULL;
    }
    free(dirs);
    return found;
}

/* A loopback port nobody listens on right now. */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(s, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &n), 0);
    close(s);
    return ntohs(a.sin_port);
}

static pid_t start_server(const char *bin, int p)
{
    char ports[16], *log = jt_xasprintf("%s/redis.log", tmp);
    snprintf(ports, sizeof ports, "%d", p);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
        jt_test_default_signals();
        execl(bin, "redis-server", "--port", ports, "--bind", "127.0.0.1", "--save", "",
              "--appendonly", "no", "--dir", tmp, "--daemonize", "no", (char *)NULL);
        _exit(127);
    }
    free(log);
    return pid;
}

/* A connection that answered PING within 5 s, or NULL. */
static redisContext *wait_ping(pid_t pid, int p)
{
    double end = jt_test_now() + 5;
    while (jt_test_now() < end && waitpid(pid, NULL, WNOHANG) == 0) {
        redisContext *c = redisConnect("127.0.0.1", p);
        redisReply *r = c && !c->err ? redisCommand(c, "PING") : NULL;
        int ok = r && r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "PONG");
        freeReplyObject(r);
        if (ok) return c;
        if (c) redisFree(c);
        usleep(20000);
    }
    return NULL;
}

static void setup(void)
{
    tmp = jt_test_tmpdir();
    char *bin = redis_server_path();
    ck_assert_ptr_nonnull(bin);
    for (int attempt = 0; attempt < 3 && !raw; attempt++) {
        port = free_port();
        server = start_server(bin, port);
        raw = wait_ping(server, port);
        if (!raw) {
            kill(server, SIGKILL);
            waitpid(server, NULL, 0);
        }
    }
    free(bin);
    if (!raw) {
        char *log = jt_xasprintf("%s/redis.log", tmp), *text = jt_test_read_file(log);
        fprintf(stderr, "redis-server did not start:\n%s\n", text ? text : "(no log)");
        free(log), free(text);
    }
    ck_assert_ptr_nonnull(raw);
    freeReplyObject(redisCommand(raw, "SELECT 3")); /* the URL's database */
    url = jt_xasprintf("redis://127.0.0.1:%d/3", port);
    jt_err e = JT_ERR_INIT;
    if (jt_queue_open(url, &q, &e) != 0) ck_abort_msg("open %s: %s", url, jt_err_msg(&e));
}

static void teardown(void)
{
    jt_queue_close(q);
    q = NULL;
    redisFree(raw);
    raw = NULL;
    kill(server, SIGKILL);
    ck_assert_int_eq(waitpid(server, NULL, 0), server);
    ck_assert_int_eq(jt_test_count_procs(NULL), 0); /* no heartbeat, no worker left */
    free(url), url = NULL;
    jt_test_tmpdir_free(tmp), tmp = NULL;
}

/* A raw command's integer (or -1 for nil/other). */
static long long raw_int(const char *fmt, const char *arg)
{
    redisReply *r = redisCommand(raw, fmt, arg);
    ck_assert_ptr_nonnull(r);
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    return v;
}

static void submit(jt_task_kind kind, int n, char id[JT_TASK_ID_LEN + 1])
{
    jt_err e = JT_ERR_INIT;
    json_t *req = json_pack("{s:i}", "n", n);
    int rc = jt_queue_submit(q, kind, req, 0, id, &e);
    json_decref(req);
    if (rc != 0) ck_abort_msg("submit: %d %s", rc, jt_err_msg(&e));
}

/* Claims as `worker`, asserting it gets task `want` (NULL: none). */
static void claim_expect(const char *worker, const char *want, jt_task *t)
{
    jt_err e = JT_ERR_INIT;
    int rc = jt_queue_claim(q, worker, 0, t, &e);
    if (rc < 0) ck_abort_msg("claim: %s", jt_err_msg(&e));
    ck_assert_int_eq(rc, want ? 0 : 1);
    if (want) {
        ck_assert_str_eq(t->id, want);
        ck_assert_int_eq(t->state, JT_TASK_RUNNING);
        ck_assert_str_eq(t->worker, worker);
    }
}

static int finish(const jt_task *t, jt_task_state st, const char *result_json)
{
    jt_err e = JT_ERR_INIT;
    json_t *res = result_json ? json_loads(result_json, 0, NULL) : NULL;
    int rc = jt_queue_finish(q, t, st, res, &e);
    json_decref(res);
    if (rc < 0) ck_abort_msg("finish: %s", jt_err_msg(&e));
    return rc;
}

static void get(const char *id, jt_task *t)
{
    jt_err e = JT_ERR_INIT;
    int rc = jt_queue_get(q, id, t, &e);
    if (rc != 0) ck_abort_msg("get %s: %d %s", id, rc, jt_err_msg(&e));
}

static size_t recover(void)
{
    jt_err e = JT_ERR_INIT;
    size_t given = 99;
    if (jt_queue_recover(q, &given, &e) != 0) ck_abort_msg("recover: %s", jt_err_msg(&e));
    return given;
}

/* A process of the test's: fn(name, fd) is its exit status, fd the write
 * end of a pipe whose read end goes to *rd. It frees its copy of the case's
 * queue first (memory only: the parent's connection stays as it is). */
typedef int (*child_fn)(const char *name, int fd);
static pid_t spawn(child_fn fn, const char *name, int *rd)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[0]);
        jt_queue_close(q);
        _exit(fn(name, p[1]));
    }
    close(p[1]);
    *rd = p[0];
    return pid;
}

static void reap_ok(pid_t pid)
{
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "process %d: status %#x", pid, st);
}

START_TEST(validate_first_then_measure_in_order)
{
    char m[3][JT_TASK_ID_LEN + 1], v[JT_TASK_ID_LEN + 1];
    for (int i = 0; i < 3; i++) submit(JT_TASK_MEASURE, i, m[i]);
    submit(JT_TASK_VALIDATE, 9, v);
    jt_task t;
    const char *order[] = {v, m[0], m[1], m[2], NULL};
    for (int i = 0; i < 5; i++) {
        claim_expect("A", order[i], &t);
        if (order[i]) ck_assert_int_eq(t.kind, i ? JT_TASK_MEASURE : JT_TASK_VALIDATE);
        jt_task_release(&t);
    }
    get(m[1], &t);
    ck_assert_int_eq(t.state, JT_TASK_RUNNING);
    ck_assert_int_eq(t.attempts, 1);
    ck_assert_str_eq(t.worker, "A");
    ck_assert_int_eq(json_integer_value(json_object_get(t.request, "n")), 1);
    ck_assert(t.created > 1e9 && t.started >= t.created && t.finished == 0);
    ck_assert_ptr_null(t.result);
    ck_assert_ptr_null(t.note);
    jt_task_release(&t);
    ck_assert_int_eq(raw_int("LLEN %s", "jt:processing:A"), 4);
}
END_TEST

/* Submits a task of kind `kind` after 200 ms. */
static int submit_later(const char *kind, int fd)
{
    jt_queue *own = NULL;
    char id[JT_TASK_ID_LEN + 1];
    json_t *req = json_object();
    (void)fd;
    usleep(200000);
    int ok = jt_queue_open(url, &own, NULL) == 0 &&
             jt_queue_submit(own, (jt_task_kind)jt_task_kind_parse(kind), req, 0, id, NULL) == 0;
    json_decref(req);
    jt_queue_close(own);
    return ok ? 0 : 1;
}

/* A claim that waits takes what comes meanwhile: a validate task too, while
 * it blocks on the measure queue. */
START_TEST(waiting_claim_takes_a_task_submitted_meanwhile)
{
    jt_task t;
    jt_err e = JT_ERR_INIT;
    double t0 = jt_test_now();
    ck_assert_int_eq(jt_queue_claim(q, "A", 0.3, &t, &e), 1);
    ck_assert(jt_test_now() - t0 >= 0.25);
    for (int k = 0; k < 2; k++) {
        jt_task_kind kind = k ? JT_TASK_VALIDATE : JT_TASK_MEASURE;
        int fd;
        pid_t pid = spawn(submit_later, jt_task_kind_name(kind), &fd);
        close(fd);
        t0 = jt_test_now();
        int rc = jt_queue_claim(q, "A", 5, &t, &e);
        if (rc != 0) ck_abort_msg("claim: %d %s", rc, jt_err_msg(&e));
        ck_assert_int_eq(t.kind, kind);
        ck_assert(jt_test_now() - t0 < 2.5); /* a validate waits at most one slice */
        jt_task_release(&t);
        reap_ok(pid);
    }
}
END_TEST

START_TEST(a_claim_ends_once)
{
    char id[JT_TASK_ID_LEN + 1];
    submit(JT_TASK_MEASURE, 1, id);
    jt_task t, g;
    claim_expect("A", id, &t);
    jt_task wrong = t;
    wrong.attempts = 2; /* another attempt of the same worker */
    ck_assert_int_eq(finish(&wrong, JT_TASK_COMPLETED, "{\"x\": 0}"), 1);
    ck_assert_int_eq(finish(&t, JT_TASK_COMPLETED, "{\"answer\": 42}"), 0);
    get(id, &g);
    ck_assert_int_eq(g.state, JT_TASK_COMPLETED);
    ck_assert_int_eq(json_integer_value(json_object_get(g.result, "answer")), 42);
    ck_assert(g.finished >= g.started && g.started > 0);
    jt_task_release(&g);
    ck_assert_int_eq(finish(&t, JT_TASK_FAILED, "{\"answer\": 0}"), 1);
    get(id, &g);
    ck_assert_int_eq(g.state, JT_TASK_COMPLETED);
    ck_assert_int_eq(json_integer_value(json_object_get(g.result, "answer")), 42);
    jt_task_release(&g);
    ck_assert_int_eq(raw_int("LLEN %s", "jt:processing:A"), 0);
    jt_task_release(&t);
}
END_TEST

/* (and ids that name no task are none) */
START_TEST(a_full_queue_refuses_and_adds_nothing)
{
    char id[JT_TASK_ID_LEN + 1];
    jt_err e = JT_ERR_INIT;
    json_t *req = json_object();
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_MEASURE, req, 2, id, &e), 0);
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_VALIDATE, req, 2, id, &e), 0);
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_MEASURE, req, 2, id, &e), 1);
    jt_task t;
    ck_assert_int_eq(jt_queue_get(q, id, &t, &e), 1); /* the refused id is no task */
    ck_assert_int_eq(jt_queue_get(q, "00000000-0000-4000-8000-000000000000", &t, &e), 1);
    ck_assert_int_eq(jt_queue_get(q, "*", &t, &e), 1);
    json_t *workers = NULL;
    size_t queued = 0;
    ck_assert_int_eq(jt_queue_status(q, &workers, &queued, &e), 0);
    ck_assert_uint_eq(queued, 2);
    json_decref(workers);
    ck_assert_int_eq(raw_int("EVAL %s 0", "return #redis.call('KEYS', 'jt:task:*')"), 2);
    ck_assert_int_eq(jt_queue_claim(q, "A", 0, &t, &e), 0); /* one waits: room again */
    jt_task_release(&t);
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_MEASURE, req, 2, id, &e), 0);
    ck_assert_int_eq(jt_queue_submit(q, JT_TASK_MEASURE, req, 0, id, &e), 0); /* no limit */
    json_decref(req);
}
END_TEST

/* Worker A, a process of its own: keeps itself alive, claims, reports the
 * id on `fd` and waits to be killed. */
static int worker_a(const char *name, int fd)
{
    jt_queue *own = NULL;
    jt_task t;
    if (jt_queue_open(url, &own, NULL) != 0) return 10;
    if (jt_queue_keepalive(own, name, NULL) != 0) return 11;
    if (jt_queue_claim(own, name, 0, &t, NULL) != 0) return 12;
    usleep(100000); /* the heartbeat is up (the test kills A right away) */
    if (write(fd, t.id, JT_TASK_ID_LEN) != JT_TASK_ID_LEN) return 13;
    for (;;) pause();
}

START_TEST(a_dead_workers_task_is_rerun_once_then_failed)
{
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L), 0); /* A's heartbeat is ours */
    char id[JT_TASK_ID_LEN + 1] = {0}, got[JT_TASK_ID_LEN + 1] = {0};
    submit(JT_TASK_MEASURE, 1, id);
    int fd;
    pid_t a = spawn(worker_a, "A", &fd);
    ck_assert_int_eq(read(fd, got, JT_TASK_ID_LEN), JT_TASK_ID_LEN);
    close(fd);
    ck_assert_str_eq(got, id);
    char other[JT_TASK_ID_LEN + 1];
    submit(JT_TASK_MEASURE, 2, other); /* waits while A runs `id`: the re-run goes before it */
    long long ttl = raw_int("TTL %s", "jt:alive:A");
    ck_assert(ttl > 0 && ttl <= JT_QUEUE_WORKER_TTL_S);
    ck_assert_uint_eq(recover(), 0); /* alive: nothing to give back */
    kill(a, SIGKILL);
    ck_assert_int_eq(waitpid(a, NULL, 0), a);
    /* the heartbeat dies with A (PR_SET_PDEATHSIG), so nothing refreshes the key */
    int st = 0;
    pid_t hb = 0;
    for (double end = jt_test_now() + 3; hb <= 0 && jt_test_now() < end; usleep(10000))
        hb = waitpid(-1, &st, WNOHANG);
    ck_assert(hb > 0 && hb != server);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "heartbeat status %#x", st);
    ck_assert_int_eq(raw_int("DEL %s", "jt:alive:A"), 1); /* its TTL ran out */

    ck_assert_uint_eq(recover(), 1);
    ck_assert_int_eq(raw_int("SISMEMBER jt:workers %s", "A"), 0);
    jt_task t, b;
    get(id, &t);
    ck_assert_int_eq(t.state, JT_TASK_QUEUED);
    char *rerun = jt_xasprintf(JT_QUEUE_RERUN_NOTE, "A");
    ck_assert_str_eq(t.note, rerun);
    jt_task_release(&t);
    claim_expect("B", id, &b);
    ck_assert_int_eq(b.attempts, 2);
    ck_assert_str_eq(b.note, rerun);
    char a_name[] = "A";
    jt_task late = {.attempts = 1, .worker = a_name};
    memcpy(late.id, id, sizeof late.id);
    ck_assert_int_eq(finish(&late, JT_TASK_COMPLETED, "{\"by\": \"A\"}"), 1);
    ck_assert_int_eq(finish(&b, JT_TASK_COMPLETED, "{\"by\": \"B\"}"), 0);
    get(id, &t);
    ck_assert_int_eq(t.state, JT_TASK_COMPLETED);
    ck_assert_str_eq(json_string_value(json_object_get(t.result, "by")), "B");
    jt_task_release(&t);
    jt_task_release(&b);

    /* `other` dies with C (never alive), then with D: failed, with why */
    claim_expect("C", other, &t);
    jt_task_release(&t);
    ck_assert_uint_eq(recover(), 1);
    claim_expect("D", other, &t);
    ck_assert_int_eq(t.attempts, 2);
    ck_assert_uint_eq(recover(), 1);
    ck_assert_int_eq(finish(&t, JT_TASK_COMPLETED, "{}"), 1);
    jt_task_release(&t);
    get(other, &t);
    char *twice = jt_xasprintf(JT_QUEUE_DIED_TWICE, "D");
    ck_assert_int_eq(t.state, JT_TASK_FAILED);
    ck_assert_str_eq(t.note, twice);
    ck_assert_str_eq(json_string_value(json_object_get(t.result, "error")), twice);
    ck_assert(t.finished > 0);
    jt_task_release(&t);
    claim_expect("E", NULL, &t); /* nothing went back on a queue */
    ck_assert_uint_eq(recover(), 0);
    free(rerun), free(twice);
}
END_TEST

/* A worker process: claims until none is left, "measures" 30 ms, finishes
 * each with its name, writes each id and a newline on fd. */
static int worker_loop(const char *name, int fd)
{
    jt_queue *own = NULL;
    jt_task t;
    int rc;
    if (jt_queue_open(url, &own, NULL) != 0 || jt_queue_keepalive(own, name, NULL) != 0) return 10;
    while ((rc = jt_queue_claim(own, name, 0.2, &t, NULL)) == 0) {
        usleep(30000);
        json_t *res = json_pack("{s:s}", "by", name);
        int f = jt_queue_finish(own, &t, JT_TASK_COMPLETED, res, NULL);
        json_decref(res);
        if (f != 0 || write(fd, t.id, JT_TASK_ID_LEN) != JT_TASK_ID_LEN || write(fd, "\n", 1) != 1)
            return 11;
        jt_task_release(&t);
    }
    jt_queue_close(own);
    return rc == 1 ? 0 : 12;
}

START_TEST(two_workers_share_tasks_exactly_once)
{
    char ids[4][JT_TASK_ID_LEN + 1];
    for (int i = 0; i < 4; i++) submit(JT_TASK_MEASURE, i, ids[i]);
    static const char *const names[] = {"W1", "W2"};
    pid_t pids[2];
    int fds[2];
    for (int w = 0; w < 2; w++) pids[w] = spawn(worker_loop, names[w], &fds[w]);
    jt_buf all = JT_BUF_INIT;
    for (int w = 0; w < 2; w++) {
        char buf[512];
        ssize_t n;
        while ((n = read(fds[w], buf, sizeof buf)) > 0) jt_buf_add(&all, buf, (size_t)n);
        close(fds[w]);
        reap_ok(pids[w]);
    }
    ck_assert_uint_eq(all.len, 4 * (JT_TASK_ID_LEN + 1)); /* four claims in all */
    for (int i = 0; i < 4; i++) {
        const char *hit = strstr(jt_buf_str(&all), ids[i]);
        ck_assert_ptr_nonnull(hit);
        ck_assert_ptr_null(strstr(hit + 1, ids[i])); /* once */
        jt_task t;
        get(ids[i], &t);
        ck_assert_int_eq(t.state, JT_TASK_COMPLETED);
        ck_assert_int_eq(t.attempts, 1);
        ck_assert_str_eq(json_string_value(json_object_get(t.result, "by")), t.worker);
        jt_task_release(&t);
    }
    jt_buf_release(&all);
}
END_TEST

START_TEST(status_lists_live_workers_and_leave_keeps_held_tasks)
{
    jt_err e = JT_ERR_INIT;
    json_t *st = json_pack("{s:s}", "host", "h1");
    ck_assert_int_eq(jt_queue_worker_beat(q, "W1", st, &e), 0);
    ck_assert_int_eq(jt_queue_worker_beat(q, "W3", st, &e), 0);
    json_decref(st);
    ck_assert_int_eq(jt_queue_keepalive(q, "W2", &e), 0);
    ck_assert_int_eq(raw_int("DEL %s", "jt:alive:W3"), 1); /* W3 is gone */
    char id[JT_TASK_ID_LEN + 1];
    submit(JT_TASK_VALIDATE, 1, id);
    json_t *workers = NULL;
    size_t queued = 0;
    ck_assert_int_eq(jt_queue_status(q, &workers, &queued, &e), 0);
    ck_assert_uint_eq(queued, 1);
    char *text = json_dumps(workers, JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_str_eq(text, "[{\"host\":\"h1\",\"worker\":\"W1\"},{\"worker\":\"W2\"}]");
    free(text);
    json_decref(workers);

    ck_assert_int_eq(jt_queue_worker_leave(q, "W1", &e), 0);
    ck_assert_int_eq(raw_int("SISMEMBER jt:workers %s", "W1"), 0);
    ck_assert_int_eq(raw_int("EXISTS %s", "jt:worker:W1"), 0);
    /* W2 leaves while it holds a task: recover still finds it */
    jt_task t;
    claim_expect("W2", id, &t);
    ck_assert_int_eq(jt_queue_worker_leave(q, "W2", &e), 0);
    ck_assert_int_eq(raw_int("EXISTS %s", "jt:alive:W2"), 0);
    ck_assert_int_eq(jt_test_count_procs(NULL), 1); /* its heartbeat is gone: only redis */
    ck_assert_uint_eq(recover(), 1);
    ck_assert_int_eq(finish(&t, JT_TASK_COMPLETED, "{}"), 1);
    jt_task_release(&t);
    ck_assert_int_eq(jt_queue_status(q, &workers, &queued, &e), 0);
    ck_assert_uint_eq(json_array_size(workers), 0);
    ck_assert_uint_eq(queued, 1);
    json_decref(workers);
    ck_assert_int_eq(raw_int("SCARD %s", "jt:workers"), 0);
}
END_TEST

START_TEST(bad_urls_are_refused_with_the_reason)
{
    int closed = free_port();
    struct {
        char *url;
        const char *why;
    } cases[] = {
        {jt_xasprintf("redis://"), "no host"},
        {jt_xasprintf("redis://:%d", port), "no host"},
        {jt_xasprintf("redis://127.0.0.1:notaport"), "port: 'notaport' is not an integer"},
        {jt_xasprintf("redis://127.0.0.1:70000/0"), "port: 70000 is out of range"},
        {jt_xasprintf("redis://127.0.0.1:%d/x", port), "database: 'x' is not an integer"},
        {jt_xasprintf("redis://127.0.0.1:%d/99999", port), "SELECT 99999"},
        {jt_xasprintf("redis://127.0.0.1:%d", closed), "cannot connect to redis at 127.0.0.1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        jt_queue *bad = (jt_queue *)1;
        jt_err e = JT_ERR_INIT;
        ck_assert_int_eq(jt_queue_open(cases[i].url, &bad, &e), -1);
        ck_assert_ptr_null(bad);
        ck_assert_msg(strstr(jt_err_msg(&e), cases[i].url) && strstr(jt_err_msg(&e), cases[i].why),
                      "%s: %s", cases[i].url, jt_err_msg(&e));
        jt_err_clear(&e);
        free(cases[i].url);
    }
    /* the defaults: port 6379 unless named, database 0; a trailing '/' is 0 too */
    char *ok = jt_xasprintf("redis://127.0.0.1:%d/", port);
    jt_queue *good = NULL;
    ck_assert_int_eq(jt_queue_open(ok, &good, NULL), 0);
    ck_assert_str_eq(jt_queue_url(good), ok);
    jt_queue_close(good);
    free(ok);
}
END_TEST

/* A claim whose connection dropped between the move and the claim script
 * left an id in a processing list: the worker's next claim takes it, or
 * recover puts it back when the worker is gone. */
START_TEST(an_id_moved_but_never_claimed_is_not_lost)
{
    char a[JT_TASK_ID_LEN + 1], b[JT_TASK_ID_LEN + 1];
    submit(JT_TASK_MEASURE, 1, a);
    submit(JT_TASK_MEASURE, 2, b);
    json_t *st = json_object();
    ck_assert_int_eq(jt_queue_worker_beat(q, "X", st, NULL), 0); /* X lives, Y is gone */
    json_decref(st);
    static const char *const moves[] = {"jt:processing:X", "jt:processing:Y"};
    for (int i = 0; i < 2; i++)
        freeReplyObject(redisCommand(raw, "LMOVE jt:queue:measure %s LEFT RIGHT", moves[i]));
    ck_assert_int_eq(raw_int("SADD jt:workers %s", "Y"), 1);
    jt_task t;
    claim_expect("X", a, &t);
    ck_assert_int_eq(t.attempts, 1);
    jt_task_release(&t);
    claim_expect("X", NULL, &t); /* its running task stays in its list */
    ck_assert_int_eq(raw_int("LLEN %s", "jt:processing:X"), 1);
    ck_assert_uint_eq(recover(), 0); /* b was never Y's running task */
    claim_expect("Z", b, &t);
    ck_assert_int_eq(t.attempts, 1);
    ck_assert_ptr_null(t.note);
    jt_task_release(&t);
}
END_TEST

static Suite *queue_redis_suite(void)
{
    char *bin = redis_server_path();
    if (!bin) jt_test_skip("redis-server is not installed (Debian: apt-get install redis-server)");
    free(bin);
    Suite *s = suite_create("queue_redis");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, validate_first_then_measure_in_order);
    tcase_add_test(tc, waiting_claim_takes_a_task_submitted_meanwhile);
    tcase_add_test(tc, a_claim_ends_once);
    tcase_add_test(tc, a_full_queue_refuses_and_adds_nothing);
    tcase_add_test(tc, a_dead_workers_task_is_rerun_once_then_failed);
    tcase_add_test(tc, two_workers_share_tasks_exactly_once);
    tcase_add_test(tc, status_lists_live_workers_and_leave_keeps_held_tasks);
    tcase_add_test(tc, an_id_moved_but_never_claimed_is_not_lost);
    tcase_add_test(tc, bad_urls_are_refused_with_the_reason);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(queue_redis_suite)
