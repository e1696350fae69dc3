/* jt_reports_write: every report of a run directory from run.json +
 * journal.jsonl (report.h). The journal is the source of truth; everything
 * here is derived and may be regenerated at any time, including for a run
 * that was interrupted or is still going (each file is replaced atomically,
 * so a reader never sees half of one). */
#include "jouletrace/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/rundir.h"
#include "jouletrace/sandbox.h"
#include "jouletrace/summary.h"

typedef struct csv_out {
    const char *name;
    const jt_csv_table *table; /* NULL: not written (and a stale copy removed) */
} csv_out;

static int write_csvs(const char *dir, const csv_out *files, size_t n, jt_err *err)
{
    for (size_t i = 0; i < n; i++) {
        char *path = jt_xasprintf("%s/%s", dir, files[i].name);
        int rc = 0;
        if (files[i].table) {
            rc = jt_csv_write_file(path, files[i].table, err);
        } else if (unlink(path) != 0 && errno != ENOENT) {
            rc = jt_err_set(err, "cannot remove stale %s: %s", path, strerror(errno));
        }
        free(path);
        if (rc != 0) return -1;
    }
    return 0;
}

/* Every file of a run directory written through jt_write_file_atomic. */
static const char *const atomic_files[] = {"run.json", "results.csv", "trials.csv", "leaderboard.csv",
                                           "leaderboard_groups.csv", "summary.json", "index.html",
                                           NULL};

int jt_reports_write(const char *run_dir, jt_err *err)
{
    jt_journal_info info;
    return jt_reports_write_info(run_dir, &info, err);
}

/* ---- the one pass over the journal --------------------------------------
 * trials.csv and summary.json are written while the journal is read, one
 * record in memory at a time; what stays is one results row per candidate
 * and the few facts index.html needs (docs/design.md "Reports"). */

typedef struct pass {
    const char *run_dir;
    json_t *run;
    jt_csv_sink trials_out, summary_out;
    jt_csv_table trial_rows;   /* the record at hand's, written at once */
    jt_summary_stream summary;
    jt_csv_table results;      /* every candidate record's row */
    bool *superseded;          /* by row: a later record of the same candidate */
    size_t superseded_cap;
    json_t *row_of;            /* record key → its latest row */
    jt_report_journal_notes notes;
    jt_journal_info info;
    jt_err journal_err;        /* why the read stopped, when it was not a write */
    bool journal_failed;
} pass;

static void note_record(pass *p, const json_t *rec)
{
    p->notes.ran += json_object_get(rec, "sandbox") != NULL; /* not when nothing ran */
    if (jt_sandbox_record_weakened(rec) && !p->notes.weak++) {
        const char *desc = json_string_value(json_object_get(rec, "sandbox"));
        p->notes.first_weak = desc ? jt_xstrdup(desc) : NULL;
    }
}

/* A re-measured candidate keeps only its newest row, at that record's place,
 * and the failures of its newest record. */
static void add_result(pass *p, json_t *rec)
{
    char *key = jt_report_record_key(rec);
    const json_t *old = json_object_get(p->row_of, key);
    if (old) p->superseded[json_integer_value(old)] = true;
    size_t row = p->results.nrows;
    jt_report_results_row(p->run, rec, &p->results);
    JT_GROW(p->superseded, row + 1, p->superseded_cap);
    p->superseded[row] = false;
    json_object_set_new(p->row_of, key, json_integer((json_int_t)row));
    json_t *failures = json_object_get(rec, "failures");
    if (json_array_size(failures)) json_object_set(p->notes.failures, key, failures);
    else json_object_del(p->notes.failures, key);
    free(key);
}

static int on_record(json_t *rec, const char *line, size_t len, void *ctx, jt_err *err)
{
    (void)err;
    pass *p = ctx;
    note_record(p, rec);
    jt_report_trials_rows(p->run, rec, &p->trial_rows);
    if (jt_csv_sink_rows(&p->trials_out, &p->trial_rows) != 0 ||
        jt_summary_stream_record(&p->summary, rec, line, len) != 0)
        return -1; /* a write error: errno says which */
    if (!jt_report_is_floor(rec)) add_result(p, rec);
    return 0;
}

static int fill_summary(int fd, void *ctx)
{
    pass *p = ctx;
    jt_csv_sink_init(&p->summary_out, fd);
    int rc = jt_summary_stream_begin(&p->summary, p->run_dir, &p->summary_out);
    char *path = jt_rundir_journal(p->run_dir);
    if (rc == 0 && jt_journal_each(path, on_record, p, &p->info, &p->journal_err) != 0) {
        p->journal_failed = !p->trials_out.err && !p->summary_out.err;
        rc = -1;
    }
    free(path);
    if (rc == 0) rc = jt_summary_stream_end(&p->summary, p->run, &p->info);
    if (jt_csv_sink_finish(&p->summary_out) != 0) rc = -1;
    if (rc == 0 && p->trials_out.err) rc = -1, errno = p->trials_out.err;
    return rc;
}

static int fill_trials(int fd, void *ctx)
{
    pass *p = ctx;
    jt_csv_sink_init(&p->trials_out, fd);
    jt_csv_sink_header(&p->trials_out, &p->trial_rows);
    char *path = jt_rundir_summary(p->run_dir);
    jt_err serr = JT_ERR_INIT;
    int rc = jt_write_file_atomic_fn(path, fill_summary, p, &serr);
    free(path);
    if (rc != 0 && !p->journal_failed) jt_err_set(&p->journal_err, "%s", jt_err_msg(&serr));
    p->journal_failed |= rc != 0; /* the summary's own error is the one to report */
    jt_err_clear(&serr);
    if (jt_csv_sink_finish(&p->trials_out) != 0) return -1;
    return rc;
}

static int read_journal(pass *p, jt_err *err)
{
    jt_report_trials_init(&p->trial_rows);
    jt_report_results_init(&p->results);
    p->row_of = json_object();
    p->notes.failures = json_object();
    char *path = jt_xasprintf("%s/trials.csv", p->run_dir);
    int rc = jt_write_file_atomic_fn(path, fill_trials, p, err);
    free(path);
    if (rc != 0 && p->journal_failed) {
        jt_err_clear(err);
        jt_err_set(err, "%s", jt_err_msg(&p->journal_err));
    }
    if (rc == 0) jt_csv_drop_rows(&p->results, p->superseded);
    return rc;
}

static void pass_release(pass *p)
{
    jt_csv_free(&p->trial_rows);
    jt_csv_free(&p->results);
    jt_summary_stream_release(&p->summary);
    free(p->superseded);
    json_decref(p->row_of);
    json_decref(p->notes.failures);
    free(p->notes.first_weak);
    jt_err_clear(&p->journal_err);
}

int jt_reports_write_info(const char *run_dir, jt_journal_info *info_out, jt_err *err)
{
    char *html_path = jt_rundir_index(run_dir);
    pass p = {.run_dir = run_dir, .journal_err = JT_ERR_INIT};
    jt_csv_table board_csv = {0}, groups = {0};
    jt_report_board board = JT_REPORT_BOARD_INIT;
    jt_buf html = JT_BUF_INIT;
    char *mixed = NULL;
    int rc = -1;

    memset(info_out, 0, sizeof *info_out);
    if (!(p.run = jt_rundir_load(run_dir, NULL, err))) goto out;
    /* What a writer killed mid-report (SIGKILL, power loss) left behind. */
    if (jt_remove_stale_temps(run_dir, atomic_files, err) < 0) goto out;
    if (read_journal(&p, err) != 0) goto out;
    *info_out = p.info;

    /* The leaderboard is ranked from the results rows themselves: the same
     * path `jouletrace leaderboard results.csv` takes. */
    if (jt_report_board_add(&board, &p.results, "results.csv", err) != 0) goto out;
    /* A merged run may hold several hosts: ranked anyway (the user merged
     * them), but the page says so. */
    jt_err host_err = JT_ERR_INIT;
    if (jt_report_board_check_hosts(&board, &host_err) != 0)
        mixed = jt_xasprintf("This run ranks measurements from different machines together: %s",
                             jt_err_msg(&host_err));
    jt_err_clear(&host_err);
    jt_report_board_rank(&board, 0);
    jt_report_board_table(&board, &board_csv);
    bool has_groups = jt_report_board_has_groups(&board);
    if (has_groups) jt_report_groups_table(&board, 0, &groups);

    const csv_out files[] = {
        {"results.csv", &p.results},
        {"leaderboard.csv", &board_csv},
        {"leaderboard_groups.csv", has_groups ? &groups : NULL},
    };
    if (write_csvs(run_dir, files, sizeof files / sizeof files[0], err) != 0) goto out;
    jt_csv_free(&board_csv);
    jt_csv_free(&p.results);

    const char *suite = json_string_value(json_object_get(json_object_get(p.run, "suite"), "name"));
    char *title = jt_xasprintf("JouleTrace \xE2\x80\x94 %s", suite ? suite : "run");
    const char *warnings[] = {mixed, NULL};
    jt_report_html_input in = {
        .title = title, .run = p.run, .journal = &p.info, .notes = &p.notes, .board = &board,
        .groups = has_groups ? &groups : NULL, .warnings = warnings,
    };
    jt_report_html(&in, &html);
    free(title);
    if (jt_write_file_atomic(html_path, jt_buf_str(&html), html.len, err) != 0) goto out;
    rc = 0;
out:
    jt_buf_release(&html);
    free(mixed);
    jt_report_board_free(&board);
    jt_csv_free(&groups); /* a zeroed table frees as empty */
    jt_csv_free(&board_csv);
    json_decref(p.run);
    pass_release(&p);
    free(html_path);
    return rc;
}
