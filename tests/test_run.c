/* End-to-end tests of `jouletrace calibrate` and `jouletrace run` on the
 * model backend (this VM has no RAPL): outputs, per-iteration semantics,
 * refusals (no calibration, busy lock, changed suite) and SIGKILL + resume. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/journal.h"
#include "jouletrace/lock.h"
#include "jouletrace/report.h"
#include "support/runenv.h"
#include "support/testutil.h"

/* The private environment around tests/fixtures/suites/mini.yaml: small
 * and quick, short trials, few of them. */
static void mini_init(jt_runenv *e)
{
    char *mini = jt_test_fixture("suites/mini.yaml");
    jt_runenv_init(e, "mini.yaml", mini, NULL);
    free(mini);
}

static json_t *load_json(const char *dir, const char *name)
{
    char *p = jt_xasprintf("%s/%s", dir, name);
    json_error_t je;
    json_t *j = json_load_file(p, 0, &je);
    ck_assert_msg(j != NULL, "%s: %s", p, je.text);
    free(p);
    return j;
}

static json_t *find(json_t *cands, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(cands, i, c) if (!strcmp(json_string_value(json_object_get(c, "id")), id)) return c;
    ck_abort_msg("no candidate %s", id);
    return NULL;
}

START_TEST(run_without_calibration_names_the_fix)
{
    jt_runenv e;
    mini_init(&e);
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", NULL};
    ck_assert_int_eq(jt_runenv_run(&e, a, &out, &err), 4);
    ck_assert_msg(strstr(err, "Socket 0 not calibrated") && strstr(err, "jouletrace calibrate"), "%s", err);
    free(out), free(err);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(model_run_end_to_end)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    json_t *cal = json_load_file(e.calib, 0, NULL);
    ck_assert_ptr_nonnull(cal);
    /* the model's idle power is its documented default (10 W), up to its
     * counter's quantum: 1 nJ per read over 0.05 s windows is 4e-8 W
     * (1e-9 was finer than that and failed now and then) */
    double idle_w = json_real_value(json_object_get(json_object_get(cal, "package"), "median_watts"));
    ck_assert_msg(fabs(idle_w - 10.0) < 1e-6, "model idle %.9f W", idle_w);
    json_decref(cal);

    char *out = NULL, *err = NULL;
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", "--quiet", NULL};
    int rc = jt_runenv_run(&e, a, &out, &err);
    ck_assert_msg(rc == 0, "run: %d\n%s", rc, err);
    /* a model run on a VM warns (model, isolcpus, ASLR ...): every warning is
     * one line with the stable prefix */
    size_t warned = 0;
    for (const char *l = err; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
        size_t len = strcspn(l, "\n");
        char *line = jt_xstrndup(l, len);
        if (strcasestr(line, "warning")) {
            ck_assert_msg(!strncmp(line, "jouletrace: warning: ", 21), "warning line: %s", line);
            warned++;
        }
        free(line);
    }
    ck_assert_uint_ge(warned, 1);
    json_t *sum = load_json(e.out, "summary.json");
    json_t *run = load_json(e.out, "run.json");
    ck_assert_str_eq(json_string_value(json_object_get(run, "status")), "completed");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(run, "backend"), "energy_source")), "model");
    ck_assert_ptr_nonnull(json_object_get(run, "host_end"));
    json_t *cands = json_object_get(sum, "candidates");
    ck_assert_uint_eq(json_array_size(cands), 6);
    /* no separate floor records: every measured candidate carries its floor */
    ck_assert_uint_eq(json_array_size(json_object_get(sum, "floors")), 0);

    json_t *w = find(cands, "wrong");
    ck_assert_str_eq(json_string_value(json_object_get(w, "status")), "incorrect");
    ck_assert(json_is_null(json_object_get(w, "energy_metrics"))); /* never measured */
    ck_assert_uint_eq(json_array_size(json_object_get(w, "failures")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(find(cands, "broken"), "status")), "load_error");

    json_t *fast = find(cands, "fast"), *slow = find(cands, "slow");
    const char *st = json_string_value(json_object_get(fast, "status"));
    ck_assert_msg(!strcmp(st, "completed") || !strcmp(st, "unstable"), "%s", st);
    ck_assert_str_eq(json_string_value(json_object_get(fast, "energy_source")), "model");
    json_t *m = json_object_get(fast, "energy_metrics");
    double e_fast = json_number_value(json_object_get(m, "median_total_energy_joules"));
    double e_slow = json_number_value(json_object_get(json_object_get(slow, "energy_metrics"),
                                                      "median_total_energy_joules"));
    double t_fast = json_number_value(json_object_get(m, "median_execution_time_seconds"));
    ck_assert(e_fast > 0 && t_fast > 0);
    ck_assert_msg(e_slow > 20 * e_fast, "slow %g vs fast %g J/iteration", e_slow, e_fast);
    ck_assert(fabs(json_number_value(json_object_get(m, "energy_per_test_case_joules")) - e_fast / 2) < 1e-12);

    /* per-iteration: the median of the trials' total / iterations */
    json_t *trials = json_object_get(fast, "trials");
    ck_assert_uint_ge(json_array_size(trials), 3);
    json_t *t0 = json_array_get(trials, 0);
    double per = json_number_value(json_object_get(t0, "total_joules")) /
                 (double)json_integer_value(json_object_get(t0, "iterations"));
    ck_assert(per > e_fast / 3 && per < e_fast * 3);
    /* the model: net package energy = 15 W x child CPU seconds */
    double net = json_number_value(json_object_get(t0, "package_net_joules"));
    double cpu = json_number_value(json_object_get(t0, "cpu_seconds"));
    ck_assert_msg(fabs(net - 15.0 * cpu) < 1e-6 * (1 + net), "net %g, cpu %g", net, cpu);
    ck_assert_ptr_nonnull(json_object_get(fast, "stop_reason"));
    json_t *flags = json_object_get(fast, "flags");
    ck_assert_str_eq(json_string_value(json_array_get(flags, 0)), "model_estimate");
    ck_assert(json_is_number(json_object_get(fast, "median_total_energy_net_of_floor_joules")));
    json_t *fl = json_object_get(fast, "floor");
    ck_assert_str_eq(json_string_value(json_object_get(fl, "status")), "completed");
    ck_assert_uint_eq(json_array_size(json_object_get(fl, "trials")), json_array_size(trials));

    json_decref(sum);
    json_decref(run);
    free(out), free(err);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(busy_lock_refuses_with_holder)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    jt_lock l;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_lock_acquire(&l, e.lock, "calibrate", NULL, false, NULL, &err), 0);
    char *out = NULL, *er = NULL;
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", NULL};
    ck_assert_int_eq(jt_runenv_run(&e, a, &out, &er), 4);
    char *want = jt_xasprintf("socket 0 is busy: held by pid %d (calibrate", (int)getpid());
    ck_assert_msg(strstr(er, want) != NULL, "%s", er);
    free(want);
    jt_lock_release(&l);
    free(out), free(er);
    jt_runenv_free(&e);
}
END_TEST

static size_t journal_records(const char *dir, json_t **recs)
{
    char *p = jt_xasprintf("%s/journal.jsonl", dir);
    jt_journal_info info;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_journal_read(p, recs, &info, &err), 0);
    free(p);
    return info.records;
}

START_TEST(sigkill_then_resume_measures_each_candidate_once)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    pid_t pid = fork();
    if (pid == 0) {
        jt_test_default_signals();
        for (int i = 0; e.envs[i]; i++) putenv(e.envs[i]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(jt_test_binary(), "jouletrace", "run", e.suite, "-o", e.out, "--backend", "model",
              (char *)NULL);
        _exit(127);
    }
    /* Wait until at least three candidate records are durable. */
    json_t *recs = NULL;
    for (int spins = 0; spins < 6000; spins++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL); /* polling the journal, not sleeping for timing */
        size_t n = journal_records(e.out, &recs);
        json_decref(recs);
        if (n >= 3) break;
    }
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFSIGNALED(st));
    size_t before = journal_records(e.out, &recs);
    json_decref(recs);
    ck_assert_uint_ge(before, 3);
    ck_assert_uint_lt(before, 6);

    char *out = NULL, *err = NULL;
    /* --wait: a sandboxed child the harness was starting when it was killed
     * (between clone and exec it still shares the lock's file description)
     * dies by itself a moment later; only then is the lock free */
    const char *a[] = {"run", e.suite, "--resume", e.out, "--backend", "model", "--quiet", "--wait",
                       NULL};
    int rc = jt_runenv_run(&e, a, &out, &err);
    ck_assert_msg(rc == 0, "resume: %d %s", rc, err);
    journal_records(e.out, &recs);
    json_t *seen = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(recs, i, r) {
        ck_assert_str_eq(json_string_value(json_object_get(r, "type")), "candidate");
        const char *id = json_string_value(json_object_get(r, "id"));
        ck_assert_msg(!json_object_get(seen, id), "%s measured twice", id);
        json_object_set_new(seen, id, json_true());
    }
    ck_assert_uint_eq(json_object_size(seen), 6);
    json_decref(seen);
    json_decref(recs);
    json_t *run = load_json(e.out, "run.json");
    ck_assert_uint_eq(json_array_size(json_object_get(run, "resumes")), 1);
    json_decref(run);
    free(out), free(err);

    /* Nor with other settings: a resumed run measures like the original. */
    const char *shard[] = {"run", e.suite, "--resume", e.out, "--backend", "model", "--shard", "1/2", NULL};
    ck_assert_int_eq(jt_runenv_run(&e, shard, &out, &err), 2);
    ck_assert_msg(strstr(err, "the shard differs from the run being resumed"), "%s", err);
    free(out), free(err);

    /* A changed suite cannot be resumed into this run. */
    free(jt_test_write_file(e.dir, "mini.yaml", "# edited\n"));
    char *mini = jt_test_fixture("suites/mini.yaml");
    char *edited = jt_xasprintf("%s\n  - {id: extra, candidate_code: 'def f(x): return x*x'}\n", mini);
    free(mini);
    free(jt_test_write_file(e.dir, "mini.yaml", edited));
    free(edited);
    ck_assert_int_eq(jt_runenv_run(&e, a, &out, &err), 3);
    ck_assert_msg(strstr(err, "the suite changed") != NULL, "%s", err);
    free(out), free(err);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(shards_merge_into_one_run)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    char *d1 = jt_xasprintf("%s/shard1", e.dir), *d2 = jt_xasprintf("%s/shard2", e.dir),
         *m = jt_xasprintf("%s/merged", e.dir);
    char *out = NULL, *err = NULL;
    const char *a1[] = {"run", e.suite, "-o", d1, "--shard", "1/2", "--backend", "model", "--quiet", NULL};
    const char *a2[] = {"run", e.suite, "-o", d2, "--shard", "2/2", "--backend", "model", "--quiet", NULL};
    ck_assert_int_eq(jt_runenv_run(&e, a1, &out, &err), 0);
    free(out), free(err);
    ck_assert_int_eq(jt_runenv_run(&e, a2, &out, &err), 0);
    free(out), free(err);
    json_t *r1 = NULL, *r2 = NULL;
    size_t n1 = journal_records(d1, &r1), n2 = journal_records(d2, &r2);
    json_decref(r1), json_decref(r2);
    ck_assert_uint_eq(n1 + n2, 6); /* each candidate once; its floor is inside its record */
    /* only shard 1 → a warning names the missing shard */
    const char *half[] = {"merge", d1, "-o", m, NULL};
    ck_assert_int_eq(jt_runenv_run(&e, half, &out, &err), 0);
    ck_assert_msg(strstr(err, "shard 2/2 is missing"), "%s", err);
    free(out), free(err);
    char *m2 = jt_xasprintf("%s/merged2", e.dir);
    const char *all[] = {"merge", d1, d2, "-o", m2, NULL};
    ck_assert_int_eq(jt_runenv_run(&e, all, &out, &err), 0);
    ck_assert_msg(!strstr(err, "missing"), "%s", err);
    free(out), free(err);
    json_t *sum = load_json(m2, "summary.json");
    json_t *cands = json_object_get(sum, "candidates");
    ck_assert_uint_eq(json_array_size(cands), 6);
    ck_assert_ptr_nonnull(json_object_get(json_array_get(cands, 0), "host"));
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(sum, "run"), "merged_from")), 2);
    json_decref(sum);
    /* a run of another suite is refused */
    free(jt_test_write_file(e.dir, "other.yaml",
        "suite: other\ntest_sets: [{id: s, function_name: f, test_cases: [{inputs: [1], expected_output: 1}]}]\n"
        "candidates: [{id: a, candidate_code: 'def f(x): return x'}]\n"));
    char *osuite = jt_xasprintf("%s/other.yaml", e.dir), *d3 = jt_xasprintf("%s/other", e.dir),
         *m3 = jt_xasprintf("%s/merged3", e.dir);
    const char *a3[] = {"run", osuite, "-o", d3, "--backend", "model", "--quiet", NULL};
    ck_assert_int_eq(jt_runenv_run(&e, a3, &out, &err), 0);
    free(out), free(err);
    const char *bad[] = {"merge", d1, d3, "-o", m3, NULL};
    ck_assert_int_eq(jt_runenv_run(&e, bad, &out, &err), 3);
    ck_assert_msg(strstr(err, "is a run of another suite"), "%s", err);
    free(out), free(err);
    free(osuite), free(d3), free(m3), free(m2);
    free(d1), free(d2), free(m);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(memoised_candidate_is_flagged)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    free(jt_test_write_file(e.dir, "memo.yaml",
        "suite: memo\n"
        "defaults: {min_trial_seconds: 0.02, min_trials: 3, energy_measurement_trials: 4}\n"
        "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [3], expected_output: 9}]}]\n"
        "candidates:\n"
        "  - id: cached\n"
        "    candidate_code: |\n"
        "      from functools import lru_cache\n"
        "      @lru_cache(maxsize=None)\n"
        "      def f(x):\n"
        "          s = 0\n"
        "          for i in range(300000): s += i\n"
        "          return x * x\n"
        "  - id: honest\n"
        "    candidate_code: |\n"
        "      def f(x):\n"
        "          return x * x\n"));
    char *suite = jt_xasprintf("%s/memo.yaml", e.dir), *dir = jt_xasprintf("%s/memo-run", e.dir);
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", suite, "-o", dir, "--backend", "model", "--quiet", NULL};
    ck_assert_msg(jt_runenv_run(&e, a, &out, &err) == 0, "%s", err);
    json_t *sum = load_json(dir, "summary.json");
    json_t *cands = json_object_get(sum, "candidates");
    json_t *cached = find(cands, "cached"), *honest = find(cands, "honest");
    ck_assert_msg(json_object_get(cached, "flags") && json_object_get(honest, "flags"),
                  "not measured: %s / %s", json_string_value(json_object_get(cached, "error")),
                  json_string_value(json_object_get(honest, "error")));
    char *fc = json_dumps(json_object_get(cached, "flags"), 0);
    char *fh = json_dumps(json_object_get(honest, "flags"), 0);
    ck_assert_msg(strstr(fc, "memoization_suspected") != NULL, "cached flags %s", fc);
    ck_assert_msg(strstr(fh, "memoization_suspected") == NULL, "honest flags %s", fh);
    /* the journal keeps the evidence, and the suspect is not ranked */
    json_t *recs = NULL;
    size_t n = journal_records(dir, &recs);
    bool seen = false;
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(recs, i);
        const char *id = json_string_value(json_object_get(r, "id"));
        if (!id || strncmp(id, "floor:", 6) == 0) continue;
        bool is_cached = !strcmp(id, "cached");
        const json_t *ev = json_object_get(json_object_get(r, "cache_check"), "evidence");
        ck_assert_msg(is_cached == json_is_string(ev), "%s: evidence %s", id,
                      json_string_value(ev) ? json_string_value(ev) : "none");
        ck_assert_msg(json_is_true(json_object_get(r, "ranked")) == !is_cached, "%s ranked", id);
        seen |= is_cached;
    }
    ck_assert(seen);
    json_decref(recs);
    free(fc), free(fh);
    json_decref(sum);
    free(out), free(err), free(suite), free(dir);
    jt_runenv_free(&e);
}
END_TEST

START_TEST(sigint_during_a_long_trial_stops_promptly)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    free(jt_test_write_file(e.dir, "long.yaml",
        "suite: long\n"
        "defaults: {min_trial_seconds: 1000, min_trials: 3, energy_measurement_trials: 3,\n"
        "           timeout_seconds: 2000}\n"
        "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [3], expected_output: 9}]}]\n"
        "candidates: [{id: a, candidate_code: 'def f(x): return x * x'}]\n"));
    char *suite = jt_xasprintf("%s/long.yaml", e.dir), *dir = jt_xasprintf("%s/long-run", e.dir);
    pid_t pid = fork();
    if (pid == 0) {
        jt_test_default_signals();
        for (int i = 0; e.envs[i]; i++) putenv(e.envs[i]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        char *log = jt_xasprintf("%s/long.log", e.dir);
        int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(lfd, 2);
        execl(jt_test_binary(), "jouletrace", "run", suite, "-o", dir, "--backend", "model", (char *)NULL);
        _exit(127);
    }
    /* wait (polling) until the sandboxed runner exists: a trial is under way */
    for (int spins = 0; spins < 3000 && jt_runenv_children_with(pid, JT_RUNENV_RUNNER_MARKER) == 0; spins++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ck_assert_int_gt(jt_runenv_children_with(pid, JT_RUNENV_RUNNER_MARKER), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kill(pid, SIGINT);
    int st;
    waitpid(pid, &st, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    char *logp = jt_xasprintf("%s/long.log", e.dir), *log = jt_test_read_file(logp);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 5, "status %d: %s", st, log ? log : "");
    free(log), free(logp);
    /* A trial (and each probe of the loop calibration) would last 1000 s:
     * only the SIGINT can have ended the run, whatever phase it met; how
     * soon depends on the machine's load (the test case's timeout is the
     * hang guard), so the figure is shown, not compared. */
    fprintf(stderr, "stopped %.2f s after SIGINT\n", secs);
    json_t *run = load_json(dir, "run.json");
    ck_assert_str_eq(json_string_value(json_object_get(run, "status")), "interrupted");
    json_decref(run);
    json_t *sum = load_json(dir, "summary.json"); /* reports are written for what is done */
    json_decref(sum);
    free(suite), free(dir);
    jt_runenv_free(&e);
}
END_TEST

/* The example command suite measured end to end (docs/design.md "Suite format", command
 * candidates): the correct programs are measured (C with a build step, a
 * Python script, a shell script), the wrong one and the one that does not
 * compile are not, and the test set's floor (/bin/true per test) is there. */
START_TEST(command_suite_is_measured)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    char *suite = jt_xasprintf("%s/suites/examples/commands.yaml", jt_test_srcdir());
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", suite, "-o", e.out, "--backend", "model", "--quiet", NULL};
    int rc = jt_runenv_run(&e, a, &out, &err);
    ck_assert_msg(rc == 0, "run: %d\n%s", rc, err);
    json_t *sum = load_json(e.out, "summary.json");
    json_t *cands = json_object_get(sum, "candidates");
    ck_assert_uint_eq(json_array_size(cands), 5);
    const char *measured[] = {"wc-c", "wc-python", "wc-shell"};
    for (size_t i = 0; i < 3; i++) {
        json_t *c = find(cands, measured[i]);
        const char *st = json_string_value(json_object_get(c, "status"));
        ck_assert_msg(!strcmp(st, "completed") || !strcmp(st, "unstable"), "%s: %s (%s)",
                      measured[i], st, json_string_value(json_object_get(c, "error")));
        json_t *m = json_object_get(c, "energy_metrics");
        ck_assert_msg(json_number_value(json_object_get(m, "median_total_energy_joules")) > 0,
                      "%s: no energy", measured[i]);
    }
    /* the programs' CPU reaches the model: four python3 starts per iteration
     * cost well over 10 ms of CPU, the runner's four spawns a millisecond or two */
    json_t *t0 = json_array_get(json_object_get(find(cands, "wc-python"), "trials"), 0);
    double cpu = json_number_value(json_object_get(t0, "cpu_seconds"));
    double iters = (double)json_integer_value(json_object_get(t0, "iterations"));
    ck_assert_msg(iters > 0 && cpu / iters > 0.01, "cpu %g s over %g iterations", cpu, iters);
    json_t *lines = find(cands, "wc-lines"), *broken = find(cands, "wc-c-broken");
    ck_assert_str_eq(json_string_value(json_object_get(lines, "status")), "incorrect");
    ck_assert(json_is_null(json_object_get(lines, "energy_metrics")));
    ck_assert_str_eq(json_string_value(json_object_get(broken, "status")), "build_failed");
    ck_assert(json_is_null(json_object_get(broken, "energy_metrics")));
    const char *why = json_string_value(json_object_get(broken, "error"));
    ck_assert_msg(why && strstr(why, "missing_function"), "%s", why ? why : "(null)");
    for (size_t i = 0; i < 3; i++) { /* each measured program's paired floor ran */
        json_t *fl = json_object_get(find(cands, measured[i]), "floor");
        const char *fs = json_string_value(json_object_get(fl, "status"));
        ck_assert_msg(fs && !strcmp(fs, "completed"), "%s floor: %s (%s)", measured[i],
                      fs ? fs : "none", json_string_value(json_object_get(fl, "error")));
    }
    json_decref(sum);
    free(out), free(err), free(suite);
    jt_runenv_free(&e);
}
END_TEST


static Suite *run_suite(void)
{
    Suite *s = suite_create("run");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, run_without_calibration_names_the_fix);
    tcase_add_test(tc, model_run_end_to_end);
    tcase_add_test(tc, busy_lock_refuses_with_holder);
    tcase_add_test(tc, sigkill_then_resume_measures_each_candidate_once);
    tcase_add_test(tc, shards_merge_into_one_run);
    tcase_add_test(tc, memoised_candidate_is_flagged);
    tcase_add_test(tc, sigint_during_a_long_trial_stops_promptly);
    tcase_add_test(tc, command_suite_is_measured);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(run_suite)
