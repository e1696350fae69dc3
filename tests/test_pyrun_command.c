/* Tests for mode command (pyrun.h, "Mode command"): builds, programs fed
 * stdin and args, their verdicts, runs, the floor and outputs.
 * Every test ends with check_clean(): no process of ours and no workdir left. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/pyrun.h"
#include "support/pyruntest.h"
#include "support/testutil.h"

#define WC_C                                                                                 \
    "#include <ctype.h>\n#include <stdio.h>\nint main(void) {\n  int c, in = 0;\n  long n = 0;\n" \
    "  while ((c = getchar()) != EOF) {\n    if (isspace(c)) in = 0;\n"                      \
    "    else if (!in) { in = 1; n++; }\n  }\n  printf(\"%ld\\n\", n);\n  return 0;\n}\n"
#define WC_SH "wc -w | tr -d ' '\n"
#define WC_PY "import sys\nprint(len(sys.stdin.read().split()))\n"
/* stdout comparator: "spaces" expects trailing blanks and empty lines the
 * programs do not print */
#define WC_TESTS                                                                             \
    "[{\"test_id\": \"simple\", \"stdin\": \"a b c\\n\", \"expected_stdout\": \"3\\n\"},"     \
    " {\"test_id\": \"empty\", \"stdin\": \"\", \"expected_stdout\": \"0\"},"                 \
    " {\"test_id\": \"spaces\", \"stdin\": \"  x   y \\n\\n\", \"expected_stdout\": \"2  \\n\\n\\n\"}]"
#define SH "[\"sh\", \"{src}\"]"
#define PY "[\"python3\", \"{src}\"]"
#define BIN "[\"{bin}\"]"
/* Forks until RLIMIT_NPROC says no (children wait forever), then answers. */
#define BOMB_C                                                                               \
    "#include <stdio.h>\n#include <unistd.h>\nint main(void) {\n  int n = 0;\n"               \
    "  for (int i = 0; i < 1000; i++) {\n    pid_t p = fork();\n"                             \
    "    if (p == 0) { pause(); _exit(0); }\n    if (p < 0) break;\n    n++;\n  }\n"          \
    "  puts(n > 0 ? \"ok\" : \"none\");\n  return 0;\n}\n"
#define OK_TWICE                                                                             \
    "[{\"test_id\": \"a\", \"stdin\": \"\", \"expected_stdout\": \"ok\\n\"},"                  \
    " {\"test_id\": \"b\", \"stdin\": \"\", \"expected_stdout\": \"ok\\n\"}]"

static jt_pyrun_config command_config(const char *code, const json_t *command, const char *build,
                                      const json_t *tests)
{
    jt_pyrun_config cfg = config(code, tests);
    cfg.mode = "command";
    cfg.function_name = NULL; /* programs have no entry point */
    cfg.command = command;
    cfg.build = build;
    return cfg;
}

static const struct kcase {
    const char *name, *code, *command, *build, *source_name, *tests, *comparator;
    double timeout;        /* 0 = 10 s */
    bool root_only;        /* needs RLIMIT_NPROC, which only the root sandbox sets */
    jt_verdict verdict;
    const char *reason;    /* substring of the reason, NULL when correct */
    const char *traceback; /* substring of the traceback (build output), or NULL */
} kcases[] = {
    {.name = "C with a build, source named after its file", .code = WC_C, .command = BIN,
     .build = "test \"$(basename {src})\" = wc.c && cc -O2 -o {bin} {src}",
     .source_name = "examples/commands/wc.c", .tests = WC_TESTS, .verdict = JT_VERDICT_CORRECT},
    {.name = "inline C becomes candidate.c", .code = WC_C, .command = BIN,
     .build = "CFLAGS=-O2 cc -o {bin} {src} && test \"$(basename {src})\" = candidate.c",
     .tests = WC_TESTS, .verdict = JT_VERDICT_CORRECT},
    {.name = "build failure", .code = "int main(void) { return missing_function(); }\n",
     .command = BIN, .build = "cc -Werror -o {bin} {src}", .tests = WC_TESTS,
     .verdict = JT_VERDICT_BUILD_FAILED, .reason = "build exited with status 1: candidate.c",
     .traceback = "missing_function"},
    {.name = "build timeout", .code = WC_C, .command = BIN, .build = "sleep 30",
     .tests = WC_TESTS, .timeout = 1, .verdict = JT_VERDICT_TIMEOUT,
     .reason = "loading ran past timeout_seconds (1 s): the build"},
    {.name = "build writes no program", .code = WC_C, .command = BIN, .build = "true",
     .tests = WC_TESTS, .verdict = JT_VERDICT_LOAD_ERROR,
     .reason = "{bin} is not an executable file"},
    {.name = "command not found", .code = WC_SH, .command = "[\"no-such-tool-xyz\", \"{src}\"]",
     .tests = WC_TESTS, .verdict = JT_VERDICT_LOAD_ERROR,
     .reason = "command not found: 'no-such-tool-xyz'"},
    {.name = "shell script", .code = WC_SH, .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_CORRECT},
    {.name = "python script", .code = WC_PY, .command = PY, .tests = WC_TESTS,
     .verdict = JT_VERDICT_CORRECT},
    {.name = "wrong output", .code = "wc -l | tr -d ' '\n", .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 'simple': expected '3\\n', got '1\\n' (1 of 3 tests failed)"},
    {.name = "exact comparator", .code = WC_SH, .command = SH, .tests = WC_TESTS,
     .comparator = "exact", .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 'empty': expected '0', got '0\\n' (2 of 3 tests failed)"},
    {.name = "wrong exit status", .code = WC_SH "exit 3\n", .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 'simple': exited with status 3, expected exit status 0 (3 of 3"},
    {.name = "expected exit status", .code = "echo usage >&2\nexit 2\n", .command = SH,
     .tests = "[{\"test_id\": \"u\", \"stdin\": \"\", \"expected_stdout\": \"\","
              " \"expected_exit_code\": 2}]",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "stderr explains", .code = "import sys\nsys.stdin.read()\n1 / 0\n", .command = PY,
     .tests = WC_TESTS, .verdict = JT_VERDICT_INCORRECT,
     .reason = "exited with status 1, expected exit status 0; stderr: ZeroDivisionError: "
               "division by zero"},
    {.name = "killed by a signal", .code = "kill -SEGV $$\n", .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 'simple': killed by signal 11 (SIGSEGV) (3 of 3"},
    {.name = "args", .code = "printf '%s|' \"$@\"\necho\n", .command = SH,
     .tests = "[{\"test_id\": \"a\", \"stdin\": \"\", \"args\": [\"x\", \"y z\", \"$HOME\"],"
              " \"expected_stdout\": \"x|y z|$HOME|\"}]",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "prints forever", .code = "yes\n", .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_INCORRECT, .reason = "output flood: more than 16 MiB on stdout"},
    {.name = "sleeps", .code = "sleep 30\n", .command = SH, .tests = WC_TESTS, .timeout = 1,
     .verdict = JT_VERDICT_TIMEOUT,
     .reason = "validation ran past timeout_seconds (1 s): test 'simple'"},
    {.name = "reads on after EOF", .code = "import sys\nwhile True:\n    sys.stdin.read()\n",
     .command = PY, .tests = WC_TESTS, .timeout = 1, .verdict = JT_VERDICT_TIMEOUT,
     .reason = "validation ran past timeout_seconds (1 s)"},
    {.name = "closes stdout, runs on", .code = "exec >&- 2>&-\nsleep 30\n", .command = SH,
     .tests = WC_TESTS, .timeout = 1, .verdict = JT_VERDICT_TIMEOUT,
     .reason = "validation ran past timeout_seconds (1 s)"},
    /* the background sleep holds stdout: it dies when its program exits */
    {.name = "leaves a process behind", .code = "sleep 30 &\n" WC_SH, .command = SH,
     .tests = WC_TESTS, .verdict = JT_VERDICT_CORRECT},
    {.name = "fork bomb", .code = BOMB_C, .command = BIN, .build = "cc -o {bin} {src}",
     .tests = OK_TWICE, .root_only = true, .verdict = JT_VERDICT_CORRECT},
};

START_TEST(command_verdicts)
{
    const struct kcase *kc = &kcases[_i];
    if (kc->root_only && geteuid() != 0) return;
    json_t *tests = parse(kc->tests), *command = parse(kc->command);
    jt_pyrun_config cfg = command_config(kc->code, command, kc->build, tests);
    cfg.source_name = kc->source_name;
    cfg.comparator = kc->comparator;
    if (kc->timeout) cfg.timeout_seconds = kc->timeout;
    double t0 = now();
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    double took = now() - t0;
    ck_assert_msg(v.verdict == kc->verdict, "%s: verdict %s, want %s (%s)", kc->name,
                  jt_verdict_name(v.verdict), jt_verdict_name(kc->verdict),
                  v.reason ? v.reason : "");
    if (kc->reason)
        ck_assert_msg(v.reason && strstr(v.reason, kc->reason), "%s: reason '%s' lacks '%s'",
                      kc->name, v.reason ? v.reason : "(null)", kc->reason);
    else
        ck_assert_ptr_null(v.reason);
    if (kc->traceback)
        ck_assert_msg(v.traceback && strstr(v.traceback, kc->traceback), "%s: traceback '%s'",
                      kc->name, v.traceback ? v.traceback : "(null)");
    /* a timeout cannot come before its deadline (see verdicts) */
    if (kc->verdict == JT_VERDICT_TIMEOUT)
        ck_assert_msg(took >= cfg.timeout_seconds, "%s: timeout after %.2f s", kc->name, took);
    if (kc->verdict == JT_VERDICT_CORRECT || kc->verdict == JT_VERDICT_INCORRECT) {
        ck_assert_uint_eq(v.n_results, json_array_size(tests));
        ck_assert_int_ge(jt_pyrun_pid(r), 1);
    } else {
        ck_assert_int_eq(jt_pyrun_pid(r), -1);
    }
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    check_clean();
}
END_TEST

/* 1 MiB through cat (the runner feeds stdin while it drains stdout), and a
 * program that never reads its stdin (EPIPE on our side, not a failure). */
START_TEST(command_big_stdin)
{
    size_t n = 1 << 20;
    char *big = jt_xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++) big[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
    json_t *tests = json_pack("[{s:s,s:s,s:s}]", "test_id", "big", "stdin", big,
                              "expected_stdout", big);
    json_t *command = parse(SH);
    jt_pyrun_config cfg = command_config("cat\n", command, NULL, tests);
    cfg.comparator = "exact";
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);

    tests = json_pack("[{s:s,s:s,s:s}]", "test_id", "unread", "stdin", big, "expected_stdout",
                      "hi\n");
    cfg = command_config("echo hi\n", command, NULL, tests);
    r = start(&cfg);
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    free(big);
    check_clean();
}
END_TEST

/* What a program leaves behind dies when it exits, not only with the
 * runner: after validation (runner alive) no marked process is left. */
START_TEST(command_leftovers_die_per_test)
{
    char marker[64];
    snprintf(marker, sizeof marker, "jt-cmd-leftover-%d", (int)getpid());
    char *code = jt_xasprintf("sh -c 'sleep 300; :' %s >/dev/null 2>&1 &\n"
                              "sh -c 'sleep 300; :' %s &\n" WC_SH, marker, marker);
    json_t *tests = parse(WC_TESTS), *command = parse(SH);
    jt_pyrun_config cfg = command_config(code, command, NULL, tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    ck_assert_int_ge(jt_pyrun_pid(r), 1);
    ck_assert_int_eq(jt_test_count_procs(marker), 2); /* the runner and the judge (our children) alone */
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    free(code);
    check_clean();
}
END_TEST

/* run N: N x every test, a fresh process each; the programs' CPU counts. */
START_TEST(command_runs_count_the_programs_cpu)
{
    json_t *tests = parse("[{\"test_id\": \"busy\", \"stdin\": \"\", \"expected_stdout\": \"done\"}]");
    json_t *command = parse(BIN);
    jt_pyrun_config cfg = command_config(
        "#include <stdio.h>\n#include <time.h>\n"
        "static double cpu(void) {\n  struct timespec t;\n"
        "  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);\n  return t.tv_sec + t.tv_nsec * 1e-9;\n}\n"
        "int main(void) {\n  while (cpu() < 0.1) ;\n  puts(\"done\");\n  return 0;\n}\n",
        command, "cc -O0 -o {bin} {src}", tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, 3, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(rr.iterations, 3);
    ck_assert_double_gt(rr.elapsed_seconds, 0);
    /* each start burns 0.1 s of CPU by its own clock (however loaded the
     * machine), so three starts hold >= 0.3 s whatever the machine's speed;
     * the runner alone spends a few ms: this holds only when the programs'
     * CPU counts */
    ck_assert_msg(rr.cpu_seconds >= 0.3, "cpu %g s, elapsed %g s", rr.cpu_seconds,
                  rr.elapsed_seconds);
    ck_assert_double_le(rr.cpu_seconds, rr.elapsed_seconds * 1.5 + 0.05);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    check_clean();
}
END_TEST

/* A program that goes wrong during a run: the run ends with a verdict. The
 * count of starts lives in the workdir ({dir}). */
static const struct {
    const char *late; /* what the 3rd and later starts do */
    double timeout;   /* timeout_seconds: out of reach unless the case is about it */
    jt_verdict verdict;
    const char *reason;
} krun[] = {
    /* the exit status is part of the proven outcome: a run whose program
     * exits otherwise than when it was judged differs from the judged one */
    {"exit 4", 60, JT_VERDICT_INCORRECT, "test 'simple', iteration 2 of 100: the outputs differ"},
    {"sleep 30", 2, JT_VERDICT_TIMEOUT, "a run ran past timeout_seconds (2 s): test 'simple'"},
};

START_TEST(command_run_failures)
{
    char *code = jt_xasprintf("n=$(cat count 2>/dev/null || echo 0)\necho $((n + 1)) > count\n"
                              "if [ \"$n\" -ge 2 ]; then %s; fi\ncat >/dev/null\necho 3\n",
                              krun[_i].late);
    json_t *tests = parse("[{\"test_id\": \"simple\", \"stdin\": \"a b c\\n\", \"expected_stdout\": \"3\"}]");
    json_t *command = parse(SH);
    jt_pyrun_config cfg = command_config(code, command, NULL, tests);
    cfg.timeout_seconds = krun[_i].timeout; /* a loaded host once took 1 s to start `sh` */
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    double t0 = now();
    ck_assert_int_eq(jt_pyrun_run_begin(r, 100, &err), 0);
    ck_assert_int_eq(jt_pyrun_run_end(r, &rr, &verdict, &err), -1);
    if (krun[_i].verdict == JT_VERDICT_TIMEOUT) /* sleep 30 is cut at the deadline */
        ck_assert_double_ge(now() - t0, cfg.timeout_seconds);
    ck_assert_msg(verdict == krun[_i].verdict, "verdict %s (%s)", jt_verdict_name(verdict),
                  jt_err_msg(&err));
    ck_assert_msg(strstr(jt_err_msg(&err), krun[_i].reason), "reason '%s'", jt_err_msg(&err));
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    free(code);
    check_clean();
}
END_TEST

/* The floor: no source, no build, /bin/true per test with the same stdin;
 * exit statuses are not checked (a test expecting 3 still runs). */
START_TEST(command_floor)
{
    json_t *tests = parse("[{\"test_id\": \"a\", \"stdin\": \"a b c\\n\", \"args\": [\"x\"],"
                          " \"expected_stdout\": \"3\", \"expected_exit_code\": 3}]");
    jt_pyrun_config cfg = command_config(NULL, NULL, NULL, tests);
    cfg.floor = true;
    jt_pyrun *r = start(&cfg);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, 20, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(rr.iterations, 20);
    ck_assert_double_gt(rr.elapsed_seconds, 0);
    ck_assert_double_gt(rr.cpu_seconds, 0);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

/* outputs: each test's stdout, for expected outputs from a reference program. */
START_TEST(command_outputs)
{
    json_t *tests = parse("[{\"test_id\": \"a\", \"stdin\": \"a b c\\n\"},"
                          " {\"test_id\": \"b\", \"stdin\": \"\", \"args\": [\"fail\"]},"
                          " {\"test_id\": \"c\", \"stdin\": \"x\", \"args\": [\"bytes\"]}]");
    json_t *command = parse(SH);
    jt_pyrun_config cfg = command_config(
        "[ \"$1\" = fail ] && exit 5\n[ \"$1\" = bytes ] && printf '\\377' && exit 0\n" WC_SH,
        command, NULL, tests);
    jt_pyrun *r = start(&cfg);
    json_t *outs = NULL;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_pyrun_outputs(r, &outs, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(json_array_size(outs), 3);
    ck_assert_str_eq(json_string_value(json_array_get(outs, 0)), "3\n");
    const char *e1 = json_string_value(json_object_get(json_array_get(outs, 1), "__error__"));
    ck_assert_msg(e1 && strstr(e1, "exited with status 5, expected exit status 0"), "%s", e1);
    const char *e2 = json_string_value(json_object_get(json_array_get(outs, 2), "__error__"));
    ck_assert_msg(e2 && strstr(e2, "not valid UTF-8"), "%s", e2);
    json_decref(outs);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    check_clean();
}
END_TEST

START_TEST(command_config_errors)
{
    json_t *tests = parse(WC_TESTS), *command = parse(SH), *bad = parse("[\"sh\", \"\"]");
    static const struct {
        bool with_command, bad_command;
        const char *mode, *comparator, *message;
    } cases[] = {
        {false, false, "command", NULL, "mode command needs command"},
        {true, true, "command", NULL, "mode command needs command"},
        {true, false, "command", "close", "mode command has no comparator 'close'"},
        {true, false, "call", "stdout", "mode call has no comparator 'stdout'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jt_pyrun_config cfg = command_config(WC_SH, cases[i].with_command ? command : NULL, NULL,
                                             tests);
        if (cases[i].bad_command) cfg.command = bad;
        cfg.mode = cases[i].mode;
        cfg.comparator = cases[i].comparator;
        if (strcmp(cfg.mode, "command")) cfg.function_name = "solve";
        jt_pyrun *r = NULL;
        jt_err err = JT_ERR_INIT;
        ck_assert_int_eq(jt_pyrun_start(&cfg, &r, &err), -1);
        ck_assert_ptr_null(r);
        ck_assert_msg(strstr(jt_err_msg(&err), cases[i].message), "%zu: %s", i, jt_err_msg(&err));
        jt_err_clear(&err);
    }
    json_decref(tests);
    json_decref(command);
    json_decref(bad);
    check_clean();
}
END_TEST

static Suite *pyrun_command_suite(void)
{
    Suite *s = suite_create("pyrun_command");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, command_verdicts, 0, sizeof kcases / sizeof kcases[0]);
    tcase_add_test(tc, command_big_stdin);
    tcase_add_test(tc, command_leftovers_die_per_test);
    tcase_add_test(tc, command_runs_count_the_programs_cpu);
    tcase_add_loop_test(tc, command_run_failures, 0, sizeof krun / sizeof krun[0]);
    tcase_add_test(tc, command_floor);
    tcase_add_test(tc, command_outputs);
    tcase_add_test(tc, command_config_errors);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(pyrun_command_suite)
