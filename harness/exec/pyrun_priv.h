/* pyrun_setup.c: the runner's setup command, built from a pyrun config
 * (shared by pyrun.c only; not part of the public API). */
#ifndef JT_EXEC_PYRUN_PRIV_H
#define JT_EXEC_PYRUN_PRIV_H

#include <jansson.h>
#include <stdbool.h>

#include "jouletrace/common.h"
#include "jouletrace/pyrun.h"

/* The version of the runner protocol (runners/main.py, PROTOCOL): sent in
 * the setup command and expected back in its reply
 * (docs/design.md "Runner protocol"). Bump both with any change to a command or a reply. */
#define JT_PYRUN_PROTOCOL 2

/* The setup command; NULL with err set when the config is unusable. A code
 * that is not UTF-8 is the candidate's problem: *code_ok = false. */
json_t *jt_pyrun_setup_message_(const jt_pyrun_config *cfg, bool *code_ok, jt_err *err);

#endif
