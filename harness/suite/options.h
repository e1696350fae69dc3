/* options — the table of per-candidate options (`defaults:` and candidate
 * keys): type, range, default and help for each. Internal to harness/suite/. */
#ifndef JT_SUITE_OPTIONS_H
#define JT_SUITE_OPTIONS_H

#include "jouletrace/suite.h"
#include "suite/yamlvalue.h"

/* If `key` names an option, checks and stores `val` into *o and returns 1;
 * returns 0 when key is not an option; -1 with a FILE:LINE:COL error when the
 * value has the wrong type or is out of range. */
int jt_option_apply(jt_options *o, jt_ydoc *d, const yaml_node_t *key, const yaml_node_t *val,
                    jt_err *err);

/* The same for a JSON value (jouletrace measure's request): 1 applied, 0 not
 * an option, -1 with "'key' must be ..." in err. */
int jt_option_apply_json(jt_options *o, const char *key, const json_t *val, jt_err *err);

/* NULL-terminated list of option keys (for "did you mean"). */
const char *const *jt_option_keys(void);

/* Cross-option checks after all overrides (e.g. min_trials <= max trials);
 * d NULL (a request): the message has no FILE:LINE:COL. */
int jt_options_check(const jt_options *o, jt_ydoc *d, const yaml_node_t *where, jt_err *err);

#endif
