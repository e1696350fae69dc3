/* cpuacct's proc method: the child's tree task by task from the host's
 * /proc (cpuacct.h: what is and is not counted, and why). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/cpuacct_priv.h"
#include "jouletrace/sysfile.h"

/* PID namespaces nest at most 32 deep (kernel MAX_PID_NS_LEVEL). */
#define MAX_NS_DEPTH 32

static void snap_clear(jt_cpuacct_snap_ *s)
{
    free(s->t);
    memset(s, 0, sizeof *s);
}

static const jt_cpuacct_task_ *find_task(const jt_cpuacct_snap_ *s, pid_t pid,
                                         unsigned long long start)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->t[i].pid == pid && s->t[i].start == start) return &s->t[i];
    return NULL;
}

static int ns_of(const char *path, dev_t *dev, ino_t *ino)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return 0;
}

int jt_cpuacct_proc_init_(jt_cpuacct *a, jt_err *err)
{
    if (!a->namespaced) return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/ns/pid", (long)a->pid);
    if (ns_of(path, &a->ns_dev, &a->ns_ino) != 0)
        return jt_err_set(err, "cannot read '%s': %s", path, strerror(errno));
    if (ns_of("/proc/self/ns/pid", &a->self_ns_dev, &a->self_ns_ino) != 0)
        return jt_err_set(err, "cannot read '/proc/self/ns/pid': %s", strerror(errno));
    return 0;
}

/* Is task `pid` in the child's PID namespace or one nested below it? Walks
 * up with NS_GET_PARENT, which stops (EPERM) at the top of our own scope. A
 * zombie has no namespace left to open: false (it is found by PPid). */
static bool in_child_ns(const jt_cpuacct *a, pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/ns/pid", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool in = false;
    for (int depth = 0; depth < MAX_NS_DEPTH; depth++) {
        struct stat st;
        if (fstat(fd, &st) != 0) break;
        if (st.st_dev == a->ns_dev && st.st_ino == a->ns_ino) {
            in = true;
            break;
        }
        if (st.st_dev == a->self_ns_dev && st.st_ino == a->self_ns_ino) break; /* ours: above */
        int parent = ioctl(fd, NS_GET_PARENT);
        if (parent < 0) break;
        close(fd);
        fd = parent;
    }
    close(fd);
    return in;
}

/* Fields of /proc/PID/stat after the comm (which may hold anything, even
 * ')'): 3 state, 4 ppid, 5 pgrp, 6 session, 14-17 utime stime cutime
 * cstime, 22 starttime. */
static int parse_stat(pid_t pid, jt_cpuacct_task_ *t, unsigned long long *self_ticks)
{
    char buf[1024];
    const char *p = jt_proc_stat_fields((long)pid, buf, sizeof buf);
    if (!p) return -1;
    p++; /* the " " after ")", then the state */
    if (!*p) return -1;
    p++;
    unsigned long long f[23] = {0};
    for (int field = 4; field <= 22; field++) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno) return -1;
        f[field] = (unsigned long long)(v < 0 ? 0 : v);
        p = end;
    }
    long tick = sysconf(_SC_CLK_TCK);
    uint64_t ns_per_tick = tick > 0 ? (uint64_t)(1000000000L / tick) : 10000000u;
    *t = (jt_cpuacct_task_){.pid = pid,
                            .ppid = (pid_t)f[4],
                            .pgrp = (pid_t)f[5],
                            .sid = (pid_t)f[6],
                            .start = f[22],
                            .reaped_ns = (f[16] + f[17]) * ns_per_tick};
    *self_ticks = (f[14] + f[15]) * ns_per_tick;
    return 0;
}

/* The thread group's CPU in nanoseconds (all threads, live and exited); the
 * tick-grained stat figure where the clock cannot be read (a zombie). */
static uint64_t self_cpu_ns(pid_t pid, uint64_t fallback)
{
    clockid_t cid;
    struct timespec ts;
    if (clock_getcpuclockid(pid, &cid) != 0 || clock_gettime(cid, &ts) != 0) return fallback;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool is_member(const jt_cpuacct *a, const jt_cpuacct_task_ *t)
{
    if (t->pid == a->pid || find_task(&a->known, t->pid, t->start)) return true;
    if (!a->namespaced) return t->sid == a->pid || t->pgrp == a->pid;
    return in_child_ns(a, t->pid);
}

/* Every member of the child's tree now, into *out (members only). */
static int walk(jt_cpuacct *a, jt_cpuacct_snap_ *out, jt_err *err)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir("/proc");
    if (!d) return jt_err_set(err, "cannot read '/proc': %s", strerror(errno));
    jt_cpuacct_snap_ all = {0};
    uint64_t *ticks = NULL;
    size_t ticks_cap = 0;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == self) continue;
        jt_cpuacct_task_ t;
        unsigned long long st;
        if (parse_stat((pid_t)pid, &t, &st) != 0) continue; /* gone meanwhile */
        JT_GROW(all.t, all.n + 1, all.cap);
        if (all.n + 1 > ticks_cap) {
            ticks_cap = all.cap;
            ticks = jt_xreallocarray(ticks, ticks_cap, sizeof *ticks);
        }
        t.member = is_member(a, &t);
        ticks[all.n] = st;
        all.t[all.n++] = t;
    }
    closedir(d);
    /* Descendants by PPid, to a fixpoint (a walk's order is arbitrary). The
     * child's own parent is the harness, never a member. */
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < all.n; i++) {
            if (all.t[i].member) continue;
            for (size_t j = 0; j < all.n; j++)
                if (all.t[j].member && all.t[j].pid == all.t[i].ppid) {
                    all.t[i].member = grew = true;
                    break;
                }
        }
    }
    for (size_t i = 0; i < all.n; i++) {
        if (!all.t[i].member) continue;
        jt_cpuacct_task_ t = all.t[i];
        t.self_ns = self_cpu_ns(t.pid, ticks[i]);
        JT_GROW(out->t, out->n + 1, out->cap);
        out->t[out->n++] = t;
    }
    free(all.t);
    free(ticks);
    /* Members stay members while they live (a zombie, a setsid()). */
    snap_clear(&a->known);
    a->known.t = jt_xcalloc(out->n ? out->n : 1, sizeof *a->known.t);
    memcpy(a->known.t, out->t, out->n * sizeof *out->t);
    a->known.n = a->known.cap = out->n;
    return 0;
}

int jt_cpuacct_proc_mark_(jt_cpuacct *a, jt_err *err)
{
    jt_cpuacct_snap_ s;
    if (walk(a, &s, err) != 0) return jt_err_prefix(err, "cpuacct");
    snap_clear(&a->mark);
    a->mark = s;
    return 0;
}

static uint64_t figure(const jt_cpuacct_task_ *t)
{
    return t->self_ns + t->reaped_ns;
}

int jt_cpuacct_proc_since_(jt_cpuacct *a, uint64_t *ns, jt_err *err)
{
    *ns = 0;
    jt_cpuacct_snap_ s;
    if (walk(a, &s, err) != 0) return jt_err_prefix(err, "cpuacct");
    int64_t used = 0;
    uint64_t reaped_growth = 0, vanished = 0;
    for (size_t i = 0; i < s.n; i++) {
        const jt_cpuacct_task_ *now = &s.t[i], *then = find_task(&a->mark, now->pid, now->start);
        used += (int64_t)figure(now) - (then ? (int64_t)figure(then) : 0);
        uint64_t before = then ? then->reaped_ns : 0;
        if (now->reaped_ns > before) reaped_growth += now->reaped_ns - before;
    }
    for (size_t i = 0; i < a->mark.n; i++)
        if (!find_task(&s, a->mark.t[i].pid, a->mark.t[i].start)) vanished += figure(&a->mark.t[i]);
    /* A vanished task's time up to the mark reappears in its reaper's
     * cutime with the rest of its life: counted once, not twice. */
    used -= (int64_t)(vanished < reaped_growth ? vanished : reaped_growth);
    *ns = used > 0 ? (uint64_t)used : 0;
    snap_clear(&s);
    return 0;
}

void jt_cpuacct_proc_release_(jt_cpuacct *a)
{
    snap_clear(&a->mark);
    snap_clear(&a->known);
}
