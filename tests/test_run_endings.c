/* How `jouletrace run` ends when it does not simply finish. Every signal
 * that ends it (SIGINT, SIGTERM, SIGHUP, a second SIGINT, one already pending
 * when it starts) ends it the same way: exit 5, run.json "interrupted",
 * summary.json and index.html for what was measured, no temporary file left,
 * and --resume of the directory works. A report that cannot be written ends
 * it with that failure and exit 1, never a `done:` line. Built binary, model
 * backend, private run environment; states are polled, never slept on. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "support/runenv.h"
#include "support/testutil.h"

/* One candidate whose trials last long enough to be interrupted in one. */
static const char long_suite[] =
    "suite: long\n"
    "defaults: {min_trial_seconds: 8, min_trials: 3, energy_measurement_trials: 3, timeout_seconds: 60}\n"
    "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [3], expected_output: 9}]}]\n"
    "candidates: [{id: a, candidate_code: 'def f(x): return x * x'}]\n";

/* The ending every interrupted run must have; `what` names the case. */
static void assert_interrupted_run(const jt_runenv *e, int st, const char *what)
{
    char *logp = jt_xasprintf("%s/run.log", e->dir), *log = jt_test_read_file(logp);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 5, "%s: status %#x: %s", what, st, log ? log : "");
    ck_assert_msg(log && strstr(log, "jouletrace run: interrupted;") && !strstr(log, "done:"),
                  "%s: %s", what, log ? log : "");
    static const char *const reports[] = {"run.json", "summary.json", "index.html", "results.csv"};
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++) {
        char *p = jt_xasprintf("%s/%s", e->out, reports[i]);
        char *text = jt_test_read_file(p);
        ck_assert_msg(text && *text, "%s: no %s", what, reports[i]);
        if (!strcmp(reports[i], "index.html"))
            ck_assert_msg(strstr(text, "</html>"), "%s: index.html cut short", what);
        free(text), free(p);
    }
    char *rp = jt_xasprintf("%s/run.json", e->out);
    json_t *run = json_load_file(rp, 0, NULL);
    ck_assert_msg(run != NULL, "%s: run.json unreadable", what);
    ck_assert_str_eq(json_string_value(json_object_get(run, "status")), "interrupted");
    json_decref(run);
    free(rp);
    char *sp = jt_xasprintf("%s/summary.json", e->out);
    json_t *sum = json_load_file(sp, 0, NULL);
    ck_assert_msg(sum != NULL, "%s: summary.json not JSON", what);
    json_decref(sum);
    free(sp);
    DIR *d = opendir(e->out);
    ck_assert(d != NULL);
    struct dirent *de;
    while ((de = readdir(d))) ck_assert_msg(!strstr(de->d_name, ".tmp"), "%s: left %s", what, de->d_name);
    closedir(d);
    free(log), free(logp);
}

/* --resume of the interrupted directory is accepted (it starts measuring:
 * it is stopped by SIGTERM in its first trial and ends the same way). */
static void assert_resumable(jt_runenv *e, const char *what)
{
    char *log = jt_xasprintf("%s/run.log", e->dir);
    const char *a[] = {"run", e->suite, "--resume", e->out, "--backend", "model", NULL};
    pid_t pid = jt_runenv_spawn(e, a, log, NULL);
    ck_assert_msg(jt_runenv_await_runner(pid), "%s: the resumed run never measured", what);
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    assert_interrupted_run(e, st, what);
    free(log);
}

/* A run stopped in a trial by `sig` (twice when `twice`). */
static void interrupt_in_a_trial(int sig, int twice, const char *what)
{
    jt_runenv e;
    jt_runenv_init(&e, "long.yaml", long_suite, NULL);
    jt_runenv_calibrate(&e);
    char *log = jt_xasprintf("%s/run.log", e.dir);
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", NULL};
    pid_t pid = jt_runenv_spawn(&e, a, log, NULL);
    ck_assert_msg(jt_runenv_await_runner(pid), "%s: no trial started", what);
    kill(pid, sig);
    if (twice) {
        /* the second once the first has been acted on (the trial's runner is
         * killed): two sent at once would merge into one */
        for (int spins = 0; spins < 3000 && jt_runenv_children_with(pid, JT_RUNENV_RUNNER_MARKER); spins++)
            nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
        kill(pid, sig);
    }
    int st;
    waitpid(pid, &st, 0);
    assert_interrupted_run(&e, st, what);
    assert_resumable(&e, what);
    free(log);
    jt_runenv_free(&e);
}

START_TEST(sighup_ends_like_sigterm)
{
    interrupt_in_a_trial(SIGHUP, 0, "SIGHUP");
}
END_TEST

START_TEST(sigterm_keeps_reports)
{
    interrupt_in_a_trial(SIGTERM, 0, "SIGTERM");
}
END_TEST

START_TEST(second_sigint_still_writes_reports)
{
    interrupt_in_a_trial(SIGINT, 1, "double SIGINT");
}
END_TEST

/* A signal already there when the run starts (before any handler could be
 * installed) ends it before it measures, with the same complete ending. */
START_TEST(signal_before_handlers_leaves_a_resumable_run)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        jt_runenv e;
        jt_runenv_init(&e, "long.yaml", long_suite, NULL);
        jt_runenv_calibrate(&e);
        char *log = jt_xasprintf("%s/run.log", e.dir);
        const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", NULL};
        pid_t pid = jt_runenv_spawn(&e, a, log, &sigs[i]);
        int st;
        waitpid(pid, &st, 0);
        char what[32];
        snprintf(what, sizeof what, "pending signal %d", sigs[i]);
        assert_interrupted_run(&e, st, what);
        assert_resumable(&e, what);
        free(log);
        jt_runenv_free(&e);
    }
}
END_TEST

/* summary.json cannot be written (a non-empty directory holds its name, as
 * a full or read-only disk would refuse it): the failure and exit 1, no
 * `done:`, and no temporary file left behind. */
START_TEST(report_write_failure_is_not_success)
{
    jt_runenv e;
    jt_runenv_init(&e, "one.yaml",
                   "suite: one\n"
                   "defaults: {min_trial_seconds: 0.02, min_trials: 3, energy_measurement_trials: 3}\n"
                   "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [3], expected_output: 9}]}]\n"
                   "candidates: [{id: a, candidate_code: 'def f(x): return x * x'}]\n",
                   NULL);
    jt_runenv_calibrate(&e);
    char *blocker = jt_xasprintf("%s/summary.json", e.out);
    free(jt_test_write_file(blocker, "keep", "x"));
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", NULL};
    int rc = jt_runenv_run(&e, a, &out, &err);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "summary.json") && !strstr(err, "done:"), "%s", err);
    /* the failure is the last line */
    const char *last = err + strlen(err) - 1;
    while (last > err && last[-1] != '\n') last--;
    ck_assert_msg(strstr(last, "summary.json"), "last line: %s", last);
    DIR *d = opendir(e.out);
    ck_assert(d != NULL);
    struct dirent *de;
    while ((de = readdir(d))) ck_assert_msg(!strstr(de->d_name, ".tmp"), "left %s", de->d_name);
    closedir(d);
    free(out), free(err), free(blocker);
    jt_runenv_free(&e);
}
END_TEST

/* A warning raised while the run measures (the reference raised on a test
 * case, which is dropped) is a stderr line then, not only a run.json entry;
 * the rest of the set is still judged and measured. */
START_TEST(warning_during_the_run_reaches_stderr)
{
    jt_runenv e;
    jt_runenv_init(&e, "drop.yaml",
                   "suite: drop\n"
                   "defaults: {min_trial_seconds: 0.02, min_trials: 3, energy_measurement_trials: 3}\n"
                   "test_sets: [{id: s, function_name: f, reference: ref,\n"
                   "             test_cases: [{test_id: ok, inputs: [3]}, {test_id: boom, inputs: [-1]}]}]\n"
                   "candidates:\n"
                   "  - {id: ref, candidate_code: \"def f(x):\\n    assert x >= 0\\n    return x * x\\n\"}\n"
                   "  - {id: a, candidate_code: 'def f(x): return x * x'}\n",
                   NULL);
    jt_runenv_calibrate(&e);
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", "-q", NULL};
    int rc = jt_runenv_run(&e, a, &out, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "jouletrace: warning: test set 's': test case 'boom' dropped: "
                              "the reference gave"), "%s", err);
    char *rp = jt_xasprintf("%s/run.json", e.out);
    char *run = jt_test_read_file(rp);
    ck_assert_msg(run && strstr(run, "test case 'boom' dropped"), "%s", run ? run : "no run.json");
    free(run), free(rp), free(out), free(err);
    jt_runenv_free(&e);
}
END_TEST

/* An idle baseline edited to -500 W: `status` is not ready and `run`
 * refuses, both exit 4 with the same line naming the file and the field. */
START_TEST(corrupt_calibration_refused_by_status_and_run)
{
    jt_runenv e;
    jt_runenv_init(&e, "one.yaml",
                   "suite: one\n"
                   "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [3], expected_output: 9}]}]\n"
                   "candidates: [{id: a, candidate_code: 'def f(x): return x * x'}]\n",
                   NULL);
    jt_runenv_calibrate(&e);
    json_t *cal = json_load_file(e.calib, 0, NULL);
    ck_assert_ptr_nonnull(cal);
    json_object_set_new(json_object_get(cal, "package"), "median_watts", json_real(-500));
    ck_assert_int_eq(json_dump_file(cal, e.calib, 0), 0);
    json_decref(cal);
    char *want = jt_xasprintf("%s: 'package.median_watts' is negative", e.calib);
    char *out = NULL, *err = NULL;
    const char *st[] = {"status", "--backend", "model", NULL};
    int rc = jt_runenv_run(&e, st, &out, &err);
    ck_assert_msg(rc == 4 && strstr(out, "NOT READY") && strstr(out, want), "status %d: %s%s", rc, out, err);
    free(out), free(err);
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", "--quiet", NULL};
    rc = jt_runenv_run(&e, a, &out, &err);
    ck_assert_msg(rc == 4 && strstr(err, want), "run %d: %s", rc, err);
    free(out), free(err), free(want);
    jt_runenv_free(&e);
}
END_TEST

/* --resume of a directory that is not a run (no run.json, or a JSON file
 * that is not one) is a usage error (2) that says so, not the changed-suite
 * code (3). */
START_TEST(resume_of_a_non_run_is_a_usage_error)
{
    jt_runenv e;
    jt_runenv_init(&e, "one.yaml",
                   "suite: one\n"
                   "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [3], expected_output: 9}]}]\n"
                   "candidates: [{id: a, candidate_code: 'def f(x): return x * x'}]\n",
                   NULL);
    for (int variant = 0; variant < 2; variant++) {
        if (variant == 1) free(jt_test_write_file(e.dir, "run.json", "[1, 2]\n"));
        char *out = NULL, *err = NULL;
        const char *a[] = {"run", e.suite, "--resume", e.dir, "--backend", "model", "--allow-uncalibrated", NULL};
        int rc = jt_runenv_run(&e, a, &out, &err);
        ck_assert_msg(rc == 2 && strstr(err, "not a run directory") && strstr(err, e.dir) &&
                          strchr(err, '\n') == err + strlen(err) - 1,
                      "variant %d: exit %d: %s", variant, rc, err);
        free(out), free(err);
    }
    jt_runenv_free(&e);
}
END_TEST

static Suite *run_endings_suite(void)
{
    Suite *s = suite_create("run_endings");
    TCase *tc = tcase_create("signals");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, sighup_ends_like_sigterm);
    tcase_add_test(tc, sigterm_keeps_reports);
    tcase_add_test(tc, second_sigint_still_writes_reports);
    tcase_add_test(tc, signal_before_handlers_leaves_a_resumable_run);
    suite_add_tcase(s, tc);
    TCase *tf = tcase_create("failures");
    tcase_set_timeout(tf, 120);
    tcase_add_test(tf, report_write_failure_is_not_success);
    tcase_add_test(tf, warning_during_the_run_reaches_stderr);
    tcase_add_test(tf, corrupt_calibration_refused_by_status_and_run);
    tcase_add_test(tf, resume_of_a_non_run_is_a_usage_error);
    suite_add_tcase(s, tf);
    return s;
}

JT_TEST_MAIN(run_endings_suite)
