/* Crash-safe file helpers (fsutil.h). */
#include "jouletrace/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int jt_write_file_atomic(const char *path, const void *data, size_t len, jt_err *err)
{
    char *tmp = jt_xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd < 0) {
        jt_err_set(err, "cannot create '%s': %s", tmp, strerror(errno));
        goto out;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        jt_err_set(err, "cannot write '%s': %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        jt_err_set(err, "cannot replace '%s': %s", path, strerror(errno));
        unlink(tmp);
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
