/* lock — the socket-0 lock: one measuring process per host at a time.
 *
 * An flock(2) on a lock file, so the kernel drops it when the holder dies
 * (no stale locks after a crash or SIGKILL). The holder writes one JSON line
 * into the file ({pid, command, suite, started}) so `status` and a refused
 * second `run` can say who holds it.
 *
 * Path: JOULETRACE_LOCK_FILE if set, else /run/lock/jouletrace-socket0.lock
 * when /run/lock is writable, else /tmp/jouletrace-socket0-<uid>.lock (a
 * per-user fallback: two users on one host then do not exclude each other,
 * which is why /run/lock comes first). */
#ifndef JOULETRACE_LOCK_H
#define JOULETRACE_LOCK_H

#include <stdbool.h>

#include "jouletrace/common.h"

typedef struct jt_lock {
    int fd;     /* -1 when not held */
    char *path;
} jt_lock;

/* Default lock path as described above. Caller frees. */
char *jt_lock_default_path(void);

/* Takes the lock. With wait=false a held lock fails at once with
 * "socket 0 is busy: held by pid N (command, suite S, since T)" and
 * *busy = true; with wait=true it blocks until free. `command` and `suite`
 * are recorded for others to read (suite may be NULL). */
int jt_lock_acquire(jt_lock *l, const char *path, const char *command, const char *suite,
                    bool wait, bool *busy, jt_err *err);
void jt_lock_release(jt_lock *l);

/* Who holds the lock at `path`: 1 and a malloc'd one-line description in
 * *holder when held, 0 when free, -1 on error. Does not take the lock. */
int jt_lock_holder(const char *path, char **holder, jt_err *err);

#endif
