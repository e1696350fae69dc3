/* libFuzzer target: the `measure` request parser. The input is parsed as
 * `jouletrace measure` reads stdin (jansson, flags 0) and turned into a
 * one-candidate suite (jt_suite_from_request); nothing is run.
 *
 * Checked per input: no crash, leak or UB; an accepted request is one test
 * set with every test case and one candidate, with a 64-hex content hash
 * and options that pass a suite's cross-option checks; a refused one says
 * why. */
#include <string.h>

#include "fuzz.h"
#include "jouletrace/suite.h"

static const jt_fuzz_file tree[] = {{NULL, NULL, 0}};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    jt_fuzz_setup("request", tree); /* options resolve programs: confined too */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *req = json_loadb((const char *)data, size, 0, &je);
    if (!req) return 0;
    jt_suite *s = NULL;
    jt_err err = JT_ERR_INIT;
    if (jt_suite_from_request(req, "measure", &s, &err) == 0) {
        jt_fuzz_require(s->n_test_sets == 1 && s->n_candidates == 1, "one test set, one candidate");
        jt_fuzz_require(s->test_sets[0].n_cases ==
                            json_array_size(json_object_get(req, "test_cases")),
                        "every test case is kept");
        jt_fuzz_require(strlen(s->content_hash) == 64, "the content hash is set");
        const jt_options *o = &s->candidates[0].opts;
        jt_fuzz_require(o->timeout_seconds >= 2 * o->min_trial_seconds &&
                            o->min_trials <= o->energy_measurement_trials,
                        "an accepted request passes a suite's cross-option checks");
        jt_suite_free(s);
    } else {
        jt_fuzz_require(s == NULL && jt_err_msg(&err)[0], "a refused request says why");
    }
    jt_err_clear(&err);
    json_decref(req);
    return 0;
}
