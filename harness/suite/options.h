/* options — the table of per-candidate options (`defaults:` and candidate
 * keys): type, range, default and help for each. Internal to harness/suite/. */
#ifndef JT_SUITE_OPTIONS_H
#define JT_SUITE_OPTIONS_H

#include <stddef.h>

#include "jouletrace/suite.h"
#include "suite/yamlvalue.h"

typedef enum { JT_OPT_STR, JT_OPT_ENUM, JT_OPT_LONG, JT_OPT_DOUBLE, JT_OPT_BOOL, JT_OPT_PROGRAM } jt_opt_type;

/* Row flags: what an option's value enters (docs/design.md "Options"). */
enum {
    JT_OPT_HASHED = 1u << 0, /* the suite content hash: a change refuses --resume */
    JT_OPT_FLOOR = 1u << 1,  /* the floor key: a change measures another floor */
};

/* One option: the row is its only description. `offset` is into the
 * options struct the table describes (jt_options for the built-in table). */
typedef struct jt_opt_def {
    const char *key;
    jt_opt_type type;
    size_t offset;
    double min, max;             /* numbers: inclusive range */
    const char *const *choices;  /* JT_OPT_ENUM */
    const char *def;             /* the default, as text: jt_options_init parses it */
    unsigned flags;              /* JT_OPT_HASHED, JT_OPT_FLOOR */
    const char *help;
} jt_opt_def;

/* The built-in table; *n gets its row count. */
const jt_opt_def *jt_option_table(size_t *n);

/* Table-generic forms, for any struct a table describes (o points to it):
 * the {key: value} object of the JT_OPT_HASHED rows (what the content hash
 * takes of a candidate's options), and the floor key: test_set_id and
 * "key=value" of each JT_OPT_FLOOR row, separated by \x1f. */
json_t *jt_opt_hash_object(const jt_opt_def *t, size_t n, const void *o);
char *jt_opt_floor_key(const jt_opt_def *t, size_t n, const char *test_set_id, const void *o);

/* jt_opt_hash_object over the built-in table. */
json_t *jt_options_hash_object(const jt_options *o);

/* If `key` names an option, checks and stores `val` into *o and returns 1;
 * returns 0 when key is not an option; -1 with a FILE:LINE:COL error when the
 * value has the wrong type or is out of range. */
int jt_option_apply(jt_options *o, jt_ydoc *d, const yaml_node_t *key, const yaml_node_t *val,
                    jt_err *err);

/* The same for a JSON value (jouletrace measure's request): 1 applied, 0 not
 * an option, -1 with "'key' must be ..." in err. */
int jt_option_apply_json(jt_options *o, const char *key, const json_t *val, jt_err *err);

/* Fills out[0..cap) with the option keys (at most cap - 1 of them) and a
 * NULL after them; returns how many (for "did you mean"). */
size_t jt_option_keys(const char **out, size_t cap);

/* Cross-option checks after all overrides of one mapping (a suite's
 * defaults, a candidate, a request); d NULL (a request): the message has no
 * FILE:LINE:COL. A min_trials above energy_measurement_trials is an error
 * when this mapping sets it (min_trials_here), and is lowered to it when it
 * was inherited or defaulted: the seed's requests send
 * `energy_measurement_trials: 3` and no min_trials (default 5). */
int jt_options_check(jt_options *o, bool min_trials_here, jt_ydoc *d, const yaml_node_t *where,
                     jt_err *err);

#endif
