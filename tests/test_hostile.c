/* The hostile corpus (tests/fixtures/hostile/, issue 11 point 7): candidates
 * that read the expected values, change the judge, return objects instead
 * of values, cheat in trials, forge their clocks or cache, and honest ones
 * beside them. Each suite is run end to end (`jouletrace run`, model
 * backend, a private environment as in test_run.c) and every row of its
 * results.csv is held to its line in expect.tsv (the columns are explained
 * there): status, error, flags, ranking, and the figures of the timing
 * attacks against their honest twins. Every candidate of a suite must have
 * exactly one line and every line a candidate, so nothing goes unchecked.
 * Needs root and the full sandbox (private root, namespaces): without them
 * the harness says itself that it does not stop these attacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/report.h"
#include "jouletrace/sandbox.h"
#include "jouletrace/suite.h"
#include "support/runenv.h"
#include "support/testutil.h"

#define TWIN_FLOOR 0.2 /* a timing attack's energy is at least this share of its twin's */
#define MEMO_FLAG "memoization_suspected"

/* One line of expect.tsv; the fields point into the file's text. */
typedef struct expect_row {
    const char *suite, *id, *status, *flag, *ranked, *cls, *twin;
    int line;
    bool seen; /* matched to a candidate of the suite */
} expect_row;

typedef struct expect_table {
    char *text; /* owns every field */
    expect_row *rows;
    size_t n, cap;
} expect_table;

static void expect_load(expect_table *t)
{
    *t = (expect_table){0};
    t->text = jt_test_fixture("hostile/expect.tsv");
    int line = 0;
    for (char *p = t->text, *next; p && *p; p = next) {
        line++;
        next = strchr(p, '\n');
        if (next) *next++ = '\0';
        if (*p == '#' || *p == '\0') continue;
        const char *f[7];
        size_t n = 0;
        for (char *q = p; n < 7; n++) {
            f[n] = q;
            q = strchr(q, '\t');
            if (!q) {
                n++;
                break;
            }
            *q++ = '\0';
        }
        ck_assert_msg(n == 7, "expect.tsv:%d: %zu fields, want 7 (tab-separated)", line, n);
        JT_GROW(t->rows, t->n + 1, t->cap);
        t->rows[t->n++] = (expect_row){f[0], f[1], f[2], f[3], f[4], f[5], f[6], line, false};
    }
}

static void expect_free(expect_table *t)
{
    free(t->rows);
    free(t->text);
    *t = (expect_table){0};
}

/* Is `word` one of the '|'-separated alternatives of `alts`? */
static bool one_of(const char *alts, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = alts; *p;) {
        size_t len = strcspn(p, "|");
        if (len == n && !strncmp(p, word, n)) return true;
        p += len;
        if (*p) p++;
    }
    return false;
}

/* Does the ';'-joined flags cell hold any of the '|'-separated `alts`? */
static bool has_flag(const char *flags, const char *alts)
{
    for (const char *p = flags; *p;) {
        size_t len = strcspn(p, ";");
        char *flag = jt_xstrndup(p, len);
        bool hit = one_of(alts, flag);
        free(flag);
        if (hit) return true;
        p += len;
        if (*p) p++;
    }
    return false;
}

static bool measured(const char *status)
{
    return !strcmp(status, "completed") || !strcmp(status, "unstable");
}

/* The row of `id` in a table with a `candidate` column, or -1. */
static long row_of(const jt_csv_table *t, const char *id)
{
    long c = jt_csv_col(t, "candidate");
    ck_assert_msg(c >= 0, "no column 'candidate'");
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(jt_csv_get(t, r, (size_t)c), id)) return (long)r;
    return -1;
}

static const char *cell(const jt_csv_table *t, long row, const char *col)
{
    long c = jt_csv_col(t, col);
    return row < 0 || c < 0 ? "" : jt_csv_get(t, (size_t)row, (size_t)c);
}

/* What one run of a suite left: its results and leaderboard. */
typedef struct run_out {
    const jt_suite *suite;
    jt_csv_table results, board;
    bool has_ranked; /* results.csv has the `ranked` column */
} run_out;

/* Does the error name one of the candidate's test ids? */
static bool names_a_test(const jt_suite *s, const char *id, const char *error)
{
    for (size_t i = 0; i < s->n_candidates; i++) {
        if (strcmp(s->candidates[i].id, id)) continue;
        const jt_test_set *ts = &s->test_sets[s->candidates[i].test_set];
        size_t k;
        json_t *tc;
        json_array_foreach(ts->test_cases, k, tc) {
            const char *tid = json_string_value(json_object_get(tc, "test_id"));
            if (tid && strstr(error, tid)) return true;
        }
    }
    return false;
}

/* Appends to `bad` what is wrong with the candidate of `x` (nothing when all
 * is as expected); returns whether something was. */
static bool judge_row(const run_out *o, const expect_row *x, jt_buf *bad)
{
    size_t before = bad->len;
    long r = row_of(&o->results, x->id);
    if (r < 0) {
        jt_buf_addf(bad, "%s (%s): no row in results.csv\n", x->id, x->cls);
        return true;
    }
    const char *status = cell(&o->results, r, "status"), *error = cell(&o->results, r, "error");
    const char *flags = cell(&o->results, r, "flags");
    char *want = jt_xstrdup(x->status);
    char *at_trial = strstr(want, "@trial");
    if (at_trial) memmove(at_trial, at_trial + 6, strlen(at_trial + 6) + 1);
    bool status_ok = one_of(want, status);
    if (!status_ok)
        jt_buf_addf(bad, "%s (%s): status %s, expected %s; error: %s; flags: %s\n", x->id, x->cls,
                    status, x->status, *error ? error : "-", *flags ? flags : "-");
    else if (!strcmp(status, "incorrect") && !names_a_test(o->suite, x->id, error))
        jt_buf_addf(bad, "%s (%s): incorrect, but the error names none of its tests: %s\n", x->id,
                    x->cls, *error ? error : "(empty)");
    else if (at_trial && !strcasestr(error, "iteration"))
        jt_buf_addf(bad, "%s (%s): expected a trial to fail, with the iteration named; error: %s\n",
                    x->id, x->cls, *error ? error : "(empty)");
    free(want);

    if (measured(status) && strcmp(x->flag, "-") && !has_flag(flags, x->flag))
        jt_buf_addf(bad, "%s (%s): measured without flag %s; flags: %s\n", x->id, x->cls, x->flag,
                    *flags ? flags : "-");

    /* ranked: whether leaderboard.csv gives it a rank; results.csv's `ranked`
     * (true/false on a measured row, false when excluded) must agree */
    long b = row_of(&o->board, x->id);
    bool ranked = b >= 0 && *cell(&o->board, b, "rank");
    if (o->has_ranked) {
        const char *v = cell(&o->results, r, "ranked");
        bool known = !strcmp(v, "true") || !strcmp(v, "false") || (!*v && !measured(status));
        if (!known || (!strcmp(v, "true") && !ranked) || (!strcmp(v, "false") && ranked))
            jt_buf_addf(bad, "%s (%s): results.csv ranked '%s' but leaderboard.csv rank '%s'\n",
                        x->id, x->cls, v, b >= 0 ? cell(&o->board, b, "rank") : "(no row)");
    }
    if (ranked != !strcmp(x->ranked, "yes") && status_ok) /* else it follows from the status */
        jt_buf_addf(bad, "%s (%s): ranked %s, expected %s (status %s, flags %s)\n", x->id, x->cls,
                    ranked ? "yes" : "no", x->ranked, status, *flags ? flags : "-");
    if ((ranked || !strcmp(x->cls, "honest")) && has_flag(flags, MEMO_FLAG))
        jt_buf_addf(bad, "%s (%s): %s carries %s\n", x->id, x->cls,
                    ranked ? "a ranked row" : "honest code", MEMO_FLAG);

    if (measured(status) && strcmp(x->twin, "-")) {
        long t = row_of(&o->results, x->twin);
        double mine, theirs;
        if (t < 0 || !jt_csv_parse_num(cell(&o->results, t, "median_total_energy_joules"), &theirs))
            jt_buf_addf(bad, "%s (%s): its twin %s has no measurement\n", x->id, x->cls, x->twin);
        else if (!jt_csv_parse_num(cell(&o->results, r, "median_total_energy_joules"), &mine) ||
                 mine < TWIN_FLOOR * theirs)
            jt_buf_addf(bad, "%s (%s): %s J/iteration, below %.1fx its honest twin %s (%g J)\n",
                        x->id, x->cls, cell(&o->results, r, "median_total_energy_joules"),
                        TWIN_FLOOR, x->twin, theirs);
    }
    return bad->len > before;
}

/* Every candidate of the suite has exactly one line, every line of this
 * suite a candidate. */
static void match_lines(const jt_suite *s, const char *suite_file, expect_table *t)
{
    for (size_t i = 0; i < s->n_candidates; i++) {
        size_t hits = 0;
        for (size_t k = 0; k < t->n; k++) {
            if (strcmp(t->rows[k].suite, suite_file) || strcmp(t->rows[k].id, s->candidates[i].id))
                continue;
            hits++;
            t->rows[k].seen = true;
        }
        ck_assert_msg(hits == 1, "%s: candidate %s has %zu lines in expect.tsv, want 1", suite_file,
                      s->candidates[i].id, hits);
    }
    for (size_t k = 0; k < t->n; k++)
        ck_assert_msg(strcmp(t->rows[k].suite, suite_file) || t->rows[k].seen,
                      "expect.tsv:%d: %s is no candidate of %s", t->rows[k].line, t->rows[k].id,
                      suite_file);
}

/* What the cache check saw of a misjudged candidate (its journal record's
 * cache_check and timings), so a failure on another host shows its figures. */
static void show_cache_check(const char *dir, const char *id)
{
    char *path = jt_xasprintf("%s/journal.jsonl", dir), *text = jt_test_read_file(path);
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        json_t *rec = json_loads(line, 0, NULL);
        const char *rid = json_string_value(json_object_get(rec, "id"));
        if (rid && !strcmp(rid, id)) {
            json_t *shown = json_pack("{s:O?,s:O?,s:O?}", "cache_check",
                                      json_object_get(rec, "cache_check"), "timing",
                                      json_object_get(rec, "timing"), "floor_timing",
                                      json_object_get(json_object_get(rec, "floor"), "timing"));
            char *d = json_dumps(shown, JSON_COMPACT | JSON_REAL_PRECISION(4));
            fprintf(stderr, "  %s: %s\n", id, d ? d : "?");
            free(d);
            json_decref(shown);
        }
        json_decref(rec);
    }
    free(text), free(path);
}

static void read_csv(const char *dir, const char *name, jt_csv_table *t)
{
    char *path = jt_xasprintf("%s/%s", dir, name);
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(path, t, &err) == 0, "%s", jt_err_msg(&err));
    free(path);
}

static void run_corpus(const char *suite_file)
{
    expect_table t;
    expect_load(&t);
    char *path = jt_xasprintf("%s/tests/fixtures/hostile/%s", jt_test_srcdir(), suite_file);
    jt_suite *s = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_suite_load(path, &s, &err) == 0, "%s", jt_err_msg(&err));
    match_lines(s, suite_file, &t);

    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    jt_runenv_calibrate(&e);
    char *out = NULL, *errs = NULL;
    const char *a[] = {"run", path, "-o", e.out, "--backend", "model", "--quiet", NULL};
    int rc = jt_runenv_run(&e, a, &out, &errs);
    ck_assert_msg(rc == 0, "run %s: exit %d\n%s", suite_file, rc, errs);

    run_out o = {.suite = s};
    read_csv(e.out, "results.csv", &o.results);
    read_csv(e.out, "leaderboard.csv", &o.board);
    o.has_ranked = jt_csv_col(&o.results, "ranked") >= 0;
    jt_buf bad = JT_BUF_INIT, names = JT_BUF_INIT;
    if (!o.has_ranked) {
        jt_buf_adds(&bad, "results.csv has no column 'ranked' (judged by leaderboard.csv's rank)\n");
        jt_buf_adds(&names, " (no 'ranked' column)");
    }
    size_t nbad = 0, n = 0;
    for (size_t k = 0; k < t.n; k++) {
        if (strcmp(t.rows[k].suite, suite_file)) continue;
        n++;
        if (!judge_row(&o, &t.rows[k], &bad)) continue;
        nbad++;
        jt_buf_addf(&names, " %s", t.rows[k].id);
        if (!strcmp(t.rows[k].cls, "cache") || !strcmp(t.rows[k].cls, "honest"))
            show_cache_check(e.out, t.rows[k].id);
    }
    for (size_t r = 0; r < o.results.nrows; r++) { /* a row no line expects */
        const char *id = jt_csv_get(&o.results, r, (size_t)jt_csv_col(&o.results, "candidate"));
        bool known = false;
        for (size_t k = 0; k < t.n && !known; k++)
            known = !strcmp(t.rows[k].suite, suite_file) && !strcmp(t.rows[k].id, id);
        if (!known) nbad++, jt_buf_addf(&bad, "%s: a results.csv row no line of expect.tsv expects\n", id);
    }
    if (bad.len) fprintf(stderr, "%s, what is not as expect.tsv says:\n%s", suite_file, jt_buf_str(&bad));
    /* the reasons in the message too: a CI log keeps the failure, not stderr */
    ck_assert_msg(bad.len == 0, "%s: %zu of %zu candidates misjudged:%s\n%.1500s", suite_file,
                  nbad, n, jt_buf_str(&names), jt_buf_str(&bad));

    jt_buf_release(&bad), jt_buf_release(&names);
    jt_csv_free(&o.results), jt_csv_free(&o.board);
    free(out), free(errs), free(path);
    jt_runenv_free(&e);
    jt_suite_free(s);
    expect_free(&t);
}

START_TEST(python_corpus)
{
    run_corpus("python.yaml");
}
END_TEST

START_TEST(command_corpus)
{
    run_corpus("command.yaml");
}
END_TEST

/* The corpus assumes the sandbox's private root and PID namespace: the
 * fallbacks say themselves that they do not stop hostile candidates. */
static void require_full_sandbox(void)
{
    if (geteuid() != 0)
        jt_test_skip("needs root: the hostile corpus is judged against the full sandbox "
                     "(private root, PID namespace, user nobody)");
    jt_sandbox sb;
    jt_sandbox_probe(NULL, &sb);
    if (sb.level != JT_SANDBOX_FULL) {
        char *why = jt_sandbox_warning(&sb), msg[1024];
        snprintf(msg, sizeof msg, "the hostile corpus needs the full sandbox: %s", why ? why : "?");
        free(why);
        jt_sandbox_release(&sb);
        jt_test_skip(msg);
    }
    jt_sandbox_release(&sb);
}

static Suite *hostile_suite(void)
{
    require_full_sandbox();
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("corpus");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, python_corpus);
    tcase_add_test(tc, command_corpus);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(hostile_suite)
