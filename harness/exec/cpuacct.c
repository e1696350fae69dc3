/* cpuacct: the CPU time of a child's whole process tree, read by the harness
 * (cpuacct.h says what is and is not counted). The cgroup method is here;
 * the /proc walk is cpuacct_proc.c. */
#include "jouletrace/cpuacct.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/cpuacct_priv.h"
#include "jouletrace/cgroup.h"
#include "jouletrace/fsutil.h"

/* How long free waits for a killed cgroup to empty before leaving it. */
#define RMDIR_ROUNDS 200
#define RMDIR_WAIT_NS 5000000L

static const char *const method_names[] = {
    [JT_CPUACCT_CGROUP] = "cgroup",
    [JT_CPUACCT_PROC] = "proc",
};

const char *jt_cpuacct_method_name(jt_cpuacct_method m)
{
    return (unsigned)m < sizeof method_names / sizeof method_names[0] ? method_names[m] : "?";
}

jt_cpuacct_method jt_cpuacct_method_of(const jt_cpuacct *a)
{
    return a->method;
}

const char *jt_cpuacct_why(const jt_cpuacct *a)
{
    return a->method == JT_CPUACCT_CGROUP ? NULL : a->why;
}

/* Reads a small file (cpu.stat, mountinfo, /proc/self/cgroup) whole. */
static int slurp(const char *path, char **text, jt_err *err)
{
    size_t len = 0;
    return jt_read_file(path, text, &len, err);
}

/* usage_usec of a cgroup v2 directory's cpu.stat. */
static int read_usage(const char *dir, uint64_t *usec, jt_err *err)
{
    if (!dir) return jt_err_set(err, "no cgroup");
    char *path = jt_xasprintf("%s/cpu.stat", dir), *text = NULL;
    int rc = slurp(path, &text, err);
    if (rc == 0) {
        const char *p = strstr(text, "usage_usec ");
        char *end = NULL;
        if (p && (p == text || p[-1] == '\n')) *usec = strtoull(p + 11, &end, 10);
        if (!end || end == p + 11) rc = jt_err_set(err, "'%s' has no usage_usec line", path);
    }
    free(text);
    free(path);
    return rc;
}

/* Writes `text` to a control file; -1 with errno. */
static int write_ctl(const char *dir, const char *file, const char *text)
{
    char *path = jt_xasprintf("%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    free(path);
    if (fd < 0) return -1;
    size_t n = strlen(text);
    ssize_t w = write(fd, text, n);
    int saved = errno;
    close(fd);
    errno = saved;
    return w == (ssize_t)n ? 0 : -1;
}

/* The directory of our own cgroup in the cgroup2 mount: the mount point
 * plus our path (/proc/self/cgroup "0::PATH") below the mount's root. NULL
 * with *why when there is no cgroup2 mount or we are not below its root. */
static char *own_v2_dir(char **why)
{
    char *mi = NULL, *cg = NULL, *dir = NULL;
    jt_err e = JT_ERR_INIT;
    if (slurp("/proc/self/mountinfo", &mi, &e) != 0 || slurp("/proc/self/cgroup", &cg, &e) != 0) {
        *why = jt_xstrdup(jt_err_msg(&e));
        goto out;
    }
    const char *path = strstr(cg, "0::");
    if (!path || (path != cg && path[-1] != '\n')) {
        *why = jt_xstrdup("no cgroup v2 membership in /proc/self/cgroup");
        goto out;
    }
    path += 3;
    size_t plen = strcspn(path, "\n");
    for (char *save = NULL, *line = strtok_r(mi, "\n", &save); line && !dir;
         line = strtok_r(NULL, "\n", &save)) {
        const char *sep = strstr(line, " - ");
        if (!sep || strncmp(sep + 3, "cgroup2 ", 8)) continue;
        char root[4096], mnt[4096];
        /* id parent major:minor root mountpoint ...; octal escapes (\040)
         * mean odd characters: such a mount is skipped */
        if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 || strchr(root, '\\') ||
            strchr(mnt, '\\'))
            continue;
        size_t rlen = strcmp(root, "/") ? strlen(root) : 0;
        if (plen < rlen || strncmp(path, root, rlen) || (path[rlen] != '/' && rlen != plen))
            continue;
        dir = jt_xasprintf("%s%.*s", mnt, (int)(plen - rlen), path + rlen);
    }
    if (!dir) *why = jt_xstrdup("no cgroup2 mount holds our cgroup");
out:
    jt_err_clear(&e);
    free(mi);
    free(cg);
    return dir;
}

/* Removes the jouletrace-<harness>-<child> directories in `base` whose
 * harness is gone (one killed by SIGKILL cannot remove its own). Only
 * rmdir: a cgroup that still holds processes refuses, and is left alone. */
static void sweep_stale(const char *base)
{
    DIR *d = opendir(base);
    if (!d) return;
    for (struct dirent *de; (de = readdir(d));) {
        long harness = 0, child = 0;
        char tail;
        if (sscanf(de->d_name, "jouletrace-%ld-%ld%c", &harness, &child, &tail) != 2 ||
            harness <= 0 || harness == (long)getpid())
            continue;
        if (kill((pid_t)harness, 0) == 0 || errno != ESRCH) continue;
        char *dir = jt_xasprintf("%s/%s", base, de->d_name);
        rmdir(dir);
        free(dir);
    }
    closedir(d);
}

/* Creates jouletrace-<harness>-<child> below our cgroup and moves the child
 * there. Returns 0 or -1 with a->why. */
static int make_cgroup(jt_cpuacct *a, pid_t pid)
{
    char *base = own_v2_dir(&a->why);
    if (!base) return -1;
    sweep_stale(base);
    size_t bl = strlen(base);
    char *dir = jt_xasprintf("%s%sjouletrace-%ld-%ld", base, bl && base[bl - 1] == '/' ? "" : "/",
                             (long)getpid(), (long)pid);
    free(base);
    jt_err e = JT_ERR_INIT;
    uint64_t usec;
    char pidtext[32];
    snprintf(pidtext, sizeof pidtext, "%ld\n", (long)pid);
    if (mkdir(dir, 0755) != 0) {
        a->why = jt_xasprintf("mkdir '%s': %s", dir, strerror(errno));
    } else if (read_usage(dir, &usec, &e) != 0) {
        a->why = jt_xasprintf("cgroup '%s': %s", dir, jt_err_msg(&e));
        rmdir(dir);
    } else if (write_ctl(dir, "cgroup.procs", pidtext) != 0) {
        a->why = jt_xasprintf("move the child into '%s': %s", dir, strerror(errno));
        rmdir(dir);
    } else {
        a->cgroup = dir;
        a->own_cgroup = true;
        jt_err_clear(&e);
        return 0;
    }
    jt_err_clear(&e);
    free(dir);
    return -1;
}

int jt_cpuacct_open(const jt_cpuacct_target *t, jt_cpuacct **out, jt_err *err)
{
    *out = NULL;
    if (t->pid <= 0) return jt_err_set(err, "cpuacct: no child");
    jt_cpuacct *a = jt_xcalloc(1, sizeof *a);
    a->pid = t->pid;
    a->namespaced = t->namespaced;
    a->method = JT_CPUACCT_PROC;
    const char *off = getenv("JOULETRACE_CPUACCT_NO_CGROUP");
    jt_err e = JT_ERR_INIT;
    uint64_t usec;
    if (t->cgroup && !(off && *off) && jt_cgroup_cpu_usec(t->cgroup, &usec, &e) == 0) {
        a->cg = t->cgroup;
        a->cgroup = jt_xstrdup(jt_cgroup_dir(t->cgroup));
    } else if (t->cgroup_dir) {
        if (read_usage(t->cgroup_dir, &usec, &e) == 0) a->cgroup = jt_xstrdup(t->cgroup_dir);
        else a->why = jt_xstrdup(jt_err_msg(&e));
    } else if (off && *off) {
        a->why = jt_xstrdup("disabled by JOULETRACE_CPUACCT_NO_CGROUP");
    } else if (t->no_cgroup) {
        a->why = jt_xstrdup("disabled by the caller");
    } else {
        make_cgroup(a, t->pid);
    }
    jt_err_clear(&e);
    if (a->cgroup) a->method = JT_CPUACCT_CGROUP;
    if (a->method == JT_CPUACCT_PROC && jt_cpuacct_proc_init_(a, err) != 0) {
        jt_cpuacct_free(a);
        return jt_err_prefix(err, "cpuacct");
    }
    if (jt_cpuacct_mark(a, err) != 0) {
        jt_cpuacct_free(a);
        return -1;
    }
    *out = a;
    return 0;
}

int jt_cpuacct_mark(jt_cpuacct *a, jt_err *err)
{
    if (a->method == JT_CPUACCT_PROC) return jt_cpuacct_proc_mark_(a, err);
    if (a->cg ? jt_cgroup_cpu_usec(a->cg, &a->mark_usec, err) != 0
              : read_usage(a->cgroup, &a->mark_usec, err) != 0)
        return jt_err_prefix(err, "cpuacct");
    return 0;
}

int jt_cpuacct_since_mark(jt_cpuacct *a, double *seconds, jt_err *err)
{
    *seconds = 0;
    if (a->method == JT_CPUACCT_PROC) {
        uint64_t ns = 0;
        if (jt_cpuacct_proc_since_(a, &ns, err) != 0) return -1;
        *seconds = (double)ns / 1e9;
        return 0;
    }
    uint64_t now = 0;
    if (a->cg ? jt_cgroup_cpu_usec(a->cg, &now, err) != 0 : read_usage(a->cgroup, &now, err) != 0)
        return jt_err_prefix(err, "cpuacct");
    *seconds = now > a->mark_usec ? (double)(now - a->mark_usec) / 1e6 : 0;
    return 0;
}

/* cgroup.kill (Linux 5.14+) ends tasks that escaped the child's process
 * group; a cgroup can only be removed once no task is left in it (zombies
 * have already left), which takes the kills' delivery. */
static void remove_cgroup(const char *dir)
{
    write_ctl(dir, "cgroup.kill", "1");
    for (int round = 0; rmdir(dir) != 0 && errno == EBUSY && round < RMDIR_ROUNDS; round++) {
        struct timespec ts = {0, RMDIR_WAIT_NS};
        nanosleep(&ts, NULL);
    }
}

void jt_cpuacct_free(jt_cpuacct *a)
{
    if (!a) return;
    if (a->own_cgroup) remove_cgroup(a->cgroup);
    jt_cpuacct_proc_release_(a);
    free(a->cgroup);
    free(a->why);
    free(a);
}
