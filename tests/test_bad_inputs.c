/* The bad-input table, run through the built binary: `jouletrace validate
 * --parse-only` over every .yaml file in tests/fixtures/bad_suites (each file's
 * first line is "# expect: LINE:COL: message") and over the cases that
 * cannot live in the tree as fixtures (a directory, a missing file, a
 * 100,000-deep flow sequence). Each must exit 3 with exactly one stderr
 * line "FILE[:LINE:COL]: message", print nothing on stdout and write
 * nothing next to the suite. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* Runs validate on `path`; asserts exit 3, stdout empty, stderr exactly
 * want + "\n", and that `dir` holds as many entries as before. */
static void refuses(const char *path, const char *dir, const char *want)
{
    size_t before = entries(dir);
    const char *argv[] = {jt_test_binary(), "validate", "--parse-only", path, NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, NULL, NULL, &out, &err);
    char *line = jt_xasprintf("%s\n", want);
    ck_assert_msg(rc == 3, "%s: exit %d (want 3); stderr: %s", path, rc, err);
    ck_assert_msg(!strcmp(err, line), "%s:\n  got  %s  want %s", path, err, line);
    ck_assert_msg(!*out, "%s: printed on stdout: %s", path, out);
    ck_assert_msg(entries(dir) == before, "%s: something was written in %s", path, dir);
    free(line);
    free(out);
    free(err);
}

START_TEST(bad_suite_fixtures_through_the_binary)
{
    char *dir = jt_xasprintf("%s/tests/fixtures/bad_suites", jt_test_srcdir());
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    ck_assert_int_gt(n, 30);
    int checked = 0;
    for (int i = 0; i < n; i++) {
        const char *f = names[i]->d_name;
        size_t len = strlen(f);
        if (len > 5 && !strcmp(f + len - 5, ".yaml")) {
            char *full = jt_xasprintf("%s/%s", dir, f);
            char *text = jt_test_read_file(full);
            ck_assert_ptr_nonnull(text);
            ck_assert_msg(!strncmp(text, "# expect: ", 10), "%s lacks an '# expect:' line", f);
            *strchr(text, '\n') = '\0';
            /* as test_suite: paths in messages are as given, so the repo-relative one */
            char *rel = jt_xasprintf("tests/fixtures/bad_suites/%s", f);
            char *want = jt_xasprintf("%s:%s", rel, text + 10);
            refuses(rel, dir, want);
            free(rel);
            free(want);
            free(text);
            free(full);
            checked++;
        }
        free(names[i]);
    }
    free(names);
    free(dir);
    ck_assert_int_gt(checked, 30);
}
END_TEST

START_TEST(inputs_that_are_no_fixture)
{
    char *tmp = jt_test_tmpdir();
    /* a directory as SUITE */
    char *sub = jt_xasprintf("%s/suite.yaml", tmp);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    char *want = jt_xasprintf("%s: is a directory, not a YAML file", sub);
    refuses(sub, tmp, want);
    free(want);
    /* a missing file */
    char *missing = jt_xasprintf("%s/none.yaml", tmp);
    want = jt_xasprintf("%s: cannot open: No such file or directory", missing);
    refuses(missing, tmp, want);
    free(want);
    /* 100,000-deep flow sequence: refused where it crosses the limit (it
     * took 55 s inside libyaml before any limit applied) */
    jt_buf y = JT_BUF_INIT;
    jt_buf_adds(&y, "suite: deep\nv: ");
    for (int i = 0; i < 100000; i++) jt_buf_addc(&y, '[');
    for (int i = 0; i < 100000; i++) jt_buf_addc(&y, ']');
    jt_buf_addc(&y, '\n');
    char *deep = jt_test_write_file(tmp, "deep.yaml", jt_buf_str(&y));
    jt_buf_release(&y);
    want = jt_xasprintf("%s:2:547: YAML nested more than 544 levels deep", deep);
    refuses(deep, tmp, want);
    free(want);
    free(deep);
    free(missing);
    free(sub);
    jt_test_tmpdir_free(tmp);
}
END_TEST

static Suite *bad_inputs_suite(void)
{
    Suite *s = suite_create("bad_inputs");
    TCase *tc = tcase_create("validate");
    tcase_add_test(tc, bad_suite_fixtures_through_the_binary);
    tcase_add_test(tc, inputs_that_are_no_fixture);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(bad_inputs_suite)
