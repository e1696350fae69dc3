/* jouletrace report RUN_DIR — regenerates every report of a run directory
 * from its run.json + journal.jsonl (also for an interrupted run).
 * Exit: 0 written, 1 the run directory could not be read or a report not
 * written, 2 usage. */
#include <getopt.h>
#include <stdio.h>

#include "commands/commands.h"
#include "jouletrace/common.h"
#include "jouletrace/report.h"
#include "jouletrace/rundir.h"

static const char report_usage[] =
    "usage: jouletrace report RUN_DIR [--quiet]\n"
    "\n"
    "Regenerates results.csv, trials.csv, leaderboard.csv, leaderboard_groups.csv\n"
    "(when candidates have a group), summary.json and index.html in RUN_DIR from\n"
    "its run.json and journal.jsonl. Works on an interrupted run too: the reports\n"
    "then cover the candidates journaled so far. Each file is replaced\n"
    "atomically.\n"
    "\n"
    "  -q, --quiet   print nothing on success\n"
    "  -h, --help    this text\n"
    "\n"
    "Exit status: 0 reports written, 1 RUN_DIR unreadable (no run.json) or a\n"
    "report could not be written, 2 usage.\n";

int jt_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch, quiet = 0;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'q': quiet = 1; break;
        case 'h': fputs(report_usage, stdout); return JT_EXIT_OK;
        default:
            fprintf(stderr, "jouletrace report: unknown or incomplete option '%s'\n%s",
                    argv[optind - 1], report_usage);
            return JT_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "jouletrace report: %s\n%s",
                argc == optind ? "missing RUN_DIR" : "expected exactly one RUN_DIR", report_usage);
        return JT_EXIT_USAGE;
    }
    const char *dir = argv[optind];
    jt_err err = JT_ERR_INIT;
    /* The lines of the journal the reports cannot include, said once here
     * (index.html says it too), from the reports' own reading of it. */
    jt_journal_info info;
    int rc = jt_reports_write_info(dir, &info, &err);
    jt_rundir_warn_skipped(dir, &info);
    if (rc != 0) {
        fprintf(stderr, "jouletrace report: %s\n", jt_err_msg(&err));
        jt_err_clear(&err);
        return JT_EXIT_FAILURE;
    }
    if (!quiet) printf("reports written: %s/index.html (and results.csv, trials.csv, "
                       "leaderboard.csv, summary.json)\n", dir);
    return JT_EXIT_OK;
}
