/* Test cases (loader.h): the key table that says which keys a test case of
 * each mode takes, one loader per mode, and the checks suites and `measure`
 * requests share (docs/design.md "Suite format"). */
#include <stdlib.h>
#include <string.h>

#include "jouletrace/modes.h"
#include "suite/loader.h"
#include "suite/yamlvalue.h"

#define ALL_MODES (JT_MODE_BIT(JT_N_MODES) - 1)
#define PY_CALL (JT_MODE_BIT(JT_MODE_CALL) | JT_MODE_BIT(JT_MODE_METHOD))
#define SCRIPT JT_MODE_BIT(JT_MODE_SCRIPT)
#define CMD JT_MODE_BIT(JT_MODE_COMMAND)

/* Every key a test case may have, and the modes that take it; `extra`: an
 * optional refinement, never listed among what a mode takes instead (a
 * message about it names the modes it needs). */
static const struct case_key {
    const char *key;
    unsigned modes;
    bool extra;
} case_keys[] = {
    {"test_id", ALL_MODES, false},      {"description", ALL_MODES, false},
    {"inputs", PY_CALL, false},         {"expected_output", PY_CALL, false},
    {"script", SCRIPT, false},          {"stdin", CMD, false},
    {"args", CMD, false},               {"expected_stdout", CMD, false},
    {"expected_exit_code", CMD, false}, {"assert", PY_CALL, true},
    {"tolerance", PY_CALL, true},       {"rel_tol", PY_CALL, true},
    {"abs_tol", PY_CALL, true},
};
/* The keys of a call/method test case's own assert kind (modes.h). */
static const char *const assert_keys[] = {"assert", "tolerance", "rel_tol", "abs_tol"};
#define N_CASE_KEYS (sizeof case_keys / sizeof case_keys[0])

static bool several(unsigned modes)
{
    return (modes & (modes - 1)) != 0;
}

/* out[]: the keys whose mode set `modes` satisfies (modes & in) && !(modes & out_of)
 * and, with `shared`, that several modes but not all take; NULL after them. */
static void case_key_names(const char *out[N_CASE_KEYS + 1], unsigned in, unsigned out_of,
                           bool shared)
{
    size_t n = 0;
    for (size_t i = 0; i < N_CASE_KEYS; i++) {
        unsigned m = case_keys[i].modes;
        if ((m & in) && !(m & out_of) &&
            (!shared || (several(m) && m != ALL_MODES && !case_keys[i].extra)))
            out[n++] = case_keys[i].key;
    }
    out[n] = NULL;
}

int jt_ld_case_key_error(const jt_mode_def *m, const char *key, jt_err *why)
{
    const struct case_key *k = NULL;
    for (size_t i = 0; i < N_CASE_KEYS && !k; i++)
        if (!strcmp(case_keys[i].key, key)) k = &case_keys[i];
    const char *names[N_CASE_KEYS + 1];
    unsigned self = JT_MODE_BIT(m->id);
    if (!k) {
        case_key_names(names, self, 0, false);
        const char *near = jt_did_you_mean(key, names);
        return near ? jt_err_set(why, "unknown key '%s' (did you mean '%s'?)", key, near)
                    : jt_err_set(why, "unknown key '%s' in a test case", key);
    }
    if (k->modes & self) return 0;
    jt_buf b = JT_BUF_INIT;
    if (!several(k->modes) || k->extra) {
        jt_modes_join(&b, k->modes, false, " or ");
        jt_err_set(why, "'%s' needs 'mode: %s' on the test set", key, jt_buf_str(&b));
    } else { /* what this mode takes instead of the keys several others share */
        const char *own[N_CASE_KEYS + 1];
        size_t n = 0;
        for (size_t i = 0; i < N_CASE_KEYS; i++)
            if ((case_keys[i].modes & self) && case_keys[i].modes != ALL_MODES && !case_keys[i].extra)
                own[n++] = case_keys[i].key;
        own[n] = NULL;
        jt_names_join(&b, own, true, ", ");
        jt_buf_adds(&b, ", not ");
        case_key_names(names, ALL_MODES & ~self, self, true);
        jt_names_join(&b, names, false, " or ");
        jt_err_set(why, "a test case of a mode '%s' test set takes %s", m->name, jt_buf_str(&b));
    }
    jt_buf_release(&b);
    return -1;
}

int jt_ld_language_error(const char *language, const jt_mode_def *m, const char *ts_id,
                         jt_err *why)
{
    if (!strcmp(m->language, language)) return 0;
    unsigned modes = jt_modes_of_language(language);
    if (modes && !several(modes)) { /* the language has one mode */
        jt_buf b = JT_BUF_INIT;
        jt_modes_join(&b, modes, false, " or ");
        jt_err_set(why, "a 'language: %s' candidate needs a test set with 'mode: %s' ('%s' is mode %s)",
                   language, jt_buf_str(&b), ts_id, m->name);
        jt_buf_release(&b);
        return -1;
    }
    return jt_err_set(why, "test set '%s' has mode %s: its candidates need 'language: %s'", ts_id,
                      m->name, m->language);
}

/* ---- one loader per mode ------------------------------------------------ */

/* Mode command: stdin, args, expected_stdout, expected_exit_code (0 by default). */
static int load_command_case(loader *ld, jt_ydoc *d, yaml_node_t *n, const char *id,
                             jt_test_set *ts, json_t *tc)
{
    yaml_node_t *v = jt_ld_get(d, n, "stdin", NULL);
    if (v && (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_STR))
        return jt_yerr(ld->err, d, v, "'stdin' must be a string (quote it), not %s", jt_ld_node_kind(v));
    json_object_set_new(tc, "stdin", json_stringn(v ? jt_yaml_text(v) : "", v ? v->data.scalar.length : 0));
    json_t *args = json_array();
    json_object_set_new(tc, "args", args);
    if ((v = jt_ld_get(d, n, "args", NULL))) {
        if (jt_ld_expect_type(ld, d, v, YAML_SEQUENCE_NODE, "'args'")) return -1;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *a = jt_ydoc_node(d, *it);
            if (a->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(a) == JT_SCALAR_NULL)
                return jt_yerr(ld->err, d, a, "'args' holds strings (program arguments)");
            json_array_append_new(args, json_string(jt_yaml_text(a)));
        }
    }
    if ((v = jt_ld_get(d, n, "expected_stdout", NULL))) {
        if (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_STR)
            return jt_yerr(ld->err, d, v, "'expected_stdout' must be a string (quote it), not %s",
                           jt_ld_node_kind(v));
        json_object_set_new(tc, "expected_stdout", json_stringn(jt_yaml_text(v), v->data.scalar.length));
    } else if (!ts->reference) {
        return jt_yerr(ld->err, d, n, "test case '%s' has no 'expected_stdout'", id);
    } else {
        ts->needs_expected = true;
    }
    long code = 0;
    if ((v = jt_ld_get(d, n, "expected_exit_code", NULL))) {
        if (v->type != YAML_SCALAR_NODE || jt_yaml_scalar_kind(v) != JT_SCALAR_INT ||
            (code = strtol(jt_yaml_text(v), NULL, 10)) < 0 || code > 255)
            return jt_yerr(ld->err, d, v, "'expected_exit_code' must be an integer 0..255");
    }
    json_object_set_new(tc, "expected_exit_code", json_integer(code));
    return 0;
}

/* Mode script: one script of asserts. */
static int load_script_case(loader *ld, jt_ydoc *d, yaml_node_t *n, const char *id,
                            jt_test_set *ts, json_t *tc)
{
    (void)ts;
    yaml_node_t *script = jt_ld_get(d, n, "script", NULL);
    if (!script)
        return jt_yerr(ld->err, d, n, "test case '%s' has no 'script' (the test set's mode is script)", id);
    char *text = NULL;
    if (jt_ld_scalar_string(ld, d, script, "script", &text)) return -1;
    json_object_set_new(tc, "script", json_string(text));
    free(text);
    return 0;
}

/* A call/method test case's assert kind and tolerances (docs/design.md "Assert
 * kinds"), checked as modes.h says; an error points at the key at fault. */
static int load_assert_keys(loader *ld, jt_ydoc *d, yaml_node_t *n, json_t *tc)
{
    for (size_t i = 0; i < sizeof assert_keys / sizeof assert_keys[0]; i++) {
        yaml_node_t *v = jt_ld_get(d, n, assert_keys[i], NULL);
        if (!v) continue;
        if (v->type != YAML_SCALAR_NODE)
            return jt_yerr(ld->err, d, v, "'%s' takes a scalar, not %s", assert_keys[i],
                           jt_ld_node_kind(v));
        json_t *j = jt_yaml_to_json(d, v, &ld->budget, ld->err);
        if (!j) return -1;
        json_object_set_new(tc, assert_keys[i], j);
    }
    const char *key = NULL;
    jt_err why = JT_ERR_INIT;
    if (jt_assert_case_error(tc, &key, &why) == 0) return 0;
    yaml_node_t *at = jt_ld_get(d, n, key, NULL);
    jt_yerr(ld->err, d, at ? at : n, "%s", jt_err_msg(&why));
    jt_err_clear(&why);
    return -1;
}

/* Modes call and method: inputs (positional arguments) and expected_output. */
static int load_call_case(loader *ld, jt_ydoc *d, yaml_node_t *n, const char *id,
                          jt_test_set *ts, json_t *tc)
{
    yaml_node_t *inputs = jt_ld_get(d, n, "inputs", NULL);
    if (inputs) {
        if (inputs->type != YAML_SEQUENCE_NODE)
            return jt_yerr(ld->err, d, inputs,
                           "'inputs' must be a list of positional arguments, not %s (write [%s] for "
                           "one argument)",
                           jt_ld_node_kind(inputs),
                           inputs->type == YAML_SCALAR_NODE ? jt_yaml_text(inputs) : "...");
        json_t *a = jt_yaml_to_json(d, inputs, &ld->budget, ld->err);
        if (!a) return -1;
        json_object_set_new(tc, "inputs", a);
    } else {
        json_object_set_new(tc, "inputs", json_array());
    }
    yaml_node_t *exp = jt_ld_get(d, n, "expected_output", NULL);
    if (exp) {
        json_t *e = jt_yaml_to_json(d, exp, &ld->budget, ld->err);
        if (!e) return -1;
        json_object_set_new(tc, "expected_output", e);
    }
    if (load_assert_keys(ld, d, n, tc)) return -1;
    if (!exp && jt_assert_case_takes_expected(tc)) {
        if (!ts->reference) return jt_yerr(ld->err, d, n, "test case '%s' has no 'expected_output'", id);
        ts->needs_expected = true; /* filled from the reference before judging */
    }
    return 0;
}

typedef int (*case_loader)(loader *, jt_ydoc *, yaml_node_t *, const char *, jt_test_set *, json_t *);
static const case_loader case_loaders[JT_N_MODES] = {
    [JT_MODE_CALL] = load_call_case,
    [JT_MODE_METHOD] = load_call_case,
    [JT_MODE_SCRIPT] = load_script_case,
    [JT_MODE_COMMAND] = load_command_case,
};

int jt_ld_load_test_case(loader *ld, jt_ydoc *d, yaml_node_t *n, size_t index, json_t *seen_ids,
                         jt_test_set *ts)
{
    const jt_mode_def *m = jt_mode_find(ts->mode);
    const char *all[N_CASE_KEYS + 1];
    case_key_names(all, ALL_MODES, 0, false);
    if (jt_ld_expect_type(ld, d, n, YAML_MAPPING_NODE, "a test case") ||
        jt_ld_check_keys(ld, d, n, all, 0, "a test case"))
        return -1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        jt_err why = JT_ERR_INIT;
        if (jt_ld_case_key_error(m, jt_yaml_text(jt_ydoc_node(d, p->key)), &why)) {
            jt_yerr(ld->err, d, jt_ydoc_node(d, p->value), "%s", jt_err_msg(&why));
            jt_err_clear(&why);
            return -1;
        }
    }
    char *id = NULL;
    json_t *tc = NULL;
    int rc = -1;
    yaml_node_t *v = jt_ld_get(d, n, "test_id", NULL);
    if (v) {
        if (jt_ld_scalar_string(ld, d, v, "test_id", &id)) goto out;
    } else {
        id = jt_xasprintf("%zu", index + 1); /* unnamed cases are numbered from 1 */
    }
    if (json_object_get(seen_ids, id)) {
        jt_yerr(ld->err, d, v ? v : n, "duplicate test_id '%s' in this test set", id);
        goto out;
    }
    json_object_set_new(seen_ids, id, json_true());
    tc = json_pack("{s:s}", "test_id", id);
    rc = case_loaders[m->id](ld, d, n, id, ts, tc);
    if (rc == 0) json_array_append(ts->test_cases, tc);
out:
    json_decref(tc);
    free(id);
    return rc;
}
