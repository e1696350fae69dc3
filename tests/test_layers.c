/* The layering of harness/ (tests/check-layers.sh): energy/, exec/, stats/
 * and suite/ include no header of measure/ or commands/, and no folder
 * includes another's private headers. Runs the check on this tree, and on
 * small trees that break each rule so the check itself is known to bite. */
#include <stdlib.h>
#include <string.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

/* Runs check-layers.sh on `root`; returns its exit status, *out its stdout. */
static int check_layers(const char *root, char **out)
{
    char *script = jt_xasprintf("%s/tests/check-layers.sh", jt_test_srcdir());
    char *err = NULL;
    int rc = jt_test_run((const char *const[]){"sh", script, root, NULL}, NULL, NULL, out, &err);
    ck_assert_msg(rc == 0 || rc == 1, "check-layers.sh exited %d: %s", rc, err ? err : "");
    free(err);
    free(script);
    return rc;
}

START_TEST(this_tree_keeps_its_layers)
{
    char *out = NULL;
    int rc = check_layers(jt_test_srcdir(), &out);
    ck_assert_msg(rc == 0, "includes that reach up or sideways:\n%s", out);
    ck_assert_str_eq(out, "");
    free(out);
}
END_TEST

/* A tiny tree: a measure/ module with a public and a private header, an
 * exec/ module with a public header, a suite/ private header, commands/. */
static char *fake_tree(void)
{
    char *dir = jt_test_tmpdir();
    static const char *const files[][2] = {
        {"harness/measure/engine.c", "#include \"jouletrace/engine.h\"\n#include \"jouletrace/energy.h\"\n"},
        {"harness/measure/engine_priv.h", "#include \"jouletrace/engine.h\"\n"},
        {"harness/energy/energy.c", "#include \"energy_internal.h\"\n#include <sys/stat.h>\n"},
        {"harness/energy/energy_internal.h", "#include \"jouletrace/energy.h\"\n"},
        {"harness/exec/expected.c", "#include \"jouletrace/expected.h\"\n"},
        {"harness/suite/loader.h", "\n"},
        {"harness/suite/suite.c", "#include \"suite/loader.h\"\n"},
        {"harness/commands/commands.h", "\n"},
        {"harness/commands/run.c", "#include \"commands/commands.h\"\n#include \"jouletrace/engine.h\"\n"},
        {"harness/main.c", "#include \"commands/commands.h\"\n"},
        {"include/jouletrace/engine.h", "#include \"jouletrace/energy.h\"\n"},
        {"include/jouletrace/energy.h", "#include <stdint.h>\n"},
        {"include/jouletrace/expected.h", "#include \"jouletrace/suite.h\"\n"},
        {"include/jouletrace/suite.h", "\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        free(jt_test_write_file(dir, files[i][0], files[i][1]));
    return dir;
}

START_TEST(a_tree_that_keeps_its_layers_passes)
{
    char *dir = fake_tree();
    char *out = NULL;
    ck_assert_int_eq(check_layers(dir, &out), 0);
    ck_assert_str_eq(out, "");
    free(out);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* Each offending include, and the line the check must print for it. */
static const struct {
    const char *file, *content, *says;
} breaks[] = {
    {"harness/energy/perf.c", "#include <errno.h>\n#include \"jouletrace/engine.h\"\n",
     "harness/energy/perf.c:2: includes jouletrace/engine.h, a header of measure/"},
    {"harness/exec/expected.c", "# include \"measure/engine_priv.h\"\n",
     "harness/exec/expected.c:1: includes measure/engine_priv.h, a header of measure/"},
    {"harness/stats/ci.c", "#include \"../commands/commands.h\"\n",
     "harness/stats/ci.c:1: includes ../commands/commands.h, a header of commands/"},
    {"harness/suite/suite.c", "#include <jouletrace/engine.h>\n",
     "harness/suite/suite.c:1: includes jouletrace/engine.h, a header of measure/"},
    /* a public header owned by exec/ (harness/exec/expected.c) */
    {"include/jouletrace/expected.h", "#include \"jouletrace/engine.h\"\n",
     "include/jouletrace/expected.h:1: includes jouletrace/engine.h, a header of measure/"},
    {"harness/commands/run.c", "#include \"suite/loader.h\"\n",
     "harness/commands/run.c:1: includes suite/loader.h, a header private to suite/"},
    {"harness/measure/engine.c", "#include \"commands/commands.h\"\n",
     "harness/measure/engine.c:1: includes commands/commands.h, a header private to commands/"},
};

START_TEST(each_reach_across_is_named)
{
    char *dir = fake_tree();
    free(jt_test_write_file(dir, breaks[_i].file, breaks[_i].content));
    char *out = NULL;
    ck_assert_int_eq(check_layers(dir, &out), 1);
    ck_assert_msg(strstr(out, breaks[_i].says), "want \"%s\" in:\n%s", breaks[_i].says, out);
    ck_assert_msg(!strchr(out, '\n') || strchr(out, '\n')[1] == '\0', "one line only:\n%s", out);
    free(out);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *layers_suite(void)
{
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, this_tree_keeps_its_layers);
    tcase_add_test(tc, a_tree_that_keeps_its_layers_passes);
    tcase_add_loop_test(tc, each_reach_across_is_named, 0, sizeof breaks / sizeof breaks[0]);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(layers_suite)
