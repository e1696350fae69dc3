/* jouletrace worker — serves the service's queue on this host (worker.h):
 * claims a task, runs it, finishes it with its answer; tells the queue it
 * is alive and whether socket 0 is ready; gives back the tasks of workers
 * that died. */
#include "commands/worker.h"

#include <getopt.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands/commands.h"
#include "commands/run_signals.h"
#include "jouletrace/clock.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/queue.h"
#include "jouletrace/sandbox.h"

/* Seconds between readiness reports while idle: a fresh calibration is seen
 * within 2 s, a stale one within 30 s. */
#define READINESS_EVERY_S 30.0
#define NOT_READY_EVERY_S 2.0

static const char worker_usage[] =
    "usage: jouletrace worker [--queue URL] [--once] [--quiet]\n"
    "                         [--backend B] [--allow-uncalibrated]\n"
    "                         [--state-dir DIR | --calibration F] [--max-age-days D]\n"
    "                         [--measurement-core N] [--lock-file F] [--max-power-watts W]\n"
    "\n"
    "Takes tasks from the queue of `jouletrace serve` one at a time and runs each\n"
    "on this host's socket 0 under the socket-0 lock, as `run` does: a measure\n"
    "task is a one-candidate suite measured into STATE/service/runs/TASK_ID (a run\n"
    "directory: journal, results.csv, index.html), a validate task is judged as\n"
    "`validate` judges. Results carry this host's name and the worker's identity.\n"
    "\n"
    "  --queue URL   sqlite:PATH (default: STATE/service/queue.db, this host's\n"
    "                `serve`) or redis://HOST[:PORT][/DB] (many hosts, one queue)\n"
    "  --once        stop when no task is waiting\n"
    "  --quiet       no line per task on stderr\n"
    "The other flags are `run`'s: they set up this host's measurement, and the\n"
    "calibration checked before every measure task (a missing or stale one fails\n"
    "the task with \"Socket 0 not calibrated\" and the reason).\n"
    "\n"
    "A task this worker was running when it died is given back by the next\n"
    "worker or server that notices (redis: its heartbeat key lapses after 10 s),\n"
    "and re-run from the start once. SIGINT/SIGTERM stop after the current\n"
    "trial; the task is then given back the same way.\n"
    "\n"
    "Exit status: 0 stopped, 1 queue error, 2 usage, 4 host not ready.\n";

/* The readiness report, with the sandbox this worker's candidates get. */
static int beat(jt_queue *q, const jt_worker_opts *o, const char *me, const jt_sandbox *sb,
                const char *state, const char *task, bool *ready, jt_err *err)
{
    json_t *r = jt_worker_readiness(o, state, task);
    if (ready) *ready = json_is_true(json_object_get(r, "ready"));
    json_object_set_new(r, "sandbox", jt_sandbox_json(sb));
    json_object_set_new(r, "isolation", sb->isolation ? json_string(sb->isolation) : json_null());
    int rc = jt_queue_worker_beat(q, me, r, err);
    json_decref(r);
    return rc;
}

static int serve_one(jt_queue *q, const jt_worker_opts *o, const char *me, const jt_sandbox *sb,
                     const char *runs, jt_task *t, volatile sig_atomic_t *stop, jt_err *err)
{
    if (beat(q, o, me, sb, "running", t->id, NULL, err) != 0) return -1;
    if (!o->quiet)
        fprintf(stderr, "jouletrace worker: task %s (%s): started\n", t->id,
                jt_task_kind_name(t->kind));
    double t0 = jt_monotonic_s();
    bool interrupted = false;
    json_t *answer = jt_worker_run_task(o, runs, t->id, (int)t->kind, t->request, me, stop,
                                        &interrupted);
    if (t->note) json_object_set_new(answer, "rerun", json_string(t->note));
    int rc = 0;
    if (!interrupted) { /* an interrupted task is given back (the queue re-runs it) */
        const char *st = json_string_value(json_object_get(answer, "status"));
        int failed = !st || strcmp(st, "completed") != 0;
        rc = jt_queue_finish(q, t, failed ? JT_TASK_FAILED : JT_TASK_COMPLETED, answer, err);
        if (rc == 1) {
            jt_warn("task %s: given back to the queue while it ran here; this result is dropped",
                    t->id);
            rc = 0;
        }
        const char *stab = json_string_value(json_object_get(answer, "stability"));
        char what[64];
        snprintf(what, sizeof what, "%s%s%s%s", st ? st : "?", stab ? " (" : "", stab ? stab : "",
                 stab ? ")" : "");
        if (!o->quiet)
            fprintf(stderr, "jouletrace worker: task %s: %s in %.1f s\n", t->id, what,
                    jt_monotonic_s() - t0);
    }
    json_decref(answer);
    return rc < 0 ? -1 : 0;
}

int jt_worker_loop(const jt_worker_opts *o, volatile sig_atomic_t *stop, jt_err *err)
{
    char *state = jt_worker_state_dir(&o->sf, err);
    if (!state) return JT_EXIT_USAGE;
    char *url = o->queue_url ? jt_xstrdup(o->queue_url) : jt_queue_default_url(state);
    char *runs = jt_xasprintf("%s/service/runs", state);
    char *me = jt_queue_worker_id();
    jt_queue *q = NULL;
    jt_sandbox sb;
    memset(&sb, 0, sizeof sb);
    int code = JT_EXIT_FAILURE;
    if (jt_mkdirs(runs, 0755, err) != 0 || jt_queue_open(url, &q, err) != 0) goto out;
    jt_sandbox_probe("nobody", &sb);
    jt_sandbox_warn(&sb, stderr);
    bool ready = false;
    if (jt_queue_keepalive(q, me, err) != 0 || beat(q, o, me, &sb, "idle", NULL, &ready, err) != 0)
        goto out;
    if (!o->quiet) fprintf(stderr, "jouletrace worker: %s serving %s\n", me, url);
    double last_beat = jt_monotonic_s();
    while (!*stop) {
        size_t given = 0;
        if (jt_queue_recover(q, &given, err) != 0) goto out;
        if (given && !o->quiet)
            fprintf(stderr, "jouletrace worker: %zu task(s) of dead workers given back\n", given);
        if (jt_monotonic_s() - last_beat > (ready ? READINESS_EVERY_S : NOT_READY_EVERY_S)) {
            if (beat(q, o, me, &sb, "idle", NULL, &ready, err) != 0) goto out;
            last_beat = jt_monotonic_s();
        }
        jt_task t;
        int rc = jt_queue_claim(q, me, o->once ? 0 : 1.0, &t, err);
        if (rc < 0) goto out;
        if (rc == 1) {
            if (o->once) break;
            continue;
        }
        rc = serve_one(q, o, me, &sb, runs, &t, stop, err);
        jt_task_release(&t);
        if (rc != 0 || beat(q, o, me, &sb, "idle", NULL, &ready, err) != 0) goto out;
        last_beat = jt_monotonic_s();
    }
    code = JT_EXIT_OK;
out:
    if (q) {
        jt_err lerr = JT_ERR_INIT;
        jt_queue_worker_leave(q, me, &lerr);
        jt_err_clear(&lerr);
    }
    jt_queue_close(q);
    jt_sandbox_release(&sb);
    free(me);
    free(runs);
    free(url);
    free(state);
    return code;
}

int jt_cmd_worker(int argc, char **argv)
{
    static const struct option own[] = {
        {"queue", required_argument, NULL, 'Q'},
        {"once", no_argument, NULL, '1'},
        {"quiet", no_argument, NULL, 'q'},
        {"exit-with-parent", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    jt_worker_opts o = {0};
    jt_session_flags_init(&o.sf, "worker");
    struct option *longopts = jt_session_longopts(JT_SESSION_HOST | JT_SESSION_BASELINE, own);
    jt_err err = JT_ERR_INIT;
    int ch, rc = 0;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        int flag = jt_session_flag(ch, optarg, &o.sf, &err);
        if (flag) rc = flag < 0 ? -1 : 0;
        else if (ch == 'Q') o.queue_url = optarg;
        else if (ch == '1') o.once = true;
        else if (ch == 'q') o.quiet = true;
        else if (ch == 'P') { /* serve's own worker dies with it, even by SIGKILL */
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1) return JT_EXIT_FAILURE;
        }
        else if (ch == 'h') rc = 1;
        else rc = jt_err_set(&err, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    free(longopts);
    if (rc == 0 && optind != argc)
        rc = jt_err_set(&err, "unexpected argument '%s'", argv[optind]);
    if (rc) {
        if (rc > 0) fputs(worker_usage, stdout);
        else fprintf(stderr, "jouletrace worker: %s\n%s", jt_err_msg(&err), worker_usage);
        jt_err_clear(&err);
        return rc > 0 ? JT_EXIT_OK : JT_EXIT_USAGE;
    }
    jt_run_signals_install();
    int code = jt_worker_loop(&o, jt_run_signals_flag(), &err);
    if (code != JT_EXIT_OK) fprintf(stderr, "jouletrace worker: %s\n", jt_err_msg(&err));
    jt_err_clear(&err);
    return code;
}
