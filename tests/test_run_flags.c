/* The session flags (harness/commands/session.h): run, measure and
 * calibrate take them through one parser, so a flag they share is refused
 * with the same message by each, and a flag a command does not take is an
 * unknown option there. Through the built binary; every case is refused
 * while parsing, before the host is touched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

/* The first stderr line of `jouletrace cmd flag value` (value may be NULL),
 * without the "jouletrace CMD: " prefix; asserts exit 2. Caller frees. */
static char *refusal(const char *cmd, const char *flag, const char *value)
{
    const char *argv[] = {jt_test_binary(), cmd, flag, value, NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, NULL, "", &out, &err);
    ck_assert_msg(rc == 2, "%s %s %s: exit %d: %s", cmd, flag, value ? value : "", rc, err);
    char *prefix = jt_xasprintf("jouletrace %s: ", cmd);
    ck_assert_msg(!strncmp(err, prefix, strlen(prefix)), "%s: %s", cmd, err);
    char *nl = strchr(err, '\n');
    ck_assert_ptr_nonnull(nl);
    char *msg = jt_xstrndup(err + strlen(prefix), (size_t)(nl - err) - strlen(prefix));
    free(prefix), free(out), free(err);
    return msg;
}

static const struct {
    const char *flag, *value, *want;
} bad_values[] = {
    {"--backend", "bogus", "bogus"},
    {"--measurement-core", "x", "--measurement-core"},
    {"--measurement-core", "-3", "--measurement-core"},
    {"--lock-file", NULL, "--lock-file"},
    {"--state-dir", NULL, "--state-dir"},
    {"--calibration", NULL, "--calibration"},
};

START_TEST(shared_flags_refused_alike)
{
    static const char *const cmds[] = {"run", "measure", "calibrate"};
    for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
        char *first = refusal(cmds[0], bad_values[i].flag, bad_values[i].value);
        ck_assert_msg(strstr(first, bad_values[i].want), "%s: %s", bad_values[i].flag, first);
        for (size_t c = 1; c < 3; c++) {
            char *msg = refusal(cmds[c], bad_values[i].flag, bad_values[i].value);
            ck_assert_msg(!strcmp(msg, first), "%s %s: '%s', run says '%s'", cmds[c],
                          bad_values[i].flag, msg, first);
            free(msg);
        }
        free(first);
    }
}
END_TEST

/* --max-age-days and --allow-uncalibrated are for the commands that
 * subtract a baseline, not for the one that measures it. */
START_TEST(baseline_flags_only_where_a_baseline_is_used)
{
    char *run = refusal("run", "--max-age-days", "-1");
    char *measure = refusal("measure", "--max-age-days", "-1");
    ck_assert_msg(strstr(run, "--max-age-days") && !strcmp(run, measure), "run '%s', measure '%s'",
                  run, measure);
    free(run), free(measure);
    static const char *const flags[] = {"--max-age-days", "--allow-uncalibrated"};
    for (size_t i = 0; i < 2; i++) {
        char *msg = refusal("calibrate", flags[i], i == 0 ? "3" : NULL);
        char *want = jt_xasprintf("unknown or incomplete option '%s'", flags[i]);
        ck_assert_msg(!strcmp(msg, want), "calibrate %s: %s", flags[i], msg);
        free(want), free(msg);
    }
}
END_TEST

static Suite *run_flags_suite(void)
{
    Suite *s = suite_create("run_flags");
    TCase *tc = tcase_create("session_flags");
    tcase_add_test(tc, shared_flags_refused_alike);
    tcase_add_test(tc, baseline_flags_only_where_a_baseline_is_used);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(run_flags_suite)
