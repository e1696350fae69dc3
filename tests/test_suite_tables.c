/* Tests for the loader's tables: modes and comparators (jouletrace/modes.h),
 * test-set and test-case keys, the option table (defaults, the content hash
 * and the floor key walk its rows), and `measure` requests held to the same
 * key tables as suites. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/modes.h"
#include "jouletrace/suite.h"
#include "suite/options.h"
#include "support/testutil.h"

static jt_suite *load_text(const char *dir, const char *yaml, jt_err *e)
{
    char *p = jt_test_write_file(dir, "suite.yaml", yaml);
    jt_suite *s = NULL;
    jt_suite_load(p, &s, e);
    free(p);
    return s;
}

/* The message (after "FILE:LINE:COL: ") a suite that must not load fails with. */
static char *load_err(const char *dir, const char *yaml)
{
    jt_err e = JT_ERR_INIT;
    jt_suite *s = load_text(dir, yaml, &e);
    ck_assert_msg(s == NULL, "loaded, but should fail:\n%s", yaml);
    const char *m = jt_err_msg(&e);
    const char *at = strstr(m, "suite.yaml:");
    ck_assert_msg(at, "no FILE:LINE:COL in '%s'", m);
    at += strlen("suite.yaml:");
    at = strchr(strchr(at, ':') + 1, ':') + 2; /* past LINE:COL: */
    char *out = jt_xstrdup(at);
    jt_err_clear(&e);
    return out;
}

/* A one-test-set suite: `set` is the test set's extra keys, `tc` one test case. */
static char *suite_text(const char *set, const char *tc, const char *cand)
{
    return jt_xasprintf("suite: x\ntest_sets:\n  - {id: s, %s, test_cases: [%s]}\ncandidates: "
                        "[{id: a, %s}]\n",
                        set, tc, cand ? cand : "candidate_code: 'def f(x): return x'");
}

static char *err_of(const char *dir, const char *set, const char *tc, const char *cand)
{
    char *y = suite_text(set, tc, cand);
    char *m = load_err(dir, y);
    free(y);
    return m;
}

START_TEST(mode_and_comparator_messages_list_the_table)
{
    char *dir = jt_test_tmpdir();
    /* an unknown mode: the message names every mode of the table */
    char *m = err_of(dir, "function_name: f, mode: loop", "{inputs: [1], expected_output: 1}", NULL);
    const char *modes[JT_N_MODES + 1];
    jt_mode_names(modes);
    ck_assert_uint_eq(JT_N_MODES, 4);
    for (size_t i = 0; modes[i]; i++)
        ck_assert_msg(strstr(m, modes[i]), "mode '%s' missing from: %s", modes[i], m);
    ck_assert_str_eq(m, "mode 'loop' is not one of call, method, script, command");
    free(m);
    m = err_of(dir, "function_name: f, mode: comand", "{stdin: ''}", NULL);
    ck_assert_msg(strstr(m, "(did you mean 'command'?)"), "%s", m);
    free(m);
    /* an unknown comparator: exactly the comparators this mode allows */
    const char *cmps[JT_N_COMPARATORS + 1];
    jt_comparator_names(cmps);
    for (jt_mode_id id = 0; id < JT_N_MODES; id++) {
        const jt_mode_def *md = jt_mode_get(id);
        char *set = jt_xasprintf("function_name: f, mode: %s, comparator: fuzzy", md->name);
        const char *tc = id == JT_MODE_SCRIPT    ? "{script: 'assert True'}"
                         : id == JT_MODE_COMMAND ? "{expected_stdout: '1'}"
                                                 : "{inputs: [1], expected_output: 1}";
        m = err_of(dir, set, tc, NULL);
        ck_assert_msg(!strncmp(m, "comparator 'fuzzy' is not one of ", 33), "%s", m);
        for (size_t i = 0; cmps[i]; i++) {
            char *quoted = jt_xasprintf(" %s", cmps[i]);
            bool listed = strstr(m, quoted) != NULL;
            ck_assert_msg(listed == jt_mode_allows(md, cmps[i]), "mode %s, '%s': %s", md->name,
                          cmps[i], m);
            free(quoted);
        }
        ck_assert(jt_mode_allows(md, jt_mode_default_comparator(md)));
        free(m);
        free(set);
    }
    /* a comparator another mode has */
    m = err_of(dir, "function_name: f, comparator: stdout", "{inputs: [1], expected_output: 1}", NULL);
    ck_assert_str_eq(m, "comparator 'stdout' needs 'mode: command'");
    free(m);
    m = err_of(dir, "mode: command, comparator: close", "{expected_stdout: '1'}", NULL);
    ck_assert_str_eq(m, "mode command compares output with 'exact' or 'stdout'");
    free(m);
    /* the help lines: a line per mode with its comparators, a line per comparator */
    char *help = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&help, &len);
    jt_modes_describe(f);
    fclose(f);
    for (size_t i = 0; modes[i]; i++) {
        const jt_mode_def *md = jt_mode_find(modes[i]);
        char *line = jt_xasprintf("\n  %-8s %s", md->name, jt_mode_default_comparator(md));
        ck_assert_msg(strstr(help, line), "no line for mode %s in:\n%s", modes[i], help);
        free(line);
    }
    for (size_t i = 0; cmps[i]; i++) {
        char *line = jt_xasprintf("\n  %-8s %s\n", cmps[i], jt_comparator_find(cmps[i])->help);
        ck_assert_msg(strstr(help, line), "no line for comparator %s in:\n%s", cmps[i], help);
        free(line);
    }
    free(help);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(test_set_and_test_case_keys_follow_the_mode)
{
    char *dir = jt_test_tmpdir();
    static const struct {
        const char *set, *tc, *cand, *want;
    } cases[] = {
        {"function_name: f, mode: script", "{inputs: [1]}", NULL,
         "a test case of a mode 'script' test set takes 'script', not inputs or expected_output"},
        {"mode: command", "{inputs: [1], expected_stdout: '1'}",
         "language: command, candidate_code: 'echo 1', command: [sh, '{src}']",
         "a test case of a mode 'command' test set takes 'stdin', 'args', 'expected_stdout', "
         "'expected_exit_code', not inputs or expected_output"},
        {"function_name: f", "{inputs: [1], expected_output: 1, stdin: ''}", NULL,
         "'stdin' needs 'mode: command' on the test set"},
        {"function_name: f, mode: method", "{script: 'assert 1'}", NULL,
         "'script' needs 'mode: script' on the test set"},
        {"function_name: f", "{inputs: [1], expected_ouput: 1}", NULL,
         "unknown key 'expected_ouput' (did you mean 'expected_output'?)"},
        {"function_name: f, mode: script, convert: 'x = 1'", "{script: 'assert 1'}", NULL,
         "'convert' applies to modes call and method"},
        {"mode: call", "{inputs: [1], expected_output: 1}", NULL,
         "test set 's' has no 'function_name'"},
        {"function_name: f, atol: -1", "{inputs: [1], expected_output: 1}", NULL,
         "'atol' must be a number between 0 and 1e+300"},
        {"function_name: f, prelude: 1", "{inputs: [1], expected_output: 1}", NULL,
         "'prelude' must be true or false"},
        {"function_name: f, checker: 'def check(i, e, o): return True'", "{inputs: [1]}", NULL,
         "'checker' needs 'comparator: checker'"},
        {"mode: command", "{expected_stdout: '1'}", NULL,
         "test set 's' has mode command: its candidates need 'language: command'"},
        {"function_name: f", "{inputs: [1], expected_output: 1}",
         "language: command, candidate_code: 'echo 1', command: [sh, '{src}']",
         "a 'language: command' candidate needs a test set with 'mode: command' ('s' is mode call)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = err_of(dir, cases[i].set, cases[i].tc, cases[i].cand);
        ck_assert_msg(!strcmp(m, cases[i].want), "%zu:\n  got  %s\n  want %s", i, m, cases[i].want);
        free(m);
    }
    /* the defaults come from the tables: mode call, its default comparator,
     * EvalPlus's tolerances; a command test set has no function name */
    jt_err e = JT_ERR_INIT;
    char *y = suite_text("function_name: f", "{inputs: [1], expected_output: 1}", NULL);
    jt_suite *s = load_text(dir, y, &e);
    ck_assert_msg(s, "%s", jt_err_msg(&e));
    ck_assert_str_eq(s->test_sets[0].mode, "call");
    ck_assert_str_eq(s->test_sets[0].comparator, "exact");
    ck_assert(s->test_sets[0].atol == 1e-6 && s->test_sets[0].rtol == 1e-7);
    jt_suite_free(s);
    free(y);
    y = suite_text("mode: command", "{stdin: 'a', args: [x], expected_stdout: '1', description: d}",
                   "language: command, candidate_code: 'echo 1', command: [sh, '{src}']");
    s = load_text(dir, y, &e);
    ck_assert_msg(s, "%s", jt_err_msg(&e));
    ck_assert_str_eq(s->test_sets[0].comparator, "stdout");
    ck_assert_str_eq(s->test_sets[0].function_name, "");
    jt_suite_free(s);
    free(y);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* Every row's default is a value the row itself accepts, and
 * jt_options_init gives exactly that value. */
START_TEST(option_defaults_come_from_the_rows)
{
    size_t n = 0;
    const jt_opt_def *t = jt_option_table(&n);
    ck_assert_uint_ge(n, 12);
    jt_options init;
    jt_options_init(&init);
    for (size_t i = 0; i < n; i++) {
        json_t *v = NULL;
        switch (t[i].type) {
        case JT_OPT_LONG: v = json_integer(strtol(t[i].def, NULL, 10)); break;
        case JT_OPT_DOUBLE: v = json_real(strtod(t[i].def, NULL)); break;
        case JT_OPT_BOOL: v = json_boolean(!strcmp(t[i].def, "true")); break;
        default: v = json_string(t[i].def); break;
        }
        jt_options o;
        jt_options_init(&o);
        jt_err e = JT_ERR_INIT;
        ck_assert_msg(jt_option_apply_json(&o, t[i].key, v, &e) == 1, "%s: %s", t[i].key,
                      jt_err_msg(&e));
        /* the field applied from the default text equals the initialised one */
        json_t *a = jt_options_hash_object(&o), *b = jt_options_hash_object(&init);
        ck_assert_msg(json_equal(a, b), "%s: default '%s' differs from jt_options_init", t[i].key,
                      t[i].def);
        json_decref(a);
        json_decref(b);
        json_decref(v);
        jt_options_release(&o);
    }
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_options_check(&init, true, NULL, NULL, &e), 0);
    ck_assert_int_eq(init.energy_measurement_trials, 20);
    ck_assert(init.min_trial_seconds == 0.2 && init.float_tolerance == 1e-9);
    ck_assert(!init.fresh_process_per_trial && !init.reload_per_iteration);
    jt_options_release(&init);
}
END_TEST

/* The built-in options extended by two synthetic rows: the hash and the
 * floor key follow the rows' flags, nothing else. */
typedef struct ext_options {
    jt_options base;
    long shaping;  /* hashed and in the floor key */
    double cosmetic; /* in neither */
} ext_options;

static char *hash_text(const jt_opt_def *t, size_t n, const ext_options *o)
{
    json_t *h = jt_opt_hash_object(t, n, o);
    char *s = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(h);
    return s;
}

/* Asserts whether going from a to b changes the hash object and the floor key. */
static void moves(const jt_opt_def *t, size_t n, const ext_options *a, const ext_options *b,
                  const char *what, bool hash, bool floor)
{
    char *ha = hash_text(t, n, a), *hb = hash_text(t, n, b);
    char *fa = jt_opt_floor_key(t, n, "s", a), *fb = jt_opt_floor_key(t, n, "s", b);
    ck_assert_msg((strcmp(ha, hb) != 0) == hash, "%s: hash %s", what, hash ? "unchanged" : "changed");
    ck_assert_msg((strcmp(fa, fb) != 0) == floor, "%s: floor key %s", what,
                  floor ? "unchanged" : "changed");
    free(ha);
    free(hb);
    free(fa);
    free(fb);
}

START_TEST(hash_and_floor_key_walk_the_option_table)
{
    size_t n = 0;
    const jt_opt_def *builtin = jt_option_table(&n);
    jt_opt_def *t = jt_xcalloc(n + 2, sizeof *t);
    memcpy(t, builtin, n * sizeof *t);
    t[n] = (jt_opt_def){"shaping", JT_OPT_LONG, offsetof(ext_options, shaping), 0, 100, NULL, "1",
                        JT_OPT_HASHED | JT_OPT_FLOOR, "test row"};
    t[n + 1] = (jt_opt_def){"cosmetic", JT_OPT_DOUBLE, offsetof(ext_options, cosmetic), 0, 1, NULL,
                            "0", 0, "test row"};
    ext_options a, b;
    memset(&a, 0, sizeof a);
    jt_options_init(&a.base);
    a.shaping = 1;
    b = a;
    char *ha = hash_text(t, n + 2, &a), *fa = jt_opt_floor_key(t, n + 2, "s", &a);
    ck_assert(strstr(ha, "\"shaping\":1") && !strstr(ha, "cosmetic"));
    ck_assert(strstr(fa, "\x1fshaping=1") && !strstr(fa, "cosmetic"));
    /* the built-in part is what the suite hash and run's floor key use */
    char *fk = jt_options_floor_key("s", &a.base);
    ck_assert_msg(!strncmp(fa, fk, strlen(fk)), "%s vs %s", fa, fk);
    free(fk);
    b.cosmetic = 0.5; /* in neither */
    moves(t, n + 2, &a, &b, "cosmetic", false, false);
    b.shaping = 2; /* in both */
    moves(t, n + 2, &a, &b, "shaping", true, true);
    b = a;
    b.base.timeout_seconds = a.base.timeout_seconds * 2; /* a real row: hashed, not the floor */
    moves(t, n + 2, &a, &b, "timeout_seconds", true, false);
    b = a;
    b.base.memory_limit_mb = a.base.memory_limit_mb + 1; /* a real row in both */
    moves(t, n + 2, &a, &b, "memory_limit_mb", true, true);
    char *fb = jt_opt_floor_key(t, n + 2, "other", &a); /* another test set, another floor */
    ck_assert_str_ne(fa, fb);
    free(fb);
    free(ha);
    free(fa);
    jt_options_release(&a.base);
    free(t);
}
END_TEST

/* The content hash of a one-candidate suite with `set` added to the test
 * set's keys and `cand` to the candidate's. */
static void hash_of(const char *dir, const char *set, const char *cand, char out[65])
{
    char *y = jt_xasprintf("suite: x\ntest_sets:\n  - {id: s, function_name: f, test_cases: "
                           "[{inputs: [1], expected_output: 1}]%s%s}\ncandidates:\n  - {id: a, "
                           "candidate_code: 'def f(x): return x'%s%s}\n",
                           *set ? ", " : "", set, *cand ? ", " : "", cand);
    jt_err e = JT_ERR_INIT;
    jt_suite *s = load_text(dir, y, &e);
    ck_assert_msg(s, "%s", jt_err_msg(&e));
    memcpy(out, s->content_hash, 65);
    jt_suite_free(s);
    free(y);
}

/* The content hash takes every hashed option of every candidate and every
 * hashed key of a test set; descriptions do not count. */
START_TEST(content_hash_follows_the_hashed_rows)
{
    char *dir = jt_test_tmpdir();
    static const struct {
        const char *set, *cand;
        bool moves;
    } cases[] = {
        {"", "energy_measurement_trials: 21", true}, {"", "min_trials: 6", true},
        {"", "min_trial_seconds: 0.3", true},        {"", "precision_target: 0.03", true},
        {"", "cv_target: 0.06", true},               {"", "timeout_seconds: 21", true},
        {"", "memory_limit_mb: 1025", true},         {"", "float_tolerance: 1e-8", true},
        {"", "fresh_process_per_trial: true", true}, {"", "reload_per_iteration: true", true},
        {"comparator: close", "", true},             {"rtol: 0.001", "", true},
        {"setup_code: 'import os'", "", true},       {"prelude: true", "", true},
        {"", "description: not hashed", false},      {"description: not hashed", "", false},
    };
    char base[65], h[65];
    hash_of(dir, "", "", base);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hash_of(dir, cases[i].set, cases[i].cand, h);
        ck_assert_msg((strcmp(base, h) != 0) == cases[i].moves, "'%s%s' %s the hash",
                      cases[i].set, cases[i].cand, cases[i].moves ? "left" : "changed");
    }
    jt_test_tmpdir_free(dir);
}
END_TEST

static char *request_err(const char *text)
{
    json_error_t je;
    json_t *req = json_loads(text, 0, &je);
    ck_assert_msg(req, "%s: %s", text, je.text);
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    int rc = jt_suite_from_request(req, "measure", &s, &e);
    char *m = jt_xstrdup(rc == 0 ? "" : jt_err_msg(&e));
    if (rc != 0) ck_assert_ptr_null(s); /* no partial suite */
    jt_suite_free(s);
    jt_err_clear(&e);
    json_decref(req);
    return m;
}

START_TEST(requests_use_the_suite_key_tables)
{
#define REQ(extra, cases)                                                                          \
    "{\"candidate_code\": \"def f(x): return x\", \"function_name\": \"f\", " extra                \
    "\"test_cases\": " cases "}"
    static const struct {
        const char *req, *want;
    } cases[] = {
        {REQ("\"language\": \"command\",", "[{\"inputs\": [1], \"expected_output\": 1}]"),
         "a 'language: command' candidate needs a test set with 'mode: command' ('request' is "
         "mode call)"},
        {REQ("", "[{\"inputs\": [1], \"expected_output\": 1}, {\"inputs\": [2], \"expected_ouput\": 2}]"),
         "test_cases[1]: unknown key 'expected_ouput' (did you mean 'expected_output'?)"},
        {REQ("", "[{\"stdin\": \"x\", \"expected_output\": 1}]"),
         "test_cases[0]: 'stdin' needs 'mode: command' on the test set"},
        {REQ("", "[{\"script\": \"assert 1\", \"expected_output\": 1}]"),
         "test_cases[0]: 'script' needs 'mode: script' on the test set"},
        {REQ("", "[{\"inputs\": [1], \"expected_output\": 1, \"zebra\": 1}]"),
         "test_cases[0]: unknown key 'zebra' in a test case"},
        {REQ("", "[{\"inputs\": 1, \"expected_output\": 1}]"), "test_cases[0] 'inputs' must be a list"},
        /* what a suite's test case may hold, a request's may too */
        {REQ("", "[{\"test_id\": \"t\", \"description\": \"d\", \"inputs\": [1], "
                 "\"expected_output\": 1}]"),
         ""},
        /* assert kinds: checked as in a suite; truthy needs no expected_output */
        {REQ("", "[{\"inputs\": [1], \"assert\": \"truthy\"}, {\"inputs\": [2], "
                 "\"expected_output\": 2, \"assert\": \"isclose\", \"abs_tol\": 0.5}]"),
         ""},
        {REQ("", "[{\"inputs\": [1], \"assert\": \"nope\"}]"),
         "test_cases[0]: 'assert' must be truthy, falsy, abs_lt or isclose"},
        {REQ("", "[{\"inputs\": [1], \"assert\": \"abs_lt\", \"tolerance\": 0.1}]"),
         "test_cases[0] has no 'expected_output'"},
        {REQ("", "[{\"inputs\": [1], \"expected_output\": 1, \"assert\": \"abs_lt\", "
                 "\"tolerance\": -0.1}]"),
         "test_cases[0]: 'tolerance' must be a finite number >= 0"},
    };
#undef REQ
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = request_err(cases[i].req);
        ck_assert_msg(!strcmp(m, cases[i].want), "%zu:\n  got  %s\n  want %s", i, m, cases[i].want);
        free(m);
    }
}
END_TEST

/* A test case's assert kind and tolerances: checked at load time, each
 * error at FILE:LINE:COL of the value at fault; kept in the test case (and so
 * in the content hash); a kind that compares nothing needs no expected output. */
START_TEST(assert_keys_of_a_test_case)
{
    char *dir = jt_test_tmpdir();
    static const struct {
        const char *set, *tc, *at, *want; /* at: the text the error must point at */
    } bad[] = {
        {"function_name: f", "{inputs: [1], assert: truthyy}", "truthyy}",
         "'assert' must be truthy, falsy, abs_lt or isclose (did you mean 'truthy'?)"},
        {"function_name: f", "{inputs: [1], expected_output: 1, assert: abs_lt}", "abs_lt}",
         "assert abs_lt needs 'tolerance'"},
        {"function_name: f", "{inputs: [1], expected_output: 1, tolerance: 0.1}", "0.1}",
         "'tolerance' needs 'assert: abs_lt'"},
        {"function_name: f", "{inputs: [1], expected_output: 1, assert: isclose, tolerance: 0.1}",
         "0.1}", "'tolerance' needs 'assert: abs_lt', not isclose"},
        {"function_name: f", "{inputs: [1], expected_output: 1, assert: abs_lt, tolerance: -1}",
         "-1}", "'tolerance' must be a finite number >= 0"},
        {"function_name: f", "{inputs: [1], expected_output: 1, assert: abs_lt, tolerance: .inf}",
         ".inf}", "'tolerance' must be a finite number >= 0"},
        {"function_name: f", "{inputs: [1], expected_output: 1, assert: isclose, rel_tol: '0.1'}",
         "'0.1'}", "'rel_tol' must be a finite number >= 0"},
        {"function_name: f", "{inputs: [1], expected_output: 1, assert: isclose, abs_tol: true}",
         "true}", "'abs_tol' must be a finite number >= 0"},
        {"function_name: f", "{inputs: [1], expected_output: 7, assert: falsy}", "7,",
         "assert falsy takes no 'expected_output' (it judges the output alone)"},
        {"function_name: f", "{inputs: [1], assert: [truthy]}", "[truthy]}",
         "'assert' takes a scalar, not a list"},
        {"function_name: f", "{inputs: [1], assert: abs_lt, tolerance: 1}", "{inputs",
         "test case '1' has no 'expected_output'"},
        {"function_name: f, mode: script", "{script: 'assert 1', assert: truthy}", "truthy}",
         "'assert' needs 'mode: call or method' on the test set"},
        {"function_name: f, mode: script", "{script: 'assert 1', rel_tol: 1}", "1}",
         "'rel_tol' needs 'mode: call or method' on the test set"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *y = suite_text(bad[i].set, bad[i].tc, NULL);
        jt_err e = JT_ERR_INIT;
        jt_suite *s = load_text(dir, y, &e);
        ck_assert_msg(s == NULL, "%zu loaded", i);
        const char *line3 = strstr(y, "  - {id: s"); /* the test set is line 3 */
        size_t col = (size_t)(strstr(line3, bad[i].at) - line3) + 1;
        char *tail = jt_xasprintf("suite.yaml:3:%zu: %s", col, bad[i].want);
        const char *m = jt_err_msg(&e);
        ck_assert_msg(strlen(m) >= strlen(tail) && !strcmp(m + strlen(m) - strlen(tail), tail),
                      "%zu:\n  got  %s\n  want ...%s", i, m, tail);
        free(tail);
        jt_err_clear(&e);
        free(y);
    }
    /* what loads: the keys are kept; truthy/falsy cases need no reference */
    char *y = suite_text("function_name: f",
                         "{inputs: [1], assert: truthy}, {inputs: [0], assert: falsy}, "
                         "{inputs: [1.0], expected_output: 1, assert: isclose, rel_tol: 0, abs_tol: 1e-3}, "
                         "{inputs: [2], expected_output: 2, assert: abs_lt, tolerance: 0}",
                         NULL);
    jt_err e = JT_ERR_INIT;
    jt_suite *s = load_text(dir, y, &e);
    ck_assert_msg(s, "%s", jt_err_msg(&e));
    ck_assert(!s->test_sets[0].needs_expected);
    json_t *want = json_loads("[{\"test_id\": \"1\", \"inputs\": [1], \"assert\": \"truthy\"},"
                              " {\"test_id\": \"2\", \"inputs\": [0], \"assert\": \"falsy\"},"
                              " {\"test_id\": \"3\", \"inputs\": [1.0], \"expected_output\": 1,"
                              "  \"assert\": \"isclose\", \"rel_tol\": 0, \"abs_tol\": 0.001},"
                              " {\"test_id\": \"4\", \"inputs\": [2], \"expected_output\": 2,"
                              "  \"assert\": \"abs_lt\", \"tolerance\": 0}]", 0, NULL);
    ck_assert(json_equal(s->test_sets[0].test_cases, want));
    json_decref(want);
    jt_suite_free(s);
    free(y);
    /* in the content hash */
    char h[3][65];
    static const char *const variants[] = {"{inputs: [1], expected_output: 1}",
                                           "{inputs: [1], expected_output: 1, assert: abs_lt, tolerance: 0.1}",
                                           "{inputs: [1], expected_output: 1, assert: abs_lt, tolerance: 0.2}"};
    for (size_t i = 0; i < 3; i++) {
        y = suite_text("function_name: f", variants[i], NULL);
        s = load_text(dir, y, &e);
        ck_assert_msg(s, "%s", jt_err_msg(&e));
        memcpy(h[i], s->content_hash, 65);
        jt_suite_free(s);
        free(y);
    }
    ck_assert(strcmp(h[0], h[1]) && strcmp(h[1], h[2]) && strcmp(h[0], h[2]));
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *tables_suite(void)
{
    Suite *s = suite_create("suite_tables");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, mode_and_comparator_messages_list_the_table);
    tcase_add_test(tc, test_set_and_test_case_keys_follow_the_mode);
    tcase_add_test(tc, option_defaults_come_from_the_rows);
    tcase_add_test(tc, hash_and_floor_key_walk_the_option_table);
    tcase_add_test(tc, content_hash_follows_the_hashed_rows);
    tcase_add_test(tc, requests_use_the_suite_key_tables);
    tcase_add_test(tc, assert_keys_of_a_test_case);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(tables_suite)
