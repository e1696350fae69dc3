/* Assert-style test sets compiled into call cases (asserts.h). The compiler
 * (asserts/compile_asserts.py) runs in the sandbox as a child of its own:
 * one JSON line in, one JSON line out. */
#include "jouletrace/asserts.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/child.h"
#include "jouletrace/clock.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/modes.h"
#include "jouletrace/statedir.h"

/* asserts/asserts_blob.S: compile_asserts.py, NUL-terminated. */
extern const char jt_asserts_compiler[];

/* Bumped when the meaning of cached answers changes (consumers: this file). */
#define CACHE_SCHEMA "jouletrace-asserts-v1"
/* One compiler child: all of a batch's test sets within this long, in this
 * much memory. It parses, so a second or two is a big batch. */
#define COMPILE_TIMEOUT_S 120.0
#define COMPILE_MEMORY_MB 1024
#define COMPILE_CPU_S 300
/* What a compiled case may hold (modes call and method, assert kinds). */
static const char *const case_keys[] = {"test_id", "inputs", "expected_output", "assert",
                                        "tolerance", "rel_tol", "abs_tol", NULL};

const char *jt_asserts_compiler_source(void)
{
    return jt_asserts_compiler;
}

/* ---- the compiler child ---------------------------------------------------- */

/* The last line of the child's stderr (a traceback's verdict), clipped. */
static char *last_stderr_line(const jt_child *c)
{
    char *text = jt_xstrndup(c->err.head.data ? c->err.head.data : "", c->err.head.len);
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
    const char *nl = strrchr(text, '\n'), *last = nl ? nl + 1 : text;
    char *line = jt_xstrndup(last, strnlen(last, 200));
    free(text);
    return line;
}

/* 0 when reply is {ok: true, sets: [n answers]} with each answer either
 * {ok: true, cases: [objects]} or {ok: false, reason: "..."}. */
static int check_reply(const json_t *reply, size_t n, jt_err *err)
{
    if (!json_is_object(reply)) return jt_err_set(err, "a reply that is not a JSON object");
    if (!json_is_true(json_object_get(reply, "ok"))) {
        const char *m = json_string_value(json_object_get(reply, "message"));
        return jt_err_set(err, "it refused the request: %s", m ? m : "(no message)");
    }
    const json_t *sets = json_object_get(reply, "sets");
    if (!json_is_array(sets) || json_array_size(sets) != n)
        return jt_err_set(err, "it answered %zu of %zu test sets", json_array_size(sets), n);
    size_t i;
    const json_t *a;
    json_array_foreach(sets, i, a) {
        const json_t *ok = json_object_get(a, "ok"), *cases = json_object_get(a, "cases");
        bool good = json_is_true(ok) ? json_is_array(cases) && json_array_size(cases) > 0
                                     : json_is_false(ok) && json_is_string(json_object_get(a, "reason"));
        if (!good) return jt_err_set(err, "answer %zu is malformed", i);
    }
    return 0;
}

int jt_asserts_compile(const char *python, const json_t *request, json_t **reply, jt_err *err)
{
    *reply = NULL;
    size_t n = json_array_size(json_object_get(request, "sets"));
    char *line = json_dumps(request, JSON_COMPACT);
    if (!line) return jt_err_set(err, "assert compiler: cannot encode the request");
    const char *argv[] = {python, "-s", "-B", "-c", jt_asserts_compiler, NULL};
    jt_child c;
    jt_child_init(&c);
    c.argv = argv;
    c.protocol = true;
    c.memory_limit_mb = COMPILE_MEMORY_MB;
    c.cpu_limit_seconds = COMPILE_CPU_S;
    c.sandbox_user = "nobody";
    char *got = NULL;
    json_t *r = NULL;
    int rc = -1;
    if (jt_child_start(&c, err) != 0) {
        jt_err_prefix(err, "assert compiler");
        goto out;
    }
    double deadline = jt_monotonic_s() + COMPILE_TIMEOUT_S;
    jt_child_io io = jt_child_send_line(&c, line, COMPILE_TIMEOUT_S, err);
    if (io == JT_CHILD_IO_OK) io = jt_child_recv_line(&c, fmax(deadline - jt_monotonic_s(), 0), &got, err);
    if (io == JT_CHILD_IO_TIMEOUT) {
        jt_err_set(err, "assert compiler: no answer within %g s", COMPILE_TIMEOUT_S);
    } else if (io == JT_CHILD_IO_CLOSED) {
        jt_child_kill(&c, JT_CHILD_KILLED);
        char *how = jt_child_describe_end(&c), *why = last_stderr_line(&c);
        jt_err_set(err, "assert compiler: the child %s without answering%s%s", how, *why ? ": " : "", why);
        free(how);
        free(why);
    } else if (io == JT_CHILD_IO_ERROR) {
        jt_err_prefix(err, "assert compiler");
    }
    if (io != JT_CHILD_IO_OK) goto out;
    json_error_t je;
    r = json_loads(got, 0, &je);
    if (check_reply(r, n, err) != 0) {
        jt_err_prefix(err, "assert compiler");
        goto out;
    }
    *reply = r;
    r = NULL;
    rc = 0;
out:
    json_decref(r);
    jt_child_release(&c);
    free(got);
    free(line);
    return rc;
}

/* ---- test sets --------------------------------------------------------------- */

/* The interpreter a test set's candidates use (the first one's), or NULL
 * when nothing runs on the test set. */
static const char *python_of(const jt_suite *s, size_t ts_index)
{
    for (size_t i = 0; i < s->n_candidates; i++)
        if (s->candidates[i].test_set == ts_index) return s->candidates[i].opts.python;
    return NULL;
}

/* {id, entry, scripts: [{test_id, script}]}: what the compiler reads of ts. */
static json_t *set_request(const jt_test_set *ts)
{
    json_t *scripts = json_array();
    size_t i;
    const json_t *tc;
    json_array_foreach(ts->test_cases, i, tc)
        json_array_append_new(scripts, json_pack("{s:O,s:O}", "test_id", json_object_get(tc, "test_id"),
                                                 "script", json_object_get(tc, "script")));
    return json_pack("{s:s,s:s,s:o}", "id", ts->id, "entry", ts->function_name, "scripts", scripts);
}

static void cache_key(const char *python, const json_t *set, char hex[65])
{
    jt_sha256 c;
    jt_sha256_init(&c);
    const char *parts[] = {CACHE_SCHEMA, jt_asserts_compiler, python,
                           json_string_value(json_object_get(set, "entry"))};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        jt_sha256_update(&c, parts[i], strlen(parts[i]) + 1); /* NUL separates */
    char *text = json_dumps(json_object_get(set, "scripts"), JSON_COMPACT | JSON_SORT_KEYS);
    jt_sha256_update(&c, text, strlen(text));
    free(text);
    jt_sha256_hex(&c, hex);
}

/* A cached answer, or NULL (missing, another schema, malformed). */
static json_t *cache_load(const char *path)
{
    if (!path) return NULL;
    json_t *doc = json_load_file(path, 0, NULL);
    const char *schema = json_string_value(json_object_get(doc, "schema"));
    json_t *answer = json_object_get(doc, "answer"), *reply = NULL;
    if (schema && !strcmp(schema, CACHE_SCHEMA) && answer) {
        reply = json_pack("{s:b,s:[O]}", "ok", 1, "sets", answer);
        jt_err e = JT_ERR_INIT;
        if (check_reply(reply, 1, &e) != 0) {
            json_decref(reply);
            reply = NULL;
        }
        jt_err_clear(&e);
    }
    json_t *out = reply ? json_incref(json_array_get(json_object_get(reply, "sets"), 0)) : NULL;
    json_decref(reply);
    json_decref(doc);
    return out;
}

/* 0 when every compiled case is one the suite loader would have taken. */
static int check_cases(const json_t *cases, jt_err *err)
{
    json_t *seen = json_object();
    size_t i;
    const json_t *tc;
    int rc = 0;
    json_array_foreach(cases, i, tc) {
        const char *id = json_string_value(json_object_get(tc, "test_id")), *key, *bad = NULL;
        const json_t *v;
        jt_err why = JT_ERR_INIT;
        json_object_foreach((json_t *)(uintptr_t)tc, key, v) {
            size_t k = 0;
            while (case_keys[k] && strcmp(case_keys[k], key)) k++;
            if (!case_keys[k] && !bad) bad = "a key a call case does not take";
        }
        if (!bad && (!id || json_object_get(seen, id))) bad = "no test_id, or a repeated one";
        if (!bad && !json_is_array(json_object_get(tc, "inputs"))) bad = "inputs that are not a list";
        if (!bad && jt_assert_case_error(tc, &key, &why) != 0) bad = jt_err_msg(&why);
        if (!bad && jt_assert_case_takes_expected(tc) && !json_object_get(tc, "expected_output"))
            bad = "no expected_output";
        if (bad) rc = jt_err_set(err, "assert compiler: case %zu: %s", i, bad);
        jt_err_clear(&why);
        if (rc) break;
        json_object_set_new(seen, id, json_true());
    }
    json_decref(seen);
    return rc;
}

/* Makes ts what the answer says: mode call with its cases, or a script
 * test set with the reason. */
static int apply(jt_test_set *ts, const json_t *answer, jt_err *err)
{
    free(ts->asserts_refused);
    ts->asserts_refused = NULL;
    if (!json_is_true(json_object_get(answer, "ok"))) {
        ts->asserts_refused = jt_xstrdup(json_string_value(json_object_get(answer, "reason")));
        return 0;
    }
    const json_t *cases = json_object_get(answer, "cases");
    if (check_cases(cases, err) != 0) {
        ts->asserts_refused = jt_xstrdup(jt_err_msg(err));
        return jt_err_prefix(err, "test set '%s'", ts->id);
    }
    json_decref(ts->test_cases);
    ts->test_cases = json_deep_copy(cases);
    ts->n_cases = json_array_size(cases);
    free(ts->mode);
    ts->mode = jt_xstrdup(jt_mode_get(JT_MODE_CALL)->name);
    ts->needs_expected = false; /* every value is in the cases (or not needed) */
    return 0;
}

typedef struct pending {
    const char *python;
    json_t *set;    /* set_request() */
    json_t *answer; /* once known */
    char *path;     /* its cache file, NULL without a cache */
} pending;

/* Compiles the sets of p[i..n) that use p[i]'s interpreter and lack an
 * answer, in one child; caches the answers. */
static int compile_batch(pending *p, size_t i, size_t n, bool *cache_failed, jt_err *cerr,
                         jt_err *err)
{
    json_t *sets = json_array();
    size_t *which = jt_xcalloc(n - i, sizeof *which), k = 0;
    for (size_t j = i; j < n; j++)
        if (p[j].set && !p[j].answer && !strcmp(p[j].python, p[i].python)) {
            json_array_append(sets, p[j].set);
            which[k++] = j;
        }
    json_t *req = json_pack("{s:o}", "sets", sets), *reply = NULL;
    int rc = jt_asserts_compile(p[i].python, req, &reply, err);
    for (size_t m = 0; rc == 0 && m < k; m++) {
        pending *q = &p[which[m]];
        q->answer = json_incref(json_array_get(json_object_get(reply, "sets"), m));
        json_t *doc = json_pack("{s:s,s:O,s:O}", "schema", CACHE_SCHEMA, "test_set",
                                json_object_get(q->set, "id"), "answer", q->answer);
        char *text = json_dumps(doc, JSON_COMPACT);
        char *dir = q->path ? jt_xstrndup(q->path, (size_t)(strrchr(q->path, '/') - q->path)) : NULL;
        if (!*cache_failed && (!dir || jt_mkdirs(dir, 0755, cerr) != 0 ||
                               jt_write_file_atomic(q->path, text, strlen(text), cerr) != 0))
            *cache_failed = true;
        free(dir);
        free(text);
        json_decref(doc);
    }
    json_decref(reply);
    json_decref(req);
    free(which);
    return rc;
}

int jt_asserts_fill(jt_suite *s, json_t *warnings, jt_err *err)
{
    size_t n = s->n_test_sets;
    pending *p = jt_xcalloc(n ? n : 1, sizeof *p);
    jt_err cerr = JT_ERR_INIT;
    char *dir = jt_dir_locate(JT_DIR_CACHE, NULL, NULL, &cerr);
    for (size_t i = 0; i < n; i++) {
        const jt_test_set *ts = &s->test_sets[i];
        if (!ts->asserts || ts->asserts_refused || strcmp(ts->mode, jt_mode_get(JT_MODE_SCRIPT)->name) ||
            !(p[i].python = python_of(s, i)))
            continue;
        p[i].set = set_request(ts);
        char key[65];
        cache_key(p[i].python, p[i].set, key);
        p[i].path = dir ? jt_xasprintf("%s/asserts-%s.json", dir, key) : NULL;
        p[i].answer = cache_load(p[i].path);
    }
    int rc = 0;
    bool cache_failed = false;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (p[i].set && !p[i].answer) rc = compile_batch(p, i, n, &cache_failed, &cerr, err);
    for (size_t i = 0; i < n; i++) {
        jt_err aerr = JT_ERR_INIT;
        if (p[i].answer && apply(&s->test_sets[i], p[i].answer, &aerr) != 0 && rc == 0)
            rc = jt_err_set(err, "%s", jt_err_msg(&aerr));
        jt_err_clear(&aerr);
        json_decref(p[i].set);
        json_decref(p[i].answer);
        free(p[i].path);
    }
    if (cache_failed && warnings)
        json_array_append_new(warnings, json_sprintf("assert-compiler cache not written: %s",
                                                     jt_err_msg(&cerr)));
    jt_err_clear(&cerr);
    free(dir);
    free(p);
    return rc;
}
