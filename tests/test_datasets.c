/* Tests for harness/suite/datasets.c and corpus.c: HumanEval, HumanEval+
 * (the real files in ../shared/corpora), MBPP, JSONL and directory sample
 * corpora, sanitize, gzip, malformed lines, unknown tasks, big integers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/suite.h"
#include "support/testutil.h"

/* ../shared/corpora from the source tree (CI lays shared/ beside the clone). */
static char *corpora(void)
{
    return jt_test_corpora();
}

static jt_suite *load_text(const char *dir, const char *yaml, jt_err *e)
{
    char *path = jt_test_write_file(dir, "s.yaml", yaml);
    jt_suite *s = NULL;
    jt_suite_load(path, &s, e);
    free(path);
    return s;
}

static jt_suite *load_ok_text(const char *dir, const char *yaml)
{
    jt_err e = JT_ERR_INIT;
    jt_suite *s = load_text(dir, yaml, &e);
    ck_assert_msg(s != NULL, "%s", jt_err_msg(&e));
    jt_err_clear(&e);
    return s;
}

static char *load_err_text(const char *dir, const char *yaml)
{
    jt_err e = JT_ERR_INIT;
    jt_suite *s = load_text(dir, yaml, &e);
    ck_assert_msg(s == NULL, "loaded, but should fail");
    char *m = jt_xstrdup(jt_err_msg(&e));
    jt_err_clear(&e);
    return m;
}

START_TEST(humaneval_problems_and_canonical_candidates)
{
    char *dir = jt_test_tmpdir(), *cp = corpora();
    char *y = jt_xasprintf("suite: he\n"
                           "test_sets:\n"
                           "  - problems: {format: humaneval, path: %s/HumanEval.jsonl.gz, limit: 3,\n"
                           "               canonical_candidates: true}\n"
                           "candidates: []\n", cp);
    /* an empty candidates list is fine when the problems brought candidates */
    jt_err e = JT_ERR_INIT;
    jt_suite *s = load_text(dir, y, &e);
    ck_assert_msg(s != NULL, "%s", jt_err_msg(&e));
    ck_assert_uint_eq(s->n_test_sets, 3);
    const jt_test_set *ts = &s->test_sets[0];
    ck_assert_str_eq(ts->id, "HumanEval/0");
    ck_assert_str_eq(ts->function_name, "has_close_elements");
    ck_assert_str_eq(ts->mode, "script");
    ck_assert_uint_eq(ts->n_cases, 1);
    const char *script = json_string_value(json_object_get(json_array_get(ts->test_cases, 0), "script"));
    ck_assert(strstr(script, "def check(candidate):") && strstr(script, "check(has_close_elements)"));
    ck_assert(strncmp(ts->reference_code, ts->prompt, strlen(ts->prompt)) == 0);
    ck_assert_uint_eq(s->n_candidates, 3);
    ck_assert_str_eq(s->candidates[2].id, "HumanEval/2#canonical");
    ck_assert_str_eq(s->test_sets[2].reference, "HumanEval/2#canonical");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s->datasets, 0), "format")), "humaneval");
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(json_array_get(s->datasets, 0), "sha256"))), 64);
    jt_suite_free(s);
    jt_err_clear(&e);
    free(y);
    free(cp);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(evalplus_base_and_plus_inputs)
{
    char *dir = jt_test_tmpdir(), *cp = corpora();
    char *y = jt_xasprintf("suite: hep\n"
                           "test_sets:\n"
                           "  - problems: {format: evalplus, path: %s/HumanEvalPlus-v0.1.10.jsonl.gz,\n"
                           "               tasks: [HumanEval/0, HumanEval/53], inputs: all}\n"
                           "candidates:\n"
                           "  - {id: x, test_set: HumanEval/0, candidate_code: 'def has_close_elements(n, t): return False'}\n",
                           cp);
    jt_suite *s = load_ok_text(dir, y);
    ck_assert_uint_eq(s->n_test_sets, 2);
    const jt_test_set *ts = &s->test_sets[0];
    ck_assert_str_eq(ts->mode, "call");
    ck_assert_str_eq(ts->comparator, "close");
    ck_assert(ts->atol == 1e-6 && ts->rtol == 1e-7);
    ck_assert(ts->needs_expected);
    /* counts and order straight from the file (checked with python's json) */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ts->test_cases, 0), "test_id")), "base-0");
    ck_assert_ptr_null(json_object_get(json_array_get(ts->test_cases, 0), "expected_output"));
    size_t plus = 0;
    for (size_t i = 0; i < ts->n_cases; i++)
        plus += !strncmp(json_string_value(json_object_get(json_array_get(ts->test_cases, i), "test_id")), "plus-", 5);
    ck_assert_uint_gt(plus, 100);
    /* HumanEval/53 (add x y) has plus inputs beyond int64: kept exactly */
    const jt_test_set *t53 = &s->test_sets[1];
    char *dump = json_dumps(t53->test_cases, JSON_COMPACT);
    ck_assert_msg(strstr(dump, "{\"__int__\":\"") != NULL, "no big integer survived");
    free(dump);
    jt_suite_free(s);
    free(y);
    free(cp);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(humaneval_samples_jsonl_completions)
{
    char *dir = jt_test_tmpdir(), *cp = corpora();
    char *y = jt_xasprintf("suite: toy\n"
                           "test_sets:\n"
                           "  - problems: {format: humaneval, path: %s/humaneval_example_problem.jsonl}\n"
                           "candidates:\n"
                           "  - jsonl: %s/humaneval_example_samples.jsonl\n"
                           "    timeout_seconds: 2\n", cp, cp);
    jt_suite *s = load_ok_text(dir, y);
    ck_assert_uint_eq(s->n_candidates, 6);
    ck_assert_str_eq(s->candidates[0].id, "test/0#0");
    ck_assert_str_eq(s->candidates[5].id, "test/0#5");
    /* completion appended to the prompt */
    ck_assert_str_eq(s->candidates[3].code, "def return1():\n    return 1");
    ck_assert(s->candidates[1].opts.timeout_seconds == 2);
    ck_assert(strstr(s->candidates[0].source_path, "humaneval_example_samples.jsonl:1") != NULL);
    ck_assert_uint_eq(json_array_size(s->datasets), 2);
    jt_suite_free(s);
    free(y);
    free(cp);
    jt_test_tmpdir_free(dir);
}
END_TEST

static const char mini_problem[] =
    "{\"task_id\": \"t/0\", \"prompt\": \"def f(x):\\n\", \"canonical_solution\": \"    return x\\n\","
    " \"test\": \"def check(c):\\n    assert c(1) == 1\\n\", \"entry_point\": \"f\"}\n";

START_TEST(solution_wins_metadata_group_sanitize_no_code)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "p.jsonl", mini_problem));
    free(jt_test_write_file(dir, "samples.jsonl",
        "{\"task_id\": \"t/0\", \"completion\": \"    return 0\\n\", \"solution\": \"def f(x):\\n    return x\\n\", \"model\": \"m1\", \"temperature\": 0.2}\n"
        "\n"
        "{\"task_id\": \"t/0\", \"solution\": \"Sure! Here it is:\\n```python\\nimport os\\n```\\nand\\n```python\\ndef f(x):\\n    return x\\n```\\n\", \"model\": \"m2\"}\n"
        "{\"task_id\": \"t/0\", \"solution\": \"I cannot help with that.\", \"model\": \"m2\"}\n"));
    jt_suite *s = load_ok_text(dir,
        "suite: meta\n"
        "test_sets:\n  - problems: {format: humaneval, path: p.jsonl}\n"
        "candidates:\n  - {jsonl: samples.jsonl, group_field: model, sanitize: true}\n");
    ck_assert_uint_eq(s->n_candidates, 3);
    const jt_candidate *a = &s->candidates[0], *b = &s->candidates[1], *c = &s->candidates[2];
    ck_assert_str_eq(a->code, "def f(x):\n    return x\n"); /* solution wins */
    ck_assert_str_eq(a->group, "m1");
    ck_assert(json_real_value(json_object_get(a->metadata, "temperature")) == 0.2);
    ck_assert_ptr_null(json_object_get(a->metadata, "solution"));
    ck_assert_str_eq(b->code, "def f(x):\n    return x\n"); /* the block defining f */
    ck_assert_ptr_null(b->no_code);
    ck_assert_str_eq(c->no_code, "the sample holds no code");
    ck_assert_str_eq(c->id, "t/0#2");
    jt_suite_free(s);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(corpus_errors_name_file_and_line)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "p.jsonl", mini_problem));
    free(jt_test_write_file(dir, "bad.jsonl", "{\"task_id\": \"t/0\", \"solution\": \"x\"}\n{not json\n"));
    free(jt_test_write_file(dir, "unknown.jsonl", "{\"task_id\": \"t/1\", \"solution\": \"x\"}\n"));
    free(jt_test_write_file(dir, "nocode.jsonl", "{\"task_id\": \"t/0\", \"model\": \"m\"}\n"));
    const char *head = "suite: e\ntest_sets:\n  - problems: {format: humaneval, path: p.jsonl}\ncandidates:\n";
    char *y = jt_xasprintf("%s  - jsonl: bad.jsonl\n", head);
    char *m = load_err_text(dir, y);
    ck_assert_msg(strstr(m, "bad.jsonl:2:4: not a JSON object:") != NULL, "%s", m);
    free(m), free(y);
    y = jt_xasprintf("%s  - jsonl: unknown.jsonl\n", head);
    m = load_err_text(dir, y);
    ck_assert_msg(strstr(m, "unknown.jsonl:1: task 't/1' is not a test set of this suite (did you mean 't/0'?)"), "%s", m);
    free(m), free(y);
    y = jt_xasprintf("%s  - {jsonl: unknown.jsonl, skip_unknown_tasks: true}\n  - {id: k, candidate_code: 'def f(x): return x'}\n", head);
    jt_suite *s = load_ok_text(dir, y);
    ck_assert_uint_eq(s->n_candidates, 1);
    jt_suite_free(s);
    free(y);
    y = jt_xasprintf("%s  - jsonl: nocode.jsonl\n", head);
    m = load_err_text(dir, y);
    ck_assert_msg(strstr(m, "nocode.jsonl:1: no code: the sample needs 'solution' or 'completion'"), "%s", m);
    free(m), free(y);
    y = jt_xasprintf("%s  - {id: z, jsonl: unknown.jsonl}\n", head);
    m = load_err_text(dir, y);
    ck_assert_msg(strstr(m, "'id' cannot be combined with a corpus"), "%s", m);
    free(m), free(y);
    y = jt_xasprintf("%s  - {id: z, sanitize: true, candidate_code: 'x'}\n", head);
    m = load_err_text(dir, y);
    ck_assert_msg(strstr(m, "'sanitize' applies to 'jsonl' and 'dir' corpora only"), "%s", m);
    free(m), free(y);
    m = load_err_text(dir, "suite: e\ntest_sets:\n  - problems: {format: humaneval, path: missing.jsonl}\ncandidates: []\n");
    ck_assert_msg(strstr(m, "s.yaml:3:41: cannot read problems: ") && strstr(m, "missing.jsonl"), "%s", m);
    free(m);
    m = load_err_text(dir, "suite: e\ntest_sets:\n  - problems: {format: humaneva, path: p.jsonl}\ncandidates: []\n");
    ck_assert_msg(strstr(m, "format 'humaneva' is not one of humaneval, evalplus, mbpp (did you mean 'humaneval'?)"), "%s", m);
    free(m);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(gzip_and_directory_corpora)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "p.jsonl", mini_problem));
    free(jt_test_write_file(dir, "s.jsonl", "{\"task_id\": \"t/0\", \"completion\": \"    return x\\n\"}\n"));
    char *cmd = jt_xasprintf("gzip -n %s/s.jsonl", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(jt_test_write_file(dir, "samples/t_0/0.py", "def f(x):\n    return x\n"));
    free(jt_test_write_file(dir, "samples/t_0/10.py", "def f(x):\n    return 0\n"));
    free(jt_test_write_file(dir, "samples/t_0/2.py", "def f(x):\n    return -x\n"));
    free(jt_test_write_file(dir, "samples/t_0/notes.txt", "ignored"));
    jt_suite *s = load_ok_text(dir,
        "suite: gz\ntest_sets:\n  - problems: {format: humaneval, path: p.jsonl}\n"
        "candidates:\n  - jsonl: s.jsonl.gz\n  - dir: samples\n");
    ck_assert_uint_eq(s->n_candidates, 4);
    ck_assert_str_eq(s->candidates[0].code, "def f(x):\n    return x\n");
    /* directory samples in numeric order, numbered after the jsonl one */
    ck_assert(strstr(s->candidates[1].source_path, "t_0/0.py") != NULL);
    ck_assert(strstr(s->candidates[2].source_path, "t_0/2.py") != NULL);
    ck_assert(strstr(s->candidates[3].source_path, "t_0/10.py") != NULL);
    ck_assert_str_eq(s->candidates[3].id, "t/0#3");
    jt_suite_free(s);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(mbpp_asserts_become_script_cases)
{
    char *dir = jt_test_tmpdir();
    free(jt_test_write_file(dir, "mbpp.jsonl",
        "{\"task_id\": 2, \"text\": \"Shared elements.\", \"code\": \"import math\\ndef helper(a):\\n    return a\\ndef similar_elements(a, b):\\n    return tuple(set(a) & set(b))\\n\","
        " \"test_list\": [\"assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\", \"assert set(similar_elements((1, 2),(2, 3))) == set((2,))\"],"
        " \"test_setup_code\": \"\", \"test_imports\": [\"import math\"]}\n"));
    jt_suite *s = load_ok_text(dir,
        "suite: mbpp\ntest_sets:\n  - problems: {format: mbpp, path: mbpp.jsonl, canonical_candidates: true}\n"
        "candidates: []\n");
    const jt_test_set *ts = &s->test_sets[0];
    ck_assert_str_eq(ts->id, "MBPP/2");
    ck_assert_str_eq(ts->function_name, "similar_elements"); /* not helper, not set */
    ck_assert_str_eq(ts->mode, "script");
    ck_assert_uint_eq(ts->n_cases, 2);
    ck_assert_str_eq(ts->setup_code, "\nimport math");
    ck_assert_str_eq(s->candidates[0].id, "MBPP/2#canonical");
    jt_suite_free(s);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(yaml_comparators_modes_and_reference_expected)
{
    char *dir = jt_test_tmpdir();
    jt_suite *s = load_ok_text(dir,
        "suite: cmp\n"
        "test_sets:\n"
        "  - id: s\n    function_name: f\n    comparator: checker\n"
        "    checker: 'def check(i, e, o): return o > 0'\n"
        "    test_cases: [{inputs: [1], expected_output: null}]\n"
        "  - id: r\n    function_name: g\n    reference: ref\n    comparator: close\n    atol: 0.01\n"
        "    test_cases: [{inputs: [1]}, {inputs: [2], expected_output: 4}]\n"
        "  - id: sc\n    function_name: h\n    mode: script\n    setup_code: import math\n"
        "    test_cases: [{script: 'assert h(2) == 4'}]\n"
        "candidates:\n"
        "  - {id: a, test_set: s, candidate_code: 'def f(x): return x'}\n"
        "  - {id: ref, test_set: r, candidate_code: 'def g(x): return x * x', reload_per_iteration: true}\n"
        "  - {id: c, test_set: sc, candidate_code: 'def h(x): return x * x'}\n");
    ck_assert_str_eq(s->test_sets[0].comparator, "checker");
    ck_assert(strstr(s->test_sets[0].checker_code, "def check") != NULL);
    ck_assert(s->test_sets[1].needs_expected);
    ck_assert(s->test_sets[1].atol == 0.01);
    ck_assert(s->candidates[1].opts.reload_per_iteration);
    ck_assert_str_eq(s->test_sets[2].setup_code, "import math");
    jt_suite_free(s);
    /* comparator exact is fine outside mode command; it changes the hash */
    jt_suite *e1 = load_ok_text(dir, "suite: x\ntest_sets:\n  - {id: s, function_name: f, comparator: exact, test_cases: [{inputs: [1], expected_output: 1}]}\ncandidates: [{id: a, candidate_code: x}]\n");
    jt_suite *e2 = load_ok_text(dir, "suite: x\ntest_sets:\n  - {id: s, function_name: f, comparator: set, test_cases: [{inputs: [1], expected_output: 1}]}\ncandidates: [{id: a, candidate_code: x}]\n");
    ck_assert_str_ne(e1->content_hash, e2->content_hash);
    jt_suite_free(e1);
    jt_suite_free(e2);
    char *m = load_err_text(dir, "suite: x\ntest_sets:\n  - {id: s, function_name: f, comparator: stdout, test_cases: [{inputs: [1], expected_output: 1}]}\ncandidates: [{id: a, candidate_code: x}]\n");
    ck_assert_msg(strstr(m, "comparator 'stdout' needs 'mode: command'"), "%s", m);
    free(m);
    m = load_err_text(dir, "suite: x\ndefaults: {min_trial_seconds: 1, timeout_seconds: 1.5}\ntest_sets:\n  - {id: s, function_name: f, test_cases: [{inputs: [1], expected_output: 1}]}\ncandidates: [{id: a, candidate_code: x}]\n");
    ck_assert_msg(strstr(m, "timeout_seconds (1.5) must be at least twice min_trial_seconds (1)"), "%s", m);
    free(m);
    m = load_err_text(dir, "suite: x\ntest_sets:\n  - {id: s, function_name: f, mode: script, test_cases: [{inputs: [1]}]}\ncandidates: [{id: a, candidate_code: x}]\n");
    ck_assert_msg(strstr(m, "takes 'script', not inputs or expected_output"), "%s", m);
    free(m);
    m = load_err_text(dir, "suite: x\ntest_sets:\n  - {id: s, function_name: f, comparator: clos, test_cases: [{inputs: [1], expected_output: 1}]}\ncandidates: [{id: a, candidate_code: x}]\n");
    ck_assert_msg(strstr(m, "comparator 'clos' is not one of exact, close, set, not_none, checker (did you mean 'close'?)"), "%s", m);
    free(m);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *datasets_suite(void)
{
    Suite *s = suite_create("datasets");
    TCase *tc = tcase_create("import");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, humaneval_problems_and_canonical_candidates);
    tcase_add_test(tc, evalplus_base_and_plus_inputs);
    tcase_add_test(tc, humaneval_samples_jsonl_completions);
    tcase_add_test(tc, solution_wins_metadata_group_sanitize_no_code);
    tcase_add_test(tc, corpus_errors_name_file_and_line);
    tcase_add_test(tc, gzip_and_directory_corpora);
    tcase_add_test(tc, mbpp_asserts_become_script_cases);
    tcase_add_test(tc, yaml_comparators_modes_and_reference_expected);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(datasets_suite)
