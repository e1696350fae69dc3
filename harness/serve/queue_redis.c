/* The queue's Redis backend (queue.h): redis://HOST[:PORT][/DB], for many
 * measurement hosts sharing one Redis (7.0 or later: LMOVE, BLMOVE).
 *
 * Keys, in the database the URL names:
 *   jt:task:ID              hash: kind, state, request, attempts, worker,
 *                           note, result, created, started, finished
 *   jt:queue:validate       ids waiting, FIFO (RPUSH, taken from the left);
 *   jt:queue:measure        validate is always tried first
 *   jt:processing:W         the ids worker W moved out of a queue
 *   jt:workers              set of the workers that beat, kept alive or claimed
 *   jt:worker:W             W's status (JSON text)
 *   jt:alive:W              present while W lives (TTL JT_QUEUE_WORKER_TTL_S)
 * Every read-then-write on a task is one Lua script (queue_redis_lua.h). A
 * claim moves an id into W's processing list (LMOVE/BLMOVE), then the claim
 * script makes it W's running attempt; an id moved but never claimed (the
 * connection dropped in between) goes to W's next claim, or back to its
 * queue when recover reaps W (a member of jt:workers without an alive key).
 * Durability is the server's: "survives kill -9" holds for the Redis
 * process only with appendonly yes and appendfsync always. */
#include "serve/queue_priv.h"
#include "serve/queue_redis_lua.h"

#include "jouletrace/clock.h"

#include <errno.h>
#include <hiredis.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REDIS_DEFAULT_PORT 6379
#define REDIS_CONNECT_TIMEOUT_S 5
#define REDIS_IO_TIMEOUT_S 10 /* above CLAIM_SLICE_S: a BLMOVE never outlasts it */
#define CLAIM_SLICE_S 1.0     /* a waiting claim looks at the validate queue this often */
#define HEARTBEAT_PERIOD_S (JT_QUEUE_WORKER_TTL_S / 3)

#define KEY_VALIDATE "jt:queue:validate"
#define KEY_MEASURE "jt:queue:measure"
#define KEY_WORKERS "jt:workers"

static const char *const queue_keys[] = {[JT_TASK_MEASURE] = KEY_MEASURE,
                                         [JT_TASK_VALIDATE] = KEY_VALIDATE};

typedef struct redis_impl {
    char *host;
    int port, db;
    redisContext *c;   /* NULL or in error: reopened by the next command */
    pid_t heartbeat;   /* the keepalive process, or 0 */
    pid_t owner;       /* the process that started it (a fork never kills it) */
} redis_impl;

/* A new connection to r's server and database (the I/O timeout set). */
static int conn_open(const redis_impl *r, redisContext **out, jt_err *err)
{
    struct timeval ct = {REDIS_CONNECT_TIMEOUT_S, 0}, io = {REDIS_IO_TIMEOUT_S, 0};
    char db[16];
    snprintf(db, sizeof db, "%d", r->db);
    redisContext *c = redisConnectWithTimeout(r->host, r->port, ct);
    redisReply *rep = NULL;
    *out = NULL;
    if (!c) return jt_err_set(err, "redis %s:%d: out of memory", r->host, r->port);
    if (c->err)
        jt_err_set(err, "cannot connect to redis at %s:%d: %s", r->host, r->port, c->errstr);
    else if (redisSetTimeout(c, io) != REDIS_OK || !(rep = redisCommand(c, "SELECT %s", db)) ||
             rep->type == REDIS_REPLY_ERROR)
        jt_err_set(err, "redis %s:%d: SELECT %s: %s", r->host, r->port, db,
                   rep ? rep->str : c->errstr);
    else
        *out = c;
    freeReplyObject(rep);
    if (!*out) redisFree(c);
    return *out ? 0 : -1;
}

/* A usable connection: the one we have, or a new one after an error. */
static int conn_ready(redis_impl *r, jt_err *err)
{
    if (r->c && !r->c->err) return 0;
    if (r->c) redisFree(r->c);
    r->c = NULL;
    return conn_open(r, &r->c, err);
}

/* The reply, or NULL with err set (no reply, or an error reply, freed). */
static redisReply *checked(redis_impl *r, void *reply, const char *what, jt_err *err)
{
    redisReply *rep = reply;
    if (!rep) {
        jt_err_set(err, "redis %s:%d: %s: %s", r->host, r->port, what,
                   r->c->errstr[0] ? r->c->errstr : "no reply");
        return NULL;
    }
    if (rep->type == REDIS_REPLY_ERROR) {
        jt_err_set(err, "redis %s:%d: %s: %s", r->host, r->port, what, rep->str);
        freeReplyObject(rep);
        return NULL;
    }
    return rep;
}

/* One command, hiredis's %s/%b arguments only: user data never becomes
 * command text. */
#define RCMD(r, what, err, ...)                                                          \
    (conn_ready((r), (err)) != 0 ? NULL                                                   \
                                 : checked((r), redisCommand((r)->c, __VA_ARGS__), (what), (err)))

/* EVAL of script `lua` (`name` in errors) with keys then args
 * (NULL-terminated lists). */
static redisReply *eval(redis_impl *r, const char *name, const char *lua,
                        const char *const *keys, const char *const *args, jt_err *err)
{
    if (conn_ready(r, err) != 0) return NULL;
    size_t nk = 0, na = 0;
    while (keys[nk]) nk++;
    while (args[na]) na++;
    size_t argc = 3 + nk + na;
    const char **argv = jt_xcalloc(argc, sizeof *argv);
    char nkeys[24];
    snprintf(nkeys, sizeof nkeys, "%zu", nk);
    argv[0] = "EVAL", argv[1] = lua, argv[2] = nkeys;
    memcpy(argv + 3, keys, nk * sizeof *argv);
    memcpy(argv + 3 + nk, args, na * sizeof *argv);
    char what[64];
    snprintf(what, sizeof what, "the %s script", name);
    redisReply *rep = checked(r, redisCommandArgv(r->c, (int)argc, argv, NULL), what, err);
    free(argv);
    return rep;
}

/* An integer reply's value into *v: 0, or -1 (no reply, or not an
 * integer: err set). Frees the reply. */
static int reply_int(redisReply *rep, const char *what, long long *v, jt_err *err)
{
    if (!rep) return -1;
    *v = rep->integer;
    int ok = rep->type == REDIS_REPLY_INTEGER;
    freeReplyObject(rep);
    return ok ? 0 : jt_err_set(err, "redis: %s: not an integer reply", what);
}

typedef enum field_type { F_KIND, F_STATE, F_JSON, F_INT, F_TEXT, F_TIME } field_type;

static const struct task_field {
    const char *name;
    field_type type;
    size_t off;
} task_fields[] = {
    {"kind", F_KIND, offsetof(jt_task, kind)},
    {"state", F_STATE, offsetof(jt_task, state)},
    {"request", F_JSON, offsetof(jt_task, request)},
    {"result", F_JSON, offsetof(jt_task, result)},
    {"attempts", F_INT, offsetof(jt_task, attempts)},
    {"worker", F_TEXT, offsetof(jt_task, worker)},
    {"note", F_TEXT, offsetof(jt_task, note)},
    {"created", F_TIME, offsetof(jt_task, created)},
    {"started", F_TIME, offsetof(jt_task, started)},
    {"finished", F_TIME, offsetof(jt_task, finished)},
};

static int set_field(jt_task *t, const struct task_field *f, const redisReply *v, jt_err *err)
{
    void *p = (char *)t + f->off;
    long n = 0;
    double d = 0;
    json_error_t je;
    switch (f->type) {
    case F_KIND:
        if ((n = jt_task_kind_parse(v->str)) < 0) break;
        *(jt_task_kind *)p = (jt_task_kind)n;
        return 0;
    case F_STATE:
        if ((n = jt_task_state_parse(v->str)) < 0) break;
        *(jt_task_state *)p = (jt_task_state)n;
        return 0;
    case F_JSON:
        json_decref(*(json_t **)p);
        *(json_t **)p = json_loadb(v->str, v->len, JSON_DECODE_ANY, &je);
        return *(json_t **)p ? 0 : jt_err_set(err, "%s: %s", f->name, je.text);
    case F_INT:
        if (jt_parse_long(v->str, 0, INT_MAX, &n, f->name, err) != 0) return -1;
        *(int *)p = (int)n;
        return 0;
    case F_TEXT:
        free(*(char **)p);
        *(char **)p = jt_xstrndup(v->str, v->len);
        return 0;
    case F_TIME:
        if (jt_parse_double(v->str, 0, 1e12, &d, f->name, err) != 0) return -1;
        *(double *)p = d;
        return 0;
    }
    return jt_err_set(err, "%s '%s' is none we know", f->name, v->str);
}

/* Fills *t (zeroed by the front) from HGETALL's field/value pairs. On error
 * *t is released. */
static int fill_task(jt_task *t, const char *id, const redisReply *rep, jt_err *err)
{
    snprintf(t->id, sizeof t->id, "%s", id);
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements % 2)
        return jt_err_set(err, "task %s: unexpected reply", id);
    for (size_t i = 0; i < rep->elements; i += 2) {
        const redisReply *k = rep->element[i], *v = rep->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        for (size_t f = 0; f < sizeof task_fields / sizeof *task_fields; f++) {
            if (strcmp(k->str, task_fields[f].name)) continue;
            if (set_field(t, &task_fields[f], v, err) != 0) {
                jt_task_release(t);
                return jt_err_prefix(err, "task %s", id);
            }
        }
    }
    if (!t->request) {
        jt_task_release(t);
        return jt_err_set(err, "task %s: no request stored", id);
    }
    return 0;
}

/* HOST[:PORT][/DB] */
static int parse_rest(const char *rest, redis_impl *r, jt_err *err)
{
    size_t hn = strcspn(rest, ":/");
    if (hn == 0) return jt_err_set(err, "no host (want redis://HOST[:PORT][/DB])");
    const char *p = rest + hn;
    long port = REDIS_DEFAULT_PORT, db = 0;
    if (*p == ':') {
        size_t n = strcspn(p + 1, "/");
        char *s = jt_xstrndup(p + 1, n);
        int rc = jt_parse_long(s, 1, 65535, &port, "port", err);
        free(s);
        if (rc != 0) return -1;
        p += 1 + n;
    }
    if (*p == '/' && p[1] && jt_parse_long(p + 1, 0, INT_MAX, &db, "database", err) != 0)
        return -1;
    r->host = jt_xstrndup(rest, hn);
    r->port = (int)port, r->db = (int)db;
    return 0;
}

static void impl_free(redis_impl *r)
{
    if (r->c) redisFree(r->c);
    free(r->host);
    free(r);
}

static int redis_open(jt_queue *q, const char *rest, jt_err *err)
{
    redis_impl *r = jt_xcalloc(1, sizeof *r);
    if (parse_rest(rest, r, err) != 0 || conn_open(r, &r->c, err) != 0) {
        impl_free(r);
        return -1;
    }
    q->impl = r;
    return 0;
}

static void heartbeat_stop(redis_impl *r)
{
    if (r->heartbeat <= 0 || getpid() != r->owner) return;
    kill(r->heartbeat, SIGKILL);
    while (waitpid(r->heartbeat, NULL, 0) < 0 && errno == EINTR) {
    }
    r->heartbeat = 0;
}

static void redis_close(jt_queue *q)
{
    redis_impl *r = q->impl;
    if (!r) return;
    heartbeat_stop(r);
    impl_free(r);
    q->impl = NULL;
}

static int redis_submit(jt_queue *q, jt_task_kind kind, const json_t *request, size_t max_queued,
                        const char *id, double now, jt_err *err)
{
    char *text = request ? json_dumps(request, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!text) return jt_err_set(err, "task %s: request not serialisable", id);
    char *key = jt_xasprintf("jt:task:%s", id), max[24], created[32];
    snprintf(max, sizeof max, "%zu", max_queued);
    snprintf(created, sizeof created, "%.6f", now);
    const char *keys[] = {key, KEY_VALIDATE, KEY_MEASURE, queue_keys[kind], NULL};
    const char *args[] = {max, jt_task_kind_name(kind), text, created, id, NULL};
    long long v = 0;
    int rc = reply_int(eval(q->impl, "submit", JT_REDIS_LUA_SUBMIT, keys, args, err), "submit", &v, err);
    free(key), free(text);
    return rc != 0 ? -1 : v == 1 ? 0 : 1;
}

static int redis_get(jt_queue *q, const char *id, jt_task *t, jt_err *err)
{
    redisReply *rep = RCMD((redis_impl *)q->impl, "HGETALL", err, "HGETALL jt:task:%s", id);
    if (!rep) return -1;
    int rc = rep->type == REDIS_REPLY_ARRAY && rep->elements == 0 ? 1 : fill_task(t, id, rep, err);
    freeReplyObject(rep);
    return rc;
}

/* The claim script on an id in W's processing list: 0 claimed (*t), 1 not
 * claimable (stale), -1. */
static int claim_id(redis_impl *r, const char *id, const char *worker, const char *proc,
                    jt_task *t, jt_err *err)
{
    if (strlen(id) != JT_TASK_ID_LEN) return jt_err_set(err, "queue holds a bad id '%s'", id);
    char *key = jt_xasprintf("jt:task:%s", id), started[32];
    snprintf(started, sizeof started, "%.6f", jt_queue_now());
    const char *keys[] = {key, proc, KEY_WORKERS, NULL};
    const char *args[] = {id, worker, started, NULL};
    redisReply *rep = eval(r, "claim", JT_REDIS_LUA_CLAIM, keys, args, err);
    free(key);
    if (!rep) return -1;
    int rc = rep->type == REDIS_REPLY_NIL ? 1 : fill_task(t, id, rep, err);
    freeReplyObject(rep);
    return rc;
}

/* Ids W moved but never claimed (the claim script did not run): 0 one
 * claimed, 1 none, -1. */
static int claim_moved(redis_impl *r, const char *worker, const char *proc, jt_task *t,
                       jt_err *err)
{
    redisReply *rep = RCMD(r, "LRANGE", err, "LRANGE %s 0 -1", proc);
    if (!rep) return -1;
    int rc = 1;
    for (size_t i = 0; rc == 1 && i < rep->elements; i++)
        if (rep->element[i]->type == REDIS_REPLY_STRING)
            rc = claim_id(r, rep->element[i]->str, worker, proc, t, err);
    freeReplyObject(rep);
    return rc;
}

/* Moves the head of `src` to the tail of `dst`: blocking up to timeout_s
 * seconds when it is >= 0. *id: the id (caller frees) or NULL. */
static int move_one(redis_impl *r, const char *src, const char *dst, double timeout_s, char **id,
                    jt_err *err)
{
    char tmo[32];
    snprintf(tmo, sizeof tmo, "%.3f", timeout_s);
    redisReply *rep = timeout_s >= 0
                          ? RCMD(r, "BLMOVE", err, "BLMOVE %s %s LEFT RIGHT %s", src, dst, tmo)
                          : RCMD(r, "LMOVE", err, "LMOVE %s %s LEFT RIGHT", src, dst);
    if (!rep) return -1;
    *id = rep->type == REDIS_REPLY_STRING ? jt_xstrndup(rep->str, rep->len) : NULL;
    freeReplyObject(rep);
    return 0;
}

static int redis_claim(jt_queue *q, const char *worker, double wait_s, jt_task *t, jt_err *err)
{
    redis_impl *r = q->impl;
    char *proc = jt_xasprintf("jt:processing:%s", worker);
    double deadline = jt_monotonic_s() + (wait_s > 0 ? wait_s : 0);
    int rc = claim_moved(r, worker, proc, t, err);
    while (rc == 1) {
        char *id = NULL;
        double left = deadline - jt_monotonic_s();
        /* BLMOVE's 0 is "forever": below 10 ms, one look without blocking */
        double block = left >= 0.01 ? (left < CLAIM_SLICE_S ? left : CLAIM_SLICE_S) : -1;
        if (move_one(r, KEY_VALIDATE, proc, -1, &id, err) != 0 ||
            (!id && move_one(r, KEY_MEASURE, proc, block, &id, err) != 0))
            rc = -1;
        else if (id)
            rc = claim_id(r, id, worker, proc, t, err);
        else if (block < 0)
            break; /* none, and the wait is over */
        free(id);
    }
    free(proc);
    return rc;
}

static int redis_finish(jt_queue *q, const jt_task *t, jt_task_state state, const char *result,
                        double now, jt_err *err)
{
    if (state != JT_TASK_COMPLETED && state != JT_TASK_FAILED)
        return jt_err_set(err, "task %s: cannot end as %s", t->id, jt_task_state_name(state));
    if (!t->worker) return jt_err_set(err, "task %s: not a claimed task (no worker)", t->id);
    char *key = jt_xasprintf("jt:task:%s", t->id);
    char *proc = jt_xasprintf("jt:processing:%s", t->worker), attempts[16], finished[32];
    snprintf(attempts, sizeof attempts, "%d", t->attempts);
    snprintf(finished, sizeof finished, "%.6f", now);
    const char *keys[] = {key, proc, NULL};
    const char *args[] = {t->worker, attempts, jt_task_state_name(state), finished, t->id, result,
                          NULL};
    long long v = 0;
    int rc = reply_int(eval(q->impl, "finish", JT_REDIS_LUA_FINISH, keys, args, err), "finish", &v, err);
    free(key), free(proc);
    return rc != 0 ? -1 : v == 1 ? 0 : 1;
}

/* One worker's reap: 0 with *given its tasks given back or failed (-1:
 * it is alive), or -1 (err). */
static int reap_worker(redis_impl *r, const char *w, long long *given, jt_err *err)
{
    char *proc = jt_xasprintf("jt:processing:%s", w), *status = jt_xasprintf("jt:worker:%s", w);
    char *alive = jt_xasprintf("jt:alive:%s", w), now[32];
    char *rerun = jt_xasprintf(JT_QUEUE_RERUN_NOTE, w), *twice = jt_xasprintf(JT_QUEUE_DIED_TWICE, w);
    json_t *res = json_pack("{s:s}", "error", twice);
    char *failed = res ? json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(res);
    snprintf(now, sizeof now, "%.6f", jt_queue_now());
    int rc = -1;
    if (!failed) {
        jt_err_set(err, "worker %s: cannot build the failed result", w);
    } else {
        const char *keys[] = {proc, KEY_VALIDATE, KEY_MEASURE, KEY_WORKERS, status, alive, NULL};
        const char *args[] = {w, now, rerun, twice, failed, NULL};
        rc = reply_int(eval(r, "recover", JT_REDIS_LUA_REAP, keys, args, err), "recover", given, err);
    }
    free(proc), free(status), free(alive), free(rerun), free(twice), free(failed);
    return rc;
}

static int redis_recover(jt_queue *q, size_t *given, jt_err *err)
{
    redis_impl *r = q->impl;
    redisReply *rep = RCMD(r, "SMEMBERS", err, "SMEMBERS %s", KEY_WORKERS);
    if (!rep) return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < rep->elements; i++) {
        if (rep->element[i]->type != REDIS_REPLY_STRING) continue;
        long long v = 0;
        rc = reap_worker(r, rep->element[i]->str, &v, err);
        if (rc == 0 && v > 0) *given += (size_t)v;
    }
    freeReplyObject(rep);
    return rc;
}

static int redis_beat(jt_queue *q, const char *worker, const char *status, double now,
                      jt_err *err)
{
    (void)now; /* the alive key's TTL says when, not a stored time */
    char *skey = jt_xasprintf("jt:worker:%s", worker), *akey = jt_xasprintf("jt:alive:%s", worker);
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", JT_QUEUE_WORKER_TTL_S);
    const char *keys[] = {skey, KEY_WORKERS, akey, NULL};
    const char *args[] = {worker, status, ttl, NULL};
    redisReply *rep = eval(q->impl, "beat", JT_REDIS_LUA_BEAT, keys, args, err);
    freeReplyObject(rep);
    free(skey), free(akey);
    return rep ? 0 : -1;
}

/* The alive key and the membership, on connection c (the heartbeat's own,
 * or the queue's). 0 or -1 (err may be NULL). */
static int refresh_alive(redisContext *c, const char *akey, const char *worker, jt_err *err)
{
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", JT_QUEUE_WORKER_TTL_S);
    redisReply *rep =
        redisCommand(c, "EVAL %s 2 %s %s %s %s", JT_REDIS_LUA_ALIVE, akey, KEY_WORKERS, worker, ttl);
    int rc = rep && rep->type != REDIS_REPLY_ERROR
                 ? 0
                 : jt_err_set(err, "redis: the alive script: %s", rep ? rep->str : c->errstr);
    freeReplyObject(rep);
    return rc;
}

/* The heartbeat's end when its parent is gone: the same as
 * PR_SET_PDEATHSIG's, and nothing runs at exit in this copy of the parent
 * (atexit handlers, stdio buffers, a leak checker's report). */
__attribute__((noreturn)) static void heartbeat_end(void)
{
    kill(getpid(), SIGKILL);
    _exit(0);
}

/* The heartbeat process: keeps only its own connection, refreshes the alive
 * key every HEARTBEAT_PERIOD_S while its parent lives, never returns. */
__attribute__((noreturn)) static void heartbeat_main(const redis_impl *r, redisContext *c,
                                                     const char *akey, const char *worker,
                                                     pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) != 0 || getppid() != parent) heartbeat_end();
    /* nothing of the parent's: its connection, the socket-0 lock's fd, pipes */
    unsigned fd = (unsigned)c->fd;
    if ((fd > 0 && syscall(SYS_close_range, 0U, fd - 1, 0U) != 0) ||
        syscall(SYS_close_range, fd + 1, ~0U, 0U) != 0) {
        for (unsigned i = 0; i < 1024; i++)
            if (i != fd) close((int)i);
    }
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (unsigned tick = 1; getppid() == parent; tick++) {
        struct timespec one = {1, 0};
        nanosleep(&one, NULL); /* a signal only makes a tick short */
        if (tick % HEARTBEAT_PERIOD_S) continue;
        if (c && c->err) {
            redisFree(c);
            c = NULL;
        }
        if (!c) conn_open(r, &c, NULL);
        if (c) refresh_alive(c, akey, worker, NULL);
    }
    heartbeat_end();
}

static int redis_keepalive(jt_queue *q, const char *worker, jt_err *err)
{
    redis_impl *r = q->impl;
    heartbeat_stop(r);
    char *akey = jt_xasprintf("jt:alive:%s", worker);
    redisContext *hc = NULL; /* the heartbeat's own, opened here so a failure is ours */
    int rc = -1;
    if (conn_ready(r, err) == 0 && refresh_alive(r->c, akey, worker, err) == 0 &&
        conn_open(r, &hc, err) == 0) {
        rc = 0;
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid == 0) heartbeat_main(r, hc, akey, worker, parent);
        if (pid < 0) rc = jt_err_set(err, "worker %s: fork: %s", worker, strerror(errno));
        else r->heartbeat = pid, r->owner = parent;
    }
    if (hc) redisFree(hc); /* the child's copy stays open */
    free(akey);
    return rc == 0 ? 0 : jt_err_prefix(err, "worker %s: keepalive", worker);
}

static int redis_leave(jt_queue *q, const char *worker, jt_err *err)
{
    redis_impl *r = q->impl;
    heartbeat_stop(r); /* else it would make the worker alive again */
    char *akey = jt_xasprintf("jt:alive:%s", worker), *skey = jt_xasprintf("jt:worker:%s", worker);
    char *proc = jt_xasprintf("jt:processing:%s", worker);
    const char *keys[] = {akey, skey, KEY_WORKERS, proc, NULL};
    const char *args[] = {worker, NULL};
    redisReply *rep = eval(r, "leave", JT_REDIS_LUA_LEAVE, keys, args, err);
    freeReplyObject(rep);
    free(akey), free(skey), free(proc);
    return rep ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* W's status if it is alive (alive key present) into `workers`. */
static int status_one(redis_impl *r, const char *w, json_t *workers, jt_err *err)
{
    redisReply *rep = RCMD(r, "MGET", err, "MGET jt:alive:%s jt:worker:%s", w, w);
    if (!rep) return -1;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
        rep->element[0]->type == REDIS_REPLY_STRING) {
        const redisReply *s = rep->element[1];
        json_t *o = s->type == REDIS_REPLY_STRING ? json_loadb(s->str, s->len, 0, NULL) : NULL;
        if (!json_is_object(o)) json_decref(o), o = json_object();
        if (!json_object_get(o, "worker")) json_object_set_new(o, "worker", json_string(w));
        json_array_append_new(workers, o);
    }
    freeReplyObject(rep);
    return 0;
}

static int redis_status(jt_queue *q, json_t *workers, size_t *queued, jt_err *err)
{
    redis_impl *r = q->impl;
    redisReply *rep = RCMD(r, "SMEMBERS", err, "SMEMBERS %s", KEY_WORKERS);
    if (!rep) return -1;
    size_t n = 0;
    const char **names = jt_xcalloc(rep->elements + 1, sizeof *names);
    for (size_t i = 0; i < rep->elements; i++)
        if (rep->element[i]->type == REDIS_REPLY_STRING) names[n++] = rep->element[i]->str;
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) rc = status_one(r, names[i], workers, err);
    free(names);
    freeReplyObject(rep);
    static const char *const lists[] = {KEY_VALIDATE, KEY_MEASURE};
    for (size_t i = 0; rc == 0 && i < sizeof lists / sizeof *lists; i++) {
        long long v = 0;
        rc = reply_int(RCMD(r, "LLEN", err, "LLEN %s", lists[i]), "LLEN", &v, err);
        if (rc == 0 && v > 0) *queued += (size_t)v;
    }
    return rc;
}

const jt_queue_ops jt_queue_redis_ops = {
    "redis://",    redis_open,   redis_close,     redis_submit, redis_get,
    redis_claim,   redis_finish, redis_recover,   redis_beat,   redis_keepalive,
    redis_leave,   redis_status,
};
