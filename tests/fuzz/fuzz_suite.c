/* libFuzzer target: the suite loader. Each input is written as suite.yaml
 * into the target's confined tree (fuzz.h) and loaded as `validate
 * --parse-only` does (jt_suite_load, nothing run). The tree holds what
 * suites name: included test sets, candidate files for file/glob, JSONL
 * datasets and corpora (one gzipped), a dir corpus, files whose name or
 * content is not UTF-8, and a FIFO.
 *
 * Checked per input: no crash, leak or UB; a loaded suite is consistent
 * (test sets and candidates, references in range, a 64-hex content hash,
 * the same hash when loaded again); a refused one has one error line that
 * starts with the file it is about. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jouletrace/suite.h"

static const char set_primes[] =
    "id: primes\nfunction_name: primes_below\n"
    "test_cases:\n  - {test_id: ten, inputs: [10], expected_output: [2, 3, 5, 7]}\n";
static const char set_list[] =
    "- id: square\n  function_name: square\n"
    "  test_cases:\n    - {test_id: a, inputs: [3], expected_output: 9}\n"
    "- id: wc\n  function_name: main\n  mode: command\n  comparator: stdout\n"
    "  test_cases:\n    - {test_id: one, stdin: \"a b\\n\", expected_stdout: \"2\\n\"}\n";
static const char latin1_py[] = "def square(x):\n    return x * x  # caf\xe9\n";
static const char nul_py[] = "def square(x):\n    return x\0 * x\n";
static const char problem[] =
    "{\"task_id\": \"test/0\", \"prompt\": \"def return1():\\n\", \"canonical_solution\": "
    "\"    return 1\", \"test\": \"def check(candidate):\\n    assert candidate() == 1\", "
    "\"entry_point\": \"return1\"}\n";
static const char evalplus[] =
    "{\"task_id\": \"HumanEval/0\", \"prompt\": \"def add(a, b):\\n\", \"canonical_solution\": "
    "\"    return a + b\\n\", \"entry_point\": \"add\", \"base_input\": [[1, 2], "
    "[123456789012345678901234567890, 1]], \"plus_input\": [[5, 6.5]], \"atol\": 0}\n";
static const char mbpp[] =
    "{\"task_id\": 2, \"code\": \"def similar(a, b):\\n    return set(a) & set(b)\\n\", "
    "\"test_list\": [\"assert similar((1, 2), (2, 3)) == {2}\"], \"test_setup_code\": \"\"}\n";
static const char samples[] =
    "{\"task_id\": \"test/0\", \"completion\": \"    return 1\", \"model\": \"m1\"}\n"
    "{\"task_id\": \"test/0\", \"solution\": \"def return1():\\n    return 2\\n\"}\n"
    "{\"task_id\": \"test/0\", \"completion\": \"```python\\ndef return1():\\n    return 1\\n```\"}\n";
/* One sample line gzipped (gzip -9n), so the loader reads compressed input too. */
static const char samples_gz[] =
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x2a\x49\x2c\xce\x8e\xcf\x4c\x51\xb2\x52"
    "\x50\x2a\x49\x2d\x2e\xd1\x37\x50\xd2\x51\x50\x4a\xce\xcf\x2d\xc8\x49\x2d\xc9\xcc\xcf\x03"
    "\x89\x2b\x00\x41\x51\x6a\x49\x69\x51\x9e\x82\xa1\x52\x2d\x17\x00\xc4\xeb\xdc\xf2\x34\x00"
    "\x00\x00";

static const jt_fuzz_file tree[] = {
    {"sets/primes.yaml", set_primes, 0},
    {"sets/list.yaml", set_list, 0},
    {"sets/wrapped.yaml", "test_sets:\n  - include: primes.yaml\n", 0},
    {"candidates/square_pow.py", "def square(x):\n    return x ** 2\n", 0},
    {"candidates/primes_sieve.py", "def primes_below(n):\n    return [2, 3, 5, 7][:n]\n", 0},
    {"candidates/primes_trial.py", "def primes_below(n):\n    return []\n", 0},
    {"candidates/latin1.py", latin1_py, 0},
    {"candidates/nul.py", nul_py, sizeof nul_py - 1},
    {"odd/bad\xff.py", "def square(x):\n    return x * x\n", 0},
    {"odd/good.py", "def square(x):\n    return x * x\n", 0},
    {"commands/wc.py", "import sys\nprint(len(sys.stdin.read().split()))\n", 0},
    {"data/problem.jsonl", problem, 0},
    {"data/evalplus.jsonl", evalplus, 0},
    {"data/mbpp.jsonl", mbpp, 0},
    {"data/samples.jsonl", samples, 0},
    {"data/samples.jsonl.gz", samples_gz, sizeof samples_gz - 1},
    {"samples/test_0/0.py", "def return1():\n    return 1\n", 0},
    {"samples/test_0/1.py", "```python\ndef return1():\n    return 1\n```\n", 0},
    {"samples/test_0/2\xfe.py", "def return1():\n    return 1\n", 0},
    {"pipe", NULL, 0},
    {NULL, NULL, 0},
};

static const char *root;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    root = jt_fuzz_setup("suite", tree);
    return 0;
}

static void check_loaded(const jt_suite *s, const char *path)
{
    jt_fuzz_require(s->n_test_sets > 0 && s->n_candidates > 0, "a loaded suite is not empty");
    for (size_t i = 0; i < s->n_candidates; i++) {
        const jt_candidate *c = &s->candidates[i];
        jt_fuzz_require(c->test_set < s->n_test_sets, "a candidate's test set is in range");
        jt_fuzz_require(c->id && *c->id && c->code, "a candidate has an id and code");
    }
    for (size_t i = 0; i < s->n_test_sets; i++)
        jt_fuzz_require(jt_suite_find_test_set(s, s->test_sets[i].id) == (long)i,
                        "test set ids are unique");
    jt_fuzz_require(strlen(s->content_hash) == 64 &&
                        strspn(s->content_hash, "0123456789abcdef") == 64,
                    "the content hash is 64 hex digits");
    jt_suite *again = NULL;
    jt_err err = JT_ERR_INIT;
    jt_fuzz_require(jt_suite_load(path, &again, &err) == 0, "a suite loads twice");
    jt_fuzz_require(!strcmp(again->content_hash, s->content_hash), "the hash is deterministic");
    jt_suite_free(again);
    jt_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = jt_fuzz_put("suite.yaml", data, size);
    jt_suite *s = NULL;
    jt_err err = JT_ERR_INIT;
    if (jt_suite_load(path, &s, &err) == 0) {
        check_loaded(s, path);
        jt_suite_free(s);
    } else {
        const char *msg = jt_err_msg(&err);
        jt_fuzz_require(s == NULL, "a refused suite is not returned");
        jt_fuzz_require(!strncmp(msg, root, strlen(root)) && msg[strlen(root)] == '/',
                        "the error line starts with the file it is about");
    }
    jt_err_clear(&err);
    return 0;
}
