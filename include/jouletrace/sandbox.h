/* sandbox — how isolated a candidate is on this host, as a value.
 *
 * The sandbox child.h describes is what the README promises; without root,
 * where namespaces are refused (some containers, a chroot) or where the
 * sandbox user is missing, candidates get less, and that must never be
 * silent. jt_sandbox_probe() starts a trivial child (/bin/true) exactly the
 * way candidates are started and says which level it actually got, what is
 * missing, why, and the fix; `run`, `validate` and `measure` print it as one
 * warning line at start, `status` shows it, run.json keeps it, and every
 * journal record names the isolation of the child that ran it
 * (jt_sandbox_annotate).
 *
 *   full           pid, net, mount and ipc namespaces; a private root (the
 *                  host's /usr, bin, lib and /etc basics read-only, nothing
 *                  else of its files); the drop to the sandbox user;
 *                  no_new_privs; the seccomp filter (seccomp.h); rlimits
 *   no-seccomp     all of full but the seccomp filter (the kernel refused it,
 *                  or JOULETRACE_SANDBOX_NO_SECCOMP is set); at the levels
 *                  below a missing filter is named in `missing` as well
 *   no-private-root  the namespaces, but over the host's tree (the private
 *                  root could not be built): the host's files are readable
 *                  wherever their permissions allow
 *   no-namespaces  root, but no namespaces: the user drop, no_new_privs and
 *                  rlimits only (the host's processes, network and files are
 *                  visible)
 *   unprivileged   not root: no namespaces, no user drop; candidates run with
 *                  the invoking user's own rights
 *   unusable       no sandboxed child can start (every candidate would fail)
 *
 * Ownership: a jt_sandbox owns its strings; jt_sandbox_release frees them. */
#ifndef JOULETRACE_SANDBOX_H
#define JOULETRACE_SANDBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "jouletrace/child.h"

typedef enum jt_sandbox_level {
    JT_SANDBOX_FULL = 0,
    JT_SANDBOX_NO_SECCOMP,
    JT_SANDBOX_NO_PRIVATE_ROOT,
    JT_SANDBOX_NO_NAMESPACES,
    JT_SANDBOX_UNPRIVILEGED,
    JT_SANDBOX_UNUSABLE,
} jt_sandbox_level;

typedef struct jt_sandbox {
    jt_sandbox_level level;
    char *desc;    /* what applied (jt_child_sandbox_desc), or why nothing could start */
    char *missing; /* what the README promises and this host does not give; NULL when full */
    char *why;     /* the reason: step and errno, "not root", ...; NULL when full */
    char *fix;     /* what to do about it; NULL when full */
    /* The candidate's cgroup (independent of the level): "cgroup-v2",
     * "cgroup-v1" or "rlimits: WHY"; cgroup_why and cgroup_fix when there
     * is none (NULL otherwise). Its own warning line, status line and
     * run.json fields (sandbox_cgroup.c). */
    char *isolation;
    char *cgroup_why;
    char *cgroup_fix;
    /* With a cgroup and a memory limit: how swap is kept out
     * (jt_cgroup_swap), and whether it is; NULL otherwise. */
    char *cgroup_swap;
    bool cgroup_swap_limited;
} jt_sandbox;

/* "full", "no-private-root", "no-namespaces", "unprivileged", "unusable". */
const char *jt_sandbox_level_name(jt_sandbox_level level);

/* The level of a started child (before jt_child_release). */
jt_sandbox_level jt_sandbox_level_of(const jt_child *c);

/* Fills sb from a started child c that was to run as `user` (NULL: nobody). */
void jt_sandbox_of_child(const jt_child *c, const char *user, jt_sandbox *sb);

/* Starts /bin/true as a candidate is started (as root: dropping to `user`,
 * NULL = "nobody") and fills sb with what it got. Never fails: a child
 * that cannot start is the level "unusable", with the error as `why`. */
void jt_sandbox_probe(const char *user, jt_sandbox *sb);

void jt_sandbox_release(jt_sandbox *sb);

/* "sandbox weakened: MISSING (WHY); FIX" (or "sandbox unusable: ..."), NULL
 * when full. Caller frees. */
char *jt_sandbox_warning(const jt_sandbox *sb);

/* "no cgroup for candidates: ... (WHY); FIX", or with one whose swap is not
 * limited "candidates' memory may be swapped out: ...; FIX"; else NULL.
 * Caller frees. */
char *jt_sandbox_cgroup_warning(const jt_sandbox *sb);

/* Prints "jouletrace: warning: " + jt_sandbox_warning to f when not full,
 * and one more such line with jt_sandbox_cgroup_warning. */
void jt_sandbox_warn(const jt_sandbox *sb, FILE *f);

/* For `status`: "sandbox: full (DESC)", or the level in capitals, what is
 * missing, why and the fix, over a few lines. */
void jt_sandbox_print(const jt_sandbox *sb, FILE *f);

/* {"level", "weakened", "description", "missing", "why", "fix"} (nulls when
 * full). New reference. */
json_t *jt_sandbox_json(const jt_sandbox *sb);

/* Sets "sandbox" (the description), "sandbox_level", "isolation" and
 * "peak_memory_bytes" (when known) of journal record rec from the child that
 * ran it; c NULL (nothing ran) sets nothing. */
void jt_sandbox_annotate(json_t *rec, const jt_child *c);

/* Did journal record rec run with less than full isolation? Reads
 * "sandbox_level"; a record older than that field is judged by its
 * "sandbox" description; a record where nothing ran: false. */
bool jt_sandbox_record_weakened(const json_t *rec);

#endif
