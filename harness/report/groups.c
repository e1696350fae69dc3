/* leaderboard_groups.csv: groups of candidates (e.g. the model that
 * generated them) ranked across tasks (report.h).
 *
 * A task is a test set. For each group:
 *   pass_at_1      mean over the group's tasks of (correct samples / samples)
 *                  in that task — HumanEval's pass@1 with n samples per task;
 *                  it equals the share of correct samples when every task has
 *                  the same number of samples;
 *   energy ratio   per covered task: the median over the group's ranked
 *                  (correct, measured) samples of their median total energy
 *                  per iteration, divided by the task's baseline: its
 *                  reference candidate when that was measured, else the
 *                  task's best candidate (ratio_baseline says which);
 *   geomean        exp(mean log ratio) over covered tasks, with a percentile
 *                  bootstrap CI resampling tasks (none below 2 tasks).
 * Correctness always stands beside energy: a group's energy only counts its
 * correct samples, and pass_at_1 is in the same row. Groups are ranked by
 * the geometric mean; a group that covers no task is listed unranked. */
#include "jouletrace/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "jouletrace/fnv.h"
#include "jouletrace/stats.h"

enum {
    G_SCHEMA, G_RANK, G_GROUP, G_TASKS, G_COVERED, G_SAMPLES, G_CORRECT, G_PASS, G_GEO, G_LO,
    G_HI, G_BASE, G_NCOLS
};
/* leaderboard_groups.csv, csv_schema 1 (order = the enum above). */
static const char *const group_cols[G_NCOLS] = {
    "csv_schema", "rank", "group", "tasks", "tasks_covered", "samples", "correct_samples",
    "pass_at_1", "geomean_energy_ratio", "ci95_low_geomean_energy_ratio",
    "ci95_high_geomean_energy_ratio", "ratio_baseline",
};

typedef struct group_row {
    const char *name;
    size_t order, tasks, covered, samples, correct, by_ref, by_best;
    double pass_sum;
    double *logs;          /* one log ratio per covered task */
    double geo, lo, hi;
} group_row;

static unsigned long name_seed(const char *s)
{
    uint64_t h = jt_id_hash(s) & 0x7fffffff;
    return h ? (unsigned long)h : 1;
}

/* Percentile bootstrap CI of exp(mean(x)) resampling x's elements. */
static void geomean_ci(const double *x, size_t n, unsigned long seed, size_t resamples,
                       double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n < 2) return;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    double *reps = jt_xcalloc(resamples, sizeof *reps);
    for (size_t b = 0; b < resamples; b++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += x[gsl_rng_uniform_int(rng, n)];
        reps[b] = s / (double)n;
    }
    gsl_sort(reps, 1, resamples);
    *lo = exp(gsl_stats_quantile_from_sorted_data(reps, 1, resamples, 0.025));
    *hi = exp(gsl_stats_quantile_from_sorted_data(reps, 1, resamples, 0.975));
    free(reps);
    gsl_rng_free(rng);
}

/* The baseline of the task whose entries are e[0..n): the measurement its
 * ratio_to_reference divides by (rank.c's choice, so both boards agree),
 * else its rank-1 entry; NULL if neither. */
static const jt_report_entry *baseline(const jt_report_entry *e, size_t n, bool *is_ref)
{
    const jt_report_entry *best = NULL, *ref = NULL;
    for (size_t i = 0; i < n; i++) {
        if (e[i].rank == 1) best = &e[i];
        if (e[i].is_reference) ref = &e[i];
    }
    *is_ref = ref != NULL;
    return ref ? ref : best;
}

/* One task (entries e[0..n), consecutive on a ranked board) for group g. */
static void add_task(group_row *g, const jt_report_entry *e, size_t n)
{
    size_t samples = 0, correct = 0, nm = 0;
    double *med = jt_xcalloc(n + 1, sizeof *med);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(e[i].group, g->name)) continue;
        samples++;
        correct += e[i].is_correct;
        if (e[i].rank && e[i].is_correct) med[nm++] = e[i].median;
    }
    if (samples) {
        g->tasks++;
        g->samples += samples;
        g->correct += correct;
        g->pass_sum += (double)correct / (double)samples;
    }
    bool is_ref;
    const jt_report_entry *base = baseline(e, n, &is_ref);
    if (nm && base && base->median > 0) {
        gsl_sort(med, 1, nm);
        double m = gsl_stats_median_from_sorted_data(med, 1, nm);
        if (m > 0) {
            g->logs[g->covered++] = log(m / base->median);
            if (is_ref) g->by_ref++;
            else g->by_best++;
        }
    }
    free(med);
}

static int by_geo(const void *pa, const void *pb)
{
    const group_row *a = pa, *b = pb;
    bool ra = a->covered > 0, rb = b->covered > 0;
    if (ra != rb) return ra ? -1 : 1;
    if (ra && a->geo != b->geo) return a->geo < b->geo ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

void jt_report_groups_table(const jt_report_board *b, size_t resamples, jt_csv_table *out)
{
    if (!resamples) resamples = JT_REPORT_RESAMPLES;
    jt_csv_init(out, group_cols, G_NCOLS);
    group_row *g = NULL;
    size_t ng = 0, cap = 0, ntasks = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (!i || strcmp(b->e[i].test_set, b->e[i - 1].test_set)) ntasks++;
        if (!b->e[i].group[0]) continue;
        size_t k = 0;
        while (k < ng && strcmp(g[k].name, b->e[i].group)) k++;
        if (k < ng) continue;
        JT_GROW(g, ng + 1, cap);
        memset(&g[ng], 0, sizeof g[ng]);
        g[ng].name = b->e[i].group;
        g[ng].order = ng;
        ng++;
    }
    for (size_t k = 0; k < ng; k++) g[k].logs = jt_xcalloc(ntasks + 1, sizeof *g[k].logs);
    /* A ranked board holds each test set's entries consecutively. */
    for (size_t i = 0, j; i < b->n; i = j) {
        for (j = i + 1; j < b->n && !strcmp(b->e[j].test_set, b->e[i].test_set); j++) {}
        for (size_t k = 0; k < ng; k++) add_task(&g[k], &b->e[i], j - i);
    }
    for (size_t k = 0; k < ng; k++) {
        g[k].geo = g[k].lo = g[k].hi = NAN;
        if (!g[k].covered) continue;
        g[k].geo = exp(gsl_stats_mean(g[k].logs, 1, g[k].covered));
        geomean_ci(g[k].logs, g[k].covered, name_seed(g[k].name), resamples, &g[k].lo, &g[k].hi);
    }
    if (ng) qsort(g, ng, sizeof *g, by_geo); /* g is NULL without groups */
    for (size_t k = 0; k < ng; k++) {
        size_t r = jt_csv_add_row(out);
        jt_csv_set_int(out, r, G_SCHEMA, JT_CSV_SCHEMA);
        if (g[k].covered) jt_csv_set_int(out, r, G_RANK, (long long)k + 1);
        jt_csv_set(out, r, G_GROUP, g[k].name);
        jt_csv_set_int(out, r, G_TASKS, (long long)g[k].tasks);
        jt_csv_set_int(out, r, G_COVERED, (long long)g[k].covered);
        jt_csv_set_int(out, r, G_SAMPLES, (long long)g[k].samples);
        jt_csv_set_int(out, r, G_CORRECT, (long long)g[k].correct);
        jt_csv_set_num(out, r, G_PASS, g[k].tasks ? g[k].pass_sum / (double)g[k].tasks : NAN);
        jt_csv_set_num(out, r, G_GEO, g[k].geo);
        jt_csv_set_num(out, r, G_LO, g[k].lo);
        jt_csv_set_num(out, r, G_HI, g[k].hi);
        if (g[k].covered)
            jt_csv_set(out, r, G_BASE, !g[k].by_best ? "reference" : !g[k].by_ref ? "best" : "mixed");
        free(g[k].logs);
    }
    free(g);
}
