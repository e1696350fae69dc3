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

int jt_reports_write_info(const char *run_dir, jt_journal_info *info_out, jt_err *err)
{
    char *html_path = jt_rundir_index(run_dir);
    json_t *run = NULL, *records = NULL;
    jt_csv_table results = {0}, trials = {0}, board_csv = {0}, groups = {0};
    jt_report_board board = JT_REPORT_BOARD_INIT;
    jt_buf html = JT_BUF_INIT;
    char *mixed = NULL;
    jt_journal_info info;
    int rc = -1;

    if (!(run = jt_rundir_load(run_dir, NULL, err))) goto out;
    memset(info_out, 0, sizeof *info_out);
    if (jt_rundir_read_journal(run_dir, &records, &info, err) != 0) goto out;
    *info_out = info;
    /* What a writer killed mid-report (SIGKILL, power loss) left behind. */
    if (jt_remove_stale_temps(run_dir, atomic_files, err) < 0) goto out;

    jt_report_results_table(run, records, &results);
    jt_report_trials_table(run, records, &trials);
    /* The leaderboard is ranked from the results rows themselves: the same
     * path `jouletrace leaderboard results.csv` takes. */
    if (jt_report_board_add(&board, &results, "results.csv", err) != 0) goto out;
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
        {"results.csv", &results},
        {"trials.csv", &trials},
        {"leaderboard.csv", &board_csv},
        {"leaderboard_groups.csv", has_groups ? &groups : NULL},
    };
    if (write_csvs(run_dir, files, sizeof files / sizeof files[0], err) != 0) goto out;
    /* Peak memory: what is written is freed before summary.json is built. */
    jt_csv_free(&trials);
    jt_csv_free(&board_csv);
    jt_csv_free(&results);

    const char *suite = json_string_value(json_object_get(json_object_get(run, "suite"), "name"));
    char *title = jt_xasprintf("JouleTrace \xE2\x80\x94 %s", suite ? suite : "run");
    const char *notes[] = {mixed, NULL};
    jt_report_html_input in = {
        .title = title, .run = run, .journal = &info, .records = records, .board = &board,
        .groups = has_groups ? &groups : NULL, .notes = notes,
    };
    jt_report_html(&in, &html);
    free(title);
    /* summary.json shares the records read above (no second parse) */
    if (jt_summary_write_of(run_dir, run, records, &info, err) != 0) goto out;
    json_decref(records);
    records = NULL;
    if (jt_write_file_atomic(html_path, jt_buf_str(&html), html.len, err) != 0) goto out;
    rc = 0;
out:
    jt_buf_release(&html);
    free(mixed);
    jt_report_board_free(&board);
    jt_csv_free(&groups); /* a zeroed table frees as empty */
    jt_csv_free(&board_csv);
    jt_csv_free(&trials);
    jt_csv_free(&results);
    json_decref(run);
    json_decref(records);
    free(html_path);
    return rc;
}
