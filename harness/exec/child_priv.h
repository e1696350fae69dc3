/* Private helpers shared by child.c (spawn), child_end.c (reap, cleanup),
 * child_io.c (the poll loop and the line protocol), child_root.c (the
 * private root) and child_session.c (the session directory). Not part of
 * the public API. */
#ifndef JT_EXEC_CHILD_PRIV_H
#define JT_EXEC_CHILD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "jouletrace/child.h"

/* A reply line longer than this is protocol abuse (a validate reply for
 * 10 000 tests is a few MiB). */
#define JT_CHILD_MAX_REPLY ((size_t)64 << 20)

/* The fresh tmpfs of /tmp, /var/tmp, /dev/shm, /run/lock, and of the work
 * directory at JT_CHILD_SANDBOX_HOME. */
#define JT_CHILD_TMPFS_OPTS "mode=1777,size=64m"
#define JT_CHILD_WORK_TMPFS_OPTS "mode=1777,size=256m"

/* Kills the child's group when `why` != RUNNING, kills stragglers of the
 * group in any case, reaps with wait4, records how it ended. */
void jt_child_reap_(jt_child *c, jt_child_end why);
/* Reads what the capture pipes still hold without blocking (after a reap). */
void jt_child_drain_all_(jt_child *c);

/* ---- the private root (child_root.c) ----------------------------------- */

/* One step of building the root; the parent fills them in, the child only
 * executes them (system calls on prepared strings: nothing is allocated
 * between clone and exec). */
typedef struct jt_root_item {
    int op;
    char *path;          /* where; before the pivot under the new root's host path */
    size_t shown;        /* path + shown is the path as the candidate sees it */
    char *arg;           /* a bind's source, a symlink's text, tmpfs options */
    unsigned long flags; /* mount flags */
    mode_t mode;         /* of a directory made */
    bool optional;       /* a failure is ignored (the PID namespace's /proc) */
} jt_root_item;

typedef struct jt_root_plan {
    jt_root_item *items;
    size_t n, cap;
} jt_root_plan;

/* The plan of a private root built on the (empty, existing) directory
 * `newroot`: a tmpfs (mode 0755) with read-only binds of /usr, the
 * top-level bin and lib directories (symlinks recreated as such), the basics
 * of /etc and the directories in `extra` (NULL-terminated, may be NULL),
 * a minimal /dev, a /proc, fresh tmpfs on /tmp, /var/tmp, /dev/shm,
 * /run and the work directory; pivot_root into it, the old root
 * detached, "/" read-only, cwd the work directory. 0, or -1 (err set: the
 * host could not be inspected). */
int jt_child_root_plan_(jt_root_plan *rp, const char *newroot, const char *const *extra,
                        jt_err *err);
void jt_child_root_plan_free_(jt_root_plan *rp);
/* In the child, in its new mount namespace (already private): runs the
 * plan. 0, or -1 with errno set and *failed the item that failed. */
int jt_child_root_enter_(const jt_root_plan *rp, size_t *failed);
/* "bind-mount /usr read-only", "pivot_root", ... for item i. Caller frees. */
char *jt_child_root_item_desc_(const jt_root_plan *rp, size_t i);

/* ---- the cgroup (child_cgroup.c) --------------------------------------- */

/* Before cloning: makes the child's cgroup (as root, unless no_cgroup) and
 * opens into fds (at most max) what the child writes "0" to before it
 * execs; sets isolation and cgroup_why. Returns how many fds (0: none, the
 * rlimits alone apply) and *as_bytes the RLIMIT_AS to set. */
size_t jt_child_cgroup_open_(jt_child *c, bool root, int *fds, size_t max, unsigned long long *as_bytes);
/* After the reap: records the peak and the OOM kills, kills stragglers. */
void jt_child_cgroup_reaped_(jt_child *c);
/* In release: removes the cgroup, frees isolation and cgroup_why. */
void jt_child_cgroup_release_(jt_child *c);

/* ---- the session directory (child_session.c) --------------------------- */

/* A fresh private working directory for one child, inside this process's
 * session directory (created on first use); every call first removes the
 * session directories of dead harnesses. Returns the path (free it with
 * jt_child_session_put_), or NULL with err set. */
char *jt_child_session_get_(jt_err *err);
/* Removes `workdir` (whatever its child chmod'ed) and frees it; the last
 * one out removes the session directory and drops its lock. NULL: no-op. */
void jt_child_session_put_(char *workdir);

#endif
