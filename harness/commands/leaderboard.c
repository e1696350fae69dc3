/* jouletrace leaderboard CSV... — ranks candidates per test set across one
 * or more results.csv files (several runs, shards, nodes), the same way
 * `jouletrace report` ranks one run (report.h).
 * Exit: 0 written, 1 an input could not be read or parsed, rows from
 * different hosts/backends without --mix-hosts, or the output not written;
 * 2 usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "jouletrace/common.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/report.h"

static const char leaderboard_usage[] =
    "usage: jouletrace leaderboard RESULTS.CSV... [-o FILE] [--format csv|html]\n"
    "                              [--all-runs] [--mix-hosts] [--resamples N]\n"
    "\n"
    "Reads results.csv files (from `jouletrace run`/`report`) and ranks the\n"
    "candidates of each test set by median total energy per iteration, with\n"
    "ratios to the best and to the test set's reference (bootstrap 95% CIs over\n"
    "the trial samples in column trial_total_energy_joules), Mann-Whitney p,\n"
    "tie groups and Benjamini-Hochberg 'better than reference'. Only completed\n"
    "and unstable candidates are ranked; the others are listed with their status.\n"
    "\n"
    "  -o, --output FILE   write here (atomically) instead of stdout\n"
    "  --format csv|html   leaderboard.csv columns (default) or one self-contained\n"
    "                      HTML page; default html when FILE ends in .html\n"
    "  --all-runs          rank every measurement; default keeps the latest per\n"
    "                      (test set, candidate), by its finished time\n"
    "  --mix-hosts         rank rows from different hosts, CPUs or energy sources\n"
    "                      together (refused by default: not comparable)\n"
    "  --resamples N       bootstrap resamples per ratio CI (default 2000)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 written, 1 unreadable or malformed input, rows from different\n"
    "hosts/backends without --mix-hosts, or output not written; 2 usage.\n";

typedef struct lb_opts {
    const char *output, *format;
    int all_runs, mix_hosts;
    long resamples;
} lb_opts;

static int parse_args(int argc, char **argv, lb_opts *o, jt_err *err)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"all-runs", no_argument, NULL, 'a'},
        {"mix-hosts", no_argument, NULL, 'm'},
        {"resamples", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': o->output = optarg; break;
        case 'f':
            if (strcmp(optarg, "csv") && strcmp(optarg, "html"))
                return jt_err_set(err, "--format: '%s' is neither csv nor html", optarg);
            o->format = optarg;
            break;
        case 'a': o->all_runs = 1; break;
        case 'm': o->mix_hosts = 1; break;
        case 'r':
            if (jt_parse_long(optarg, 100, 10000000, &o->resamples, "--resamples", err) != 0)
                return -1;
            break;
        case 'h': return 1;
        default: return jt_err_set(err, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc) return jt_err_set(err, "missing RESULTS.CSV");
    if (!o->format) {
        size_t n = o->output ? strlen(o->output) : 0;
        o->format = n > 5 && (!strcmp(o->output + n - 5, ".html") || !strcmp(o->output + n - 4, ".htm"))
                        ? "html" : "csv";
    }
    return 0;
}

static int emit(const lb_opts *o, const jt_buf *b, jt_err *err)
{
    if (o->output) return jt_write_file_atomic(o->output, jt_buf_str(b), b->len, err);
    if (fwrite(jt_buf_str(b), 1, b->len, stdout) != b->len || fflush(stdout) != 0)
        return jt_err_set(err, "cannot write to stdout");
    return 0;
}

int jt_cmd_leaderboard(int argc, char **argv)
{
    lb_opts o = {0};
    jt_err err = JT_ERR_INIT;
    int prc = parse_args(argc, argv, &o, &err);
    if (prc) {
        if (prc > 0) fputs(leaderboard_usage, stdout);
        else fprintf(stderr, "jouletrace leaderboard: %s\n%s", jt_err_msg(&err), leaderboard_usage);
        jt_err_clear(&err);
        return prc > 0 ? JT_EXIT_OK : JT_EXIT_USAGE;
    }
    int code = JT_EXIT_FAILURE;
    jt_report_board board = JT_REPORT_BOARD_INIT;
    jt_csv_table out = {0}, groups = {0};
    jt_buf text = JT_BUF_INIT;
    char *note = NULL;
    for (int i = optind; i < argc; i++) {
        jt_csv_table t;
        if (jt_csv_read_file(argv[i], &t, &err) != 0) goto fail;
        int rc = jt_report_board_add(&board, &t, argv[i], &err);
        jt_csv_free(&t);
        if (rc != 0) goto fail;
    }
    if (!o.all_runs) jt_report_board_keep_latest(&board);
    if (jt_report_board_check_hosts(&board, &err) != 0) {
        if (!o.mix_hosts) {
            jt_err_prefix(&err, "refusing to rank");
            fprintf(stderr, "jouletrace leaderboard: %s (--mix-hosts ranks them anyway)\n",
                    jt_err_msg(&err));
            goto out;
        }
        note = jt_xasprintf("ranked across machines (--mix-hosts): %s", jt_err_msg(&err));
        jt_warn("%s", note);
        jt_err_clear(&err);
    }
    jt_report_board_rank(&board, (size_t)o.resamples);
    bool has_groups = jt_report_board_has_groups(&board);
    if (!strcmp(o.format, "csv")) {
        jt_report_board_table(&board, &out);
        jt_csv_format(&out, &text);
    } else {
        if (has_groups) jt_report_groups_table(&board, (size_t)o.resamples, &groups);
        const char *notes[] = {note, NULL};
        jt_report_html_input in = {
            .title = "JouleTrace leaderboard", .board = &board,
            .groups = has_groups ? &groups : NULL, .warnings = notes,
        };
        jt_report_html(&in, &text);
    }
    if (emit(&o, &text, &err) != 0) goto fail;
    code = JT_EXIT_OK;
    goto out;
fail:
    fprintf(stderr, "jouletrace leaderboard: %s\n", jt_err_msg(&err));
out:
    jt_err_clear(&err);
    jt_buf_release(&text);
    jt_csv_free(&out);
    jt_csv_free(&groups);
    jt_report_board_free(&board);
    free(note);
    return code;
}
