/* Leaderboards (harness/report/rank.c, groups.c) on constructed results
 * rows with known answers: ranks, tie groups (ratio CI and the CI-overlap
 * fallback), ratios, Mann–Whitney p, Benjamini–Hochberg "better than
 * reference", latest-per-candidate, the host check and the group board.
 *
 * Every candidate's trials are v · (0.98, 0.99, 1.00, 1.01, 1.02), so its
 * median is exactly v and its order-statistic CI (n = 5) is [0.98v, 1.02v].
 * Expected p and q values were computed independently with python3's stdlib
 * (itertools.combinations over the 252 orderings of two samples of 5):
 *   all of a below all of b: exact two-sided p = 2/252;
 *   U = 15 of 25 (one sample shifted up by 0.5 % or 1 %): p = 0.6904761904761905,
 *   so the one-sided p of "lower" is 1 − p/2 = 0.6547619047619048;
 *   BH over (1/252, 1/252, 0.6547…, 1 − 1/252): q = (2/252, 2/252,
 *   0.873015873015873, 0.996031746031746). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/report.h"
#include "support/testutil.h"

#define ck_near(got, want, tol)                                                           \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        if (isnan(w_))                                                                    \
            ck_assert_msg(isnan(g_), "%s = %.17g, expected NaN", #got, g_);               \
        else                                                                              \
            ck_assert_msg(fabs(g_ - w_) <= (tol), "%s = %.17g, expected %.17g", #got, g_, w_); \
    } while (0)

static const char *const cols[] = {
    "csv_schema", "test_set", "test_set_reference", "candidate", "group", "status", "is_correct",
    "median_total_energy_joules", "ci95_low_total_energy_joules", "ci95_high_total_energy_joules",
    "median_execution_time_seconds", "n_trials", "energy_source", "host", "cpu_model",
    "run_started", "finished", "trial_total_energy_joules", "judged_in_process",
};
enum { C_SCHEMA, C_TS, C_REF, C_CAND, C_GROUP, C_STATUS, C_OK, C_MED, C_LO, C_HI, C_TIME, C_N,
       C_SRC, C_HOST, C_CPU, C_RUN, C_FIN, C_SAMPLES, C_JIP, C_COUNT };

typedef struct row {
    const char *ts, *ref, *cand, *group, *status;
    double v;           /* median; NAN: not measured */
    bool samples;       /* write trial_total_energy_joules */
    const char *host;   /* NULL: "lab-01" */
    const char *finished;
} row;

static void add(jt_csv_table *t, const row *r)
{
    static const double spread[] = {0.98, 0.99, 1.00, 1.01, 1.02};
    size_t i = jt_csv_add_row(t);
    jt_csv_set(t, i, C_SCHEMA, "1");
    jt_csv_set(t, i, C_TS, r->ts);
    jt_csv_set(t, i, C_REF, r->ref);
    /* Raw, as jt_csv_parse keeps a file's bytes (jt_csv_set would repair them). */
    t->cells[i * t->ncols + C_CAND] = jt_xstrdup(r->cand);
    jt_csv_set(t, i, C_GROUP, r->group);
    jt_csv_set(t, i, C_STATUS, r->status);
    bool measured = !isnan(r->v);
    jt_csv_set(t, i, C_OK, measured || !strcmp(r->status, "completed") ? "true" : "false");
    jt_csv_set(t, i, C_SRC, "powercap");
    jt_csv_set(t, i, C_HOST, r->host ? r->host : "lab-01");
    jt_csv_set(t, i, C_CPU, "Xeon");
    jt_csv_set(t, i, C_RUN, "2026-01-10T08:00:00Z");
    jt_csv_set(t, i, C_FIN, r->finished ? r->finished : "2026-01-10T09:00:00Z");
    if (!strcmp(r->cand, "E")) jt_csv_set(t, i, C_JIP, "true"); /* judged by scripts */
    if (!strcmp(r->cand, "C")) jt_csv_set(t, i, C_JIP, "false");
    if (!measured) return;
    jt_csv_set_num(t, i, C_MED, r->v);
    jt_csv_set_num(t, i, C_LO, 0.98 * r->v);
    jt_csv_set_num(t, i, C_HI, 1.02 * r->v);
    jt_csv_set_num(t, i, C_TIME, r->v / 10);
    jt_csv_set(t, i, C_N, "5");
    if (!r->samples) return;
    jt_buf b = JT_BUF_INIT;
    for (size_t k = 0; k < 5; k++) {
        char num[32];
        jt_csv_format_num(spread[k] * r->v, num);
        jt_buf_addf(&b, "%s%s", k ? ";" : "", num);
    }
    jt_csv_set(t, i, C_SAMPLES, jt_buf_str(&b));
    jt_buf_release(&b);
}

/* A board from rows[0..n), ranked with the default resamples. */
static void board_of(const row *rows, size_t n, jt_report_board *b, bool rank)
{
    jt_csv_table t;
    jt_csv_init(&t, cols, C_COUNT);
    for (size_t i = 0; i < n; i++) add(&t, &rows[i]);
    jt_err err = JT_ERR_INIT;
    *b = (jt_report_board)JT_REPORT_BOARD_INIT;
    ck_assert_msg(jt_report_board_add(b, &t, "test.csv", &err) == 0, "%s", jt_err_msg(&err));
    jt_csv_free(&t);
    if (rank) jt_report_board_rank(b, 0);
}

static const jt_report_entry *find(const jt_report_board *b, const char *cand)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->e[i].candidate, cand)) return &b->e[i];
    ck_abort_msg("candidate %s not on the board", cand);
    return NULL;
}

/* Input order deliberately not the energy order; F and G are not ranked. */
#define SET(samples)                                                                        \
    {                                                                                       \
        {"t", "C", "E", NULL, "completed", 4.0, samples, NULL, NULL},                       \
        {"t", "C", "F", NULL, "incorrect", NAN, samples, NULL, NULL},                       \
        {"t", "C", "C", NULL, "completed", 2.0, samples, NULL, NULL},                       \
        {"t", "C", "A", NULL, "completed", 1.0, samples, NULL, NULL},                       \
        {"t", "C", "D", NULL, "unstable", 2.01, samples, NULL, NULL},                       \
        {"t", "C", "G", NULL, "timeout", NAN, samples, NULL, NULL},                         \
        {"t", "C", "B", NULL, "completed", 1.005, samples, NULL, NULL},                     \
    }

START_TEST(ranks_and_ties_with_samples)
{
    const row rows[] = SET(true);
    jt_report_board b;
    board_of(rows, sizeof rows / sizeof rows[0], &b, true);
    static const char *const order[] = {"A", "B", "C", "D", "E", "F", "G"};
    static const size_t rank[] = {1, 2, 3, 4, 5, 0, 0}, tie[] = {1, 1, 2, 2, 3, 0, 0};
    ck_assert_uint_eq(b.n, 7);
    for (size_t i = 0; i < 7; i++) {
        ck_assert_str_eq(b.e[i].candidate, order[i]);
        ck_assert_uint_eq(b.e[i].rank, rank[i]);
        ck_assert_uint_eq(b.e[i].tie_group, tie[i]);
    }
    const jt_report_entry *a = find(&b, "A"), *c = find(&b, "C"), *e = find(&b, "E");
    ck_near(a->ratio_best, 1, 0);
    ck_assert(isnan(a->ratio_best_lo) && isnan(a->p_best) && a->tie_method == JT_TIE_NONE);
    ck_near(c->ratio_best, 2.0, 1e-12);
    ck_assert(c->ratio_best_lo > 1.9 && c->ratio_best_hi < 2.1 && c->ratio_best_lo < 2.0);
    ck_near(c->p_best, 2.0 / 252, 1e-12);
    ck_assert_int_eq(c->tie_method, JT_TIE_RATIO_CI);
    ck_near(find(&b, "B")->p_best, 0.6904761904761905, 1e-12);
    ck_assert(find(&b, "B")->ratio_above_lo <= 1 && find(&b, "B")->ratio_above_hi >= 1);
    ck_near(e->ratio_above, 4.0 / 2.01, 1e-12);
    /* Reference C. */
    ck_near(c->ratio_ref, 1, 0);
    ck_assert_int_eq(c->better_ref, -1);
    ck_assert(isnan(c->p_better_ref));
    ck_near(a->ratio_ref, 0.5, 1e-12);
    ck_near(a->p_better_ref, 1.0 / 252, 1e-12);
    ck_near(a->q_better_ref, 2.0 / 252, 1e-12);
    ck_near(find(&b, "B")->q_better_ref, 2.0 / 252, 1e-12);
    ck_near(find(&b, "D")->p_better_ref, 0.6547619047619048, 1e-12);
    ck_near(find(&b, "D")->q_better_ref, 0.873015873015873, 1e-12);
    ck_near(e->q_better_ref, 0.996031746031746, 1e-12);
    ck_assert_int_eq(a->better_ref, 1);
    ck_assert_int_eq(find(&b, "B")->better_ref, 1);
    ck_assert_int_eq(find(&b, "D")->better_ref, 0);
    ck_assert_int_eq(e->better_ref, 0);
    /* Not ranked: nothing computed. */
    const jt_report_entry *f = find(&b, "F");
    ck_assert(isnan(f->ratio_best) && isnan(f->ratio_ref) && f->better_ref == -1);
    jt_report_board_free(&b);
}
END_TEST

/* Without trial samples (a hand-edited results.csv): plain ratios, no CIs or
 * p-values, ties by overlapping median CIs: A [0.98, 1.02] and B
 * [0.9849, 1.0251] overlap; C [1.96, 2.04] and D [1.9698, 2.0502] overlap. */
START_TEST(ties_by_ci_overlap_without_samples)
{
    const row rows[] = SET(false);
    jt_report_board b;
    board_of(rows, sizeof rows / sizeof rows[0], &b, true);
    static const size_t tie[] = {1, 1, 2, 2, 3};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(b.e[i].tie_group, tie[i]);
        if (i) ck_assert_int_eq(b.e[i].tie_method, JT_TIE_CI_OVERLAP);
        ck_assert(isnan(b.e[i].ratio_best_lo) && isnan(b.e[i].p_best));
        ck_assert_int_eq(b.e[i].better_ref, -1);
    }
    ck_near(find(&b, "E")->ratio_best, 4.0, 1e-12);
    ck_near(find(&b, "A")->ratio_ref, 0.5, 1e-12);
    jt_report_board_free(&b);
}
END_TEST

/* Several test sets keep their order of first appearance; a reference that
 * was not measured gives no ratio to reference. */
START_TEST(test_sets_and_unmeasured_reference)
{
    const row rows[] = {
        {"s2", "R", "x", NULL, "completed", 3.0, true, NULL, NULL},
        {"s1", NULL, "y", NULL, "completed", 1.0, true, NULL, NULL},
        {"s2", "R", "R", NULL, "incorrect", NAN, true, NULL, NULL},
        {"s2", "R", "z", NULL, "completed", 1.5, true, NULL, NULL},
    };
    jt_report_board b;
    board_of(rows, 4, &b, true);
    static const char *const order[] = {"z", "x", "R", "y"};
    for (size_t i = 0; i < 4; i++) ck_assert_str_eq(b.e[i].candidate, order[i]);
    ck_assert(isnan(find(&b, "x")->ratio_ref) && find(&b, "x")->better_ref == -1);
    ck_assert_uint_eq(find(&b, "y")->rank, 1);
    ck_near(find(&b, "x")->ratio_best, 2.0, 1e-12);
    jt_report_board_free(&b);
}
END_TEST

/* A best candidate with non-positive samples (below the idle baseline) has
 * no bootstrap ratio: the ratio falls back to medians without a CI. */
START_TEST(non_positive_best_falls_back)
{
    const row rows[] = {
        {"t", NULL, "neg", NULL, "completed", -1.0, true, NULL, NULL},
        {"t", NULL, "pos", NULL, "completed", 2.0, true, NULL, NULL},
    };
    jt_report_board b;
    board_of(rows, 2, &b, true);
    const jt_report_entry *p = find(&b, "pos");
    ck_assert_uint_eq(p->rank, 2);
    ck_assert(isnan(p->ratio_best) && isnan(p->ratio_best_lo));
    ck_assert_int_eq(p->tie_method, JT_TIE_CI_OVERLAP);
    ck_assert_uint_eq(p->tie_group, 2);
    jt_report_board_free(&b);
}
END_TEST

START_TEST(keep_latest_measurement)
{
    const row rows[] = {
        {"t", NULL, "a", NULL, "completed", 2.0, true, NULL, "2026-01-10T10:00:00Z"},
        {"t", NULL, "a", NULL, "completed", 1.0, true, NULL, "2026-01-09T10:00:00Z"},
        {"t", NULL, "b", NULL, "completed", 3.0, true, NULL, "2026-01-09T10:00:00Z"},
        {"t", NULL, "b", NULL, "timeout", NAN, true, NULL, "2026-01-09T10:00:00Z"},
        {"u", NULL, "a", NULL, "completed", 5.0, true, NULL, "2026-01-01T10:00:00Z"},
        /* raw invalid UTF-8 (a hand-edited CSV): repaired, and still kept */
        {"u", NULL, "bad\xFF", NULL, "completed", 6.0, true, NULL, "2026-01-01T10:00:00Z"},
    };
    jt_report_board b;
    board_of(rows, 6, &b, false);
    jt_report_board_keep_latest(&b);
    ck_assert_uint_eq(b.n, 4);
    ck_assert_str_eq(b.e[3].candidate, "bad\xEF\xBF\xBD");
    ck_assert_str_eq(b.e[0].candidate, "a");
    ck_near(b.e[0].median, 2.0, 0);              /* the newer of the two */
    ck_assert_str_eq(b.e[1].status, "timeout");  /* equal times: the later row wins */
    ck_assert_str_eq(b.e[2].test_set, "u");      /* same id in another test set is kept */
    jt_report_board_free(&b);
}
END_TEST

START_TEST(refuses_mixed_hosts)
{
    const row rows[] = {
        {"t", NULL, "a", NULL, "completed", 2.0, true, "lab-01", NULL},
        {"t", NULL, "w", NULL, "incorrect", NAN, true, "laptop", NULL}, /* not ranked: ignored */
        {"u", NULL, "c", NULL, "completed", 2.0, true, "laptop", NULL}, /* other test set */
        {"t", NULL, "b", NULL, "completed", 1.0, true, "lab-02", NULL},
    };
    jt_report_board b;
    jt_err err = JT_ERR_INIT;
    board_of(rows, 2, &b, false);
    ck_assert_int_eq(jt_report_board_check_hosts(&b, &err), 0);
    jt_report_board_free(&b);
    board_of(rows, 3, &b, false);
    ck_assert_int_eq(jt_report_board_check_hosts(&b, &err), 0);
    jt_report_board_free(&b);
    board_of(rows, 4, &b, false);
    ck_assert_int_eq(jt_report_board_check_hosts(&b, &err), -1);
    ck_assert_msg(strstr(jt_err_msg(&err), "'lab-01'") && strstr(jt_err_msg(&err), "'lab-02'") &&
                      strstr(jt_err_msg(&err), "not comparable") && strstr(jt_err_msg(&err), "'t'"),
                  "%s", jt_err_msg(&err));
    jt_err_clear(&err);
    jt_report_board_free(&b);
}
END_TEST

START_TEST(refuses_newer_schema_and_foreign_csv)
{
    jt_csv_table t;
    jt_csv_init(&t, cols, C_COUNT);
    add(&t, &(row){"t", NULL, "a", NULL, "completed", 1.0, true, NULL, NULL});
    jt_csv_set(&t, 0, C_SCHEMA, "2");
    jt_report_board b = JT_REPORT_BOARD_INIT;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_report_board_add(&b, &t, "new.csv", &err), -1);
    ck_assert_msg(strstr(jt_err_msg(&err), "csv_schema 2"), "%s", jt_err_msg(&err));
    jt_csv_free(&t);
    static const char *const other[] = {"name", "value"};
    jt_csv_init(&t, other, 2);
    ck_assert_int_eq(jt_report_board_add(&b, &t, "other.csv", &err), -1);
    ck_assert_msg(strstr(jt_err_msg(&err), "other.csv: no 'test_set' column"), "%s", jt_err_msg(&err));
    jt_csv_free(&t);
    jt_err_clear(&err);
    jt_report_board_free(&b);
}
END_TEST

static double group_num(const jt_csv_table *g, size_t r, const char *col)
{
    double v;
    jt_csv_parse_num(jt_csv_get(g, r, (size_t)jt_csv_col(g, col)), &v);
    return v;
}

static const char *group_str(const jt_csv_table *g, size_t r, const char *col)
{
    return jt_csv_get(g, r, (size_t)jt_csv_col(g, col));
}

/* Two tasks with references: px has ratios 0.8 (task a) and 1.5 (task b),
 * geometric mean sqrt(1.2); py has median(12, 11)/10 = 1.15 and 18/20 = 0.9,
 * geometric mean sqrt(1.035). pass@1 = mean over tasks of correct/samples:
 * px (1/2 + 1/1)/2 = 0.75, py (2/2 + 1/2)/2 = 0.75. pz: only incorrect
 * samples, listed without rank. A third task without a reference ranks
 * against its best candidate. */
START_TEST(group_leaderboard_known_answers)
{
    const row rows[] = {
        {"a", "ra", "ra", NULL, "completed", 10, true, NULL, NULL},
        {"a", "ra", "x1", "px", "completed", 8, true, NULL, NULL},
        {"a", "ra", "x2", "px", "incorrect", NAN, true, NULL, NULL},
        {"a", "ra", "y1", "py", "completed", 12, true, NULL, NULL},
        {"a", "ra", "y2", "py", "unstable", 11, true, NULL, NULL},
        {"a", "ra", "z1", "pz", "incorrect", NAN, true, NULL, NULL},
        {"b", "rb", "rb", NULL, "completed", 20, true, NULL, NULL},
        {"b", "rb", "x3", "px", "completed", 30, true, NULL, NULL},
        {"b", "rb", "y3", "py", "completed", 18, true, NULL, NULL},
        {"b", "rb", "y4", "py", "load_error", NAN, true, NULL, NULL},
    };
    jt_report_board b;
    board_of(rows, sizeof rows / sizeof rows[0], &b, true);
    ck_assert(jt_report_board_has_groups(&b));
    jt_csv_table g;
    jt_report_groups_table(&b, 0, &g);
    ck_assert_uint_eq(g.nrows, 3);
    ck_assert_str_eq(group_str(&g, 0, "group"), "py");
    ck_assert_str_eq(group_str(&g, 0, "rank"), "1");
    ck_near(group_num(&g, 0, "geomean_energy_ratio"), sqrt(1.15 * 0.9), 1e-12);
    ck_near(group_num(&g, 0, "pass_at_1"), 0.75, 1e-15);
    ck_assert_str_eq(group_str(&g, 0, "samples"), "4");
    ck_assert_str_eq(group_str(&g, 0, "correct_samples"), "3");
    ck_assert_str_eq(group_str(&g, 0, "tasks_covered"), "2");
    ck_assert_str_eq(group_str(&g, 0, "ratio_baseline"), "reference");
    /* Bootstrap over two tasks: every replicate's mean log lies between
     * the two tasks' logs, so the CI stays within [0.9, 1.15]. */
    ck_assert(group_num(&g, 0, "ci95_low_geomean_energy_ratio") >= 0.9 - 1e-12);
    ck_assert(group_num(&g, 0, "ci95_high_geomean_energy_ratio") <= 1.15 + 1e-12);
    ck_assert_str_eq(group_str(&g, 1, "group"), "px");
    ck_near(group_num(&g, 1, "geomean_energy_ratio"), sqrt(1.2), 1e-12);
    ck_near(group_num(&g, 1, "pass_at_1"), 0.75, 1e-15);
    ck_assert_str_eq(group_str(&g, 2, "group"), "pz");
    ck_assert_str_eq(group_str(&g, 2, "rank"), "");
    ck_assert_str_eq(group_str(&g, 2, "geomean_energy_ratio"), "");
    ck_near(group_num(&g, 2, "pass_at_1"), 0.0, 0);
    jt_csv_free(&g);
    jt_report_board_free(&b);

    /* No references: the baseline is each task's best candidate. */
    const row best[] = {
        {"c", NULL, "q1", "pq", "completed", 4, true, NULL, NULL},
        {"c", NULL, "w1", "pw", "completed", 2, true, NULL, NULL},
    };
    board_of(best, 2, &b, true);
    jt_report_groups_table(&b, 0, &g);
    ck_assert_str_eq(group_str(&g, 0, "group"), "pw");
    ck_near(group_num(&g, 0, "geomean_energy_ratio"), 1.0, 1e-15);
    ck_near(group_num(&g, 1, "geomean_energy_ratio"), 2.0, 1e-15);
    ck_assert_str_eq(group_str(&g, 1, "ratio_baseline"), "best");
    ck_assert_str_eq(group_str(&g, 1, "ci95_low_geomean_energy_ratio"), ""); /* one task */
    jt_csv_free(&g);
    jt_report_board_free(&b);
}
END_TEST

/* leaderboard.csv: fixed header, empty cells where nothing applies. */
START_TEST(board_table_columns)
{
    const row rows[] = SET(true);
    jt_report_board b;
    board_of(rows, sizeof rows / sizeof rows[0], &b, true);
    jt_csv_table t;
    jt_report_board_table(&b, &t);
    static const char *const head[] = {"csv_schema", "test_set", "rank", "tie_group", "candidate"};
    for (size_t i = 0; i < 5; i++) ck_assert_str_eq(t.names[i], head[i]);
    ck_assert_str_eq(t.names[t.ncols - 2], "error");
    ck_assert_str_eq(t.names[t.ncols - 1], "judged_in_process"); /* appended: csv_schema 1 */
    long jip = jt_csv_col(&t, "judged_in_process");
    ck_assert_str_eq(jt_csv_get(&t, (size_t)(find(&b, "E") - b.e), (size_t)jip), "true");
    ck_assert_str_eq(jt_csv_get(&t, (size_t)(find(&b, "C") - b.e), (size_t)jip), "false");
    ck_assert_str_eq(jt_csv_get(&t, (size_t)(find(&b, "A") - b.e), (size_t)jip), ""); /* not said */
    long rank = jt_csv_col(&t, "rank"), btr = jt_csv_col(&t, "better_than_reference"),
         tm = jt_csv_col(&t, "tie_method");
    ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)rank), "1");
    ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)btr), "true");
    ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)tm), "");
    ck_assert_str_eq(jt_csv_get(&t, 1, (size_t)tm), "ratio_ci");
    ck_assert_str_eq(jt_csv_get(&t, 2, (size_t)btr), "");      /* the reference itself */
    ck_assert_str_eq(jt_csv_get(&t, 5, (size_t)rank), "");     /* F: not ranked */
    ck_assert_str_eq(jt_csv_get(&t, 5, (size_t)jt_csv_col(&t, "status")), "incorrect");
    jt_csv_free(&t);
    jt_report_board_free(&b);
}
END_TEST

static Suite *report_rank_suite(void)
{
    Suite *s = suite_create("report_rank");
    TCase *tc = tcase_create("rank");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ranks_and_ties_with_samples);
    tcase_add_test(tc, ties_by_ci_overlap_without_samples);
    tcase_add_test(tc, test_sets_and_unmeasured_reference);
    tcase_add_test(tc, non_positive_best_falls_back);
    tcase_add_test(tc, keep_latest_measurement);
    tcase_add_test(tc, refuses_mixed_hosts);
    tcase_add_test(tc, refuses_newer_schema_and_foreign_csv);
    tcase_add_test(tc, group_leaderboard_known_answers);
    tcase_add_test(tc, board_table_columns);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(report_rank_suite)
