/* jouletrace merge RUN_DIR... -o DIR — joins shard runs (one per cluster
 * node, `run --shard K/N`) into one run directory: one journal with every
 * record (each tagged with the host that measured it), a run.json naming the
 * parts, and the summary. Refuses runs of different suites (content hash).
 * The merging is the run module's (jt_run_merge, run.h). */
#include <getopt.h>
#include <stdio.h>

#include "commands/commands.h"
#include "jouletrace/run.h"

static const char merge_usage[] =
    "usage: jouletrace merge RUN_DIR... -o DIR\n"
    "\n"
    "Merges runs of the same suite — typically the shards of a cluster job, each\n"
    "measured on its own node's socket 0 with its own calibration — into one run\n"
    "directory DIR: journal.jsonl holds every record (tagged with the host that\n"
    "measured it), run.json lists the parts, and summary.json is regenerated.\n"
    "A candidate present in several parts keeps the record that finished last\n"
    "(a warning says so). Missing shards are reported, not invented.\n"
    "\n"
    "  -o, --output DIR   where to write (created; must not hold a journal)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 merged, 1 I/O error or unreadable run, 2 usage, 3 the runs\n"
    "are of different suites.\n";

int jt_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': out = optarg; break;
        case 'h': fputs(merge_usage, stdout); return JT_EXIT_OK;
        default:
            fprintf(stderr, "jouletrace merge: unknown or incomplete option '%s'\n%s", argv[optind - 1],
                    merge_usage);
            return JT_EXIT_USAGE;
        }
    }
    if (!out || optind >= argc) {
        fprintf(stderr, "jouletrace merge: %s\n%s", out ? "no RUN_DIR given" : "-o DIR is required",
                merge_usage);
        return JT_EXIT_USAGE;
    }
    jt_err err = JT_ERR_INIT;
    size_t n_runs = (size_t)(argc - optind), n_cands = 0;
    int code = jt_run_merge((const char *const *)argv + optind, n_runs, out, &n_cands, &err);
    if (code == JT_EXIT_OK)
        fprintf(stderr, "jouletrace merge: %zu candidates from %zu runs into %s\n", n_cands, n_runs, out);
    else
        fprintf(stderr, "jouletrace merge: %s\n", jt_err_msg(&err));
    jt_err_clear(&err);
    return code;
}
