/* jouletrace serve — the seed's REST API (httpd.h) over the durable queue
 * (queue.h), with a worker of its own (`jouletrace worker`, started as a
 * child process and started again if it dies) unless --no-worker. The
 * server gives back the tasks of dead workers every few seconds. */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/run_signals.h"
#include "commands/session.h"
#include "commands/worker.h"
#include "jouletrace/clock.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/httpd.h"
#include "jouletrace/queue.h"
#include "jouletrace/service.h"

extern char **environ;

static const char serve_usage[] =
    "usage: jouletrace serve [--listen ADDR:PORT] [--queue URL] [--state DIR]\n"
    "                        [--no-worker] [--token-file F] [--max-queued N]\n"
    "                        [--max-body-bytes N] [--validate-wait S] [--quiet]\n"
    "                        [worker flags: --backend B --allow-uncalibrated ...]\n"
    "\n"
    "Answers the seed service's REST API:\n"
    "  GET  /ping, /api/v1/health, /api/v1/socket0/status\n"
    "  POST /api/v1/measure-socket0 (alias /api/v1/measure)  -> {\"task_id\": ...}\n"
    "  GET  /api/v1/tasks/TASK_ID    queued|running|completed|failed, then the answer\n"
    "  POST /api/v1/validate         correctness only, answered when judged\n"
    "Every request is a task in a durable queue; a worker measures tasks one at a\n"
    "time under the socket-0 lock, each into its own run directory\n"
    "(STATE/service/runs/TASK_ID), as `run` measures a one-candidate suite.\n"
    "\n"
    "  --listen ADDR:PORT  default 127.0.0.1:8000; a non-loopback address needs\n"
    "                      --token-file\n"
    "  --queue URL         sqlite:PATH (default STATE/service/queue.db) or\n"
    "                      redis://HOST[:PORT][/DB] for workers on many hosts\n"
    "  --state DIR         state directory (as --state-dir): calibration, queue, runs\n"
    "  --no-worker         measure nothing here; workers elsewhere serve the queue\n"
    "  --token-file F      clients must send 'Authorization: Bearer <F's content>'\n"
    "                      (all but /ping)\n"
    "  --max-queued N      429 beyond N waiting tasks (default 1000)\n"
    "  --max-body-bytes N  413 beyond (default 8388608)\n"
    "  --validate-wait S   POST /validate answers 202 with the task after S s (60)\n"
    "The worker flags (--backend, --allow-uncalibrated, --calibration,\n"
    "--max-age-days, --measurement-core, --lock-file, --max-power-watts) go to\n"
    "the worker this server starts; see `jouletrace worker --help`.\n"
    "\n"
    "SIGINT/SIGTERM stop the server and its worker (a task being measured is\n"
    "re-run from the start by the next worker, once, and says so).\n"
    "Exit status: 0 stopped, 1 error (queue, listen), 2 usage.\n";

typedef struct serve_args {
    char *addr;
    unsigned port;
    const char *queue_url, *token_file;
    bool no_worker, quiet;
    jt_httpd_opts ho;
    jt_session_flags sf;
    char **wargv; /* the worker's argv: the session flags as given */
    size_t n_wargv;
} serve_args;

static void warg(serve_args *a, const char *s)
{
    a->wargv = jt_xreallocarray(a->wargv, a->n_wargv + 2, sizeof *a->wargv);
    a->wargv[a->n_wargv++] = jt_xstrdup(s);
    a->wargv[a->n_wargv] = NULL;
}

static int parse_args(int argc, char **argv, serve_args *a, jt_err *err)
{
    static const struct option own[] = {
        {"listen", required_argument, NULL, 'l'},
        {"queue", required_argument, NULL, 'Q'},
        {"state", required_argument, NULL, 'S'},
        {"no-worker", no_argument, NULL, 'N'},
        {"token-file", required_argument, NULL, 't'},
        {"max-queued", required_argument, NULL, 'm'},
        {"max-body-bytes", required_argument, NULL, 'b'},
        {"validate-wait", required_argument, NULL, 'w'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct option *longopts = jt_session_longopts(JT_SESSION_HOST | JT_SESSION_BASELINE, own);
    int ch, idx = 0, rc = 0;
    long v;
    const char *listen = "127.0.0.1:8000";
    opterr = 0;
    optind = 1;
    while (rc == 0 && (ch = getopt_long(argc, argv, "qh", longopts, &idx)) != -1) {
        int flag = jt_session_flag(ch, optarg, &a->sf, err);
        if (flag < 0) rc = -1;
        if (flag) { /* passed on to the worker as given */
            char *opt = jt_xasprintf("--%s", longopts[idx].name);
            warg(a, opt);
            free(opt);
            if (longopts[idx].has_arg) warg(a, optarg);
            continue;
        }
        switch (ch) {
        case 'l': listen = optarg; break;
        case 'Q': a->queue_url = optarg; break;
        case 'S':
            a->sf.state_dir = optarg;
            warg(a, "--state-dir");
            warg(a, optarg);
            break;
        case 'N': a->no_worker = true; break;
        case 't': a->token_file = optarg; break;
        case 'm': rc = jt_parse_long(optarg, 1, 10000000, &v, "--max-queued", err);
            a->ho.max_queued = (size_t)v;
            break;
        case 'b': rc = jt_parse_long(optarg, 1024, 1L << 30, &v, "--max-body-bytes", err);
            a->ho.max_body = (size_t)v;
            break;
        case 'w': rc = jt_parse_long(optarg, 0, 3600, &v, "--validate-wait", err);
            a->ho.validate_wait_s = (double)v;
            break;
        case 'q': a->quiet = true; break;
        case 'h': rc = 1; break;
        default: rc = jt_err_set(err, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    free(longopts);
    if (rc) return rc;
    if (optind != argc) return jt_err_set(err, "unexpected argument '%s'", argv[optind]);
    return jt_httpd_parse_listen(listen, &a->addr, &a->port, err);
}

/* The token: the file's first line, without surrounding blanks. */
static char *read_token(const char *path, jt_err *err)
{
    char *text = NULL;
    size_t n = 0;
    if (jt_read_file(path, &text, &n, err) != 0) return NULL;
    char *s = text;
    while (*s == ' ' || *s == '\t') s++;
    size_t len = strcspn(s, "\r\n");
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    char *tok = len ? strndup(s, len) : NULL;
    free(text);
    if (!tok) jt_err_set(err, "--token-file %s: empty", path);
    return tok;
}

/* Starts `jouletrace worker` for this server's queue. -1 when it cannot. */
static pid_t spawn_worker(const serve_args *a, const char *url)
{
    static char prog[] = "jouletrace", cmd[] = "worker", qflag[] = "--queue",
                exit_flag[] = "--exit-with-parent", quiet[] = "--quiet";
    char *url_copy = jt_xstrdup(url);
    char *head[] = {prog, cmd, qflag, url_copy, exit_flag};
    size_t nh = sizeof head / sizeof *head, n = nh + a->n_wargv + 2;
    char **argv = jt_xreallocarray(NULL, n, sizeof *argv);
    size_t k = 0;
    for (size_t i = 0; i < nh; i++) argv[k++] = head[i];
    if (a->quiet) argv[k++] = quiet;
    for (size_t i = 0; i < a->n_wargv; i++) argv[k++] = a->wargv[i];
    argv[k] = NULL;
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ);
    free(argv);
    free(url_copy);
    if (rc != 0) {
        jt_warn("cannot start the worker: %s", strerror(rc));
        return -1;
    }
    return pid;
}

static int recover_cb(jt_queue *q, void *ctx)
{
    size_t *given = ctx;
    jt_err err = JT_ERR_INIT;
    int rc = jt_queue_recover(q, given, &err);
    if (rc != 0) jt_warn("queue: %s", jt_err_msg(&err));
    jt_err_clear(&err);
    return rc;
}

/* Waits (up to 20 s) until the worker has told the queue it is there. */
static void await_worker(jt_queue *q, pid_t pid)
{
    for (int i = 0; i < 200; i++) {
        json_t *w = NULL;
        size_t queued;
        jt_err err = JT_ERR_INIT;
        int rc = jt_queue_status(q, &w, &queued, &err);
        size_t n = rc == 0 ? json_array_size(w) : 0;
        json_decref(w);
        jt_err_clear(&err);
        if (n > 0 || waitpid(pid, NULL, WNOHANG) == pid) return;
        struct timespec step = {0, 100 * 1000 * 1000};
        nanosleep(&step, NULL);
    }
}

static int serve(serve_args *a, jt_err *err)
{
    char *state = jt_worker_state_dir(&a->sf, err);
    if (!state) return JT_EXIT_USAGE;
    char *url = a->queue_url ? jt_xstrdup(a->queue_url) : jt_queue_default_url(state);
    char *token = a->token_file ? read_token(a->token_file, err) : NULL;
    jt_queue *q = NULL;
    jt_httpd *h = NULL;
    pid_t worker = -1;
    int code = JT_EXIT_USAGE;
    if (a->token_file && !token) goto out;
    if (!token && !jt_httpd_is_loopback(a->addr)) {
        jt_err_set(err, "--listen %s is not a loopback address: give --token-file F so that only "
                        "clients with the token can queue code to run here", a->addr);
        goto out;
    }
    code = JT_EXIT_FAILURE;
    if (jt_queue_open(url, &q, err) != 0) goto out;
    size_t given = 0;
    recover_cb(q, &given);
    volatile sig_atomic_t *stop = jt_run_signals_flag();
    jt_run_signals_install();
    if (!a->no_worker) {
        worker = spawn_worker(a, url);
        if (worker > 0) await_worker(q, worker);
    }
    a->ho.addr = a->addr;
    a->ho.port = a->port;
    a->ho.token = token;
    if (jt_httpd_start(&a->ho, q, &h, err) != 0) goto out;
    if (!a->quiet)
        fprintf(stderr, "jouletrace serve: listening on http://%s%s%s:%u/ (queue %s, %s)\n",
                strchr(a->addr, ':') ? "[" : "", a->addr, strchr(a->addr, ':') ? "]" : "",
                jt_httpd_port(h), url, a->no_worker ? "no worker here" : "worker started");
    double last_recover = jt_monotonic_s(), worker_started = jt_monotonic_s();
    while (!*stop) {
        struct timespec step = {0, 200 * 1000 * 1000};
        nanosleep(&step, NULL);
        if (worker > 0 && waitpid(worker, NULL, WNOHANG) == worker) {
            jt_warn("the worker (pid %ld) ended; starting another", (long)worker);
            worker = -1;
            last_recover = 0; /* give its task back now */
        }
        if (jt_monotonic_s() - last_recover >= 2.0) {
            jt_httpd_with_queue(h, recover_cb, &given);
            last_recover = jt_monotonic_s();
        }
        if (!a->no_worker && worker < 0 && jt_monotonic_s() - worker_started >= 1.0) {
            worker = spawn_worker(a, url);
            worker_started = jt_monotonic_s();
        }
    }
    code = JT_EXIT_OK;
out:
    jt_httpd_stop(h);
    if (worker > 0) { /* it stops after the current trial */
        kill(worker, SIGTERM);
        waitpid(worker, NULL, 0);
    }
    jt_queue_close(q);
    free(token);
    free(url);
    free(state);
    return code;
}

int jt_cmd_serve(int argc, char **argv)
{
    serve_args a = {.ho = {.max_body = JT_SERVICE_MAX_BODY, .max_queued = JT_SERVICE_MAX_QUEUED,
                           .validate_wait_s = 60}};
    jt_session_flags_init(&a.sf, "serve");
    jt_err err = JT_ERR_INIT;
    int rc = parse_args(argc, argv, &a, &err), code;
    if (rc) {
        if (rc > 0) fputs(serve_usage, stdout);
        else fprintf(stderr, "jouletrace serve: %s\n%s", jt_err_msg(&err), serve_usage);
        code = rc > 0 ? JT_EXIT_OK : JT_EXIT_USAGE;
    } else {
        code = serve(&a, &err);
        if (code != JT_EXIT_OK) fprintf(stderr, "jouletrace serve: %s\n", jt_err_msg(&err));
    }
    for (size_t i = 0; i < a.n_wargv; i++) free(a.wargv[i]);
    free(a.wargv);
    free(a.addr);
    jt_err_clear(&err);
    return code;
}
