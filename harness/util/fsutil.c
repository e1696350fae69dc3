/* Crash-safe file helpers (fsutil.h). */
#include "jouletrace/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w, len -= (size_t)w;
    }
    return 0;
}

static void fsync_dir_of(const char *path)
{
    char *tmp = jt_xstrdup(path);
    int fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* best effort: the rename itself already happened */
        close(fd);
    }
    free(tmp);
}

/* Same file (device and inode) as the one open on fd? */
static bool same_file(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Opens path.tmp.PID and holds an exclusive flock on it until the caller
 * closes it (after the rename): jt_remove_stale_temps never takes a file
 * that is being written. The lock is taken on the file the path still
 * names, so a remover that unlinked it between our open and flock is seen. */
static int open_locked_temp(const char *tmp)
{
    for (;;) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) return -1;
        int locked = flock(fd, LOCK_EX) == 0;
        if ((!locked && errno == EINTR) || (locked && !same_file(fd, tmp))) {
            close(fd); /* removed as stale between open and flock: create it again */
            continue;
        }
        /* (a file system without flock: written unlocked, never removed as stale) */
        if (ftruncate(fd, 0) == 0) return fd;
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
}

typedef struct mem_src {
    const void *data;
    size_t len;
} mem_src;

static int fill_mem(int fd, void *ctx)
{
    const mem_src *m = ctx;
    return write_all(fd, m->data, m->len);
}

int jt_write_file_atomic(const char *path, const void *data, size_t len, jt_err *err)
{
    mem_src m = {data, len};
    return jt_write_file_atomic_fn(path, fill_mem, &m, err);
}

int jt_write_file_atomic_fn(const char *path, int (*fill)(int fd, void *ctx), void *ctx,
                            jt_err *err)
{
    char *tmp = jt_xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open_locked_temp(tmp);
    int rc = -1;
    if (fd < 0) {
        jt_err_set(err, "cannot create '%s': %s", tmp, strerror(errno));
        goto out;
    }
    if (fill(fd, ctx) != 0 || fsync(fd) != 0) {
        jt_err_set(err, "cannot write '%s': %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        jt_err_set(err, "cannot replace '%s': %s", path, strerror(errno));
        unlink(tmp);
        close(fd);
        goto out;
    }
    if (close(fd) != 0) { /* after the rename: the flock is held until it is done */
        jt_err_set(err, "cannot replace '%s': %s", path, strerror(errno));
        goto out;
    }
    fsync_dir_of(path);
    rc = 0;
out:
    free(tmp);
    return rc;
}

int jt_read_file(const char *path, char **data, size_t *len, jt_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return jt_err_set(err, "cannot open '%s': %s", path, strerror(errno));
    jt_buf b = JT_BUF_INIT;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            jt_buf_release(&b);
            return jt_err_set(err, "cannot read '%s': %s", path, strerror(e));
        }
        if (n == 0) break;
        jt_buf_add(&b, chunk, (size_t)n);
    }
    close(fd);
    if (len) *len = b.len;
    *data = jt_buf_detach(&b);
    return 0;
}

int jt_mkdirs(const char *path, unsigned mode, jt_err *err)
{
    char *p = jt_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
                rc = jt_err_set(err, "cannot create directory '%s': %s", p, strerror(errno));
                break;
            }
            *s = c;
            if (!c) break;
        }
    }
    free(p);
    return rc;
}

int jt_rmtree(const char *path, jt_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) return 0;
        return jt_err_set(err, "cannot stat '%s': %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) != 0 && errno != ENOENT)
            return jt_err_set(err, "cannot remove '%s': %s", path, strerror(errno));
        return 0;
    }
    chmod(path, 0700); /* the owner may have made it unreadable */
    DIR *d = opendir(path);
    if (!d) return jt_err_set(err, "cannot open directory '%s': %s", path, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *sub = jt_xasprintf("%s/%s", path, e->d_name);
        if (jt_rmtree(sub, err) != 0) rc = -1;
        free(sub);
    }
    closedir(d);
    if (rmdir(path) != 0 && errno != ENOENT)
        rc = jt_err_set(err, "cannot remove directory '%s': %s", path, strerror(errno));
    return rc;
}

/* "NAME.tmp.DIGITS" for one of names? */
static bool is_temp_of(const char *entry, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(entry, names[i], n) || strncmp(entry + n, ".tmp.", 5)) continue;
        const char *d = entry + n + 5;
        if (!*d) continue;
        while (*d >= '0' && *d <= '9') d++;
        if (!*d) return true;
    }
    return false;
}

int jt_remove_stale_temps(const char *dir, const char *const *names, jt_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return 0;
        return jt_err_set(err, "cannot open directory '%s': %s", dir, strerror(errno));
    }
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_temp_of(e->d_name, names)) continue;
        char *path = jt_xasprintf("%s/%s", dir, e->d_name);
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        /* A writer holds its temp file's flock from creation to rename. */
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
            same_file(fd, path) && unlink(path) == 0)
            removed++;
        if (fd >= 0) close(fd);
        free(path);
    }
    closedir(d);
    return removed;
}
