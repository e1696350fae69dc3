/* Leaderboards per test set (report.h, docs/design.md "Comparisons").
 *
 * Input is results.csv rows (from this run or from files), so the run's
 * leaderboard.csv and `jouletrace leaderboard` agree by construction. Per
 * test set, candidates whose status is completed or unstable (and whose
 * `ranked` is not false: a suspected cache) are ranked by their median total
 * energy per iteration; every ratio is of medians, its CI a percentile
 * bootstrap over both candidates' trial samples (jt_stats_median_replicates,
 * jt_stats_ratio_ci_replicates).
 *
 * One comparison per pair: each unordered pair of ranked entries is
 * compared at most once (ratio, CI, Mann–Whitney; memoised in pair_memo),
 * always as the lower-ranked over the higher-ranked. Each entry's
 * resampled medians are drawn once, from a seed of its own identity, and
 * every pair it is in divides the same replicates (O(B) per pair after an
 * O(B) draw per entry; one seed per entry, never per pair). ratio_to_best, ratio_to_above, the tie test and
 * ratio_to_reference all read that one result (the reference's when it
 * ranks below: its exact reciprocal), so they cannot disagree about a pair.
 *
 * One tie rule: groups are contiguous in rank order, formed from the top; an
 * entry joins the current group only if it ties the one above it and the
 * group's first member (ratio CI ∋ 1; without trial samples for a pair, the
 * two median CIs overlap), else it opens the next group: at most two tie
 * tests per entry, so 10,000 indistinguishable samples cost 20,000
 * comparisons, not 50 million. Hence: same group as the one
 * above ⇒ its ratio_to_above ties; tie_group 1 ⇒ its ratio_to_best ties; a
 * ratio_to_above that excludes 1 ⇒ a new group. */
#include "jouletrace/report.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/fnv.h"
#include "jouletrace/stats.h"

#define ALPHA 0.05 /* "better than reference": BH-adjusted q below this */

/* ---- one comparison per pair -------------------------------------------- */

/* ranked[lo] over ranked[hi], hi < lo (hi ranks higher: lower energy). */
typedef struct pair_cmp {
    size_t hi, lo;
    bool used;
    bool have_ci;            /* both have samples and the bootstrap ran */
    double ratio, ci_lo, ci_hi;
    double p2;               /* two-sided Mann–Whitney p; NAN without samples */
    double u, half;          /* U of ranked[lo], and na·nb/2 */
} pair_cmp;

typedef struct pair_memo {
    jt_report_entry *const *ranked;
    size_t resamples;
    double **reps;           /* per ranked entry: its resampled medians, drawn on first use */
    bool *no_reps;           /* ... or why not: no samples, or the draw failed */
    double *median;          /* per ranked entry: the median of its samples (with reps) */
    unsigned long *seed;     /* per ranked entry: its stream, distinct within the test set */
    jt_stats_resampler *rs;  /* the resampling law, tabulated once per trial count */
    pair_cmp *slot;          /* open addressing, cap a power of 2, ≤ half full */
    size_t cap, used;
} pair_memo;

/* "a" and "b" in a fixed order of their ids, whatever their roles or rows. */
static int id_cmp(const jt_report_entry *a, const jt_report_entry *b)
{
    int c = strcmp(a->candidate, b->candidate);
    if (!c) c = strcmp(a->run_started, b->run_started);
    return c ? c : strcmp(a->finished, b->finished);
}

/* A reproducible bootstrap seed of one entry (FNV-1a of what identifies
 * it): its resampled medians are drawn once and serve every pair it is in. */
static unsigned long entry_seed(const jt_report_entry *e)
{
    const char *parts[] = {e->test_set, e->candidate, e->run_started, e->finished};
    uint64_t h = JT_ID_HASH_BASIS;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        h = jt_fnv1a_add(jt_fnv1a_adds(h, parts[i]), "\x1f", 1); /* a unit separator ends each */
    h &= 0x7fffffff;
    return h ? (unsigned long)h : 1;
}

typedef struct seeded {
    unsigned long seed;
    const jt_report_entry *e;
    size_t pos;
} seeded;

static int by_seed(const void *pa, const void *pb)
{
    const seeded *a = pa, *b = pb;
    if (a->seed != b->seed) return a->seed < b->seed ? -1 : 1;
    int c = id_cmp(a->e, b->e);
    return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/* Seeds of ranked[0..n) into seed[]: two entries on one stream would draw
 * the same resamples and their ratio's CI would be too narrow, so a seed
 * that collides (31-bit hashes: about 1 % at 10,000 entries) moves up to the
 * next free one, in seed-then-id order (the same whatever the row order). */
static void assign_seeds(jt_report_entry *const *ranked, size_t n, unsigned long *seed)
{
    seeded *v = jt_xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = (seeded){entry_seed(ranked[i]), ranked[i], i};
    qsort(v, n, sizeof *v, by_seed);
    for (size_t i = 1; i < n; i++)
        if (v[i].seed <= v[i - 1].seed) v[i].seed = v[i - 1].seed + 1;
    for (size_t i = 0; i < n; i++) seed[v[i].pos] = v[i].seed;
    free(v);
}

/* The resampled medians of ranked[i] (NULL without samples). */
static const double *reps_of(pair_memo *m, size_t i)
{
    const jt_report_entry *e = m->ranked[i];
    if (m->reps[i] || m->no_reps[i]) return m->reps[i];
    m->no_reps[i] = true;
    if (!e->samples) return NULL;
    double *r = jt_xreallocarray(NULL, m->resamples, sizeof *r);
    jt_err err = JT_ERR_INIT;
    if (jt_stats_median_replicates(m->rs, e->samples, e->n_samples, m->seed[i], m->resamples, r,
                                   &m->median[i], &err) < 0) {
        free(r);
        r = NULL;
    }
    jt_err_clear(&err);
    m->no_reps[i] = r == NULL;
    return m->reps[i] = r;
}

/* ranked[lo] over ranked[hi]. */
static void compute(pair_memo *m, pair_cmp *c)
{
    const jt_report_entry *num = m->ranked[c->lo], *den = m->ranked[c->hi];
    c->ratio = den->median > 0 ? num->median / den->median : NAN;
    c->ci_lo = c->ci_hi = c->p2 = c->u = c->half = NAN;
    if (!num->samples || !den->samples) return;
    jt_err err = JT_ERR_INIT;
    jt_stats_ratio q;
    const double *ra = reps_of(m, c->lo), *rb = reps_of(m, c->hi);
    if (ra && rb && m->median[c->hi] > 0 &&
        jt_stats_ratio_ci_replicates(m->median[c->lo] / m->median[c->hi], ra, rb, m->resamples,
                                     &q, &err) == 0) {
        c->have_ci = true;
        c->ratio = q.ratio, c->ci_lo = q.lo, c->ci_hi = q.hi;
    }
    jt_err_clear(&err);
    jt_stats_mwu mw;
    if (jt_stats_mann_whitney(num->samples, num->n_samples, den->samples, den->n_samples, &mw,
                              &err) == 0) {
        c->p2 = mw.p, c->u = mw.u;
        c->half = (double)num->n_samples * (double)den->n_samples / 2;
    }
    jt_err_clear(&err);
}

static size_t slot_of(const pair_memo *m, size_t hi, size_t lo)
{
    uint64_t h = ((uint64_t)hi * 0x9E3779B97F4A7C15u) ^ ((uint64_t)lo * 0xC2B2AE3D27D4EB4Fu);
    size_t s = (size_t)(h >> 17) & (m->cap - 1);
    while (m->slot[s].used && (m->slot[s].hi != hi || m->slot[s].lo != lo)) s = (s + 1) & (m->cap - 1);
    return s;
}

static void memo_grow(pair_memo *m)
{
    pair_cmp *old = m->slot;
    size_t old_cap = m->cap;
    m->cap = old_cap ? 2 * old_cap : 64;
    m->slot = jt_xcalloc(m->cap, sizeof *m->slot);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].used) m->slot[slot_of(m, old[i].hi, old[i].lo)] = old[i];
    free(old);
}

/* The one comparison of ranked positions i and j (either order). */
static const pair_cmp *pair(pair_memo *m, size_t i, size_t j)
{
    size_t hi = i < j ? i : j, lo = i < j ? j : i;
    if (2 * (m->used + 1) > m->cap) memo_grow(m);
    pair_cmp *c = &m->slot[slot_of(m, hi, lo)];
    if (!c->used) {
        *c = (pair_cmp){.hi = hi, .lo = lo, .used = true};
        compute(m, c);
        m->used++;
    }
    return c;
}

/* Ratio of ranked[j] to ranked[i] with its CI: the one comparison, or its
 * exact reciprocal when j ranks above i. */
static void ratio_of(pair_memo *m, size_t j, size_t i, double *r, double *lo, double *hi)
{
    const pair_cmp *c = pair(m, i, j);
    if (j > i) {
        *r = c->ratio, *lo = c->ci_lo, *hi = c->ci_hi;
        return;
    }
    *r = 1 / c->ratio;
    bool pos = c->ci_lo > 0; /* false for NAN bounds too */
    *lo = pos ? 1 / c->ci_hi : NAN;
    *hi = pos ? 1 / c->ci_lo : NAN;
}

/* One-sided Mann–Whitney p of "ranked[j] is lower than ranked[i]". U
 * counts a_i > b_j: below na·nb/2 the first sample tends lower, and the null
 * distribution is symmetric, so one tail holds half of p. */
static double p_lower(pair_memo *m, size_t j, size_t i)
{
    const pair_cmp *c = pair(m, i, j);
    if (isnan(c->p2)) return NAN;
    double u = j > i ? c->u : 2 * c->half - c->u;
    return u < c->half ? c->p2 / 2 : 1 - c->p2 / 2;
}

/* Do ranked[i] and ranked[j] (i < j) tie? Ratio CI ∋ 1; without it, the
 * median CIs overlap (sorted by median, so j's low end reaches i's high
 * end); without CIs at all, only equal medians tie. */
static bool ties(pair_memo *m, size_t i, size_t j, jt_report_tie_method *how)
{
    const pair_cmp *c = pair(m, i, j);
    const jt_report_entry *a = m->ranked[i], *b = m->ranked[j];
    *how = c->have_ci ? JT_TIE_RATIO_CI : JT_TIE_CI_OVERLAP;
    if (c->have_ci) return c->ci_lo <= 1 && 1 <= c->ci_hi;
    return isfinite(b->lo) && isfinite(a->hi) ? b->lo <= a->hi : b->median == a->median;
}

/* ---- ranking ------------------------------------------------------------ */

static void clear_results(jt_report_entry *e)
{
    e->rank = e->tie_group = 0;
    e->tie_method = JT_TIE_NONE;
    e->is_reference = false;
    e->ratio_best = e->ratio_best_lo = e->ratio_best_hi = e->p_best = NAN;
    e->ratio_above = e->ratio_above_lo = e->ratio_above_hi = NAN;
    e->ratio_ref = e->ratio_ref_lo = e->ratio_ref_hi = NAN;
    e->p_better_ref = e->q_better_ref = NAN;
    e->better_ref = -1;
}

/* By median; equal medians by id, so the order of input rows never decides
 * a rank (nor, hence, a ratio's direction). */
static int by_median(const void *pa, const void *pb)
{
    const jt_report_entry *a = *(const jt_report_entry *const *)pa;
    const jt_report_entry *b = *(const jt_report_entry *const *)pb;
    if (a->median != b->median) return a->median < b->median ? -1 : 1;
    int c = id_cmp(a, b);
    if (c) return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Groups (file comment): ranked[i] joins the group opened at `start` only
 * if it ties the one above and the group's first member. */
static void group_of(pair_memo *m, size_t i, size_t *start)
{
    jt_report_entry *e = m->ranked[i];
    jt_report_tie_method how;
    bool join = ties(m, i - 1, i, &how);
    e->tie_method = how;
    if (join && *start + 1 < i) join = ties(m, *start, i, &how);
    if (!join) *start = i;
    e->tie_group = m->ranked[i - 1]->tie_group + !join;
}

/* The position of the reference among ranked[0..n): its newest measurement. */
static bool find_reference(jt_report_entry *const *ranked, size_t n, size_t *pos)
{
    const char *ref = NULL;
    for (size_t i = 0; i < n && !ref; i++)
        if (ranked[i]->reference[0]) ref = ranked[i]->reference;
    bool found = false;
    for (size_t i = 0; ref && i < n; i++)
        if (!strcmp(ranked[i]->candidate, ref) &&
            (!found || jt_report_entry_newer(ranked[i], ranked[*pos]) > 0))
            *pos = i, found = true;
    return found;
}

/* Ratio, p and (after the BH step) q of ranked[i] against the reference at
 * k; p[np], who[np] collect the finite p values. */
static void compare_to_reference(pair_memo *m, size_t i, size_t k, double *p, size_t *who,
                                 size_t *np)
{
    jt_report_entry *e = m->ranked[i];
    if (i == k) {
        e->ratio_ref = 1;
        return;
    }
    ratio_of(m, i, k, &e->ratio_ref, &e->ratio_ref_lo, &e->ratio_ref_hi);
    e->p_better_ref = p_lower(m, i, k);
    if (isfinite(e->p_better_ref)) p[*np] = e->p_better_ref, who[(*np)++] = i;
}

static void reference_q(jt_report_entry *const *ranked, const double *p, const size_t *who,
                        size_t np)
{
    double *q = jt_xcalloc(np + 1, sizeof *q);
    jt_err err = JT_ERR_INIT;
    if (jt_stats_bh(p, np, q, &err) == 0)
        for (size_t j = 0; j < np; j++) {
            ranked[who[j]]->q_better_ref = q[j];
            ranked[who[j]]->better_ref = q[j] < ALPHA;
        }
    jt_err_clear(&err);
    free(q);
}

/* Frees ranked[j]'s resampled medians once no later comparison needs them:
 * every one is with the best (0), the group's first member, the reference
 * or the next entry, so at most five vectors are alive, not one per entry
 * (a 10,000-row board held 160 MB of them). They would be drawn again, the
 * same, if asked for. */
static void release_reps(pair_memo *m, size_t j, size_t start, size_t ref, size_t i)
{
    if (j == 0 || j == start || j == ref || j >= i) return;
    free(m->reps[j]);
    m->reps[j] = NULL;
    m->no_reps[j] = false;
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
    pair_memo m = {.ranked = ranked, .resamples = resamples,
                   .reps = jt_xcalloc(nr + 1, sizeof(double *)),
                   .no_reps = jt_xcalloc(nr + 1, sizeof(bool)),
                   .median = jt_xcalloc(nr + 1, sizeof(double)),
                   .seed = jt_xcalloc(nr + 1, sizeof(unsigned long)),
                   .rs = jt_stats_resampler_new()};
    assign_seeds(ranked, nr, m.seed);
    size_t start = 0, ref = 0, np = 0;
    bool has_ref = find_reference(ranked, nr, &ref);
    if (has_ref) ranked[ref]->is_reference = true;
    else ref = nr; /* protects no entry */
    double *p = jt_xcalloc(nr + 1, sizeof *p);
    size_t *who = jt_xcalloc(nr + 1, sizeof *who);
    for (size_t i = 0; i < nr; i++) {
        jt_report_entry *e = ranked[i];
        e->rank = i + 1;
        if (i == 0) {
            e->tie_group = 1;
            e->ratio_best = 1;
        } else {
            ratio_of(&m, i, 0, &e->ratio_best, &e->ratio_best_lo, &e->ratio_best_hi);
            e->p_best = pair(&m, 0, i)->p2;
            ratio_of(&m, i, i - 1, &e->ratio_above, &e->ratio_above_lo, &e->ratio_above_hi);
            size_t was = start;
            group_of(&m, i, &start);
            release_reps(&m, was, start, ref, i);
        }
        if (has_ref) compare_to_reference(&m, i, ref, p, who, &np);
        if (i > 0) release_reps(&m, i - 1, start, ref, i);
    }
    if (has_ref) reference_q(ranked, p, who, np);
    free(p), free(who);
    free(m.slot);
    for (size_t i = 0; i < nr; i++) free(m.reps[i]);
    free(m.reps), free(m.no_reps), free(m.median), free(m.seed);
    jt_stats_resampler_free(m.rs);
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
