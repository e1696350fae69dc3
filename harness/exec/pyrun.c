/* pyrun: one sandboxed Python runner per candidate (see pyrun.h), built on
 * child.h. This file starts the child (and the judge's), exchanges commands
 * with it and turns its replies and exit causes into verdicts; eval passes
 * and judging are pyrun_eval.c's, the output proof pyrun_proof.c's. The
 * runner itself is the .py files of runners/ (main.py and its modules),
 * started by their loader python_runner.py. */
#include "jouletrace/pyrun.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/pyrun_priv.h"
#include "jouletrace/child.h"
#include "jouletrace/clock.h"
#include "jouletrace/cpuacct.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/modes.h"

/* runners/runner_blob.S, NUL-terminated: the loader (the child's -c
 * program) and the runner's modules, which the loader reads from the
 * command channel. */
extern const char jt_python_runner_loader[];
extern const char jt_python_runner_source[];

#define DEFAULT_PYTHON "/usr/bin/python3"
/* RLIMIT_CPU is a backstop for a harness that stopped supervising, not the
 * timeout: the child lives through load, validation, loop calibration and
 * every trial, each bounded by timeout_seconds on its own. */
#define CPU_BACKSTOP_RUNS 64
/* A child that died with its peak RSS this close to memory_limit_mb most
 * likely died of the limit (an allocation failing where Python cannot raise
 * MemoryError). */
#define NEAR_LIMIT 0.75
/* The cgroup's limit holds for every process of the candidate together. */
#define OOM_REASON "%s: killed at memory_limit_mb (%ld MiB, all its processes together)"
/* Mode command: the runner kills a program at timeout_seconds and replies; our
 * own deadline, the backstop for a runner that does not reply, comes this much
 * later so that a loaded machine's slower reply keeps its precise reason. */
#define COMMAND_GRACE_SECONDS(t) (1.0 + 0.1 * (t))
/* Cross-checks of the child's own run figures against the harness's
 * (jt_run_result.disagreement). Elapsed: the runner reads CLOCK_MONOTONIC
 * (perf_counter_ns) strictly inside our window on the same clock, so an
 * honest figure is never longer; the slack only absorbs rounding. CPU: the
 * harness counts the same process plus the runner's handling of the command
 * and reply (tens of microseconds), a tick of scheduler lag per read (cgroup)
 * or 10 ms clock ticks of reaped children per read (proc), and descendants
 * the child's getrusage cannot see. Waiting for a CPU on a loaded machine
 * adds no CPU time to either side, so honest single-process code stays
 * within a few percent; only a figure below half the harness's, beyond the
 * absolute slack, is a disagreement (patched clocks, work forked away). */
#define ELAPSED_SLACK_SECONDS 1e-3
#define CPU_LOW_RATIO 0.5
#define CPU_SLACK_SECONDS 0.02

static const char *const verdict_names[] = {
    [JT_VERDICT_CORRECT] = "correct",           [JT_VERDICT_INCORRECT] = "incorrect",
    [JT_VERDICT_LOAD_ERROR] = "load_error",     [JT_VERDICT_TIMEOUT] = "timeout",
    [JT_VERDICT_MEMORY_LIMIT] = "memory_limit", [JT_VERDICT_CRASHED] = "crashed",
    [JT_VERDICT_FAILED] = "failed",             [JT_VERDICT_BUILD_FAILED] = "build_failed",
};

const char *jt_verdict_name(jt_verdict v)
{
    return (unsigned)v < sizeof verdict_names / sizeof verdict_names[0] ? verdict_names[v] : "?";
}

/* When we stop waiting for the child in a phase that started now. */
double jt_pyrun_deadline_(const jt_pyrun *r)
{
    return jt_monotonic_s() + r->timeout + (r->command ? COMMAND_GRACE_SECONDS(r->timeout) : 0.0);
}

/* Records the final verdict and ends the child (its captured output stays). */
void jt_pyrun_finish_(jt_pyrun *r, jt_verdict v, jt_child_end why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = NULL;
    if (vasprintf(&line, fmt, ap) < 0) line = jt_xstrdup("?");
    va_end(ap);
    jt_child_kill(&r->child, why);
    free(r->reason);
    r->reason = line;
    r->verdict = v;
    r->done = true;
    r->running = false;
}

static bool near_memory_limit(const jt_pyrun *r)
{
    if (r->memory_limit_mb <= 0) return false;
    const char *err = jt_buf_str(&r->child.err.head);
    if (jt_child_oom_kills(&r->child) > 0) return true; /* the cgroup's limit */
    if (strstr(err, "MemoryError") || strstr(err, "Cannot allocate memory")) return true;
    return (double)r->child.rusage.ru_maxrss >= NEAR_LIMIT * (double)r->memory_limit_mb * 1024;
}

/* The child ended (or has to be ended) while we waited on it in `phase`. */
static void child_lost(jt_pyrun *r, jt_child_io io, const char *phase, const jt_err *err)
{
    if (io == JT_CHILD_IO_TIMEOUT) {
        jt_pyrun_finish_(r, JT_VERDICT_TIMEOUT, JT_CHILD_TIMED_OUT, "%s ran past timeout_seconds (%g s)",
               phase, r->timeout);
        return;
    }
    if (io == JT_CHILD_IO_ERROR) {
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED, "%s: %s", phase, jt_err_msg(err));
        return;
    }
    jt_child_kill(&r->child, JT_CHILD_KILLED); /* normally reaped already */
    char *how = jt_child_describe_end(&r->child);
    if (jt_child_oom_kills(&r->child) > 0) /* the cgroup's OOM killer */
        jt_pyrun_finish_(r, JT_VERDICT_MEMORY_LIMIT, JT_CHILD_KILLED, OOM_REASON, phase,
                         r->memory_limit_mb);
    else switch (r->child.end) {
    case JT_CHILD_TIMED_OUT:
        jt_pyrun_finish_(r, JT_VERDICT_TIMEOUT, JT_CHILD_KILLED, "the runner %s during %s", how, phase);
        break;
    case JT_CHILD_SIGNALED:
        if (near_memory_limit(r))
            jt_pyrun_finish_(r, JT_VERDICT_MEMORY_LIMIT, JT_CHILD_KILLED,
                   "the runner was %s near memory_limit_mb (%ld) during %s", how,
                   r->memory_limit_mb, phase);
        else
            jt_pyrun_finish_(r, JT_VERDICT_CRASHED, JT_CHILD_KILLED, "the runner was %s during %s", how,
                   phase);
        break;
    case JT_CHILD_EXITED:
        if (near_memory_limit(r))
            jt_pyrun_finish_(r, JT_VERDICT_MEMORY_LIMIT, JT_CHILD_KILLED,
                   "the runner ran out of memory (memory_limit_mb %ld) and %s during %s",
                   r->memory_limit_mb, how, phase);
        else
            jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED,
                   "the runner %s during %s (did the candidate exit the process?)", how, phase);
        break;
    default:
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED,
               "the runner stopped answering during %s (%s)", phase, how);
        break;
    }
    free(how);
}

/* Sends one command and waits for its reply, both within the deadline.
 * Returns the parsed reply, or NULL with the verdict recorded. */
json_t *jt_pyrun_exchange_(jt_pyrun *r, json_t *msg, const char *phase, double deadline,
                           bool send, bool recv)
{
    jt_err e = JT_ERR_INIT;
    json_t *reply = NULL;
    char *line = NULL;
    jt_child_io io = JT_CHILD_IO_OK;
    if (send) {
        char *text = json_dumps(msg, JSON_COMPACT);
        if (!text) {
            jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED, "%s: cannot encode the command", phase);
            goto out;
        }
        io = jt_child_send_line(&r->child, text, fmax(deadline - jt_monotonic_s(), 0), &e);
        free(text);
    }
    if (io == JT_CHILD_IO_OK && recv)
        io = jt_child_recv_line(&r->child, fmax(deadline - jt_monotonic_s(), 0), &line, &e);
    if (io != JT_CHILD_IO_OK) {
        child_lost(r, io, phase, &e);
        goto out;
    }
    if (!recv) goto out;
    json_error_t jerr;
    reply = json_loads(line, 0, &jerr);
    if (!json_is_object(reply) || !json_is_boolean(json_object_get(reply, "ok"))) {
        json_decref(reply);
        reply = NULL;
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED, "%s: malformed reply from the runner",
               phase);
    }
out:
    /* A process of the tree killed at the cgroup's memory limit: the
     * candidate went past memory_limit_mb, whatever the runner goes on to say. */
    if (!r->done && jt_child_oom_kills(&r->child) > 0) {
        json_decref(reply);
        reply = NULL;
        jt_pyrun_finish_(r, JT_VERDICT_MEMORY_LIMIT, JT_CHILD_KILLED, OOM_REASON, phase,
                         r->memory_limit_mb);
    }
    free(line);
    jt_err_clear(&e);
    return reply;
}

static const char *str_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static char *dup_or_null(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? jt_xstrdup(s) : NULL;
}

/* An {ok:false} reply: whose fault, and what verdict. */
void jt_pyrun_refused_(jt_pyrun *r, const json_t *reply, jt_verdict candidate_verdict,
                       const char *phase)
{
    const char *type = str_of(reply, "error_type"), *msg = str_of(reply, "message");
    if (json_is_true(json_object_get(reply, "timeout"))) { /* mode command: a program killed */
        jt_pyrun_finish_(r, JT_VERDICT_TIMEOUT, JT_CHILD_TIMED_OUT, "%s ran past timeout_seconds (%g s)%s%s",
               phase, r->timeout, *msg ? ": " : "", msg);
        return;
    }
    if (r->command && !strcmp(type, "BuildError")) {
        jt_pyrun_finish_(r, JT_VERDICT_BUILD_FAILED, JT_CHILD_KILLED, "%s", msg);
        return;
    }
    if (json_is_true(json_object_get(reply, "load"))) { /* loading, or a reload */
        candidate_verdict = JT_VERDICT_LOAD_ERROR;
        if (!r->traceback) r->traceback = dup_or_null(reply, "traceback");
    }
    if (json_is_true(json_object_get(reply, "harness")))
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED, "%s: runner: %s", phase, msg);
    else if (!strcmp(type, "MemoryError"))
        jt_pyrun_finish_(r, JT_VERDICT_MEMORY_LIMIT, JT_CHILD_KILLED, "MemoryError during %s (%ld MiB)",
               phase, r->memory_limit_mb);
    else
        jt_pyrun_finish_(r, candidate_verdict, JT_CHILD_KILLED, "%s%s%s", type, *msg ? ": " : "", msg);
}

/* The runner's text to the loader (python_runner.py): "jouletrace-runner
 * <N>\n", N bytes, "\n" (the line's own). A failure ends the child with
 * its verdict. */
static void send_runner(jt_pyrun *r, const char *source, double deadline)
{
    jt_err e = JT_ERR_INIT;
    char *message = jt_xasprintf("jouletrace-runner %zu\n%s", strlen(source), source);
    jt_child_io io = jt_child_send_line(&r->child, message, fmax(deadline - jt_monotonic_s(), 0), &e);
    if (io != JT_CHILD_IO_OK) child_lost(r, io, "loading", &e);
    free(message);
    jt_err_clear(&e);
}

/* The setup reply speaks our protocol version, else the child is ended. */
static bool same_protocol(jt_pyrun *r, const json_t *reply)
{
    const json_t *v = json_object_get(reply, "protocol");
    if (json_is_integer(v) && json_integer_value(v) == JT_PYRUN_PROTOCOL) return true;
    if (json_is_integer(v))
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED,
               "loading: the runner speaks protocol version %" JSON_INTEGER_FORMAT
               ", this jouletrace %d (a runner from another version?)",
               json_integer_value(v), JT_PYRUN_PROTOCOL);
    else
        jt_pyrun_finish_(r, JT_VERDICT_FAILED, JT_CHILD_KILLED,
               "loading: the runner did not say its protocol version (this jouletrace "
               "speaks %d; a runner from another version?)",
               JT_PYRUN_PROTOCOL);
    return false;
}

/* Starts the child and sends it the runner; *deadline: when loading ends
 * (the phase starts once the child runs). */
static int start_child(jt_pyrun *r, const jt_pyrun_config *cfg, double *deadline, jt_err *err)
{
    const char *python = cfg->python ? cfg->python : DEFAULT_PYTHON;
    const char *dev_runner = getenv("JOULETRACE_PYTHON_RUNNER");
    char *dev_source = NULL;
    /* The development override is read here and sent like the embedded
     * runner: the sandbox's private root hides the file itself. */
    if (dev_runner && *dev_runner) {
        size_t len = 0;
        if (jt_read_file(dev_runner, &dev_source, &len, err) < 0)
            return jt_err_prefix(err, "pyrun: JOULETRACE_PYTHON_RUNNER");
        if (strlen(dev_source) != len) {
            free(dev_source);
            return jt_err_set(err, "pyrun: JOULETRACE_PYTHON_RUNNER '%s' holds a NUL byte",
                              dev_runner);
        }
    }
    /* not -I: it would also ignore PYTHONHASHSEED */
    const char *argv[] = {python, "-s", "-B", "-c", jt_python_runner_loader, NULL};
    r->child.argv = argv; /* borrowed only until jt_child_start returns */
    r->child.protocol = true;
    r->child.memory_limit_mb = cfg->memory_limit_mb;
    r->child.cpu_limit_seconds = 60 + (long)ceil(cfg->timeout_seconds * CPU_BACKSTOP_RUNS);
    r->child.cpu = cfg->cpu;
    r->child.sandbox_user = cfg->sandbox_user;
    r->child.output_cap = cfg->output_cap_bytes;
    r->child.stop = cfg->stop;
    char *tools[3] = {NULL, NULL, NULL}; /* e.g. /opt/py3.12: shown read-only */
    size_t n_tools = jt_pyrun_tool_dirs_(cfg, python, tools);
    const char *ro[4] = {tools[0], tools[1], tools[2], NULL};
    r->child.ro_dirs = n_tools ? ro : NULL;
    int rc = jt_child_start(&r->child, err);
    r->child.argv = NULL;
    r->child.ro_dirs = NULL;
    for (size_t i = 0; i < n_tools; i++) free(tools[i]);
    *deadline = jt_pyrun_deadline_(r);
    if (rc == 0) send_runner(r, dev_source ? dev_source : jt_python_runner_source, *deadline);
    free(dev_source);
    return rc < 0 ? jt_err_prefix(err, "pyrun") : 0;
}

/* A child whose CPU cannot be accounted can still be validated; its runs
 * fail (run_begin). */
static void open_accounting(jt_pyrun *r)
{
    jt_err e = JT_ERR_INIT;
    jt_cpuacct_target t = {.pid = r->child.pid,
                           .namespaced = r->child.namespaced,
                           .cgroup = jt_child_cgroup(&r->child)};
    if (jt_cpuacct_open(&t, &r->acct, &e) != 0) r->acct_error = jt_xstrdup(jt_err_msg(&e));
    jt_err_clear(&e);
}

/* One command of the loading phase; false with the verdict recorded when
 * it was refused or the child is gone. */
static bool load_step(jt_pyrun *r, json_t *msg, double deadline, bool setup)
{
    json_t *reply = jt_pyrun_exchange_(r, msg, "loading", deadline, true, true);
    bool ok = reply != NULL;
    if (ok && setup && !same_protocol(r, reply)) ok = false;
    if (ok && !json_is_true(json_object_get(reply, "ok"))) {
        r->traceback = dup_or_null(reply, "traceback");
        jt_pyrun_refused_(r, reply, JT_VERDICT_LOAD_ERROR, "loading");
        ok = false;
    }
    json_decref(reply);
    return ok;
}

static jt_pyrun *new_pyrun(const jt_pyrun_config *cfg)
{
    jt_pyrun *r = jt_xcalloc(1, sizeof *r);
    jt_child_init(&r->child);
    r->timeout = cfg->timeout_seconds;
    r->memory_limit_mb = cfg->memory_limit_mb;
    r->n_tests = json_array_size(cfg->test_cases);
    return r;
}

/* The judge's child, its runner sent; its handshake is judge_handshake. */
static jt_pyrun *judge_spawn(const jt_pyrun_config *cfg, double *deadline, jt_err *err)
{
    jt_pyrun *r = new_pyrun(cfg);
    r->judge_mode = true;
    if (start_child(r, cfg, deadline, err) < 0) {
        jt_pyrun_free(r);
        return NULL;
    }
    return r;
}

static void judge_handshake(jt_pyrun *j, json_t *setup, double deadline)
{
    json_t *hello = json_pack("{s:s,s:i}", "cmd", "hello", "protocol", JT_PYRUN_PROTOCOL);
    if (!j->done && load_step(j, hello, deadline, true)) load_step(j, setup, deadline, true);
    json_decref(hello);
}

static int check_config(const jt_pyrun_config *cfg, const jt_mode_def *md, jt_err *err)
{
    if ((!cfg->code && !cfg->floor) || (!cfg->function_name && (!md || md->needs_function_name)) ||
        !json_is_array(cfg->test_cases))
        return jt_err_set(err, "pyrun: code, function_name and test_cases are required");
    if (!(cfg->timeout_seconds > 0) || !isfinite(cfg->timeout_seconds))
        return jt_err_set(err, "pyrun: timeout_seconds must be > 0");
    if (cfg->timeout_seconds * CPU_BACKSTOP_RUNS > 1e9)
        return jt_err_set(err, "pyrun: timeout_seconds is too large");
    return 0;
}

int jt_pyrun_start(const jt_pyrun_config *cfg, jt_pyrun **out, jt_err *err)
{
    int rc = -1;
    json_t *msg = NULL;
    jt_pyrun *r = NULL;
    *out = NULL;
    const jt_mode_def *md = cfg->mode ? jt_mode_find(cfg->mode) : jt_mode_default();
    if (check_config(cfg, md, err) != 0) return -1;
    r = new_pyrun(cfg);
    bool code_ok = true;
    msg = jt_pyrun_setup_message_(cfg, &code_ok, err);
    if (!msg) goto out;
    r->script = md->id == JT_MODE_SCRIPT; /* md is known: the setup message checked it */
    r->command = md->id == JT_MODE_COMMAND;
    r->floor = cfg->floor;
    r->test_cases = json_deep_copy(cfg->test_cases);
    /* Only the floor's eval is not judged (its null function is wrong by
     * design); mode script judges in the candidate's process. */
    if (!cfg->floor && !r->script) {
        r->judge_setup = jt_pyrun_judge_message_(cfg);
        r->judge_python = cfg->python ? jt_xstrdup(cfg->python) : NULL;
        r->judge_user = cfg->sandbox_user ? jt_xstrdup(cfg->sandbox_user) : NULL;
        jt_pyrun_config *j = &r->judge_cfg;
        j->python = r->judge_python;
        j->sandbox_user = r->judge_user;
        j->timeout_seconds = cfg->timeout_seconds;
        j->memory_limit_mb = cfg->memory_limit_mb;
        j->cpu = cfg->judge_cpu;
        j->output_cap_bytes = cfg->output_cap_bytes;
        j->stop = cfg->stop;
        j->test_cases = r->test_cases;
    }
    if (!code_ok) {
        jt_pyrun_finish_(r, JT_VERDICT_LOAD_ERROR, JT_CHILD_KILLED, "the code is not valid UTF-8");
    } else {
        double deadline = 0;
        if (start_child(r, cfg, &deadline, err) < 0) goto out;
        open_accounting(r); /* before the candidate's code can fork anything */
        /* The judge boots beside the candidate, on its own CPU (the
         * engine's: the housekeeping one), so its interpreter start costs
         * no time of the candidate's; its handshake finishes before the
         * candidate's loading is timed. One that cannot start is started
         * again at the first judged pass, which reports why it failed. */
        double judge_deadline = 0;
        jt_err judge_err = JT_ERR_INIT;
        if (r->judge_setup && !cfg->adopts_judged)
            r->judge = judge_spawn(&r->judge_cfg, &judge_deadline, &judge_err);
        jt_err_clear(&judge_err);
        /* The candidate is loaded first; its inputs follow in a command of
         * their own, so its top level never sees them (docs/design.md
         * "Judging"). */
        /* hello first, so the clock around setup holds the candidate's
         * loading and not the runner's own imports. */
        json_t *hello = json_pack("{s:s,s:i}", "cmd", "hello", "protocol", JT_PYRUN_PROTOCOL);
        bool up = !r->done && load_step(r, hello, deadline, true);
        json_decref(hello);
        if (up && r->judge) judge_handshake(r->judge, r->judge_setup, judge_deadline);
        double t0 = jt_monotonic_s();
        bool loaded = up && load_step(r, msg, deadline, true);
        r->load_seconds = jt_monotonic_s() - t0;
        if (loaded) {
            json_t *tests = jt_pyrun_tests_message_(cfg);
            json_t *warm = json_pack("{s:s}", "cmd", "warmup");
            if (load_step(r, tests, deadline, false)) load_step(r, warm, deadline, false);
            json_decref(tests);
            json_decref(warm);
        }
    }
    *out = r;
    r = NULL;
    rc = 0;
out:
    json_decref(msg);
    jt_pyrun_free(r);
    return rc;
}

int jt_pyrun_start_judge_(const jt_pyrun_config *cfg, json_t *setup, jt_pyrun **out,
                          jt_err *err)
{
    double deadline = 0;
    *out = judge_spawn(cfg, &deadline, err);
    if (!*out) return -1;
    judge_handshake(*out, setup, deadline);
    return 0;
}

int jt_pyrun_run_begin(jt_pyrun *r, uint64_t iterations, jt_err *err)
{
    if (r->done) return jt_err_set(err, "pyrun: the child is gone: %s", r->reason);
    if (r->running) return jt_err_set(err, "pyrun: a run is already pending");
    if (iterations == 0 || iterations > INT64_MAX)
        return jt_err_set(err, "pyrun: iterations out of range");
    if (!r->acct) return jt_err_set(err, "pyrun: no CPU accounting: %s", r->acct_error);
    if (!r->script && !r->digests) { /* a run proves judged outputs: judge them first */
        jt_validation v;
        if (jt_pyrun_validate(r, &v, err) != 0) return -1;
        bool ok = v.verdict == JT_VERDICT_CORRECT;
        if (!ok) jt_err_set(err, "pyrun: %s", v.reason ? v.reason : jt_verdict_name(v.verdict));
        jt_validation_release(&v);
        if (!ok) return -1;
    }
    if (jt_proof_new_nonce_(r, err) != 0) return -1;
    char nonce[2 * JT_PROOF_NONCE_BYTES + 1];
    jt_proof_nonce_hex_(r, nonce);
    if (jt_cpuacct_mark(r->acct, err) != 0) return jt_err_prefix(err, "pyrun");
    json_t *msg = json_pack("{s:s,s:I,s:s}", "cmd", "run", "iterations", (json_int_t)iterations,
                            "nonce", nonce);
    r->run_deadline = jt_pyrun_deadline_(r);
    r->run_t0 = jt_monotonic_s();
    r->running = true;
    jt_pyrun_exchange_(r, msg, "a run", r->run_deadline, true, false); /* failures surface in run_end */
    json_decref(msg);
    return 0;
}

/* The run's output proof (pyrun_proof.c); false with verdict incorrect
 * recorded when it does not hold. The runner's own account of where its
 * outputs first differed names the iteration when it is plausible; the
 * test named is the one whose chain the harness found broken. */
static bool proof_holds(jt_pyrun *r, const json_t *reply, uint64_t iterations)
{
    jt_err e = JT_ERR_INIT;
    size_t bad = 0;
    int rc = jt_proof_check_(r, reply, iterations, &bad, &e);
    if (rc != 0) {
        const json_t *t = json_array_get(r->test_cases, bad);
        const char *id = json_string_value(json_object_get(t, "test_id"));
        const json_t *mm = json_object_get(reply, "mismatch");
        json_int_t k = json_integer_value(json_object_get(mm, "iteration"));
        const char *mid = json_string_value(json_object_get(mm, "test_id"));
        char *where = mid && id && !strcmp(mid, id) && k >= 0 && (uint64_t)k < iterations
                          ? jt_xasprintf(", iteration %" JSON_INTEGER_FORMAT " of %llu", k + 1,
                                         (unsigned long long)iterations)
                          : jt_xasprintf(" (in one of %llu iterations)",
                                         (unsigned long long)iterations);
        /* what the runner says it saw there: untrusted, for the reader only */
        const char *seen = where[0] == ',' ? json_string_value(json_object_get(mm, "text")) : NULL;
        jt_pyrun_finish_(r, JT_VERDICT_INCORRECT, JT_CHILD_KILLED,
                         "test '%s'%s: %s (docs/design.md \"Output proof\")%s%.200s", id ? id : "?",
                         where, jt_err_msg(&e), seen ? "; the runner reports it got " : "",
                         seen ? seen : "");
        free(where);
    }
    jt_err_clear(&e);
    return rc == 0;
}

static void cross_check(jt_run_result *o)
{
    if (!(o->child_elapsed_seconds <= o->elapsed_seconds + ELAPSED_SLACK_SECONDS))
        o->disagreement |= JT_RUN_CHILD_ELAPSED_HIGH;
    if (!(o->child_cpu_seconds >= CPU_LOW_RATIO * o->cpu_seconds - CPU_SLACK_SECONDS))
        o->disagreement |= JT_RUN_CHILD_CPU_LOW;
}

int jt_pyrun_run_end(jt_pyrun *r, jt_run_result *out, jt_verdict *verdict, jt_err *err)
{
    memset(out, 0, sizeof *out);
    if (!r->running && !r->done) return jt_err_set(err, "pyrun: run_end without run_begin");
    if (!r->done) {
        json_t *reply = jt_pyrun_exchange_(r, NULL, "a run", r->run_deadline, false, true);
        r->running = false;
        double t1 = jt_monotonic_s();
        if (reply && json_is_true(json_object_get(reply, "ok"))) {
            out->iterations = (uint64_t)json_integer_value(json_object_get(reply, "iterations"));
            out->child_elapsed_seconds =
                (double)json_integer_value(json_object_get(reply, "elapsed_ns")) / 1e9;
            out->child_cpu_seconds =
                (double)json_integer_value(json_object_get(reply, "cpu_ns")) / 1e9;
            out->elapsed_seconds = t1 - r->run_t0;
            if (!r->script && out->iterations > 0 && !proof_holds(r, reply, out->iterations)) {
                json_decref(reply);
                *verdict = r->verdict;
                return jt_err_set(err, "%s", r->reason);
            }
            json_decref(reply);
            if (jt_cpuacct_since_mark(r->acct, &out->cpu_seconds, err) != 0) {
                *verdict = JT_VERDICT_FAILED;
                return jt_err_prefix(err, "pyrun");
            }
            cross_check(out);
            return 0;
        }
        if (reply) jt_pyrun_refused_(r, reply, JT_VERDICT_INCORRECT, "a run");
        json_decref(reply);
    }
    *verdict = r->verdict;
    return jt_err_set(err, "%s", r->reason ? r->reason : "the child is gone");
}

double jt_pyrun_load_seconds(const jt_pyrun *r)
{
    return r->load_seconds;
}

int jt_pyrun_pid(const jt_pyrun *r)
{
    return r && r->child.pid > 0 ? (int)r->child.pid : -1;
}

const jt_child *jt_pyrun_child(const jt_pyrun *r)
{
    return r ? &r->child : NULL;
}

void jt_pyrun_free(jt_pyrun *r)
{
    if (!r) return;
    jt_child_release(&r->child);
    jt_cpuacct_free(r->acct); /* after the reap: its cgroup must be empty */
    jt_pyrun_forget_(r);
    json_decref(r->judge_setup);
    json_decref(r->test_cases);
    free(r->judge_python);
    free(r->judge_user);
    free(r->acct_error);
    free(r->reason);
    free(r->traceback);
    free(r);
}
