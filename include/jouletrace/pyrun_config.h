/* pyrun_config — the sandboxed child's configuration (pyrun.h) for running
 * code against one test set of a suite with one candidate's options.
 * Validation, trials, floors and reference outputs all build it here, so
 * they judge alike; it lives in exec/ because expected outputs (exec/) need
 * it as much as the engine (measure/) does.
 *
 * Ownership: the config borrows every string and JSON value from ts, o and
 * the arguments; they must outlive its use. */
#ifndef JOULETRACE_PYRUN_CONFIG_H
#define JOULETRACE_PYRUN_CONFIG_H

#include "jouletrace/pyrun.h"
#include "jouletrace/suite.h"

/* Fills *cfg (all else zero) for running `code` (named `filename` in
 * tracebacks) against test set ts with options o; fn NULL: the test set's
 * function_name; cpu -1: not pinned; user: the sandbox user. */
void jt_pyrun_config_for(const jt_test_set *ts, const jt_options *o, const char *code,
                         const char *filename, const char *fn, int cpu, const char *user,
                         jt_pyrun_config *cfg);

#endif
