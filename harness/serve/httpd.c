/* The seed's REST API (httpd.h) on libmicrohttpd: a route table, bodies
 * read up to max_body, JSON through jansson, the queue under one mutex. */
#include "jouletrace/httpd.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jouletrace/service.h"

struct jt_httpd {
    jt_httpd_opts o;
    char *addr, *token;
    jt_queue *q;
    pthread_mutex_t mu;
    struct MHD_Daemon *d;
    unsigned port;
};

/* One request's state across the handler's calls. */
typedef struct conn {
    jt_buf body;
    bool too_large;
} conn;

typedef struct reply {
    unsigned code;
    json_t *body; /* owned */
} reply;

static reply detail(unsigned code, const char *msg)
{
    json_t *b = json_pack("{s:s}", "detail", msg);
    /* "field: why" names the field for clients */
    const char *colon = strstr(msg, ": ");
    static const char unknown[] = "unknown key '";
    if (code == 422 && colon && !memchr(msg, ' ', (size_t)(colon - msg)))
        json_object_set_new(b, "field", json_stringn(msg, (size_t)(colon - msg)));
    else if (code == 422 && !strncmp(msg, unknown, sizeof unknown - 1) &&
             strchr(msg + sizeof unknown - 1, '\''))
        json_object_set_new(b, "field",
                            json_stringn(msg + sizeof unknown - 1,
                                         (size_t)(strchr(msg + sizeof unknown - 1, '\'') -
                                                  (msg + sizeof unknown - 1))));
    return (reply){code, b};
}

static reply ok(json_t *body) { return (reply){200, body}; }

typedef struct request {
    jt_httpd *h;
    const char *arg;   /* what follows the route's prefix */
    const char *body;
    size_t body_len;
} request;

/* ---- readiness: the live workers' reports ---- */

typedef struct readiness {
    json_t *workers;
    size_t queued;
    int ready;        /* some live worker can measure */
    char *why;        /* when not */
} readiness;

static int read_readiness(jt_httpd *h, readiness *r, jt_err *err)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_lock(&h->mu);
    int rc = jt_queue_status(h->q, &r->workers, &r->queued, err);
    pthread_mutex_unlock(&h->mu);
    if (rc != 0) return -1;
    size_t i;
    json_t *w;
    json_array_foreach(r->workers, i, w) {
        if (json_is_true(json_object_get(w, "ready"))) r->ready = 1;
        else if (!r->why) r->why = jt_xstrdup(json_string_value(json_object_get(w, "reason")));
    }
    if (!r->ready && !r->why)
        r->why = jt_xstrdup(json_array_size(r->workers) ? "no worker is ready"
                                                          : "no worker is serving the queue");
    return 0;
}

static void readiness_release(readiness *r)
{
    json_decref(r->workers);
    free(r->why);
}

/* ---- handlers ---- */

static reply on_ping(const request *rq)
{
    (void)rq;
    return ok(json_pack("{s:s,s:s}", "status", "ok", "message", "pong"));
}

static reply on_health(const request *rq)
{
    readiness r;
    jt_err err = JT_ERR_INIT;
    if (read_readiness(rq->h, &r, &err) != 0) {
        reply rp = {503, json_pack("{s:s,s:s,s:s}", "status", "unhealthy", "detail",
                                   jt_err_msg(&err), "queue", jt_queue_url(rq->h->q))};
        jt_err_clear(&err);
        return rp;
    }
    reply rp = ok(json_pack("{s:s,s:s,s:{s:s,s:b,s:I},s:I,s:b}", "status",
                            r.ready ? "healthy" : "degraded", "version", JT_VERSION, "queue",
                            "url", jt_queue_url(rq->h->q), "reachable", 1, "queued",
                            (json_int_t)r.queued, "workers", (json_int_t)json_array_size(r.workers),
                            "ready", r.ready));
    readiness_release(&r);
    return rp;
}

static reply on_status(const request *rq)
{
    readiness r;
    jt_err err = JT_ERR_INIT;
    if (read_readiness(rq->h, &r, &err) != 0) {
        reply rp = detail(503, jt_err_msg(&err));
        jt_err_clear(&err);
        return rp;
    }
    /* the seed's fields, from the first ready worker (else the first one) */
    json_t *first = json_array_get(r.workers, 0), *w;
    size_t i;
    json_array_foreach(r.workers, i, w) {
        if (json_is_true(json_object_get(w, "ready"))) {
            first = w;
            break;
        }
    }
    json_t *cal = json_object_get(first, "calibration");
    json_t *o = json_pack("{s:b,s:b,s:O?,s:O?,s:O?,s:{s:s,s:b,s:I},s:O,s:s?}", "ready", r.ready,
                          "calibrated", json_is_true(json_object_get(cal, "usable")),
                          "calibration", cal, "isolation", json_object_get(first, "isolation"),
                          "energy_source", json_object_get(first, "energy_source"), "queue", "url",
                          jt_queue_url(rq->h->q), "reachable", 1, "queued",
                          (json_int_t)r.queued, "workers", r.workers, "reason",
                          r.ready ? NULL : r.why);
    readiness_release(&r);
    return ok(o);
}

/* Parses and checks a request body: 0 with *req, or the error reply. */
static int parse_body(const request *rq, json_t **req, reply *err_reply)
{
    json_error_t je;
    *req = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!*req) {
        char msg[256];
        snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", je.line, je.column,
                 je.text);
        *err_reply = detail(400, msg);
        return -1;
    }
    jt_err err = JT_ERR_INIT;
    int code = jt_service_check_request(*req, &err);
    if (code) {
        *err_reply = detail((unsigned)code, jt_err_msg(&err));
        jt_err_clear(&err);
        json_decref(*req);
        *req = NULL;
        return -1;
    }
    return 0;
}

/* Queues a task: 0 with its id, or the error reply. */
static int submit(const request *rq, jt_task_kind kind, const json_t *req,
                  char id[JT_TASK_ID_LEN + 1], reply *err_reply)
{
    jt_err err = JT_ERR_INIT;
    pthread_mutex_lock(&rq->h->mu);
    int rc = jt_queue_submit(rq->h->q, kind, req, rq->h->o.max_queued, id, &err);
    pthread_mutex_unlock(&rq->h->mu);
    if (rc == 0) return 0;
    if (rc == 1) {
        char msg[128];
        snprintf(msg, sizeof msg, "queue full: %zu tasks are waiting (--max-queued)",
                 rq->h->o.max_queued);
        *err_reply = detail(429, msg);
    } else {
        *err_reply = detail(503, jt_err_msg(&err));
    }
    jt_err_clear(&err);
    return -1;
}

static reply on_measure(const request *rq)
{
    json_t *req;
    reply rp;
    if (parse_body(rq, &req, &rp) != 0) return rp;
    readiness r;
    jt_err err = JT_ERR_INIT;
    if (read_readiness(rq->h, &r, &err) != 0) {
        json_decref(req);
        rp = detail(503, jt_err_msg(&err));
        jt_err_clear(&err);
        return rp;
    }
    /* live workers that cannot measure: the seed's 503; none at all: the
     * task waits in the durable queue for one */
    if (!r.ready && json_array_size(r.workers)) {
        rp = (reply){503, json_pack("{s:s,s:s}", "detail", "Socket 0 not calibrated", "reason",
                                    r.why)};
        readiness_release(&r);
        json_decref(req);
        return rp;
    }
    char id[JT_TASK_ID_LEN + 1];
    if (submit(rq, JT_TASK_MEASURE, req, id, &rp) == 0)
        rp = ok(json_pack("{s:s,s:s,s:I,s:s?}", "task_id", id, "status", "queued", "queued",
                          (json_int_t)r.queued + 1, "warning",
                          json_array_size(r.workers) ? NULL
                                                     : "no worker is serving the queue yet"));
    readiness_release(&r);
    json_decref(req);
    return rp;
}

static reply task_reply(jt_httpd *h, const char *id)
{
    jt_task t;
    jt_err err = JT_ERR_INIT;
    pthread_mutex_lock(&h->mu);
    int rc = jt_queue_get(h->q, id, &t, &err);
    pthread_mutex_unlock(&h->mu);
    reply rp;
    if (rc == 0) rp = ok(jt_service_task_json(&t));
    else if (rc == 1) rp = detail(404, "task not found");
    else rp = detail(503, jt_err_msg(&err));
    jt_task_release(&t);
    jt_err_clear(&err);
    return rp;
}

static reply on_task(const request *rq) { return task_reply(rq->h, rq->arg); }

static reply on_validate(const request *rq)
{
    json_t *req;
    reply rp;
    if (parse_body(rq, &req, &rp) != 0) return rp;
    char id[JT_TASK_ID_LEN + 1];
    int rc = submit(rq, JT_TASK_VALIDATE, req, id, &rp);
    json_decref(req);
    if (rc != 0) return rp;
    struct timespec step = {0, 50 * 1000 * 1000};
    for (double waited = 0; waited < rq->h->o.validate_wait_s; waited += 0.05) {
        rp = task_reply(rq->h, id);
        const char *st = json_string_value(json_object_get(rp.body, "status"));
        if (rp.code != 200 || (st && (!strcmp(st, "completed") || !strcmp(st, "failed"))))
            return rp;
        json_decref(rp.body);
        nanosleep(&step, NULL);
    }
    rp = task_reply(rq->h, id); /* still waiting: poll it like a measurement */
    if (rp.code == 200) rp.code = 202;
    return rp;
}

typedef struct route {
    const char *method;
    const char *path; /* a trailing '*' takes the rest as the argument */
    reply (*fn)(const request *rq);
} route;

static const route routes[] = {
    {"GET", "/ping", on_ping},
    {"GET", "/api/v1/health", on_health},
    {"GET", "/api/v1/socket0/status", on_status},
    {"POST", "/api/v1/measure-socket0", on_measure},
    {"POST", "/api/v1/measure", on_measure},
    {"GET", "/api/v1/tasks/*", on_task},
    {"POST", "/api/v1/validate", on_validate},
};

/* The route for url: 0 with *r and *arg, 405 (path known, method not), 404. */
static unsigned find_route(const char *method, const char *url, const route **r, const char **arg)
{
    unsigned code = 404;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const char *p = routes[i].path;
        size_t n = strlen(p);
        int match = p[n - 1] == '*' ? !strncmp(url, p, n - 1) && url[n - 1] && !strchr(url + n - 1, '/')
                                    : !strcmp(url, p);
        if (!match) continue;
        if (strcmp(method, routes[i].method)) {
            code = 405;
            continue;
        }
        *r = &routes[i];
        *arg = p[n - 1] == '*' ? url + n - 1 : "";
        return 0;
    }
    return code;
}

/* Constant-time comparison of the bearer token. */
static bool token_ok(const jt_httpd *h, struct MHD_Connection *c)
{
    if (!h->token) return true;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!auth || strncmp(auth, "Bearer ", 7)) return false;
    const char *got = auth + 7;
    size_t n = strlen(h->token), m = strlen(got);
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < n; i++) diff |= (unsigned char)(h->token[i] ^ (i < m ? got[i] : 0));
    return diff == 0;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, reply rp)
{
    char *text = json_dumps(rp.body, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(rp.body);
    if (!text) text = jt_xstrdup("{\"detail\": \"internal error\"}");
    size_t n = strlen(text);
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (rp.code == 401) MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    enum MHD_Result res = MHD_queue_response(c, rp.code, r);
    MHD_destroy_response(r);
    return res;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    jt_httpd *h = cls;
    conn *cx = *con_cls;
    if (!cx) { /* headers only: the body (if any) comes in the next calls */
        cx = calloc(1, sizeof *cx);
        if (!cx) return MHD_NO;
        *con_cls = cx;
        return MHD_YES;
    }
    if (*upload_size) {
        if (cx->body.len + *upload_size > h->o.max_body) cx->too_large = true;
        else jt_buf_add(&cx->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    const route *r = NULL;
    const char *arg = "";
    unsigned code = find_route(method, url, &r, &arg);
    if (!strcmp(url, "/ping") && !strcmp(method, "GET")) code = 0; /* liveness: no token */
    else if (!token_ok(h, c)) return send_reply(c, detail(401, "missing or wrong bearer token"));
    if (code == 404) return send_reply(c, detail(404, "not found"));
    if (code == 405) return send_reply(c, detail(405, "method not allowed"));
    if (cx->too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body over %zu bytes", h->o.max_body);
        return send_reply(c, detail(413, msg));
    }
    request rq = {h, arg, cx->body.data, cx->body.len};
    return send_reply(c, r->fn(&rq));
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    conn *cx = *con_cls;
    if (!cx) return;
    jt_buf_release(&cx->body);
    free(cx);
    *con_cls = NULL;
}

bool jt_httpd_is_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

int jt_httpd_parse_listen(const char *s, char **addr, unsigned *port, jt_err *err)
{
    *addr = NULL;
    const char *colon = strrchr(s, ':');
    const char *ps = colon ? colon + 1 : s;
    char host[128];
    size_t hn = colon ? (size_t)(colon - s) : 0;
    if (hn >= sizeof host) return jt_err_set(err, "--listen '%s': address too long", s);
    memcpy(host, s, hn);
    host[hn] = '\0';
    if (hn >= 2 && host[0] == '[' && host[hn - 1] == ']') { /* [v6] */
        memmove(host, host + 1, hn - 2);
        host[hn - 2] = '\0';
    }
    if (!*host || !strcmp(host, "localhost")) snprintf(host, sizeof host, "127.0.0.1");
    long v;
    if (jt_parse_long(ps, 0, 65535, &v, "--listen port", err) != 0) return -1;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) != 1 && inet_pton(AF_INET6, host, &a6) != 1)
        return jt_err_set(err, "--listen '%s': '%s' is not a numeric IPv4 or IPv6 address", s,
                          host);
    *addr = jt_xstrdup(host);
    *port = (unsigned)v;
    return 0;
}

int jt_httpd_start(const jt_httpd_opts *o, jt_queue *q, jt_httpd **out, jt_err *err)
{
    *out = NULL;
    jt_httpd *h = calloc(1, sizeof *h);
    if (!h) return jt_err_set(err, "out of memory");
    h->o = *o;
    h->addr = jt_xstrdup(o->addr);
    h->token = o->token ? jt_xstrdup(o->token) : NULL;
    h->q = q;
    pthread_mutex_init(&h->mu, NULL);
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (inet_pton(AF_INET, h->addr, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)o->port);
        sa = (const struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, h->addr, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)o->port);
        sa = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        jt_httpd_stop(h);
        return jt_err_set(err, "'%s' is not a numeric address", o->addr);
    }
    /* A few threads: a validate request waits for its answer without
     * holding up the polls of others. */
    h->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, h,
                            MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE, 4u,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
                            MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (!h->d) {
        jt_err_set(err, "cannot listen on %s port %u (in use, or not an address of this host?)",
                   h->addr, o->port);
        jt_httpd_stop(h);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : o->port;
    *out = h;
    return 0;
}

unsigned jt_httpd_port(const jt_httpd *h) { return h->port; }

int jt_httpd_with_queue(jt_httpd *h, int (*f)(jt_queue *q, void *ctx), void *ctx)
{
    pthread_mutex_lock(&h->mu);
    int rc = f(h->q, ctx);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

void jt_httpd_stop(jt_httpd *h)
{
    if (!h) return;
    if (h->d) MHD_stop_daemon(h->d);
    pthread_mutex_destroy(&h->mu);
    free(h->addr);
    free(h->token);
    free(h);
}
