/* The subcommand table. To add a command: write harness/commands/<name>.c
 * with `int jt_cmd_<name>(int argc, char **argv)` (argv[0] is the command
 * name; parse with getopt_long; print `--help` text from a static string;
 * return a JT_EXIT_* code) and add a row to jt_commands[] in main.c. */
#ifndef JT_COMMANDS_H
#define JT_COMMANDS_H

typedef struct jt_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary; /* one line for `jouletrace --help` */
} jt_command;

int jt_cmd_validate(int argc, char **argv);
int jt_cmd_status(int argc, char **argv);
int jt_cmd_calibrate(int argc, char **argv);
int jt_cmd_run(int argc, char **argv);
int jt_cmd_report(int argc, char **argv);
int jt_cmd_leaderboard(int argc, char **argv);
int jt_cmd_measure(int argc, char **argv);
int jt_cmd_merge(int argc, char **argv);
int jt_cmd_columns(int argc, char **argv);
int jt_cmd_serve(int argc, char **argv);
int jt_cmd_worker(int argc, char **argv);

#endif
