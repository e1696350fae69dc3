/* fake_rapl's active power: the /proc scanner that finds the marker
 * processes of each counter and credits their CPU time (fake_rapl_priv.h). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jouletrace/common.h"
#include "jouletrace/sysfile.h"
#include "support/fake_rapl_priv.h"
#include "support/testutil.h"

/* A process's CPU clock in ns; -1 once it is gone. */
static int cpu_clock_ns(clockid_t clk, uint64_t *ns)
{
    struct timespec ts;
    if (clock_gettime(clk, &ts) != 0) return -1;
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return 0;
}

/* Up to cap bytes of a process's command line (NUL-separated); 0 when gone. */
static size_t read_cmdline(long pid, char *buf, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    return n;
}

/* ppid and start time (clock ticks since boot) of a process; -1 when gone. */
static int read_stat(long pid, long *ppid, unsigned long long *start)
{
    char buf[1024];
    /* fields 4 (ppid) and 22 (starttime) after the ")" that closes comm */
    const char *rp = jt_proc_stat_fields(pid, buf, sizeof buf);
    if (rp) rp--;
    if (!rp || sscanf(rp + 1, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
                                "%*d %*d %*d %llu",
                      ppid, start) != 2)
        return -1;
    return 0;
}

/* Is pid a descendant of `ancestor`? */
static bool descends_from(long pid, pid_t ancestor)
{
    unsigned long long start;
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        long ppid;
        if (read_stat(pid, &ppid, &start) != 0) return false;
        if (ppid == (long)ancestor) return true;
        pid = ppid;
    }
    return false;
}

static void untrack(counter *c, size_t i)
{
    c->procs[i] = c->procs[--c->nprocs];
}

/* CPU ns the counter's processes used since the last call; drops the ones
 * that are gone. A clock that went backwards is a reused pid: rebase. */
uint64_t jt_fake_credit_active_(counter *c)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < c->nprocs;) {
        tracked *p = &c->procs[i];
        uint64_t ns;
        if (cpu_clock_ns(p->clk, &ns) != 0) {
            untrack(c, i);
            continue;
        }
        if (ns >= p->last_ns) sum += ns - p->last_ns;
        p->last_ns = ns;
        i++;
    }
    c->credited_ns += sum;
    return sum;
}

/* What the scanner looks for: each active counter's marker and owner. */
typedef struct scan_req {
    char *marker[MAX_COUNTERS]; /* NULL: counter not active */
    pid_t owner[MAX_COUNTERS];
    unsigned gen;               /* f->gen when taken */
} scan_req;

/* One process whose command line could be read, and the counters it feeds. */
typedef struct scan_hit {
    pid_t pid;
    unsigned long long start;
    uint32_t mask; /* bit i: matches counter i (0: matches none) */
} scan_hit;

static void scan_req_release(scan_req *rq)
{
    for (int i = 0; i < MAX_COUNTERS; i++) free(rq->marker[i]);
}

/* Reads /proc without the lock (reading a command line takes the target's
 * mmap lock and may block behind an exec or a page fault: that must never
 * delay a counter update). Returns every readable process and its matches. */
static scan_hit *scan_proc(const scan_req *rq, size_t *nhits)
{
    *nhits = 0;
    DIR *d = opendir("/proc");
    if (!d) return NULL;
    char *buf = jt_xcalloc(1, CMDLINE_MAX);
    scan_hit *hits = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        long ppid;
        unsigned long long start;
        if (read_stat(pid, &ppid, &start) != 0) continue;
        size_t n = read_cmdline(pid, buf, CMDLINE_MAX);
        if (!n) continue; /* gone, a zombie or a kernel thread */
        uint32_t mask = 0;
        for (int i = 0; i < MAX_COUNTERS; i++)
            if (rq->marker[i] && memmem(buf, n, rq->marker[i], strlen(rq->marker[i])) &&
                descends_from(pid, rq->owner[i]))
                mask |= UINT32_C(1) << i;
        JT_GROW(hits, *nhits + 1, cap);
        hits[(*nhits)++] = (scan_hit){(pid_t)pid, start, mask};
    }
    closedir(d);
    free(buf);
    return hits;
}

/* Under the lock: tracks new matches (from their current CPU time when
 * from_now, else from their start) and drops tracked processes that were
 * read and no longer match (they exec'd something else, or the pid was
 * reused: the start time tells). Processes not read are left to the
 * writer, which drops them once their clock is gone. */
static void scan_apply(jt_fake_rapl *f, const scan_hit *hits, size_t nhits, bool from_now)
{
    for (int i = 0; i < f->n; i++) {
        counter *c = &f->c[i];
        if (!c->procs) continue;
        for (size_t h = 0; h < nhits; h++) {
            bool match = hits[h].mask & (UINT32_C(1) << i);
            size_t k = 0;
            while (k < c->nprocs && c->procs[k].pid != hits[h].pid) k++;
            if (k < c->nprocs) {
                if (match && c->procs[k].start == hits[h].start) continue;
                untrack(c, k);
            }
            if (!match) continue;
            if (c->nprocs == MAX_TRACKED) {
                fprintf(stderr, "fake_rapl: more than %d live processes match '%s'\n",
                        MAX_TRACKED, c->marker);
                abort();
            }
            tracked t = {.pid = hits[h].pid, .start = hits[h].start};
            uint64_t ns;
            if (clock_getcpuclockid(t.pid, &t.clk) != 0 || cpu_clock_ns(t.clk, &ns) != 0)
                continue; /* already gone */
            t.last_ns = from_now ? ns : 0;
            c->procs[c->nprocs++] = t;
            c->seen++;
        }
    }
}

void jt_fake_counter_active(jt_fake_rapl *f, int id, double watts, const char *marker)
{
    bool on = watts > 0 && marker && *marker;
    scan_req rq;
    memset(&rq, 0, sizeof rq);
    scan_hit *hits = NULL;
    size_t nhits = 0;
    if (on) { /* what already runs counts from now on */
        rq.marker[id] = jt_xstrdup(marker);
        rq.owner[id] = getpid();
        hits = scan_proc(&rq, &nhits);
    }
    pthread_mutex_lock(&f->lock);
    counter *c = &f->c[id];
    free(c->marker);
    free(c->procs);
    c->marker = NULL;
    c->procs = NULL;
    c->nprocs = 0;
    c->credited_ns = 0;
    c->seen = 0;
    c->active_w = watts;
    f->gen++; /* a scan started before this is stale */
    if (on) {
        c->marker = jt_xstrdup(marker);
        c->owner = getpid();
        c->procs = jt_xcalloc(MAX_TRACKED, sizeof *c->procs);
        /* only this counter's bit is set in the hits */
        scan_apply(f, hits, nhits, true);
    }
    pthread_mutex_unlock(&f->lock);
    free(hits);
    scan_req_release(&rq);
}

void jt_fake_counter_active_stats(jt_fake_rapl *f, int id, double *cpu_seconds,
                                  unsigned *processes)
{
    pthread_mutex_lock(&f->lock);
    if (cpu_seconds) *cpu_seconds = (double)f->c[id].credited_ns * 1e-9;
    if (processes) *processes = f->c[id].seen;
    pthread_mutex_unlock(&f->lock);
}

double jt_fake_rapl_max_gap(jt_fake_rapl *f)
{
    pthread_mutex_lock(&f->lock);
    double g = f->max_gap;
    pthread_mutex_unlock(&f->lock);
    return g;
}

/* The scanner: every RESCAN_SECONDS, finds the processes that feed active
 * counters; they are credited from the writer's next tick on. */
void *jt_fake_scan_main_(void *arg)
{
    jt_fake_rapl *f = arg;
    pthread_mutex_lock(&f->lock);
    while (!f->stop) {
        scan_req rq;
        memset(&rq, 0, sizeof rq);
        bool any = false;
        for (int i = 0; i < f->n; i++)
            if (f->c[i].procs) {
                rq.marker[i] = jt_xstrdup(f->c[i].marker);
                rq.owner[i] = f->c[i].owner;
                any = true;
            }
        rq.gen = f->gen;
        pthread_mutex_unlock(&f->lock);
        size_t nhits = 0;
        scan_hit *hits = any ? scan_proc(&rq, &nhits) : NULL;
        pthread_mutex_lock(&f->lock);
        if (any && rq.gen == f->gen) scan_apply(f, hits, nhits, false);
        free(hits);
        scan_req_release(&rq);
        if (f->stop) break;
        pthread_mutex_unlock(&f->lock);
        struct timespec pause = {0, (long)(RESCAN_SECONDS * 1e9)};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&f->lock);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

