/* httpd — the seed service's REST API over libmicrohttpd (docs/design.md
 * "Service"), answering from the queue (queue.h) in the seed's shapes
 * (service.h):
 *   GET  /ping                      liveness
 *   GET  /api/v1/health             queue reachable, workers alive
 *   GET  /api/v1/socket0/status     calibration, isolation, queue readiness
 *   POST /api/v1/measure-socket0    queue a measurement (alias /api/v1/measure)
 *   GET  /api/v1/tasks/{task_id}    queued|running|completed|failed, then the answer
 *   POST /api/v1/validate           correctness only: queued ahead of
 *                                   measurements, answered when judged
 * Errors are {"detail": "...", "field"?: "..."}: 400 malformed JSON, 401
 * without the bearer token (when one is set), 404 unknown task or path, 405
 * wrong method, 413 body over max_body, 422 wrong or missing field, 429
 * queue full, 503 no ready worker ("Socket 0 not calibrated") or the queue
 * unreachable. The queue is used under one mutex (one connection). */
#ifndef JOULETRACE_HTTPD_H
#define JOULETRACE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include "jouletrace/common.h"
#include "jouletrace/queue.h"

typedef struct jt_httpd_opts {
    const char *addr;        /* numeric IPv4 or IPv6 address */
    unsigned port;           /* 0: any free port (jt_httpd_port says which) */
    const char *token;       /* bearer token; NULL: none */
    size_t max_body;         /* bytes */
    size_t max_queued;       /* tasks waiting; 0: no limit */
    double validate_wait_s;  /* POST /validate answers 202 with the task after this */
} jt_httpd_opts;

typedef struct jt_httpd jt_httpd;

/* Whether a numeric address is a loopback one (127.0.0.0/8, ::1). */
bool jt_httpd_is_loopback(const char *addr);
/* "ADDR:PORT", "[V6]:PORT", or ":PORT" / "PORT" (ADDR 127.0.0.1); "localhost"
 * is 127.0.0.1. Fills addr (malloc'd) and port. 0 or -1 (err). */
int jt_httpd_parse_listen(const char *s, char **addr, unsigned *port, jt_err *err);

/* Starts serving (threads of its own); borrows q until jt_httpd_stop. */
int jt_httpd_start(const jt_httpd_opts *o, jt_queue *q, jt_httpd **out, jt_err *err);
unsigned jt_httpd_port(const jt_httpd *h);
/* Runs f(q, ctx) under the queue's mutex (the server's own recovery). */
int jt_httpd_with_queue(jt_httpd *h, int (*f)(jt_queue *q, void *ctx), void *ctx);
void jt_httpd_stop(jt_httpd *h);

#endif
