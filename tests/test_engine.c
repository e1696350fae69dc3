/* The trial engine (harness/measure/engine*.c) on the model backend behind a
 * meter whose reads fail on purpose: a rejected window is repeated, a meter
 * that rejects every window ends the candidate with the cause named and the
 * next candidate is measured as usual, an interrupt drops the record and
 * leaves no child, and every status survives its name table.
 *
 * The failing meter is the model backend wrapped in a test backend
 * (jt_energy_open_ops): the same energies, with reads number `from` to `to`
 * (the meter's own first read at open is number 1; each trial window then
 * takes two, one per edge) made to fail in one of several ways. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jouletrace/energy.h"
#include "jouletrace/energy_backend.h"
#include "jouletrace/engine.h"
#include "jouletrace/report.h"
#include "jouletrace/status.h"
#include "jouletrace/suite.h"
#include "jouletrace/summary.h"
#include "support/testutil.h"

/* ---- a meter whose reads fail ------------------------------------------ */

typedef enum fault {
    FAULT_EIO,       /* the package read fails (EIO: a register the part lacks) */
    FAULT_DRAM_EIO,  /* the DRAM read fails; the package is fine */
    FAULT_JUMP,      /* the package jumps a megajoule per read: over any power ceiling */
    FAULT_BACKWARDS, /* the package runs backwards (a counter without a range) */
} fault;

typedef struct script {
    fault kind;
    unsigned from, to; /* reads from..to fail (1-based; to 0: every later one) */
} script;

typedef struct fake {
    void *model; /* the model backend's own state */
    const script *sc;
    unsigned reads;
} fake;

static int fake_open(jt_energy_backend *b, const jt_energy_opts *o, jt_err *err, const script *sc)
{
    if (jt_energy_model_ops.open(b, o, err)) return -1;
    fake *f = jt_xcalloc(1, sizeof *f);
    f->model = b->priv;
    f->sc = sc;
    b->priv = f;
    return 0;
}

static void fake_read(jt_energy_backend *b, const jt_energy_input *in, uint64_t *raw, int *errs)
{
    fake *f = b->priv;
    b->priv = f->model;
    jt_energy_model_ops.read(b, in, raw, errs);
    b->priv = f;
    unsigned k = ++f->reads;
    if (k < f->sc->from || (f->sc->to && k > f->sc->to)) return;
    switch (f->sc->kind) {
    case FAULT_EIO: errs[JT_ENERGY_PACKAGE] = EIO; break;
    case FAULT_DRAM_EIO: errs[JT_ENERGY_DRAM] = EIO; break;
    case FAULT_JUMP: raw[JT_ENERGY_PACKAGE] += (uint64_t)k * 1000000000000000ULL; break;
    case FAULT_BACKWARDS: raw[JT_ENERGY_PACKAGE] = (uint64_t)1 << 62 >> (k % 60); break;
    }
}

static void fake_close(jt_energy_backend *b)
{
    fake *f = b->priv;
    b->priv = f->model;
    jt_energy_model_ops.close(b);
    free(f);
}

static int fake_probe(const jt_energy_opts *o, jt_err *why)
{
    (void)o, (void)why;
    return 0;
}

/* One backend per script (open() gets no context). Not an estimate, so the
 * meter judges its reads as it judges hardware (power ceiling included). */
#define FAKE_BACKEND(NAME, KIND, FROM, TO)                                                    \
    static const script NAME##_script = {KIND, FROM, TO};                                     \
    static int NAME##_open(jt_energy_backend *b, const jt_energy_opts *o, jt_err *err)        \
    {                                                                                         \
        return fake_open(b, o, err, &NAME##_script);                                          \
    }                                                                                         \
    static const jt_energy_ops NAME = {.name = "fake", .kind = JT_ENERGY_MODEL,              \
                                       .probe = fake_probe, .open = NAME##_open,              \
                                       .read = fake_read, .close = fake_close}

FAKE_BACKEND(first_window_end_fails, FAULT_EIO, 3, 3);
FAKE_BACKEND(four_windows_fail, FAULT_EIO, 2, 9);
FAKE_BACKEND(always_eio, FAULT_EIO, 2, 0);
FAKE_BACKEND(always_dram_eio, FAULT_DRAM_EIO, 2, 0);
FAKE_BACKEND(always_jumps, FAULT_JUMP, 2, 0);
FAKE_BACKEND(always_backwards, FAULT_BACKWARDS, 2, 0);
FAKE_BACKEND(never_fails, FAULT_EIO, 1000000, 1000000);

static jt_energy_meter *open_fake(const jt_energy_ops *ops)
{
    jt_energy_meter *m = NULL;
    jt_err err = JT_ERR_INIT;
    int rc = jt_energy_open_ops(ops, NULL, &m, &err);
    ck_assert_msg(rc == 0, "open: %s", jt_err_msg(&err));
    jt_err_clear(&err);
    return m;
}

/* ---- the engine around it ---------------------------------------------- */

/* A one-candidate suite: f(x) = x*x with code `code`, exactly `trials`
 * trials (min_trials = energy_measurement_trials) of short windows. */
static jt_suite *one_candidate(const char *code, long trials, double timeout)
{
    json_t *req = json_pack("{s:s,s:s,s:[{s:s,s:[i],s:i},{s:s,s:[i],s:i}],s:f,s:i,s:i,s:f}",
                            "candidate_code", code, "function_name", "f", "test_cases",
                            "test_id", "a", "inputs", 3, "expected_output", 9, "test_id", "b",
                            "inputs", 4, "expected_output", 16, "min_trial_seconds", 0.01,
                            "min_trials", (int)trials, "energy_measurement_trials", (int)trials,
                            "timeout_seconds", timeout);
    ck_assert_ptr_nonnull(req);
    jt_suite *s = NULL;
    jt_err err = JT_ERR_INIT;
    int rc = jt_suite_from_request(req, "engine", &s, &err);
    ck_assert_msg(rc == 0, "request: %s", jt_err_msg(&err));
    jt_err_clear(&err);
    json_decref(req);
    return s;
}

#define SQUARE "def f(x):\n    return x * x\n"

typedef struct ctx {
    volatile sig_atomic_t *stop;
    size_t stop_after; /* set *stop after this many trials (0: never) */
    size_t trials_seen;
} ctx;

static void on_trial(void *p, const char *id, size_t trial, size_t max)
{
    (void)id, (void)max;
    ctx *c = p;
    c->trials_seen++;
    if (c->stop_after && trial >= c->stop_after) *c->stop = 1;
}

static jt_engine engine_on(jt_energy_meter *m, volatile sig_atomic_t *stop, ctx *c)
{
    jt_engine e = {.meter = m, .calib = NULL, .measure_cpu = -1, .judge_cpu = -1,
                   .sandbox_user = "nobody",
                   .seed = 1, .stop = stop, .on_trial = on_trial, .ctx = c};
    return e;
}

static const char *str(const json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

static json_int_t retried(const json_t *rec)
{
    json_t *v = json_object_get(json_object_get(rec, "stats"), "retried_samples");
    ck_assert_msg(json_is_integer(v), "no stats.retried_samples");
    return json_integer_value(v);
}

/* Measures s's candidate; asserts the engine finished with a record. */
static json_t *measure_ok(jt_engine *e, const jt_suite *s)
{
    json_t *rec = NULL;
    ck_assert_int_eq(jt_engine_measure(e, s, &s->candidates[0], false, &rec), JT_ENGINE_DONE);
    ck_assert_ptr_nonnull(rec);
    return rec;
}

static bool measured(const json_t *rec)
{
    jt_status st;
    return jt_status_parse(str(rec, "status"), &st, NULL) == 0 && jt_status_measured(st);
}

/* ---- retry and give-up ------------------------------------------------- */

/* The first window's end read fails: that window is measured again, so the
 * candidate still gets all of its trials, each with a real energy. */
START_TEST(rejected_window_is_repeated)
{
    volatile sig_atomic_t stop = 0;
    ctx c = {&stop, 0, 0};
    jt_energy_meter *m = open_fake(&first_window_end_fails);
    jt_engine e = engine_on(m, &stop, &c);
    jt_suite *s = one_candidate(SQUARE, 3, 10);
    json_t *rec = measure_ok(&e, s);
    ck_assert_msg(measured(rec), "status %s: %s", str(rec, "status"), str(rec, "error"));
    ck_assert(json_is_null(json_object_get(rec, "error")));
    ck_assert_int_eq(retried(rec), 1);
    json_t *trials = json_object_get(rec, "trials");
    ck_assert_uint_eq(json_array_size(trials), 3);
    ck_assert_uint_eq(c.trials_seen, 3);
    size_t i;
    json_t *t;
    json_array_foreach(trials, i, t) {
        ck_assert_int_eq(json_integer_value(json_object_get(t, "trial")), (json_int_t)i + 1);
        ck_assert_msg(json_number_value(json_object_get(t, "package_raw_joules")) > 0,
                      "trial %zu has no energy", i + 1);
    }
    json_decref(rec);
    jt_suite_free(s);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* A meter that rejects every window: the candidate ends `failed` with the
 * meter's own reason for the last window, not a generic failure; its
 * validation (it is correct) is kept. */
static const struct {
    const jt_energy_ops *ops;
    const char *cause;
} give_up[] = {
    {&always_eio, "package: model: idle + active CPU time: register not available (EIO)"},
    {&always_dram_eio, "dram: model: constant: register not available (EIO)"},
    {&always_jumps, "above the bound of 1000 W (the default bound"},
    {&always_backwards, "counter went backwards and has no known range (sample rejected)"},
};

START_TEST(every_window_rejected_names_the_cause)
{
    volatile sig_atomic_t stop = 0;
    ctx c = {&stop, 0, 0};
    jt_energy_meter *m = open_fake(give_up[_i].ops);
    jt_engine e = engine_on(m, &stop, &c);
    jt_suite *s = one_candidate(SQUARE, 3, 10);
    json_t *rec = measure_ok(&e, s);
    ck_assert_str_eq(str(rec, "status"), "failed");
    const char *error = str(rec, "error");
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, "no usable sample in 4 consecutive windows") != NULL, "%s", error);
    ck_assert_msg(strstr(error, give_up[_i].cause) != NULL, "'%s' does not name '%s'", error,
                  give_up[_i].cause);
    ck_assert(json_is_true(json_object_get(json_object_get(rec, "validation"), "is_correct")));
    ck_assert(json_is_null(json_object_get(rec, "energy_metrics")));
    ck_assert_uint_eq(c.trials_seen, 0);
    json_decref(rec);
    jt_suite_free(s);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* Four rejected windows in a row end one candidate; the meter recovers and
 * the next candidate is measured as if nothing had happened. */
START_TEST(run_goes_on_after_a_candidate_gives_up)
{
    volatile sig_atomic_t stop = 0;
    ctx c = {&stop, 0, 0};
    jt_energy_meter *m = open_fake(&four_windows_fail);
    jt_engine e = engine_on(m, &stop, &c);
    jt_suite *s = one_candidate(SQUARE, 3, 10);
    json_t *first = measure_ok(&e, s);
    ck_assert_str_eq(str(first, "status"), "failed");
    ck_assert_ptr_nonnull(strstr(str(first, "error"), "register not available (EIO)"));
    json_t *second = measure_ok(&e, s);
    ck_assert_msg(measured(second), "status %s: %s", str(second, "status"), str(second, "error"));
    ck_assert_int_eq(retried(second), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(second, "trials")), 3);
    json_decref(first);
    json_decref(second);
    jt_suite_free(s);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* ---- interrupts -------------------------------------------------------- */

/* Stopped between trials (what SIGINT does): no record, no child left. */
START_TEST(interrupt_between_trials_drops_the_record)
{
    volatile sig_atomic_t stop = 0;
    ctx c = {&stop, 1, 0};
    jt_energy_meter *m = open_fake(&never_fails);
    jt_engine e = engine_on(m, &stop, &c);
    jt_suite *s = one_candidate(SQUARE, 5, 10);
    json_t *sentinel = json_object(), *rec = sentinel; /* the engine must clear it */
    ck_assert_int_eq(jt_engine_measure(&e, s, &s->candidates[0], false, &rec),
                     JT_ENGINE_INTERRUPTED);
    ck_assert_ptr_null(rec);
    ck_assert_uint_eq(c.trials_seen, 1);
    jt_test_sandbox_check_clean();
    /* With its paired floor: the same way out, the floor child gone too. */
    stop = 0;
    c.trials_seen = 0;
    rec = sentinel;
    ck_assert_int_eq(jt_engine_measure(&e, s, &s->candidates[0], true, &rec),
                     JT_ENGINE_INTERRUPTED);
    ck_assert_ptr_null(rec);
    ck_assert_uint_eq(c.trials_seen, 1);
    json_decref(sentinel);
    jt_suite_free(s);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* What SIGINT does in `run`: a handler sets the flag the engine watches,
 * and the signal interrupts the harness's wait on the child. A handler
 * reaches no context, hence the one static. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct interrupter {
    pthread_t main_thread;
    atomic_bool engine_returned;
} interrupter;

/* Sends SIGINT, once, to the main thread as soon as the engine's child
 * exists: the candidate never returns, so only the interrupt can end its
 * validation. Once is enough wherever it lands: during a wait on the child
 * it interrupts the wait; anywhere else (the child still being set up) the
 * next wait sees the flag before it blocks (child_io.c's ppoll). */
static void *interrupt_when_child_runs(void *p)
{
    interrupter *it = p;
    struct timespec poll = {0, 5000000};
    while (jt_test_count_procs(NULL) == 0 && !atomic_load(&it->engine_returned))
        nanosleep(&poll, NULL);
    pthread_kill(it->main_thread, SIGINT);
    return NULL;
}

START_TEST(interrupt_during_validation_kills_the_child)
{
    interrupted = 0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait must see EINTR */
    sigemptyset(&sa.sa_mask);
    ck_assert_int_eq(sigaction(SIGINT, &sa, &old), 0);
    ctx c = {&interrupted, 0, 0};
    jt_energy_meter *m = open_fake(&never_fails);
    jt_engine e = engine_on(m, &interrupted, &c);
    jt_suite *s = one_candidate("def f(x):\n    while True:\n        pass\n", 3, 1000);
    interrupter it = {.main_thread = pthread_self()};
    atomic_init(&it.engine_returned, false);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, interrupt_when_child_runs, &it), 0);
    json_t *sentinel = json_object(), *rec = sentinel; /* the engine must clear it */
    jt_engine_outcome o = jt_engine_measure(&e, s, &s->candidates[0], false, &rec);
    atomic_store(&it.engine_returned, true);
    pthread_join(th, NULL);
    sigaction(SIGINT, &old, NULL);
    ck_assert_int_eq(interrupted, 1);
    ck_assert_int_eq(o, JT_ENGINE_INTERRUPTED);
    ck_assert_ptr_null(rec);
    ck_assert_uint_eq(c.trials_seen, 0);
    json_decref(sentinel);
    jt_suite_free(s);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* Already stopped: nothing is judged, nothing journalled. */
START_TEST(interrupt_before_start)
{
    volatile sig_atomic_t stop = 1;
    ctx c = {&stop, 0, 0};
    jt_energy_meter *m = open_fake(&never_fails);
    jt_engine e = engine_on(m, &stop, &c);
    jt_suite *s = one_candidate(SQUARE, 3, 10);
    json_t *sentinel = json_object(), *rec = sentinel; /* the engine must clear it */
    ck_assert_int_eq(jt_engine_measure(&e, s, &s->candidates[0], false, &rec),
                     JT_ENGINE_INTERRUPTED);
    ck_assert_ptr_null(rec);
    ck_assert_uint_eq(c.trials_seen, 0);
    json_decref(sentinel);
    jt_suite_free(s);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* ---- the status table -------------------------------------------------- */

START_TEST(statuses_round_trip)
{
    size_t recorded = 0;
    for (int i = 0; i < JT_STATUS_COUNT; i++) {
        const char *name = jt_status_name((jt_status)i);
        ck_assert_str_ne(name, "?");
        for (int j = 0; j < i; j++) ck_assert_str_ne(name, jt_status_name((jt_status)j));
        jt_status back = JT_STATUS_COUNT;
        jt_err err = JT_ERR_INIT;
        if (jt_status_parse(name, &back, &err) == 0) {
            ck_assert_int_eq(back, i);
            recorded++;
        } else {
            /* Only the two words no record carries are refused. */
            ck_assert(i == JT_STATUS_CORRECT || i == JT_STATUS_INTERRUPTED);
            char *want = jt_xasprintf("status '%s' is never recorded", name);
            ck_assert_str_eq(jt_err_msg(&err), want);
            free(want);
        }
        jt_err_clear(&err);
    }
    ck_assert_uint_eq(recorded, JT_STATUS_COUNT - 2);
    ck_assert_str_eq(jt_status_name(JT_STATUS_COUNT), "?");
}
END_TEST

START_TEST(status_parse_refuses_unknown_names)
{
    static const char *const bad[] = {"Completed", "complete", "", "completed ", "unknown"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jt_status st = JT_STATUS_FAILED;
        jt_err err = JT_ERR_INIT;
        ck_assert_int_eq(jt_status_parse(bad[i], &st, &err), -1);
        ck_assert_int_eq(st, JT_STATUS_FAILED); /* untouched */
        char *want = jt_xasprintf("unknown status '%s'", bad[i]);
        ck_assert_str_eq(jt_err_msg(&err), want);
        free(want);
        jt_err_clear(&err);
    }
    jt_err err = JT_ERR_INIT;
    jt_status st;
    ck_assert_int_eq(jt_status_parse(NULL, &st, &err), -1);
    ck_assert_str_eq(jt_err_msg(&err), "no status");
    jt_err_clear(&err);
}
END_TEST

/* Only measured statuses are ranked; verdicts map onto their statuses. */
START_TEST(status_properties)
{
    for (int i = 0; i < JT_STATUS_COUNT; i++)
        ck_assert_int_eq(jt_status_measured((jt_status)i),
                         i == JT_STATUS_COMPLETED || i == JT_STATUS_UNSTABLE);
    for (int v = 0; v < JT_VERDICT_COUNT; v++)
        ck_assert_str_eq(jt_status_name(jt_status_of_verdict((jt_verdict)v)),
                         jt_verdict_name((jt_verdict)v));
}
END_TEST

/* Statuses read back from a journal go through the table: a name it does
 * not know (a hand edit, a newer build) is counted as "unknown" in the
 * summary and never ranked; a known one keeps its name. */
START_TEST(journal_statuses_are_parsed)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "run.json", "{\"schema_version\": 1}\n"));
    free(jt_test_write_file(dir, "journal.jsonl",
                            "{\"type\":\"candidate\",\"id\":\"a\",\"status\":\"completed\"}\n"
                            "{\"type\":\"candidate\",\"id\":\"b\",\"status\":\"compelted\"}\n"
                            "{\"type\":\"candidate\",\"id\":\"c\",\"status\":\"interrupted\"}\n"
                            "{\"type\":\"candidate\",\"id\":\"d\",\"status\":7}\n"
                            "{\"type\":\"candidate\",\"id\":\"e\",\"status\":\"timeout\"}\n"));
    json_t *sum = NULL;
    jt_err err = JT_ERR_INIT;
    int rc = jt_summary_build(dir, &sum, &err);
    ck_assert_msg(rc == 0, "%s", jt_err_msg(&err));
    json_t *counts = json_object_get(sum, "status_counts");
    ck_assert_int_eq(json_integer_value(json_object_get(counts, "completed")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(counts, "timeout")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(counts, "unknown")), 3);
    ck_assert_uint_eq(json_object_size(counts), 3);
    json_decref(sum);
    jt_test_tmpdir_free(dir);
    ck_assert(jt_report_status_ranked("completed"));
    ck_assert(jt_report_status_ranked("unstable"));
    static const char *const unranked[] = {"compelted", "interrupted", "correct", "failed", ""};
    for (size_t i = 0; i < sizeof unranked / sizeof unranked[0]; i++)
        ck_assert_msg(!jt_report_status_ranked(unranked[i]), "%s ranked", unranked[i]);
    ck_assert(!jt_report_status_ranked(NULL));
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("trials");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, jt_test_sandbox_setup, jt_test_sandbox_teardown);
    tcase_add_test(tc, rejected_window_is_repeated);
    tcase_add_loop_test(tc, every_window_rejected_names_the_cause, 0,
                        sizeof give_up / sizeof give_up[0]);
    tcase_add_test(tc, run_goes_on_after_a_candidate_gives_up);
    tcase_add_test(tc, interrupt_between_trials_drops_the_record);
    tcase_add_test(tc, interrupt_during_validation_kills_the_child);
    tcase_add_test(tc, interrupt_before_start);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("status");
    tcase_add_test(st, statuses_round_trip);
    tcase_add_test(st, status_parse_refuses_unknown_names);
    tcase_add_test(st, status_properties);
    tcase_add_test(st, journal_statuses_are_parsed);
    suite_add_tcase(s, st);
    return s;
}

JT_TEST_MAIN(engine_suite)
