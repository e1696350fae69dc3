/* Common helpers shared by every JouleTrace module: error values, exit codes,
 * allocation, a growable string buffer and "did you mean" suggestions.
 *
 * Error convention (like git's error()): library functions return 0 on success
 * and -1 on failure, filling a caller-owned jt_err with one human-readable
 * line. Only main() and the command functions print it and pick an exit code.
 * Library code never exits, except jt_x*alloc() on out-of-memory, which
 * aborts with a message: there is nothing sensible to do after that. */
#ifndef JOULETRACE_COMMON_H
#define JOULETRACE_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit codes of the jouletrace binary. Scripts and cron jobs key on them:
 * never renumber (README "Exit codes" and jouletrace(1) list them). */
enum jt_exit {
    JT_EXIT_OK = 0,          /* did what was asked (whatever the candidates' verdicts) */
    JT_EXIT_FAILURE = 1,     /* internal or I/O error */
    JT_EXIT_USAGE = 2,       /* bad command line */
    JT_EXIT_BAD_SUITE = 3,   /* suite file could not be loaded; nothing ran */
    JT_EXIT_NOT_READY = 4,   /* host not ready: no counters, no/stale calibration, lock held */
    JT_EXIT_INTERRUPTED = 5, /* SIGINT/SIGTERM: journal kept, resume with --resume */
    JT_EXIT_ALL_FAILED = 6,  /* run: every candidate it attempted ended `failed` (reports written) */
};

/* One error message, owned by whoever declared the jt_err (init with
 * JT_ERR_INIT, release with jt_err_clear). Setting it again replaces it. */
typedef struct jt_err {
    char *msg;
} jt_err;
#define JT_ERR_INIT {NULL}

/* Sets the message (printf-style) and returns -1 so callers can write
 * `return jt_err_set(err, "...")`. err may be NULL. */
int jt_err_set(jt_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int jt_err_setv(jt_err *err, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Prepends "prefix: " to an existing message (adds context on the way up). */
int jt_err_prefix(jt_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *jt_err_msg(const jt_err *err); /* never NULL */
void jt_err_clear(jt_err *err);

void *jt_xmalloc(size_t n);
void *jt_xcalloc(size_t n, size_t size);
void *jt_xrealloc(void *p, size_t n);
/* realloc for arrays: checks n * size for overflow. */
void *jt_xreallocarray(void *p, size_t n, size_t size);
char *jt_xstrdup(const char *s);
char *jt_xstrndup(const char *s, size_t n);
char *jt_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One warning line on stderr: "jouletrace: warning: <message>". Every warning
 * of every command goes through here, so scripts can match the prefix. */
void jt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *items (of *cap elements of size `size`) so that it can hold `need`. */
#define JT_GROW(items, need, cap)                                                       \
    do {                                                                                \
        if ((need) > (cap)) {                                                           \
            size_t jt_grow_n_ = (cap) ? (cap) * 2 : 8;                                  \
            while (jt_grow_n_ < (need)) jt_grow_n_ *= 2;                                \
            (items) = jt_xreallocarray((items), jt_grow_n_, sizeof(*(items)));          \
            (cap) = jt_grow_n_;                                                         \
        }                                                                               \
    } while (0)

/* A growable, always NUL-terminated byte buffer (git's strbuf, reduced). */
typedef struct jt_buf {
    char *data; /* NUL-terminated once anything was added; may hold NULs */
    size_t len;
    size_t cap;
} jt_buf;
#define JT_BUF_INIT {NULL, 0, 0}

void jt_buf_add(jt_buf *b, const void *data, size_t len);
void jt_buf_adds(jt_buf *b, const char *s);
void jt_buf_addc(jt_buf *b, char c);
void jt_buf_addf(jt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *jt_buf_str(const jt_buf *b); /* "" when empty */
char *jt_buf_detach(jt_buf *b);         /* caller frees; b is reset */
void jt_buf_reset(jt_buf *b);           /* keeps the allocation */
void jt_buf_release(jt_buf *b);

/* A valid UTF-8 copy of s[0..len): every byte that does not start a valid
 * sequence (and every NUL) becomes U+FFFD. Candidate output may hold any
 * bytes; JSON and HTML writers need valid UTF-8. Caller frees. */
char *jt_utf8_sanitize(const char *s, size_t len);

/* Levenshtein distance, capped: returns a value > max as soon as it is known
 * to exceed max. */
size_t jt_edit_distance(const char *a, const char *b, size_t max);
/* Closest of `candidates` (NULL-terminated) to `word`, or NULL when none is
 * near enough to be a plausible typo. */
const char *jt_did_you_mean(const char *word, const char *const *candidates);

/* The current time in UTC as "2026-11-27T04:22:00Z" (ISO 8601, what every
 * record and run.json carry). Caller frees. */
char *jt_utc_now(void);

/* Strict number parsing for flags and environment values: the whole string
 * must be a number in range. Return 0 or -1 (with err naming `what`). */
int jt_parse_long(const char *s, long min, long max, long *out, const char *what, jt_err *err);
int jt_parse_double(const char *s, double min, double max, double *out, const char *what,
                    jt_err *err);

#endif
