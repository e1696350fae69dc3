/* expected — ground truth from a reference solution, as EvalPlus does: test
 * cases without expected_output get what the test set's reference (a
 * candidate named by `reference:`, or a dataset's canonical solution)
 * returns on fresh copies of their inputs, computed once in the sandbox and
 * cached on disk keyed by SHA-256 of (reference code, entry point, mode,
 * inputs) — so a corpus of thousands of samples costs one reference run per
 * task, once per machine.
 *
 * Cache: $JOULETRACE_CACHE, else /var/cache/jouletrace for root, else
 * $XDG_CACHE_HOME/jouletrace or ~/.cache/jouletrace (statedir.h); files
 * expected-<sha256>.json, written atomically.
 * A test case on which the reference itself raises is dropped from the test
 * set with a warning (EvalPlus drops such inputs too). */
#ifndef JOULETRACE_EXPECTED_H
#define JOULETRACE_EXPECTED_H

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/suite.h"

/* Fills test set ts_index of s (no-op when nothing is missing). Warnings
 * (dropped test cases, cache problems) are appended to `warnings` (an array;
 * may be NULL). -1 with err when no expected outputs could be had. */
int jt_expected_fill(jt_suite *s, size_t ts_index, json_t *warnings, jt_err *err);

/* The cache directory (created on demand by jt_expected_fill). Caller
 * frees; NULL with err when there is none (no home directory). */
char *jt_expected_cache_dir(jt_err *err);

#endif
