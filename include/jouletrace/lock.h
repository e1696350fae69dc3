/* lock — the socket-0 lock: one measuring process per host at a time, for
 * every user of the host.
 *
 * An flock(2) on /run/lock/jouletrace-socket0.lock (JOULETRACE_LOCK_FILE or
 * --lock-file override), so the kernel drops it when the holder dies (no
 * stale locks after a crash or SIGKILL).
 *
 * Whoever created the file, every user can take it:
 * - an existing file is opened without O_CREAT (with fs.protected_regular,
 *   O_CREAT on another user's file in the sticky /run/lock fails with EACCES
 *   even when the file is writable), O_RDWR, else O_RDONLY: flock works on a
 *   read-only descriptor, so a legacy 0644 file of another user still works;
 * - a missing file is created O_EXCL and fchmod'ed 0666 (whatever the umask);
 * - a symlink or anything but a regular file at the path is refused, never
 *   followed or opened;
 * - after taking the lock the taker checks that the path still names the
 *   file it locked, and starts over when it was replaced meanwhile.
 *
 * Who holds it comes from the kernel, not from the file: the FLOCK entry in
 * /proc/locks for the file's device and inode gives the holder's PID, and
 * /proc/PID/cmdline its command. The holder also writes one JSON line
 * ({pid, command, suite, started}) into the file when it may; that line is
 * believed only when it names the PID the kernel reports (anyone may write
 * a 0666 file, a stale line may survive a read-only holder).
 *
 * jt_lock_probe decides what `status` shows and what a refused
 * jt_lock_acquire says, so they cannot disagree: free, held by PID (command,
 * suite, since), or unusable (what is wrong and the fix).
 *
 * Candidates cannot create, replace or hold it: the harness holds it (and so
 * the file exists, and is not the candidate's to unlink in the sticky
 * /run/lock) for as long as any candidate runs, and the descriptor is
 * close-on-exec, so no candidate inherits it. */
#ifndef JOULETRACE_LOCK_H
#define JOULETRACE_LOCK_H

#include <stdbool.h>

#include "jouletrace/common.h"

#define JT_LOCK_DEFAULT_PATH "/run/lock/jouletrace-socket0.lock"

typedef struct jt_lock {
    int fd;     /* -1 when not held */
    char *path;
    bool writable; /* opened O_RDWR: the holder line was written */
} jt_lock;

typedef enum jt_lock_status { JT_LOCK_FREE, JT_LOCK_HELD, JT_LOCK_UNUSABLE } jt_lock_status;

/* What jt_lock_probe found. Strings are owned (jt_lock_state_release) and
 * printable (control bytes replaced); any may be NULL. */
typedef struct jt_lock_state {
    jt_lock_status status;
    long pid;      /* HELD: the holder; 0 when the kernel does not show it here */
    char *command; /* HELD: the holder's command ("run"), else its command line */
    char *suite;   /* HELD: from the holder's line */
    char *since;   /* HELD: ditto, UTC ISO 8601 */
    char *reason;  /* UNUSABLE: what is wrong and how to fix it */
} jt_lock_state;

/* JOULETRACE_LOCK_FILE if set, else JT_LOCK_DEFAULT_PATH. Caller frees. */
char *jt_lock_default_path(void);

/* Takes the lock. With wait=false a held lock fails at once with
 * "socket 0 is busy: held by pid N (command, suite S, since T) (lock file
 * PATH)" and *busy = true; with wait=true it blocks until free. An unusable
 * lock fails with "socket-0 lock file PATH is unusable: REASON" (*busy
 * false). `command` and `suite` are recorded for others (suite may be
 * NULL). */
int jt_lock_acquire(jt_lock *l, const char *path, const char *command, const char *suite,
                    bool wait, bool *busy, jt_err *err);
void jt_lock_release(jt_lock *l);

/* The state of the lock at `path`, without taking it (nor creating the
 * file): what jt_lock_acquire would meet. Fills *st, returns st->status. */
jt_lock_status jt_lock_probe(const char *path, jt_lock_state *st);
/* "free", "held by pid N (run, suite S, since T)", "unusable: REASON".
 * Caller frees. */
char *jt_lock_describe(const jt_lock_state *st);
void jt_lock_state_release(jt_lock_state *st);

#endif
