/* The session directory: where the host-side working directories of one
 * harness process's children live, and how those of a dead harness go.
 *
 * A harness process keeps one TMPDIR/jouletrace-session.XXXXXX (mode 0711,
 * its own) while it has children, holding an flock on the "lock" file in it
 * (mode 0600, fd CLOEXEC and closed in the child before exec) for as long;
 * the children's jt-child-XXXXXX directories are made inside. The last
 * jt_child_release removes it. A harness that was SIGKILLed cannot: every
 * jt_child_start therefore sweeps the sibling session directories that
 * belong to the same uid and whose lock it can take (LOCK_EX | LOCK_NB): the
 * kernel dropped the lock with its holder, so no PID is trusted (PIDs get
 * reused, and PID namespaces share a TMPDIR). The lock file appears under
 * its name only once held (created as "lock.new", locked, renamed), so a
 * session being created is never taken for a dead one; one whose harness
 * died in those few system calls has no "lock" and is left alone.
 *
 * Candidates never reach it: in the namespaces the host's TMPDIR is out of
 * sight; without them the work directory (their cwd) is a subdirectory, the
 * session directory cannot be listed, and the lock is not theirs.
 *
 * The state is per process, like the lock it describes; a process forked
 * from a harness starts a session of its own instead of using (or removing)
 * its parent's. Not thread-safe, like jt_child. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/child_priv.h"

#define SESSION_PREFIX "jouletrace-session."
#define LOCK_NAME "lock"
#define RMTREE_MAX_DEPTH 256

static struct {
    char *dir;     /* NULL: no session */
    int lock_fd;   /* holds the flock */
    size_t users;  /* work directories handed out and not yet put back */
    pid_t owner;   /* the process that made it */
} session = {NULL, -1, 0, 0};

static const char *tmp_base(void)
{
    const char *t = getenv("TMPDIR");
    return t && t[0] == '/' ? t : "/tmp";
}

/* rm -rf that also undoes a candidate's chmod: every directory is made
 * rwx for us before it is read. No symlink is followed, not even by the
 * chmod (a straggler might swap one in while we walk). */
static int rmtree_at(int parent, const char *name, int depth)
{
    if (unlinkat(parent, name, 0) == 0 || errno == ENOENT) return 0;
    if (depth > RMTREE_MAX_DEPTH) return -1;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == EACCES) {
        int pfd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (pfd >= 0) {
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
            if (chmod(proc, 0700) == 0) fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            close(pfd);
        }
    }
    if (fd < 0) return -1;
    fchmod(fd, 0700); /* its entries need a writable, searchable parent */
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            rmtree_at(dirfd(d), e->d_name, depth + 1);
    closedir(d);
    return unlinkat(parent, name, AT_REMOVEDIR);
}

/* Opens name in dirfd (flags include O_NOFOLLOW) when it is ours, even when
 * it was chmod'ed to 0 (it then gets `mode` back). -1 otherwise. */
static int open_ours(int dirfd, const char *name, int flags, mode_t mode, struct stat *st)
{
    int fd = openat(dirfd, name, flags | O_CLOEXEC);
    if (fd < 0 && errno == EACCES) {
        int pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (flags & O_DIRECTORY));
        if (pfd < 0) return -1;
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
        if (fstat(pfd, st) == 0 && st->st_uid == geteuid() && chmod(proc, mode) == 0)
            fd = open(proc, flags | O_CLOEXEC);
        close(pfd);
    }
    if (fd >= 0 && (fstat(fd, st) != 0 || st->st_uid != geteuid())) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Removes base's session directories whose harness is gone (see above). */
static void sweep(const char *base)
{
    int bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0) return;
    DIR *d = fdopendir(bfd);
    if (!d) {
        close(bfd);
        return;
    }
    const char *own = session.dir ? strrchr(session.dir, '/') + 1 : "";
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, SESSION_PREFIX, strlen(SESSION_PREFIX)) || !strcmp(e->d_name, own))
            continue;
        struct stat dst, lst, now;
        int sfd = open_ours(bfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0711, &dst);
        if (sfd < 0) continue;
        int lfd = open_ours(sfd, LOCK_NAME, O_RDONLY | O_NOFOLLOW, 0600, &lst);
        /* taken: its holder is dead; and the name still means that directory */
        if (lfd >= 0 && S_ISREG(lst.st_mode) && flock(lfd, LOCK_EX | LOCK_NB) == 0 &&
            fstatat(bfd, e->d_name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_dev == dst.st_dev &&
            now.st_ino == dst.st_ino)
            rmtree_at(bfd, e->d_name, 0);
        if (lfd >= 0) close(lfd);
        close(sfd);
    }
    closedir(d);
}

static void session_close(void)
{
    if (session.owner == getpid()) rmtree_at(AT_FDCWD, session.dir, 0);
    if (session.lock_fd >= 0) close(session.lock_fd); /* a forked copy: the parent's lock stays */
    free(session.dir);
    session.dir = NULL;
    session.lock_fd = -1;
    session.users = 0;
}

static int session_open(jt_err *err)
{
    const char *base = tmp_base();
    char *dir = jt_xasprintf("%s/" SESSION_PREFIX "XXXXXX", base);
    if (!mkdtemp(dir)) {
        jt_err_set(err, "cannot create a session directory in '%s': %s", base, strerror(errno));
        free(dir);
        return -1;
    }
    char *fresh = jt_xasprintf("%s/" LOCK_NAME ".new", dir);
    char *lock = jt_xasprintf("%s/" LOCK_NAME, dir);
    int fd = open(fresh, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (chmod(dir, 0711) != 0 || fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0 ||
        rename(fresh, lock) != 0) {
        jt_err_set(err, "cannot set up the session directory '%s': %s", dir, strerror(errno));
        if (fd >= 0) close(fd);
        unlink(fresh);
        rmdir(dir);
        free(dir);
        fd = -1;
    } else {
        session.dir = dir;
        session.lock_fd = fd;
        session.users = 0;
        session.owner = getpid();
    }
    free(fresh);
    free(lock);
    return fd < 0 ? -1 : 0;
}

char *jt_child_session_get_(jt_err *err)
{
    if (session.dir && session.owner != getpid()) session_close(); /* inherited by fork */
    if (!session.dir && session_open(err) < 0) return NULL;
    sweep(tmp_base());
    char *workdir = jt_xasprintf("%s/jt-child-XXXXXX", session.dir);
    if (!mkdtemp(workdir)) {
        jt_err_set(err, "cannot create a working directory in '%s': %s", session.dir,
                   strerror(errno));
        free(workdir);
        if (!session.users) session_close();
        return NULL;
    }
    session.users++;
    return workdir;
}

void jt_child_session_put_(char *workdir)
{
    if (!workdir) return;
    rmtree_at(AT_FDCWD, workdir, 0);
    free(workdir);
    if (!session.dir) return;
    if (session.owner != getpid()) session_close(); /* not ours to count or remove */
    else if (session.users && !--session.users) session_close();
}
