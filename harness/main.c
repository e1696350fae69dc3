/* jouletrace — entry point: global flags, then exact-match dispatch through
 * the command table (no prefix matching: a typo gets "did you mean"). */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "jouletrace/common.h"

static const jt_command jt_commands[] = {
    {"run", jt_cmd_run, "validate and measure every candidate of a suite"},
    {"validate", jt_cmd_validate, "check every candidate's correctness (no energy)"},
    {"calibrate", jt_cmd_calibrate, "measure the idle baseline of socket 0"},
    {"measure", jt_cmd_measure, "one candidate from the seed's request JSON on stdin"},
    {"serve", jt_cmd_serve, "the seed's REST API over a durable queue, with a worker"},
    {"worker", jt_cmd_worker, "measure the tasks of a serve queue on this host"},
    {"merge", jt_cmd_merge, "join shard runs (one per node) into one run"},
    {"status", jt_cmd_status, "energy backends, permissions and what `auto` would use"},
    {"report", jt_cmd_report, "regenerate a run directory's CSV, JSON and HTML reports"},
    {"leaderboard", jt_cmd_leaderboard, "rank candidates per test set across results.csv files"},
    {"columns", jt_cmd_columns, "what every column of the CSV reports means"},
};
#define N_COMMANDS (sizeof jt_commands / sizeof jt_commands[0])

static void usage(FILE *f)
{
    fputs("usage: jouletrace [--version] [--help] <command> [<args>]\n\n"
          "Measures the energy of candidate code, serially on CPU socket 0.\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-12s %s\n", jt_commands[i].name, jt_commands[i].summary);
    fputs("\n'jouletrace <command> --help' describes a command; man jouletrace has the\n"
          "exit codes: 0 ok, 1 error, 2 usage, 3 bad suite, 4 host not ready,\n"
          "5 interrupted (resumable), 6 every candidate failed.\n",
          f);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; our callers check every return value. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return JT_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        if (!strcmp(cmd, "help") && argc > 2) {
            /* `jouletrace help validate` == `jouletrace validate --help` */
            static char help_flag[] = "--help";
            char *sub_argv[] = {argv[2], help_flag, NULL};
            for (size_t i = 0; i < N_COMMANDS; i++)
                if (!strcmp(jt_commands[i].name, argv[2])) return jt_commands[i].fn(2, sub_argv);
        }
        usage(stdout);
        return JT_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("jouletrace %s\n", JT_VERSION);
        return JT_EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(jt_commands[i].name, cmd)) return jt_commands[i].fn(argc - 1, argv + 1);

    const char *names[N_COMMANDS + 1];
    for (size_t i = 0; i < N_COMMANDS; i++) names[i] = jt_commands[i].name;
    names[N_COMMANDS] = NULL;
    const char *near = cmd[0] == '-' ? NULL : jt_did_you_mean(cmd, names);
    if (cmd[0] == '-')
        fprintf(stderr, "jouletrace: unknown option '%s'\n", cmd);
    else if (near)
        fprintf(stderr, "jouletrace: '%s' is not a command (did you mean '%s'?)\n", cmd, near);
    else
        fprintf(stderr, "jouletrace: '%s' is not a command\n", cmd);
    usage(stderr);
    return JT_EXIT_USAGE;
}
