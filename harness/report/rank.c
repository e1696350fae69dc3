/* Leaderboards per test set (report.h, docs/design.md "Comparisons").
 *
 * Input is results.csv rows (from this run or from files), so the run's
 * leaderboard.csv and `jouletrace leaderboard` agree by construction. Per
 * test set, candidates whose status is completed or unstable (and whose
 * `ranked` is not false: a suspected cache) are ranked by
 * their median total energy per iteration; every ratio is of medians, its
 * CI a percentile bootstrap over both candidates' trial samples
 * (jt_stats_ratio_ci). Without trial samples (a results.csv edited by hand)
 * a ratio has no CI, and two neighbours tie when their median CIs overlap. */
#include "jouletrace/report.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/fnv.h"
#include "jouletrace/stats.h"
#include "jouletrace/status.h"

#define ALPHA 0.05 /* "better than reference": BH-adjusted q below this */

bool jt_report_status_ranked(const char *status)
{
    jt_status st;
    return jt_status_parse(status, &st, NULL) == 0 && jt_status_measured(st);
}

/* ---- reading rows ------------------------------------------------------ */

/* A copy of the cell made valid UTF-8: a CSV edited by hand may hold any
 * bytes, and these strings become JSON keys and HTML text. */
static char *cell(const jt_csv_table *t, size_t row, const char *name)
{
    long c = jt_csv_col(t, name);
    const char *v = c < 0 ? "" : jt_csv_get(t, row, (size_t)c);
    return jt_utf8_sanitize(v, strlen(v));
}

static double num_cell(const jt_csv_table *t, size_t row, const char *name)
{
    long c = jt_csv_col(t, name);
    double v = NAN;
    if (c >= 0) jt_csv_parse_num(jt_csv_get(t, row, (size_t)c), &v);
    return v;
}

/* "v1;v2;..." → array; NULL (n = 0) when empty or any value is malformed. */
static double *parse_samples(const char *s, size_t *n)
{
    *n = 0;
    if (!*s) return NULL;
    size_t cap = 1;
    for (const char *p = s; *p; p++) cap += *p == ';';
    double *x = jt_xcalloc(cap, sizeof *x);
    char *copy = jt_xstrdup(s), *save = NULL;
    for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        if (!jt_csv_parse_num(tok, &x[*n])) {
            *n = 0;
            break;
        }
        (*n)++;
    }
    free(copy);
    if (*n == 0) {
        free(x);
        return NULL;
    }
    return x;
}

int jt_report_board_add(jt_report_board *b, const jt_csv_table *t, const char *source, jt_err *err)
{
    static const char *const required[] = {"test_set", "candidate", "status",
                                           "median_total_energy_joules"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (jt_csv_col(t, required[i]) < 0)
            return jt_err_set(err, "%s: no '%s' column (is this a jouletrace results.csv?)", source,
                              required[i]);
    long st = jt_csv_col(t, "status"), mc = jt_csv_col(t, "median_total_energy_joules");
    for (size_t r = 0; r < t->nrows; r++) {
        double schema = num_cell(t, r, "csv_schema");
        if (schema > JT_CSV_SCHEMA)
            return jt_err_set(err, "%s: row %zu has csv_schema %g; this jouletrace reads up to %d "
                                   "(upgrade jouletrace)", source, r + 2, schema, JT_CSV_SCHEMA);
        /* A ranked row without a number would silently drop out of the ranking. */
        double v = NAN;
        const char *m = jt_csv_get(t, r, (size_t)mc);
        if (jt_report_status_ranked(jt_csv_get(t, r, (size_t)st)) &&
            (!jt_csv_parse_num(m, &v) || !isfinite(v)))
            return jt_err_set(err, "%s: row %zu: column 'median_total_energy_joules' is not a "
                                   "finite number", source, r + 2);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        JT_GROW(b->e, b->n + 1, b->cap);
        jt_report_entry *e = &b->e[b->n];
        memset(e, 0, sizeof *e);
        e->order = b->n++;
        e->test_set = cell(t, r, "test_set");
        e->candidate = cell(t, r, "candidate");
        e->group = cell(t, r, "group");
        e->status = cell(t, r, "status");
        e->error = cell(t, r, "error");
        e->reference = cell(t, r, "test_set_reference");
        e->energy_source = cell(t, r, "energy_source");
        e->host = cell(t, r, "host");
        e->cpu_model = cell(t, r, "cpu_model");
        e->run_started = cell(t, r, "run_started");
        e->finished = cell(t, r, "finished");
        e->flags = cell(t, r, "flags");
        e->source = jt_xstrdup(source);
        long ic = jt_csv_col(t, "is_correct");
        e->is_correct = ic >= 0 && !strcmp(jt_csv_get(t, r, (size_t)ic), "true");
        long rc = jt_csv_col(t, "ranked"); /* absent in older files: every row counts */
        e->excluded = rc >= 0 && !strcmp(jt_csv_get(t, r, (size_t)rc), "false");
        long jc = jt_csv_col(t, "judged_in_process");
        const char *jv = jc < 0 ? "" : jt_csv_get(t, r, (size_t)jc);
        e->judged_in_process = !strcmp(jv, "true") ? 1 : !strcmp(jv, "false") ? 0 : -1;
        e->median = num_cell(t, r, "median_total_energy_joules");
        e->lo = num_cell(t, r, "ci95_low_total_energy_joules");
        e->hi = num_cell(t, r, "ci95_high_total_energy_joules");
        e->time = num_cell(t, r, "median_execution_time_seconds");
        double nt = num_cell(t, r, "n_trials");
        e->n_trials = isfinite(nt) ? (long)nt : -1;
        long sc = jt_csv_col(t, "trial_total_energy_joules");
        e->samples = sc < 0 ? NULL : parse_samples(jt_csv_get(t, r, (size_t)sc), &e->n_samples);
    }
    return 0;
}

static void entry_release(jt_report_entry *e)
{
    char **strs[] = {&e->test_set, &e->candidate, &e->group, &e->status, &e->error,
                     &e->reference, &e->energy_source, &e->host, &e->cpu_model, &e->run_started,
                     &e->finished, &e->flags, &e->source};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) free(*strs[i]);
    free(e->samples);
}

void jt_report_board_free(jt_report_board *b)
{
    for (size_t i = 0; i < b->n; i++) entry_release(&b->e[i]);
    free(b->e);
    memset(b, 0, sizeof *b);
}

/* ---- latest per candidate, host check ---------------------------------- */

/* > 0 when a was measured after b. ISO-8601 UTC strings order as text. */
static int newer(const jt_report_entry *a, const jt_report_entry *b)
{
    int c = strcmp(a->finished, b->finished);
    if (!c) c = strcmp(a->run_started, b->run_started);
    return c ? c : (a->order > b->order ? 1 : -1);
}

void jt_report_board_keep_latest(jt_report_board *b)
{
    json_t *best = json_object();
    for (size_t i = 0; i < b->n; i++) {
        char *key = jt_xasprintf("%s\x1f%s", b->e[i].test_set, b->e[i].candidate);
        json_t *cur = json_object_get(best, key);
        if (!cur || newer(&b->e[i], &b->e[json_integer_value(cur)]) > 0)
            json_object_set_new(best, key, json_integer((json_int_t)i));
        free(key);
    }
    size_t kept = 0;
    for (size_t i = 0; i < b->n; i++) {
        char *key = jt_xasprintf("%s\x1f%s", b->e[i].test_set, b->e[i].candidate);
        bool keep = json_integer_value(json_object_get(best, key)) == (json_int_t)i;
        free(key);
        if (keep) b->e[kept++] = b->e[i];
        else entry_release(&b->e[i]);
    }
    b->n = kept;
    json_decref(best);
}

static bool same_machine(const jt_report_entry *a, const jt_report_entry *b)
{
    return !strcmp(a->host, b->host) && !strcmp(a->cpu_model, b->cpu_model) &&
           !strcmp(a->energy_source, b->energy_source);
}

int jt_report_board_check_hosts(const jt_report_board *b, jt_err *err)
{
    for (size_t i = 0; i < b->n; i++) {
        const jt_report_entry *a = &b->e[i];
        if (!jt_report_status_ranked(a->status)) continue;
        for (size_t j = i + 1; j < b->n; j++) {
            const jt_report_entry *c = &b->e[j];
            if (!jt_report_status_ranked(c->status) || strcmp(a->test_set, c->test_set) ||
                same_machine(a, c))
                continue;
            return jt_err_set(err,
                              "test set '%s' has measurements from different hosts or backends: "
                              "host '%s' (%s, energy_source %s) in %s and host '%s' (%s, "
                              "energy_source %s) in %s; energy from different machines or "
                              "backends is not comparable",
                              a->test_set, a->host, a->cpu_model, a->energy_source, a->source,
                              c->host, c->cpu_model, c->energy_source, c->source);
        }
    }
    return 0;
}

/* ---- ranking ------------------------------------------------------------ */

/* A reproducible bootstrap seed for one comparison (FNV-1a of the ids). */
static unsigned long pair_seed(const char *ts, const jt_report_entry *a, const jt_report_entry *b,
                               const char *what)
{
    const char *parts[] = {ts, a->candidate, a->run_started, b->candidate, b->run_started, what};
    uint64_t h = JT_ID_HASH_BASIS;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        h = jt_fnv1a_add(jt_fnv1a_adds(h, parts[i]), "\x1f", 1); /* a unit separator ends each */
    h &= 0x7fffffff;
    return h ? (unsigned long)h : 1;
}

/* Ratio of a's median to b's with its CI (NAN bounds without samples). */
static bool ratio(const jt_report_entry *a, const jt_report_entry *b, const char *what,
                  size_t resamples, double *r, double *lo, double *hi)
{
    *r = b->median > 0 ? a->median / b->median : NAN;
    *lo = *hi = NAN;
    if (!a->samples || !b->samples) return false;
    jt_stats_ratio q;
    jt_err err = JT_ERR_INIT;
    bool ok = jt_stats_ratio_ci(a->samples, a->n_samples, b->samples, b->n_samples,
                                pair_seed(a->test_set, a, b, what), resamples, &q, &err) == 0;
    jt_err_clear(&err);
    if (ok) *r = q.ratio, *lo = q.lo, *hi = q.hi;
    return ok;
}

/* Two-sided Mann–Whitney p of a vs b, and the one-sided p of "a is lower". */
static void mwu(const jt_report_entry *a, const jt_report_entry *b, double *p2, double *p_lower)
{
    *p2 = *p_lower = NAN;
    if (!a->samples || !b->samples) return;
    jt_stats_mwu m;
    jt_err err = JT_ERR_INIT;
    if (jt_stats_mann_whitney(a->samples, a->n_samples, b->samples, b->n_samples, &m, &err) == 0) {
        *p2 = m.p;
        /* U counts a_i > b_j: below na·nb/2, a tends lower. The null
         * distribution is symmetric, so one tail holds half of p. */
        double half = (double)a->n_samples * (double)b->n_samples / 2;
        *p_lower = m.u < half ? m.p / 2 : 1 - m.p / 2;
    }
    jt_err_clear(&err);
}

static void clear_results(jt_report_entry *e)
{
    e->rank = e->tie_group = 0;
    e->tie_method = JT_TIE_NONE;
    e->ratio_best = e->ratio_best_lo = e->ratio_best_hi = e->p_best = NAN;
    e->ratio_above = e->ratio_above_lo = e->ratio_above_hi = NAN;
    e->ratio_ref = e->ratio_ref_lo = e->ratio_ref_hi = NAN;
    e->p_better_ref = e->q_better_ref = NAN;
    e->better_ref = -1;
}

static int by_median(const void *pa, const void *pb)
{
    const jt_report_entry *a = *(const jt_report_entry *const *)pa;
    const jt_report_entry *b = *(const jt_report_entry *const *)pb;
    if (a->median != b->median) return a->median < b->median ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static void tie_with_above(jt_report_entry *e, const jt_report_entry *above, size_t resamples)
{
    bool have = ratio(e, above, "above", resamples, &e->ratio_above, &e->ratio_above_lo,
                      &e->ratio_above_hi);
    bool tie;
    if (have) {
        e->tie_method = JT_TIE_RATIO_CI;
        tie = e->ratio_above_lo <= 1 && 1 <= e->ratio_above_hi;
    } else {
        e->tie_method = JT_TIE_CI_OVERLAP;
        /* Sorted by median, so the intervals overlap iff e's low end reaches
         * the one above's high end. No CIs at all: only equal medians tie. */
        tie = isfinite(e->lo) && isfinite(above->hi) ? e->lo <= above->hi
                                                      : e->median == above->median;
    }
    e->tie_group = tie ? above->tie_group : above->tie_group + 1;
}

/* The measurement of the reference among ranked[0..n): the newest one. */
static jt_report_entry *find_reference(jt_report_entry **ranked, size_t n)
{
    const char *ref = NULL;
    for (size_t i = 0; i < n && !ref; i++)
        if (ranked[i]->reference[0]) ref = ranked[i]->reference;
    jt_report_entry *found = NULL;
    for (size_t i = 0; ref && i < n; i++)
        if (!strcmp(ranked[i]->candidate, ref) && (!found || newer(ranked[i], found) > 0))
            found = ranked[i];
    return found;
}

static void compare_to_reference(jt_report_entry **ranked, size_t n, size_t resamples)
{
    jt_report_entry *ref = find_reference(ranked, n);
    if (!ref) return;
    double *p = jt_xcalloc(n + 1, sizeof *p), *q = jt_xcalloc(n + 1, sizeof *q);
    size_t *who = jt_xcalloc(n + 1, sizeof *who), np = 0;
    for (size_t i = 0; i < n; i++) {
        jt_report_entry *e = ranked[i];
        if (e == ref) {
            e->ratio_ref = 1;
            continue;
        }
        ratio(e, ref, "reference", resamples, &e->ratio_ref, &e->ratio_ref_lo, &e->ratio_ref_hi);
        double p2;
        mwu(e, ref, &p2, &e->p_better_ref);
        if (isfinite(e->p_better_ref)) p[np] = e->p_better_ref, who[np++] = i;
    }
    jt_err err = JT_ERR_INIT;
    if (jt_stats_bh(p, np, q, &err) == 0)
        for (size_t k = 0; k < np; k++) {
            ranked[who[k]]->q_better_ref = q[k];
            ranked[who[k]]->better_ref = q[k] < ALPHA;
        }
    jt_err_clear(&err);
    free(p), free(q), free(who);
}

/* Ranks the entries of one test set (idx[0..n) into b->e) and appends them,
 * in leaderboard order, to out. */
static void rank_test_set(jt_report_board *b, const size_t *idx, size_t n, size_t resamples,
                          jt_report_entry *out, size_t *n_out)
{
    jt_report_entry **ranked = jt_xcalloc(n + 1, sizeof *ranked);
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        jt_report_entry *e = &b->e[idx[i]];
        clear_results(e);
        /* A suspected cache stays on the board unranked (docs/design.md "Caches"). */
        if (jt_report_status_ranked(e->status) && !e->excluded && isfinite(e->median))
            ranked[nr++] = e;
    }
    qsort(ranked, nr, sizeof *ranked, by_median);
    for (size_t i = 0; i < nr; i++) {
        jt_report_entry *e = ranked[i];
        e->rank = i + 1;
        if (i == 0) {
            e->tie_group = 1;
            e->ratio_best = 1;
            continue;
        }
        ratio(e, ranked[0], "best", resamples, &e->ratio_best, &e->ratio_best_lo,
              &e->ratio_best_hi);
        double p_lower;
        mwu(e, ranked[0], &e->p_best, &p_lower);
        tie_with_above(e, ranked[i - 1], resamples);
    }
    compare_to_reference(ranked, nr, resamples);
    for (size_t i = 0; i < nr; i++) out[(*n_out)++] = *ranked[i];
    for (size_t i = 0; i < n; i++)
        if (!b->e[idx[i]].rank) out[(*n_out)++] = b->e[idx[i]];
    free(ranked);
}

void jt_report_board_rank(jt_report_board *b, size_t resamples)
{
    if (!resamples) resamples = JT_REPORT_RESAMPLES;
    jt_report_entry *out = jt_xcalloc(b->n + 1, sizeof *out);
    size_t n_out = 0, *idx = jt_xcalloc(b->n + 1, sizeof *idx);
    bool *done = jt_xcalloc(b->n + 1, sizeof *done);
    for (size_t i = 0; i < b->n; i++) {
        if (done[i]) continue;
        size_t n = 0;
        for (size_t j = i; j < b->n; j++)
            if (!done[j] && !strcmp(b->e[j].test_set, b->e[i].test_set)) idx[n++] = j, done[j] = true;
        rank_test_set(b, idx, n, resamples, out, &n_out);
    }
    /* Entries moved by value: ownership of their strings moves with them. */
    free(b->e);
    b->e = out;
    b->cap = b->n + 1;
    free(idx);
    free(done);
}

bool jt_report_board_has_groups(const jt_report_board *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->e[i].group[0]) return true;
    return false;
}

/* ---- leaderboard.csv ---------------------------------------------------- */

/* L_TEXT: a string the candidate controls, written safe (jt_csv_mark_text) */
typedef enum lkind { L_SCHEMA, L_STR, L_TEXT, L_NUM, L_RANK, L_LONG, L_BOOL, L_TRI, L_TIE } lkind;

typedef struct lcol {
    const char *name;
    lkind how;
    size_t off; /* offsetof the field in jt_report_entry */
} lcol;

#define F(field) offsetof(jt_report_entry, field)

/* leaderboard.csv, csv_schema 1 (README "leaderboard.csv"). Ratios are of
 * median total energy per iteration; p and q values are Mann–Whitney U. */
static const lcol board_cols[] = {
    {"csv_schema", L_SCHEMA, 0},
    {"test_set", L_STR, F(test_set)},
    {"rank", L_RANK, F(rank)},
    {"tie_group", L_RANK, F(tie_group)},
    {"candidate", L_STR, F(candidate)},
    {"group", L_STR, F(group)},
    {"status", L_STR, F(status)},
    {"median_total_energy_joules", L_NUM, F(median)},
    {"ci95_low_total_energy_joules", L_NUM, F(lo)},
    {"ci95_high_total_energy_joules", L_NUM, F(hi)},
    {"n_trials", L_LONG, F(n_trials)},
    {"ratio_to_best", L_NUM, F(ratio_best)},
    {"ci95_low_ratio_to_best", L_NUM, F(ratio_best_lo)},
    {"ci95_high_ratio_to_best", L_NUM, F(ratio_best_hi)},
    {"mann_whitney_p_vs_best", L_NUM, F(p_best)},
    {"ratio_to_above", L_NUM, F(ratio_above)},
    {"ci95_low_ratio_to_above", L_NUM, F(ratio_above_lo)},
    {"ci95_high_ratio_to_above", L_NUM, F(ratio_above_hi)},
    {"tie_method", L_TIE, F(tie_method)},
    {"reference", L_STR, F(reference)},
    {"ratio_to_reference", L_NUM, F(ratio_ref)},
    {"ci95_low_ratio_to_reference", L_NUM, F(ratio_ref_lo)},
    {"ci95_high_ratio_to_reference", L_NUM, F(ratio_ref_hi)},
    {"p_better_than_reference", L_NUM, F(p_better_ref)},
    {"bh_q_better_than_reference", L_NUM, F(q_better_ref)},
    {"better_than_reference", L_TRI, F(better_ref)},
    {"is_correct", L_BOOL, F(is_correct)},
    {"median_execution_time_seconds", L_NUM, F(time)},
    {"energy_source", L_STR, F(energy_source)},
    {"host", L_STR, F(host)},
    {"run_started", L_STR, F(run_started)},
    {"flags", L_STR, F(flags)},
    {"error", L_TEXT, F(error)},
    {"judged_in_process", L_TRI, F(judged_in_process)},
};
#undef F

#define N_BOARD_COLS (sizeof board_cols / sizeof board_cols[0])

void jt_report_board_table(const jt_report_board *b, jt_csv_table *out)
{
    const char *names[N_BOARD_COLS];
    for (size_t c = 0; c < N_BOARD_COLS; c++) names[c] = board_cols[c].name;
    jt_csv_init(out, names, N_BOARD_COLS);
    for (size_t c = 0; c < N_BOARD_COLS; c++)
        if (board_cols[c].how == L_TEXT) jt_csv_mark_text(out, c);
    static const char *const tie_names[] = {"", "ratio_ci", "ci_overlap"};
    for (size_t i = 0; i < b->n; i++) {
        const char *e = (const char *)&b->e[i];
        size_t row = jt_csv_add_row(out);
        for (size_t c = 0; c < N_BOARD_COLS; c++) {
            const void *f = e + board_cols[c].off;
            switch (board_cols[c].how) {
            case L_SCHEMA: jt_csv_set_int(out, row, c, JT_CSV_SCHEMA); break;
            case L_STR:
            case L_TEXT: jt_csv_set(out, row, c, *(char *const *)f); break;
            case L_NUM: jt_csv_set_num(out, row, c, *(const double *)f); break;
            case L_RANK:
                if (*(const size_t *)f) jt_csv_set_int(out, row, c, (long long)*(const size_t *)f);
                break;
            case L_LONG:
                if (*(const long *)f >= 0) jt_csv_set_int(out, row, c, *(const long *)f);
                break;
            case L_BOOL: jt_csv_set(out, row, c, *(const bool *)f ? "true" : "false"); break;
            case L_TRI:
                if (*(const int *)f >= 0) jt_csv_set(out, row, c, *(const int *)f ? "true" : "false");
                break;
            case L_TIE: jt_csv_set(out, row, c, tie_names[*(const jt_report_tie_method *)f]); break;
            }
        }
    }
}
