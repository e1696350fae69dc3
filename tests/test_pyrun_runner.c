/* Tests for how the Python runner reaches the child: the loader on the
 * command line, the runner over the command channel, the protocol version,
 * JOULETRACE_PYTHON_RUNNER, and the embedded copy being current.
 * Every test ends with check_clean(): no process of ours and no workdir left. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "exec/pyrun_priv.h"
#include "jouletrace/child.h"
#include "jouletrace/pyrun.h"
#include "support/pyruntest.h"
#include "support/testutil.h"

/* runners/runner_blob.S */
extern const char jt_python_runner_loader[];
extern const char jt_python_runner_source[];

/* The reasons below spell the versions out. */
_Static_assert(JT_PYRUN_PROTOCOL == 3, "update the expected reasons of runner_override");

/* The runner's text with the line "PROTOCOL = <ours>" saying `version`. */
static char *with_protocol(int version)
{
    char *line = jt_xasprintf("\nPROTOCOL = %d\n", JT_PYRUN_PROTOCOL);
    const char *at = strstr(jt_python_runner_source, line);
    ck_assert_msg(at != NULL, "main.py has no line 'PROTOCOL = %d'", JT_PYRUN_PROTOCOL);
    char *text = jt_xasprintf("%.*s\nPROTOCOL = %d\n%s", (int)(at - jt_python_runner_source),
                              jt_python_runner_source, version, at + strlen(line));
    free(line);
    return text;
}

static char *embedded(void)
{
    return jt_xstrdup(jt_python_runner_source);
}

/* The runner plus a module of 256 KiB of comments: twice what one argv
 * string may hold (MAX_ARG_STRLEN, 128 KiB), so it only works because the
 * runner does not travel on the command line. */
static char *padded(void)
{
    jt_buf b = JT_BUF_INIT;
    jt_buf_adds(&b, jt_python_runner_source);
    jt_buf_adds(&b, "#@module padding\n");
    while (b.len < strlen(jt_python_runner_source) + (256u << 10))
        jt_buf_adds(&b, "# a comment line that only makes the runner bigger than argv allows\n");
    char *text = jt_xstrndup(b.data, b.len);
    jt_buf_release(&b);
    ck_assert_uint_gt(strlen(text), 128u << 10);
    return text;
}

static char *newer(void)
{
    return with_protocol(JT_PYRUN_PROTOCOL + 1);
}

static char *garbage(void)
{
    return jt_test_fixture("candidates/garbage_runner.py");
}

/* Reads the first command (hello) and answers {"ok": true}: no protocol version. */
static char *unversioned(void)
{
    return jt_xstrdup("import os\nos.read(3, 1 << 20)\nos.write(4, b'{\"ok\": true}\\n')\n"
                      "os.read(3, 1 << 20)\n");
}

/* JOULETRACE_PYTHON_RUNNER swaps the runner: the harness reads the file and
 * sends its text like the embedded runner's (the sandbox's private root
 * hides the checkout): the embedded text works, also past argv's bound; a
 * runner of another protocol version, one that does not say its version and
 * one that answers garbage are failures, not verdicts about the candidate. */
static const struct {
    const char *name;
    char *(*text)(void);
    jt_verdict verdict;
    const char *reason; /* NULL: none; else a prefix of it */
} overrides[] = {
    {"the embedded runner", embedded, JT_VERDICT_CORRECT, NULL},
    {"bigger than an argv string", padded, JT_VERDICT_CORRECT, NULL},
    {"garbage", garbage, JT_VERDICT_FAILED, "loading: malformed reply from the runner"},
    {"a newer protocol", newer, JT_VERDICT_FAILED,
     "loading: the runner speaks protocol version 4, this jouletrace 3"},
    {"no protocol version", unversioned, JT_VERDICT_FAILED,
     "loading: the runner did not say its protocol version (this jouletrace speaks 3"},
};

START_TEST(runner_override)
{
    char *dir = jt_test_tmpdir();
    char *text = overrides[_i].text();
    char *path = jt_test_write_file(dir, "runner.py", text);
    setenv("JOULETRACE_PYTHON_RUNNER", path, 1);
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config(SQUARE_PY, tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == overrides[_i].verdict, "%s: %s: %s", overrides[_i].name,
                  jt_verdict_name(v.verdict), v.reason ? v.reason : "");
    if (overrides[_i].reason)
        ck_assert_msg(v.reason && !strncmp(v.reason, overrides[_i].reason,
                                           strlen(overrides[_i].reason)),
                      "%s: reason '%s'", overrides[_i].name, v.reason ? v.reason : "(null)");
    else
        ck_assert_ptr_null(v.reason);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    unsetenv("JOULETRACE_PYTHON_RUNNER");
    free(path);
    free(text);
    jt_test_tmpdir_free(dir);
    json_decref(tests);
    check_clean();
}
END_TEST

/* An override that cannot be read is the harness's error, said as such. */
START_TEST(runner_override_unreadable)
{
    char *path = jt_xasprintf("%s/tests/fixtures/no-such-runner.py", jt_test_srcdir());
    setenv("JOULETRACE_PYTHON_RUNNER", path, 1);
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("def solve(x):\n    return x * x\n", tests);
    jt_pyrun *r = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_pyrun_start(&cfg, &r, &err), -1);
    ck_assert_ptr_null(r);
    char *want = jt_xasprintf("pyrun: JOULETRACE_PYTHON_RUNNER: cannot open '%s': No such file "
                              "or directory",
                              path);
    ck_assert_str_eq(jt_err_msg(&err), want);
    unsetenv("JOULETRACE_PYTHON_RUNNER");
    free(want);
    free(path);
    jt_err_clear(&err);
    json_decref(tests);
    check_clean();
}
END_TEST

/* The embedded copies are the files in the tree (catches a stale
 * runner_blob.o): the loader is python_runner.py, and the runner is every
 * other .py of harness/exec/runners, each once, as "#@module NAME" + text. */
START_TEST(embedded_runner_is_current)
{
    char *dir = jt_xasprintf("%s/harness/exec/runners", jt_test_srcdir());
    char *path = jt_xasprintf("%s/python_runner.py", dir);
    char *text = jt_test_read_file(path);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strcmp(text, jt_python_runner_loader) == 0,
                  "runner_blob.o is stale: rebuild it after editing python_runner.py");
    free(text);
    free(path);
    static const char mark[] = "#@module ";
    size_t n_modules = 0;
    const char *at = jt_python_runner_source;
    ck_assert_msg(!strncmp(at, mark, strlen(mark)), "the runner does not start with a module");
    while (at && *at) {
        const char *name = at + strlen(mark), *nl = strchr(name, '\n');
        ck_assert_ptr_nonnull(nl);
        const char *next = strstr(nl, "\n#@module ");
        const char *end = next ? next + 1 : nl + strlen(nl);
        path = jt_xasprintf("%s/%.*s.py", dir, (int)(nl - name), name);
        text = jt_test_read_file(path);
        ck_assert_msg(text != NULL, "the runner holds module %.*s, the tree has no %s",
                      (int)(nl - name), name, path);
        size_t len = strlen(text);
        ck_assert_msg(len == (size_t)(end - nl - 1) && !memcmp(text, nl + 1, len),
                      "runner_blob.o is stale: rebuild it after editing %s", path);
        free(text);
        free(path);
        n_modules++;
        at = next ? next + 1 : NULL;
    }
    size_t n_files = 0;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 3, ".py")) continue;
        if (!strcmp(e->d_name, "python_runner.py")) continue; /* the loader */
        char *line = jt_xasprintf("#@module %.*s\n", (int)(len - 3), e->d_name);
        const char *hit = strstr(jt_python_runner_source, line);
        ck_assert_msg(hit && (hit == jt_python_runner_source || hit[-1] == '\n'),
                      "%s is not in runner_blob.S", e->d_name);
        free(line);
        n_files++;
    }
    closedir(d);
    ck_assert_uint_eq(n_modules, n_files);
    free(dir);
    ck_assert_str_eq(jt_verdict_name(JT_VERDICT_MEMORY_LIMIT), "memory_limit");
    ck_assert_str_eq(jt_verdict_name(JT_VERDICT_LOAD_ERROR), "load_error");
    ck_assert_str_eq(jt_verdict_name(JT_VERDICT_BUILD_FAILED), "build_failed");
}
END_TEST

/* The child's command line holds the loader, not the runner: what reaches
 * the child through argv is small, whatever the runner's size. */
START_TEST(command_line_holds_only_the_loader)
{
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config(SQUARE_PY, tests);
    jt_pyrun *r = start(&cfg);
    char *path = jt_xasprintf("/proc/%d/cmdline", jt_pyrun_pid(r));
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    jt_buf b = JT_BUF_INIT;
    char chunk[4096];
    for (size_t got; (got = fread(chunk, 1, sizeof chunk, f)) > 0;) jt_buf_add(&b, chunk, got);
    fclose(f);
    jt_buf_addc(&b, '\0');
    const char *cmdline = b.data;
    size_t n = b.len - 1;
    const char *program = memmem(cmdline, n, "-c", 3); /* "-c" and its NUL */
    ck_assert_ptr_nonnull(program);
    ck_assert_str_eq(program + 3, jt_python_runner_loader);
    ck_assert_ptr_null(memmem(cmdline, n, "def main():", 11)); /* main.py's */
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    jt_buf_release(&b);
    free(path);
    json_decref(tests);
    check_clean();
}
END_TEST

/* The runner's own side of the version check, spoken to directly (no
 * harness): a setup in another version is refused before anything is
 * loaded; in ours it is served, and each reply says the runner's version. */
static char *setup_reply(int version)
{
    int cmd[2], rep[2];
    ck_assert_int_eq(pipe2(cmd, O_CLOEXEC), 0); /* dup2 clears it on fds 3 and 4 */
    ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (dup2(cmd[0], JT_CHILD_CMD_FD) < 0 || dup2(rep[1], JT_CHILD_REPLY_FD) < 0) _exit(126);
        setenv("JOULETRACE_CMD_FD", "3", 1);
        setenv("JOULETRACE_REPLY_FD", "4", 1);
        execl("/usr/bin/python3", "python3", "-s", "-B", "-c", jt_python_runner_loader,
              (char *)NULL);
        _exit(127);
    }
    close(cmd[0]);
    close(rep[1]);
    char *msg = jt_xasprintf("jouletrace-runner %zu\n%s\n{\"cmd\": \"setup\", \"protocol\": %d, "
                             "\"code\": \"def solve(x):\\n    return x\\n\", \"function_name\": "
                             "\"solve\", \"test_cases\": []}\n",
                             strlen(jt_python_runner_source), jt_python_runner_source, version);
    FILE *out = fdopen(cmd[1], "w");
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(fputs(msg, out) >= 0 && fflush(out) == 0, 1);
    free(msg);
    FILE *in = fdopen(rep[0], "r");
    ck_assert_ptr_nonnull(in);
    char *got = NULL;
    size_t cap = 0;
    if (getline(&got, &cap, in) < 0) {
        free(got);
        got = NULL;
    }
    fclose(out); /* EOF: the runner exits 0 */
    fclose(in);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "runner status %d", status);
    ck_assert_msg(got != NULL, "no reply to the setup in version %d", version);
    return got;
}

START_TEST(runner_refuses_another_protocol)
{
    json_error_t je;
    char *text = setup_reply(JT_PYRUN_PROTOCOL + 1);
    json_t *reply = json_loads(text, 0, &je);
    ck_assert_msg(reply != NULL, "%s", text);
    ck_assert(json_is_false(json_object_get(reply, "ok")));
    ck_assert(json_is_true(json_object_get(reply, "harness")));
    ck_assert_str_eq(json_string_value(json_object_get(reply, "error_type")), "ProtocolError");
    char *want = jt_xasprintf("the harness speaks runner protocol %d, this runner %d",
                              JT_PYRUN_PROTOCOL + 1, JT_PYRUN_PROTOCOL);
    ck_assert_str_eq(json_string_value(json_object_get(reply, "message")), want);
    ck_assert_int_eq(json_integer_value(json_object_get(reply, "protocol")), JT_PYRUN_PROTOCOL);
    free(want);
    json_decref(reply);
    free(text);

    text = setup_reply(JT_PYRUN_PROTOCOL);
    reply = json_loads(text, 0, &je);
    ck_assert_msg(reply != NULL, "%s", text);
    ck_assert_msg(json_is_true(json_object_get(reply, "ok")), "%s", text);
    ck_assert_int_eq(json_integer_value(json_object_get(reply, "protocol")), JT_PYRUN_PROTOCOL);
    json_decref(reply);
    free(text);
    check_clean();
}
END_TEST

static Suite *pyrun_runner_suite(void)
{
    Suite *s = suite_create("pyrun_runner");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, runner_override, 0, sizeof overrides / sizeof overrides[0]);
    tcase_add_test(tc, runner_override_unreadable);
    tcase_add_test(tc, embedded_runner_is_current);
    tcase_add_test(tc, command_line_holds_only_the_loader);
    tcase_add_test(tc, runner_refuses_another_protocol);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(pyrun_runner_suite)
