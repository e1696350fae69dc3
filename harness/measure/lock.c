/* The socket-0 lock (lock.h). */
#include "jouletrace/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *jt_lock_default_path(void)
{
    const char *env = getenv("JOULETRACE_LOCK_FILE");
    if (env && *env) return jt_xstrdup(env);
    if (access("/run/lock", W_OK) == 0) return jt_xstrdup("/run/lock/jouletrace-socket0.lock");
    return jt_xasprintf("/tmp/jouletrace-socket0-%u.lock", (unsigned)getuid());
}

static char *describe_holder(int fd)
{
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return jt_xstrdup("held by an unknown process");
    buf[n] = '\0';
    json_t *j = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
    if (!j) return jt_xstrdup("held by an unknown process");
    const char *suite = json_string_value(json_object_get(j, "suite"));
    char *s = jt_xasprintf("held by pid %lld (%s%s%s, since %s)",
                           (long long)json_integer_value(json_object_get(j, "pid")),
                           json_string_value(json_object_get(j, "command"))
                               ? json_string_value(json_object_get(j, "command"))
                               : "?",
                           suite ? ", suite " : "", suite ? suite : "",
                           json_string_value(json_object_get(j, "started"))
                               ? json_string_value(json_object_get(j, "started"))
                               : "?");
    json_decref(j);
    return s;
}

int jt_lock_acquire(jt_lock *l, const char *path, const char *command, const char *suite,
                    bool wait, bool *busy, jt_err *err)
{
    l->fd = -1;
    l->path = NULL;
    if (busy) *busy = false;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return jt_err_set(err, "cannot open lock file '%s': %s", path, strerror(errno));
    while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        if (errno == EINTR && wait) continue;
        int e = errno;
        if (e == EWOULDBLOCK) {
            char *who = describe_holder(fd);
            jt_err_set(err, "socket 0 is busy: %s (lock file %s)", who, path);
            free(who);
            if (busy) *busy = true;
        } else {
            jt_err_set(err, "cannot lock '%s': %s", path, strerror(e));
        }
        close(fd);
        return -1;
    }
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    json_t *j = json_pack("{s:I,s:s,s:s?,s:s}", "pid", (json_int_t)getpid(), "command", command,
                          "suite", suite, "started", when);
    char *line = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, strlen(line), 0) < 0) {
        int e = errno;
        free(line);
        close(fd);
        return jt_err_set(err, "cannot write lock file '%s': %s", path, strerror(e));
    }
    free(line);
    l->fd = fd;
    l->path = jt_xstrdup(path);
    return 0;
}

void jt_lock_release(jt_lock *l)
{
    if (l->fd >= 0) {
        /* Empty the file before unlocking so nobody reads a stale holder. */
        if (ftruncate(l->fd, 0) != 0) {
            /* nothing useful to do: the flock is what excludes */
        }
        flock(l->fd, LOCK_UN);
        close(l->fd);
    }
    l->fd = -1;
    free(l->path);
    l->path = NULL;
}

int jt_lock_holder(const char *path, char **holder, jt_err *err)
{
    *holder = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        return jt_err_set(err, "cannot open lock file '%s': %s", path, strerror(errno));
    }
    /* A shared lock succeeds only when nobody holds the exclusive one. */
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        flock(fd, LOCK_UN);
        close(fd);
        return 0;
    }
    int held = errno == EWOULDBLOCK;
    if (held) *holder = describe_holder(fd);
    else jt_err_set(err, "cannot inspect lock '%s': %s", path, strerror(errno));
    close(fd);
    return held ? 1 : -1;
}
