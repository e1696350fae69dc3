/* report — the files users read and feed to their scripts (docs/design.md "Reports"):
 * results.csv, trials.csv, leaderboard.csv, leaderboard_groups.csv,
 * summary.json and index.html, all derived from a run directory's run.json +
 * journal.jsonl, so they can be regenerated at any time (`jouletrace
 * report`, also for an interrupted run), plus the pieces `jouletrace
 * leaderboard` reuses to rank across results.csv files.
 *
 * One code path ranks: the run's leaderboard is computed from its own
 * results.csv rows (as text), exactly as `jouletrace leaderboard` computes it
 * from files, so both give the same numbers. results.csv therefore carries
 * everything ranking needs, including each candidate's per-iteration trial
 * energies (column trial_total_energy_joules) for the bootstrap ratio CIs.
 *
 * Every file is written atomically (temp + rename, fsutil.h). Numbers are
 * written with the fewest digits that read back to the same double; NaN,
 * null and "does not apply" are empty cells. Strings are made valid UTF-8
 * (jt_utf8_sanitize) before they reach a CSV or HTML file.
 *
 * Ownership: tables and boards own every string they hold (copies);
 * inputs are borrowed. *_free releases, and leaves the struct reusable after
 * the matching init. */
#ifndef JOULETRACE_REPORT_H
#define JOULETRACE_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "jouletrace/common.h"
#include "jouletrace/journal.h"

/* The value of the `csv_schema` column (the first column of every CSV file
 * written here). Consumers key on it. It changes only when a column is
 * renamed, removed or changes meaning; new columns are appended at the end
 * without a bump. Readers refuse files with a newer csv_schema. */
#define JT_CSV_SCHEMA 1

/* Bootstrap resamples of each ratio CI on a leaderboard. Fewer than the
 * 10 000 of a candidate's own median CI (docs/design.md "Numbers") because a leaderboard
 * needs up to three per candidate: 2 000 still leave 50 replicates in each
 * 2.5 % tail, and ranking 2 000 candidates with 10 000 took two minutes of
 * one CPU (five times less now) — which matters when `report` runs on a
 * measurement host. `jouletrace leaderboard --resamples N` raises it. */
#define JT_REPORT_RESAMPLES 2000

/* (Re)generates every report of run_dir from run.json + journal.jsonl:
 * results.csv, trials.csv, leaderboard.csv, leaderboard_groups.csv (only
 * when some candidate has a `group`; a stale one is removed otherwise),
 * summary.json and index.html. First removes the "NAME.tmp.PID" files that
 * a killed writer of any of these or of run.json left (jt_remove_stale_temps).
 * Returns 0 or -1 (err). */
int jt_reports_write(const char *run_dir, jt_err *err);
/* The same, and *info (zeroed first) says what reading the journal found
 * (skipped lines, a torn tail), so a caller can warn without a second
 * read of the journal (at 10,000 records, a quarter of the time). */
int jt_reports_write_info(const char *run_dir, jt_journal_info *info, jt_err *err);

/* ---- CSV tables (libcsv) ---------------------------------------------- */

typedef struct jt_csv_table {
    size_t ncols;
    char **names;      /* ncols column names */
    size_t nrows, cap;
    char **cells;      /* nrows * ncols, row-major; NULL is an empty cell */
    bool *text;        /* ncols: candidate-controlled columns, written safe (jt_csv_mark_text) */
} jt_csv_table;

void jt_csv_init(jt_csv_table *t, const char *const *names, size_t ncols);
void jt_csv_free(jt_csv_table *t);
/* Appends an empty row and returns its index. */
size_t jt_csv_add_row(jt_csv_table *t);
/* Copies value into the cell (NULL or "" make it empty). */
void jt_csv_set(jt_csv_table *t, size_t row, size_t col, const char *value);
void jt_csv_set_num(jt_csv_table *t, size_t row, size_t col, double v); /* non-finite: empty */
void jt_csv_set_int(jt_csv_table *t, size_t row, size_t col, long long v);
/* Marks column col as candidate-controlled text (README "Safe cells"): its
 * cells keep their text in the table (the HTML report escapes it its own
 * way) and are written by jt_csv_format as jt_csv_safe_text makes them. */
void jt_csv_mark_text(jt_csv_table *t, size_t col);
/* A candidate-controlled cell as written: control characters (C0, DEL, C1)
 * become visible escapes ("\n", "\t", "\r", "\x1b", "\u009b") and a cell
 * starting with '=', '+', '-' or '@' gets a leading single quote (OWASP's
 * rule; a leading tab or CR is escaped already). Idempotent: a cell read
 * back from results.csv is written unchanged. NULL for NULL or "". Caller
 * frees. */
char *jt_csv_safe_text(const char *value);
/* The cell's text; "" when empty. */
const char *jt_csv_get(const jt_csv_table *t, size_t row, size_t col);
/* Column index by exact name, or -1. */
long jt_csv_col(const jt_csv_table *t, const char *name);
/* The shortest of %.15g/%.16g/%.17g that reads back (strtod) to exactly v;
 * "" for a non-finite v. buf holds at least 32 bytes. */
void jt_csv_format_num(double v, char buf[32]);
/* Parses a number cell: false for an empty or malformed cell (then *out is NAN). */
bool jt_csv_parse_num(const char *s, double *out);

/* Header + rows; "\n" line ends; a cell is quoted (libcsv csv_write) only
 * when it holds a comma, quote, CR, LF or leading/trailing blank. Strings are
 * made valid UTF-8 first. */
void jt_csv_format(const jt_csv_table *t, jt_buf *out);
/* Replaced atomically, written in 64 KiB chunks. */
int jt_csv_write_file(const char *path, const jt_csv_table *t, jt_err *err);
/* Empties the table (its columns stay); frees rows flagged in drop[nrows]
 * and closes the gaps, keeping the order of the rest. */
void jt_csv_clear_rows(jt_csv_table *t);
void jt_csv_drop_rows(jt_csv_table *t, const bool *drop);

/* Rows written to an fd as they are made (a file too big to build in
 * memory): formatted as jt_csv_format does, flushed in 64 KiB writes. Each
 * call returns -1 with errno once a write failed; finish flushes and frees. */
typedef struct jt_csv_sink {
    int fd;
    int err; /* errno of the first failed write, or 0 */
    jt_buf buf;
} jt_csv_sink;
void jt_csv_sink_init(jt_csv_sink *s, int fd);
int jt_csv_sink_header(jt_csv_sink *s, const jt_csv_table *t);
/* Writes t's rows, then empties t. */
int jt_csv_sink_rows(jt_csv_sink *s, jt_csv_table *t);
/* Raw bytes (another format written through the same buffer). */
int jt_csv_sink_add(jt_csv_sink *s, const char *text, size_t len);
int jt_csv_sink_finish(jt_csv_sink *s);
/* Parses CSV text (the first record is the header; a UTF-8 BOM is skipped;
 * blanks are kept, not trimmed). Every record must have the header's number
 * of fields. `what` names the input in errors. t must not be initialised. */
int jt_csv_parse(const char *data, size_t len, const char *what, jt_csv_table *t, jt_err *err);
int jt_csv_read_file(const char *path, jt_csv_table *t, jt_err *err);

/* ---- results.csv and trials.csv --------------------------------------- */

/* One row per candidate record of `records` (a journal's records; floors
 * are skipped, and when a candidate was journaled twice the last record
 * wins). `run` is run.json (may be NULL: run columns stay empty). */
void jt_report_results_table(const json_t *run, const json_t *records, jt_csv_table *out);
/* One row per trial of every candidate and floor record. */
void jt_report_trials_table(const json_t *run, const json_t *records, jt_csv_table *out);
/* The same a record at a time (report.c's one pass over the journal):
 * init makes the empty table, results_row adds the record's row (the caller
 * drops superseded ones), trials_rows its trial rows. */
void jt_report_results_init(jt_csv_table *t);
void jt_report_trials_init(jt_csv_table *t);
void jt_report_results_row(const json_t *run, const json_t *rec, jt_csv_table *t);
void jt_report_trials_rows(const json_t *run, const json_t *rec, jt_csv_table *t);
/* "test set\x1fid": a candidate's identity within a run (caller frees). */
char *jt_report_key(const char *test_set, const char *id);
char *jt_report_record_key(const json_t *rec);
bool jt_report_is_floor(const json_t *rec);
/* Age of the run's calibration when the run started, in days (run.json
 * calibration.created_unix vs started); NAN without a calibration. */
double jt_report_calibration_age_days(const json_t *run);

/* ---- column descriptions (report/coldoc.c) ------------------------------ */

/* What `column` of `file` ("results.csv", "trials.csv", "leaderboard.csv",
 * "leaderboard_groups.csv") means, or NULL when undocumented. */
const char *jt_report_column_doc(const char *file, const char *column);
/* The documented columns of `file`: up to max names into columns[]; returns
 * how many there are. */
size_t jt_report_column_docs(const char *file, const char **columns, size_t max);
/* The header of `file` as the writers produce it (an empty table; caller
 * frees with jt_csv_free); -1 for an unknown file. */
int jt_report_file_columns(const char *file, jt_csv_table *out);

/* ---- leaderboards ----------------------------------------------------- */

typedef enum jt_report_tie_method {
    JT_TIE_NONE = 0,     /* rank 1, or not ranked */
    JT_TIE_RATIO_CI,     /* vs the one above: the bootstrap CI of their ratio */
    JT_TIE_CI_OVERLAP,   /* vs the one above, without trial samples: median CI overlap */
} jt_report_tie_method;

/* One results.csv row, parsed, and its place on the leaderboard. Strings are
 * owned by the entry ("" when the cell was empty). */
typedef struct jt_report_entry {
    char *test_set, *candidate, *group, *status, *error, *reference;
    char *energy_source, *host, *cpu_model, *run_started, *finished, *flags, *source;
    bool is_correct;
    bool excluded;               /* results.csv `ranked` false: the cache check suspects it */
    int judged_in_process;       /* 1: by scripts in the candidate's process; 0; -1 not said */
    double median, lo, hi;       /* median_total_energy_joules and its CI; NAN when absent */
    double time;                 /* median_execution_time_seconds; NAN when absent */
    long n_trials;               /* -1 when absent */
    double *samples;             /* per-iteration total energies of the trials; may be NULL */
    size_t n_samples;
    size_t order;                /* position in input: stable tie-break */
    /* Filled by jt_report_board_rank: */
    size_t rank;                 /* 1-based; 0 = not ranked (status not measured, or excluded) */
    size_t tie_group;            /* 1-based; 0 when not ranked */
    jt_report_tie_method tie_method;
    bool is_reference;           /* the measurement ratio_to_reference divides by */
    double ratio_best, ratio_best_lo, ratio_best_hi, p_best;
    double ratio_above, ratio_above_lo, ratio_above_hi;
    double ratio_ref, ratio_ref_lo, ratio_ref_hi;
    double p_better_ref, q_better_ref; /* one-sided Mann–Whitney p, BH q */
    int better_ref;              /* 1 / 0; -1 when it does not apply */
} jt_report_entry;

typedef struct jt_report_board {
    jt_report_entry *e;
    size_t n, cap;
} jt_report_board;

#define JT_REPORT_BOARD_INIT {NULL, 0, 0}

/* Statuses that are ranked on energy: the candidate was correct and measured. */
bool jt_report_status_ranked(const char *status);

/* Adds every row of a results.csv table. Needs the columns test_set,
 * candidate and status; refuses a csv_schema newer than JT_CSV_SCHEMA.
 * `source` (a file name) is kept for messages. */
int jt_report_board_add(jt_report_board *b, const jt_csv_table *results, const char *source,
                        jt_err *err);
/* > 0 when a was measured after b: the greater `finished`, then
 * `run_started`, then the later input row. */
int jt_report_entry_newer(const jt_report_entry *a, const jt_report_entry *b);
/* Keeps only the latest measurement per (test set, candidate): the greatest
 * `finished`, then `run_started`; on equal times the later input wins. */
void jt_report_board_keep_latest(jt_report_board *b);
/* -1 (err says which test set and which two hosts/backends) when a test set
 * would rank rows from different (host, cpu_model, energy_source). */
int jt_report_board_check_hosts(const jt_report_board *b, jt_err *err);
/* Ranks each test set (docs/design.md "Comparisons") and sorts the board: test sets in order
 * of first appearance; in each, ranked entries by rank (equal medians by
 * candidate id), then the others in input order. Each pair is compared once
 * (jt_stats_ratio_ci with `resamples`, 0: JT_REPORT_RESAMPLES, and a seed
 * of the unordered pair's ids), so the same rows in any order give the
 * same leaderboard, and tie groups follow the one rule of rank.c. */
void jt_report_board_rank(jt_report_board *b, size_t resamples);
/* leaderboard.csv rows of a ranked board. */
void jt_report_board_table(const jt_report_board *b, jt_csv_table *out);
bool jt_report_board_has_groups(const jt_report_board *b);
/* leaderboard_groups.csv rows of a ranked board (empty when no groups). */
void jt_report_groups_table(const jt_report_board *b, size_t resamples, jt_csv_table *out);
void jt_report_board_free(jt_report_board *b);

/* ---- HTML ------------------------------------------------------------- */

/* Appends s, made valid UTF-8, with & < > " ' entity-escaped. When max > 0
 * and s is longer than max bytes, it is cut at a character boundary and
 * "…" appended. */
void jt_report_html_escape(jt_buf *out, const char *s, size_t max);
/* "8.342 µJ": 4 significant digits with an SI prefix; "–" for NaN. */
void jt_report_fmt_si(jt_buf *out, double v, const char *unit);

/* Inline SVG: each ranked entry of entries[0..n) as a median dot with CI
 * whiskers, one row per entry in the given order; log scale when
 * max/min > 20 and every bound is positive. */
void jt_report_svg_medians(jt_buf *out, const jt_report_entry *const *entries, size_t n);
/* Inline SVG scatter of median energy (y) against median time (x) per
 * iteration, points labelled with their rank. */
void jt_report_svg_scatter(jt_buf *out, const jt_report_entry *const *entries, size_t n);

/* What index.html needs from the journal besides the board, gathered in
 * the report's one pass over it (report.c). */
typedef struct jt_report_journal_notes {
    size_t ran, weak;  /* records that ran something; of those, with a weakened sandbox */
    char *first_weak;  /* the first weakened record's sandbox description, or NULL */
    json_t *failures;  /* jt_report_record_key → the failures of its last record, when any */
} jt_report_journal_notes;

typedef struct jt_report_html_input {
    const char *title;
    const json_t *run;              /* run.json, or NULL (leaderboard across files) */
    const jt_journal_info *journal; /* or NULL */
    const jt_report_journal_notes *notes; /* or NULL (no failure details) */
    const jt_report_board *board;   /* ranked */
    const jt_csv_table *groups;     /* leaderboard_groups rows, or NULL */
    const char *const *warnings;    /* extra warnings, NULL-terminated, may be NULL */
} jt_report_html_input;

/* One self-contained page (no scripts, no external resources). */
void jt_report_html(const jt_report_html_input *in, jt_buf *out);

#endif
