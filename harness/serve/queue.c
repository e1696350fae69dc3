/* The queue's front (queue.h): URL dispatch through the backends' table,
 * task ids, worker identities, and the JSON text the backends store. */
#include "serve/queue_priv.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const jt_queue_ops *const backends[] = {&jt_queue_sqlite_ops, &jt_queue_redis_ops};

static const char *const state_names[] = {"queued", "running", "completed", "failed"};
static const char *const kind_names[] = {"measure", "validate"};

const char *jt_task_state_name(jt_task_state s) { return state_names[s]; }
const char *jt_task_kind_name(jt_task_kind k) { return kind_names[k]; }

int jt_task_state_parse(const char *s)
{
    for (size_t i = 0; s && i < sizeof state_names / sizeof *state_names; i++)
        if (!strcmp(s, state_names[i])) return (int)i;
    return -1;
}

int jt_task_kind_parse(const char *s)
{
    for (size_t i = 0; s && i < sizeof kind_names / sizeof *kind_names; i++)
        if (!strcmp(s, kind_names[i])) return (int)i;
    return -1;
}

void jt_task_release(jt_task *t)
{
    json_decref(t->request);
    json_decref(t->result);
    free(t->worker);
    free(t->note);
    memset(t, 0, sizeof *t);
}

double jt_queue_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

char *jt_queue_default_url(const char *state_dir)
{
    return jt_xasprintf("sqlite:%s/service/queue.db", state_dir);
}

int jt_queue_open(const char *url, jt_queue **out, jt_err *err)
{
    *out = NULL;
    for (size_t i = 0; i < sizeof backends / sizeof *backends; i++) {
        size_t n = strlen(backends[i]->scheme);
        if (strncmp(url, backends[i]->scheme, n)) continue;
        jt_queue *q = calloc(1, sizeof *q);
        if (!q) return jt_err_set(err, "out of memory");
        q->ops = backends[i];
        q->url = jt_xstrdup(url);
        if (q->ops->open(q, url + n, err) != 0) {
            jt_err_prefix(err, "queue %s", url);
            free(q->url);
            free(q);
            return -1;
        }
        *out = q;
        return 0;
    }
    return jt_err_set(err, "queue '%s': not a queue URL (sqlite:PATH or redis://HOST[:PORT][/DB])",
                      url);
}

void jt_queue_close(jt_queue *q)
{
    if (!q) return;
    q->ops->close(q);
    free(q->url);
    free(q);
}

const char *jt_queue_url(const jt_queue *q) { return q->url; }

/* A version 4 UUID from the kernel's random pool. */
static int new_id(char out[JT_TASK_ID_LEN + 1], jt_err *err)
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return jt_err_set(err, "getrandom: %s", strerror(errno));
        got += (size_t)n;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, JT_TASK_ID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return 0;
}

int jt_queue_submit(jt_queue *q, jt_task_kind kind, const json_t *request, size_t max_queued,
                    char id_out[JT_TASK_ID_LEN + 1], jt_err *err)
{
    if (new_id(id_out, err) != 0) return -1;
    return q->ops->submit(q, kind, request, max_queued, id_out, jt_queue_now(), err);
}

int jt_queue_get(jt_queue *q, const char *id, jt_task *t, jt_err *err)
{
    memset(t, 0, sizeof *t);
    /* ids are ours: anything else is no task, never a query */
    if (strlen(id) != JT_TASK_ID_LEN) return 1;
    for (const char *p = id; *p; p++)
        if (!isxdigit((unsigned char)*p) && *p != '-') return 1;
    return q->ops->get(q, id, t, err);
}

int jt_queue_claim(jt_queue *q, const char *worker, double wait_s, jt_task *t, jt_err *err)
{
    memset(t, 0, sizeof *t);
    return q->ops->claim(q, worker, wait_s, t, err);
}

int jt_queue_finish(jt_queue *q, const jt_task *t, jt_task_state state, const json_t *result,
                    jt_err *err)
{
    char *text = result ? json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (result && !text) return jt_err_set(err, "task %s: result not serialisable", t->id);
    int rc = q->ops->finish(q, t, state, text, jt_queue_now(), err);
    free(text);
    return rc;
}

int jt_queue_recover(jt_queue *q, size_t *given, jt_err *err)
{
    size_t n = 0;
    int rc = q->ops->recover(q, &n, err);
    if (given) *given = n;
    return rc;
}

int jt_queue_worker_beat(jt_queue *q, const char *worker, const json_t *status, jt_err *err)
{
    char *text = json_dumps(status, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) return jt_err_set(err, "worker status not serialisable");
    int rc = q->ops->beat(q, worker, text, jt_queue_now(), err);
    free(text);
    return rc;
}

int jt_queue_keepalive(jt_queue *q, const char *worker, jt_err *err)
{
    return q->ops->keepalive(q, worker, err);
}

int jt_queue_worker_leave(jt_queue *q, const char *worker, jt_err *err)
{
    return q->ops->leave(q, worker, err);
}

int jt_queue_status(jt_queue *q, json_t **workers, size_t *queued, jt_err *err)
{
    *workers = json_array();
    *queued = 0;
    if (q->ops->status(q, *workers, queued, err) != 0) {
        json_decref(*workers);
        *workers = NULL;
        return -1;
    }
    return 0;
}

/* Field 22 of /proc/PID/stat: the start time in clock ticks since boot. */
static int proc_start(long pid, unsigned long long *start)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command may hold spaces and ')' */
    if (!p || p[1] != ' ') return -1;
    p++;
    if (p[1] == 'Z' || p[1] == 'X') return -1; /* dead, not yet reaped */
    for (int field = 3; field < 22; field++) {
        p = strchr(p + 1, ' ');
        if (!p) return -1;
    }
    return sscanf(p, " %llu", start) == 1 ? 0 : -1;
}

static void host_name(char *out, size_t n)
{
    if (gethostname(out, n) != 0) snprintf(out, n, "localhost");
    out[n - 1] = '\0';
    for (char *p = out; *p; p++)
        if (*p == ':') *p = '_'; /* ':' separates the identity's fields */
}

char *jt_queue_worker_id(void)
{
    char host[256];
    host_name(host, sizeof host);
    unsigned long long start = 0;
    proc_start((long)getpid(), &start);
    return jt_xasprintf("%s:%ld:%llu", host, (long)getpid(), start);
}

int jt_queue_worker_alive_here(const char *worker)
{
    char host[256];
    host_name(host, sizeof host);
    const char *c1 = worker ? strrchr(worker, ':') : NULL;
    if (!c1) return 0;
    const char *c2 = c1;
    while (c2 > worker && c2[-1] != ':') c2--;
    if (c2 == worker) return 0;
    size_t hn = (size_t)(c2 - 1 - worker);
    if (hn != strlen(host) || strncmp(worker, host, hn)) return -1;
    long pid = strtol(c2, NULL, 10);
    unsigned long long want = strtoull(c1 + 1, NULL, 10), got = 0;
    if (pid <= 0) return 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) return 0;
    if (proc_start(pid, &got) != 0) return 0;
    return got == want;
}
