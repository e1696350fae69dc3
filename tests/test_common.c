/* Tests for harness/util/common.c: errors, jt_buf, edit distance, parsing. */
#include <stdlib.h>
#include <string.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

START_TEST(err_set_prefix_clear)
{
    jt_err e = JT_ERR_INIT;
    ck_assert_str_eq(jt_err_msg(&e), "unknown error");
    ck_assert_int_eq(jt_err_set(&e, "cannot open '%s'", "x.yaml"), -1);
    ck_assert_str_eq(jt_err_msg(&e), "cannot open 'x.yaml'");
    jt_err_prefix(&e, "suite %d", 3);
    ck_assert_str_eq(jt_err_msg(&e), "suite 3: cannot open 'x.yaml'");
    jt_err_set(&e, "again");
    ck_assert_str_eq(jt_err_msg(&e), "again");
    jt_err_clear(&e);
    ck_assert_ptr_null(e.msg);
}
END_TEST

START_TEST(buf_grows_and_detaches)
{
    jt_buf b = JT_BUF_INIT;
    ck_assert_str_eq(jt_buf_str(&b), "");
    for (int i = 0; i < 1000; i++) jt_buf_addf(&b, "%d,", i);
    ck_assert_uint_eq(b.len, strlen(b.data));
    ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
    ck_assert(strstr(b.data, "999,") != NULL);
    jt_buf_addc(&b, '\0');
    ck_assert_uint_eq(b.len, strlen(b.data) + 1);
    char *s = jt_buf_detach(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    free(s);
}
END_TEST

static const struct {
    const char *a, *b;
    size_t d;
} dist_cases[] = {
    {"function_name", "function_name", 0},
    {"fucntion_name", "function_name", 1}, /* transposition counts once */
    {"function_nam", "function_name", 1},
    {"kitten", "sitting", 3},
    {"", "abc", 3},
    {"test_cases", "test_case", 1},
};

START_TEST(edit_distance_table)
{
    ck_assert_uint_eq(jt_edit_distance(dist_cases[_i].a, dist_cases[_i].b, 10), dist_cases[_i].d);
    ck_assert_uint_eq(jt_edit_distance(dist_cases[_i].b, dist_cases[_i].a, 10), dist_cases[_i].d);
}
END_TEST

START_TEST(did_you_mean_picks_nearest_or_nothing)
{
    const char *keys[] = {"function_name", "test_cases", "test_id", "inputs", NULL};
    ck_assert_str_eq(jt_did_you_mean("fucntion_name", keys), "function_name");
    ck_assert_str_eq(jt_did_you_mean("test_case", keys), "test_cases");
    ck_assert_str_eq(jt_did_you_mean("input", keys), "inputs");
    ck_assert_ptr_null(jt_did_you_mean("zebra", keys));
    ck_assert_ptr_null(jt_did_you_mean("x", keys));
}
END_TEST

START_TEST(parse_numbers_strictly)
{
    jt_err e = JT_ERR_INIT;
    long l;
    double d;
    ck_assert_int_eq(jt_parse_long("42", 0, 100, &l, "--n", &e), 0);
    ck_assert_int_eq(l, 42);
    ck_assert_int_eq(jt_parse_long("42x", 0, 100, &l, "--n", &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "--n: '42x' is not an integer");
    ck_assert_int_eq(jt_parse_long("101", 0, 100, &l, "--n", &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "--n: 101 is out of range [0, 100]");
    ck_assert_int_eq(jt_parse_long("", 0, 100, &l, "--n", &e), -1);
    ck_assert_int_eq(jt_parse_double("0.25", 0, 1, &d, "--s", &e), 0);
    ck_assert(d == 0.25);
    ck_assert_int_eq(jt_parse_double("nan", 0, 1, &d, "--s", &e), -1);
    ck_assert_int_eq(jt_parse_double("1e400", 0, 1, &d, "--s", &e), -1);
    jt_err_clear(&e);
}
END_TEST

START_TEST(utf8_sanitize_replaces_only_invalid_bytes)
{
    static const char in[] = "ok \xC3\xA9 \xFF bad \xC0\xAF overlong \xED\xA0\x80 surrogate "
                             "\xF0\x9F\x98\x80 cut \xE2\x82";
    char *out = jt_utf8_sanitize(in, sizeof in - 1);
    ck_assert_str_eq(out, "ok \xC3\xA9 \xEF\xBF\xBD bad \xEF\xBF\xBD\xEF\xBF\xBD overlong "
                          "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD surrogate \xF0\x9F\x98\x80 cut "
                          "\xEF\xBF\xBD\xEF\xBF\xBD");
    free(out);
    char nul[] = {'a', '\0', 'b'};
    out = jt_utf8_sanitize(nul, 3);
    ck_assert_str_eq(out, "a\xEF\xBF\xBD" "b");
    free(out);
}
END_TEST

static Suite *common_suite(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, err_set_prefix_clear);
    tcase_add_test(tc, buf_grows_and_detaches);
    tcase_add_loop_test(tc, edit_distance_table, 0, sizeof dist_cases / sizeof dist_cases[0]);
    tcase_add_test(tc, did_you_mean_picks_nearest_or_nothing);
    tcase_add_test(tc, parse_numbers_strictly);
    tcase_add_test(tc, utf8_sanitize_replaces_only_invalid_bytes);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(common_suite)
