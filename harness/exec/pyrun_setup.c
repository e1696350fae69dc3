/* The runner's messages (pyrun_priv.h): setup (the mode, comparator and
 * command checks, and the name a command-mode source gets in the work
 * directory: pyrun.h, source_name), the tests the candidate's side gets
 * (inputs only: docs/design.md "Judging") and the judge's setup (the test
 * set with its expectations, for a process that runs no candidate code). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec/pyrun_priv.h"
#include "jouletrace/modes.h"

/* A string member, or false when `text` is not valid UTF-8 (jansson refuses it). */
static bool set_str(json_t *m, const char *key, const char *text)
{
    if (!text) return true;
    json_t *v = json_string(text);
    if (!v) return false;
    json_object_set_new(m, key, v);
    return true;
}

static bool command_ok(const json_t *command)
{
    if (!json_is_array(command) || json_array_size(command) == 0) return false;
    size_t i;
    const json_t *w;
    json_array_foreach(command, i, w) if (!json_is_string(w) || json_string_length(w) == 0 ||
                                          strlen(json_string_value(w)) != json_string_length(w))
        return false;
    return true;
}

/* Last path component of s (s itself without '/'). */
static const char *base_name(const char *s)
{
    const char *slash = strrchr(s, '/');
    return slash ? slash + 1 : s;
}

/* The extension an inline source gets from the tool that reads it (pyrun.h). */
static const char *extension_for(const char *tool)
{
    static const struct {
        const char *tool, *ext;
        bool prefix; /* python3.11, gcc-12, ... */
    } table[] = {
        {"cc", ".c", false},       {"gcc", ".c", true},      {"clang", ".c", false},
        {"clang-", ".c", true},    {"tcc", ".c", false},     {"c++", ".cpp", false},
        {"g++", ".cpp", true},     {"clang++", ".cpp", true}, {"rustc", ".rs", false},
        {"go", ".go", false},      {"javac", ".java", false}, {"ghc", ".hs", false},
        {"python", ".py", true},   {"pypy", ".py", true},    {"sh", ".sh", false},
        {"bash", ".sh", false},    {"dash", ".sh", false},   {"zsh", ".sh", false},
        {"ksh", ".sh", false},     {"node", ".js", false},   {"ruby", ".rb", false},
        {"perl", ".pl", false},    {"lua", ".lua", true},    {"php", ".php", false},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        size_t n = strlen(table[i].tool);
        if (table[i].prefix ? !strncmp(tool, table[i].tool, n) : !strcmp(tool, table[i].tool))
            return table[i].ext;
    }
    return NULL;
}

/* The file name of the source in the workdir (pyrun.h, source_name). */
/* The build's program: its first word that is not an assignment
 * (CFLAGS=... cc ...); NULL without one. Caller frees. */
static char *build_program(const char *build)
{
    for (const char *p = build; p;) {
        p += strspn(p, " \t\n");
        size_t n = strcspn(p, " \t\n");
        if (!n) break;
        char *word = jt_xstrndup(p, n);
        if (!strchr(word, '=')) return word;
        free(word);
        p += n;
    }
    return NULL;
}

size_t jt_pyrun_tool_dirs_(const jt_pyrun_config *cfg, const char *python, char *dirs[3])
{
    char *build = build_program(cfg->build);
    const char *progs[] = {python, json_string_value(json_array_get(cfg->command, 0)), build};
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        if (!progs[i] || progs[i][0] != '/') continue; /* a PATH search stays in /usr, /bin */
        char *d = jt_child_tool_dir(progs[i]);
        for (size_t j = 0; d && j < n; j++)
            if (!strcmp(dirs[j], d)) {
                free(d);
                d = NULL;
            }
        if (d) dirs[n++] = d;
    }
    free(build);
    return n;
}

static char *source_name(const jt_pyrun_config *cfg)
{
    if (cfg->source_name) {
        const char *b = base_name(cfg->source_name);
        if (*b && strcmp(b, ".") && strcmp(b, "..") && strcmp(b, "candidate.bin"))
            return jt_xstrdup(b);
    }
    const char *ext = NULL;
    char *build = build_program(cfg->build);
    if (build) ext = extension_for(base_name(build));
    free(build);
    const char *program = json_string_value(json_array_get(cfg->command, 0));
    if (!ext && program) ext = extension_for(base_name(program));
    return jt_xasprintf("candidate%s", ext ? ext : ".src");
}

json_t *jt_pyrun_setup_message_(const jt_pyrun_config *cfg, bool *code_ok, jt_err *err)
{
    const jt_mode_def *md = cfg->mode ? jt_mode_find(cfg->mode) : jt_mode_default();
    if (!md) {
        jt_err_set(err, "pyrun: unknown mode '%s'", cfg->mode);
        return NULL;
    }
    const char *mode = md->name;
    bool command = md->id == JT_MODE_COMMAND;
    const char *comparator = cfg->comparator ? cfg->comparator : jt_mode_default_comparator(md);
    if (!jt_comparator_find(comparator)) {
        jt_err_set(err, "pyrun: unknown comparator '%s'", comparator);
        return NULL;
    }
    if (!jt_mode_allows(md, comparator)) { /* the list from the mode table */
        jt_buf b = JT_BUF_INIT;
        jt_comparators_join(&b, md->comparators, false, " or ");
        jt_err_set(err, "pyrun: mode %s has no comparator '%s' (%s)", mode, comparator, jt_buf_str(&b));
        jt_buf_release(&b);
        return NULL;
    }
    if (command && !cfg->floor && !command_ok(cfg->command)) {
        jt_err_set(err, "pyrun: mode command needs command, an array of non-empty strings");
        return NULL;
    }
    if (jt_comparator_find(comparator)->needs_checker && !cfg->checker_code) {
        jt_err_set(err, "pyrun: comparator checker needs checker_code");
        return NULL;
    }
    if (!(cfg->atol >= 0) || !(cfg->rtol >= 0) || !isfinite(cfg->atol) || !isfinite(cfg->rtol)) {
        jt_err_set(err, "pyrun: atol and rtol must be finite and >= 0");
        return NULL;
    }
    json_t *checker = cfg->checker_code ? json_string(cfg->checker_code) : NULL;
    if (cfg->checker_code && !checker) {
        jt_err_set(err, "pyrun: checker_code must be valid UTF-8");
        return NULL;
    }
    json_decref(checker);
    json_t *m = json_object();
    json_object_set_new(m, "cmd", json_string("setup"));
    json_object_set_new(m, "protocol", json_integer(JT_PYRUN_PROTOCOL));
    *code_ok = set_str(m, "code", cfg->code ? cfg->code : "");
    if (!set_str(m, "filename", cfg->filename ? cfg->filename : "candidate.py") ||
        !set_str(m, "function_name", cfg->function_name) || !set_str(m, "mode", mode) ||
        !set_str(m, "setup_code", cfg->setup_code) ||
        !set_str(m, "convert_code", cfg->convert_code)) {
        jt_err_set(err, "pyrun: filename, function_name, mode, setup_code and convert_code "
                        "must be valid UTF-8");
        json_decref(m);
        return NULL;
    }
    json_object_set_new(m, "prelude", json_boolean(cfg->prelude));
    json_object_set_new(m, "reload_per_iteration", json_boolean(cfg->reload_per_iteration));
    json_object_set_new(m, "floor", json_boolean(cfg->floor));
    json_object_set_new(m, "timeout_seconds", json_real(cfg->timeout_seconds));
    if (command) {
        char *name = source_name(cfg);
        bool ok = set_str(m, "build", cfg->build) && set_str(m, "source_name", name);
        free(name);
        if (!ok) {
            jt_err_set(err, "pyrun: build and source_name must be valid UTF-8");
            json_decref(m);
            return NULL;
        }
        if (cfg->command) json_object_set_new(m, "command", json_deep_copy(cfg->command));
    }
    return m;
}

/* The keys of a test case the candidate's side may see, per mode; every
 * other key (expected_output, expected_stdout, expected_exit_code, ...)
 * stays with the judge. */
static const char *const call_keys[] = {"test_id", "inputs", NULL};
static const char *const script_keys[] = {"test_id", "script", NULL};
static const char *const command_keys[] = {"test_id", "stdin", "args", NULL};

json_t *jt_pyrun_tests_message_(const jt_pyrun_config *cfg)
{
    const jt_mode_def *md = cfg->mode ? jt_mode_find(cfg->mode) : jt_mode_default();
    const char *const *keys = md->id == JT_MODE_SCRIPT    ? script_keys
                              : md->id == JT_MODE_COMMAND ? command_keys
                                                          : call_keys;
    json_t *cases = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(cfg->test_cases, i, t) {
        json_t *c = json_object();
        for (const char *const *k = keys; *k; k++) {
            json_t *v = json_object_get(t, *k);
            if (v) json_object_set_new(c, *k, json_deep_copy(v));
        }
        /* The floor's process runs no candidate code: its null function
         * returns the expected output (docs/design.md "Floor"). */
        json_t *expected = json_object_get(t, "expected_output");
        if (cfg->floor && expected && md->id != JT_MODE_COMMAND)
            json_object_set_new(c, "floor_output", json_deep_copy(expected));
        json_array_append_new(cases, c);
    }
    return json_pack("{s:s,s:o}", "cmd", "tests", "test_cases", cases);
}

json_t *jt_pyrun_judge_message_(const jt_pyrun_config *cfg)
{
    const jt_mode_def *md = cfg->mode ? jt_mode_find(cfg->mode) : jt_mode_default();
    const char *comparator = cfg->comparator ? cfg->comparator : jt_mode_default_comparator(md);
    json_t *m = json_pack("{s:s,s:i,s:s,s:s,s:s,s:O,s:f,s:f,s:f,s:b}", "cmd", "setup",
                          "protocol", JT_PYRUN_PROTOCOL, "mode", "judge", "judged_mode",
                          md->name, "comparator", comparator, "test_cases", cfg->test_cases,
                          "float_tolerance", cfg->float_tolerance, "atol", cfg->atol, "rtol",
                          cfg->rtol, "prelude", cfg->prelude);
    if (m && cfg->checker_code)
        json_object_set_new(m, "checker_code", json_string(cfg->checker_code));
    return m;
}
