/* Acceptance tests of the corpus path (issue 6) with the real datasets in
 * ../shared/corpora: all 164 HumanEval+ canonical solutions validate against
 * expected outputs computed from the reference in the sandbox; one wrong
 * solution among them is flagged, and only that one; the HumanEval toy
 * samples get their statuses and cannot touch anything outside the sandbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

static char *corpora(void)
{
    return jt_test_corpora();
}

/* validate --json with a private expected-output cache; returns the doc. */
static json_t *validate(const char *cache, const char *suite, const char *only)
{
    char *env_cache = jt_xasprintf("JOULETRACE_CACHE=%s", cache);
    const char *env[] = {env_cache, NULL};
    const char *argv[] = {jt_test_binary(), "validate", "--json", suite, only ? "--only" : NULL, only, NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, env, NULL, &out, &err);
    ck_assert_msg(rc == 0, "validate %s: exit %d: %s", suite, rc, err);
    json_t *doc = json_loads(out, 0, NULL);
    ck_assert_msg(doc != NULL, "not JSON: %s", out);
    free(out), free(err), free(env_cache);
    return doc;
}

static size_t count_status(json_t *doc, const char *status, const char **last_id)
{
    size_t n = 0, i;
    json_t *row;
    json_array_foreach(json_object_get(doc, "candidates"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "status")), status)) continue;
        n++;
        if (last_id) *last_id = json_string_value(json_object_get(row, "id"));
    }
    return n;
}

START_TEST(humaneval_plus_canonical_all_correct_and_one_wrong_flagged)
{
    char *dir = jt_test_tmpdir(), *cp = corpora();
    char *cache = jt_xasprintf("%s/cache", dir);
    char *suite = jt_xasprintf("%s/suites/examples/humaneval.yaml", jt_test_srcdir());
    json_t *doc = validate(cache, suite, "*#canonical");
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "candidates")), 164);
    ck_assert_uint_eq(count_status(doc, "correct", NULL), 164);
    json_decref(doc);

    /* The same solutions as a sample corpus, HumanEval/10 replaced by a
     * wrong one (returns the string reversed, not a palindrome). */
    char *samples = jt_xasprintf("%s/samples.jsonl", dir);
    char *py = jt_xasprintf(
        "import gzip, json\n"
        "out = open('%s', 'w')\n"
        "for line in gzip.open('%s/HumanEvalPlus-v0.1.10.jsonl.gz', 'rt'):\n"
        "    p = json.loads(line)\n"
        "    sol = p['prompt'] + p['canonical_solution']\n"
        "    if p['task_id'] == 'HumanEval/10':\n"
        "        sol = p['prompt'] + '    return string[::-1]\\n'\n"
        "    out.write(json.dumps({'task_id': p['task_id'], 'solution': sol, 'model': 'canonical'}) + '\\n')\n",
        samples, cp);
    const char *argv[] = {"python3", "-c", py, NULL};
    ck_assert_int_eq(jt_test_run(argv, NULL, NULL, NULL, NULL), 0);
    char *yaml = jt_xasprintf("suite: one-wrong\n"
                              "test_sets:\n"
                              "  - problems: {format: evalplus, path: %s/HumanEvalPlus-v0.1.10.jsonl.gz}\n"
                              "candidates:\n"
                              "  - {jsonl: %s, group_field: model}\n", cp, samples);
    char *path = jt_test_write_file(dir, "one-wrong.yaml", yaml);
    doc = validate(cache, path, NULL); /* expected outputs come from the cache now */
    const char *wrong = NULL;
    ck_assert_uint_eq(count_status(doc, "correct", NULL), 163);
    ck_assert_uint_eq(count_status(doc, "incorrect", &wrong), 1);
    ck_assert_str_eq(wrong, "HumanEval/10#0");
    json_decref(doc);
    free(path), free(yaml), free(py), free(samples), free(suite), free(cache), free(cp);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* HumanEval (format humaneval): each task's check(candidate) goes to the
 * assert compiler first (issue 11, point 6). Every canonical solution is
 * correct, compiled or not; a wrong sample fails on a compiled task and on
 * one that stays a script. The log says how many compile, and why the
 * others do not. */
START_TEST(humaneval_asserts_compiled_canonical_all_correct)
{
    char *dir = jt_test_tmpdir(), *cp = corpora();
    char *samples = jt_test_write_file(dir, "wrong.jsonl",
        "{\"task_id\": \"HumanEval/0\", \"completion\": \"    return False\\n\"}\n"
        "{\"task_id\": \"HumanEval/32\", \"completion\": \"    return 0.0\\n\"}\n");
    char *yaml = jt_xasprintf("suite: humaneval-asserts\n"
                              "test_sets:\n"
                              "  - problems: {format: humaneval, path: %s/HumanEval.jsonl.gz,"
                              " canonical_candidates: true}\n"
                              "candidates:\n"
                              "  - {jsonl: %s}\n", cp, samples);
    char *path = jt_test_write_file(dir, "he.yaml", yaml), *cache = jt_xasprintf("%s/cache", dir);
    json_t *doc = validate(cache, path, NULL), *rows = json_object_get(doc, "candidates");
    ck_assert_uint_eq(json_array_size(rows), 166);
    size_t correct = 0, compiled = 0, i;
    json_t *row, *why = json_object();
    json_array_foreach(rows, i, row) {
        const char *id = json_string_value(json_object_get(row, "id"));
        bool in_process = json_is_true(json_object_get(row, "judged_in_process"));
        if (!strstr(id, "#canonical")) continue;
        correct += !strcmp(json_string_value(json_object_get(row, "status")), "correct");
        ck_assert_msg(!strcmp(json_string_value(json_object_get(row, "status")), "correct"), "%s: %s",
                      id, json_string_value(json_object_get(row, "reason")));
        compiled += !in_process;
        if (in_process) { /* "test check, line 7: a for loop" -> "a for loop" */
            const char *r = json_string_value(json_object_get(row, "judged_in_process_reason"));
            ck_assert_ptr_nonnull(r);
            printf("HumanEval stays a script: %s: %s\n", id, r);
            const char *k = strstr(r, ": ") ? strstr(r, ": ") + 2 : r;
            char *key = jt_xstrndup(k, strcspn(k, "("));
            json_object_set_new(why, key, json_integer(json_integer_value(json_object_get(why, key)) + 1));
            free(key);
        }
    }
    printf("HumanEval: %zu of 164 test sets compile fully into call cases; %zu of 164 canonical "
           "solutions correct\n", compiled, correct);
    const char *k;
    json_t *n;
    json_object_foreach(why, k, n) printf("  %lld stay scripts: %s\n", (long long)json_integer_value(n), k);
    ck_assert_uint_eq(correct, 164);
    ck_assert_msg(compiled == 147, "%zu compile (README says 147)", compiled);
    /* the wrong samples: one compiled task, one script task */
    json_t *w0 = NULL, *w32 = NULL;
    json_array_foreach(rows, i, row) {
        const char *id = json_string_value(json_object_get(row, "id"));
        if (!strcmp(id, "HumanEval/0#0")) w0 = row;
        if (!strcmp(id, "HumanEval/32#0")) w32 = row;
    }
    ck_assert(w0 && w32);
    ck_assert_str_eq(json_string_value(json_object_get(w0, "status")), "incorrect");
    ck_assert(json_is_false(json_object_get(w0, "judged_in_process")));
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(w0, "failures"), 0),
                                                       "test_id")), "check-1");
    ck_assert_str_eq(json_string_value(json_object_get(w32, "status")), "incorrect");
    ck_assert(json_is_true(json_object_get(w32, "judged_in_process")));
    json_decref(why);
    json_decref(doc);
    free(cache), free(path), free(yaml), free(samples), free(cp);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(toy_samples_get_their_statuses_and_touch_nothing_outside)
{
    char *dir = jt_test_tmpdir(), *cp = corpora();
    char *canary = jt_test_write_file(dir, "canary/keep.txt", "still here\n");
    char *canary_dir = jt_xasprintf("%s/canary", dir);
    /* the toy samples plus two more hostile ones aimed at the canary */
    char *hostile = jt_xasprintf(
        "{\"task_id\": \"test/0\", \"completion\": \"    import shutil\\n    shutil.rmtree(%s)\\n    return 1\"}\n"
        "{\"task_id\": \"test/0\", \"completion\": \"    open(%s + '/owned', 'w').write('x')\\n    return 1\"}\n",
        "'" "PLACEHOLDER" "'", "'" "PLACEHOLDER" "'");
    /* substitute the real path (kept out of the format string above) */
    jt_buf b = JT_BUF_INIT;
    for (const char *p = hostile; *p;) {
        const char *hit = strstr(p, "PLACEHOLDER");
        if (!hit) {
            jt_buf_adds(&b, p);
            break;
        }
        jt_buf_add(&b, p, (size_t)(hit - p));
        jt_buf_adds(&b, canary_dir);
        p = hit + strlen("PLACEHOLDER");
    }
    char *extra = jt_test_write_file(dir, "hostile.jsonl", jt_buf_str(&b));
    jt_buf_release(&b);
    char *yaml = jt_xasprintf("suite: toy\n"
                              "test_sets:\n"
                              "  - problems: {format: humaneval, path: %s/humaneval_example_problem.jsonl}\n"
                              "candidates:\n"
                              "  - {jsonl: %s/humaneval_example_samples.jsonl, timeout_seconds: 2}\n"
                              "  - {jsonl: %s, timeout_seconds: 5}\n", cp, cp, extra);
    char *path = jt_test_write_file(dir, "toy.yaml", yaml);
    char *cache = jt_xasprintf("%s/cache", dir);
    json_t *doc = validate(cache, path, NULL);
    static const char *const want[] = {"incorrect", "timeout", "incorrect", "correct", "correct", "correct"};
    json_t *rows = json_object_get(doc, "candidates");
    ck_assert_uint_eq(json_array_size(rows), 8);
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(!strcmp(json_string_value(json_object_get(json_array_get(rows, i), "status")), want[i]),
                      "test/0#%zu: %s", i, json_string_value(json_object_get(json_array_get(rows, i), "status")));
    /* the hostile two ran, but the canary outside the sandbox is untouched */
    char *kept = jt_test_read_file(canary);
    ck_assert_msg(kept && !strcmp(kept, "still here\n"), "canary damaged");
    char *owned = jt_xasprintf("%s/owned", canary_dir);
    ck_assert_int_ne(access(owned, F_OK), 0);
    free(kept), free(owned);
    json_decref(doc);
    free(cache), free(path), free(yaml), free(extra), free(hostile), free(canary_dir), free(canary), free(cp);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* A candidate that writes forged "all passed" replies to every fd it can
 * reach must not be judged correct: the real reply arrives out of step and
 * the next exchange exposes it. */
START_TEST(forged_protocol_replies_never_pass)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "forge.yaml",
        "suite: forge\n"
        "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [1], expected_output: 2}]}]\n"
        "candidates:\n"
        "  - id: forger\n"
        "    candidate_code: |\n"
        "      import os\n"
        "      def f(x):\n"
        "          for fd in range(3, 256):\n"
        "              try:\n"
        "                  os.write(fd, b'{\"ok\": true, \"elapsed_ns\": 1, \"results\": [{\"test_id\": \"1\", \"passed\": true}]}\\n')\n"
        "              except OSError:\n"
        "                  pass\n"
        "          return 0\n");
    char *cache = jt_xasprintf("%s/cache", dir);
    json_t *doc = validate(cache, path, NULL);
    const char *st = json_string_value(json_object_get(json_array_get(json_object_get(doc, "candidates"), 0), "status"));
    ck_assert_msg(strcmp(st, "correct") != 0, "a forger was judged correct");
    json_decref(doc);
    free(cache), free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* A program's expected stdout can come from a reference program too. */
START_TEST(command_reference_gives_expected_stdout)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "cmdref.yaml",
        "suite: cmdref\n"
        "test_sets:\n"
        "  - id: wc\n    mode: command\n    reference: ref\n    test_cases:\n"
        "      - {test_id: a, stdin: \"a b c\\n\"}\n"
        "      - {test_id: b, stdin: \"x\\n\", expected_stdout: \"1\\n\"}\n"
        "candidates:\n"
        "  - {id: ref, language: command, candidate_code: \"wc -w | tr -d ' '\", command: [sh, \"{src}\"]}\n"
        "  - {id: py, language: command, candidate_code: \"import sys; print(len(sys.stdin.read().split()))\", command: [python3, \"{src}\"]}\n"
        "  - {id: bad, language: command, candidate_code: \"echo 7\", command: [sh, \"{src}\"]}\n");
    char *cache = jt_xasprintf("%s/cache", dir);
    json_t *doc = validate(cache, path, NULL);
    json_t *rows = json_object_get(doc, "candidates");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 1), "status")), "correct");
    json_t *bad = json_array_get(rows, 2);
    ck_assert_str_eq(json_string_value(json_object_get(bad, "status")), "incorrect");
    const char *exp = json_string_value(json_object_get(json_array_get(json_object_get(bad, "failures"), 0), "expected"));
    ck_assert_msg(exp && strstr(exp, "3"), "expected %s", exp ? exp : "(null)");
    json_decref(doc);
    free(cache), free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* convert: inputs decoded once at setup, outputs converted before judging;
 * a convert hook that raises is the suite's fault (failed), not the
 * candidate's (incorrect). */
START_TEST(convert_hooks)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "conv.yaml",
        "suite: conv\n"
        "test_sets:\n"
        "  - id: twice\n    function_name: f\n"
        "    convert: |\n"
        "      def convert_inputs(inputs):\n"
        "          return [tuple(inputs[0])]\n"
        "      def convert_output(out):\n"
        "          return sorted(out)\n"
        "    test_cases: [{inputs: [[3, 1, 2]], expected_output: [1, 2, 3, 4]}]\n"
        "  - id: broken\n    function_name: f\n"
        "    convert: 'def convert_inputs(inputs): raise ValueError(\"bad dataset\")'\n"
        "    test_cases: [{inputs: [1], expected_output: 1}]\n"
        "candidates:\n"
        "  - {id: tuple-in, test_set: twice, candidate_code: \"def f(t):\\n    assert type(t) is tuple\\n    return set(t) | {4}\"}\n"
        "  - {id: any, test_set: broken, candidate_code: 'def f(x): return x'}\n");
    char *cache = jt_xasprintf("%s/cache", dir);
    json_t *doc = validate(cache, path, NULL);
    json_t *rows = json_object_get(doc, "candidates");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "status")), "correct");
    json_t *b = json_array_get(rows, 1);
    ck_assert_str_eq(json_string_value(json_object_get(b, "status")), "failed");
    ck_assert_msg(strstr(json_string_value(json_object_get(b, "reason")), "convert_inputs raised ValueError"),
                  "%s", json_string_value(json_object_get(b, "reason")));
    json_decref(doc);
    free(cache), free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *corpora_suite(void)
{
    Suite *s = suite_create("corpora");
    TCase *tc = tcase_create("acceptance");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, humaneval_plus_canonical_all_correct_and_one_wrong_flagged);
    tcase_add_test(tc, humaneval_asserts_compiled_canonical_all_correct);
    tcase_add_test(tc, toy_samples_get_their_statuses_and_touch_nothing_outside);
    tcase_add_test(tc, forged_protocol_replies_never_pass);
    tcase_add_test(tc, command_reference_gives_expected_stdout);
    tcase_add_test(tc, convert_hooks);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(corpora_suite)
