/* The paired harness floor (harness/measure/floor.c; docs/design.md
 * "Floor"): one floor trial of exactly the candidate's iteration count next
 * to every candidate trial, in alternating order; the net of floor is the
 * median of the per-pair differences with its CI, recomputed here from the
 * record's own trials; a candidate that does what the floor does is
 * flagged below_floor; and drift cancels in the pairs where a floor
 * measured once before the candidate would be biased (a meter whose idle
 * power rises linearly with time). */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/energy.h"
#include "jouletrace/energy_backend.h"
#include "jouletrace/engine.h"
#include "jouletrace/report.h"
#include "jouletrace/stats.h"
#include "jouletrace/suite.h"
#include "support/testutil.h"

/* A one-test-case suite f(3) = 9 with code `code`, exactly `trials` trials. */
static jt_suite *one_candidate(const char *code, long trials, double min_trial_seconds)
{
    json_t *req = json_pack("{s:s,s:s,s:[{s:s,s:[i],s:i}],s:f,s:i,s:i,s:f}", "candidate_code",
                            code, "function_name", "f", "test_cases", "test_id", "a", "inputs", 3,
                            "expected_output", 9, "min_trial_seconds", min_trial_seconds,
                            "min_trials", (int)trials, "energy_measurement_trials", (int)trials,
                            "timeout_seconds", 20.0);
    ck_assert_ptr_nonnull(req);
    jt_suite *s = NULL;
    jt_err err = JT_ERR_INIT;
    int rc = jt_suite_from_request(req, "floor", &s, &err);
    ck_assert_msg(rc == 0, "request: %s", jt_err_msg(&err));
    jt_err_clear(&err);
    json_decref(req);
    return s;
}

static jt_energy_meter *open_meter(const jt_energy_ops *ops, const jt_energy_opts *o)
{
    jt_energy_meter *m = NULL;
    jt_err err = JT_ERR_INIT;
    int rc = jt_energy_open_ops(ops, o, &m, &err);
    ck_assert_msg(rc == 0, "open: %s", jt_err_msg(&err));
    jt_err_clear(&err);
    return m;
}

/* Measures s's candidate with its floor on meter m; a measured record. */
static json_t *measure(jt_energy_meter *m, const jt_suite *s)
{
    volatile sig_atomic_t stop = 0;
    jt_engine e = {.meter = m, .measure_cpu = -1, .sandbox_user = "nobody", .seed = 7,
                   .stop = &stop};
    json_t *rec = NULL;
    ck_assert_int_eq(jt_engine_measure(&e, s, &s->candidates[0], true, &rec), JT_ENGINE_DONE);
    ck_assert_ptr_nonnull(rec);
    const char *st = json_string_value(json_object_get(rec, "status"));
    ck_assert_msg(!strcmp(st, "completed") || !strcmp(st, "unstable"), "status %s: %s", st,
                  json_string_value(json_object_get(rec, "error")));
    const char *fs = json_string_value(json_object_get(json_object_get(rec, "floor"), "status"));
    ck_assert_msg(fs && !strcmp(fs, "completed"), "floor %s: %s", fs ? fs : "missing",
                  json_string_value(json_object_get(json_object_get(rec, "floor"), "error")));
    return rec;
}

static double per_iteration(const json_t *trial)
{
    return json_number_value(json_object_get(trial, "total_joules")) /
           (double)json_integer_value(json_object_get(trial, "iterations"));
}

static double median(double *x, size_t n)
{
    for (size_t i = 1; i < n; i++) /* insertion sort: n is small */
        for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
            double t = x[j];
            x[j] = x[j - 1];
            x[j - 1] = t;
        }
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

static bool has_flag(const json_t *rec, const char *flag)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(rec, "flags"), i, f) {
        if (!strcmp(json_string_value(f), flag)) return true;
    }
    return false;
}

#define N_TRIALS 7
#define NET_OF_FLOOR "median_total_energy_net_of_floor_joules"

/* As many floor trials as candidate trials, each of the candidate's
 * iteration count, pair by pair in the order C F, F C, C F, ...; the net of
 * floor and its CI are the median and the CI of the per-pair differences,
 * and below_floor says exactly whether that CI reaches 0. */
START_TEST(floor_trials_pair_the_candidates)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    jt_energy_meter *m = open_meter(&jt_energy_model_ops, &o);
    jt_suite *s =
        one_candidate("def f(x):\n    return 9 + 0 * sum(range(x * 300))\n", N_TRIALS, 0.02);
    json_t *rec = measure(m, s);
    const json_t *fl = json_object_get(rec, "floor"), *ct = json_object_get(rec, "trials"),
                 *ft = json_object_get(fl, "trials"), *stats = json_object_get(rec, "stats");
    json_int_t iters = json_integer_value(json_object_get(stats, "iterations_per_trial"));
    ck_assert_int_gt(iters, 0);
    ck_assert_uint_eq(json_array_size(ct), N_TRIALS);
    ck_assert_uint_eq(json_array_size(ft), N_TRIALS);
    ck_assert_int_eq(json_integer_value(json_object_get(fl, "n_trials")), N_TRIALS);
    ck_assert_int_eq(json_integer_value(json_object_get(fl, "iterations_per_trial")), iters);
    double d[N_TRIALS], f[N_TRIALS];
    for (size_t k = 0; k < N_TRIALS; k++) {
        const json_t *c = json_array_get(ct, k), *t = json_array_get(ft, k);
        ck_assert_int_eq(json_integer_value(json_object_get(c, "iterations")), iters);
        ck_assert_int_eq(json_integer_value(json_object_get(t, "iterations")), iters);
        ck_assert_int_eq(json_integer_value(json_object_get(c, "pair")), (json_int_t)k + 1);
        ck_assert_int_eq(json_integer_value(json_object_get(t, "pair")), (json_int_t)k + 1);
        ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), "candidate");
        ck_assert_str_eq(json_string_value(json_object_get(t, "kind")), "floor");
        /* pair 1 (k = 0): the candidate first; pair 2: the floor first; ... */
        ck_assert(json_is_true(json_object_get(c, "first_in_pair")) == (k % 2 == 0));
        ck_assert(json_is_true(json_object_get(t, "first_in_pair")) == (k % 2 == 1));
        f[k] = per_iteration(t);
        d[k] = per_iteration(c) - f[k];
    }
    jt_stats_ci ci;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_stats_median_ci(d, N_TRIALS, 7, 0, &ci, &err), 0);
    const json_t *net = json_object_get(stats, "net_of_floor_energy");
    double lo = json_number_value(json_object_get(net, "ci95_low"));
    double hi = json_number_value(json_object_get(net, "ci95_high"));
    ck_assert_double_eq_tol(lo, ci.lo, 1e-15);
    ck_assert_double_eq_tol(hi, ci.hi, 1e-15);
    /* in pair order: how far the pairs are from independent */
    ck_assert_double_eq_tol(json_number_value(json_object_get(net, "ci_lag1_autocorrelation")),
                            jt_stats_lag1(d, N_TRIALS), 1e-15);
    double want = median(d, N_TRIALS);
    double got = json_number_value(json_object_get(rec, NET_OF_FLOOR));
    ck_assert_msg(fabs(got - want) <= 1e-12 * fabs(want), "net %.17g, recomputed %.17g", got, want);
    ck_assert(lo <= got && got <= hi);
    double floor_med = json_number_value(json_object_get(rec, "floor_total_energy_joules"));
    ck_assert_double_eq_tol(floor_med, median(f, N_TRIALS), 1e-12 * floor_med);
    ck_assert(has_flag(rec, "below_floor") == (lo <= 0));
    /* the cache check compared with the paired floor */
    ck_assert(json_is_true(json_object_get(json_object_get(rec, "cache_check"), "checked")));
    json_decref(rec);
    jt_suite_free(s);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* A candidate that does what the floor does (returns the expected output)
 * is indistinguishable from the harness: flagged below_floor. A 95 % CI of a
 * zero difference misses 0 in at most 5 % of measurements, so this takes
 * the first of up to three that flags; one that does real work per call
 * (far above the floor) is never flagged. */
START_TEST(a_constant_candidate_is_below_floor)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    jt_energy_meter *m = open_meter(&jt_energy_model_ops, &o);
    jt_suite *same = one_candidate("f = lambda *a: 9\n", 9, 0.02);
    bool flagged = false;
    for (int attempt = 0; attempt < 3 && !flagged; attempt++) {
        json_t *rec = measure(m, same);
        flagged = has_flag(rec, "below_floor");
        json_decref(rec);
    }
    ck_assert_msg(flagged, "a constant candidate was told apart from the harness 3 times");
    jt_suite *work = one_candidate("def f(x):\n    return 9 + 0 * sum(range(x * 3000))\n", 9, 0.02);
    json_t *rec = measure(m, work);
    ck_assert_msg(!has_flag(rec, "below_floor"), "net %g",
                  json_number_value(json_object_get(rec, NET_OF_FLOOR)));
    ck_assert(json_number_value(json_object_get(json_object_get(json_object_get(rec, "stats"),
                                                                "net_of_floor_energy"),
                                                "ci95_low")) > 0);
    json_decref(rec);
    jt_suite_free(same);
    jt_suite_free(work);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* ---- drift ------------------------------------------------------------- */

/* The model with no power of its own plus an idle power that rises by
 * DRIFT_W_PER_S every second from the first window on: a window [t1, t2]
 * holds DRIFT · (t2² − t1²) / 2, so a trial costs more the later it runs,
 * whatever it runs. */
#define DRIFT_W_PER_S 20.0

typedef struct drift {
    void *model;
    double t0; /* the first window's start; NAN before */
} drift;

static int drift_open(jt_energy_backend *b, const jt_energy_opts *o, jt_err *err)
{
    if (jt_energy_model_ops.open(b, o, err)) return -1;
    drift *d = jt_xcalloc(1, sizeof *d);
    d->model = b->priv;
    d->t0 = NAN;
    b->priv = d;
    return 0;
}

static void drift_read(jt_energy_backend *b, const jt_energy_input *in, uint64_t *raw, int *errs)
{
    drift *d = b->priv;
    b->priv = d->model;
    jt_energy_model_ops.read(b, in, raw, errs);
    b->priv = d;
    if (in->cpu_seconds > 0 && isnan(d->t0)) d->t0 = in->t; /* the first window's end */
    double t = isnan(d->t0) ? 0 : in->t - d->t0;
    raw[JT_ENERGY_PACKAGE] += (uint64_t)llround(1e9 * DRIFT_W_PER_S * t * t / 2);
}

static void drift_close(jt_energy_backend *b)
{
    drift *d = b->priv;
    b->priv = d->model;
    jt_energy_model_ops.close(b);
    free(d);
}

static int drift_probe(const jt_energy_opts *o, jt_err *why)
{
    (void)o, (void)why;
    return 0;
}

static const jt_energy_ops drifting = {.name = "drift", .kind = JT_ENERGY_MODEL,
                                       .probe = drift_probe, .open = drift_open,
                                       .read = drift_read, .close = drift_close};

/* A candidate that does what the floor does, on a meter whose only power
 * is the drift: its true net of floor is 0. Against a floor measured once
 * before it (here: the first floor trial) the later trials come out dearer
 * by the drift; against its paired floor trials they do not. */
START_TEST(drift_cancels_in_the_pairs)
{
    jt_energy_opts o;
    jt_energy_opts_init(&o);
    o.model_idle_w = o.model_active_w = o.model_dram_w = 0;
    jt_energy_meter *m = open_meter(&drifting, &o);
    jt_suite *s = one_candidate("f = lambda *a: 9\n", 10, 0.05);
    json_t *rec = measure(m, s);
    const json_t *ct = json_object_get(rec, "trials"),
                 *ft = json_object_get(json_object_get(rec, "floor"), "trials");
    size_t n = json_array_size(ct);
    ck_assert_uint_eq(json_array_size(ft), n);
    double once[16], f1 = per_iteration(json_array_get(ft, 0));
    for (size_t k = 0; k < n && k < 16; k++) once[k] = per_iteration(json_array_get(ct, k)) - f1;
    double biased = median(once, n);
    double paired = json_number_value(json_object_get(rec, NET_OF_FLOOR));
    fprintf(stderr, "drift: paired net %g J, against the first floor trial %g J\n", paired, biased);
    ck_assert_msg(biased > 0, "the drift did not reach the trials: %g", biased);
    ck_assert_msg(fabs(paired) < 0.25 * biased, "paired net %g J vs %g J against a floor measured "
                  "once before", paired, biased);
    json_decref(rec);
    jt_suite_free(s);
    jt_energy_close(m);
    jt_test_sandbox_check_clean();
}
END_TEST

/* ---- reports ----------------------------------------------------------- */

/* The report fixture's journal with `id`'s record carrying a paired floor
 * (its trials named for the pairs) and the flag below_floor. */
static char *journal_with_floor(const char *text, const char *id)
{
    jt_buf b = JT_BUF_INIT;
    char *copy = jt_xstrdup(text), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        json_t *rec = json_loads(l, 0, NULL);
        if (!rec) { /* the fixture's deliberately unreadable line: kept as it is */
            jt_buf_adds(&b, l);
            jt_buf_addc(&b, '\n');
            continue;
        }
        const char *rid = json_string_value(json_object_get(rec, "id"));
        if (rid && !strcmp(rid, id)) {
            json_array_append_new(json_object_get(rec, "flags"), json_string("below_floor"));
            json_t *ft = json_deep_copy(json_object_get(rec, "trials"));
            size_t k;
            json_t *t;
            json_array_foreach(ft, k, t) {
                json_object_set_new(t, "kind", json_string("floor"));
                json_object_set_new(t, "pair", json_integer((json_int_t)k + 1));
                json_object_set_new(t, "first_in_pair", json_boolean(k % 2));
            }
            json_int_t n = (json_int_t)json_array_size(ft);
            json_object_set_new(rec, "floor", json_pack("{s:s,s:s,s:I,s:o}", "floor_key", "square",
                                                        "status", "completed", "n_trials", n,
                                                        "trials", ft));
        }
        char *line = json_dumps(rec, JSON_COMPACT);
        jt_buf_adds(&b, line);
        jt_buf_addc(&b, '\n');
        free(line);
        json_decref(rec);
    }
    free(copy);
    char *out = jt_xstrdup(jt_buf_str(&b));
    jt_buf_release(&b);
    return out;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* below_floor reaches every report: index.html says the candidate cannot be
 * told from the harness, results.csv and the leaderboard carry the flag and
 * the leaderboard still ranks it; trials.csv lists the floor's trials under
 * the candidate they are paired with, kind floor, each with its pair. */
START_TEST(below_floor_in_the_reports)
{
    char *dir = jt_test_tmpdir();
    static const char *const files[] = {"run.json", "journal.jsonl"};
    for (size_t i = 0; i < 2; i++) {
        char *src = jt_xasprintf("%s/tests/fixtures/report/basic/%s", jt_test_srcdir(), files[i]);
        char *text = jt_test_read_file(src);
        ck_assert_msg(text != NULL, "cannot read %s", src);
        char *put = i ? journal_with_floor(text, "sq-slow") : jt_xstrdup(text);
        free(jt_test_write_file(dir, files[i], put));
        free(put), free(text), free(src);
    }
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_reports_write(dir, &err) == 0, "%s", jt_err_msg(&err));
    char *p = jt_xasprintf("%s/index.html", dir), *html = jt_test_read_file(p);
    free(p);
    ck_assert_uint_eq(count(html, "below_floor (indistinguishable from the harness)"), 1);
    p = jt_xasprintf("%s/leaderboard.csv", dir);
    char *board = jt_test_read_file(p);
    free(p);
    const char *row = strstr(board, ",sq-slow,");
    ck_assert_ptr_nonnull(row);
    const char *bol = row;
    while (bol > board && bol[-1] != '\n') bol--;
    const char *eol = strchr(row, '\n');
    char *line = jt_xstrndup(bol, (size_t)(eol - bol));
    ck_assert_msg(strstr(line, "below_floor") && strstr(line, ",square,5,"), "%s", line);
    free(line);
    p = jt_xasprintf("%s/results.csv", dir);
    char *results = jt_test_read_file(p);
    free(p);
    ck_assert_uint_eq(count(results, "below_floor"), 1);
    p = jt_xasprintf("%s/trials.csv", dir);
    char *trials = jt_test_read_file(p);
    free(p);
    ck_assert_uint_eq(count(trials, ",sq-slow,"), 10); /* 5 of its own, 5 of its floor */
    ck_assert_uint_eq(count(trials, ",floor,square,"), 5);
    ck_assert_uint_eq(count(trials, ",floor,square,1,false"), 1);
    ck_assert_uint_eq(count(trials, ",floor,square,2,true"), 1);
    free(html), free(board), free(results), free(trials);
    jt_err_clear(&err);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *floor_suite(void)
{
    Suite *s = suite_create("floor");
    TCase *tc = tcase_create("paired");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, jt_test_sandbox_setup, jt_test_sandbox_teardown);
    tcase_add_test(tc, floor_trials_pair_the_candidates);
    tcase_add_test(tc, a_constant_candidate_is_below_floor);
    tcase_add_test(tc, drift_cancels_in_the_pairs);
    suite_add_tcase(s, tc);
    TCase *rc = tcase_create("reports");
    tcase_add_test(rc, below_floor_in_the_reports);
    suite_add_tcase(s, rc);
    return s;
}

JT_TEST_MAIN(floor_suite)
