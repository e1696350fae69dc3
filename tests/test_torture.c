/* Crash torture (issue 9 item 4): a 30-candidate suite run on the model
 * backend, the harness SIGKILLed at >= 12 moments drawn from a seeded PRNG
 * (a random time after start, a random number of journal records later, or
 * right as the k-th temporary file appears, i.e. while run.json or the
 * reports are being written; >= 4 kills in launches that have nothing left
 * to measure), and `--resume`d each time until it
 * completes. After every kill the journal's durable part (up to its last
 * newline) must be a prefix of what follows, with no id twice; at the end
 * every candidate is journaled exactly once with a complete record, no
 * temporary file is left, no process of ours survives, and `jouletrace
 * report` regenerates byte-identical reports in place and in a directory
 * holding only run.json and journal.jsonl.
 *
 *   JT_TORTURE_SEED=N   replay the kill moments of a printed seed
 *
 * Moments come from events (inotify on the run directory, SIGCHLD through a
 * signalfd): nothing waits for time to make anything pass; the deadlines are
 * hang guards only. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "jouletrace/common.h"
#include "support/runenv.h"
#include "support/testutil.h"

#define N_OK 26
#define N_WRONG 2
#define N_CANDIDATES (N_OK + N_WRONG + 2) /* + one that hangs, one that crashes */
#define N_KILLS 12
#define N_LATE_KILLS 4    /* of them, in launches that only write run.json and the reports */
#define MAX_LAUNCHES 100  /* hang guard: kills that miss (the run ended first) retry */
#define HANG_GUARD_S 240.0 /* one launch; a whole run takes seconds */

/* The fixture lives in the Check parent (unchecked fixture), so the temp
 * directory is removed even when a test fails in its forked child. */
static jt_runenv fx;

static void fixture_setup(void)
{
    jt_runenv_init(&fx, NULL, NULL, NULL);
    /* The sandbox's work directories go here: a SIGKILLed harness cannot
     * remove the one of the child it had (the child runs as nobody, hence
     * the 0711 on the way to it). */
    char *tmp = jt_xasprintf("%s/tmp", fx.dir);
    if (chmod(fx.dir, 0711) != 0 || mkdir(tmp, 0711) != 0 || chmod(tmp, 0711) != 0) abort();
    jt_runenv_add(&fx, jt_xasprintf("TMPDIR=%s", tmp));
    free(tmp);
}

static void fixture_teardown(void)
{
    jt_runenv_free(&fx);
}

static void calibrate(void)
{
    if (access(fx.calib, F_OK) == 0) return;
    jt_runenv_calibrate(&fx);
}

/* Short trials, few of them: each candidate takes a fraction of a second. */
static char *write_suite(const char *dir)
{
    jt_buf b = JT_BUF_INIT;
    jt_buf_addf(&b, "suite: torture\n"
                    "defaults: {min_trial_seconds: 0.005, min_trials: 2, energy_measurement_trials: 3,\n"
                    "           timeout_seconds: 20}\n"
                    "test_sets:\n"
                    "  - id: sq\n"
                    "    function_name: f\n"
                    "    test_cases:\n"
                    "      - {test_id: a, inputs: [3], expected_output: 9}\n"
                    "      - {test_id: b, inputs: [-4], expected_output: 16}\n"
                    "candidates:\n");
    for (int i = 0; i < N_OK; i++)
        jt_buf_addf(&b, "  - {id: ok%02d, candidate_code: 'def f(x): return x * x + %d - %d'}\n", i, i, i);
    for (int i = 0; i < N_WRONG; i++)
        jt_buf_addf(&b, "  - {id: wrong%d, candidate_code: 'def f(x): return x + %d'}\n", i, i);
    jt_buf_addf(&b, "  - {id: hang, timeout_seconds: 1,\n"
                    "     candidate_code: \"def f(x):\\n    while True: pass\\n\"}\n"
                    "  - {id: crash, candidate_code: \"import os\\ndef f(x):\\n    os.abort()\\n\"}\n");
    char *path = jt_test_write_file(dir, "torture.yaml", jt_buf_str(&b));
    jt_buf_release(&b);
    return path;
}

static char *path_in(const char *dir, const char *name)
{
    return jt_xasprintf("%s/%s", dir, name);
}

static char *read_in(const char *dir, const char *name)
{
    char *p = path_in(dir, name), *s = jt_test_read_file(p);
    free(p);
    return s;
}

static bool exists_in(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    bool ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

/* ---- one launch of the harness, killed at a planned moment ------------- */

typedef enum { KILL_NEVER, KILL_AT_TIME, KILL_AFTER_RECORDS, KILL_AT_TEMP_FILE } kill_when;
static const char *const kill_names[] = {"never", "at a time", "after records", "at a temp file"};

typedef struct kill_plan {
    kill_when when;
    long ms; /* KILL_AT_TIME: after launch; KILL_AFTER_RECORDS: after the k-th record */
    long k;  /* records appended / temp files created before the kill */
} kill_plan;

/* While candidates remain: a time within the first 1.5 s (a whole run
 * takes about 5), the moment 1-3 more records are durable (+0-40 ms), or
 * the first temp file (run.json at start). Once all are journaled a launch
 * only writes run.json and the reports: the k-th of its 7 temp files, or a
 * time within its first 200 ms. */
static kill_plan draw_plan(gsl_rng *r, bool journal_complete)
{
    kill_plan p = {KILL_NEVER, 0, 0};
    if (!journal_complete) {
        p.when = (kill_when)(1 + gsl_rng_uniform_int(r, 3));
        p.ms = p.when == KILL_AT_TIME ? (long)gsl_rng_uniform_int(r, 1500)
             : p.when == KILL_AFTER_RECORDS ? (long)gsl_rng_uniform_int(r, 40) : 0;
        p.k = p.when == KILL_AFTER_RECORDS ? 1 + (long)gsl_rng_uniform_int(r, 3)
            : p.when == KILL_AT_TEMP_FILE ? 1 : 0;
    } else if (gsl_rng_uniform_int(r, 3) == 0) {
        p.when = KILL_AT_TIME;
        p.ms = (long)gsl_rng_uniform_int(r, 200);
    } else {
        p.when = KILL_AT_TEMP_FILE;
        p.k = 1 + (long)gsl_rng_uniform_int(r, 7);
    }
    return p;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++) n += *s == '\n';
    return n;
}

static size_t journal_lines(const char *run)
{
    char *j = read_in(run, "journal.jsonl");
    size_t n = count_lines(j);
    free(j);
    return n;
}

/* SIGCHLD as an fd to poll (the harness ending, or an orphan it left):
 * blocked while the torture runs; the harness gets it unblocked. */
static int sigchld_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
    int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    ck_assert_int_ge(fd, 0);
    return fd;
}

static void sigchld_release(int fd)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    close(fd);
    ck_assert_int_eq(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
}

static void drain(int fd)
{
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
    }
}

static pid_t spawn_harness(const char *suite, const char *run, const char *log)
{
    bool resume = exists_in(run, "run.json"); /* else it never got that far: start it anew */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigprocmask(SIG_SETMASK, &set, NULL);
        for (int i = 0; fx.envs[i]; i++) putenv(fx.envs[i]);
        int null = open("/dev/null", O_RDWR), lfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(null, 0), dup2(null, 1), dup2(lfd, 2);
        execl(jt_test_binary(), "jouletrace", "run", suite, resume ? "--resume" : "-o", run, "--backend",
              "model", "--quiet", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Runs the harness once; kills it as planned. Returns its wait status. The
 * pid stays ours until waitpid, so the kill can only reach the harness. */
static int launch(int chld, const char *suite, const char *run, const char *log, const kill_plan *plan)
{
    int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    ck_assert_int_ge(ino, 0);
    ck_assert_int_ge(inotify_add_watch(ino, run, IN_CREATE | IN_MODIFY), 0);
    size_t base = journal_lines(run);
    pid_t pid = spawn_harness(suite, run, log);
    double t0 = jt_test_now(), kill_at = plan->when == KILL_AT_TIME ? t0 + (double)plan->ms / 1e3 : INFINITY;
    long temps = 0;
    bool hung = false;
    int st;
    for (;;) {
        double now = jt_test_now();
        if (now >= kill_at || (hung = now - t0 > HANG_GUARD_S)) {
            ck_assert_int_eq(kill(pid, SIGKILL), 0);
            while (waitpid(pid, &st, 0) < 0) ck_assert_int_eq(errno, EINTR);
            break;
        }
        double left = fmin(kill_at, t0 + HANG_GUARD_S) - now;
        struct pollfd fds[2] = {{chld, POLLIN, 0}, {ino, POLLIN, 0}};
        if (poll(fds, 2, (int)ceil(left * 1e3)) < 0 && errno != EINTR)
            ck_abort_msg("poll: %s", strerror(errno));
        drain(chld);
        if (waitpid(pid, &st, WNOHANG) == pid) break; /* it ended by itself */
        char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;
        while ((n = read(ino, buf, sizeof buf)) > 0) {
            for (char *p = buf; p < buf + n;) {
                const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
                p += sizeof *ev + ev->len;
                if (!ev->len) continue;
                if (plan->when == KILL_AT_TEMP_FILE && (ev->mask & IN_CREATE) && strstr(ev->name, ".tmp.") &&
                    ++temps >= plan->k)
                    kill_at = jt_test_now(); /* while it is being written */
                if (plan->when == KILL_AFTER_RECORDS && (ev->mask & IN_MODIFY) &&
                    !strcmp(ev->name, "journal.jsonl") && isinf(kill_at) &&
                    journal_lines(run) >= base + (size_t)plan->k)
                    kill_at = jt_test_now() + (double)plan->ms / 1e3;
            }
        }
    }
    close(ino);
    ck_assert_msg(!hung, "the harness ran for over %.0f s (hang guard)", HANG_GUARD_S);
    return st;
}

/* The harness's sandboxed children die with it: we are a subreaper, so any
 * that outlived it are now our children. Each must end on its own (they
 * were sent SIGKILL as their parent died); one still there after the hang
 * guard survived. Then no process at all may name our temp directory. */
static void reap_orphans(int chld, const char *marker)
{
    for (;;) {
        pid_t w = waitpid(-1, NULL, WNOHANG);
        if (w > 0) continue;
        if (w < 0) {
            ck_assert_int_eq(errno, ECHILD);
            break;
        }
        struct pollfd pf = {chld, POLLIN, 0}; /* w == 0: one is still alive */
        int n = poll(&pf, 1, 30000);          /* hang guard */
        ck_assert_msg(n != 0, "a child of the killed harness survived it (%d processes)",
                      jt_test_count_procs(marker));
        drain(chld);
    }
    ck_assert_int_eq(jt_test_count_procs(marker), 0);
}

/* ---- the journal ------------------------------------------------------- */

typedef struct field {
    const char *key;
    json_type type;
} field;

static const field every_record[] = {
    {"schema_version", JSON_INTEGER}, {"type", JSON_STRING}, {"id", JSON_STRING},
    {"test_set", JSON_STRING}, {"energy_source", JSON_STRING}, {"started", JSON_STRING},
    {"status", JSON_STRING}, {"finished", JSON_STRING}, {NULL, JSON_NULL},
};
static const field candidate_record[] = {
    {"validation", JSON_OBJECT}, {"failures", JSON_ARRAY}, {NULL, JSON_NULL},
};
/* A record with energy figures has what they came from. */
static const field measured_record[] = {
    {"stats", JSON_OBJECT}, {"trials", JSON_ARRAY}, {"flags", JSON_ARRAY}, {NULL, JSON_NULL},
};

static void check_fields(const json_t *rec, const field *f, size_t line)
{
    for (; f->key; f++) {
        json_t *v = json_object_get(rec, f->key);
        ck_assert_msg(v && json_typeof(v) == f->type, "journal line %zu: %s missing or of the wrong type",
                      line, f->key);
    }
}

/* Parses every newline-terminated line of `text` into *recs (an array) and
 * checks each record; no id twice. Returns the length of the durable part. */
static size_t parse_journal(const char *text, json_t **recs, bool complete)
{
    *recs = json_array();
    json_t *seen = json_object();
    size_t pos = 0, line = 0, len = text ? strlen(text) : 0;
    while (pos < len) {
        const char *nl = strchr(text + pos, '\n');
        if (!nl) break; /* a torn tail: only the harness's next open may cut it */
        line++;
        json_error_t je;
        json_t *rec = json_loadb(text + pos, (size_t)(nl - text - pos), 0, &je);
        ck_assert_msg(json_is_object(rec), "journal line %zu does not parse: %s", line, je.text);
        check_fields(rec, every_record, line);
        const char *type = json_string_value(json_object_get(rec, "type"));
        ck_assert_msg(!strcmp(type, "floor") || !strcmp(type, "candidate"), "line %zu: type %s", line, type);
        if (!strcmp(type, "candidate")) check_fields(rec, candidate_record, line);
        if (json_is_object(json_object_get(rec, "energy_metrics"))) {
            check_fields(rec, measured_record, line);
            ck_assert_msg(json_array_size(json_object_get(rec, "trials")) > 0, "line %zu: no trials", line);
        }
        const char *id = json_string_value(json_object_get(rec, "id"));
        ck_assert_msg(!json_object_get(seen, id), "%s journaled twice (line %zu)", id, line);
        json_object_set_new(seen, id, json_true());
        json_array_append_new(*recs, rec);
        pos = (size_t)(nl - text) + 1;
    }
    if (complete) ck_assert_msg(pos == len, "the journal does not end with a newline");
    json_decref(seen);
    return pos;
}

static const char *const report_files[] = {"results.csv", "trials.csv", "leaderboard.csv", "summary.json",
                                           "index.html", NULL};

static int temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* Every report `jouletrace report` writes into `dir` is byte for byte `want`. */
static void regenerates_identically(const char *dir, char *const *want)
{
    char *out = NULL, *err = NULL;
    int rc = jt_runenv_run(&fx, (const char *const[]){"report", "--quiet", dir, NULL}, &out, &err);
    ck_assert_msg(rc == 0, "report %s: %d %s", dir, rc, err);
    free(out), free(err);
    for (size_t i = 0; report_files[i]; i++) {
        char *got = read_in(dir, report_files[i]);
        ck_assert_msg(got && !strcmp(got, want[i]), "%s/%s differs from what the run wrote", dir,
                      report_files[i]);
        free(got);
    }
    ck_assert_msg(!exists_in(dir, "leaderboard_groups.csv"), "leaderboard_groups.csv without groups");
    ck_assert_int_eq(temp_files(dir), 0);
}

static unsigned long torture_seed(void)
{
    const char *s = getenv("JT_TORTURE_SEED");
    if (s && *s) return strtoul(s, NULL, 0);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (unsigned long)ts.tv_sec * 1000003UL ^ (unsigned long)ts.tv_nsec ^ (unsigned long)getpid();
}

START_TEST(sigkilled_and_resumed_until_complete)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* the log keeps every line, also when an assertion exits */
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L), 0);
    calibrate();
    char *suite = write_suite(fx.dir), *run = path_in(fx.dir, "run"), *log = path_in(fx.dir, "harness.log");
    ck_assert_int_eq(mkdir(run, 0755), 0); /* watched from the first launch on */
    unsigned long seed = torture_seed();
    printf("torture seed %lu (JT_TORTURE_SEED=%lu reproduces the kill moments)\n", seed, seed);
    fflush(stdout);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double t0 = jt_test_now();
    int chld = sigchld_fd();

    char *durable = jt_xstrdup(""); /* the journal up to its last newline, after the last launch */
    int kills = 0, late_kills = 0, launches = 0, per_kind[4] = {0}, most_temps = 0;
    for (;;) {
        ck_assert_msg(launches++ < MAX_LAUNCHES, "seed %lu: %d kills after %d launches", seed, kills,
                      MAX_LAUNCHES);
        bool complete = journal_lines(run) == N_CANDIDATES; /* floors are inside the records */
        bool enough = kills >= N_KILLS && late_kills >= N_LATE_KILLS;
        kill_plan plan = enough ? (kill_plan){KILL_NEVER, 0, 0} : draw_plan(r, complete);
        double tl = jt_test_now();
        int st = launch(chld, suite, run, log, &plan);
        printf("launch %2d: kill %-14s (ms %4ld, k %ld): status %3d after %.3f s, %zu journal lines\n",
               launches, kill_names[plan.when], plan.ms, plan.k, st, jt_test_now() - tl, journal_lines(run));
        reap_orphans(chld, fx.dir);
        char *text = read_in(run, "journal.jsonl");
        ck_assert_msg(!strncmp(text ? text : "", durable, strlen(durable)),
                      "seed %lu, launch %d (%s): journaled records were lost or changed", seed, launches,
                      kill_names[plan.when]);
        json_t *recs;
        size_t keep = parse_journal(text, &recs, false);
        json_decref(recs);
        free(durable);
        durable = jt_xstrndup(text ? text : "", keep);
        free(text);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
            kills++;
            late_kills += complete;
            per_kind[plan.when]++;
            int nt = temp_files(run);
            most_temps = nt > most_temps ? nt : most_temps;
            continue;
        }
        char *l = jt_test_read_file(log);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "seed %lu, launch %d: status %d\n%s", seed,
                      launches, st, l ? l : "");
        free(l);
        if (enough) break;
    }
    gsl_rng_free(r);
    sigchld_release(chld);
    printf("torture: %d launches, %d SIGKILLs, %d of them once all was journaled (%d at a time, %d after "
           "records, %d at a temp file; up to %d temp files left at once), %.1f s\n", launches, kills,
           late_kills, per_kind[KILL_AT_TIME], per_kind[KILL_AFTER_RECORDS], per_kind[KILL_AT_TEMP_FILE],
           most_temps, jt_test_now() - t0);

    /* Every candidate once, complete; no separate floor record. */
    char *text = read_in(run, "journal.jsonl");
    json_t *recs;
    parse_journal(text, &recs, true);
    free(text), free(durable);
    json_t *status = json_object();
    size_t i;
    json_t *rec;
    json_array_foreach(recs, i, rec) {
        ck_assert_str_eq(json_string_value(json_object_get(rec, "type")), "candidate");
        const char *id = json_string_value(json_object_get(rec, "id"));
        json_object_set(status, id, json_object_get(rec, "status"));
    }
    ck_assert_uint_eq(json_object_size(status), N_CANDIDATES);
    for (int k = 0; k < N_OK; k++) {
        char id[16];
        snprintf(id, sizeof id, "ok%02d", k);
        ck_assert_msg(json_object_get(status, id), "%s never journaled", id);
    }
    /* the verdicts no timing can change */
    ck_assert_str_eq(json_string_value(json_object_get(status, "wrong0")), "incorrect");
    ck_assert_str_eq(json_string_value(json_object_get(status, "wrong1")), "incorrect");
    ck_assert_str_eq(json_string_value(json_object_get(status, "hang")), "timeout");
    ck_assert_str_eq(json_string_value(json_object_get(status, "crash")), "crashed");
    json_decref(status);
    json_decref(recs);
    char *rj = read_in(run, "run.json");
    json_t *runj = json_loads(rj, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(runj, "status")), "completed");
    json_decref(runj);
    ck_assert_int_eq(temp_files(run), 0);

    /* The reports regenerate identically, in place and from the two source files alone. */
    char *want[6] = {NULL};
    for (size_t k = 0; report_files[k]; k++) {
        want[k] = read_in(run, report_files[k]);
        ck_assert_msg(want[k] != NULL, "the run wrote no %s", report_files[k]);
    }
    regenerates_identically(run, want);
    char *copy = path_in(fx.dir, "copy"), *jl = read_in(run, "journal.jsonl");
    ck_assert_int_eq(mkdir(copy, 0755), 0);
    free(jt_test_write_file(copy, "run.json", rj));
    free(jt_test_write_file(copy, "journal.jsonl", jl));
    regenerates_identically(copy, want);
    for (size_t k = 0; want[k]; k++) free(want[k]);
    free(copy), free(jl), free(rj);
    ck_assert_int_eq(jt_test_count_procs(fx.dir), 0);
    free(suite), free(run), free(log);
}
END_TEST

/* Issue 16 item 1: a last record that lost only its newline (a copy, an
 * editor) is a measurement: --resume keeps it, ends it with the newline and
 * measures only what is missing. */
START_TEST(resume_keeps_a_last_record_without_newline)
{
    calibrate();
    char *suite = jt_test_write_file(fx.dir, "three.yaml",
        "suite: three\n"
        "defaults: {min_trial_seconds: 0.005, min_trials: 2, energy_measurement_trials: 3}\n"
        "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [3], expected_output: 9}]}]\n"
        "candidates:\n"
        "  - {id: a, candidate_code: 'def f(x): return x * x'}\n"
        "  - {id: b, candidate_code: 'def f(x): return x ** 2'}\n"
        "  - {id: c, candidate_code: 'def f(x): return x + x'}\n");
    char *run = path_in(fx.dir, "three"), *jpath = path_in(run, "journal.jsonl");
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", suite, "-o", run, "--backend", "model", "--quiet", NULL};
    ck_assert_msg(jt_runenv_run(&fx, a, &out, &err) == 0, "%s", err);
    free(out), free(err);
    char *full = jt_test_read_file(jpath);
    ck_assert_uint_eq(count_lines(full), 3); /* a, b, c (each with its floor inside) */
    /* drop the last record (c) and the newline of the one before (b) */
    char *last = strrchr(full, '\n');
    *last = '\0';
    char *cut = strrchr(full, '\n');
    *cut = '\0';
    free(jt_test_write_file(run, "journal.jsonl", full));
    const char *r[] = {"run", suite, "--resume", run, "--backend", "model", "--quiet", NULL};
    ck_assert_msg(jt_runenv_run(&fx, r, &out, &err) == 0, "%s", err);
    free(out), free(err);
    char *after = jt_test_read_file(jpath);
    size_t keep = strlen(full);
    ck_assert_msg(!strncmp(after, full, keep) && after[keep] == '\n', "the unterminated record was not kept");
    json_t *recs;
    parse_journal(after, &recs, true);
    ck_assert_uint_eq(json_array_size(recs), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(recs, 1), "id")), "b");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(recs, 2), "id")), "c");
    json_decref(recs);
    free(after), free(full), free(jpath), free(run), free(suite);
}
END_TEST

static Suite *torture_suite(void)
{
    Suite *s = suite_create("torture");
    TCase *tc = tcase_create("sigkill");
    tcase_add_unchecked_fixture(tc, fixture_setup, fixture_teardown);
    tcase_set_timeout(tc, 900); /* hang guard */
    tcase_add_test(tc, resume_keeps_a_last_record_without_newline);
    tcase_add_test(tc, sigkilled_and_resumed_until_complete);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(torture_suite)
