/* Loader inputs the fuzz targets (tests/fuzz/) aim at: bytes that are not
 * UTF-8 in file names and file contents, NUL bytes, a FIFO where a file is
 * expected. Each must give one clean "FILE:LINE:COL: ..." error, never a
 * crash (jansson refuses non-UTF-8, so such text used to surface as a NULL
 * from json_pack deep in the content hash) and never a wait (a FIFO used to
 * block an include, a dataset or a corpus forever). And one gap of the
 * measure request parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/suite.h"
#include "support/testutil.h"

static const char head[] =
    "suite: hostile\n"
    "test_sets:\n"
    "  - {id: square, function_name: square, test_cases: [{inputs: [2], expected_output: 4}]}\n"
    "candidates:\n";

/* Loads dir/s.yaml (head + `cands`), which must fail; returns the error
 * with the directory cut off ("s.yaml:5:5: ..."). Caller frees. */
static char *load_fails(const char *dir, const char *cands)
{
    char *yaml = jt_xasprintf("%s%s", head, cands);
    char *path = jt_test_write_file(dir, "s.yaml", yaml);
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_load(path, &s, &e), -1);
    ck_assert_ptr_null(s);
    const char *msg = jt_err_msg(&e);
    size_t n = strlen(dir);
    ck_assert_msg(!strncmp(msg, dir, n) && msg[n] == '/', "error names no file: %s", msg);
    char *rel = jt_xstrdup(msg + n + 1);
    jt_err_clear(&e);
    free(yaml);
    free(path);
    return rel;
}

static void write_bytes(const char *dir, const char *name, const char *data, size_t len)
{
    char *path = jt_test_write_file(dir, name, "");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    free(path);
}

START_TEST(glob_matching_a_name_that_is_not_utf8)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "odd/bad\xff.py", "def square(x):\n    return x * x\n"));
    char *msg = load_fails(dir, "  - glob: odd/*.py\n");
    ck_assert_msg(strstr(msg, "s.yaml:5:11: candidate 'bad\\xff' (from '") == msg &&
                      strstr(msg, "/odd/bad\\xff.py'): its id is not valid UTF-8"),
                  "%s", msg);
    free(msg);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(candidate_file_that_is_not_utf8_or_holds_nul)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "latin1.py", "def square(x):\n    return x * x  # caf\xe9\n"));
    write_bytes(dir, "nul.py", "def square(x):\n\n    return x\0 * x\n", 33);
    char *msg = load_fails(dir, "  - {id: a, file: latin1.py}\n");
    ck_assert_str_eq(msg, "s.yaml:5:19: cannot read 'latin1.py': not UTF-8 text (line 2)");
    free(msg);
    msg = load_fails(dir, "  - {id: a, file: nul.py}\n");
    ck_assert_str_eq(msg, "s.yaml:5:19: cannot read 'nul.py': not text: a NUL byte on line 3");
    free(msg);
    msg = load_fails(dir, "  - {glob: '*.py'}\n");
    ck_assert_msg(strstr(msg, "s.yaml:5:12: cannot read '") == msg &&
                      strstr(msg, "latin1.py': not UTF-8 text (line 2)"),
                  "%s", msg);
    free(msg);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(dir_corpus_with_names_or_code_not_utf8)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "samples/square/0\xfe.py", "def square(x):\n    return x * x\n"));
    char *msg = load_fails(dir, "  - {dir: samples}\n");
    ck_assert_msg(strstr(msg, "s.yaml:5:11: candidate 'square#0' (from '") == msg &&
                      strstr(msg, "/samples/square/0\\xfe.py'): its file name is not valid UTF-8"),
                  "%s", msg);
    free(msg);
    char *bad = jt_xasprintf("%s/samples/square/0\xfe.py", dir);
    ck_assert_int_eq(remove(bad), 0);
    free(bad);
    free(jt_test_write_file(dir, "samples/square/1.py", "s = '\xff'\n"));
    msg = load_fails(dir, "  - {dir: samples}\n");
    ck_assert_msg(strstr(msg, "samples/square/1.py: not UTF-8 text (line 1)"), "%s", msg);
    free(msg);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(include_of_a_fifo_fails_at_once)
{
    char *dir = jt_test_tmpdir();
    char *fifo = jt_xasprintf("%s/pipe", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    char *yaml = jt_xasprintf("suite: f\ntest_sets:\n  - include: pipe\ncandidates: []\n");
    char *path = jt_test_write_file(dir, "s.yaml", yaml);
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_load(path, &s, &e), -1); /* used to block in fopen */
    ck_assert_msg(strstr(jt_err_msg(&e), "/s.yaml:3:14: cannot include 'pipe': not a regular file"),
                  "%s", jt_err_msg(&e));
    jt_err_clear(&e);
    free(yaml);
    free(path);
    free(fifo);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(dataset_or_corpus_that_is_a_fifo_fails_at_once)
{
    char *dir = jt_test_tmpdir();
    char *fifo = jt_xasprintf("%s/pipe", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    char *msg = load_fails(dir, "  - {jsonl: pipe}\n"); /* used to block hashing it */
    ck_assert_msg(strstr(msg, "s.yaml:5:13: cannot read corpus: ") == msg &&
                      strstr(msg, "/pipe: cannot open: not a regular file"),
                  "%s", msg);
    free(msg);
    char *path = jt_test_write_file(dir, "p.yaml",
                                    "suite: p\ntest_sets:\n  - problems: {format: mbpp, path: pipe}\n"
                                    "candidates:\n  - {id: a, candidate_code: x}\n");
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_load(path, &s, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), "/p.yaml:3:36: cannot read problems: ") &&
                      strstr(jt_err_msg(&e), "/pipe: cannot open: not a regular file"),
                  "%s", jt_err_msg(&e));
    jt_err_clear(&e);
    free(path);
    free(fifo);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(suite_file_name_not_utf8)
{
    char *dir = jt_test_tmpdir();
    char *yaml = jt_xasprintf("%s  - {id: a, candidate_code: 'def square(x): return x * x'}\n", head);
    char *path = jt_test_write_file(dir, "s\xff.yaml", yaml);
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_load(path, &s, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), "/s\\xff.yaml:1:1: the suite's file name is not valid UTF-8"),
                  "%s", jt_err_msg(&e));
    jt_err_clear(&e);
    free(yaml);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* Found reading the request parser for its fuzz target: a request skipped
 * the cross-option checks a suite gets, so `measure` accepted a timeout
 * shorter than the trials it asked for. */
START_TEST(request_gets_the_cross_option_checks)
{
    json_t *req = json_loads("{\"candidate_code\": \"def f(x): return x\", \"function_name\": \"f\","
                             " \"test_cases\": [{\"inputs\": [1], \"expected_output\": 1}],"
                             " \"timeout_seconds\": 0.5, \"min_trial_seconds\": 1}",
                             0, NULL);
    ck_assert_ptr_nonnull(req);
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_from_request(req, "measure", &s, &e), -1);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(jt_err_msg(&e), "timeout_seconds (0.5) must be at least twice "
                                     "min_trial_seconds (1): every trial runs that long");
    json_object_set_new(req, "timeout_seconds", json_real(2));
    ck_assert_int_eq(jt_suite_from_request(req, "measure", &s, &e), 0);
    ck_assert_double_eq(s->candidates[0].opts.timeout_seconds, 2);
    jt_suite_free(s);
    jt_err_clear(&e);
    json_decref(req);
}
END_TEST

static Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile_inputs");
    TCase *tc = tcase_create("loader");
    tcase_add_test(tc, glob_matching_a_name_that_is_not_utf8);
    tcase_add_test(tc, candidate_file_that_is_not_utf8_or_holds_nul);
    tcase_add_test(tc, dir_corpus_with_names_or_code_not_utf8);
    tcase_add_test(tc, include_of_a_fifo_fails_at_once);
    tcase_add_test(tc, dataset_or_corpus_that_is_a_fifo_fails_at_once);
    tcase_add_test(tc, suite_file_name_not_utf8);
    suite_add_tcase(s, tc);
    TCase *rq = tcase_create("request");
    tcase_add_test(rq, request_gets_the_cross_option_checks);
    suite_add_tcase(s, rq);
    return s;
}

JT_TEST_MAIN(hostile_suite)
