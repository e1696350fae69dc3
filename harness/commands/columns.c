/* jouletrace columns — what every column of the CSV reports means, from the
 * writers' own column tables and their descriptions (report/coldoc.c). The
 * README's and the man page's column lists are this command's output
 * (scripts/gen-column-docs.sh); `--check` fails on a column without a
 * description, or a description of a column no writer has. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "jouletrace/common.h"
#include "jouletrace/report.h"

static const char columns_usage[] =
    "usage: jouletrace columns [--format text|markdown|man] [--check] [FILE...]\n"
    "\n"
    "Describes every column of the CSV files a run writes, in file order:\n"
    "results.csv, trials.csv, leaderboard.csv and leaderboard_groups.csv (or\n"
    "only the FILEs named). Energies and times are per iteration (one pass\n"
    "over the test set) unless the description says otherwise.\n"
    "\n"
    "  --format F   text (default), markdown (README tables) or man (roff)\n"
    "  --check      print nothing; exit 1 naming each column that has no\n"
    "               description and each description without a column\n"
    "  -h, --help   this text\n"
    "\n"
    "Exit status: 0 ok, 1 --check found a gap, 2 usage (unknown FILE or format).\n";

static const char *const files[] = {"results.csv", "trials.csv", "leaderboard.csv",
                                    "leaderboard_groups.csv"};
#define N_FILES (sizeof files / sizeof files[0])

typedef enum fmt { F_TEXT, F_MARKDOWN, F_MAN } fmt;
static const char *const fmt_names[] = {"text", "markdown", "man"};

/* Markdown and roff need a few characters escaped. */
static void put_escaped(const char *s, fmt f)
{
    for (; *s; s++) {
        if (f == F_MARKDOWN && *s == '|') fputs("\\|", stdout);
        else if (f == F_MAN && *s == '\\') fputs("\\e", stdout);
        else if (f == F_MAN && *s == '`') continue; /* README code marks */
        else putchar(*s);
    }
}

static void print_file(const char *file, const jt_csv_table *t, fmt f)
{
    if (f == F_MARKDOWN) printf("| %s column | meaning |\n|---|---|\n", file);
    else if (f == F_MAN) printf(".SS %s\n", file);
    else printf("%s\n", file);
    for (size_t c = 0; c < t->ncols; c++) {
        const char *doc = jt_report_column_doc(file, t->names[c]);
        if (!doc) doc = "(undocumented)";
        if (f == F_MARKDOWN) printf("| `%s` | ", t->names[c]);
        else if (f == F_MAN) printf(".TP\n.B %s\n", t->names[c]);
        else printf("  %-40s ", t->names[c]);
        if (f == F_MAN && *doc == '.') fputs("\\&", stdout);
        put_escaped(doc, f);
        fputs(f == F_MARKDOWN ? " |\n" : "\n", stdout);
    }
}

/* Columns without a description and descriptions without a column. */
static size_t check_file(const char *file, const jt_csv_table *t)
{
    size_t bad = 0;
    for (size_t c = 0; c < t->ncols; c++)
        if (!jt_report_column_doc(file, t->names[c])) {
            fprintf(stderr, "jouletrace columns: %s: column '%s' has no description "
                            "(add it to harness/report/coldoc.c)\n", file, t->names[c]);
            bad++;
        }
    size_t n = jt_report_column_docs(file, NULL, 0);
    const char **doc = jt_xcalloc(n + 1, sizeof *doc);
    jt_report_column_docs(file, doc, n);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t c = 0; c < t->ncols && !found; c++) found = !strcmp(doc[i], t->names[c]);
        if (!found) {
            fprintf(stderr, "jouletrace columns: %s: '%s' is described but no writer has it "
                            "(remove it from harness/report/coldoc.c)\n", file, doc[i]);
            bad++;
        }
    }
    free(doc);
    return bad;
}

int jt_cmd_columns(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"check", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    fmt f = F_TEXT;
    bool check = false;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': fputs(columns_usage, stdout); return JT_EXIT_OK;
        case 'c': check = true; break;
        case 'f': {
            size_t k = 0;
            while (k < 3 && strcmp(optarg, fmt_names[k])) k++;
            if (k == 3) {
                fprintf(stderr, "jouletrace columns: --format '%s': expected text, markdown or "
                                "man\n%s", optarg, columns_usage);
                return JT_EXIT_USAGE;
            }
            f = (fmt)k;
            break;
        }
        default:
            fprintf(stderr, "jouletrace columns: unknown or incomplete option '%s'\n%s",
                    argv[optind - 1], columns_usage);
            return JT_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        size_t k = 0;
        while (k < N_FILES && strcmp(argv[i], files[k])) k++;
        if (k == N_FILES) {
            fprintf(stderr, "jouletrace columns: '%s' is not a report file (results.csv, "
                            "trials.csv, leaderboard.csv, leaderboard_groups.csv)\n", argv[i]);
            return JT_EXIT_USAGE;
        }
    }
    size_t bad = 0;
    bool first = true;
    for (size_t k = 0; k < N_FILES; k++) {
        bool wanted = optind == argc;
        for (int i = optind; i < argc && !wanted; i++) wanted = !strcmp(argv[i], files[k]);
        if (!wanted) continue;
        jt_csv_table t;
        jt_report_file_columns(files[k], &t);
        if (check) bad += check_file(files[k], &t);
        else {
            if (!first && f != F_MAN) putchar('\n');
            print_file(files[k], &t, f);
        }
        first = false;
        jt_csv_free(&t);
    }
    return bad ? JT_EXIT_FAILURE : JT_EXIT_OK;
}
