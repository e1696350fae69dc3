/* loader — internals shared by the suite loader's files (suite.c: the
 * suite's top level; testset.c: test sets; testcase.c: test cases;
 * candidates.c: candidate entries and globs;
 * ldutil.c: small helpers; hash.c: the content hash; request.c: seed
 * requests; datasets.c: problem datasets; corpus.c: sample corpora). Not a
 * public interface. */
#ifndef JT_SUITE_LOADER_H
#define JT_SUITE_LOADER_H

#include <jansson.h>

#include "jouletrace/modes.h"
#include "jouletrace/suite.h"
#include "suite/yamlvalue.h"

typedef struct loader {
    jt_suite *s;
    jt_err *err;
    size_t budget;       /* JT_YAML_NODE_BUDGET shared by every value */
    json_t *ts_ids;      /* test set id → {index, mark} */
    json_t *cand_ids;    /* candidate id → "FILE:LINE:COL" of its definition */
    jt_options defaults;
    json_t *sample_counts; /* corpus task id → samples numbered so far (ids <task>#<n>) */
    /* command/build of the candidate entry being loaded; add_candidate
     * copies them onto every candidate it adds (a glob adds several). */
    json_t *pending_command;
    char *pending_build;
    unsigned depth;      /* include nesting */
} loader;

#define MAX_INCLUDE_DEPTH 8

const char *jt_ld_intern_file(jt_suite *s, const char *name);
jt_mark jt_ld_mark_of(const jt_ydoc *d, const yaml_node_t *n);
char *jt_ld_mark_text(const jt_ydoc *d, const yaml_node_t *n);
/* `rel` resolved against the directory `base_file` lives in. Caller frees. */
char *jt_ld_resolve_path(const char *base_file, const char *rel);
int jt_ld_read_text_file(const char *path, char **out, jt_err *err);
const char *jt_ld_node_kind(const yaml_node_t *n);
int jt_ld_expect_type(loader *ld, jt_ydoc *d, const yaml_node_t *n, yaml_node_type_t t,
                      const char *what);
int jt_ld_scalar_string(loader *ld, jt_ydoc *d, const yaml_node_t *n, const char *key, char **out);
int jt_ld_check_keys(loader *ld, jt_ydoc *d, const yaml_node_t *map, const char *const *allowed,
                     int with_options, const char *where);
yaml_node_t *jt_ld_get(jt_ydoc *d, const yaml_node_t *map, const char *key, yaml_node_t **keynode);
/* Takes ownership of code and source_path; `at` is where errors point. */
int jt_ld_add_candidate(loader *ld, jt_ydoc *d, const yaml_node_t *at, const char *id,
                        size_t ts_index, char *code, char *source_path, const jt_options *opts,
                        const char *group, const char *desc);
char *jt_ld_file_stem(const char *path);
/* testset.c: the entries of a `test_sets` list (test sets, includes, problems). */
int jt_ld_load_test_set_list(loader *ld, jt_ydoc *d, yaml_node_t *list);
/* testset.c: the defaults the key table gives a test set's numbers (atol,
 * rtol), for test sets built from datasets too. */
void jt_ld_test_set_defaults(jt_test_set *ts);
/* testset.c: {key: value} of the rows of the test-set key table that enter
 * the content hash (absent strings as null). */
json_t *jt_ld_test_set_hash_object(const jt_test_set *ts);
/* testcase.c: one test case of ts (index: its position, for unnamed ids). */
int jt_ld_load_test_case(loader *ld, jt_ydoc *d, yaml_node_t *n, size_t index, json_t *seen_ids,
                         jt_test_set *ts);
/* 0 when a test case of mode m takes `key`; else -1 with why = "unknown key
 * 'k' ...", "'k' needs 'mode: M' on the test set" or "a test case of a mode
 * 'M' test set takes ..., not ..." (no position: the caller adds it). */
int jt_ld_case_key_error(const jt_mode_def *m, const char *key, jt_err *why);
/* 0 when candidates of `language` may run on test set ts_id of mode m; else
 * -1 with why (no position). */
int jt_ld_language_error(const char *language, const jt_mode_def *m, const char *ts_id,
                         jt_err *why);
/* candidates.c: one entry of 'candidates' (inline, file, glob, command, corpus). */
int jt_ld_load_candidate(loader *ld, jt_ydoc *d, yaml_node_t *n);
/* datasets.c: a `- problems: {...}` test_sets entry. */
int jt_ld_load_problems(loader *ld, jt_ydoc *d, yaml_node_t *n);
/* corpus.c: a `- jsonl: ...` or `- dir: ...` candidates entry, with the
 * entry's options applied (o) and its group/description (may be NULL). */
int jt_ld_load_corpus(loader *ld, jt_ydoc *d, yaml_node_t *n, const jt_options *o,
                      const char *group, const char *desc);
void jt_ld_compute_hash(jt_suite *s);
/* text.c: is s[0..len) UTF-8 (jansson's check)? */
int jt_ld_is_utf8(const char *s, size_t len);
/* s with control bytes, '\\' and bytes >= 0x7f as \xNN, for error lines. Caller frees. */
char *jt_ld_escaped(const char *s);
/* 0 when data[0..len) is UTF-8 text without NUL bytes, else -1 with err
 * "not UTF-8 text (line N)" or "not text: a NUL byte on line N". */
int jt_ld_check_text(const char *data, size_t len, jt_err *err);

#endif
