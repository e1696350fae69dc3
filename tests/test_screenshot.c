/* The report as a person sees it: index.html generated from the fixture
 * journal, rendered by headless Chromium (scripts/screenshot.sh installs
 * Debian's chromium when missing), and the PNG checked to exist and not be
 * blank. Skips (77) only when chromium cannot be had on this host. The PNG
 * stays in the build directory for a human to look at; nothing is
 * committed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

START_TEST(report_renders_in_chromium)
{
    char *dir = jt_test_tmpdir();
    char *cmd = jt_xasprintf("cp %s/tests/fixtures/report/basic/run.json %s/tests/fixtures/report/basic/journal.jsonl %s/",
                             jt_test_srcdir(), jt_test_srcdir(), dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    const char *rep[] = {jt_test_binary(), "report", "-q", dir, NULL};
    char *out = NULL, *err = NULL;
    ck_assert_msg(jt_test_run(rep, NULL, NULL, &out, &err) == 0, "report: %s", err);
    free(out), free(err);
    char *html = jt_xasprintf("%s/index.html", dir);
    char *png = jt_xasprintf("%s/report.png", jt_test_builddir());
    char *script = jt_xasprintf("%s/scripts/screenshot.sh", jt_test_srcdir());
    const char *shot[] = {script, html, png, NULL};
    int rc = jt_test_run(shot, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "screenshot.sh exit %d: %s%s", rc, out, err);
    struct stat st;
    ck_assert_int_eq(stat(png, &st), 0);
    ck_assert_int_gt(st.st_size, 10000); /* a rendered page, not an empty canvas */
    free(out), free(err), free(script), free(png), free(html);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *screenshot_suite(void)
{
    /* Before any test runs (a test case cannot skip from its forked child). */
    char *script = jt_xasprintf("%s/scripts/screenshot.sh", jt_test_srcdir());
    const char *check[] = {script, "--check", NULL};
    char *err = NULL;
    int rc = jt_test_run(check, NULL, NULL, NULL, &err);
    free(script);
    if (rc == 77) {
        fprintf(stderr, "%s", err ? err : "");
        jt_test_skip("chromium is not installed and could not be installed here");
    }
    free(err);
    Suite *s = suite_create("screenshot");
    TCase *tc = tcase_create("chromium");
    tcase_set_timeout(tc, 900); /* may install chromium first */
    tcase_add_test(tc, report_renders_in_chromium);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(screenshot_suite)
