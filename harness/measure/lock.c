/* The socket-0 lock (lock.h). */
#include "jouletrace/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Times jt_lock_acquire starts over (file created or replaced meanwhile, a
 * `status` probe's shared lock in the way) before giving up. */
#define ACQUIRE_ATTEMPTS 200
#define HOLDER_TEXT_MAX 120 /* bytes of a holder's command line or JSON string shown */

char *jt_lock_default_path(void)
{
    const char *env = getenv("JOULETRACE_LOCK_FILE");
    return jt_xstrdup(env && *env ? env : JT_LOCK_DEFAULT_PATH);
}

/* A printable copy of s[0..len) (at most HOLDER_TEXT_MAX bytes): someone
 * else's text, bound for a terminal. */
static char *printable(const char *s, size_t len)
{
    if (len > HOLDER_TEXT_MAX) len = HOLDER_TEXT_MAX;
    char *p = jt_utf8_sanitize(s, len);
    for (char *c = p; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    return p;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return jt_xstrdup(".");
    return slash == path ? jt_xstrdup("/") : jt_xstrndup(path, (size_t)(slash - path));
}

/* Why the lock file cannot be created (errno e): the same words whether
 * jt_lock_acquire met it or jt_lock_probe foresaw it. */
static char *create_failure(const char *path, int e)
{
    char *dir = dir_of(path);
    char *why;
    if (e == ENOENT)
        why = jt_xasprintf("it does not exist and its directory %s does not either: create the "
                           "directory (as root: mkdir -m 1777 %s) or choose another lock file "
                           "with --lock-file or JOULETRACE_LOCK_FILE",
                           dir, dir);
    else
        why = jt_xasprintf("it does not exist and cannot be created in %s (%s): as root, create it "
                           "once for every user with `install -m 0666 /dev/null %s`, or choose "
                           "another lock file with --lock-file or JOULETRACE_LOCK_FILE",
                           dir, strerror(e), path);
    free(dir);
    return why;
}

static int unusable(jt_lock_state *st, char *reason)
{
    st->status = JT_LOCK_UNUSABLE;
    free(st->reason);
    st->reason = reason;
    return -1;
}

/* lstat's verdict on what is at the path: 0 a regular file (*sb filled),
 * 1 nothing, -1 something to refuse (st says why). */
static int check_path(const char *path, struct stat *sb, jt_lock_state *st)
{
    if (lstat(path, sb) != 0) {
        if (errno == ENOENT) return 1;
        if (errno == EACCES)
            return unusable(st, jt_xasprintf("uid %u may not search a directory above it: choose "
                                             "a lock file every user can reach (--lock-file or "
                                             "JOULETRACE_LOCK_FILE)",
                                             (unsigned)getuid()));
        return unusable(st, jt_xasprintf("cannot examine it: %s", strerror(errno)));
    }
    if (S_ISLNK(sb->st_mode))
        return unusable(st, jt_xasprintf("it is a symbolic link, which jouletrace never follows "
                                         "(anyone could point it elsewhere): remove it (rm %s)",
                                         path));
    if (!S_ISREG(sb->st_mode))
        return unusable(st, jt_xasprintf("it is not a regular file (mode %06o): remove it or "
                                         "choose another lock file with --lock-file",
                                         (unsigned)sb->st_mode));
    return 0;
}

/* Opens an existing lock file, never creating it, never following a link:
 * O_RDWR, else O_RDONLY. 0 with *fd, 1 when there is none, -1 (st set). */
static int open_existing(const char *path, int *fd, bool *writable, jt_lock_state *st)
{
    struct stat before, after;
    int r = check_path(path, &before, st);
    if (r != 0) return r;
    /* O_NONBLOCK: a FIFO swapped in after the lstat must not hang us. */
    const int flags = O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    *writable = true;
    int f = open(path, O_RDWR | flags);
    if (f < 0 && (errno == EACCES || errno == EROFS)) {
        *writable = false; /* a file another user made 0644: flock needs no write access */
        f = open(path, O_RDONLY | flags);
    }
    if (f < 0) {
        int e = errno;
        if (e == ENOENT) return 1; /* removed since the lstat */
        if (e == ELOOP) return check_path(path, &before, st) < 0 ? -1 : 1;
        if (e == EACCES)
            return unusable(st, jt_xasprintf("uid %u may not read it (owner uid %u, mode %04o): "
                                             "its owner or root can fix that with `chmod 0666 "
                                             "%s`, or remove it",
                                             (unsigned)getuid(), (unsigned)before.st_uid,
                                             (unsigned)(before.st_mode & 07777), path));
        return unusable(st, jt_xasprintf("cannot open it: %s", strerror(e)));
    }
    if (fstat(f, &after) != 0 || !S_ISREG(after.st_mode)) {
        close(f);
        return check_path(path, &before, st) < 0 ? -1 : 1; /* swapped: look again */
    }
    *fd = f;
    return 0;
}

/* Creates the missing lock file for every user. 0 with *fd, 1 when someone
 * else created it first, -1 (st set). */
static int create_new(const char *path, int *fd, jt_lock_state *st)
{
    int f = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0666);
    if (f < 0) {
        if (errno == EEXIST) return 1;
        return unusable(st, create_failure(path, errno));
    }
    /* The umask must not lock other users out; a failure here leaves them the
     * read-only open, which flock is content with. */
    if (fchmod(f, 0666) != 0) {
        /* nothing better to do */
    }
    *fd = f;
    return 0;
}

/* The exclusive FLOCK holder of (dev, ino) in /proc/locks: its PID, 0 when
 * none is shown. */
static long kernel_holder(dev_t dev, ino_t ino)
{
    long pid = 0;
    FILE *f = fopen("/proc/locks", "re");
    if (!f) return 0;
    char *line = NULL;
    size_t cap = 0;
    long by_ino = 0;
    int n_by_ino = 0;
    while (getline(&line, &cap, f) > 0) {
        const char *p = strchr(line, ':');
        if (!p) continue;
        p++;
        while (*p == ' ') p++;
        if (!strncmp(p, "->", 2)) continue; /* a waiter, not a holder */
        char type[16], adv[16], mode[16];
        long who;
        unsigned maj, min;
        unsigned long long i;
        if (sscanf(p, "%15s %15s %15s %ld %x:%x:%llu", type, adv, mode, &who, &maj, &min, &i) != 7 ||
            strcmp(type, "FLOCK") || i != (unsigned long long)ino)
            continue;
        if (strcmp(mode, "WRITE")) continue; /* shared: a `status` probe */
        if (maj == major(dev) && min == minor(dev)) {
            pid = who;
        } else {
            /* some file systems (btrfs) show another device number than stat */
            by_ino = who;
            n_by_ino++;
        }
    }
    free(line);
    fclose(f);
    return pid ? pid : n_by_ino == 1 ? by_ino : 0;
}

static char *cmdline_of(long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    FILE *f = fopen(path, "re");
    if (!f) return NULL;
    char buf[HOLDER_TEXT_MAX + 1];
    size_t n = fread(buf, 1, HOLDER_TEXT_MAX, f);
    fclose(f);
    while (n && buf[n - 1] == '\0') n--;
    if (!n) return NULL;
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\0') buf[i] = ' ';
    return printable(buf, n);
}

static char *json_text(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s ? printable(s, strlen(s)) : NULL;
}

/* Fills st for a lock someone holds: the kernel's PID, and the holder's
 * line from the file when it names that PID. */
static void describe_holder(int fd, jt_lock_state *st)
{
    st->status = JT_LOCK_HELD;
    struct stat sb;
    if (fstat(fd, &sb) == 0) st->pid = kernel_holder(sb.st_dev, sb.st_ino);
    if (!st->pid) return;
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    json_t *j = NULL;
    if (n > 0) {
        buf[n] = '\0';
        j = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
    }
    if (j && json_integer_value(json_object_get(j, "pid")) == st->pid) {
        st->command = json_text(j, "command");
        st->suite = json_text(j, "suite");
        st->since = json_text(j, "started");
    }
    json_decref(j);
    if (!st->command) st->command = cmdline_of(st->pid);
}

jt_lock_status jt_lock_probe(const char *path, jt_lock_state *st)
{
    memset(st, 0, sizeof *st);
    int fd;
    bool writable;
    int r = open_existing(path, &fd, &writable, st);
    if (r < 0) return st->status;
    if (r == 1) {
        /* No file: free if jt_lock_acquire could create it. */
        char *dir = dir_of(path);
        if (access(dir, W_OK | X_OK) != 0) unusable(st, create_failure(path, errno));
        free(dir);
        return st->status;
    }
    describe_holder(fd, st);
    if (!st->pid) {
        /* None shown (no /proc, or a holder in another PID namespace): ask
         * flock, with a shared lock that excludes no other prober. */
        if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
            flock(fd, LOCK_UN);
            st->status = JT_LOCK_FREE;
        } else if (errno != EWOULDBLOCK) {
            unusable(st, jt_xasprintf("flock on it fails: %s", strerror(errno)));
        }
    }
    close(fd);
    return st->status;
}

char *jt_lock_describe(const jt_lock_state *st)
{
    switch (st->status) {
    case JT_LOCK_FREE: return jt_xstrdup("free");
    case JT_LOCK_UNUSABLE: return jt_xasprintf("unusable: %s", st->reason ? st->reason : "?");
    case JT_LOCK_HELD: break;
    }
    if (!st->pid)
        return jt_xstrdup("held by a process not shown here (in another PID namespace or "
                          "container, or /proc is not mounted)");
    jt_buf b = JT_BUF_INIT;
    jt_buf_addf(&b, "held by pid %ld (%s", st->pid, st->command ? st->command : "?");
    if (st->suite) jt_buf_addf(&b, ", suite %s", st->suite);
    if (st->since) jt_buf_addf(&b, ", since %s", st->since);
    jt_buf_adds(&b, ")");
    return jt_buf_detach(&b);
}

void jt_lock_state_release(jt_lock_state *st)
{
    free(st->command);
    free(st->suite);
    free(st->since);
    free(st->reason);
    memset(st, 0, sizeof *st);
}

static bool still_at_path(const char *path, int fd)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

static void write_holder(int fd, const char *command, const char *suite)
{
    char *when = jt_utc_now();
    json_t *j = json_pack("{s:I,s:s,s:s?,s:s}", "pid", (json_int_t)getpid(), "command", command,
                          "suite", suite, "started", when);
    char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    free(when);
    /* Only for others' information: the flock is what excludes. */
    if (line && ftruncate(fd, 0) == 0 && pwrite(fd, line, strlen(line), 0) < 0) {
        /* the kernel still names the holder */
    }
    free(line);
}

static int refuse(const char *path, const jt_lock_state *st, bool *busy, jt_err *err)
{
    char *what = jt_lock_describe(st);
    if (st->status == JT_LOCK_HELD) {
        if (busy) *busy = true;
        jt_err_set(err, "socket 0 is busy: %s (lock file %s)", what, path);
    } else {
        jt_err_set(err, "socket-0 lock file %s is unusable: %s", path,
                   st->reason ? st->reason : "?");
    }
    free(what);
    return -1;
}

int jt_lock_acquire(jt_lock *l, const char *path, const char *command, const char *suite,
                    bool wait, bool *busy, jt_err *err)
{
    l->fd = -1;
    l->path = NULL;
    l->writable = false;
    if (busy) *busy = false;
    jt_lock_state st;
    memset(&st, 0, sizeof st);
    for (int attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
        jt_lock_state_release(&st);
        int fd = -1;
        bool writable = true;
        int r = open_existing(path, &fd, &writable, &st);
        if (r == 1) r = create_new(path, &fd, &st);
        if (r == 1) continue; /* created by someone else meanwhile: open theirs */
        if (r < 0) break;
        int rc;
        while ((rc = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB))) != 0 && errno == EINTR) {
        }
        if (rc != 0) {
            int e = errno;
            if (e == EWOULDBLOCK) describe_holder(fd, &st);
            else unusable(&st, jt_xasprintf("flock on it fails: %s", strerror(e)));
            close(fd);
            if (e == EWOULDBLOCK && !st.pid && attempt + 1 < ACQUIRE_ATTEMPTS) {
                /* Nobody holds it exclusively that we can see: most likely a
                 * `status` probe's momentary shared lock. Look again. */
                sched_yield();
                continue;
            }
            break;
        }
        if (!still_at_path(path, fd)) {
            close(fd); /* replaced between our open and our flock: lock the new one */
            continue;
        }
        if (writable) write_holder(fd, command, suite);
        l->fd = fd;
        l->path = jt_xstrdup(path);
        l->writable = writable;
        return 0;
    }
    if (st.status == JT_LOCK_FREE)
        unusable(&st, jt_xasprintf("it was replaced %d times while jouletrace tried to lock it: "
                                   "something keeps removing it",
                                   ACQUIRE_ATTEMPTS));
    int rc = refuse(path, &st, busy, err);
    jt_lock_state_release(&st);
    return rc;
}

void jt_lock_release(jt_lock *l)
{
    if (l->fd >= 0) {
        /* Empty the file before unlocking so nobody reads a stale holder. */
        if (l->writable && ftruncate(l->fd, 0) != 0) {
            /* nothing useful to do: the flock is what excludes */
        }
        flock(l->fd, LOCK_UN);
        close(l->fd);
    }
    l->fd = -1;
    free(l->path);
    l->path = NULL;
    l->writable = false;
}
