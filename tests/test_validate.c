/* End-to-end tests of `jouletrace validate` and the CLI shell: runs the built
 * binary like a user would. The quickstart suite's "# expect: VERDICT"
 * comments are the oracle, so the example and the test cannot drift apart. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

static int run_jt(const char *const *args, char **out, char **err)
{
    const char *argv[16] = {jt_test_binary()};
    size_t n = 1;
    for (; args[n - 1] && n < 15; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    /* reference outputs are cached in a directory of the test's own */
    char *dir = jt_test_tmpdir();
    char *cache = jt_xasprintf("JOULETRACE_CACHE=%s", dir);
    const char *env[] = {cache, NULL};
    int rc = jt_test_run(argv, env, NULL, out, err);
    free(cache);
    jt_test_tmpdir_free(dir);
    return rc;
}

/* Parses "# expect: VERDICT" / "# expect: VERDICT  (NAME)" comments. Returns
 * a JSON object id → verdict. */
static json_t *expected_verdicts(const char *yaml)
{
    json_t *want = json_object();
    json_t *pending = json_array(); /* verdicts waiting for the next "- id:" */
    const char *line = yaml;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *l = jt_xstrndup(line, len);
        char *p = l;
        while (isspace((unsigned char)*p)) p++;
        char verdict[64], name[128];
        int used = 0;
        if (!strncmp(p, "# expect: ", 10) && sscanf(p + 10, "%63s%n", verdict, &used) == 1) {
            /* "(NAME)" right after the verdict names the candidate; any other
             * parenthesis is an explanation */
            const char *rest = p + 10 + used;
            while (*rest == ' ') rest++;
            size_t nlen = 0;
            if (*rest == '(') nlen = strcspn(rest + 1, ") ");
            if (nlen && nlen < sizeof name && rest[1 + nlen] == ')') {
                memcpy(name, rest + 1, nlen);
                name[nlen] = '\0';
                json_object_set_new(want, name, json_string(verdict));
            } else {
                json_array_append_new(pending, json_string(verdict));
            }
        } else if (!strncmp(p, "- id: ", 6) && json_array_size(pending)) {
            ck_assert_uint_eq(json_array_size(pending), 1);
            json_object_set(want, p + 6, json_array_get(pending, 0));
            json_array_clear(pending);
        }
        free(l);
        line = end ? end + 1 : NULL;
    }
    ck_assert_uint_eq(json_array_size(pending), 0);
    json_decref(pending);
    return want;
}

/* Every example suite whose comments say "# expect:", and how many
 * candidates it must judge (--only restricts big ones to the annotated). */
static const struct {
    const char *file, *only;
    size_t n;
} examples[] = {
    {"quickstart.yaml", NULL, 16},
    {"mbpp_style.yaml", NULL, 8},
    {"humaneval.yaml", "test/0#*", 6},
    {"commands.yaml", NULL, 5},
};

START_TEST(example_verdicts_match_their_comments)
{
    char *path = jt_xasprintf("%s/suites/examples/%s", jt_test_srcdir(), examples[_i].file);
    char *yaml = jt_test_read_file(path);
    json_t *want = expected_verdicts(yaml);
    ck_assert_uint_eq(json_object_size(want), examples[_i].n);

    char *out = NULL, *err = NULL;
    const char *args[] = {"validate", "--json", path, examples[_i].only ? "--only" : NULL,
                          examples[_i].only, NULL};
    ck_assert_msg(run_jt(args, &out, &err) == 0, "%s", err);
    json_error_t je;
    json_t *doc = json_loads(out, 0, &je);
    ck_assert_msg(doc != NULL, "not JSON: %s\n%s", je.text, out);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "schema_version")), 1);
    json_t *rows = json_object_get(doc, "candidates");
    ck_assert_uint_eq(json_array_size(rows), examples[_i].n);
    size_t i;
    json_t *row;
    int wrong = 0;
    json_array_foreach(rows, i, row) {
        const char *id = json_string_value(json_object_get(row, "id"));
        const char *got = json_string_value(json_object_get(row, "status"));
        const char *exp = json_string_value(json_object_get(want, id));
        if (!exp || strcmp(exp, got)) {
            fprintf(stderr, "%s: got %s, comment says %s (reason: %s)\n", id, got,
                    exp ? exp : "(none)",
                    json_string_value(json_object_get(row, "reason")));
            wrong++;
        }
        json_t *val = json_object_get(row, "validation");
        int correct = !strcmp(got, "correct");
        ck_assert_int_eq(json_is_true(json_object_get(val, "is_correct")), correct);
        if (!strcmp(got, "incorrect"))
            ck_assert_uint_gt(json_array_size(json_object_get(row, "failures")), 0);
    }
    ck_assert_msg(wrong == 0, "%d verdicts differ from the suite's comments", wrong);
    json_decref(doc);
    json_decref(want);
    free(out);
    free(err);
    free(yaml);
    free(path);
}
END_TEST

START_TEST(table_lists_every_candidate_and_a_summary)
{
    char *path = jt_xasprintf("%s/suites/examples/quickstart.yaml", jt_test_srcdir());
    char *out = NULL, *err = NULL;
    const char *args[] = {"validate", path, "--only", "square-*", NULL};
    ck_assert_int_eq(run_jt(args, &out, &err), 0);
    ck_assert_msg(strstr(out, "square-float") && strstr(out, "incorrect"), "%s", out);
    ck_assert(strstr(out, "big: expected 152415787532388367501905199875019052100, got") != NULL);
    ck_assert(strstr(out, "3 judged: 2 correct, 1 incorrect") != NULL);
    ck_assert(strstr(out, "sort-builtin") == NULL);
    free(out);
    free(err);
    free(path);
}
END_TEST

START_TEST(typo_gives_one_line_and_exit_3)
{
    char *dir = jt_test_tmpdir();
    char *src = jt_xasprintf("%s/suites/examples/quickstart.yaml", jt_test_srcdir());
    char *yaml = jt_test_read_file(src);
    char *at = strstr(yaml, "function_name: sort_numbers");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "fucntion_name", 13);
    /* line/column of the typo, counted independently of the loader */
    unsigned line = 1, col = 1;
    for (char *p = yaml; p < at; p++) {
        if (*p == '\n') line++, col = 1;
        else col++;
    }
    char *path = jt_test_write_file(dir, "quickstart.yaml", yaml);
    /* the suite's relative file: and include: paths must still resolve */
    char *sets = jt_xasprintf("%s/suites/examples/sets", jt_test_srcdir());
    char *link = jt_xasprintf("%s/sets", dir);
    ck_assert_int_eq(symlink(sets, link), 0);
    char *out = NULL, *err = NULL;
    const char *args[] = {"validate", path, NULL};
    ck_assert_int_eq(run_jt(args, &out, &err), 3);
    char *want = jt_xasprintf("%s:%u:%u: unknown key 'fucntion_name' (did you mean 'function_name'?)\n",
                              path, line, col);
    ck_assert_str_eq(err, want);
    ck_assert_str_eq(out, "");
    free(want);
    free(out);
    free(err);
    free(link);
    free(sets);
    free(path);
    free(yaml);
    free(src);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(infinite_loop_times_out_fast_and_leaves_nothing)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "loop.yaml",
                                    "suite: loop\n"
                                    "defaults: {timeout_seconds: 1}\n"
                                    "test_sets:\n"
                                    "  - {id: s, function_name: f, test_cases: [{inputs: [], expected_output: 1}]}\n"
                                    "candidates:\n"
                                    "  - id: spin-jt-marker\n"
                                    "    candidate_code: |\n"
                                    "      import os\n"
                                    "      def f():\n"
                                    "          if os.fork() == 0:\n"
                                    "              while True: pass\n"
                                    "          while True: pass\n");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *out = NULL, *err = NULL;
    const char *args[] = {"validate", "--json", path, NULL};
    ck_assert_int_eq(run_jt(args, &out, &err), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_msg(strstr(out, "\"status\": \"timeout\"") != NULL, "%s", out);
    ck_assert_msg(secs < 3.0, "timeout took %.2f s", secs); /* the acceptance bound */
    ck_assert_int_eq(jt_test_count_procs("spin-jt-marker"), 0);
    free(out);
    free(err);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(cli_usage_errors_and_help)
{
    char *out = NULL, *err = NULL;
    const char *a1[] = {"valdate", NULL};
    ck_assert_int_eq(run_jt(a1, &out, &err), 2);
    ck_assert(strstr(err, "'valdate' is not a command (did you mean 'validate'?)") != NULL);
    free(out), free(err);
    const char *a2[] = {"--version", NULL};
    ck_assert_int_eq(run_jt(a2, &out, &err), 0);
    ck_assert(!strncmp(out, "jouletrace ", 11));
    free(out), free(err);
    const char *a3[] = {"validate", "--help", NULL};
    ck_assert_int_eq(run_jt(a3, &out, &err), 0);
    ck_assert(strstr(out, "usage: jouletrace validate") && strstr(out, "timeout_seconds"));
    free(out), free(err);
    const char *a4[] = {"validate", NULL};
    ck_assert_int_eq(run_jt(a4, &out, &err), 2);
    ck_assert(strstr(err, "missing SUITE") != NULL);
    free(out), free(err);
    const char *a5[] = {"validate", "--bogus", "x.yaml", NULL};
    ck_assert_int_eq(run_jt(a5, &out, &err), 2);
    free(out), free(err);
    const char *a6[] = {"validate", "/nonexistent/x.yaml", NULL};
    ck_assert_int_eq(run_jt(a6, &out, &err), 3);
    ck_assert_str_eq(err, "/nonexistent/x.yaml: cannot open: No such file or directory\n");
    free(out), free(err);
    const char *a7[] = {"--help", NULL};
    ck_assert_int_eq(run_jt(a7, &out, &err), 0);
    ck_assert(strstr(out, "validate") && strstr(out, "exit codes"));
    free(out), free(err);
}
END_TEST

static Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, example_verdicts_match_their_comments, 0,
                        sizeof examples / sizeof examples[0]);
    tcase_add_test(tc, table_lists_every_candidate_and_a_summary);
    tcase_add_test(tc, typo_gives_one_line_and_exit_3);
    tcase_add_test(tc, infinite_loop_times_out_fast_and_leaves_nothing);
    tcase_add_test(tc, cli_usage_errors_and_help);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(validate_suite)
