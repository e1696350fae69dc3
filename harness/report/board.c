/* Boards of results.csv rows (report.h): reading rows, keeping the latest
 * measurement per candidate, and the one-machine check. Ranking them is
 * rank.c's. */
#include "jouletrace/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/status.h"

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

/* ISO-8601 UTC strings order as text. */
int jt_report_entry_newer(const jt_report_entry *a, const jt_report_entry *b)
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
        if (!cur || jt_report_entry_newer(&b->e[i], &b->e[json_integer_value(cur)]) > 0)
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

typedef struct host_key {
    const jt_report_entry *e;
    size_t pos;
} host_key;

static int by_test_set(const void *pa, const void *pb)
{
    const host_key *a = pa, *b = pb;
    int c = strcmp(a->e->test_set, b->e->test_set);
    return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/* Sorted by test set (then row), each ranked entry is compared with the
 * first of its test set: same_machine is an equivalence, so that finds a
 * mixed test set in O(n log n), and names its first row and the first row
 * that differs from it. */
int jt_report_board_check_hosts(const jt_report_board *b, jt_err *err)
{
    host_key *v = jt_xcalloc(b->n + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        if (jt_report_status_ranked(b->e[i].status)) v[n] = (host_key){&b->e[i], i}, n++;
    qsort(v, n, sizeof *v, by_test_set);
    int rc = 0;
    for (size_t i = 1, first = 0; i < n && rc == 0; i++) {
        const jt_report_entry *a = v[first].e, *c = v[i].e;
        if (strcmp(a->test_set, c->test_set)) {
            first = i;
            continue;
        }
        if (same_machine(a, c)) continue;
        rc = jt_err_set(err,
                        "test set '%s' has measurements from different hosts or backends: "
                        "host '%s' (%s, energy_source %s) in %s and host '%s' (%s, "
                        "energy_source %s) in %s; energy from different machines or "
                        "backends is not comparable",
                        a->test_set, a->host, a->cpu_model, a->energy_source, a->source, c->host,
                        c->cpu_model, c->energy_source, c->source);
    }
    free(v);
    return rc;
}
